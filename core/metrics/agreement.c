/* SPDX-License-Identifier: MIT */
/*
 * Cohen's and Fleiss' kappa and observed agreement. Both statistics are
 * computed only by their accumulators; the array forms feed them, so there
 * is one computation path. Formulas and conventions are in agreement.h.
 */
#include "core/metrics/agreement.h"

#include <limits.h>
#include <math.h>
#include <string.h>

static int
agree_k_ok(int k)
{
	return k >= 1 && k <= AGREE_KMAX;
}

int
agree_pairs_init(struct agree_pairs *p, int k)
{
	memset(p, 0, sizeof *p);
	if (!agree_k_ok(k))
		return -1; /* p->k stays 0: adds fail, results are NaN */
	p->k = k;
	return 0;
}

int
agree_pairs_add(struct agree_pairs *p, int ca, int cb)
{
	if (ca < 0 || ca >= p->k || cb < 0 || cb >= p->k)
		return -1;
	p->m[ca * p->k + cb]++;
	p->n++;
	return 0;
}

double
agree_pairs_kappa(const struct agree_pairs *p)
{
	uint64_t na[AGREE_KMAX] = { 0 }, nb[AGREE_KMAX] = { 0 }, agreed = 0;
	double n, s, num, den;
	int i, j, k = p->k;

	if (p->n == 0 || !agree_k_ok(k))
		return NAN;
	for (i = 0; i < k; i++) {
		agreed += p->m[i * k + i];
		for (j = 0; j < k; j++) {
			na[i] += p->m[i * k + j];
			nb[j] += p->m[i * k + j];
		}
	}
	/*
	 * pe == 1 only when both raters used one category for everything;
	 * decided on the counts so that rounding cannot turn it into 0/tiny.
	 */
	for (i = 0; i < k; i++) {
		if (na[i] == p->n && nb[i] == p->n)
			return 1.0;
	}

	/*
	 * Multiplying po - pe and 1 - pe through by n^2 leaves integers, exact
	 * in a double while n^2 < 2^53 (some 94 million pairs), and S is
	 * symmetric term by term, so swapping the raters gives the same bits.
	 */
	n = (double)p->n;
	s = 0;
	for (i = 0; i < k; i++)
		s += (double)na[i] * (double)nb[i];
	num = n * (double)agreed - s;
	den = n * n - s;
	return num / den;
}

double
agree_pairs_observed(const struct agree_pairs *p)
{
	uint64_t agreed = 0;
	int i;

	if (p->n == 0 || !agree_k_ok(p->k))
		return NAN;
	for (i = 0; i < p->k; i++)
		agreed += p->m[i * p->k + i];
	return (double)agreed / (double)p->n;
}

/* Feeds the two arrays to a fresh accumulator; skips unrated items. */
static void
agree_pairs_fill(struct agree_pairs *p, const int *a, const int *b, size_t n, int k)
{
	size_t i;

	if (agree_pairs_init(p, k) != 0)
		return;
	for (i = 0; i < n; i++)
		(void)agree_pairs_add(p, a[i], b[i]);
}

double
agree_cohen(const int *a, const int *b, size_t n, int k)
{
	struct agree_pairs p;

	agree_pairs_fill(&p, a, b, n, k);
	return agree_pairs_kappa(&p);
}

double
agree_percent(const int *a, const int *b, size_t n, int k)
{
	struct agree_pairs p;

	agree_pairs_fill(&p, a, b, n, k);
	return agree_pairs_observed(&p);
}

void
agree_fleiss_init(struct agree_fleiss_acc *acc)
{
	memset(acc, 0, sizeof *acc);
}

int
agree_fleiss_add(struct agree_fleiss_acc *acc, const int *row, int k)
{
	uint64_t r = 0, sq = 0;
	int j;

	if (!agree_k_ok(k) || (acc->k != 0 && k != acc->k))
		return -1;
	for (j = 0; j < k; j++) {
		if (row[j] < 0)
			return -1;
		r += (uint64_t)row[j];
	}
	/* r <= INT_MAX keeps r^2, hence every sum of squares, below 2^62. */
	if (r > INT_MAX)
		return -1;
	if (r < 2)
		return 0;
	for (j = 0; j < k; j++)
		sq += (uint64_t)row[j] * (uint64_t)row[j];

	acc->k = k;
	acc->items++;
	acc->ratings += r;
	for (j = 0; j < k; j++)
		acc->tot[j] += (uint64_t)row[j];
	/* Of the r(r-1) ordered pairs of this item's raters, the agreeing ones. */
	acc->sum_p += (double)(sq - r) / ((double)r * (double)(r - 1));
	return 1;
}

double
agree_fleiss_kappa(const struct agree_fleiss_acc *acc, int k)
{
	double pbar, pe, pj;
	int j;

	if (acc->items == 0 || k != acc->k)
		return NAN;
	/* Pe == 1 only when every rating is in one category (then P_bar == 1). */
	for (j = 0; j < k; j++) {
		if (acc->tot[j] == acc->ratings)
			return 1.0;
	}
	pbar = acc->sum_p / (double)acc->items;
	pe = 0;
	for (j = 0; j < k; j++) {
		pj = (double)acc->tot[j] / (double)acc->ratings;
		pe += pj * pj;
	}
	return (pbar - pe) / (1 - pe);
}

double
agree_fleiss_observed(const struct agree_fleiss_acc *acc)
{
	if (acc->items == 0)
		return NAN;
	return acc->sum_p / (double)acc->items;
}

/* Feeds the matrix rows to a fresh accumulator; sets *used. */
static void
agree_fleiss_fill(struct agree_fleiss_acc *acc, const int *counts, size_t n, int k,
    size_t *used)
{
	size_t i;

	agree_fleiss_init(acc);
	if (agree_k_ok(k)) {
		for (i = 0; i < n; i++)
			(void)agree_fleiss_add(acc, counts + i * (size_t)k, k);
	}
	if (used != NULL)
		*used = acc->items;
}

double
agree_fleiss(const int *counts, size_t n, int k, size_t *used)
{
	struct agree_fleiss_acc acc;

	agree_fleiss_fill(&acc, counts, n, k, used);
	return agree_fleiss_kappa(&acc, k);
}

double
agree_percent_counts(const int *counts, size_t n, int k, size_t *used)
{
	struct agree_fleiss_acc acc;

	agree_fleiss_fill(&acc, counts, n, k, used);
	return agree_fleiss_observed(&acc);
}
