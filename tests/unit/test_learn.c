/* SPDX-License-Identifier: MIT */
/*
 * The learned filter's arithmetic: Newton's method against scikit-learn's
 * LogisticRegression on a fixed data set (the reference below was computed
 * once with scikit-learn 1.2, lbfgs, tol 1e-12, C = 1 / (l2 n), on the same
 * rows standardised with the population sd), missing values, the stratified
 * seeded folds, and held-out evaluation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/audit.h"
#include "core/metrics/learn.h"
#include "tests/harness.h"

#define N 40
#define D 3

static void
dataset(double *x, signed char *y)
{
	for (int i = 0; i < N; i++) {
		x[i * D] = sin(i);
		x[i * D + 1] = cos(1.3 * i);
		x[i * D + 2] = (i % 7) / 7.0;
		y[i] = sin(i) + 0.5 * cos(1.3 * i) - (i % 7) / 7.0 + 0.3 * sin(5 * i) > 0;
	}
}

static void
test_matches_sklearn(void)
{
	static const struct {
		double l2, w[D], b;
	} ref[] = {
		{ 0.1, { 1.2408475651538582, 0.6486190447795668, -0.46458332895730947 },
		    -0.5874567583566519 },
		{ 0.01, { 3.134305729093352, 1.7457221445831421, -1.1589431118937652 },
		    -1.2085690198058252 },
	};
	double x[N * D];
	signed char y[N];
	struct learn_model m;
	char *cause = NULL;

	dataset(x, y);
	for (size_t r = 0; r < sizeof ref / sizeof ref[0]; r++) {
		CHECKF(learn_fit(x, y, N, D, ref[r].l2, &m, &cause) == 0, "%s", cause ? cause : "");
		for (int j = 0; j < D; j++)
			CHECKF(fabs(m.w[j] - ref[r].w[j]) < 1e-4, "l2 %g w%d %.6f want %.6f", ref[r].l2,
			    j, m.w[j], ref[r].w[j]);
		CHECKF(fabs(m.b - ref[r].b) < 1e-4, "l2 %g b %.6f want %.6f", ref[r].l2, m.b,
		    ref[r].b);
		CHECK(m.iterations > 1 && m.iterations < 30);
		learn_model_free(&m);
	}
}

static void
test_predict_and_missing(void)
{
	double x[N * D], row[D];
	signed char y[N];
	struct learn_model m;

	dataset(x, y);
	CHECK(learn_fit(x, y, N, D, 0.1, &m, NULL) == 0);
	/* A row at the means is the intercept alone; a missing value counts as the mean. */
	for (int j = 0; j < D; j++)
		row[j] = m.mean[j];
	double at_mean = learn_predict(&m, row);
	CHECK(fabs(at_mean - 1 / (1 + exp(-m.b))) < 1e-12);
	row[1] = NAN;
	CHECK(fabs(learn_predict(&m, row) - at_mean) < 1e-12);
	learn_model_free(&m);
	signed char bad[2] = { 1, 2 };
	char *cause = NULL;
	CHECK(learn_fit(x, bad, 2, D, 0.1, &m, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	CHECK(learn_fit(x, y, 0, D, 0.1, &m, &cause) == -1);
	free(cause);
}

static void
test_folds_stratified_seeded(void)
{
	signed char y[103];
	int f1[103], f2[103], f3[103];

	for (int i = 0; i < 103; i++)
		y[i] = i % 4 == 0; /* 26 accepts, 77 rejects */
	learn_folds(y, 103, 5, 7, f1);
	learn_folds(y, 103, 5, 7, f2);
	learn_folds(y, 103, 5, 8, f3);
	CHECK(memcmp(f1, f2, sizeof f1) == 0);
	CHECK(memcmp(f1, f3, sizeof f1) != 0);
	int acc[5] = { 0 }, all[5] = { 0 };
	for (int i = 0; i < 103; i++) {
		CHECK(f1[i] >= 0 && f1[i] < 5);
		all[f1[i]]++;
		acc[f1[i]] += y[i];
	}
	for (int f = 0; f < 5; f++) {
		CHECKF(acc[f] == 5 || acc[f] == 6, "fold %d holds %d accepts", f, acc[f]);
		CHECKF(all[f] == 20 || all[f] == 21, "fold %d holds %d rows", f, all[f]);
	}
}

static void
test_cross_validation(void)
{
	double x[N * D];
	signed char y[N];
	int fold[N];
	struct learn_cv cv, th;
	double ff[5];

	dataset(x, y);
	learn_folds(y, N, 5, 1, fold);
	CHECK(learn_cv_model(x, y, N, D, 0.1, fold, 5, &cv, ff, NULL) == 0);
	CHECK(cv.tp + cv.fp + cv.fn + cv.tn == N);
	CHECK(cv.auc > 0.8 && cv.auc <= 1);
	CHECK(fabs(cv.precision - (double)cv.tp / (double)(cv.tp + cv.fp)) < 1e-12);
	for (int f = 0; f < 5; f++)
		CHECK(!(ff[f] < 0) && !(ff[f] > 1));
	/* Column 0 drives the labels: kept above, it separates them well. */
	CHECK(learn_cv_threshold(x, y, N, D, 0, 1, fold, 5, &th) == 0);
	CHECK(th.tp + th.fp + th.fn + th.tn == N);
	CHECK(th.auc > 0.8);
	/* Kept below, the same column is the worst filter there is. */
	CHECK(learn_cv_threshold(x, y, N, D, 0, 0, fold, 5, &th) == 0);
	CHECK(th.auc < 0.2);
}

/* The Wilson score interval, against the formula evaluated independently (z = 1.96). */
static void
test_wilson(void)
{
	static const struct {
		int64_t k, n;
		double lo, hi;
	} ref[] = {
		{ 8, 10, 0.49016247153664183, 0.9433178485456247 },
		{ 0, 5, 0.0, 0.43448246478317476 },
		{ 50, 50, 0.9286524008666414, 1.0 },
		{ 37, 40, 0.8013576647568946, 0.9741639742254119 },
	};
	double lo, hi;

	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		audit_wilson(ref[i].k, ref[i].n, &lo, &hi);
		CHECKF(fabs(lo - ref[i].lo) < 1e-12 && fabs(hi - ref[i].hi) < 1e-12,
		    "%lld/%lld: %.15f..%.15f", (long long)ref[i].k, (long long)ref[i].n, lo, hi);
	}
	audit_wilson(0, 0, &lo, &hi);
	CHECK(isnan(lo) && isnan(hi));
}

int
main(void)
{
	h_suite = "learn";
	RUN(test_matches_sklearn);
	RUN(test_predict_and_missing);
	RUN(test_folds_stratified_seeded);
	RUN(test_cross_validation);
	RUN(test_wilson);
	HARNESS_END();
}
