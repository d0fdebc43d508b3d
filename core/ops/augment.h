/* SPDX-License-Identifier: MIT */
/*
 * Batch augmentation: runs one operator over the originals and stores each
 * result as a derived candidate with its lineage. Every candidate is named by
 * its aug_id before any work is done, so a re-run (or a run restarted after a
 * crash or SIGKILL) skips what exists and finishes the rest: no duplicate,
 * nothing lost. Each result's image is written to the object store before the
 * row that names it is committed.
 *
 * Threads: only the calling thread touches the store. Workers decode,
 * transform, encode and write object files for a chunk of candidates; the
 * caller then adds the rows in original order, so ids do not depend on
 * timing. Caption operators (WordNet keeps a read buffer) run on the caller.
 * Model-backed operators run on as many workers as their backends take
 * requests at once: the workers only wait while the HTTP engine works.
 *
 * An operator with a plan makes several candidates per original (K
 * rewrites, one per ALIA domain); each variant's key joins the params, and
 * the models of the backends the op needs join the aug_id.
 */
#ifndef MMDA_AUGMENT_H
#define MMDA_AUGMENT_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/ops/ops.h"
#include "core/store.h"

struct mclient;

struct augment_opts {
	const struct op_def *op;
	char *const *sets; /* KEY=VALUE settings */
	size_t nsets;
	int64_t seed;
	int64_t limit;     /* at most this many originals (0: all) */
	const int64_t *only; /* when set, only these originals (partners still come from all) */
	size_t nonly;
	int jobs;          /* worker threads for decoding, the op and encoding (0 or 1: none) */
	uint64_t max_pixels; /* decode limit (0: the default) */
	struct mclient *mc; /* the model client, needed by model-backed ops (else NULL) */
	/* When set (from another thread), the batch stops before its next candidate; what is
	 * stored stays, and the job is marked cancelled (a re-run finishes it). May be NULL. */
	atomic_int *cancel;
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
	struct augment_failure *filtered; /* dropped by the op's own filter, and why */
	size_t nfiltered;
	char *note;        /* what the op's plan wants the user to know, or NULL */
	/* Originals passed over as partners because their image cannot be read
	 * (another partner was drawn instead), once each, with the reason. */
	struct augment_failure *partner_skips;
	size_t npartner_skips;
	int cancelled;     /* the batch stopped early on opts->cancel */
};

/*
 * Runs the batch. Returns 0 when it ran (per-item failures are listed in
 * *res and do not stop the rest), -1 with *cause when it could not start
 * (bad parameters, an unknown partner) or the store failed.
 */
int augment_run(struct store *st, const struct augment_opts *opts, struct augment_result *res,
    char **cause);
void augment_result_free(struct augment_result *res);

struct augment_replay {
	int aug_id_match; /* the stored record re-derives the stored aug_id */
	int has_image;    /* the op made a new image */
	int image_match;  /* its bytes hash to the stored object, and the stored file holds them */
	int text_match;
	int ok;           /* all three */
};

/*
 * Regenerates a derived candidate from its stored record (parents, op,
 * version, params, seed) without writing anything, and compares. Returns 0
 * with *rep filled, or -1 with *cause when it cannot be replayed (an
 * original, an operator or version this mmda lacks, a parent image gone).
 */
int augment_replay(struct store *st, int64_t id, struct augment_replay *rep, char **cause);

#endif
