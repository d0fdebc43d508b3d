/* SPDX-License-Identifier: MIT */
/*
 * mmda tune --learn: fits the learned filter over a project's scores and
 * decisions, cross-validates it beside the best single-metric threshold,
 * keeps it as a versioned setting and writes its probabilities as the
 * metric learned_accept (see core/metrics/learnstore.c).
 */
#ifndef MMDA_LEARNSTORE_H
#define MMDA_LEARNSTORE_H

#include <cjson/cJSON.h>

#include "core/metrics/learn.h"
#include "core/metrics/tune.h"
#include "core/store.h"

#define LEARN_METRIC "learned_accept"
#define LEARN_MAX_FOLDS 20

struct learn_opts {
	int folds;     /* k of the stratified k-fold cross-validation */
	double l2;     /* the penalty on the standardised weights */
	uint64_t seed; /* of the folds */
};

struct learn_report {
	int version;                 /* this filter's version: the previous one + 1 */
	size_t labelled, accepts;
	int k;
	double l2;
	uint64_t seed;               /* of the folds */
	struct learn_model model;    /* fitted on every label */
	char **names;                /* model.d feature names: metrics, then op=NAME */
	struct learn_cv cv;          /* the model, held out */
	double fold_f1[LEARN_MAX_FOLDS];
	char best_metric[64];        /* "" when no metric could be cut */
	int best_keep_above;
	double best_cutoff;          /* fitted on every label */
	struct learn_cv best;        /* the best single-metric threshold, held out */
	int64_t scored;              /* learned_accept values written */
};

/*
 * Runs it all. Returns 0 with *r filled (free with learn_report_free), or -1
 * with *cause (too few labels of either kind, a store error); on failure
 * nothing is written.
 */
int learn_run(struct store *st, const struct learn_opts *o, struct learn_report *r,
    char **cause);
void learn_report_free(struct learn_report *r);
/*
 * The options the stored filter was fitted with, so a refit keeps its folds
 * and penalty: 1 with *o filled when a filter is stored, 0 when there is none
 * (or it cannot be read: then there is nothing to refit either).
 */
int learn_stored_opts(struct store *st, struct learn_opts *o);
/* The report as mmda tune --learn --json prints it; the caller deletes it. */
cJSON *learn_report_json(const struct learn_report *r);

#endif
