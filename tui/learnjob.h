/* SPDX-License-Identifier: MIT */
/*
 * The learned filter refits itself while people review: every
 * LEARNJOB_EVERY decisions of the session, when mmda tune --learn has kept
 * a filter, it is fitted again on its own thread and connection with the
 * same folds and penalty, so the uncertain queue follows what was learned
 * without the screen waiting for it.
 */
#ifndef MMDA_LEARNJOB_H
#define MMDA_LEARNJOB_H

#include <stddef.h>

#define LEARNJOB_EVERY 10

struct learnjob;

/* Starts the refit thread on db_path; NULL with *cause (caller frees) when it cannot. */
struct learnjob *learnjob_start(const char *db_path, char **cause);
/* A decision (or an undo) was recorded: counts it, and wakes the thread every
 * LEARNJOB_EVERY of them. Never blocks on the store. */
void learnjob_decided(struct learnjob *j);
/* 1 when a refit ended since the last call, with its one-line summary copied to buf;
 * 0 when none did. */
int learnjob_poll(struct learnjob *j, char *buf, size_t len);
/* 1 while a refit is due or running (scripts wait on it). */
int learnjob_busy(struct learnjob *j);
/* Stops the thread (a refit under way is finished first, so the store stays whole),
 * closes its connection and frees; NULL is allowed. */
void learnjob_free(struct learnjob *j);

#endif
