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

#include "core/image.h"
#include "core/rng.h"

struct wordnet;

enum op_kind {
	OP_IMAGE, /* changes the image; the caption is kept or adjusted */
	OP_TEXT,  /* changes the caption; the image is kept */
	OP_PAIR,  /* combines two pairs (image and caption) */
};

enum param_type {
	PARAM_INT,
	PARAM_FLOAT,
	PARAM_ENUM, /* one of the '|'-separated choices */
	PARAM_BOOL,
	PARAM_ID,   /* a candidate (numeric id, aug_id prefix or key); empty = none */
	PARAM_WORDS, /* a comma-separated list of words; empty = none */
};

struct op_param {
	const char *name;
	enum param_type type;
	double min, max;     /* INT and FLOAT */
	const char *def;     /* default, as typed on the command line */
	const char *choices; /* ENUM: "concat|dominant" */
	const char *help;
};

#define OP_MAX_PARAMS 8

/* Parameter values after parsing: numbers in num, ENUM/ID text in str. */
struct op_args {
	double num[OP_MAX_PARAMS];
	char *str[OP_MAX_PARAMS];
};

struct op_input {
	const struct image *img[2]; /* parent images (img[1] for PAIR ops) */
	const char *text[2];        /* parent captions */
	struct rng *rng;            /* the candidate's own stream */
	struct wordnet *wn;         /* open when the op's needs_wordnet is set */
};

struct op_output {
	struct image img;  /* the new image; OP_TEXT ops leave it empty (the parent's is kept) */
	char *text;        /* the new caption (malloc'd) */
	char *extra;       /* JSON object of values the op drew (a box, a lambda), or NULL */
	int unchanged;     /* 1 when the op could not apply (e.g. no word to swap) */
};

struct op_def {
	const char *name;
	int version;
	enum op_kind kind;
	int nparents;
	int needs_backend;
	int needs_wordnet;
	const char *summary;
	const struct op_param *params;
	int nparams;
	/* Runs the op. Returns 0 and fills *out (caller frees with op_output_free), or -1 with *cause. */
	int (*apply)(const struct op_def *op, const struct op_args *args, const struct op_input *in,
	    struct op_output *out, char **cause);
};

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
