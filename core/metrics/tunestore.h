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

#endif
