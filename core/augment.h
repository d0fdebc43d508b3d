/* SPDX-License-Identifier: MIT */
/*
 * Batch augmentation: runs one operator over the originals and stores each
 * result as a derived candidate with its lineage. Every candidate is named by
 * its aug_id before any work is done, so a re-run (or a run restarted after a
 * crash or SIGKILL) skips what exists and finishes the rest: no duplicate,
 * nothing lost. Each result's image is written to the object store before the
 * row that names it is committed.
 */
#ifndef MMDA_AUGMENT_H
#define MMDA_AUGMENT_H

#include <stdint.h>

#include "core/ops.h"
#include "core/store.h"

struct augment_opts {
	const struct op_def *op;
	char *const *sets; /* KEY=VALUE settings */
	size_t nsets;
	int64_t seed;
	int64_t limit;     /* at most this many originals (0: all) */
	uint64_t max_pixels; /* decode limit (0: the default) */
	/* Called after each original (may be NULL). */
	void (*progress)(void *arg, int64_t done, int64_t total);
	void *arg;
};

struct augment_failure {
	int64_t id;   /* the original it was made from */
	char *reason;
};

struct augment_result {
	int64_t *created;
	size_t ncreated;
	int64_t existing;
	int64_t unchanged; /* the op could not apply; nothing stored */
	struct augment_failure *failed;
	size_t nfailed;
};

/*
 * Runs the batch. Returns 0 when it ran (per-item failures are listed in
 * *res and do not stop the rest), -1 with *cause when it could not start
 * (bad parameters, an unknown partner) or the store failed.
 */
int augment_run(struct store *st, const struct augment_opts *opts, struct augment_result *res,
    char **cause);
void augment_result_free(struct augment_result *res);

#endif
