/* SPDX-License-Identifier: MIT */
/*
 * Private to db/: the struct behind the store, its cache of prepared statements and
 * the helpers the files of db/ share. Nothing outside db/ includes this.
 */
#ifndef MMDA_DB_H
#define MMDA_DB_H

#include <sqlite3.h>

#include "core/store.h"

/* Statements kept prepared for the life of the store, one slot each. */
enum db_stmt {
	STMT_ROOT_GET,
	STMT_ROOT_ADD,
	STMT_ORIG_BY_AUGID,
	STMT_ORIG_BY_KEY,
	STMT_ORIG_ADD,
	STMT_SOURCE_ADD,
	STMT_DERIVED_ADD,
	STMT_LINEAGE_ADD,
	STMT_SCORE_HASH,
	STMT_SCORE_PUT,
	STMT_SCORE_DROP_OTHER,
	STMT_HASHES_GET,
	STMT_HASHES_PUT,
	STMT_OBJECT_ADD,
	STMT_DECIDE,
	STMT_ORIG_IMAGE,
	STMT_ORIG_SAME,
	STMT_ORIG_CONTENT,
	STMT_ORIG_SOURCE_ADD,
	STMT_CAND_GET,
	STMT_CAND_PARENTS,
	STMT_DECISIONS_CUR,
	STMT_SCORES_OF,
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	char *objects;
	int in_tx;
	sqlite3_stmt *stmt[STMT_COUNT];
};

/* Returns the cached statement for slot, preparing sql the first time and
 * resetting it otherwise. NULL with *cause when sql does not compile. */
sqlite3_stmt *db_stmt(struct store *st, enum db_stmt slot, const char *sql, char **cause);
/* Sets *cause to "what: sqlite's message" and returns -1. */
int db_fail(struct store *st, const char *what, char **cause);
/* Runs SQL with no result rows; -1 with *cause on error. */
int db_exec(struct store *st, const char *sql, char **cause);
/* Binds a string or NULL. */
int db_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Copies a column's text, or NULL when it is NULL. */
char *db_column_dup(sqlite3_stmt *s, int i);

/* The decisions in force, as a CTE named cur(candidate, annotator, answer, id):
 * each annotator's latest decision on a candidate that no retraction names. */
#define CUR_CTE                                                                            \
	"cur AS (SELECT candidate, annotator, answer, id FROM ("                           \
	" SELECT d.candidate, d.annotator, d.answer, d.id, row_number() OVER"              \
	"  (PARTITION BY d.candidate, d.annotator ORDER BY d.id DESC) AS rn"               \
	" FROM decisions d WHERE d.answer <> 'retract'"                                    \
	"  AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id))"            \
	" WHERE rn = 1)"

/*
 * The review order (store_queue, store_lease_next): a derived candidate comes
 * with its siblings, after its first parent's earlier ones, so the ORIGINAL
 * pane stays while a curator goes through what was made from it; originals
 * themselves come last. Needs "candidates c LEFT JOIN lineage q ON q.child =
 * c.id AND q.slot = 0" in the query.
 */
#define QUEUE_ORDER "(q.parent IS NULL), coalesce(q.parent, c.id), c.id"

/*
 * Threshold scopes in SQL (db/scores.c). db_scope_cte returns two CTEs
 * (sqlite3_mprintf'd: free with sqlite3_free): dflt(metric, ops, parent),
 * the default scopes (NULL defaults give none), and sth(metric, min, max,
 * enabled, ops, parent), every threshold with the ops it checks resolved
 * once, so the test per candidate is one instr(). SCOPE_APPLIES is true when
 * threshold "sth t" checks "candidates c".
 */
char *db_scope_cte(const struct metric_scope *defaults);
#define SCOPE_APPLIES                                                                      \
	"(NOT (c.op = 'original' AND t.parent)"                                            \
	" AND (t.ops = '*' OR instr(',' || t.ops || ',', ',' || c.op || ',') > 0))"
/*
 * True when candidate c has a score of t's metric within t's bounds. The
 * unary + keeps SQLite off the scores_metric index, whose range on value it
 * otherwise prefers: a range scan per candidate is quadratic (100 s for
 * 66,000 candidates), the primary key (candidate, metric) one look-up.
 */
#define SCORE_IN_RANGE                                                                     \
	"EXISTS (SELECT 1 FROM scores s WHERE s.candidate = c.id AND s.metric = t.metric"  \
	" AND +s.value IS NOT NULL AND (t.min IS NULL OR +s.value >= t.min)"               \
	" AND (t.max IS NULL OR +s.value <= t.max))"

/*
 * store_passing over every candidate's op as store_candidate_ops gives them (cid in
 * id order, of[i] an index into names), for a caller that has read them for its own
 * counts (store_stats). 0 with *passing (and *ids, caller frees, when ids is not
 * NULL), or -1 with *cause; the arrays stay the caller's.
 */
int db_passing_over(struct store *st, const struct metric_scope *defaults, const int64_t *cid,
    const int *of, size_t n, char **names, size_t nnames, int64_t *passing, int64_t **ids,
    char **cause);

/* Schema (db/schema.c): brings the database to the latest version. */
int db_migrate(struct store *st, char **cause);
int db_schema_latest(void);

#endif
