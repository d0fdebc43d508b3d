/* SPDX-License-Identifier: MIT */
/*
 * Threshold tuning: how a cutoff on one automatic metric (SSIM, a CLIP
 * similarity, a word count) agrees with what annotators decided. A person's
 * accept is a positive, a reject a negative; undecided candidates only count
 * in the kept/removed totals.
 *
 * tune_build() sorts the values once and keeps prefix counts of each label,
 * so evaluating any cutoff afterwards is two binary searches and a few
 * subtractions (O(log n)): the TUI can move a cutoff on every key press over
 * a million candidates. The whole-index questions (AUC, best cutoff) are a
 * single O(n) walk over the sorted values.
 *
 * An index is immutable once built; concurrent readers need no locking.
 */
#ifndef MMDA_TUNE_H
#define MMDA_TUNE_H

#include <stddef.h>
#include <stdint.h>

enum tune_label {
	TUNE_UNDECIDED = -1,
	TUNE_REJECT = 0,
	TUNE_ACCEPT = 1
};

/* Which side of the cutoff a threshold keeps. */
enum tune_side {
	TUNE_KEEP_ABOVE, /* keep value >= cutoff */
	TUNE_KEEP_BELOW  /* keep value <= cutoff */
};

/*
 * The outcome of one threshold. Counts cover the indexed (non-NaN) values
 * only. [lo, hi] is the kept interval: [cutoff, +inf] when keeping above,
 * [-inf, cutoff] when keeping below, the given bounds for a range.
 *
 * precision = kept_accept / (kept_accept + kept_reject); NaN with defined = 0
 *             when nothing labelled is kept.
 * recall    = kept_accept / all accepts; NaN when the index has no accepts.
 * f1        = 2 TP / (2 TP + FP + FN), which equals 2PR / (P + R) whenever
 *             both are defined and is 0 (not NaN) when TP is 0; NaN only when
 *             the index holds no labels at all.
 */
struct tune_eval {
	double cutoff;
	double lo, hi;
	int64_t kept, removed;
	int64_t kept_accept, kept_reject, kept_undecided;
	int64_t removed_accept, removed_reject, removed_undecided;
	double precision, recall, f1;
	int defined; /* 1 when precision is defined */
};

/* One histogram bin: values in [lo, hi) (the last bin also holds hi). */
struct tune_bin {
	double lo, hi;
	int64_t accept, reject, undecided;
};

struct tune_index;

/*
 * Builds an index over n candidates: values[i] is candidate i's metric,
 * labels[i] its enum tune_label (labels may be NULL: all undecided). Both
 * arrays are copied; the caller keeps ownership. Values that are NaN have no
 * place on the axis and are dropped (tune_dropped() counts them); -0.0 is
 * taken as 0.0 and infinities are kept. n may be 0 (an empty index).
 *
 * Returns a new index for tune_free(), or NULL with *cause set when values
 * is NULL while n > 0 or a label is not one of the three enum values.
 */
struct tune_index *tune_build(const double *values, const signed char *labels, size_t n,
    char **cause);
void tune_free(struct tune_index *idx);

/* Indexed (non-NaN) values; NaN values dropped by tune_build(). */
size_t tune_size(const struct tune_index *idx);
size_t tune_dropped(const struct tune_index *idx);
/* Indexed values with this label; 0 for anything but the three labels. */
size_t tune_count(const struct tune_index *idx, int label);
/* Smallest and largest indexed value; NaN for an empty index. */
double tune_min(const struct tune_index *idx);
double tune_max(const struct tune_index *idx);

/*
 * Evaluates one cutoff in O(log n). A NaN cutoff compares false with every
 * value, so it keeps nothing (as a filter written "v >= c" would).
 */
void tune_eval_at(const struct tune_index *idx, double cutoff, enum tune_side side,
    struct tune_eval *out);
/*
 * Two-sided form for metrics with both a minimum and a maximum: keeps
 * lo <= v <= hi. lo > hi (or a NaN bound) keeps nothing. out->cutoff is lo.
 */
void tune_eval_range(const struct tune_index *idx, double lo, double hi,
    struct tune_eval *out);

/*
 * ROC AUC of "being on the kept side predicts accept": the probability that
 * a random accept lies further toward the kept side than a random reject,
 * ties counting one half (the Mann-Whitney U statistic over accepts x
 * rejects). KEEP_BELOW gives 1 - the KEEP_ABOVE figure. Computed exactly
 * from integer pair counts. NaN when there are no accepts or no rejects.
 */
double tune_auc(const struct tune_index *idx, enum tune_side side);

/*
 * The cutoff (one of the distinct indexed values) with the highest F1. On a
 * tie the least strict cutoff wins: the one keeping the most candidates
 * (the lowest when keeping above, the highest when keeping below). Returns 0
 * and fills *out, or -1 with *out untouched when the index has no accepts
 * (every F1 would be 0 or undefined, so there is nothing to suggest).
 */
int tune_suggest_f1(const struct tune_index *idx, enum tune_side side, struct tune_eval *out);
/*
 * The least strict cutoff whose precision is defined and >= target. Returns
 * 0 and fills *out, or -1 with *out untouched when no cutoff reaches it
 * (including an index without labels). Precision is not monotone in the
 * cutoff, so stricter cutoffs than the one returned may fall below target.
 */
int tune_suggest_precision(const struct tune_index *idx, enum tune_side side, double target,
    struct tune_eval *out);

/*
 * Fills bins equal-width bins over [lo, hi] (bin i covers [lo + i w,
 * lo + (i + 1) w), the last one closed at hi). Values below lo count in the
 * first bin and values above hi in the last, so the bins always add up to
 * the whole index. O(bins log n). Returns 0, or -1 (out untouched) when
 * bins < 1 or lo, hi are not finite with lo < hi.
 */
int tune_histogram(const struct tune_index *idx, int bins, double lo, double hi,
    struct tune_bin *out);

/* 1 when both accepts and rejects number at least min_per_class, else 0. */
#define TUNE_MIN_PER_CLASS 10
int tune_enough_labels(const struct tune_index *idx, int min_per_class);

/*
 * SLUMA's adaptive selection threshold. A batch loop runs:
 *
 *	tau = TUNE_SLUMA_TAU0;
 *	for each batch of n scored candidates:
 *		k = tune_sluma_select(scores, n, tau, chosen);
 *		people review the k chosen ones;
 *		acceptance = accepted / k;
 *		tau = tune_sluma_update(tau, acceptance, TUNE_SLUMA_D);
 *
 * so a batch whose picks are mostly accepted relaxes the next bar toward
 * that rate and a poorly received batch pulls it down. When k is 0 there is
 * no rate to measure; the caller decides (keeping tau, or feeding 0).
 *
 * tune_sluma_update returns d * tau + (1 - d) * acceptance, with d clamped
 * to [0, 1]; a NaN acceptance leaves tau unchanged.
 * tune_sluma_select stores into chosen (which needs room for n entries; it
 * may be NULL to only count) the ascending indices whose score >= tau
 * (NaN scores never qualify) and returns how many there are.
 */
#define TUNE_SLUMA_D 0.5
#define TUNE_SLUMA_TAU0 0.9
double tune_sluma_update(double tau, double acceptance, double d);
size_t tune_sluma_select(const double *scores, size_t n, double tau, size_t *chosen);

/*
 * One SLUMA step on a metric's own direction and scale. tau is a level in
 * [0, 1] of how good a score is: the score itself when every indexed score
 * lies in [0, 1] (SSIM, similarities), else its place in the indexed range
 * [min, max] (PSNR in dB, CLIPScore, a distance in bits), and for a metric
 * that keeps low values the scale is turned round, so tau 0.9 picks the
 * best tenth of the scale either way. out->cutoff is tau in the metric's
 * units; out->sel is what keeping that side of it selects; acceptance is
 * the accepted share of the labelled ones selected, and next_tau (with
 * next_cutoff) the updated level, all NaN when none is labelled. Returns 0,
 * or -1 when the index is empty or tau is outside [0, 1].
 */
struct tune_sluma {
	double tau, cutoff;
	struct tune_eval sel;
	double acceptance, next_tau, next_cutoff;
};
int tune_sluma_step(const struct tune_index *idx, enum tune_side side, double tau, double d,
    struct tune_sluma *out);

/*
 * Majority of several annotators' votes: more accepts gives TUNE_ACCEPT,
 * more rejects TUNE_REJECT, a tie (or no votes) TUNE_UNDECIDED.
 */
signed char tune_majority(int accepts, int rejects);

#endif
