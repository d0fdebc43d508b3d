/* SPDX-License-Identifier: MIT */
/*
 * Review queues: which candidates a review session goes through and in what
 * order (QUEUE_ORDER in db.h), which ones an annotator has already decided
 * (so the screen can count what is left in any queue), and handing work out
 * by leases when several annotators share a database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/base/util.h"
#include "db/db.h"

/* Reads the single integer column of s into a growing array. */
static int
collect(struct store *st, sqlite3_stmt *s, const char *what, int64_t **ids, size_t *n,
    char **cause)
{
	size_t len = 0, cap = 0;
	int64_t *v = NULL;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap)
			v = xreallocarray(v, cap = cap ? cap * 2 : 1024, sizeof *v);
		v[len++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_fail(st, what, cause);
	}
	*ids = v != NULL ? v : xcalloc(1, sizeof *v);
	*n = len;
	return 0;
}

/*
 * Undecided candidates, least certain first: the learned filter's distance
 * from 0.5, else the nearest enabled threshold's distance over its metric's
 * range (1 + that, so a learned score always comes first), else last.
 */
static const char uncertain_sql[] =
    "WITH %s, " CUR_CTE ","
    " th AS (SELECT t.metric, t.ops, t.parent, coalesce(t.min, t.max) AS cut FROM sth t"
    "   WHERE t.enabled AND coalesce(t.min, t.max) IS NOT NULL),"
    " span AS (SELECT s.metric, max(s.value) - min(s.value) AS r FROM scores s"
    "   WHERE s.metric IN (SELECT metric FROM th) GROUP BY s.metric),"
    " near AS (SELECT s.candidate, min(abs(s.value - t.cut) / span.r) AS u FROM scores s"
    "   JOIN th t ON t.metric = s.metric JOIN span ON span.metric = s.metric"
    "   JOIN candidates c ON c.id = s.candidate"
    "   WHERE span.r > 0 AND " SCOPE_APPLIES " GROUP BY s.candidate),"
    " learned AS (SELECT candidate, abs(value - 0.5) AS u FROM scores"
    "   WHERE metric = 'learned_accept')"
    " SELECT c.id FROM candidates c"
    " LEFT JOIN learned l ON l.candidate = c.id LEFT JOIN near n ON n.candidate = c.id"
    " WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.candidate = c.id AND cur.annotator = ?1)"
    " ORDER BY coalesce(l.u, 1 + n.u, 3), c.id";

/* Every QUEUE_RANDOM_SHARE-th place goes to a candidate drawn from the rest. */
static void
mix_random(int64_t *ids, size_t n, uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed);
	for (size_t i = QUEUE_RANDOM_SHARE - 1; i + 1 < n; i += QUEUE_RANDOM_SHARE) {
		size_t j = i + (size_t)rng_below(&r, n - i);
		int64_t t = ids[j];
		/* Shift, do not swap: the ones passed over keep their order. */
		memmove(ids + i + 1, ids + i, (j - i) * sizeof *ids);
		ids[i] = t;
	}
}

int
store_queue(struct store *st, const struct queue_spec *q, int64_t **ids, size_t *n,
    char **cause)
{
	static const char base[] =
	    "WITH " CUR_CTE
	    " SELECT c.id FROM candidates c LEFT JOIN lineage q ON q.child = c.id AND q.slot = 0";
	const char *where;
	sqlite3_stmt *s;

	if (q->kind == QUEUE_UNCERTAIN) {
		/* Only a threshold that checks a candidate says how near its cutoff it is. */
		char *cte = db_scope_cte(q->defaults);
		char *sql = sqlite3_mprintf(uncertain_sql, cte);
		int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
		sqlite3_free(cte);
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			return db_fail(st, "listing the queue", cause);
		db_bind_text(s, 1, q->annotator != NULL ? q->annotator : "");
		if (collect(st, s, "listing the queue", ids, n, cause) != 0)
			return -1;
		mix_random(*ids, *n, q->seed);
		return 0;
	}
	switch (q->kind) {
	case QUEUE_DEFAULT:
		where = "";
		break;
	case QUEUE_ORIGINALS:
		where = " WHERE q.parent IS NULL";
		break;
	case QUEUE_UNDECIDED:
		where = " WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.candidate = c.id"
		    " AND cur.annotator = ?1)";
		break;
	case QUEUE_CONFLICTS:
		where = " WHERE c.id IN (SELECT candidate FROM cur GROUP BY candidate"
		    " HAVING sum(answer = 'accept') > 0 AND sum(answer = 'reject') > 0)";
		break;
	case QUEUE_OP:
		where = " WHERE c.op = ?2";
		break;
	case QUEUE_AUDIT: {
		static const char audit_sql[] =
		    "SELECT c.id FROM json_each((SELECT value FROM meta WHERE key = 'mmda.audit'),"
		    " '$.ids') j JOIN candidates c ON c.id = j.value ORDER BY j.key";
		if (sqlite3_prepare_v2(st->db, audit_sql, -1, &s, NULL) != SQLITE_OK)
			return db_fail(st, "listing the audit sample", cause);
		return collect(st, s, "listing the audit sample", ids, n, cause);
	}
	default:
		return cause_set(cause, "unknown queue %d", (int)q->kind);
	}
	char *sql = xasprintf("%s%s ORDER BY " QUEUE_ORDER, base, where);
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return db_fail(st, "listing the queue", cause);
	if (q->kind == QUEUE_UNDECIDED)
		db_bind_text(s, 1, q->annotator != NULL ? q->annotator : "");
	if (q->kind == QUEUE_OP)
		db_bind_text(s, 2, q->op != NULL ? q->op : "");
	return collect(st, s, "listing the queue", ids, n, cause);
}

int
store_decided_ids(struct store *st, const char *annotator, int64_t **ids, size_t *n,
    char **cause)
{
	static const char sql[] =
	    "WITH " CUR_CTE " SELECT candidate FROM cur WHERE annotator = ?1 ORDER BY candidate";
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "listing decisions", cause);
	db_bind_text(s, 1, annotator);
	return collect(st, s, "listing decisions", ids, n, cause);
}

int
store_first_undecided(struct store *st, const char *annotator, int64_t *id, char **cause)
{
	static const char sql[] =
	    "WITH " CUR_CTE
	    " SELECT c.id FROM candidates c WHERE NOT EXISTS (SELECT 1 FROM cur"
	    "  WHERE cur.candidate = c.id AND cur.annotator = ?1) ORDER BY c.id LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "finding work", cause);
	db_bind_text(s, 1, annotator);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(st, "finding work", cause);
}

/* Leases the first free candidate: in review order, or in the order of the
 * JSON array of ids `order` (NULL: every candidate). */
static int
lease(struct store *st, const char *annotator, int overlap, int lease_seconds,
    const char *order, int64_t *id, char **cause)
{
	static const char head[] =
	    "WITH " CUR_CTE ","
	    " busy AS (SELECT candidate, count(*) AS n FROM ("
	    "  SELECT candidate, annotator FROM cur"
	    "  UNION SELECT candidate, annotator FROM leases WHERE expires_at > ?3)"
	    "  GROUP BY candidate)"
	    " SELECT c.id FROM %s LEFT JOIN busy b ON b.candidate = c.id"
	    " LEFT JOIN lineage q ON q.child = c.id AND q.slot = 0"
	    " WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.candidate = c.id"
	    "   AND cur.annotator = ?1)"
	    "  AND (EXISTS (SELECT 1 FROM leases l WHERE l.candidate = c.id AND l.annotator = ?1"
	    "   AND l.expires_at > ?3) OR coalesce(b.n, 0) < ?2)"
	    " ORDER BY EXISTS (SELECT 1 FROM leases l WHERE l.candidate = c.id"
	    "   AND l.annotator = ?1 AND l.expires_at > ?3) DESC, %s LIMIT 1";
	int64_t now = now_unix();
	sqlite3_stmt *s;
	int rc;

	if (overlap < 1)
		return cause_set(cause, "overlap must be at least 1");
	char *pick = xasprintf(head, order != NULL ? "json_each(?4) j JOIN candidates c ON c.id"
	    " = j.value" : "candidates c", order != NULL ? "j.key" : QUEUE_ORDER);
	if (store_begin(st, cause) != 0) {
		free(pick);
		return -1;
	}
	rc = sqlite3_prepare_v2(st->db, pick, -1, &s, NULL);
	free(pick);
	if (rc != SQLITE_OK) {
		db_fail(st, "finding work", cause);
		store_rollback(st);
		return -1;
	}
	db_bind_text(s, 1, annotator);
	if (order != NULL)
		db_bind_text(s, 4, order);
	sqlite3_bind_int(s, 2, overlap);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		store_rollback(st);
		if (rc == SQLITE_DONE)
			return 0;
		return db_fail(st, "finding work", cause);
	}
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO leases (candidate, annotator,"
	    " expires_at) VALUES (?, ?, ?)", -1, &s, NULL) != SQLITE_OK) {
		db_fail(st, "leasing", cause);
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, *id);
	db_bind_text(s, 2, annotator);
	sqlite3_bind_int64(s, 3, now + lease_seconds);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		db_fail(st, "leasing", cause);
		store_rollback(st);
		return -1;
	}
	/* Expired leases are dead weight; dropping them here keeps the table small. */
	sqlite3_prepare_v2(st->db, "DELETE FROM leases WHERE expires_at <= ?", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_step(s);
	sqlite3_finalize(s);
	return store_commit(st, cause) == 0 ? 1 : -1;
}

int
store_lease_next(struct store *st, const char *annotator, int overlap, int lease_seconds,
    int64_t *id, char **cause)
{
	return lease(st, annotator, overlap, lease_seconds, NULL, id, cause);
}

int
store_lease_next_in(struct store *st, const struct queue_spec *q, const char *annotator,
    int overlap, int lease_seconds, int64_t *id, char **cause)
{
	struct queue_spec spec = *q;
	int64_t *ids;
	size_t n, o = 0;

	spec.annotator = annotator;
	if (store_queue(st, &spec, &ids, &n, cause) != 0)
		return -1;
	char *order = xmalloc(n * 21 + 3);
	order[o++] = '[';
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(order + o, "%s%lld", i ? "," : "", (long long)ids[i]);
	order[o++] = ']';
	order[o] = '\0';
	free(ids);
	int rc = lease(st, annotator, overlap, lease_seconds, order, id, cause);
	free(order);
	return rc;
}

int
store_search(struct store *st, const char *needle, int64_t **ids, size_t *n, char **cause)
{
	static const char sql[] =
	    "SELECT id FROM candidates WHERE instr(lower(text), lower(?1)) > 0 ORDER BY id";
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "searching", cause);
	db_bind_text(s, 1, needle);
	return collect(st, s, "searching", ids, n, cause);
}
