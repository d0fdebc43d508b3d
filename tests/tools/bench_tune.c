/* SPDX-License-Identifier: MIT */
/*
 * Benchmark for core/metrics/tune.h, run by tests/bench/tune.sh: builds an index
 * over N synthetic candidates (default 1,000,000) of which L (default
 * 5,000) carry a label, then times 10,001 evaluations at cutoffs moving in
 * small steps across the metric's range, the way a held-down key moves a
 * threshold in the TUI, and the whole-index calls. Prints one block of
 * figures; exits 1 when the median evaluation misses the 2 ms frame budget.
 *
 * Usage: bench_tune [N [L]]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/base/rng.h"
#include "core/metrics/tune.h"
#include "core/base/util.h"

#define STEPS 10001
#define BINS 80

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int64_t n = 1000000, nlab = 5000, i, sink = 0;
	struct tune_index *idx;
	struct tune_eval e;
	struct tune_bin bins[BINS];
	struct rng r;
	double *values, *dt, t0, t_build, t_auc, t_f1, t_prec, t_hist, auc, median, worst, sum;
	signed char *labels;
	char *cause = NULL;
	int k, rc;

	if ((argc > 1 && parse_int64(argv[1], 1, INT64_C(100000000), &n) != 0) ||
	    (argc > 2 && parse_int64(argv[2], 0, n, &nlab) != 0) || argc > 3) {
		fprintf(stderr, "usage: bench_tune [candidates [labels]]\n");
		return 2;
	}
	values = xreallocarray(NULL, (size_t)n, sizeof *values);
	labels = xmalloc((size_t)n);
	dt = xreallocarray(NULL, STEPS, sizeof *dt);

	/*
	 * Accepts ~ N(0.6, 0.15), rejects ~ N(0.4, 0.15), the unlabelled rest
	 * ~ N(0.5, 0.2): the labelled ones are spread evenly through the
	 * array, as reviewed candidates are among all the scored ones.
	 */
	rng_seed(&r, 42);
	for (i = 0; i < n; i++) {
		if (nlab > 0 && i % (n / nlab) == 0 && i / (n / nlab) < nlab) {
			labels[i] = rng_below(&r, 2) ? TUNE_ACCEPT : TUNE_REJECT;
			values[i] = (labels[i] == TUNE_ACCEPT ? 0.6 : 0.4) + 0.15 * rng_normal(&r);
		} else {
			labels[i] = TUNE_UNDECIDED;
			values[i] = 0.5 + 0.2 * rng_normal(&r);
		}
	}

	t0 = now_mono_s();
	idx = tune_build(values, labels, (size_t)n, &cause);
	t_build = now_mono_s() - t0;
	if (idx == NULL) {
		fprintf(stderr, "bench_tune: %s\n", cause);
		return 1;
	}

	/* From 0 to 1 in steps of 1e-4, timing each evaluation alone. */
	for (k = 0; k < STEPS; k++) {
		double c = (double)k / (STEPS - 1);

		t0 = now_mono_s();
		tune_eval_at(idx, c, k & 1 ? TUNE_KEEP_BELOW : TUNE_KEEP_ABOVE, &e);
		dt[k] = now_mono_s() - t0;
		sink += e.kept + e.kept_accept;
	}
	sum = 0;
	for (k = 0; k < STEPS; k++)
		sum += dt[k];
	qsort(dt, STEPS, sizeof *dt, cmp_double);
	median = dt[STEPS / 2];
	worst = dt[STEPS - 1];

	t0 = now_mono_s();
	auc = tune_auc(idx, TUNE_KEEP_ABOVE);
	t_auc = now_mono_s() - t0;
	t0 = now_mono_s();
	rc = tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &e);
	t_f1 = now_mono_s() - t0;
	t0 = now_mono_s();
	tune_suggest_precision(idx, TUNE_KEEP_ABOVE, 0.8, &e);
	t_prec = now_mono_s() - t0;
	t0 = now_mono_s();
	tune_histogram(idx, BINS, 0, 1, bins);
	t_hist = now_mono_s() - t0;

	printf("bench-tune: %lld candidates, %zu accepts, %zu rejects\n", (long long)n,
	    tune_count(idx, TUNE_ACCEPT), tune_count(idx, TUNE_REJECT));
	printf("  build index        %10.3f ms\n", t_build * 1e3);
	printf("  eval_at x %d   median %8.3f us  worst %8.3f us  mean %8.3f us"
	       "  (target: median < 2000 us)\n",
	    STEPS, median * 1e6, worst * 1e6, sum / STEPS * 1e6);
	printf("  auc                %10.3f ms  (AUC %.4f)\n", t_auc * 1e3, auc);
	tune_suggest_f1(idx, TUNE_KEEP_ABOVE, &e);
	printf("  suggest_f1         %10.3f ms  (cutoff %.4f, F1 %.4f)\n", t_f1 * 1e3,
	    rc == 0 ? e.cutoff : NAN, rc == 0 ? e.f1 : NAN);
	printf("  suggest_precision  %10.3f ms\n", t_prec * 1e3);
	printf("  histogram %d bins  %10.3f ms\n", BINS, t_hist * 1e3);
	if (sink == 0)
		printf("  (no candidate was ever kept)\n");

	tune_free(idx);
	free(values);
	free(labels);
	free(dt);
	return median < 2e-3 ? 0 : 1;
}
