/* SPDX-License-Identifier: MIT */
/* Scores, labels for tuning, thresholds with history (the passing set: db/passing.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

int
store_candidate_ids(struct store *st, int64_t **ids, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t len = 0, cap = 0;
	int64_t *v = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT id FROM candidates ORDER BY id", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "listing candidates", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (len == cap)
			v = xreallocarray(v, cap = cap ? cap * 2 : 1024, sizeof *v);
		v[len++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	*ids = v;
	*n = len;
	return 0;
}

int
store_score_hash(struct store *st, int64_t candidate, const char *metric, char hex[65],
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = db_stmt(st, STMT_SCORE_HASH, "SELECT input_hash FROM scores WHERE candidate = ?"
	    " AND metric = ?", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	db_bind_text(s, 2, metric);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 0);
		snprintf(hex, 65, "%s", h ? h : "");
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(st, "reading a score", cause);
}

int
store_score_put(struct store *st, int64_t candidate, const char *metric, double value,
    const char *input_hash, char **cause)
{
	return store_score_put_model(st, candidate, metric, "", value, input_hash, cause);
}

int
store_score_put_model(struct store *st, int64_t candidate, const char *metric, const char *model,
    double value, const char *input_hash, char **cause)
{
	sqlite3_stmt *s;

	/* One value per metric: a score from another model replaces the old one. */
	s = db_stmt(st, STMT_SCORE_DROP_OTHER, "DELETE FROM scores WHERE candidate = ? AND"
	    " metric = ? AND model <> ?", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	db_bind_text(s, 2, metric);
	db_bind_text(s, 3, model);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "replacing a score", cause);
	}
	sqlite3_reset(s);
	s = db_stmt(st, STMT_SCORE_PUT, "INSERT INTO scores (candidate, metric, model, value,"
	    " input_hash, computed_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (candidate, metric,"
	    " model) DO UPDATE SET value = excluded.value, input_hash = excluded.input_hash,"
	    " computed_at = excluded.computed_at", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	db_bind_text(s, 2, metric);
	db_bind_text(s, 3, model);
	if (isfinite(value))
		sqlite3_bind_double(s, 4, value);
	db_bind_text(s, 5, input_hash);
	sqlite3_bind_int64(s, 6, now_unix());
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "storing a score", cause);
	}
	sqlite3_reset(s);
	return 0;
}

void
scores_free(struct score *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].metric);
		free(s[i].model);
	}
	free(s);
}

int
store_scores_of(struct store *st, int64_t candidate, struct score **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *s;
	struct score *v = NULL;
	size_t len = 0;

	if ((s = db_stmt(st, STMT_SCORES_OF, "SELECT metric, value, NULLIF(model, '') FROM"
	    " scores WHERE candidate = ? ORDER BY metric", cause)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	while (sqlite3_step(s) == SQLITE_ROW) {
		v = xreallocarray(v, len + 1, sizeof *v);
		v[len].metric = db_column_dup(s, 0);
		v[len].model = db_column_dup(s, 2);
		v[len++].value = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(s, 1);
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}

int
store_metric_values(struct store *st, const char *metric, int64_t **ids, double **values,
    size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t len = 0, cap = 0;
	int64_t *iv = NULL;
	double *vv = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT candidate, value FROM scores WHERE metric = ?"
	    " ORDER BY candidate", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading scores", cause);
	db_bind_text(s, 1, metric);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			iv = xreallocarray(iv, cap, sizeof *iv);
			vv = xreallocarray(vv, cap, sizeof *vv);
		}
		iv[len] = sqlite3_column_int64(s, 0);
		vv[len++] = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(s, 1);
	}
	sqlite3_finalize(s);
	*ids = iv;
	*values = vv;
	*n = len;
	return 0;
}

int
store_labels(struct store *st, int64_t **ids, signed char **labels, size_t *n, char **cause)
{
	/* Decisions in force (the latest per annotator that no retraction names: the bare
	 * answer of a max(id) group is that row's), then accept against reject. */
	static const char sql[] =
	    "SELECT candidate, sum(answer = 'accept'), sum(answer = 'reject') FROM ("
	    " SELECT d.candidate, d.answer, max(d.id)"
	    " FROM decisions d WHERE d.answer <> 'retract'"
	    "  AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id)"
	    " GROUP BY d.candidate, d.annotator)"
	    " GROUP BY candidate ORDER BY candidate";
	sqlite3_stmt *s;
	size_t len = 0, cap = 0;
	int64_t *iv = NULL;
	signed char *lv = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading decisions", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t acc = sqlite3_column_int64(s, 1), rej = sqlite3_column_int64(s, 2);
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			iv = xreallocarray(iv, cap, sizeof *iv);
			lv = xreallocarray(lv, cap, sizeof *lv);
		}
		iv[len] = sqlite3_column_int64(s, 0);
		lv[len++] = acc > rej ? 1 : rej > acc ? 0 : -1;
	}
	sqlite3_finalize(s);
	*ids = iv;
	*labels = lv;
	*n = len;
	return 0;
}

static void
bind_bound(sqlite3_stmt *s, int i, int has, double v)
{
	if (has)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* One change: the row of (metric, scope) replaced or deleted, and the history line. */
static int
threshold_change(struct store *st, const struct threshold *t, int *changed, char **cause)
{
	static const char *const sql[3] = {
		"INSERT INTO thresholds (metric, scope, min, max, enabled, changed_by, changed_at)"
		" VALUES (?1, ?7, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (metric, scope) DO UPDATE SET"
		" min = excluded.min, max = excluded.max, enabled = excluded.enabled,"
		" changed_by = excluded.changed_by, changed_at = excluded.changed_at",
		"DELETE FROM thresholds WHERE metric = ?1 AND scope = ?7",
		"INSERT INTO threshold_history (metric, scope, min, max, enabled, removed,"
		" changed_by, changed_at) VALUES (?1, ?7, ?2, ?3, ?4, ?8, ?5, ?6)",
	};
	int own = !st->in_tx;

	if (own && store_begin(st, cause) != 0)
		return -1;
	*changed = 1;
	for (int k = t->removed ? 1 : 0; k < 3; k += t->removed ? 1 : 2) {
		sqlite3_stmt *s;
		int rc;
		if (sqlite3_prepare_v2(st->db, sql[k], -1, &s, NULL) != SQLITE_OK) {
			db_fail(st, "storing a threshold", cause);
			goto fail;
		}
		db_bind_text(s, 1, t->metric);
		bind_bound(s, 2, t->has_min, t->min);
		bind_bound(s, 3, t->has_max, t->max);
		sqlite3_bind_int(s, 4, t->enabled != 0);
		db_bind_text(s, 5, t->changed_by);
		sqlite3_bind_int64(s, 6, now_unix());
		db_bind_text(s, 7, t->scope != NULL ? t->scope : "");
		sqlite3_bind_int(s, 8, t->removed != 0);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			db_fail(st, "storing a threshold", cause);
			goto fail;
		}
		/* Removing what is not there records nothing. */
		if (k == 1 && sqlite3_changes(st->db) == 0) {
			*changed = 0;
			break;
		}
	}
	return own ? store_commit(st, cause) : 0;
fail:
	if (own)
		store_rollback(st);
	return -1;
}

int
store_threshold_set(struct store *st, const struct threshold *t, char **cause)
{
	struct threshold u = *t;
	int changed;

	u.removed = 0;
	return threshold_change(st, &u, &changed, cause);
}

int
store_threshold_remove(struct store *st, const char *metric, const char *scope,
    const char *who, char **cause)
{
	struct threshold t;
	int changed;

	memset(&t, 0, sizeof t);
	t.metric = (char *)metric;
	t.scope = (char *)scope;
	t.changed_by = (char *)who;
	t.removed = 1;
	if (threshold_change(st, &t, &changed, cause) != 0)
		return -1;
	return changed;
}

void
thresholds_free(struct threshold *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].metric);
		free(t[i].scope);
		free(t[i].changed_by);
	}
	free(t);
}

int
store_thresholds(struct store *st, const char *history_of, struct threshold **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *s;
	struct threshold *v = NULL;
	size_t len = 0;
	const char *sql = history_of == NULL ?
	    "SELECT metric, min, max, enabled, changed_by, changed_at, scope, 0 FROM thresholds"
	    " ORDER BY metric, scope" :
	    "SELECT metric, min, max, enabled, changed_by, changed_at, scope, removed"
	    " FROM threshold_history WHERE metric = ? ORDER BY id";

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading thresholds", cause);
	if (history_of != NULL)
		db_bind_text(s, 1, history_of);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct threshold *t;
		v = xreallocarray(v, len + 1, sizeof *v);
		t = &v[len++];
		memset(t, 0, sizeof *t);
		t->metric = db_column_dup(s, 0);
		t->has_min = sqlite3_column_type(s, 1) != SQLITE_NULL;
		t->min = sqlite3_column_double(s, 1);
		t->has_max = sqlite3_column_type(s, 2) != SQLITE_NULL;
		t->max = sqlite3_column_double(s, 2);
		t->enabled = sqlite3_column_int(s, 3);
		t->changed_by = db_column_dup(s, 4);
		t->changed_at = sqlite3_column_int64(s, 5);
		t->scope = db_column_dup(s, 6);
		if (t->scope == NULL)
			t->scope = xstrdup("");
		t->removed = sqlite3_column_int(s, 7);
	}
	sqlite3_finalize(s);
	*out = v;
	*n = len;
	return 0;
}

char *
db_scope_cte(const struct metric_scope *defaults)
{
	/* A first row that matches nothing, so an empty table is still a table. */
	char *cte = sqlite3_mprintf("dflt(metric, ops, parent) AS (SELECT NULL, NULL, 0 WHERE 0");

	for (size_t i = 0; defaults != NULL && defaults[i].metric != NULL; i++) {
		char *next = sqlite3_mprintf("%s UNION ALL SELECT %Q, %Q, %d", cte,
		    defaults[i].metric, defaults[i].ops, defaults[i].parent != 0);
		sqlite3_free(cte);
		cte = next;
	}
	char *done = sqlite3_mprintf("%s), sth AS (SELECT t.metric, t.min, t.max, t.enabled,"
	    " CASE t.scope WHEN '' THEN coalesce(d.ops, '*') ELSE t.scope END AS ops,"
	    " coalesce(d.parent, 0) AS parent FROM thresholds t LEFT JOIN dflt d"
	    " ON d.metric = t.metric)", cte);
	sqlite3_free(cte);
	return done;
}

int
store_hashes_get(struct store *st, int64_t candidate, struct image_hashes *h, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = db_stmt(st, STMT_HASHES_GET, "SELECT ahash, dhash, phash, input_hash FROM"
	    " image_hashes WHERE candidate = ?", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		h->ahash = (uint64_t)sqlite3_column_int64(s, 0);
		h->dhash = (uint64_t)sqlite3_column_int64(s, 1);
		h->phash = (uint64_t)sqlite3_column_int64(s, 2);
		snprintf(h->input_hash, sizeof h->input_hash, "%s", sqlite3_column_text(s, 3));
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(st, "reading image hashes", cause);
}

int
store_hashes_put(struct store *st, int64_t candidate, const struct image_hashes *h,
    char **cause)
{
	sqlite3_stmt *s;

	s = db_stmt(st, STMT_HASHES_PUT, "INSERT OR REPLACE INTO image_hashes (candidate, ahash,"
	    " dhash, phash, input_hash) VALUES (?, ?, ?, ?, ?)", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	sqlite3_bind_int64(s, 2, (int64_t)h->ahash);
	sqlite3_bind_int64(s, 3, (int64_t)h->dhash);
	sqlite3_bind_int64(s, 4, (int64_t)h->phash);
	db_bind_text(s, 5, h->input_hash);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "storing image hashes", cause);
	}
	sqlite3_reset(s);
	return 0;
}

int
store_phashes(struct store *st, int64_t **ids, uint64_t **phash, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t len = 0, cap = 0;
	int64_t *iv = NULL;
	uint64_t *pv = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT candidate, phash FROM image_hashes"
	    " ORDER BY candidate", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading image hashes", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			iv = xreallocarray(iv, cap, sizeof *iv);
			pv = xreallocarray(pv, cap, sizeof *pv);
		}
		iv[len] = sqlite3_column_int64(s, 0);
		pv[len++] = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	*ids = iv;
	*phash = pv;
	*n = len;
	return 0;
}

int
store_texts(struct store *st, int64_t **ids, char ***texts, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t len = 0, cap = 0;
	int64_t *iv = NULL;
	char **tv = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT id, text FROM candidates ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return db_fail(st, "reading captions", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			iv = xreallocarray(iv, cap, sizeof *iv);
			tv = xreallocarray(tv, cap, sizeof *tv);
		}
		iv[len] = sqlite3_column_int64(s, 0);
		tv[len++] = db_column_dup(s, 1);
	}
	sqlite3_finalize(s);
	*ids = iv;
	*texts = tv;
	*n = len;
	return 0;
}

int
store_scored_metrics(struct store *st, char ***names, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	char **v = NULL;
	size_t len = 0;

	/* One index seek a metric: DISTINCT reads every score when the database was never
	 * analysed (2,000,000 scores: 170 ms against a fraction of one). */
	if (sqlite3_prepare_v2(st->db, "WITH RECURSIVE m(name) AS (SELECT min(metric) FROM scores"
	    " UNION ALL SELECT (SELECT min(metric) FROM scores WHERE metric > m.name) FROM m"
	    " WHERE m.name IS NOT NULL) SELECT name FROM m WHERE name IS NOT NULL", -1,
	    &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading metrics", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		v = xreallocarray(v, len + 1, sizeof *v);
		v[len++] = db_column_dup(s, 0);
	}
	sqlite3_finalize(s);
	*names = v;
	*n = len;
	return 0;
}

int
store_metric_model(struct store *st, const char *metric, char **model, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*model = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT model FROM scores WHERE metric = ? AND model <> ''"
	    " LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading a score's model", cause);
	db_bind_text(s, 1, metric);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*model = db_column_dup(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, "reading a score's model", cause);
	return rc == SQLITE_ROW;
}
