/* SPDX-License-Identifier: MIT */
/*
 * Opening, configuring and closing the SQLite database behind the store
 * (the schema is brought up to date by schema.c), dataset roots, integrity
 * checks and the project settings kept in its meta table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"
#include "db/db.h"

/* Long enough for another annotator's short decision transaction or a
 * batch commit to finish; short enough that a stuck lock is reported. */
#define BUSY_TIMEOUT_MS 30000

/*
 * The page size of a new database (an old one keeps its own: it is fixed by
 * the first write). An index of random 64-digit aug_ids is a page per ~50
 * keys at 4 KiB; at 16 KiB a descent reads fewer pages and a commit writes
 * fewer: importing a million pairs took 8.6-10.4 s instead of 10.0-14.5 s.
 */
#define NEW_PAGE_SIZE "16384"

static const char *const answer_names[ANSWER_COUNT] = { "accept", "reject", "skip" };

/* The integer a PRAGMA query returns, or -1 when it cannot be read. */
static int
pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

const char *
answer_name(enum answer a)
{
	return (unsigned)a < ANSWER_COUNT ? answer_names[a] : "?";
}

int
answer_parse(const char *s, enum answer *out)
{
	for (int i = 0; i < ANSWER_COUNT; i++) {
		if (strcmp(s, answer_names[i]) == 0) {
			*out = (enum answer)i;
			return 0;
		}
	}
	return -1;
}

struct store *
store_open(const char *path, int flags, char **cause)
{
	struct store *st;
	struct stat sb;
	int oflags;

	if (!(flags & STORE_CREATE) && stat(path, &sb) != 0) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		cause_set(cause, "%s: is a directory", path);
		return NULL;
	}
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	/* Absolute, so every path made from it (show, export --images ref) opens from
	 * wherever it is read. */
	char cwd[4096];
	if (path[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
		st->objects = xasprintf("%s/%s.objects", cwd, path);
	else
		st->objects = xasprintf("%s.objects", path);
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
					    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cause_set(cause, "%s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "cannot open the database");
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	/* Reading a page proves the file is a database before we write anything. */
	if (db_exec(st, "SELECT count(*) FROM sqlite_schema", NULL) != 0) {
		if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
			cause_set(cause, "%s: not an SQLite database", path);
		else
			cause_set(cause, "%s: %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return NULL;
	}
	if (!(flags & STORE_READONLY)) {
		/* WAL lets annotators read while another writes; NORMAL is durable
		 * across application crashes, which is what a dropped SSH link is. */
		/* No page yet: a new database. */
		if ((pragma_int(st, "PRAGMA page_count") == 0 &&
		    db_exec(st, "PRAGMA page_size = " NEW_PAGE_SIZE, cause) != 0) ||
		    db_exec(st, "PRAGMA journal_mode = WAL", cause) != 0 ||
		    db_exec(st, "PRAGMA synchronous = NORMAL", cause) != 0 ||
		    db_exec(st, "PRAGMA cache_size = -131072", cause) != 0 ||
		    db_exec(st, "PRAGMA wal_autocheckpoint = 16384", cause) != 0) {
			store_close(st);
			return NULL;
		}
	}
	if (db_exec(st, "PRAGMA foreign_keys = ON", cause) != 0) {
		store_close(st);
		return NULL;
	}
	if (!(flags & STORE_READONLY) && db_migrate(st, cause) != 0) {
		store_close(st);
		return NULL;
	}
	if ((flags & STORE_READONLY) && store_schema_version(st) != db_schema_latest()) {
		cause_set(cause, "%s: schema version %d, this mmda reads %d (open it read-write once)",
		    path, store_schema_version(st), db_schema_latest());
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL) {
		if (st->in_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(st->db);
	}
	free(st->path);
	free(st->objects);
	free(st);
}

int
store_schema_latest(void)
{
	return db_schema_latest();
}

int
store_schema_version(struct store *st)
{
	return pragma_int(st, "PRAGMA user_version");
}

const char *
store_objects_dir(const struct store *st)
{
	return st->objects;
}

int
store_check(struct store *st, char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "integrity check", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (r != NULL && strcmp(r, "ok") != 0 && rc == 0)
			rc = cause_set(cause, "%s: integrity check: %s", st->path, r);
	}
	sqlite3_finalize(s);
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "foreign key check", cause);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = cause_set(cause, "%s: foreign key check: row %lld of %s",
		    st->path, (long long)sqlite3_column_int64(s, 1), sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc;
}

int
store_root_id(struct store *st, const char *abs_path, int64_t *id, char **cause)
{
	sqlite3_stmt *s;

	if ((s = db_stmt(st, STMT_ROOT_GET, "SELECT id FROM roots WHERE path = ?", cause)) == NULL)
		return -1;
	db_bind_text(s, 1, abs_path);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if ((s = db_stmt(st, STMT_ROOT_ADD, "INSERT INTO roots (path) VALUES (?)", cause)) == NULL)
		return -1;
	db_bind_text(s, 1, abs_path);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "adding a dataset root", cause);
	}
	sqlite3_reset(s);
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_setting_get(struct store *st, const char *key, char **value, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*value = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "reading a setting", cause);
	db_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, "reading a setting", cause);
	return rc == SQLITE_ROW;
}

int
store_setting_put(struct store *st, const char *key, const char *value, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO meta (key, value) VALUES (?, ?)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "storing a setting", cause);
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, "storing a setting", cause);
	return 0;
}
