/* SPDX-License-Identifier: MIT */
/*
 * What makes two originals one pair, and the sources that name one. An
 * import only comes here when a new pair's path and caption meet an
 * existing one's (the cheap pre-check is the aug_id's unique index), so the
 * statements below run for re-imports and real clashes, never for the bulk
 * of a first import.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

void
original_image_free(struct original_image *o)
{
	free(o->image_path);
	free(o->object);
	free(o->content);
	free(o->root);
	free(o->text);
	memset(o, 0, sizeof *o);
}

int
store_original_image(struct store *st, int64_t id, struct original_image *out, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof *out);
	s = db_stmt(st, STMT_ORIG_IMAGE,
	    "SELECT c.root_id, c.image_path, c.object, c.content, c.text, r.path FROM candidates c"
	    " LEFT JOIN roots r ON r.id = c.root_id WHERE c.id = ? AND c.op = 'original'", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return cause_set(cause, "candidate %" PRId64 " is not an original", id);
		return db_fail(st, "loading an original", cause);
	}
	out->root_id = sqlite3_column_int64(s, 0);
	out->image_path = db_column_dup(s, 1);
	out->object = db_column_dup(s, 2);
	out->content = db_column_dup(s, 3);
	out->text = db_column_dup(s, 4);
	out->root = db_column_dup(s, 5);
	sqlite3_reset(s);
	return 0;
}

int
store_original_set_content(struct store *st, int64_t id, const char *hex, char **cause)
{
	sqlite3_stmt *s;

	s = db_stmt(st, STMT_ORIG_CONTENT, "UPDATE candidates SET content = ? WHERE id = ?",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, hex);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "recording an image's content hash", cause);
	}
	sqlite3_reset(s);
	return 0;
}

int
store_original_add_source(struct store *st, int64_t id, const struct store_original *o,
    char **cause)
{
	sqlite3_stmt *s;

	/* A record without a source or key has nothing to keep beside the first. */
	if (o->source_id <= 0 || o->src_key == NULL)
		return 0;
	s = db_stmt(st, STMT_ORIG_SOURCE_ADD,
	    "INSERT INTO original_sources (candidate, source_id, src_key, key_is_id, meta,"
	    " added_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM candidates"
	    " WHERE id = ?1 AND source_id IS ?2 AND src_key IS ?3)"
	    " ON CONFLICT (candidate, source_id, src_key) DO NOTHING", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, o->source_id);
	db_bind_text(s, 3, o->src_key);
	sqlite3_bind_int(s, 4, o->key_is_id != 0);
	db_bind_text(s, 5, o->meta);
	sqlite3_bind_int64(s, 6, now_unix());
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "recording another source of a pair", cause);
	}
	sqlite3_reset(s);
	return sqlite3_changes(st->db) > 0;
}

void
sources_free(struct candidate_source *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].key);
		free(s[i].source);
		free(s[i].format);
		free(s[i].meta);
	}
	free(s);
}

int
store_candidate_sources(struct store *st, int64_t id, struct candidate_source **out,
    size_t *n, char **cause)
{
	static const char sql[] =
	    "SELECT k, p, f, m, i FROM ("
	    " SELECT 0 AS rank, 0 AS at, c.src_key AS k, s.path AS p, s.format AS f, c.meta AS m,"
	    " c.key_is_id AS i"
	    " FROM candidates c LEFT JOIN sources s ON s.id = c.source_id"
	    " WHERE c.id = ?1 AND c.op = 'original'"
	    " UNION ALL SELECT 1, o.added_at, o.src_key, s.path, s.format, o.meta, o.key_is_id"
	    " FROM original_sources o LEFT JOIN sources s ON s.id = o.source_id"
	    " WHERE o.candidate = ?1) ORDER BY rank, at, p, k";
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "loading a pair's sources", cause);
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct candidate_source *c = &(*out)[(*n)++];
		c->key = db_column_dup(s, 0);
		c->source = db_column_dup(s, 1);
		c->format = db_column_dup(s, 2);
		c->meta = db_column_dup(s, 3);
		c->key_is_id = sqlite3_column_int(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sources_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(st, "loading a pair's sources", cause);
	}
	return 0;
}
