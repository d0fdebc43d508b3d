/* SPDX-License-Identifier: MIT */
/*
 * The operator registry: one table of every augmentation mmda can run, with
 * each operator's version, kind, parents and typed parameters (range,
 * default, help). `mmda ops`, `mmda augment`, the help and the review
 * screen's augment form all read this table, so an operator exists in one
 * place. Parameters are canonicalised (every parameter present, defaults
 * filled, keys in table order, numbers in one spelling) before they are hashed
 * into an aug_id, so equal settings always give equal ids.
 */
#ifndef MMDA_OPS_H
#define MMDA_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "core/image/image.h"
#include "core/base/rng.h"

struct wordnet;

enum op_kind {
	OP_IMAGE, /* changes the image; the caption is kept or adjusted */
	OP_TEXT,  /* changes the caption; the image is kept */
	OP_PAIR,  /* combines two pairs (image and caption) */
};

/*
 * What an op does to a pair, finer than its kind: the unit a threshold's
 * default scope is made of, because a metric means something for some ops
 * only (SSIM against the parent says nothing about a mirrored image). The
 * imported pairs are a class of their own.
 */
enum op_class {
	OP_CLASS_ORIGINAL,    /* the op "original": an imported pair */
	OP_CLASS_GEOMETRIC,   /* pixels move (flip, rotation, crop) */
	OP_CLASS_PHOTOMETRIC, /* pixels stay in place, their values change */
	OP_CLASS_GENERATIVE,  /* a model paints or edits the image */
	OP_CLASS_CAPTION,     /* the caption is rewritten, the image kept */
	OP_CLASS_MIX,         /* two pairs are combined */
	OP_CLASS_COUNT
};
struct op_class_def {
	const char *name;
	const char *summary;
};
/* The classes, indexed by enum op_class. */
extern const struct op_class_def op_class_table[OP_CLASS_COUNT];
/* The class of the op named name ("original" included), or -1 for an unknown name. */
int op_class_of(const char *name);
/* The class named name, or -1. */
int op_class_find(const char *name);

enum param_type {
	PARAM_INT,
	PARAM_FLOAT,
	PARAM_ENUM, /* one of the '|'-separated choices */
	PARAM_BOOL,
	PARAM_ID,   /* a candidate (numeric id, aug_id prefix or key); empty = none */
	PARAM_WORDS, /* a comma-separated list of words; empty = none */
	PARAM_TEXT,  /* free text (a prompt, a file path); empty = none */
	PARAM_BACKEND, /* a backend name from the config; empty = the role's default. Kept out
	                  of the canonical params: local names must not change an aug_id */
};

struct op_param {
	const char *name;
	enum param_type type;
	double min, max;     /* INT and FLOAT */
	const char *def;     /* default, as typed on the command line */
	const char *choices; /* ENUM: "concat|dominant" */
	const char *help;
};

#define OP_MAX_PARAMS 20
/* Operators in the table at most (the review screen keeps typed values per op and param). */
#define OP_TABLE_MAX 48

/* Parameter values after parsing: numbers in num, ENUM/ID text in str. */
struct op_args {
	double num[OP_MAX_PARAMS];
	char *str[OP_MAX_PARAMS];
};

struct mclient;
struct store;

struct op_input {
	const struct image *img[2]; /* parent images (img[1] for PAIR ops) */
	const char *text[2];        /* parent captions */
	const char *meta[2];        /* parent meta JSON (COCO ids, boxes), or NULL */
	int width[2], height[2];    /* the parents' image sizes (0 when unknown) */
	struct rng *rng;            /* the candidate's own stream */
	int64_t seed;               /* the candidate's seed (model ops send it to the server) */
	struct wordnet *wn;         /* open when the op's needs_wordnet is set */
	struct mclient *mc;         /* the model client when the op's needs_backend is set */
	int variant;                /* which of the op's plan variants this candidate is */
	void *plan;                 /* the op's plan state (see op_def.plan), or NULL */
};

struct op_output {
	struct image img;  /* the new image; OP_TEXT ops leave it empty (the parent's is kept) */
	char *text;        /* the new caption (malloc'd) */
	char *extra;       /* JSON object of values the op drew (a box, a lambda), or NULL */
	int unchanged;     /* 1 when the op could not apply (e.g. no word to swap) */
	/* Model-backed ops: lineage (malloc'd, or NULL). */
	char *backend;     /* the backend names used, "llm=a,image=b" */
	char *model;       /* the model(s) used */
	char *prompt;      /* the prompt sent (the last one, for multi-step ops) */
	char *response_id; /* the reply's id, or NULL */
	char *meta;        /* JSON object stored with the candidate (conversations, negative), or NULL */
	char *filtered;    /* set when the op's own filter dropped the result: why (nothing stored) */
};

/* What an op's plan hook sees: once per batch, before any candidate is made. */
struct op_plan_in {
	struct mclient *mc;
	struct store *st;
	const int64_t *originals;
	size_t noriginals;
	int64_t seed;
	uint64_t max_pixels;
};

/* A plan: how many candidates each original yields, and what tells them apart. */
struct op_plan {
	int nvariants;
	char **variants;   /* per variant, a JSON object merged into the params and hashed into
	                      the aug_id ({"sample":2}, {"domain":"..."}); malloc'd */
	void *state;       /* handed to apply as op_input.plan */
	void (*state_free)(void *state);
	char *note;        /* a line to show the user (e.g. where ALIA's domains were stored) */
};
/* Frees a plan's variants, note and state. */
void op_plan_free(struct op_plan *p);

#define OP_NEEDS_PIXELS 0x01 /* load the parent's pixels even for an OP_TEXT op (captioning) */
/* Draws no random numbers: the seed is not part of its aug_id, so another --seed adds nothing. */
#define OP_UNSEEDED 0x02
/* Runs over every candidate, derived ones included, not only the originals; the op itself
 * reports the ones it cannot use as unchanged (rationale: those without a problem). */
#define OP_ANY_PARENT 0x04
/* Uses a model only for some settings (code-switch's LLM fallback): augment opens the model
 * client when --config names a file, and the op says so when it needs one it lacks. */
#define OP_BACKEND_OPTIONAL 0x08

struct op_def {
	const char *name;
	int version;
	enum op_kind kind;
	int nparents;
	int needs_backend;  /* bitmask of 1 << ROLE_* (core/models/backend.h) it cannot run without */
	int needs_wordnet;
	const char *summary;
	const struct op_param *params;
	int nparams;
	/* Runs the op. Returns 0 and fills *out (caller frees with op_output_free), or -1 with *cause. */
	int (*apply)(const struct op_def *op, const struct op_args *args, const struct op_input *in,
	    struct op_output *out, char **cause);
	/* Optional: plans the batch (variants per original, shared state). NULL: one variant. */
	int (*plan)(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
	    struct op_plan *out, char **cause);
	int flags;          /* OP_NEEDS_PIXELS, OP_UNSEEDED, OP_ANY_PARENT, ... */
	const char *paper;  /* the method it follows, for `mmda ops` and the docs, or NULL */
	enum op_class cls;
};

/* The declaration of an operator's apply and plan functions, named for the op. */
#define OPIMPL(name)                                                                       \
	int opimpl_##name(const struct op_def *op, const struct op_args *args,             \
	    const struct op_input *in, struct op_output *out, char **cause)
#define OPPLAN(name)                                                                       \
	int opplan_##name(const struct op_def *op, const struct op_args *args,             \
	    const struct op_plan_in *in, struct op_plan *out, char **cause)

/* The table, ended by a NULL name. */
extern const struct op_def op_table[];
/* The operator named name, or NULL. */
const struct op_def *op_find(const char *name);
/* Index of a parameter by name, or -1. */
int op_param_index(const struct op_def *op, const char *name);

/*
 * Parses "KEY=VALUE" settings over the defaults. Returns 0 with *args filled
 * (free with op_args_free) and *canonical set to the canonical JSON (caller
 * frees), or -1 with a cause naming the bad key or value and the allowed range.
 */
int op_args_parse(const struct op_def *op, char *const *sets, size_t nsets, struct op_args *args,
    char **canonical, char **cause);
void op_args_free(const struct op_def *op, struct op_args *args);
void op_output_free(struct op_output *out);

#endif
