/* SPDX-License-Identifier: MIT */
/* Candidates: adding originals and objects, loading, and resolving what a user typed. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/objects.h"
#include "core/base/safefile.h"
#include "core/base/util.h"
#include "db/db.h"

int
store_source_id(struct store *st, int64_t root_id, const char *path, const char *format,
    int64_t *id, char **cause)
{
	sqlite3_stmt *s;

	s = db_stmt(st, STMT_SOURCE_ADD,
	    "INSERT INTO sources (root_id, path, format, imported_at) VALUES (?, ?, ?, ?)"
	    " ON CONFLICT (root_id, path) DO UPDATE SET format = excluded.format,"
	    " imported_at = excluded.imported_at RETURNING id", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, root_id);
	db_bind_text(s, 2, path);
	db_bind_text(s, 3, format);
	sqlite3_bind_int64(s, 4, now_unix());
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return db_fail(st, "recording a source", cause);
	}
	*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/*
 * Whether stored original x is this record's pair by where its image is: the
 * same object (the hash of its bytes), or the same file (root and path), with
 * the same text. Columns: id, same, and whether x's first source is this one.
 */
#define SAME_FILE                                                                          \
	"text = ?4 AND (CASE WHEN ?6 IS NOT NULL THEN object IS ?6"                        \
	" ELSE object IS NULL AND root_id = ?1 AND image_path IS ?5 END),"                 \
	" source_id IS ?7 AND src_key IS ?2"

/* ?1 root, ?2 key, ?3 aug_id, ?4 text, ?5 path, ?6 object, ?7 source: every statement
 * about an original numbers them so. */
static void
bind_same(sqlite3_stmt *s, const struct store_original *o)
{
	sqlite3_bind_int64(s, 1, o->root_id);
	db_bind_text(s, 2, o->src_key);
	db_bind_text(s, 3, o->aug_id);
	db_bind_text(s, 4, o->text);
	db_bind_text(s, 5, o->image_path);
	db_bind_text(s, 6, o->object);
	if (o->source_id > 0)
		sqlite3_bind_int64(s, 7, o->source_id);
}

/* The pair is there already: keep this record's source beside the first unless it is
 * the first. Returns 0 (the "exists" of store_add_original) or -1. */
static int
existing(struct store *st, const struct store_original *o, int64_t id, int first_source,
    char **cause)
{
	if (!first_source && store_original_add_source(st, id, o, cause) < 0)
		return -1;
	return 0;
}

int
store_add_original(struct store *st, const struct store_original *o, int64_t *id, char **cause)
{
	sqlite3_stmt *s;

	if (o->key_is_id && o->src_key != NULL) {
		s = db_stmt(st, STMT_ORIG_BY_KEY, "SELECT id, " SAME_FILE " FROM candidates"
		    " WHERE src_key = ?2 AND root_id = ?1 AND key_is_id = 1"
		    " LIMIT 1", cause);
		if (s == NULL)
			return -1;
		bind_same(s, o);
		if (sqlite3_step(s) == SQLITE_ROW) {
			int64_t other = sqlite3_column_int64(s, 0);
			int same = sqlite3_column_int(s, 1), first = sqlite3_column_int(s, 2);
			sqlite3_reset(s);
			if (same) {
				*id = other;
				return existing(st, o, other, first, cause);
			}
			return cause_set(cause, "duplicate id: already used by candidate %" PRId64
			    " with another image or text", other);
		}
		sqlite3_reset(s);
	}

	/* The common case is a new pair: insert first and look up only on a clash. */
	s = db_stmt(st, STMT_ORIG_ADD,
	    "INSERT INTO candidates (aug_id, op, op_version, params, root_id, image_path, object,"
	    " text, src_key, key_is_id, source_id, meta, width, height, created_at, content)"
	    " VALUES (?3, 'original', 1, '{}', ?1, ?5, ?6, ?4, ?2, ?8, ?7, ?9, ?10, ?11, ?12, ?13)"
	    " ON CONFLICT (aug_id) DO NOTHING", cause);
	if (s == NULL)
		return -1;
	bind_same(s, o);
	sqlite3_bind_int(s, 8, o->key_is_id != 0);
	db_bind_text(s, 9, o->meta);
	if (o->width > 0 && o->height > 0) {
		sqlite3_bind_int(s, 10, o->width);
		sqlite3_bind_int(s, 11, o->height);
	}
	sqlite3_bind_int64(s, 12, now_unix());
	db_bind_text(s, 13, o->content);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "adding an original", cause);
	}
	sqlite3_reset(s);
	if (sqlite3_changes(st->db) > 0) {
		*id = sqlite3_last_insert_rowid(st->db);
		return 1;
	}
	s = db_stmt(st, STMT_ORIG_SAME, "SELECT id, " SAME_FILE " FROM candidates"
	    " WHERE aug_id = ?3", cause);
	if (s == NULL)
		return -1;
	bind_same(s, o);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return cause_set(cause, "%s: aug_id %s vanished", st->path, o->aug_id);
	}
	*id = sqlite3_column_int64(s, 0);
	int same = sqlite3_column_int(s, 1), first = sqlite3_column_int(s, 2);
	sqlite3_reset(s);
	return same ? existing(st, o, *id, first, cause) : 2;
}

int
store_add_object(struct store *st, const char *hex, const char *format, int width, int height,
    int64_t bytes, char **cause)
{
	sqlite3_stmt *s;

	s = db_stmt(st, STMT_OBJECT_ADD,
	    "INSERT OR IGNORE INTO objects (hash, format, width, height, bytes, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?)", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, hex);
	db_bind_text(s, 2, format);
	if (width > 0 && height > 0) {
		sqlite3_bind_int(s, 3, width);
		sqlite3_bind_int(s, 4, height);
	}
	sqlite3_bind_int64(s, 5, bytes);
	sqlite3_bind_int64(s, 6, now_unix());
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "recording an object", cause);
	}
	sqlite3_reset(s);
	return 0;
}

void
candidate_free(struct candidate *c)
{
	free(c->op);
	free(c->params);
	free(c->backend);
	free(c->model);
	free(c->prompt);
	free(c->root);
	free(c->image_path);
	free(c->object);
	free(c->text);
	free(c->src_key);
	free(c->source);
	free(c->meta);
	free(c->response_id);
	memset(c, 0, sizeof *c);
}

int
store_candidate_get(struct store *st, int64_t id, struct candidate *c, char **cause)
{
	static const char sql[] =
	    "SELECT c.id, c.aug_id, c.op, c.op_version, c.params, c.seed, c.backend, c.model,"
	    " c.prompt, r.path, c.image_path, c.object, c.text, c.src_key, s.path, c.meta,"
	    " c.width, c.height, c.created_at, c.root_id, c.response_id"
	    " FROM candidates c LEFT JOIN roots r ON r.id = c.root_id"
	    " LEFT JOIN sources s ON s.id = c.source_id WHERE c.id = ?";
	sqlite3_stmt *s;
	int rc;

	memset(c, 0, sizeof *c);
	/* Kept prepared: an export loads every candidate, and parsing was half its time. */
	if ((s = db_stmt(st, STMT_CAND_GET, sql, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return cause_set(cause, "no candidate %" PRId64, id);
		return db_fail(st, "loading a candidate", cause);
	}
	c->id = sqlite3_column_int64(s, 0);
	snprintf(c->aug_id, sizeof c->aug_id, "%s", (const char *)sqlite3_column_text(s, 1));
	c->op = db_column_dup(s, 2);
	c->op_version = sqlite3_column_int(s, 3);
	c->params = db_column_dup(s, 4);
	c->has_seed = sqlite3_column_type(s, 5) != SQLITE_NULL;
	c->seed = sqlite3_column_int64(s, 5);
	c->backend = db_column_dup(s, 6);
	c->model = db_column_dup(s, 7);
	c->prompt = db_column_dup(s, 8);
	c->root = db_column_dup(s, 9);
	c->image_path = db_column_dup(s, 10);
	c->object = db_column_dup(s, 11);
	c->text = db_column_dup(s, 12);
	c->src_key = db_column_dup(s, 13);
	c->source = db_column_dup(s, 14);
	c->meta = db_column_dup(s, 15);
	c->response_id = db_column_dup(s, 20);
	c->width = sqlite3_column_int(s, 16);
	c->height = sqlite3_column_int(s, 17);
	c->created_at = sqlite3_column_int64(s, 18);
	c->root_id = sqlite3_column_int64(s, 19);
	sqlite3_reset(s);

	if ((s = db_stmt(st, STMT_CAND_PARENTS,
	    "SELECT parent FROM lineage WHERE child = ? ORDER BY slot LIMIT 2", cause)) == NULL) {
		candidate_free(c);
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	while (c->nparents < 2 && sqlite3_step(s) == SQLITE_ROW)
		c->parents[c->nparents++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* Collects up to 5 ids matching a query with one text parameter. */
static int
matches(struct store *st, const char *sql, const char *arg, int64_t ids[5], int *n,
    char **cause)
{
	sqlite3_stmt *s;

	*n = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "looking up a candidate", cause);
	db_bind_text(s, 1, arg);
	while (*n < 5 && sqlite3_step(s) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
is_hex(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

static int
ambiguous(const char *spec, const int64_t ids[5], int n, char **cause)
{
	char list[128] = "";
	size_t o = 0;

	for (int i = 0; i < n && i < 4; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%" PRId64, i ? ", " : "",
		    ids[i]);
	return cause_set(cause, "%s: ambiguous, matches candidates %s%s", spec, list,
	    n > 4 ? ", ..." : "");
}

int
store_candidate_find(struct store *st, const char *spec, int64_t *id, char **cause)
{
	int64_t ids[5], v;
	int n;

	if (parse_int64(spec, 1, INT64_MAX, &v) == 0) {
		if (matches(st, "SELECT id FROM candidates WHERE id = CAST(? AS INTEGER)", spec,
		    ids, &n, cause) != 0)
			return -1;
		if (n == 1) {
			*id = ids[0];
			return 0;
		}
	}
	if (is_hex(spec) && strlen(spec) >= 6 && strlen(spec) <= 64) {
		char *hi = xasprintf("%s~", spec); /* '~' sorts after every hex digit */
		sqlite3_stmt *s;
		n = 0;
		if (sqlite3_prepare_v2(st->db,
		    "SELECT id FROM candidates WHERE aug_id >= ?1 AND aug_id < ?2 LIMIT 5", -1, &s,
		    NULL) != SQLITE_OK) {
			free(hi);
			return db_fail(st, "looking up a candidate", cause);
		}
		db_bind_text(s, 1, spec);
		db_bind_text(s, 2, hi);
		while (n < 5 && sqlite3_step(s) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		free(hi);
		if (n == 1) {
			*id = ids[0];
			return 0;
		}
		if (n > 1)
			return ambiguous(spec, ids, n, cause);
	}
	if (matches(st, "SELECT id FROM candidates WHERE src_key = ?1 UNION SELECT candidate"
	    " FROM original_sources WHERE src_key = ?1 ORDER BY 1", spec, ids, &n, cause) != 0)
		return -1;
	if (n == 1) {
		*id = ids[0];
		return 0;
	}
	if (n > 1)
		return ambiguous(spec, ids, n, cause);
	return cause_set(cause, "%s: no candidate with that id, aug_id or key", spec);
}

/*
 * The candidate's image path, checked: the real path when it lies inside its
 * folder (the object store or its root), the unresolved path when the file is
 * missing (the caller's ordinary "gone"), NULL with *cause when it leads out
 * or the object name is not a hash. With fd, the file checked is also opened
 * (*fd -1 when it is not a readable regular file).
 */
static char *
image_locate(const struct store *st, const struct candidate *c, int *fd, size_t *size,
    char **cause)
{
	const char *folder = c->object != NULL ? st->objects : c->root;
	char *full, *real;
	int rc;

	if (fd != NULL)
		*fd = -1;
	/* Names come from rows a merge or a hand edit may have written: check, never trust. */
	if (c->object != NULL && !hex64_valid(c->object)) {
		cause_set(cause, "candidate %" PRId64 ": object name is not a SHA-256", c->id);
		return NULL;
	}
	if (c->object == NULL && c->image_path == NULL)
		return NULL;
	if (folder == NULL) {
		if (fd != NULL)
			*fd = file_open_regular(c->image_path, SIZE_MAX, size, NULL);
		return xstrdup(c->image_path);
	}
	/* The object store is a folder like any root: a link planted in it stays out. */
	full = c->object != NULL ? objects_path(st->objects, c->object) :
	    xasprintf("%s/%s", c->root, c->image_path);
	rc = fd != NULL ? path_contain_open(folder, full, &real, fd, size, cause) :
	    path_contain(folder, full, 1, &real, cause);
	if (rc != 0) {
		free(full);
		return NULL;
	}
	if (real == NULL)
		return full;
	free(full);
	return real;
}

char *
store_candidate_image_checked(const struct store *st, const struct candidate *c, char **cause)
{
	return image_locate(st, c, NULL, NULL, cause);
}

char *
store_candidate_image_open(const struct store *st, const struct candidate *c, int *fd,
    size_t *size, char **cause)
{
	return image_locate(st, c, fd, size, cause);
}

char *
store_candidate_image(const struct store *st, const struct candidate *c)
{
	return store_candidate_image_checked(st, c, NULL);
}

void
candidate_ops_free(int64_t *ids, int *op_of, char **names, size_t nnames)
{
	free(ids);
	free(op_of);
	for (size_t k = 0; k < nnames; k++)
		free(names[k]);
	free(names);
}

int
store_candidate_ops(struct store *st, int64_t **ids, int **op_of, size_t *n, char ***names,
    size_t *nnames, char **cause)
{
	sqlite3_stmt *s;
	size_t len = 0, cap = 0, nn = 0;
	int64_t *v = NULL;
	int *of = NULL, rc;
	char **nm = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT id, op FROM candidates ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return db_fail(st, "listing candidates' ops", cause);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *op = (const char *)sqlite3_column_text(s, 1);
		size_t k = 0;
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof *v);
			of = xreallocarray(of, cap, sizeof *of);
		}
		/* A project has a handful of ops: a linear look-up is enough. */
		while (k < nn && strcmp(nm[k], op != NULL ? op : "") != 0)
			k++;
		if (k == nn) {
			nm = xreallocarray(nm, nn + 1, sizeof *nm);
			nm[nn++] = xstrdup(op != NULL ? op : "");
		}
		v[len] = sqlite3_column_int64(s, 0);
		of[len++] = (int)k;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		candidate_ops_free(v, of, nm, nn);
		return db_fail(st, "listing candidates' ops", cause);
	}
	*ids = v;
	*op_of = of;
	*n = len;
	*names = nm;
	*nnames = nn;
	return 0;
}
