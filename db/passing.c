/* SPDX-License-Identifier: MIT */
/*
 * Reading scores in bulk at a million candidates: the passing set (stats, the
 * export's passing selection), and the scores nearest a cutoff (the thresholds
 * screen). Both are shaped so their cost follows what they return or one pass in
 * id order, not a query per candidate.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

/* One enabled threshold, the ops it checks resolved (db_scope_cte), and the
 * candidates whose score of its metric is in range, in id order. */
struct pass_th {
	char *metric, *ops;
	int parent, has_min, has_max;
	double min, max;
	int64_t *in;
	size_t nin, at;
	unsigned char *applies; /* per op name */
};

static void
pass_free(struct pass_th *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].metric);
		free(t[i].ops);
		free(t[i].in);
		free(t[i].applies);
	}
	free(t);
}

/* The enabled thresholds; 0, or -1 with *cause. */
static int
pass_thresholds(struct store *st, const struct metric_scope *defaults, struct pass_th **out,
    size_t *n, char **cause)
{
	char *cte = db_scope_cte(defaults);
	char *sql = sqlite3_mprintf("WITH %s SELECT metric, min, max, ops, parent FROM sth"
	    " WHERE enabled ORDER BY metric, ops", cte);
	sqlite3_stmt *s;
	int rc;

	sqlite3_free(cte);
	*out = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return db_fail(st, "selecting passing candidates", cause);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct pass_th *t = &(*out)[(*n)++];
		memset(t, 0, sizeof *t);
		t->metric = db_column_dup(s, 0);
		t->has_min = sqlite3_column_type(s, 1) != SQLITE_NULL;
		t->min = sqlite3_column_double(s, 1);
		t->has_max = sqlite3_column_type(s, 2) != SQLITE_NULL;
		t->max = sqlite3_column_double(s, 2);
		t->ops = db_column_dup(s, 3);
		t->parent = sqlite3_column_int(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		pass_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(st, "selecting passing candidates", cause);
	}
	return 0;
}

/* The candidates with a score of t's metric in t's range, in id order (SCORE_IN_RANGE). */
static int
pass_in_range(struct store *st, struct pass_th *t, char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT candidate FROM scores WHERE metric = ?1"
	    " AND value IS NOT NULL AND (?2 IS NULL OR value >= ?2) AND (?3 IS NULL OR value <= ?3)"
	    " ORDER BY candidate", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "selecting passing candidates", cause);
	db_bind_text(s, 1, t->metric);
	if (t->has_min)
		sqlite3_bind_double(s, 2, t->min);
	if (t->has_max)
		sqlite3_bind_double(s, 3, t->max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (t->nin == cap)
			t->in = xreallocarray(t->in, cap = cap ? cap * 2 : 1024, sizeof *t->in);
		t->in[t->nin++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, "selecting passing candidates", cause);
}

/* Does a threshold checking ops (a resolved scope: '*' or a comma list) check op? As
 * SCOPE_APPLIES. */
static int
scope_applies(const struct pass_th *t, const char *op)
{
	if (t->parent && strcmp(op, "original") == 0)
		return 0;
	if (strcmp(t->ops, "*") == 0)
		return 1;
	size_t n = strlen(op);
	for (const char *p = t->ops; *p != '\0';) {
		size_t k = strcspn(p, ",");
		if (k == n && strncmp(p, op, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/*
 * A candidate passes when every enabled threshold that checks it has a score of
 * it in range (db.h db_passing_over: over ops the caller has read already). Each threshold's in-range set comes from one query in id order and
 * every candidate's op from another; one merge pass decides: a million candidates
 * in a few hundred milliseconds, where a query per candidate took over a second.
 */
int
db_passing_over(struct store *st, const struct metric_scope *defaults, const int64_t *cid,
    const int *of, size_t n, char **names, size_t nnames, int64_t *passing, int64_t **ids,
    char **cause)
{
	struct pass_th *t;
	size_t nt, len = 0;
	int64_t *v = NULL;

	if (pass_thresholds(st, defaults, &t, &nt, cause) != 0)
		return -1;
	int rc = 0;
	for (size_t k = 0; k < nt && rc == 0; k++) {
		t[k].applies = xcalloc(nnames ? nnames : 1, 1);
		for (size_t o = 0; o < nnames; o++)
			t[k].applies[o] = (unsigned char)scope_applies(&t[k], names[o]);
		rc = pass_in_range(st, &t[k], cause);
	}
	if (rc == 0 && ids != NULL)
		v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int ok = 1;
		for (size_t k = 0; k < nt && ok; k++) {
			struct pass_th *h = &t[k];
			if (!h->applies[of[i]])
				continue;
			while (h->at < h->nin && h->in[h->at] < cid[i])
				h->at++;
			ok = h->at < h->nin && h->in[h->at] == cid[i];
		}
		if (ok && v != NULL)
			v[len] = cid[i];
		len += (size_t)ok;
	}
	pass_free(t, nt);
	if (rc != 0) {
		free(v);
		return -1;
	}
	*passing = (int64_t)len;
	if (ids != NULL)
		*ids = v;
	return 0;
}

int
store_passing(struct store *st, const struct metric_scope *defaults, int64_t *passing,
    int64_t **ids, char **cause)
{
	int64_t *cid;
	int *of;
	char **names;
	size_t n, nnames;

	if (store_candidate_ops(st, &cid, &of, &n, &names, &nnames, cause) != 0)
		return -1;
	int rc = db_passing_over(st, defaults, cid, of, n, names, nnames, passing, ids, cause);
	candidate_ops_free(cid, of, names, nnames);
	return rc;
}

struct near {
	int64_t id;
	double v;
};

int
store_metric_near(struct store *st, const char *metric, double cutoff, int below,
    int (*want)(void *arg, int64_t id), void *arg, int64_t *ids, double *values, int k,
    char **cause)
{
	sqlite3_stmt *s;
	struct near *got = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (sqlite3_prepare_v2(st->db, below ?
	    "SELECT candidate, value FROM scores WHERE metric = ? AND value < ? ORDER BY value DESC" :
	    "SELECT candidate, value FROM scores WHERE metric = ? AND value >= ? ORDER BY value",
	    -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading scores near a cutoff", cause);
	db_bind_text(s, 1, metric);
	sqlite3_bind_double(s, 2, cutoff);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		double v = sqlite3_column_double(s, 1);
		/* Past the k-th, only its ties: they are put in id order below. */
		if (n >= (size_t)k && v != got[k - 1].v)
			break;
		if (!want(arg, id))
			continue;
		if (n == cap)
			got = xreallocarray(got, cap = cap ? cap * 2 : 8, sizeof *got);
		got[n].id = id;
		got[n++].v = v;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(got);
		return db_fail(st, "reading scores near a cutoff", cause);
	}
	/* The index walks ties in descending id order on the way down: insertion sort, few rows. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && got[j].v == got[j - 1].v && got[j].id < got[j - 1].id; j--) {
			struct near t = got[j];
			got[j] = got[j - 1];
			got[j - 1] = t;
		}
	int m = n < (size_t)k ? (int)n : k;
	for (int i = 0; i < m; i++) {
		ids[i] = got[i].id;
		values[i] = got[i].v;
	}
	free(got);
	return m;
}
