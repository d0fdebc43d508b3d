/* SPDX-License-Identifier: MIT */
/* Private to the score run (core/metrics/score.c) and its CLIP part (core/metrics/score_clip.c). */
#ifndef MMDA_SCORE_PRIV_H
#define MMDA_SCORE_PRIV_H

#include "core/metrics/metrics.h"
#include "core/metrics/score.h"
#include "core/base/util.h"

/*
 * Lists a candidate that could not be scored; takes ownership of reason.
 * Inline here so that score.c and score_clip.c share it without calling
 * into each other (score.c runs score_clip_run; nothing runs back).
 */
static inline void
score_failed(struct score_result *res, int64_t id, char *reason)
{
	res->failed = xreallocarray(res->failed, res->nfailed + 1, sizeof *res->failed);
	res->failed[res->nfailed].id = id;
	res->failed[res->nfailed++].reason = reason;
}

/*
 * Computes the model-backed metrics m[0..nm) (image_text_similarity,
 * clip_score) with the clip backend of opts->mc (opts->clip names one, or the
 * role's default). Returns 0 when the run completed (failures listed in res),
 * -1 with *cause when there is no backend or the store failed.
 */
int score_clip_run(struct store *st, const struct score_opts *opts,
    const struct metric_def *const *m, size_t nm, struct score_result *res, char **cause);

#endif
