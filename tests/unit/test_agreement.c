/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/metrics/agreement.h: Cohen's and Fleiss' kappa against textbook
 * cases worked by hand (the arithmetic is in the comments), the NaN and
 * degenerate conventions, and that the streaming accumulators, the array
 * functions and an independent textbook implementation agree.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/metrics/agreement.h"
#include "core/base/rng.h"
#include "tests/harness.h"

#define NEAR(x, want) CHECKF(fabs((x) - (want)) < 1e-12, "%.17g, expected %.17g", \
    (double)(x), (double)(want))

/*
 * Expands a confusion matrix (m[i*k + j] items rated i by a and j by b)
 * into two rating arrays of n items, row by row. Returns n.
 */
static size_t
expand(const int *m, int k, int *a, int *b)
{
	size_t n = 0;
	int i, j, c;

	for (i = 0; i < k; i++) {
		for (j = 0; j < k; j++) {
			for (c = 0; c < m[i * k + j]; c++) {
				a[n] = i;
				b[n] = j;
				n++;
			}
		}
	}
	return n;
}

/* Cohen's kappa straight from the textbook definition, with proportions. */
static double
ref_cohen(const int *a, const int *b, size_t n, int k)
{
	double po = 0, pe = 0, pa, pb;
	size_t i;
	int j;

	for (i = 0; i < n; i++)
		po += a[i] == b[i];
	po /= (double)n;
	for (j = 0; j < k; j++) {
		pa = pb = 0;
		for (i = 0; i < n; i++) {
			pa += a[i] == j;
			pb += b[i] == j;
		}
		pe += (pa / (double)n) * (pb / (double)n);
	}
	return (po - pe) / (1 - pe);
}

/* Scott's pi: like Cohen's kappa, but pe from the two raters' pooled proportions. */
static double
ref_scott(const int *a, const int *b, size_t n, int k)
{
	double po = 0, pe = 0, pj;
	size_t i;
	int j;

	for (i = 0; i < n; i++)
		po += a[i] == b[i];
	po /= (double)n;
	for (j = 0; j < k; j++) {
		pj = 0;
		for (i = 0; i < n; i++)
			pj += (a[i] == j) + (b[i] == j);
		pj /= 2.0 * (double)n;
		pe += pj * pj;
	}
	return (po - pe) / (1 - pe);
}

/* Fleiss (1971) for a constant number r of raters per item, as printed. */
static double
ref_fleiss(const int *counts, size_t n, int k, int r)
{
	double pbar = 0, pe = 0, pj, s;
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		s = 0;
		for (j = 0; j < k; j++)
			s += (double)counts[i * k + j] * counts[i * k + j];
		pbar += (s - r) / ((double)r * (r - 1));
	}
	pbar /= (double)n;
	for (j = 0; j < k; j++) {
		pj = 0;
		for (i = 0; i < n; i++)
			pj += counts[i * k + j];
		pj /= (double)n * r;
		pe += pj * pj;
	}
	return (pbar - pe) / (1 - pe);
}

static void
cohen_classic_2x2(void)
{
	/*
	 * 50 items, yes = 0, no = 1; rows rater A, columns rater B:
	 *	yes/yes 20, yes/no 5, no/yes 10, no/no 15.
	 * po = (20 + 15) / 50 = 0.70. A says yes 25 times (0.5), B 30 (0.6):
	 * pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.50. kappa = (0.70 - 0.50) / 0.50 = 0.40.
	 */
	static const int m[4] = { 20, 5, 10, 15 };
	int a[50], b[50];
	size_t n = expand(m, 2, a, b);

	CHECK(n == 50);
	NEAR(agree_cohen(a, b, n, 2), 0.40);
	NEAR(agree_percent(a, b, n, 2), 0.70);
	/* Unused third category changes nothing. */
	NEAR(agree_cohen(a, b, n, 3), 0.40);
}

static void
cohen_three_categories(void)
{
	/*
	 * 20 items, accept/reject/skip; rows A, columns B:
	 *	5 1 0
	 *	1 4 1
	 *	0 2 6
	 * Diagonal 5 + 4 + 6 = 15: po = 15/20 = 0.75.
	 * A's totals (rows) 6, 6, 8; B's (columns) 6, 7, 7.
	 * pe = (6*6 + 6*7 + 8*7) / 400 = (36 + 42 + 56) / 400 = 134/400 = 0.335.
	 * kappa = (0.75 - 0.335) / (1 - 0.335) = 0.415 / 0.665 = 83/133
	 *       = 0.62406015...
	 */
	static const int m[9] = { 5, 1, 0, 1, 4, 1, 0, 2, 6 };
	int a[20], b[20];
	size_t n = expand(m, 3, a, b);

	CHECK(n == 20);
	NEAR(agree_cohen(a, b, n, 3), 83.0 / 133.0);
	NEAR(agree_percent(a, b, n, 3), 0.75);
}

static void
cohen_perfect(void)
{
	/* Same varied ratings: po = 1 and pe < 1, so kappa = (1 - pe) / (1 - pe) = 1. */
	static const int a[8] = { 0, 1, 2, 2, 1, 0, 0, 2 };

	CHECK(agree_cohen(a, a, 8, 3) == 1.0);
	CHECK(agree_percent(a, a, 8, 3) == 1.0);
}

static void
cohen_chance(void)
{
	/*
	 * a = 0 0 1 1, b = 0 1 0 1: po = 2/4 = 0.5; each rater 50/50, so
	 * pe = 0.25 + 0.25 = 0.5, and kappa = 0 exactly.
	 */
	static const int a[4] = { 0, 0, 1, 1 }, b[4] = { 0, 1, 0, 1 };
	/*
	 * Three categories: every combination once (9 items), po = 3/9,
	 * pe = 3 * (1/3 * 1/3) = 1/3, kappa = 0.
	 */
	static const int m[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	/*
	 * Worse than chance: a = 0 1, b = 1 0: po = 0, pe = 0.5,
	 * kappa = -0.5 / 0.5 = -1.
	 */
	static const int c[2] = { 0, 1 }, d[2] = { 1, 0 };
	int x[9], y[9];

	CHECK(agree_cohen(a, b, 4, 2) == 0.0);
	CHECK(expand(m, 3, x, y) == 9);
	NEAR(agree_cohen(x, y, 9, 3), 0.0);
	NEAR(agree_percent(x, y, 9, 3), 1.0 / 3.0);
	CHECK(agree_cohen(c, d, 2, 2) == -1.0);
}

static void
cohen_degenerate(void)
{
	/* Both raters "accept" everything: pe = 1, po = 1, defined as 1.0. */
	static const int a[5] = { 0, 0, 0, 0, 0 }, s[3] = { 2, 2, 2 };
	/*
	 * Only one rater constant: pa = (1, 0), pb = (3/5, 2/5):
	 * pe = 3/5 = po, kappa = 0 / (2/5) = 0 -- not the degenerate case.
	 */
	static const int b[5] = { 0, 1, 0, 1, 0 };

	CHECK(agree_cohen(a, a, 5, 3) == 1.0);
	CHECK(agree_cohen(s, s, 3, 3) == 1.0);
	CHECK(agree_cohen(a, a, 1, 3) == 1.0);
	CHECK(agree_cohen(a, b, 5, 3) == 0.0);
	NEAR(agree_percent(a, b, 5, 3), 0.6);
}

static void
cohen_empty_and_bad(void)
{
	static const int a[3] = { -1, 0, 3 }, b[3] = { 0, -1, 1 };
	static const int c[4] = { 0, 1, 0, 1 };
	/* The 2x2 example with unrated (-1) and out-of-range items mixed in. */
	static const int m[4] = { 20, 5, 10, 15 };
	int x[60], y[60];
	size_t n = expand(m, 2, x, y);
	struct agree_pairs p;

	CHECK(isnan(agree_cohen(NULL, NULL, 0, 3)));
	CHECK(isnan(agree_percent(NULL, NULL, 0, 3)));
	/* No item rated validly by both. */
	CHECK(isnan(agree_cohen(a, b, 3, 3)));
	CHECK(isnan(agree_percent(a, b, 3, 3)));
	/* Bad k. */
	CHECK(isnan(agree_cohen(c, c, 4, 0)));
	CHECK(isnan(agree_cohen(c, c, 4, AGREE_KMAX + 1)));
	CHECK(!isnan(agree_cohen(c, c, 4, AGREE_KMAX)));
	CHECK(agree_pairs_init(&p, 0) == -1);
	CHECK(agree_pairs_add(&p, 0, 0) == -1);
	CHECK(isnan(agree_pairs_kappa(&p)));
	CHECK(isnan(agree_pairs_observed(&p)));

	x[n] = -1, y[n] = 0, n++;
	x[n] = 1, y[n] = -1, n++;
	x[n] = 2, y[n] = 1, n++;
	x[n] = 0, y[n] = INT_MIN, n++;
	NEAR(agree_cohen(x, y, n, 2), 0.40);
	NEAR(agree_percent(x, y, n, 2), 0.70);
	CHECK(agree_pairs_init(&p, 2) == 0);
	CHECK(agree_pairs_add(&p, -1, 0) == -1);
	CHECK(agree_pairs_add(&p, 0, 2) == -1);
	CHECK(agree_pairs_add(&p, 1, 0) == 0);
	CHECK(p.n == 1 && p.m[1 * 2 + 0] == 1);
}

static void
cohen_symmetry(void)
{
	static const int m[9] = { 5, 1, 0, 1, 4, 1, 0, 2, 6 };
	int a[400], b[400];
	struct rng r;
	size_t n = expand(m, 3, a, b), i;
	int t;

	CHECK(agree_cohen(a, b, n, 3) == agree_cohen(b, a, n, 3));
	/* Random, skewed raters: bit-identical both ways and equal to the textbook. */
	rng_seed(&r, 7);
	for (t = 0; t < 50; t++) {
		n = 1 + rng_below(&r, 400);
		for (i = 0; i < n; i++) {
			a[i] = (int)rng_below(&r, 3);
			b[i] = rng_below(&r, 3) == 0 ? a[i] : (int)rng_below(&r, 2);
		}
		CHECK(agree_cohen(a, b, n, 3) == agree_cohen(b, a, n, 3));
		CHECK(agree_percent(a, b, n, 3) == agree_percent(b, a, n, 3));
		if (!isnan(ref_cohen(a, b, n, 3)))
			CHECK(fabs(agree_cohen(a, b, n, 3) - ref_cohen(a, b, n, 3)) < 1e-12);
	}
}

static void
cohen_streaming(void)
{
	int a[300], b[300];
	struct agree_pairs p;
	struct rng r;
	size_t n = 300, i;

	rng_seed(&r, 11);
	CHECK(agree_pairs_init(&p, 3) == 0);
	for (i = 0; i < n; i++) {
		a[i] = (int)rng_below(&r, 4) - 1; /* -1 = did not rate */
		b[i] = rng_below(&r, 2) ? a[i] : (int)rng_below(&r, 3);
		CHECK(agree_pairs_add(&p, a[i], b[i]) == (a[i] < 0 || b[i] < 0 ? -1 : 0));
	}
	CHECK(p.n > 0 && p.n < n);
	CHECK(agree_pairs_kappa(&p) == agree_cohen(a, b, n, 3));
	CHECK(agree_pairs_observed(&p) == agree_percent(a, b, n, 3));
	CHECK(agree_pairs_kappa(&p) > 0.3); /* half the items copied */
}

/* The Fleiss (1971) / Wikipedia table: 10 subjects, 14 raters, 5 categories. */
static const int wiki[50] = {
	0, 0, 0, 0, 14,
	0, 2, 6, 4, 2,
	0, 0, 3, 5, 6,
	0, 3, 9, 2, 0,
	2, 2, 8, 1, 1,
	7, 7, 0, 0, 0,
	3, 2, 6, 3, 0,
	2, 5, 3, 2, 2,
	6, 5, 2, 1, 0,
	0, 2, 2, 3, 7,
};

static void
fleiss_wikipedia(void)
{
	/*
	 * sum_j n_ij^2 - 14 per row: 182, 46, 56, 80, 60, 84, 44, 32, 52, 52,
	 * total 688; P_bar = 688 / (10 * 14 * 13) = 172/455 = 0.378022.
	 * Column totals 20, 28, 39, 21, 32 of 140:
	 * Pe = (400 + 784 + 1521 + 441 + 1024) / 19600 = 417/1960 = 0.212755.
	 * kappa = (172/455 - 417/1960) / (1 - 417/1960) = 4211/20059 = 0.20993,
	 * which is Wikipedia's 0.210.
	 */
	size_t used = 0;
	double k = agree_fleiss(wiki, 10, 5, &used);

	CHECK(used == 10);
	NEAR(k, 4211.0 / 20059.0);
	CHECK(lround(k * 1000) == 210);
	NEAR(agree_percent_counts(wiki, 10, 5, &used), 172.0 / 455.0);
	CHECK(used == 10);
	NEAR(k, ref_fleiss(wiki, 10, 5, 14));
	CHECK(agree_fleiss(wiki, 10, 5, NULL) == k);
}

static void
fleiss_two_raters_scott(void)
{
	/*
	 * 10 items, 2 raters, yes = 0 / no = 1: yes/yes 4, yes/no 2, no/yes 1,
	 * no/no 3. Scott's pi: po = 7/10; pooled yes = (6 + 5) / 20 = 0.55,
	 * no = 0.45; pe = 0.3025 + 0.2025 = 0.505;
	 * pi = (0.7 - 0.505) / 0.495 = 0.195 / 0.495 = 13/33 = 0.393939...
	 * As counts: {2,0} x4 (P_i = (4-2)/2 = 1), {1,1} x3 (P_i = 0),
	 * {0,2} x3 (P_i = 1): P_bar = 7/10, p = (8+3)/20, (3+6)/20 -- the same.
	 * (Cohen's kappa differs: pe = 0.6*0.5 + 0.4*0.5 = 0.5, kappa = 0.4.)
	 */
	static const int m[4] = { 4, 2, 1, 3 };
	int a[10], b[10], counts[20];
	size_t n = expand(m, 2, a, b), i, used;
	struct rng r;
	int t;

	CHECK(n == 10);
	for (i = 0; i < n; i++) {
		counts[i * 2] = (a[i] == 0) + (b[i] == 0);
		counts[i * 2 + 1] = (a[i] == 1) + (b[i] == 1);
	}
	NEAR(agree_fleiss(counts, n, 2, &used), 13.0 / 33.0);
	CHECK(used == 10);
	NEAR(ref_scott(a, b, n, 2), 13.0 / 33.0);
	NEAR(agree_cohen(a, b, n, 2), 0.4);

	/* And on random three-category data. */
	rng_seed(&r, 3);
	for (t = 0; t < 30; t++) {
		int x[200], y[200], c[600];

		n = 2 + rng_below(&r, 199);
		for (i = 0; i < n; i++) {
			x[i] = (int)rng_below(&r, 3);
			y[i] = rng_below(&r, 2) ? x[i] : (int)rng_below(&r, 3);
			c[i * 3] = (x[i] == 0) + (y[i] == 0);
			c[i * 3 + 1] = (x[i] == 1) + (y[i] == 1);
			c[i * 3 + 2] = (x[i] == 2) + (y[i] == 2);
		}
		if (!isnan(ref_scott(x, y, n, 3)))
			CHECK(fabs(agree_fleiss(c, n, 3, NULL) - ref_scott(x, y, n, 3)) < 1e-12);
	}
}

static void
fleiss_varying_raters(void)
{
	/*
	 * k = 3, items with 3, 2, 4, 1 and 3 ratings:
	 *	{2,1,0} r=3: (4+1 - 3) / (3*2)   = 2/6  = 1/3
	 *	{0,2,0} r=2: (4 - 2) / (2*1)     = 1
	 *	{1,1,2} r=4: (1+1+4 - 4) / (4*3) = 2/12 = 1/6
	 *	{0,0,1} r=1: skipped
	 *	{0,0,3} r=3: (9 - 3) / 6         = 1
	 * P_bar = (1/3 + 1 + 1/6 + 1) / 4 = 2.5/4 = 5/8 = 0.625.
	 * Category totals over the kept items: 3, 4, 5 of 12 ratings:
	 * Pe = (9 + 16 + 25) / 144 = 25/72.
	 * kappa = (5/8 - 25/72) / (1 - 25/72) = (45 - 25) / 47 = 20/47 = 0.425532.
	 */
	static const int c[15] = { 2, 1, 0, 0, 2, 0, 1, 1, 2, 0, 0, 1, 0, 0, 3 };
	/*
	 * k = 2: {3,0} P=1, {1,1} P=0, {2,2} P=(8-4)/12=1/3, {1,2} P=(5-3)/6=1/3:
	 * P_bar = (5/3)/4 = 5/12; totals 7, 5 of 12: Pe = (49 + 25)/144 = 37/72;
	 * kappa = (30/72 - 37/72) / (35/72) = -7/35 = -0.2.
	 */
	static const int d[8] = { 3, 0, 1, 1, 2, 2, 1, 2 };
	size_t used = 0;

	NEAR(agree_fleiss(c, 5, 3, &used), 20.0 / 47.0);
	CHECK(used == 4);
	NEAR(agree_percent_counts(c, 5, 3, &used), 5.0 / 8.0);
	CHECK(used == 4);
	NEAR(agree_fleiss(d, 4, 2, &used), -0.2);
	CHECK(used == 4);
	NEAR(agree_percent_counts(d, 4, 2, NULL), 5.0 / 12.0);
}

static void
fleiss_skips(void)
{
	/* The Wikipedia table with unusable rows interleaved: the same kappa. */
	int m[100];
	struct agree_fleiss_acc acc;
	static const int one[5] = { 0, 0, 1, 0, 0 }, none[5] = { 0 };
	static const int neg[5] = { 3, -1, 0, 0, 0 };
	static const int huge[2] = { INT_MAX, 1 }, big[2] = { INT_MAX, 0 };
	size_t i, j, used = 0;
	double k;

	for (i = 0; i < 10; i++) {
		for (j = 0; j < 5; j++) {
			m[i * 10 + j] = wiki[i * 5 + j];
			m[i * 10 + 5 + j] = i % 3 == 0 ? one[j] : i % 3 == 1 ? none[j] : neg[j];
		}
	}
	k = agree_fleiss(m, 20, 5, &used);
	CHECK(used == 10);
	CHECK(k == agree_fleiss(wiki, 10, 5, NULL));

	/* Nothing qualifies: NaN, *used = 0. */
	used = 99;
	CHECK(isnan(agree_fleiss(one, 1, 5, &used)));
	CHECK(used == 0);
	CHECK(isnan(agree_fleiss(NULL, 0, 5, &used)));
	CHECK(used == 0);
	CHECK(isnan(agree_percent_counts(none, 1, 5, &used)));
	CHECK(isnan(agree_fleiss(wiki, 10, 0, &used)) && used == 0);
	CHECK(isnan(agree_fleiss(wiki, 2, AGREE_KMAX + 1, &used)) && used == 0);

	agree_fleiss_init(&acc);
	CHECK(agree_fleiss_add(&acc, one, 5) == 0);
	CHECK(agree_fleiss_add(&acc, none, 5) == 0);
	CHECK(agree_fleiss_add(&acc, neg, 5) == -1);
	CHECK(agree_fleiss_add(&acc, wiki, 0) == -1);
	CHECK(isnan(agree_fleiss_kappa(&acc, 5)));
	CHECK(isnan(agree_fleiss_observed(&acc)));
	CHECK(agree_fleiss_add(&acc, wiki + 5, 5) == 1);
	/* k is fixed by the first kept item. */
	CHECK(agree_fleiss_add(&acc, wiki + 5, 4) == -1);
	CHECK(isnan(agree_fleiss_kappa(&acc, 4)));
	CHECK(acc.items == 1 && acc.ratings == 14);

	/* Over INT_MAX ratings on one item is refused; INT_MAX is fine (P_i = 1). */
	agree_fleiss_init(&acc);
	CHECK(agree_fleiss_add(&acc, huge, 2) == -1);
	CHECK(agree_fleiss_add(&acc, big, 2) == 1);
	CHECK(agree_fleiss_observed(&acc) == 1.0);
}

static void
fleiss_degenerate(void)
{
	/* Every rating "skip": Pe = 1 and P_bar = 1, defined as 1.0. */
	static const int s[9] = { 0, 0, 3, 0, 0, 2, 0, 0, 5 };
	/* Perfect agreement within items but varied categories: Pe < 1, kappa 1. */
	static const int v[9] = { 3, 0, 0, 0, 2, 0, 0, 0, 4 };
	/*
	 * Within-item agreement exactly at chance: {1,1} twice, r = 2:
	 * P_i = 0, P_bar = 0; p = 1/2, 1/2, Pe = 1/2; kappa = -1/2 / 1/2 = -1.
	 */
	static const int c[4] = { 1, 1, 1, 1 };
	size_t used;

	CHECK(agree_fleiss(s, 3, 3, &used) == 1.0 && used == 3);
	CHECK(agree_fleiss(s, 1, 3, &used) == 1.0 && used == 1);
	NEAR(agree_fleiss(v, 3, 3, &used), 1.0);
	CHECK(agree_fleiss(c, 2, 2, &used) == -1.0);
}

static void
fleiss_streaming(void)
{
	int m[300 * 3];
	struct agree_fleiss_acc acc;
	struct rng r;
	size_t i, n = 300, kept = 0, used;
	int j, t, rows_r, ret;

	/* Random items, 0 to 6 raters each, skewed towards agreement. */
	rng_seed(&r, 5);
	agree_fleiss_init(&acc);
	for (i = 0; i < n; i++) {
		rows_r = (int)rng_below(&r, 7);
		t = (int)rng_below(&r, 3);
		for (j = 0; j < 3; j++)
			m[i * 3 + j] = 0;
		for (j = 0; j < rows_r; j++)
			m[i * 3 + (rng_below(&r, 3) ? t : (int)rng_below(&r, 3))]++;
		ret = agree_fleiss_add(&acc, m + i * 3, 3);
		CHECK(ret == (rows_r >= 2 ? 1 : 0));
		kept += rows_r >= 2;
	}
	CHECK(acc.items == kept);
	CHECK(agree_fleiss_kappa(&acc, 3) == agree_fleiss(m, n, 3, &used));
	CHECK(used == kept);
	CHECK(agree_fleiss_observed(&acc) == agree_percent_counts(m, n, 3, &used));
	CHECK(agree_fleiss_kappa(&acc, 3) > 0.3);

	/* Constant r: the generalisation is Fleiss' printed formula. */
	for (i = 0; i < n; i++) {
		t = (int)rng_below(&r, 3);
		for (j = 0; j < 3; j++)
			m[i * 3 + j] = 0;
		for (j = 0; j < 5; j++)
			m[i * 3 + (rng_below(&r, 2) ? t : (int)rng_below(&r, 3))]++;
	}
	NEAR(agree_fleiss(m, n, 3, &used), ref_fleiss(m, n, 3, 5));
	CHECK(used == n);
}

int
main(void)
{
	h_suite = "agreement";
	RUN(cohen_classic_2x2);
	RUN(cohen_three_categories);
	RUN(cohen_perfect);
	RUN(cohen_chance);
	RUN(cohen_degenerate);
	RUN(cohen_empty_and_bad);
	RUN(cohen_symmetry);
	RUN(cohen_streaming);
	RUN(fleiss_wikipedia);
	RUN(fleiss_two_raters_scott);
	RUN(fleiss_varying_raters);
	RUN(fleiss_skips);
	RUN(fleiss_degenerate);
	RUN(fleiss_streaming);
	HARNESS_END();
}
