/* SPDX-License-Identifier: MIT */
/*
 * A fork-join loop: runs fn(ctx, i) for i in [0, n) on up to `threads`
 * threads (the caller's among them) and returns when all are done. Used by
 * batches whose items are independent and touch no database; the caller
 * stores the results afterwards, in order, on its own thread.
 */
#ifndef MMDA_WORKPOOL_H
#define MMDA_WORKPOOL_H

#include <stddef.h>

#define WORKPOOL_MAX_THREADS 64

void workpool_run(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
