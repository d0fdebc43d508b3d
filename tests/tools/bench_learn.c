/* SPDX-License-Identifier: MIT */
/*
 * make bench-learn: how many decisions each review order needs before the
 * learned filter is as good as it gets. A synthetic project of POOL
 * candidates from four ops (each its own spread of six scores, ids grouped
 * by op as an augment run makes them) with a known acceptance rule and 5%
 * of labels flipped; a reviewer labels in id order, in random order, or in
 * the uncertain queue's order (batches of BATCH, the model refitted after
 * each, one place in QUEUE_RANDOM_SHARE drawn at random). After every batch
 * the model is fitted on the labels so far and its F1 measured on a held-out
 * set of TEST candidates; an order's figure is the labels it needed to come
 * within 0.02 of the F1 of the model fitted on every label of the pool.
 *
 *   bench_learn [SEEDS]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/metrics/learn.h"
#include "core/store.h"

#define POOL 2000
#define TEST 2000
#define D 6
#define BATCH 10
#define L2 0.01

static void
make(struct rng *r, double *x, signed char *y, size_t n, int grouped)
{
	static const double shift[4][D] = {
		{ 1.0, -0.5, 0, 0, 0, 0 }, { -0.5, 1.0, 0.5, 0, 0, 0 },
		{ 0, 0, -1.0, 0.5, 0, 0 }, { 0.5, 0.5, 0.5, -0.5, 0, 0 },
	};
	for (size_t i = 0; i < n; i++) {
		int op = grouped ? (int)(i * 4 / n) : (int)rng_below(r, 4);
		for (int j = 0; j < D; j++)
			x[i * D + j] = shift[op][j] + rng_normal(r);
		double t = 2 * x[i * D] - 1.5 * x[i * D + 1] + x[i * D + 2] + 0.3;
		y[i] = t > 0;
		if (rng_uniform(r) < 0.05)
			y[i] = !y[i];
	}
}

static double
f1_on(const struct learn_model *m, const double *x, const signed char *y, size_t n)
{
	long tp = 0, fp = 0, fn = 0;
	for (size_t i = 0; i < n; i++) {
		int kept = learn_predict(m, x + i * D) >= 0.5;
		tp += kept && y[i];
		fp += kept && !y[i];
		fn += !kept && y[i];
	}
	return 2 * tp + fp + fn > 0 ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0;
}

/* Fits on the first k rows of order and returns the test F1 (0 when it cannot fit). */
static double
fit_first(const double *x, const signed char *y, const size_t *order, size_t k,
    const double *tx, const signed char *ty, struct learn_model *m)
{
	static double lx[POOL * D];
	static signed char ly[POOL];
	for (size_t i = 0; i < k; i++) {
		memcpy(lx + i * D, x + order[i] * D, D * sizeof *lx);
		ly[i] = y[order[i]];
	}
	if (learn_fit(lx, ly, k, D, L2, m, NULL) != 0)
		return 0;
	return f1_on(m, tx, ty, TEST);
}

enum { BY_ID, BY_RANDOM, BY_UNCERTAIN };

static size_t
labels_needed(int how, const double *x, const signed char *y, const double *tx,
    const signed char *ty, double target, uint64_t seed)
{
	size_t order[POOL];
	int used[POOL] = { 0 };
	struct rng r;
	struct learn_model m;
	size_t k = 0;

	rng_seed(&r, seed);
	for (size_t i = 0; i < POOL; i++)
		order[i] = i;
	if (how == BY_RANDOM || how == BY_UNCERTAIN)
		for (size_t i = POOL; i > 1; i--) {
			size_t j = (size_t)rng_below(&r, i), t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
	/* The uncertain queue starts from a first random batch, as before any filter. */
	for (k = BATCH; k <= POOL; k += BATCH) {
		double f1 = fit_first(x, y, order, k, tx, ty, &m);
		if (f1 >= target) {
			learn_model_free(&m);
			return k;
		}
		if (how == BY_UNCERTAIN && m.d > 0 && k < POOL) {
			for (size_t i = 0; i < k; i++)
				used[order[i]] = 1;
			/* The next batch: the least certain of the rest, every fifth at random. */
			for (size_t b = 0; b < BATCH && k + b < POOL; b++) {
				size_t best = POOL;
				if ((k + b) % QUEUE_RANDOM_SHARE == QUEUE_RANDOM_SHARE - 1) {
					size_t left = 0;
					for (size_t i = 0; i < POOL; i++)
						left += !used[i];
					size_t pick = (size_t)rng_below(&r, left);
					for (size_t i = 0; i < POOL && best == POOL; i++)
						if (!used[i] && pick-- == 0)
							best = i;
				} else {
					double u = 2;
					for (size_t i = 0; i < POOL; i++)
						if (!used[i]) {
							double d = fabs(learn_predict(&m, x + i * D) - 0.5);
							if (d < u) {
								u = d;
								best = i;
							}
						}
				}
				used[best] = 1;
				order[k + b] = best;
			}
			/* The rest keeps its random order behind the batch. */
			size_t w = k + BATCH < POOL ? k + BATCH : POOL;
			for (size_t i = 0; i < POOL && w < POOL; i++) {
				int seen = 0;
				for (size_t q = 0; q < k + BATCH && q < POOL && !seen; q++)
					seen = order[q] == i;
				if (!seen)
					order[w++] = i;
			}
		}
		if (m.d > 0)
			learn_model_free(&m);
	}
	return POOL;
}

static int
cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	static double x[POOL * D], tx[TEST * D];
	static signed char y[POOL], ty[TEST];
	int seeds = argc > 1 ? atoi(argv[1]) : 5;
	size_t need[3][64];
	const char *names[3] = { "id order", "random", "uncertain" };

	if (seeds < 1 || seeds > 64)
		seeds = 5;
	printf("bench-learn: %d candidates in 4 ops (ids grouped by op), %d held out, %d scores, "
	    "5%% labels flipped, batches of %d, %d seeds\n", POOL, TEST, D, BATCH, seeds);
	for (int s = 0; s < seeds; s++) {
		struct rng r;
		struct learn_model full;
		size_t all[POOL];
		rng_seed(&r, 1000 + (uint64_t)s);
		make(&r, x, y, POOL, 1);
		make(&r, tx, ty, TEST, 0);
		for (size_t i = 0; i < POOL; i++)
			all[i] = i;
		double best = fit_first(x, y, all, POOL, tx, ty, &full);
		learn_model_free(&full);
		for (int how = 0; how < 3; how++)
			need[how][s] = labels_needed(how, x, y, tx, ty, best - 0.02, 77 + (uint64_t)s);
		printf("  seed %d: F1 with every label %.3f; labels to within 0.02: id %zu, random %zu, "
		    "uncertain %zu\n", s, best, need[0][s], need[1][s], need[2][s]);
	}
	printf("  %-10s %s\n", "order", "labels needed (median over seeds)");
	size_t med[3];
	for (int how = 0; how < 3; how++) {
		qsort(need[how], (size_t)seeds, sizeof need[how][0], cmp);
		med[how] = need[how][seeds / 2];
		printf("  %-10s %zu\n", names[how], med[how]);
	}
	printf("  uncertain / random = %.2f (goal <= 0.50): %s\n", (double)med[2] / (double)med[1],
	    med[2] * 2 <= med[1] ? "PASS" : "FAIL");
	return 0;
}
