/* SPDX-License-Identifier: MIT */
/* Export selection: consensus over the decisions in force, and the passing set, streamed. */
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

static const char *const mode_names[] = { "gold", "accepted", "passing", "all" };

const char *
select_mode_name(enum select_mode m)
{
	return (unsigned)m < 4 ? mode_names[m] : "?";
}

int
select_mode_parse(const char *s, enum select_mode *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum select_mode)i;
			return 0;
		}
	return -1;
}

int
store_select(struct store *st, const struct select_opts *o,
    int (*fn)(void *arg, int64_t id, int auto_selected), void *arg, char **cause)
{
	char *cte = db_scope_cte(o->defaults), *sql;
	const char *rule = o->consensus ? o->consensus : "majority";
	sqlite3_stmt *s;
	int rc;

	/* One pass over candidates with their decision counts and pass/fail beside them. */
	sql = sqlite3_mprintf(
	    "WITH %s, cur AS (SELECT candidate, annotator, answer FROM ("
	    "  SELECT d.candidate, d.annotator, d.answer, row_number() OVER"
	    "   (PARTITION BY d.candidate, d.annotator ORDER BY d.id DESC) AS rn"
	    "  FROM decisions d WHERE d.answer <> 'retract'"
	    "   AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id))"
	    "  WHERE rn = 1),"
	    " agg AS (SELECT candidate, sum(answer = 'accept') AS acc, sum(answer = 'reject') AS rej,"
	    "  max(CASE WHEN annotator = ?1 THEN answer END) AS mine FROM cur GROUP BY candidate)"
	    " SELECT c.id, coalesce(a.acc, 0), coalesce(a.rej, 0), a.mine,"
	    "  NOT EXISTS (SELECT 1 FROM sth t WHERE t.enabled AND " SCOPE_APPLIES
	    "   AND NOT " SCORE_IN_RANGE "),"
	    "  a.candidate IS NULL"
	    " FROM candidates c LEFT JOIN agg a ON a.candidate = c.id ORDER BY c.id", cte);
	sqlite3_free(cte);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return db_fail(st, "selecting candidates", cause);
	db_bind_text(s, 1, rule);
	int stop = 0;
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int64_t acc = sqlite3_column_int64(s, 1), rej = sqlite3_column_int64(s, 2);
		const char *mine = (const char *)sqlite3_column_text(s, 3);
		int passes = sqlite3_column_int(s, 4), undecided = sqlite3_column_int(s, 5);
		int take = 0, autosel = 0;

		switch (o->mode) {
		case SELECT_ALL:
			take = 1;
			break;
		case SELECT_PASSING:
			take = passes;
			break;
		case SELECT_ACCEPTED:
			take = acc > 0;
			break;
		case SELECT_GOLD:
			if (strcmp(rule, "majority") == 0)
				take = acc > rej;
			else if (strcmp(rule, "all") == 0)
				take = acc > 0 && rej == 0;
			else if (strcmp(rule, "any") == 0)
				take = acc > 0;
			else
				take = mine != NULL && strcmp(mine, "accept") == 0;
			if (!take && o->fill_passing && undecided && passes)
				take = autosel = 1;
			break;
		}
		stop = take ? fn(arg, id, autosel) : 0;
	}
	if (stop == 0 && rc != SQLITE_DONE) {
		db_fail(st, "selecting candidates", cause);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return stop;
}
