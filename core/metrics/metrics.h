/* SPDX-License-Identifier: MIT */
/*
 * The metric table: every score mmda computes or will fetch from a model,
 * with what it measures, its scale, a suggested keep range and where that
 * range comes from, what it needs (the image, a parent, the whole set, a
 * backend) and which side a tuned cutoff keeps. `mmda score`, `mmda tune`,
 * thresholds and the thresholds screen all read this table; the names are a
 * contract shared with Data-Juicer where one exists.
 */
#ifndef MMDA_METRICS_H
#define MMDA_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/image/image.h"
#include "core/ops/ops.h"
#include "core/store.h"

#define METRIC_IMAGE 0x01   /* needs the candidate's pixels */
#define METRIC_PARENT 0x02  /* compares with the first parent (derived candidates only) */
#define METRIC_TEXT 0x04    /* needs the caption */
#define METRIC_SET 0x08     /* computed over the whole project (duplicate groups) */
#define METRIC_BACKEND 0x10 /* needs a model server (not built in) */
#define METRIC_HASHES 0x20  /* reads the stored perceptual hashes */
#define METRIC_WORDNET 0x40 /* lemmatises with WordNet */
#define METRIC_LEARNED 0x80 /* written by mmda tune --learn, never by mmda score */
#define METRIC_META 0x100   /* read from what the op stored with the candidate (its meta) */

enum metric_keep {
	METRIC_KEEP_ABOVE, /* higher is better: a tuned cutoff is a minimum */
	METRIC_KEEP_BELOW, /* lower is better: a tuned cutoff is a maximum */
};

struct metric_def {
	const char *name;
	int version;  /* bumped when the computation changes: old scores are recomputed */
	const char *measures;
	const char *scale;
	int has_min, has_max;
	double def_min, def_max; /* suggested keep range */
	const char *source;      /* where the suggestion comes from */
	int needs;
	enum metric_keep keep;
	unsigned scope; /* the op classes it means something for (1 << enum op_class): the
	                   default scope of its thresholds */
};

/* The table, ended by a NULL name. */
extern const struct metric_def metric_table[];
/* The metric named name, or NULL. */
const struct metric_def *metric_find(const char *name);

/*
 * Threshold scopes. A threshold's scope is "" (the metric's default: the ops
 * of its classes), METRIC_SCOPE_ALL (every candidate), or a comma-separated
 * list of op names in the op table's order ("original" first).
 */
#define METRIC_SCOPE_ALL "*"
/* Per metric, the ops of its default scope, for the store's SQL; ended by a NULL
 * metric. Static, built on first use (any thread); never freed. */
const struct metric_scope *metric_default_scopes(void);
/* 1 when threshold t checks a candidate of op: op is in its scope, and t's metric
 * does not compare with a parent when op is "original"; else 0. */
int metric_in_scope(const struct threshold *t, const char *op);
/*
 * Parses what --ops says ("default", "all", or op and op-class names, comma
 * separated) into a stored scope. Returns 0 with *scope (caller frees), or -1
 * with *cause (caller frees) naming an unknown op, or "original" for a metric
 * that compares with a parent.
 */
int metric_scope_parse(const char *metric, const char *spec, char **scope, char **cause);
/* The scope for people: "photometric,generative" (a default, by class), "all ops",
 * or the op list. Never NULL; caller frees. */
char *metric_scope_describe(const char *metric, const char *scope);

/*
 * What one enabled threshold says of a candidate of op, for screens that must
 * not call a missing score a failure: METRIC_SKIPPED when the threshold does
 * not apply to op (metric_in_scope), METRIC_UNSCORED when the metric has no
 * score (or NaN) for it, else PASS or FAIL; *value gets the score when there
 * is one.
 */
enum metric_verdict { METRIC_PASS, METRIC_FAIL, METRIC_UNSCORED, METRIC_SKIPPED };
enum metric_verdict metric_check(const struct threshold *t, const struct score *s, size_t ns,
    const char *op, double *value);
/* The candidate's verdict over every enabled threshold: FAIL when a score breaks
 * one, else UNSCORED when one has no score, else PASS. */
enum metric_verdict metric_overall(const struct threshold *t, size_t nt, const struct score *s,
    size_t ns, const char *op);
/*
 * Checks one candidate's scores against the thresholds, by the same rule as
 * store_passing (a missing score fails). Returns 1 when it passes, 0 when not;
 * failing (when not NULL) receives up to max metric names it fails (borrowed
 * from t), and *nfailing their count.
 */
int metric_passes(const struct threshold *t, size_t nt, const struct score *s, size_t ns,
    const char *op, const char **failing, size_t max, size_t *nfailing);

/* What a per-candidate metric is computed from; unused fields may be NULL. */
struct metric_inputs {
	const struct image *img, *parent_img;
	const char *text, *parent_text;
	const char *meta; /* the candidate's meta JSON, or NULL */
	struct wordnet *wn;
	int width, height; /* of the image, when img is NULL */
	int64_t file_bytes;
	const uint64_t *hashes, *parent_hashes; /* ahash, dhash, phash */
};

/*
 * Computes one per-candidate metric. Returns 0 with *out set, 1 when it does
 * not apply (e.g. a parent metric on an original), or -1 with *cause.
 */
int metric_compute(const struct metric_def *m, const struct metric_inputs *in, double *out,
    char **cause);

/* Pixel-difference threshold of changed_frac, and the pHash radius of image_near_dup. */
#define METRIC_CHANGED_THRESHOLD 16
#define METRIC_PHASH_RADIUS 4
#define METRIC_MINHASH_JACCARD 0.7

#endif
