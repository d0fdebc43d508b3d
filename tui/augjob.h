/* SPDX-License-Identifier: MIT */
/*
 * Augmentation started from the review screen, run in the background on its
 * own database connection so the screen keeps answering keys; the UI polls
 * the progress and reloads the queue when the batch ends.
 */
#ifndef MMDA_AUGJOB_H
#define MMDA_AUGJOB_H

#include <stdint.h>

#include "tui/app.h"

struct augjob;

/*
 * Starts op with its settings (KEY=VALUE strings, copied) on the originals in
 * only[0..nonly) (NULL: every original). A model-backed op reads its backends
 * from config (NULL: the search order) on the job's thread. Returns NULL with
 * *cause when a batch is already running or the thread cannot start.
 */
struct augjob *augjob_start(const char *db_path, const char *config, const char *op,
    char *const *sets, size_t nsets, const int64_t *only, size_t nonly, char **cause);
/* Progress so far; returns 1 when the batch has ended (then *summary is set, borrowed). */
int augjob_poll(struct augjob *j, int64_t *done, int64_t *total, const char **summary);
/* Asks the batch to stop (any thread): no new candidate starts, requests in flight are
 * cut short; what is stored stays and a re-run finishes the rest. */
void augjob_cancel(struct augjob *j);
/* Waits for the thread (after a cancel, no longer than the cancel takes) and frees the job. */
void augjob_free(struct augjob *j);

#endif
