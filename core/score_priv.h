/* SPDX-License-Identifier: MIT */
/* Private to the score run (core/score.c) and its CLIP part (core/score_clip.c). */
#ifndef MMDA_SCORE_PRIV_H
#define MMDA_SCORE_PRIV_H

#include "core/metrics.h"
#include "core/score.h"

/* Lists a candidate that could not be scored; takes ownership of reason. */
void score_failed(struct score_result *res, int64_t id, char *reason);

/*
 * Computes the model-backed metrics m[0..nm) (image_text_similarity,
 * clip_score) with the clip backend of opts->mc (opts->clip names one, or the
 * role's default). Returns 0 when the run completed (failures listed in res),
 * -1 with *cause when there is no backend or the store failed.
 */
int score_clip_run(struct store *st, const struct score_opts *opts,
    const struct metric_def *const *m, size_t nm, struct score_result *res, char **cause);

#endif
