/* SPDX-License-Identifier: MIT */
/*
 * The bridge between the store and the tuning index: one metric's scores
 * with the human labels (majority of accept against reject; candidates
 * without a decision are undecided). mmda tune and the thresholds screen both
 * build their index here, once, and then move cutoffs in memory.
 */
#ifndef MMDA_TUNESTORE_H
#define MMDA_TUNESTORE_H

#include "core/store.h"
#include "core/metrics/tune.h"

/* Returns a new index (free with tune_free), or NULL with *cause. */
struct tune_index *tune_build_metric(struct store *st, const char *metric, char **cause);
/* The same over the candidates a threshold of metric with this scope checks
 * (metric_in_scope); NULL scope: every candidate. */
struct tune_index *tune_build_scoped(struct store *st, const char *metric, const char *scope,
    char **cause);

/* The candidates a threshold of metric with this scope checks that have a score
 * of it, in id order: 0 with *ids (caller frees; *n may be 0), or -1 with *cause. */
int tune_scope_ids(struct store *st, const char *metric, const char *scope, int64_t **ids,
    size_t *n, char **cause);

/*
 * What every index of a screen shares: the labels and, with_ops, every candidate's
 * op. Loading them once lets the thresholds screen build an index per metric and
 * scope without reading the decisions and a million ops again for each (a second a
 * build at 1M candidates). tune_shared_load returns it (free with tune_shared_free),
 * or NULL with *cause. The _shared builds are the ones above over it; one with a
 * scope needs with_ops, else it fails with *cause. tune_scope_ids_shared also builds
 * the scope's index from the same read when idx is not NULL (*idx: free with
 * tune_free; NULL on failure).
 */
struct tune_shared;
struct tune_shared *tune_shared_load(struct store *st, int with_ops, char **cause);
void tune_shared_free(struct tune_shared *sh);
struct tune_index *tune_build_shared(struct store *st, const struct tune_shared *sh,
    const char *metric, const char *scope, char **cause);
int tune_scope_ids_shared(struct store *st, const struct tune_shared *sh, const char *metric,
    const char *scope, int64_t **ids, size_t *n, struct tune_index **idx, char **cause);

/* One op's candidates scored by a metric. */
struct tune_op {
	char *op;
	struct tune_index *idx;
};
/*
 * One index per op that has scores of metric, sorted by op name: 0 with *out
 * (free with tune_ops_free; *n may be 0), or -1 with *cause.
 */
int tune_build_per_op(struct store *st, const char *metric, struct tune_op **out, size_t *n,
    char **cause);
void tune_ops_free(struct tune_op *v, size_t n);

/* One skill's T-SciQ mixing choice. */
struct mix_choice {
	char *skill;
	size_t problems;          /* problems with reviewed rationales of both modes */
	size_t cot_errors, pcot_errors; /* rejected rationales among those problems */
	const char *choice;       /* "cot", "pcot", or NULL when no problem was paired */
};

/* The setting the choices are kept in: {"skill": "cot"|"pcot", ...}. */
#define MIX_RATIONALES_SETTING "rationale.mix"

/*
 * T-SciQ's mixing policy over reviewed rationales: the validation split is
 * the problems that have a decided rationale of each mode; per skill, CoT is
 * chosen when PCoT makes more errors (rejections) there or CoT makes none,
 * else PCoT. Keeps the choices in MIX_RATIONALES_SETTING (only when at least
 * one skill has one). Returns 0 with *out (n entries sorted by skill; free
 * with mix_choices_free), or -1 with *cause.
 */
int tune_mix_rationales(struct store *st, struct mix_choice **out, size_t *n, char **cause);
void mix_choices_free(struct mix_choice *c, size_t n);

#endif
