/* SPDX-License-Identifier: MIT */
/*
 * The append-only decision log. A decision in force is an annotator's latest
 * accept/reject/skip on a candidate that no retraction names; undo appends a
 * retraction, so history is never rewritten.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

/* Rows that are decisions (not retractions) and have not been retracted. */
#define LIVE_DECISIONS                                                                     \
	"SELECT d.* FROM decisions d WHERE d.answer <> 'retract'"                          \
	" AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id)"

void
decision_free(struct decision *d)
{
	free(d->annotator);
	free(d->reason);
	free(d->note);
	memset(d, 0, sizeof *d);
}

void
decisions_free(struct decision *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		decision_free(&d[i]);
	free(d);
}

static int
candidate_exists(struct store *st, int64_t id, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM candidates WHERE id = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "looking up a candidate", cause);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return cause_set(cause, "no candidate %" PRId64, id);
}

static int
append(struct store *st, int64_t candidate, const char *annotator, const char *answer,
    int64_t retracts, const char *reason, const char *note, int64_t lead_ms, int64_t *id,
    char **cause)
{
	sqlite3_stmt *s;

	s = db_stmt(st, STMT_DECIDE,
	    "INSERT INTO decisions (candidate, annotator, answer, retracts, reason, note,"
	    " lead_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	db_bind_text(s, 2, annotator);
	db_bind_text(s, 3, answer);
	if (retracts > 0)
		sqlite3_bind_int64(s, 4, retracts);
	db_bind_text(s, 5, reason);
	db_bind_text(s, 6, note);
	if (lead_ms >= 0)
		sqlite3_bind_int64(s, 7, lead_ms);
	sqlite3_bind_int64(s, 8, now_unix());
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return db_fail(st, "recording a decision", cause);
	}
	sqlite3_reset(s);
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_decide(struct store *st, int64_t candidate, const char *annotator, enum answer a,
    const char *reason, const char *note, int64_t lead_ms, int64_t *decision_id, char **cause)
{
	if ((unsigned)a >= ANSWER_COUNT)
		return cause_set(cause, "invalid answer");
	if (annotator == NULL || *annotator == '\0')
		return cause_set(cause, "an annotator name is required");
	if (store_begin(st, cause) != 0)
		return -1;
	if (candidate_exists(st, candidate, cause) != 0 ||
	    append(st, candidate, annotator, answer_name(a), 0, reason, note, lead_ms,
	    decision_id, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, cause);
}

int
store_undo(struct store *st, const char *annotator, int64_t *candidate, char **cause)
{
	sqlite3_stmt *s;
	int64_t target, cand;
	int rc;

	if (store_begin(st, cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
	    "SELECT id, candidate FROM (" LIVE_DECISIONS ") WHERE annotator = ?"
	    " ORDER BY id DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK) {
		db_fail(st, "finding the decision to undo", cause);
		store_rollback(st);
		return -1;
	}
	db_bind_text(s, 1, annotator);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		store_rollback(st);
		if (rc == SQLITE_DONE)
			return 0;
		return db_fail(st, "finding the decision to undo", cause);
	}
	target = sqlite3_column_int64(s, 0);
	cand = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	if (append(st, cand, annotator, "retract", target, NULL, NULL, -1, NULL, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, cause) != 0)
		return -1;
	if (candidate != NULL)
		*candidate = cand;
	return 1;
}

int
store_decisions_current(struct store *st, int64_t candidate, struct decision **out,
    size_t *n, char **cause)
{
	sqlite3_stmt *s;
	struct decision *v = NULL;
	size_t len = 0;

	if ((s = db_stmt(st, STMT_DECISIONS_CUR,
	    "SELECT id, annotator, answer, reason, note, lead_ms, at FROM (" LIVE_DECISIONS
	    ") l WHERE candidate = ?1 AND id = (SELECT max(id) FROM (" LIVE_DECISIONS
	    ") m WHERE m.candidate = ?1 AND m.annotator = l.annotator) ORDER BY id",
	    cause)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, candidate);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct decision *d;
		v = xreallocarray(v, len + 1, sizeof *v);
		d = &v[len++];
		memset(d, 0, sizeof *d);
		d->id = sqlite3_column_int64(s, 0);
		d->candidate = candidate;
		d->annotator = db_column_dup(s, 1);
		if (answer_parse((const char *)sqlite3_column_text(s, 2), &d->answer) != 0)
			d->answer = ANSWER_SKIP;
		d->reason = db_column_dup(s, 3);
		d->note = db_column_dup(s, 4);
		d->lead_ms = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(s, 5);
		d->at = sqlite3_column_int64(s, 6);
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}
