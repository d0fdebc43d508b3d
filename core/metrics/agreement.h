/* SPDX-License-Identifier: MIT */
/*
 * Inter-annotator agreement: Cohen's kappa for two raters, Fleiss' kappa for
 * many (with items rated by different numbers of raters), and the observed
 * agreement behind each, for the report of how consistently annotators
 * accept, reject or skip the same augmented pairs.
 *
 * Categories are small integers 0..k-1 (mmda uses k = 3: accept, reject,
 * skip), k at most AGREE_KMAX. Each statistic has a streaming accumulator
 * (struct agree_pairs, struct agree_fleiss_acc) so a big project can be fed
 * decision by decision; the array and matrix functions are thin loops over
 * those accumulators, so both forms give bit-identical results.
 *
 * Conventions, the same everywhere:
 *  - NaN when nothing qualifies (no item rated by both raters, no item with
 *    two or more ratings) or k is outside 1..AGREE_KMAX: there is no
 *    agreement to speak of, and NaN cannot be mistaken for a real value.
 *  - When the chance agreement is exactly 1 (every rating, by every rater,
 *    fell in one and the same category) kappa's 0/0 is defined as 1.0: the
 *    raters agreed on every item, only trivially. Chance agreement 1 forces
 *    observed agreement 1, so this is never a disagreement hidden as 1.0.
 *    The test is done on the integer counts, not on a rounded pe.
 *  - Observed agreement is a fraction in [0, 1] (multiply by 100 to show a
 *    percentage).
 * Nothing allocates; the functions are thread-safe on distinct structs.
 */
#ifndef MMDA_AGREEMENT_H
#define MMDA_AGREEMENT_H

#include <stddef.h>
#include <stdint.h>

/* The most categories a statistic can hold (keeps the structs fixed size). */
#define AGREE_KMAX 16

/*
 * Two raters, a and b: m[ca * k + cb] counts the items that a put in
 * category ca and b in cb. Fields are readable (e.g. to print the confusion
 * matrix); change them only through the functions below.
 */
struct agree_pairs {
	int k;        /* 0 after a failed init: everything is then NaN */
	uint64_t n;   /* pairs counted */
	uint64_t m[AGREE_KMAX * AGREE_KMAX];
};

/* Empties p for k categories. Returns 0, or -1 when k is outside 1..AGREE_KMAX. */
int agree_pairs_init(struct agree_pairs *p, int k);
/*
 * Counts one item rated ca by the first rater and cb by the second.
 * Returns 0, or -1 (nothing counted) when either is outside 0..k-1, so a
 * caller may pass -1 for "did not rate this item".
 */
int agree_pairs_add(struct agree_pairs *p, int ca, int cb);
/*
 * Cohen's kappa (po - pe) / (1 - pe), where po is the fraction of items on
 * which the raters agree and pe = sum_j pa_j pb_j with pa_j, pb_j each
 * rater's proportion of category j. Computed from the integer counts as
 * (n * agreed - S) / (n^2 - S), S = sum_j na_j nb_j, so kappa(a, b) ==
 * kappa(b, a) exactly. NaN when no item was counted; 1.0 when pe == 1.
 */
double agree_pairs_kappa(const struct agree_pairs *p);
/* Observed agreement po in [0, 1]; NaN when no item was counted. */
double agree_pairs_observed(const struct agree_pairs *p);

/*
 * Cohen's kappa over n items: a[i], b[i] are the two raters' categories for
 * item i. Items where either is outside 0..k-1 are skipped (use -1 for an
 * item a rater did not see). NaN when no item is left or k is bad.
 */
double agree_cohen(const int *a, const int *b, size_t n, int k);
/* Observed agreement of the same input, in [0, 1]; NaN as agree_cohen. */
double agree_percent(const int *a, const int *b, size_t n, int k);

/*
 * Fleiss' kappa for any number of raters, item by item. Each item is a row
 * of k counts, n_ij = how many raters put item i in category j, with r_i =
 * sum_j n_ij ratings. Items with r_i < 2 carry no agreement and are skipped.
 * For the items kept (N of them):
 *	P_i   = (sum_j n_ij^2 - r_i) / (r_i (r_i - 1))   pairs of raters agreeing
 *	P_bar = (1/N) sum_i P_i
 *	p_j   = sum_i n_ij / sum_i r_i
 *	Pe    = sum_j p_j^2
 *	kappa = (P_bar - Pe) / (1 - Pe)
 * When every item has the same r this is exactly Fleiss' (1971) formula
 * (p_j = sum_i n_ij / (N r)); when r varies it is the usual generalisation
 * that weights every item equally in P_bar and every rating equally in p_j.
 * With two raters on every item it equals Scott's pi.
 */
struct agree_fleiss_acc {
	int k;                    /* categories, fixed by the first item kept */
	size_t items;             /* items kept (r_i >= 2) */
	uint64_t ratings;         /* sum of r_i over them */
	uint64_t tot[AGREE_KMAX]; /* sum of n_ij per category */
	double sum_p;             /* sum of P_i */
};

/* Empties acc. */
void agree_fleiss_init(struct agree_fleiss_acc *acc);
/*
 * Adds one item's row of k counts. Returns 1 when the item was counted, 0
 * when it was skipped for having fewer than 2 ratings, -1 (not counted)
 * when k is outside 1..AGREE_KMAX or differs from earlier items', a count
 * is negative, or the row totals more than INT_MAX ratings.
 */
int agree_fleiss_add(struct agree_fleiss_acc *acc, const int *row, int k);
/*
 * Fleiss' kappa as above; NaN when no item was kept or k differs from the
 * items'; 1.0 when Pe == 1.
 */
double agree_fleiss_kappa(const struct agree_fleiss_acc *acc, int k);
/* Observed agreement P_bar in [0, 1]; NaN when no item was kept. */
double agree_fleiss_observed(const struct agree_fleiss_acc *acc);

/*
 * Fleiss' kappa of an n x k count matrix, counts[i * k + j] = n_ij. Rows
 * agree_fleiss_add refuses or skips are left out; *used (when not NULL)
 * gets the number of items counted. NaN when none is.
 */
double agree_fleiss(const int *counts, size_t n, int k, size_t *used);
/* Observed agreement P_bar of the same matrix, in [0, 1]; NaN as agree_fleiss. */
double agree_percent_counts(const int *counts, size_t n, int k, size_t *used);

#endif
