/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/metrics/tune.h: small label sets whose counts, precision, recall,
 * F1 and AUC are worked out by hand in the comments, the edge cases (ties,
 * one class, empty, NaN, bad labels), suggested cutoffs with known answers,
 * histograms, SLUMA and majority, and a randomized cross-check of the
 * O(log n) evaluation and the AUC against naive scans.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/metrics/tune.h"
#include "core/base/util.h"
#include "tests/harness.h"

#define A TUNE_ACCEPT
#define R TUNE_REJECT
#define U TUNE_UNDECIDED

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

/*
 * Ten values, given out of order so the sort matters. Sorted:
 *	0.1 R  0.2 R  0.3 A  0.4 R  0.5 U  0.6 A  0.7 R  0.8 A  0.9 A  1.0 U
 * 4 accepts, 4 rejects, 2 undecided.
 */
static const double ten_v[10] = { 0.7, 0.1, 1.0, 0.3, 0.9, 0.5, 0.2, 0.8, 0.4, 0.6 };
static const signed char ten_l[10] = { R, R, U, A, A, U, R, A, R, A };

static struct tune_index *
ten(void)
{
	char *cause = NULL;
	struct tune_index *idx = tune_build(ten_v, ten_l, 10, &cause);

	if (idx == NULL)
		fatal("tune_build: %s", cause);
	return idx;
}

static void
test_counts_auc(void)
{
	struct tune_index *idx = ten();

	CHECK(tune_size(idx) == 10 && tune_dropped(idx) == 0);
	CHECK(tune_count(idx, TUNE_ACCEPT) == 4 && tune_count(idx, TUNE_REJECT) == 4);
	CHECK(tune_count(idx, TUNE_UNDECIDED) == 2 && tune_count(idx, 7) == 0);
	CHECK(tune_min(idx) == 0.1 && tune_max(idx) == 1.0);
	/* AUC: rejects below each accept: 0.3 -> 2, 0.6 -> 3, 0.8 -> 4,
	 * 0.9 -> 4. U = 13 of 16 pairs. */
	CHECK(near(tune_auc(idx, TUNE_KEEP_ABOVE), 13.0 / 16));
	CHECK(near(tune_auc(idx, TUNE_KEEP_BELOW), 3.0 / 16));
	tune_free(idx);
}

static void
test_eval_above(void)
{
	struct tune_index *idx = ten();
	struct tune_eval e;

	/* Keep >= 0.5: 0.5U 0.6A 0.7R 0.8A 0.9A 1.0U. TP 3, FP 1, FN 1:
	 * P = 3/4, R = 3/4, F1 = 6/8. Removed: 0.1R 0.2R 0.3A 0.4R. */
	tune_eval_at(idx, 0.5, TUNE_KEEP_ABOVE, &e);
	CHECK(e.cutoff == 0.5 && e.lo == 0.5 && isinf(e.hi) && e.hi > 0);
	CHECK(e.kept == 6 && e.removed == 4);
	CHECK(e.kept_accept == 3 && e.kept_reject == 1 && e.kept_undecided == 2);
	CHECK(e.removed_accept == 1 && e.removed_reject == 3 && e.removed_undecided == 0);
	CHECK(e.defined == 1 && near(e.precision, 0.75) && near(e.recall, 0.75) && near(e.f1, 0.75));

	/* Between values, keep >= 0.55: drops 0.5U only. TP 3, FP 1. */
	tune_eval_at(idx, 0.55, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 5 && e.kept_undecided == 1 && e.kept_accept == 3);

	/* Keep >= 0.8: 0.8A 0.9A 1.0U. P = 1, R = 2/4, F1 = 4/(4+0+2). */
	tune_eval_at(idx, 0.8, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 3 && near(e.precision, 1) && near(e.recall, 0.5));
	CHECK(near(e.f1, 4.0 / 6));

	/* Keep >= 0.95: only 1.0U. Nothing labelled kept: P undefined,
	 * recall 0, F1 = 0/(0+0+4) = 0. */
	tune_eval_at(idx, 0.95, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 1 && e.defined == 0 && isnan(e.precision) && e.recall == 0 && e.f1 == 0);

	/* Below everything keeps all; above everything keeps none. */
	tune_eval_at(idx, -1, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 10 && near(e.precision, 0.5) && near(e.recall, 1.0));
	tune_eval_at(idx, 2, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 0 && e.removed == 10 && e.removed_undecided == 2);
	tune_eval_at(idx, NAN, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 0);
	tune_free(idx);
}

static void
test_eval_below(void)
{
	struct tune_index *idx = ten();
	struct tune_eval e;

	/* Keep <= 0.5: 0.1R 0.2R 0.3A 0.4R 0.5U. TP 1, FP 3, FN 3:
	 * P = 1/4, R = 1/4, F1 = 2/(2+3+3) = 1/4. */
	tune_eval_at(idx, 0.5, TUNE_KEEP_BELOW, &e);
	CHECK(isinf(e.lo) && e.lo < 0 && e.hi == 0.5);
	CHECK(e.kept == 5 && e.removed == 5);
	CHECK(e.kept_accept == 1 && e.kept_reject == 3 && e.kept_undecided == 1);
	CHECK(e.removed_accept == 3 && e.removed_reject == 1 && e.removed_undecided == 1);
	CHECK(near(e.precision, 0.25) && near(e.recall, 0.25) && near(e.f1, 0.25));

	/* Keep <= 0.3: 0.1R 0.2R 0.3A. P = 1/3, R = 1/4, F1 = 2/(2+2+3). */
	tune_eval_at(idx, 0.3, TUNE_KEEP_BELOW, &e);
	CHECK(e.kept == 3 && near(e.precision, 1.0 / 3) && near(e.f1, 2.0 / 7));

	tune_eval_at(idx, 0.05, TUNE_KEEP_BELOW, &e);
	CHECK(e.kept == 0 && e.defined == 0);
	tune_eval_at(idx, 1.0, TUNE_KEEP_BELOW, &e);
	CHECK(e.kept == 10);
	tune_eval_at(idx, NAN, TUNE_KEEP_BELOW, &e);
	CHECK(e.kept == 0);
	tune_free(idx);
}

static void
test_eval_range(void)
{
	struct tune_index *idx = ten();
	struct tune_eval e;

	/* 0.3 <= v <= 0.8: 0.3A 0.4R 0.5U 0.6A 0.7R 0.8A. TP 3, FP 2, FN 1:
	 * P = 3/5, R = 3/4, F1 = 6/(6+2+1) = 2/3. Both bounds inclusive. */
	tune_eval_range(idx, 0.3, 0.8, &e);
	CHECK(e.lo == 0.3 && e.hi == 0.8 && e.cutoff == 0.3);
	CHECK(e.kept == 6 && e.kept_accept == 3 && e.kept_reject == 2 && e.kept_undecided == 1);
	CHECK(e.removed_accept == 1 && e.removed_reject == 2 && e.removed_undecided == 1);
	CHECK(near(e.precision, 0.6) && near(e.recall, 0.75) && near(e.f1, 2.0 / 3));

	/* A single point, an empty gap, reversed bounds, NaN. */
	tune_eval_range(idx, 0.6, 0.6, &e);
	CHECK(e.kept == 1 && e.kept_accept == 1);
	tune_eval_range(idx, 0.61, 0.69, &e);
	CHECK(e.kept == 0 && e.removed == 10);
	tune_eval_range(idx, 0.8, 0.3, &e);
	CHECK(e.kept == 0);
	tune_eval_range(idx, NAN, 0.8, &e);
	CHECK(e.kept == 0);
	tune_eval_range(idx, -INFINITY, INFINITY, &e);
	CHECK(e.kept == 10);
	tune_free(idx);
}

/*
 * SLUMA on a metric that keeps low values (a hash distance in bits, 0..64):
 * tau 0.9 selects the closest tenth of the range, not the farthest. The
 * range here is 0..60, so the cutoff is 60 - 0.9 * 60 = 6.
 */
static void
test_sluma_direction(void)
{
	static const double v[] = { 0, 2, 5, 6, 20, 40, 58, 60 };
	static const signed char l[] = { A, A, R, A, R, R, R, A };
	static const double sim[] = { 0.2, 0.5, 0.95, 0.97 };
	static const signed char sl_l[] = { R, A, A, R };
	struct tune_index *idx = tune_build(v, l, 8, NULL);
	struct tune_sluma s;

	CHECK(tune_sluma_step(idx, TUNE_KEEP_BELOW, 0.9, 0.5, &s) == 0);
	CHECK(near(s.cutoff, 6) && s.sel.kept == 4);
	/* 0, 2, 6 accepted, 5 rejected: 3/4; tau <- 0.45 + 0.375; cutoff 60 - 0.825 * 60. */
	CHECK(near(s.acceptance, 0.75) && near(s.next_tau, 0.825) && near(s.next_cutoff, 10.5));
	/* Keeping high values of the same scale picks the other end. */
	CHECK(tune_sluma_step(idx, TUNE_KEEP_ABOVE, 0.9, 0.5, &s) == 0);
	CHECK(near(s.cutoff, 54) && s.sel.kept == 2 && near(s.acceptance, 0.5));
	CHECK(tune_sluma_step(idx, TUNE_KEEP_BELOW, 1.5, 0.5, &s) == -1);
	tune_free(idx);
	/* A [0, 1] similarity keeps its own numbers: tau 0.9 is the score 0.9. */
	idx = tune_build(sim, sl_l, 4, NULL);
	CHECK(tune_sluma_step(idx, TUNE_KEEP_ABOVE, 0.9, 0.5, &s) == 0);
	CHECK(near(s.cutoff, 0.9) && s.sel.kept == 2 && near(s.acceptance, 0.5));
	tune_free(idx);
}

static void
test_ties(void)
{
	/* 1A 1R 2A 2A 2R 3R. Accept 1: ties reject 1 (1/2) = 0.5; each accept
	 * 2: beats reject 1, ties reject 2 = 1.5, twice = 3. U = 3.5 of 9. */
	static const double v[] = { 2, 1, 3, 2, 1, 2 };
	static const signed char l[] = { A, A, R, R, R, A };
	struct tune_index *idx = tune_build(v, l, 6, NULL);
	struct tune_eval e;

	CHECK(near(tune_auc(idx, TUNE_KEEP_ABOVE), 3.5 / 9));
	CHECK(near(tune_auc(idx, TUNE_KEEP_BELOW), 5.5 / 9));
	/* Keep >= 2: 2A 2A 2R 3R. TP 2, FP 2, FN 1: P 1/2, F1 4/7. */
	tune_eval_at(idx, 2, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 4 && near(e.precision, 0.5) && near(e.f1, 4.0 / 7));
	/* Keep <= 2: 1A 1R 2A 2A 2R. TP 3, FP 2: P 3/5, R 1, F1 6/8. */
	tune_eval_at(idx, 2, TUNE_KEEP_BELOW, &e);
	CHECK(e.kept == 5 && near(e.precision, 0.6) && near(e.recall, 1) && near(e.f1, 0.75));
	tune_free(idx);

	/* -0.0 and 0.0 are one value: an exact tie, AUC 1/2. */
	static const double z[] = { -0.0, 0.0 };
	static const signed char zl[] = { A, R };
	idx = tune_build(z, zl, 2, NULL);
	CHECK(near(tune_auc(idx, TUNE_KEEP_ABOVE), 0.5));
	CHECK(tune_min(idx) == 0 && !signbit(tune_min(idx)));
	tune_eval_at(idx, 0.0, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 2);
	tune_eval_at(idx, -0.0, TUNE_KEEP_BELOW, &e);
	CHECK(e.kept == 2);
	tune_free(idx);
}

static void
test_one_class_empty_nan(void)
{
	static const double v[] = { NAN, 3, -INFINITY, NAN, 1, INFINITY };
	static const signed char l[] = { A, A, A, R, U, A };
	struct tune_index *idx;
	struct tune_eval e;
	struct tune_bin bins[2];
	char *cause = NULL;

	/* Only accepts (the NaN reject is dropped): AUC undefined. */
	idx = tune_build(v, l, 6, &cause);
	CHECK(idx != NULL && cause == NULL);
	CHECK(tune_size(idx) == 4 && tune_dropped(idx) == 2);
	CHECK(tune_count(idx, TUNE_REJECT) == 0 && tune_count(idx, TUNE_ACCEPT) == 3);
	CHECK(isinf(tune_min(idx)) && tune_min(idx) < 0 && isinf(tune_max(idx)));
	CHECK(isnan(tune_auc(idx, TUNE_KEEP_ABOVE)) && isnan(tune_auc(idx, TUNE_KEEP_BELOW)));
	/* Keep >= 2: 3A +infA. Precision 1, recall 2/3. */
	tune_eval_at(idx, 2, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 2 && near(e.precision, 1) && near(e.recall, 2.0 / 3));
	tune_free(idx);

	/* Empty: counts zero, rates undefined, nothing to suggest. */
	idx = tune_build(NULL, NULL, 0, &cause);
	CHECK(idx != NULL);
	CHECK(tune_size(idx) == 0 && isnan(tune_min(idx)) && isnan(tune_max(idx)));
	tune_eval_at(idx, 0.5, TUNE_KEEP_ABOVE, &e);
	CHECK(e.kept == 0 && e.removed == 0 && !e.defined);
	CHECK(isnan(e.precision) && isnan(e.recall) && isnan(e.f1));
	tune_eval_range(idx, 0, 1, &e);
	CHECK(e.kept == 0);
	CHECK(isnan(tune_auc(idx, TUNE_KEEP_ABOVE)));
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &e) == -1);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_BELOW, 0.1, &e) == -1);
	CHECK(tune_histogram(idx, 2, 0, 1, bins) == 0);
	CHECK(bins[0].accept + bins[0].reject + bins[0].undecided + bins[1].undecided == 0);
	CHECK(tune_enough_labels(idx, 0) == 1 && tune_enough_labels(idx, 1) == 0);
	tune_free(idx);

	/* All NaN is an empty index too; labels NULL means undecided. */
	static const double nn[] = { NAN, NAN };
	idx = tune_build(nn, NULL, 2, NULL);
	CHECK(tune_size(idx) == 0 && tune_dropped(idx) == 2);
	tune_free(idx);
	idx = tune_build(v + 1, NULL, 2, NULL);
	CHECK(tune_count(idx, TUNE_UNDECIDED) == 2);
	tune_free(idx);
}

static void
test_build_errors(void)
{
	static const double v[] = { 1, 2, 3 };
	static const signed char bad[] = { A, 2, R };
	char *cause = NULL;

	CHECK(tune_build(v, bad, 3, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "candidate 1") != NULL);
	free(cause);
	cause = NULL;
	CHECK(tune_build(NULL, NULL, 3, &cause) == NULL && cause != NULL);
	free(cause);
	/* A NULL cause is allowed. */
	CHECK(tune_build(v, bad, 3, NULL) == NULL);
}

static void
test_suggest_f1(void)
{
	struct tune_index *idx = ten();
	struct tune_eval e;

	/*
	 * Keeping above, F1 = 2TP / (TP + FP + 4) per cutoff:
	 * 0.1 8/12, 0.2 8/11, 0.3 8/10, 0.4 6/9, 0.5 6/8, 0.6 6/8, 0.7 4/7,
	 * 0.8 4/6, 0.9 2/5, 1.0 0. Best: 0.3 with 0.8.
	 */
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &e) == 0);
	CHECK(e.cutoff == 0.3 && near(e.f1, 0.8) && e.kept == 8);
	/*
	 * Keeping below: 1.0 8/12, 0.9 8/12, 0.8 6/11, 0.7 4/10, 0.6 4/9,
	 * 0.5 2/8, 0.4 2/8, 0.3 2/7, 0.2 0, 0.1 0. 1.0 and 0.9 tie; the least
	 * strict, 1.0 (keep everything), wins.
	 */
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_BELOW, &e) == 0);
	CHECK(e.cutoff == 1.0 && near(e.f1, 8.0 / 12) && e.kept == 10);
	tune_free(idx);

	/* Ties: 1R 2A 3U 4A above: 1 -> 4/5, 2 -> 4/4, 3 -> 4/4, 4 -> 2/3.
	 * 2 and 3 tie at 1; the least strict, 2, wins. */
	static const double v1[] = { 4, 3, 2, 1 };
	static const signed char l1[] = { A, U, A, R };
	idx = tune_build(v1, l1, 4, NULL);
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &e) == 0);
	CHECK(e.cutoff == 2 && e.f1 == 1 && e.kept == 3 && e.lo == 2);
	tune_free(idx);

	/* Below, 1A 2A 3U 4R: 4 -> 4/5, 3 -> 1, 2 -> 1, 1 -> 2/3. The least
	 * strict keeping below is the highest: 3. */
	static const signed char l2[] = { R, U, A, A };
	idx = tune_build(v1, l2, 4, NULL);
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_BELOW, &e) == 0);
	CHECK(e.cutoff == 3 && e.f1 == 1 && e.kept == 3 && e.hi == 3);
	tune_free(idx);

	/* No accepts: nothing to suggest, out untouched. */
	static const signed char l3[] = { R, U, R, R };
	idx = tune_build(v1, l3, 4, NULL);
	e.cutoff = 42;
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &e) == -1 && e.cutoff == 42);
	tune_free(idx);
}

static void
test_suggest_precision(void)
{
	struct tune_index *idx = ten();
	struct tune_eval e;

	/* Precision above: 0.1 4/8, 0.2 4/7, 0.3 4/6, 0.4 3/5, 0.5 3/4,
	 * 0.6 3/4, 0.7 2/3, 0.8 1, 0.9 1, 1.0 undefined. */
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_ABOVE, 0.75, &e) == 0);
	CHECK(e.cutoff == 0.5 && near(e.precision, 0.75) && e.kept == 6);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_ABOVE, 0.8, &e) == 0);
	CHECK(e.cutoff == 0.8);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_ABOVE, 1.0, &e) == 0);
	CHECK(e.cutoff == 0.8 && e.kept == 3);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_ABOVE, 0.5, &e) == 0);
	CHECK(e.cutoff == 0.1);
	e.cutoff = 42;
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_ABOVE, 1.01, &e) == -1 && e.cutoff == 42);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_ABOVE, NAN, &e) == -1);

	/* Precision below: 1.0 4/8, 0.9 4/8, 0.8 3/7, 0.7 2/6, 0.6 2/5,
	 * 0.5 1/4, 0.4 1/4, 0.3 1/3, 0.2 0, 0.1 0. */
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_BELOW, 0.4, &e) == 0);
	CHECK(e.cutoff == 1.0);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_BELOW, 0.3, &e) == 0);
	CHECK(e.cutoff == 1.0);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_BELOW, 0.6, &e) == -1);
	tune_free(idx);

	/* Below, 1A 2R 3R 4U: 4 -> 1/3, 3 -> 1/3, 2 -> 1/2, 1 -> 1. */
	static const double v[] = { 1, 2, 3, 4 };
	static const signed char l[] = { A, R, R, U };
	idx = tune_build(v, l, 4, NULL);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_BELOW, 0.5, &e) == 0);
	CHECK(e.cutoff == 2 && e.kept == 2 && e.hi == 2);
	CHECK(tune_suggest_precision(idx, TUNE_KEEP_BELOW, 0.9, &e) == 0);
	CHECK(e.cutoff == 1 && e.kept == 1);
	tune_free(idx);
}

static void
test_histogram(void)
{
	struct tune_index *idx = ten();
	struct tune_bin b[4];
	int i;

	/* [0,.25): 0.1R 0.2R; [.25,.5): 0.3A 0.4R; [.5,.75): 0.5U 0.6A 0.7R;
	 * [.75,1]: 0.8A 0.9A 1.0U (1.0 on the closed last edge). */
	CHECK(tune_histogram(idx, 4, 0, 1, b) == 0);
	CHECK(b[0].accept == 0 && b[0].reject == 2 && b[0].undecided == 0);
	CHECK(b[1].accept == 1 && b[1].reject == 1 && b[1].undecided == 0);
	CHECK(b[2].accept == 1 && b[2].reject == 1 && b[2].undecided == 1);
	CHECK(b[3].accept == 2 && b[3].reject == 0 && b[3].undecided == 1);
	for (i = 0; i < 4; i++)
		CHECK(b[i].lo == i * 0.25 && b[i].hi == (i + 1) * 0.25);

	CHECK(tune_histogram(idx, 0, 0, 1, b) == -1);
	CHECK(tune_histogram(idx, 2, 1, 1, b) == -1);
	CHECK(tune_histogram(idx, 2, 1, 0, b) == -1);
	CHECK(tune_histogram(idx, 2, 0, INFINITY, b) == -1);
	CHECK(tune_histogram(idx, 2, NAN, 1, b) == -1);
	tune_free(idx);

	/* Clamping: -5 and 0 in [0, .5); .5, 1 and 7 in [.5, 1]. */
	static const double v[] = { 7, -5, 0.5, 0, 1 };
	static const signed char l[] = { A, R, U, A, R };
	idx = tune_build(v, l, 5, NULL);
	CHECK(tune_histogram(idx, 2, 0, 1, b) == 0);
	CHECK(b[0].accept == 1 && b[0].reject == 1 && b[0].undecided == 0);
	CHECK(b[1].accept == 1 && b[1].reject == 1 && b[1].undecided == 1);
	/* One bin holds everything. */
	CHECK(tune_histogram(idx, 1, 2, 3, b) == 0);
	CHECK(b[0].accept == 2 && b[0].reject == 2 && b[0].undecided == 1);
	CHECK(b[0].lo == 2 && b[0].hi == 3);
	tune_free(idx);
}

static void
test_enough_labels(void)
{
	double v[30];
	signed char l[30];
	struct tune_index *idx;
	int i;

	/* 10 accepts, 9 rejects, 11 undecided. */
	for (i = 0; i < 30; i++) {
		v[i] = i;
		l[i] = i < 10 ? A : i < 19 ? R : U;
	}
	idx = tune_build(v, l, 30, NULL);
	CHECK(tune_enough_labels(idx, TUNE_MIN_PER_CLASS) == 0 && tune_enough_labels(idx, 9) == 1);
	tune_free(idx);
	l[19] = R;
	idx = tune_build(v, l, 30, NULL);
	CHECK(tune_enough_labels(idx, TUNE_MIN_PER_CLASS) == 1 && tune_enough_labels(idx, 11) == 0);
	tune_free(idx);
}

static void
test_sluma_majority(void)
{
	static const double scores[] = { 0.95, 0.2, 0.7, NAN, 0.9, 0.69 };
	size_t chosen[6], k;
	double tau = TUNE_SLUMA_TAU0;

	/* 0.5 * 0.9 + 0.5 * 0.5 = 0.7; then 0.5 * 0.7 + 0.5 * 0.7 = 0.7. */
	CHECK(TUNE_SLUMA_TAU0 == 0.9 && TUNE_SLUMA_D == 0.5);
	tau = tune_sluma_update(tau, 0.5, TUNE_SLUMA_D);
	CHECK(near(tau, 0.7));
	tau = tune_sluma_update(tau, 0.7, TUNE_SLUMA_D);
	CHECK(near(tau, 0.7));
	/* Then acceptance 0.1: 0.35 + 0.05 = 0.4. d = 1 keeps tau, d = 0
	 * jumps to the acceptance, d out of range clamps, NaN keeps tau. */
	CHECK(near(tune_sluma_update(tau, 0.1, TUNE_SLUMA_D), 0.4));
	CHECK(near(tune_sluma_update(0.9, 0.1, 1), 0.9));
	CHECK(near(tune_sluma_update(0.9, 0.1, 0), 0.1));
	CHECK(near(tune_sluma_update(0.9, 0.1, 1.5), 0.9));
	CHECK(near(tune_sluma_update(0.9, 0.1, -1), 0.1));
	CHECK(tune_sluma_update(0.9, NAN, 0.5) == 0.9);

	/* Scores >= 0.9: indices 0 and 4; >= 0.7: 0, 2, 4. */
	k = tune_sluma_select(scores, 6, TUNE_SLUMA_TAU0, chosen);
	CHECK(k == 2 && chosen[0] == 0 && chosen[1] == 4);
	k = tune_sluma_select(scores, 6, 0.7, chosen);
	CHECK(k == 3 && chosen[0] == 0 && chosen[1] == 2 && chosen[2] == 4);
	CHECK(tune_sluma_select(scores, 6, 0.0, NULL) == 5);
	CHECK(tune_sluma_select(scores, 6, 2.0, chosen) == 0);

	/* Majority of annotators: ties and no votes stay undecided. */
	CHECK(tune_majority(2, 1) == TUNE_ACCEPT && tune_majority(1, 0) == TUNE_ACCEPT);
	CHECK(tune_majority(1, 3) == TUNE_REJECT);
	CHECK(tune_majority(2, 2) == TUNE_UNDECIDED && tune_majority(0, 0) == TUNE_UNDECIDED);
}

/* ---- randomized cross-check against naive scans ---- */

#define RN 2000

static void
naive_eval(const double *v, const signed char *l, size_t n, double lo, double hi,
    struct tune_eval *e)
{
	size_t i;

	memset(e, 0, sizeof *e);
	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (v[i] >= lo && v[i] <= hi) {
			e->kept++;
			e->kept_accept += l[i] == A;
			e->kept_reject += l[i] == R;
			e->kept_undecided += l[i] == U;
		} else {
			e->removed++;
			e->removed_accept += l[i] == A;
			e->removed_reject += l[i] == R;
			e->removed_undecided += l[i] == U;
		}
	}
}

static int
same_counts(const struct tune_eval *a, const struct tune_eval *b)
{
	return a->kept == b->kept && a->removed == b->removed &&
	    a->kept_accept == b->kept_accept && a->kept_reject == b->kept_reject &&
	    a->kept_undecided == b->kept_undecided && a->removed_accept == b->removed_accept &&
	    a->removed_reject == b->removed_reject && a->removed_undecided == b->removed_undecided;
}

static double
naive_f1(const struct tune_eval *e, int64_t all_a)
{
	return 2.0 * (double)e->kept_accept / (double)(e->kept_accept + e->kept_reject + all_a);
}

static void
test_random_crosscheck(void)
{
	static double v[RN];
	static signed char l[RN];
	struct tune_index *idx;
	struct tune_eval got, want;
	struct tune_bin bins[7];
	struct rng r;
	size_t i, j, na = 0, nr = 0;
	double c, c2, twice_u = 0, bestf = -1, bestc = 0, f, auc;
	int64_t sum = 0;
	int k, bad = 0;

	rng_seed(&r, 20240611);
	for (i = 0; i < RN; i++) {
		/* Half on a coarse grid so there are plenty of ties. */
		v[i] = rng_below(&r, 2) ? (double)rng_below(&r, 40) / 20 : rng_uniform(&r) * 2;
		if (rng_below(&r, 50) == 0)
			v[i] = NAN;
		l[i] = (signed char)((int)rng_below(&r, 3) - 1);
		/* Accepts lean high so the AUC is not just 1/2. */
		if (l[i] == A && rng_below(&r, 2))
			v[i] += 0.3;
		if (!isnan(v[i])) {
			na += l[i] == A;
			nr += l[i] == R;
		}
	}
	idx = tune_build(v, l, RN, NULL);
	CHECK(idx != NULL && tune_size(idx) + tune_dropped(idx) == RN);

	for (k = 0; k < 200; k++) {
		/* Every other cutoff sits exactly on a value. */
		c = (k & 1) ? v[rng_below(&r, RN)] : rng_uniform(&r) * 2.6 - 0.3;
		if (isnan(c))
			c = 1;
		c2 = c + rng_uniform(&r) * 0.8;
		tune_eval_at(idx, c, TUNE_KEEP_ABOVE, &got);
		naive_eval(v, l, RN, c, INFINITY, &want);
		bad += !same_counts(&got, &want);
		bad += got.defined && !near(got.f1, naive_f1(&want, (int64_t)na));
		tune_eval_at(idx, c, TUNE_KEEP_BELOW, &got);
		naive_eval(v, l, RN, -INFINITY, c, &want);
		bad += !same_counts(&got, &want);
		tune_eval_range(idx, c, c2, &got);
		naive_eval(v, l, RN, c, c2, &want);
		bad += !same_counts(&got, &want);
	}
	CHECKF(bad == 0, "%d mismatches against the naive scan", bad);

	/* AUC by counting every accept x reject pair. */
	for (i = 0; i < RN; i++) {
		if (l[i] != A || isnan(v[i]))
			continue;
		for (j = 0; j < RN; j++) {
			if (l[j] != R || isnan(v[j]))
				continue;
			twice_u += v[i] > v[j] ? 2 : v[i] == v[j] ? 1 : 0;
		}
	}
	auc = twice_u / (2.0 * (double)na * (double)nr);
	CHECKF(near(tune_auc(idx, TUNE_KEEP_ABOVE), auc), "%.15f vs %.15f",
	    tune_auc(idx, TUNE_KEEP_ABOVE), auc);
	CHECK(near(tune_auc(idx, TUNE_KEEP_BELOW), 1 - auc));
	CHECKF(auc > 0.55 && auc < 0.7, "auc %f", auc);

	/* Best F1 above: try every value as a cutoff, keep the first best
	 * among equal F1s at the lowest cutoff. */
	for (i = 0; i < RN; i++) {
		if (isnan(v[i]))
			continue;
		naive_eval(v, l, RN, v[i], INFINITY, &want);
		f = naive_f1(&want, (int64_t)na);
		if (f > bestf + 1e-12 || (fabs(f - bestf) <= 1e-12 && v[i] < bestc)) {
			bestf = f;
			bestc = v[i];
		}
	}
	CHECK(tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &got) == 0);
	CHECKF(got.cutoff == bestc && near(got.f1, bestf), "%g/%g vs %g/%g", got.cutoff, got.f1,
	    bestc, bestf);

	/* Histogram bins add up and match a direct count of one bin. */
	CHECK(tune_histogram(idx, 7, 0.2, 1.6, bins) == 0);
	naive_eval(v, l, RN, bins[3].lo, nextafter(bins[3].hi, -INFINITY), &want);
	CHECK(bins[3].accept == want.kept_accept && bins[3].reject == want.kept_reject &&
	    bins[3].undecided == want.kept_undecided);
	for (k = 0; k < 7; k++)
		sum += bins[k].accept + bins[k].reject + bins[k].undecided;
	CHECK(sum == (int64_t)tune_size(idx));
	tune_free(idx);
}

int
main(void)
{
	h_suite = "tune";
	RUN(test_counts_auc);
	RUN(test_eval_above);
	RUN(test_eval_below);
	RUN(test_eval_range);
	RUN(test_ties);
	RUN(test_one_class_empty_nan);
	RUN(test_build_errors);
	RUN(test_suggest_f1);
	RUN(test_suggest_precision);
	RUN(test_histogram);
	RUN(test_enough_labels);
	RUN(test_sluma_majority);
	RUN(test_sluma_direction);
	RUN(test_random_crosscheck);
	HARNESS_END();
}
