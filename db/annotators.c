/* SPDX-License-Identifier: MIT */
/* Several annotators on one database: work leases, conflicts, and the decisions walk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

/* The decision in force per (candidate, annotator), as a CTE named cur. */
#define CUR_CTE                                                                            \
	"cur AS (SELECT candidate, annotator, answer, id FROM ("                           \
	" SELECT d.candidate, d.annotator, d.answer, d.id, row_number() OVER"              \
	"  (PARTITION BY d.candidate, d.annotator ORDER BY d.id DESC) AS rn"               \
	" FROM decisions d WHERE d.answer <> 'retract'"                                    \
	"  AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id))"            \
	" WHERE rn = 1)"

int
store_lease_next(struct store *st, const char *annotator, int overlap, int lease_seconds,
    int64_t *id, char **cause)
{
	static const char pick[] =
	    "WITH " CUR_CTE ","
	    " busy AS (SELECT candidate, count(*) AS n FROM ("
	    "  SELECT candidate, annotator FROM cur"
	    "  UNION SELECT candidate, annotator FROM leases WHERE expires_at > ?3)"
	    "  GROUP BY candidate)"
	    " SELECT c.id FROM candidates c LEFT JOIN busy b ON b.candidate = c.id"
	    " WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.candidate = c.id"
	    "   AND cur.annotator = ?1)"
	    "  AND (EXISTS (SELECT 1 FROM leases l WHERE l.candidate = c.id AND l.annotator = ?1"
	    "   AND l.expires_at > ?3) OR coalesce(b.n, 0) < ?2)"
	    " ORDER BY EXISTS (SELECT 1 FROM leases l WHERE l.candidate = c.id"
	    "   AND l.annotator = ?1 AND l.expires_at > ?3) DESC, c.id LIMIT 1";
	int64_t now = now_unix();
	sqlite3_stmt *s;
	int rc;

	if (overlap < 1)
		return cause_set(cause, "overlap must be at least 1");
	if (store_begin(st, cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, pick, -1, &s, NULL) != SQLITE_OK) {
		db_fail(st, "finding work", cause);
		store_rollback(st);
		return -1;
	}
	db_bind_text(s, 1, annotator);
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

void
conflicts_free(struct conflict *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].op);
		decisions_free(c[i].d, c[i].nd);
	}
	free(c);
}

int
store_conflicts(struct store *st, struct conflict **out, size_t *n, char **cause)
{
	static const char sql[] =
	    "WITH " CUR_CTE
	    " SELECT c.id, c.aug_id, c.op FROM candidates c JOIN cur ON cur.candidate = c.id"
	    " GROUP BY c.id HAVING sum(cur.answer = 'accept') > 0"
	    "  AND sum(cur.answer = 'reject') > 0 ORDER BY c.id";
	sqlite3_stmt *s;
	struct conflict *v = NULL;
	size_t len = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "finding conflicts", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct conflict *c;
		v = xreallocarray(v, len + 1, sizeof *v);
		c = &v[len++];
		memset(c, 0, sizeof *c);
		c->id = sqlite3_column_int64(s, 0);
		snprintf(c->aug_id, sizeof c->aug_id, "%s", sqlite3_column_text(s, 1));
		c->op = db_column_dup(s, 2);
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < len; i++)
		if (store_decisions_current(st, v[i].id, &v[i].d, &v[i].nd, cause) != 0) {
			conflicts_free(v, len);
			return -1;
		}
	*out = v;
	*n = len;
	return 0;
}

int
store_decisions_walk(struct store *st,
    void (*fn)(void *arg, int64_t candidate, const char *op, const char *annotator,
    enum answer a), void *arg, char **cause)
{
	static const char sql[] =
	    "WITH " CUR_CTE
	    " SELECT cur.candidate, c.op, cur.annotator, cur.answer FROM cur"
	    " JOIN candidates c ON c.id = cur.candidate ORDER BY cur.candidate, cur.annotator";
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading decisions", cause);
	while (sqlite3_step(s) == SQLITE_ROW) {
		enum answer a;
		if (answer_parse((const char *)sqlite3_column_text(s, 3), &a) != 0)
			continue;
		fn(arg, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), a);
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_annotator_counts(struct store *st, const char *annotator, int64_t out[ANSWER_COUNT],
    char **cause)
{
	static const char sql[] =
	    "SELECT answer, count(*) FROM ("
	    " SELECT d.candidate, d.answer, row_number() OVER"
	    "  (PARTITION BY d.candidate ORDER BY d.id DESC) AS rn"
	    " FROM decisions d WHERE d.annotator = ?1 AND d.answer <> 'retract'"
	    "  AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id))"
	    " WHERE rn = 1 GROUP BY answer";
	sqlite3_stmt *s;

	memset(out, 0, sizeof(int64_t) * ANSWER_COUNT);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "counting decisions", cause);
	db_bind_text(s, 1, annotator);
	while (sqlite3_step(s) == SQLITE_ROW) {
		enum answer a;
		if (answer_parse((const char *)sqlite3_column_text(s, 0), &a) == 0)
			out[a] = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return 0;
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

int
store_search(struct store *st, const char *needle, int64_t after, int64_t *id, char **cause)
{
	static const char sql[] =
	    "SELECT id FROM candidates WHERE instr(lower(text), lower(?1)) > 0"
	    " ORDER BY id <= ?2, id LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "searching", cause);
	db_bind_text(s, 1, needle);
	sqlite3_bind_int64(s, 2, after);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(st, "searching", cause);
}

int
store_annotator_pace(struct store *st, const char *annotator, int64_t *count, int64_t *first,
    int64_t *last, char **cause)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*), min(at), max(at) FROM decisions"
	    " WHERE annotator = ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading decisions", cause);
	db_bind_text(s, 1, annotator);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*count = sqlite3_column_int64(s, 0);
		*first = sqlite3_column_int64(s, 1);
		*last = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	return 0;
}
