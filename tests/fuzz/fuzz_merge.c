/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for merge sources (db/merge.c): each input describes a
 * source database row by row, the target builds it with plain SQLite (no
 * foreign keys, no checks of ours: a hostile file need not come from mmda),
 * merges it into a fresh destination, and when the merge is accepted checks
 * what it promised: every merged object name is 64 hex digits whose file is
 * in the destination's store, every image path is plain and stays inside its
 * root, and no root arrives unless --trust-roots was given. A breach aborts.
 * Built by `make fuzz` only.
 *
 * Input: lines of tab-separated fields; the first names the table:
 *   r id path | o hash format width height bytes created_at
 *   s id root_id path format imported_at
 *   c id aug_id op params root_id image_path object text src_key source_id created_at
 *   l child slot parent | d id candidate annotator answer retracts reason note lead_ms at
 *   f HEX (an object file with these bytes, under its own hash) | t (merge with --trust-roots)
 * A field "\N" is NULL, digits are an integer, "@ROOT@" at the start stands for
 * the destination's one root (the sample images); missing fields are NULL.
 * With $FUZZ_MERGE_SAY set, a refused merge prints why (to check that seeds merge).
 */
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/objects.h"
#include "core/base/safefile.h"
#include "core/base/util.h"
#include "core/store.h"

#define MAX_LINES 64
#define MAX_FIELDS 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static char dir[256], root[PATH_MAX];
static char *tmpl_src, *tmpl_dst;
static size_t tmpl_src_len, tmpl_dst_len;

static const struct table {
	char tag;
	const char *sql;
	int nargs;
} tables[] = {
	{ 'r', "INSERT INTO roots (id, path) VALUES (?,?)", 2 },
	{ 'o', "INSERT INTO objects (hash, format, width, height, bytes, created_at)"
	    " VALUES (?,?,?,?,?,?)", 6 },
	{ 's', "INSERT INTO sources (id, root_id, path, format, imported_at) VALUES (?,?,?,?,?)",
	    5 },
	{ 'c', "INSERT INTO candidates (id, aug_id, op, params, root_id, image_path, object,"
	    " text, src_key, source_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", 11 },
	{ 'l', "INSERT INTO lineage (child, slot, parent) VALUES (?,?,?)", 3 },
	{ 'd', "INSERT INTO decisions (id, candidate, annotator, answer, retracts, reason, note,"
	    " lead_ms, at) VALUES (?,?,?,?,?,?,?,?,?)", 9 },
};

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_merge: %s: %s\n", what, why ? why : "?");
	abort();
}

static char *
at(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

/* Removes DB, its WAL files and its object store, leaving the name free. */
static void
db_wipe(const char *name)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char *p;

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		p = xasprintf("%s/%s%s", dir, name, ext[i]);
		unlink(p);
		free(p);
	}
	p = xasprintf("%s/%s.objects", dir, name);
	nftw(p, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(p);
}

static void
db_write(const char *name, const char *bytes, size_t len)
{
	char *p = at(name);
	FILE *f = fopen(p, "wb");

	if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
		die(p, "cannot write");
	free(p);
}

/* An empty mmda database, its bytes kept so each run starts from the same file. */
static char *
db_template(const char *name, const char *sql, size_t *len)
{
	char *p = at(name), *cause = NULL, *bytes;
	struct store *st = store_open(p, STORE_CREATE, &cause);
	sqlite3 *db;

	if (st == NULL)
		die(p, cause);
	store_close(st);
	if (sql != NULL) {
		if (sqlite3_open(p, &db) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			die(p, sqlite3_errmsg(db));
		sqlite3_close(db);
	}
	if (file_read_all(p, (size_t)64 << 20, &bytes, len, &cause) != 0)
		die(p, cause);
	db_wipe(name);
	free(p);
	return bytes;
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char *sql;

	snprintf(dir, sizeof dir, "%s/mmda-fuzz-merge.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die(dir, "mkdtemp");
	if (realpath(MMDA_SAMPLE_DIR "/images", root) == NULL)
		die(MMDA_SAMPLE_DIR "/images", "missing");
	sql = sqlite3_mprintf("PRAGMA journal_mode=DELETE; INSERT INTO roots (id, path)"
	    " VALUES (1, %Q)", root);
	tmpl_dst = db_template("tdst.db", sql, &tmpl_dst_len);
	sqlite3_free(sql);
	tmpl_src = db_template("tsrc.db", "PRAGMA journal_mode=DELETE", &tmpl_src_len);
}

static void
bind_field(sqlite3_stmt *s, int i, const char *f, size_t n)
{
	char buf[32];
	size_t d;
	int64_t v;

	/* The field may end the input: nothing past f + n is ours to read. */
	if (n == 0) {
		sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC);
		return;
	}
	d = f[0] == '-' ? 1 : 0;
	if (n == 2 && f[0] == '\\' && f[1] == 'N') {
		sqlite3_bind_null(s, i);
		return;
	}
	while (d < n && f[d] >= '0' && f[d] <= '9')
		d++;
	if (d == n && n > (size_t)(f[0] == '-') && n < sizeof buf) {
		memcpy(buf, f, n);
		buf[n] = '\0';
		if (parse_int64(buf, INT64_MIN, INT64_MAX, &v) == 0) {
			sqlite3_bind_int64(s, i, v);
			return;
		}
	}
	if (n >= 6 && memcmp(f, "@ROOT@", 6) == 0) {
		char *t = xasprintf("%s%.*s", root, (int)(n - 6), f + 6);
		sqlite3_bind_text(s, i, t, -1, free);
		return;
	}
	sqlite3_bind_text(s, i, f, (int)n, SQLITE_TRANSIENT);
}

/* An 'f' line: hex digits to bytes, stored in the source's object store. */
static void
put_object(const char *srcobjs, const char *hex, size_t n)
{
	unsigned char *b = xmalloc(n / 2 + 1);
	char got[SHA256_HEX_LEN + 1], *cause = NULL;
	size_t k = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned v;
		if (sscanf(hex + i, "%2x", &v) != 1)
			break;
		b[k++] = (unsigned char)v;
	}
	if (objects_put(srcobjs, b, k, got, &cause) != 0)
		free(cause);
	free(b);
}

/* Runs one line into the source; a constraint it breaks is simply not stored. */
static void
run_line(sqlite3 *db, const char *srcobjs, const char *l, size_t n, int *trust)
{
	const char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS], nf = 0;
	sqlite3_stmt *s;

	for (size_t i = 0, start = 0; i <= n && nf < MAX_FIELDS; i++)
		if (i == n || l[i] == '\t') {
			f[nf] = l + start;
			fl[nf++] = i - start;
			start = i + 1;
		}
	if (fl[0] != 1)
		return;
	if (f[0][0] == 't') {
		*trust = 1;
		return;
	}
	if (f[0][0] == 'f') {
		if (nf > 1)
			put_object(srcobjs, f[1], fl[1]);
		return;
	}
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		if (tables[t].tag != f[0][0])
			continue;
		if (sqlite3_prepare_v2(db, tables[t].sql, -1, &s, NULL) != SQLITE_OK)
			die(tables[t].sql, sqlite3_errmsg(db));
		for (int i = 1; i <= tables[t].nargs && (size_t)i < nf; i++)
			bind_field(s, i, f[i], fl[i]);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
}

/* The oracle's own reading of "plain relative path", independent of merge.c's. */
static int
plain_relative(const char *p)
{
	size_t n = strlen(p);
	char *c, *save = NULL;
	int ok;

	if (n == 0 || p[0] == '/' || p[n - 1] == '/' || strstr(p, "//") != NULL)
		return 0;
	c = xstrdup(p);
	ok = 1;
	for (char *t = strtok_r(c, "/", &save); t != NULL; t = strtok_r(NULL, "/", &save))
		if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
			ok = 0;
	free(c);
	return ok;
}

/* What an accepted merge must have left in the destination. */
static void
check_dst(const char *dst, int trust)
{
	char *objs = xasprintf("%s.objects", dst);
	sqlite3 *db;
	sqlite3_stmt *s;

	if (sqlite3_open_v2(dst, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(dst, sqlite3_errmsg(db));
	if (!trust) {
		sqlite3_prepare_v2(db, "SELECT path FROM roots WHERE id <> 1", -1, &s, NULL);
		if (sqlite3_step(s) == SQLITE_ROW)
			die("a root came in without --trust-roots",
			    (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	sqlite3_prepare_v2(db, "SELECT c.object, c.image_path, r.path FROM candidates c"
	    " LEFT JOIN roots r ON r.id = c.root_id", -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *obj = (const char *)sqlite3_column_text(s, 0);
		const char *path = (const char *)sqlite3_column_text(s, 1);
		const char *r = (const char *)sqlite3_column_text(s, 2);
		struct stat sb;
		if (obj != NULL) {
			char *p;
			if (!hex64_valid(obj))
				die("merged object name", obj);
			p = objects_path(objs, obj);
			if (stat(p, &sb) != 0)
				die("a merged row names a missing object", obj);
			free(p);
		}
		if (path != NULL) {
			char *full, *why = NULL;
			if (r == NULL || !plain_relative(path))
				die("merged image path", path);
			full = xasprintf("%s/%s", r, path);
			if (path_contain(r, full, 1, NULL, &why) != 0)
				die("merged image path escapes its root", why);
			free(full);
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(objs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *src, *dst, *srcobjs, *cause = NULL;
	const char *p = (const char *)data, *end = p + len;
	struct store_merge_result res;
	struct store *st;
	sqlite3 *db;
	int trust = 0, lines = 0;

	if (dir[0] == '\0')
		setup();
	db_wipe("src.db");
	db_wipe("dst.db");
	db_write("src.db", tmpl_src, tmpl_src_len);
	db_write("dst.db", tmpl_dst, tmpl_dst_len);
	src = at("src.db");
	dst = at("dst.db");
	srcobjs = at("src.db.objects");
	if (sqlite3_open(src, &db) != SQLITE_OK)
		die(src, sqlite3_errmsg(db));
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	while (p < end && lines++ < MAX_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		/* SQLite's text is NUL-terminated for our purposes: stop a line there. */
		const char *z = memchr(p, '\0', n);
		run_line(db, srcobjs, p, z != NULL ? (size_t)(z - p) : n, &trust);
		p += n + (nl != NULL);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	if ((st = store_open(dst, 0, &cause)) == NULL)
		die(dst, cause);
	if (store_merge(st, src, trust ? STORE_MERGE_TRUST_ROOTS : 0, &res, &cause) == 0) {
		store_close(st);
		check_dst(dst, trust);
	} else {
		if (cause == NULL)
			die("merge", "failed without a reason");
		if (getenv("FUZZ_MERGE_SAY") != NULL)
			fprintf(stderr, "refused: %s\n", cause);
		store_close(st);
	}
	free(cause);
	free(src);
	free(dst);
	free(srcobjs);
	return 0;
}
