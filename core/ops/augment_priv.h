/* SPDX-License-Identifier: MIT */
/* Private to the augment batch (core/ops/augment.c) and replay (core/ops/replay.c). */
#ifndef MMDA_AUGMENT_PRIV_H
#define MMDA_AUGMENT_PRIV_H

#include "core/ops/augment.h"
#include "core/base/sha256.h"

struct wordnet;

struct task {
	int64_t origin;      /* the original it is made from */
	int variant;         /* which of the plan's variants */
	struct candidate c[2];
	char aug_id[SHA256_HEX_LEN + 1];
	int skip;            /* exists already, or failed while preparing */
	int undone;          /* a cancel stopped it: not done, a re-run does it */
	/* Filled by compute(). */
	char hex[SHA256_HEX_LEN + 1];
	int has_image, width, height;
	size_t bytes;        /* of the object file */
	struct op_output out;
	char *why;           /* the item failed */
	char *fatal;         /* the object store failed */
};

struct batch {
	struct store *st;
	const struct augment_opts *opts;
	struct op_args args;
	char *canonical;
	int64_t *originals;
	size_t noriginals;
	int64_t partner; /* a named partner, or 0 */
	char **imgkey;   /* per original, what its image is (content SHA-256), filled lazily */
	char **unreadable; /* per original, why its image cannot be a partner (or NULL) */
	struct wordnet *wn;
	int64_t job;     /* the jobs row of this batch */
	int dry;         /* replay: hash the result, write nothing */
	struct op_plan plan;
	char **vparams;  /* per variant: the canonical params with the variant's key */
	char *model;     /* "role=model,..." of the backends the op needs, or NULL */
	int threads;
	struct augment_result *res;
	/* The chunk being computed by workers. */
	struct task *tasks;
	size_t ntasks;
	int64_t settled; /* tasks that came to an end (stored, existing, failed...): jobs.done */
};

/* Any thread: decode, transform, encode and store the image file (or, when b->dry, only
 * hash it). Touches no database; failures are left in t->why and t->fatal. */
void augment_compute(struct batch *b, struct task *t);
/*
 * Main thread: the seeded partner of original i for a two-parent op, never
 * i itself, an original showing the same image, nor one whose image cannot
 * be read, drawn from a stream
 * named by the op and the original's aug_id. Returns the named partner if
 * there is one, or 0 when no original qualifies.
 */
int64_t augment_pick_partner(struct batch *b, size_t i, const char *aug_id);
/*
 * What original i's image is: its object's hex, or the SHA-256 of its file;
 * "" when it cannot be read. Owned by b (freed with b->imgkey); never NULL.
 */
const char *augment_image_key(struct batch *b, size_t i);
/* Whether candidate c shows the image of original i: 1 yes, 0 no. */
int augment_same_image(struct batch *b, size_t i, const struct candidate *c);
/* Frees what a task holds and zeroes it. */
void augment_task_free(struct task *t);

#endif
