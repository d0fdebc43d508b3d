/* SPDX-License-Identifier: MIT */
/*
 * Scoring: computes the metrics of core/metrics/metrics.h for every candidate and
 * stores them. Each score carries the hash of what it was computed from (the
 * candidate's and its parent's content, the metric's version), so a re-run
 * recomputes only what changed. Duplicate groups are recomputed over the
 * whole project every run (hashing texts is cheap; image hashes are stored).
 * Decoding and computing run on worker threads; only the calling thread
 * touches the store. One bad image is reported and the rest go on.
 */
#ifndef MMDA_SCORE_H
#define MMDA_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/metrics/metrics.h"
#include "core/store.h"

struct mclient;

struct score_opts {
	const struct metric_def **metrics; /* NULL: every built-in metric, and the model-backed
	                                      ones too when mc is set */
	size_t nmetrics;
	struct mclient *mc;  /* for image_text_similarity and clip_score, else NULL */
	const char *clip;    /* the clip backend's name, or NULL for the role's default */
	int jobs;
	uint64_t max_pixels;
	void (*progress)(void *arg, int64_t done, int64_t total);
	void *arg;
};

struct score_failure {
	int64_t id;
	char *reason;
};

struct score_group {
	const char *metric; /* static: a metric_table name */
	int64_t *members;   /* candidate ids, ascending; the first is the representative */
	size_t n;
};

struct score_result {
	int64_t computed;  /* scores written */
	int64_t unchanged; /* scores whose inputs had not changed */
	int64_t skipped;   /* metrics that do not apply (a parent metric on an original) */
	struct score_failure *failed;
	size_t nfailed;
	struct score_group *groups;
	size_t ngroups;
};

/* Returns 0 when the run completed (failures listed), -1 with *cause otherwise. */
int score_run(struct store *st, const struct score_opts *opts, struct score_result *res,
    char **cause);
void score_result_free(struct score_result *res);

#endif
