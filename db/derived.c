/* SPDX-License-Identifier: MIT */
/* Derived candidates: the rows operators add, with their lineage. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

int
store_augid_exists(struct store *st, const char *aug_id, int64_t *id, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = db_stmt(st, STMT_ORIG_BY_AUGID, "SELECT id FROM candidates WHERE aug_id = ?", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, aug_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && id != NULL)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(st, "looking up an aug_id", cause);
}

static int
insert(struct store *st, const struct store_derived *d, int64_t *id, char **cause)
{
	static const char sql[] =
	    "INSERT INTO candidates (aug_id, op, op_version, params, seed, backend, model, prompt,"
	    " response_id, object, text, meta, width, height, job_id, created_at, root_id,"
	    " image_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s;

	if ((s = db_stmt(st, STMT_DERIVED_ADD, sql, cause)) == NULL)
		return -1;
	db_bind_text(s, 1, d->aug_id);
	db_bind_text(s, 2, d->op);
	sqlite3_bind_int(s, 3, d->op_version);
	db_bind_text(s, 4, d->params);
	if (d->has_seed)
		sqlite3_bind_int64(s, 5, d->seed);
	db_bind_text(s, 6, d->backend);
	db_bind_text(s, 7, d->model);
	db_bind_text(s, 8, d->prompt);
	db_bind_text(s, 9, d->response_id);
	db_bind_text(s, 10, d->object);
	db_bind_text(s, 11, d->text);
	db_bind_text(s, 12, d->meta);
	if (d->width > 0 && d->height > 0) {
		sqlite3_bind_int(s, 13, d->width);
		sqlite3_bind_int(s, 14, d->height);
	}
	if (d->job_id > 0)
		sqlite3_bind_int64(s, 15, d->job_id);
	sqlite3_bind_int64(s, 16, now_unix());
	if (d->object == NULL) {
		if (d->root_id > 0)
			sqlite3_bind_int64(s, 17, d->root_id);
		db_bind_text(s, 18, d->image_path);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "adding a derived candidate", cause);
	}
	sqlite3_reset(s);
	*id = sqlite3_last_insert_rowid(st->db);

	if ((s = db_stmt(st, STMT_LINEAGE_ADD,
	    "INSERT INTO lineage (child, slot, parent) VALUES (?, ?, ?)", cause)) == NULL)
		return -1;
	for (int i = 0; i < d->nparents; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int(s, 2, i);
		sqlite3_bind_int64(s, 3, d->parents[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return db_fail(st, "recording lineage", cause);
		}
	}
	sqlite3_reset(s);
	return 0;
}

int
store_add_derived(struct store *st, const struct store_derived *d, int64_t *id, char **cause)
{
	int own = !st->in_tx, rc;

	if (d->nparents < 1 || d->nparents > 2 || d->text == NULL ||
	    (d->object == NULL && d->image_path == NULL))
		return cause_set(cause, "a derived candidate needs 1 or 2 parents, an image and a text");
	if (own && store_begin(st, cause) != 0)
		return -1;
	/* Under the write lock, so a row another process added since the caller looked is seen. */
	rc = store_augid_exists(st, d->aug_id, id, cause);
	if (rc == 1)
		rc = 0;
	else if (rc == 0)
		rc = insert(st, d, id, cause) == 0 ? 1 : -1;
	if (own) {
		if (rc < 0)
			store_rollback(st);
		else if (store_commit(st, cause) != 0)
			rc = -1;
	}
	return rc;
}

int
store_originals(struct store *st, int64_t **ids, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	int64_t *v = NULL;
	size_t len = 0, cap = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT id FROM candidates WHERE op = 'original' ORDER BY id",
	    -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "listing originals", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[len++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	*ids = v;
	*n = len;
	return 0;
}
