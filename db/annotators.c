/* SPDX-License-Identifier: MIT */
/* Several annotators on one database: conflicts, the decisions walk, search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

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

int
store_annotators_in_force(struct store *st, int most, int *n, char **cause)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM (SELECT DISTINCT d.annotator"
	    " FROM decisions d WHERE d.answer <> 'retract'"
	    " AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id) LIMIT ?)", -1, &s,
	    NULL) != SQLITE_OK)
		return db_fail(st, "counting annotators", cause);
	sqlite3_bind_int(s, 1, most);
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_fail(st, "counting annotators", cause);
}
