/* SPDX-License-Identifier: MIT */
/*
 * The bottom of db/: running SQL, the statement cache, binding and reading
 * columns, and transactions. Every other file of db/ builds on these and
 * this file calls none of them, so store.c (opening) and schema.c
 * (migrations) both stand on it without standing on each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

int
db_fail(struct store *st, const char *what, char **cause)
{
	return cause_set(cause, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int
db_exec(struct store *st, const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		cause_set(cause, "%s: %s", st->path, err ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
db_stmt(struct store *st, enum db_stmt slot, const char *sql, char **cause)
{
	sqlite3_stmt *s = st->stmt[slot];

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
	    SQLITE_OK) {
		db_fail(st, "preparing a statement", cause);
		return NULL;
	}
	st->stmt[slot] = s;
	return s;
}

int
db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

char *
db_column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t == NULL ? NULL : xstrdup((const char *)t);
}

int
store_begin(struct store *st, char **cause)
{
	if (st->in_tx)
		return cause_set(cause, "%s: a transaction is already open", st->path);
	if (db_exec(st, "BEGIN IMMEDIATE", cause) != 0)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st, char **cause)
{
	if (db_exec(st, "COMMIT", cause) != 0) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->in_tx || !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}
