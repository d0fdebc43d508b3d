/* SPDX-License-Identifier: MIT */
/*
 * Threshold tuning behind core/metrics/tune.h: a sorted copy of one metric with
 * prefix counts of accepts and rejects, so that any cutoff is answered by
 * binary search, plus the O(n) walks (AUC, suggested cutoffs) and SLUMA's
 * adaptive threshold rule.
 */
#include "core/metrics/tune.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

struct tune_index {
	size_t n;       /* indexed (non-NaN) values */
	size_t dropped; /* NaN values left out */
	double *v;      /* n values, ascending */
	/*
	 * n + 1 prefix counts: acc[i] accepts and rej[i] rejects among
	 * v[0 .. i). Undecided ones are i - acc[i] - rej[i], so they need no
	 * array of their own.
	 */
	size_t *acc, *rej;
};

/*
 * Maps a double to an unsigned key with the same order: flip every bit of a
 * negative number (so larger magnitudes sort first), set the sign bit of a
 * positive one. -0.0 is folded into 0.0 beforehand so equal values get
 * equal keys.
 */
static uint64_t
key_of(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0.0;
	memcpy(&u, &x, sizeof u);
	return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double
value_of(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
	double x;

	memcpy(&x, &u, sizeof x);
	return x;
}

/*
 * LSD radix sort of keys (carrying labels along), a byte per pass. A
 * comparison sort of a million values takes a good part of a second with
 * qsort; this takes a few milliseconds. Passes where every key shares the
 * byte are skipped: metrics in [0, 1] share most of their exponent bytes.
 */
static void
radix_sort(uint64_t *key, signed char *lab, size_t n)
{
	uint64_t *tkey;
	signed char *tlab;
	size_t count[8][256], pos[256], i, sum;
	int pass, b;

	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++) {
		for (pass = 0; pass < 8; pass++)
			count[pass][(key[i] >> (8 * pass)) & 0xff]++;
	}
	tkey = xreallocarray(NULL, n, sizeof *tkey);
	tlab = xmalloc(n);
	for (pass = 0; pass < 8; pass++) {
		if (count[pass][(key[0] >> (8 * pass)) & 0xff] == n)
			continue;
		sum = 0;
		for (b = 0; b < 256; b++) {
			pos[b] = sum;
			sum += count[pass][b];
		}
		for (i = 0; i < n; i++) {
			size_t p = pos[(key[i] >> (8 * pass)) & 0xff]++;
			tkey[p] = key[i];
			tlab[p] = lab[i];
		}
		memcpy(key, tkey, n * sizeof *key);
		memcpy(lab, tlab, n);
	}
	free(tkey);
	free(tlab);
}

struct tune_index *
tune_build(const double *values, const signed char *labels, size_t n, char **cause)
{
	struct tune_index *idx;
	uint64_t *key;
	signed char *lab;
	size_t i, m;

	if (values == NULL && n > 0) {
		cause_set(cause, "tune: no values for %zu candidates", n);
		return NULL;
	}
	for (i = 0; labels != NULL && i < n; i++) {
		if (labels[i] != TUNE_UNDECIDED && labels[i] != TUNE_REJECT &&
		    labels[i] != TUNE_ACCEPT) {
			cause_set(cause, "tune: candidate %zu has label %d, not -1, 0 or 1", i,
			    labels[i]);
			return NULL;
		}
	}

	idx = xcalloc(1, sizeof *idx);
	key = xreallocarray(NULL, n ? n : 1, sizeof *key);
	lab = xmalloc(n ? n : 1);
	for (i = m = 0; i < n; i++) {
		if (isnan(values[i]))
			continue;
		key[m] = key_of(values[i]);
		lab[m] = labels != NULL ? labels[i] : TUNE_UNDECIDED;
		m++;
	}
	idx->n = m;
	idx->dropped = n - m;
	if (m > 0)
		radix_sort(key, lab, m);

	idx->v = xreallocarray(NULL, m ? m : 1, sizeof *idx->v);
	idx->acc = xreallocarray(NULL, m + 1, sizeof *idx->acc);
	idx->rej = xreallocarray(NULL, m + 1, sizeof *idx->rej);
	idx->acc[0] = idx->rej[0] = 0;
	for (i = 0; i < m; i++) {
		idx->v[i] = value_of(key[i]);
		idx->acc[i + 1] = idx->acc[i] + (lab[i] == TUNE_ACCEPT);
		idx->rej[i + 1] = idx->rej[i] + (lab[i] == TUNE_REJECT);
	}
	free(key);
	free(lab);
	return idx;
}

void
tune_free(struct tune_index *idx)
{
	if (idx == NULL)
		return;
	free(idx->v);
	free(idx->acc);
	free(idx->rej);
	free(idx);
}

size_t
tune_size(const struct tune_index *idx)
{
	return idx->n;
}

size_t
tune_dropped(const struct tune_index *idx)
{
	return idx->dropped;
}

size_t
tune_count(const struct tune_index *idx, int label)
{
	switch (label) {
	case TUNE_ACCEPT:
		return idx->acc[idx->n];
	case TUNE_REJECT:
		return idx->rej[idx->n];
	case TUNE_UNDECIDED:
		return idx->n - idx->acc[idx->n] - idx->rej[idx->n];
	}
	return 0;
}

double
tune_min(const struct tune_index *idx)
{
	return idx->n ? idx->v[0] : NAN;
}

double
tune_max(const struct tune_index *idx)
{
	return idx->n ? idx->v[idx->n - 1] : NAN;
}

/* The first index whose value is >= x (n when none); a NaN x gives n. */
static size_t
lower_bound(const struct tune_index *idx, double x)
{
	size_t lo = 0, hi = idx->n, mid;

	if (isnan(x))
		return idx->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The first index whose value is > x (n when none). A NaN x gives 0 with no
 * special case: "v <= NaN" is false everywhere, so the search goes left.
 */
static size_t
upper_bound(const struct tune_index *idx, double x)
{
	size_t lo = 0, hi = idx->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx->v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Fills the counts and rates for keeping the sorted slice v[b .. e). */
static void
eval_slice(const struct tune_index *idx, size_t b, size_t e, struct tune_eval *out)
{
	int64_t all_a = (int64_t)idx->acc[idx->n], all_r = (int64_t)idx->rej[idx->n];
	int64_t all_u = (int64_t)idx->n - all_a - all_r, tp, fp;

	if (e < b) /* a reversed range */
		e = b;
	out->kept = (int64_t)(e - b);
	out->removed = (int64_t)idx->n - out->kept;
	out->kept_accept = tp = (int64_t)(idx->acc[e] - idx->acc[b]);
	out->kept_reject = fp = (int64_t)(idx->rej[e] - idx->rej[b]);
	out->kept_undecided = out->kept - tp - fp;
	out->removed_accept = all_a - tp;
	out->removed_reject = all_r - fp;
	out->removed_undecided = all_u - out->kept_undecided;

	out->defined = tp + fp > 0;
	out->precision = out->defined ? (double)tp / (double)(tp + fp) : NAN;
	out->recall = all_a > 0 ? (double)tp / (double)all_a : NAN;
	/* 2TP + FP + FN = TP + FP + all accepts. */
	out->f1 = tp + fp + all_a > 0 ? 2.0 * (double)tp / (double)(tp + fp + all_a) : NAN;
}

void
tune_eval_at(const struct tune_index *idx, double cutoff, enum tune_side side,
    struct tune_eval *out)
{
	memset(out, 0, sizeof *out);
	out->cutoff = cutoff;
	if (side == TUNE_KEEP_BELOW) {
		out->lo = -INFINITY;
		out->hi = cutoff;
		eval_slice(idx, 0, upper_bound(idx, cutoff), out);
	} else {
		out->lo = cutoff;
		out->hi = INFINITY;
		eval_slice(idx, lower_bound(idx, cutoff), idx->n, out);
	}
}

void
tune_eval_range(const struct tune_index *idx, double lo, double hi, struct tune_eval *out)
{
	memset(out, 0, sizeof *out);
	out->cutoff = out->lo = lo;
	out->hi = hi;
	/*
	 * lo > hi puts the upper bound's index before the lower one's, and a
	 * NaN lo (index n) or hi (index 0) does the same: eval_slice() reads
	 * such a slice as empty.
	 */
	eval_slice(idx, lower_bound(idx, lo), upper_bound(idx, hi), out);
}

double
tune_auc(const struct tune_index *idx, enum tune_side side)
{
	uint64_t twice_u = 0, a, r;
	size_t i, j, n = idx->n;
	double auc;

	if (idx->acc[n] == 0 || idx->rej[n] == 0)
		return NAN;
	/*
	 * For each run of equal values: every accept in it beats the rejects
	 * below the run and ties the rejects inside it. Doubling U keeps the
	 * halves integral, so the sum is exact.
	 */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && idx->v[j] == idx->v[i]; j++)
			;
		a = idx->acc[j] - idx->acc[i];
		r = idx->rej[j] - idx->rej[i];
		twice_u += a * (2 * (uint64_t)idx->rej[i] + r);
	}
	auc = (double)twice_u / (2.0 * (double)idx->acc[n] * (double)idx->rej[n]);
	return side == TUNE_KEEP_BELOW ? 1.0 - auc : auc;
}

/*
 * Walks the distinct values from the least strict cutoff to the strictest,
 * calling visit with the kept slice [b, e) and the cutoff value. It stops
 * when visit returns non-zero and returns that value (0 when it never did).
 */
typedef int (*slice_visit)(const struct tune_index *, size_t, size_t, double, void *);

static int
walk_cutoffs(const struct tune_index *idx, enum tune_side side, slice_visit visit, void *arg)
{
	size_t i, j, n = idx->n;
	int rc;

	if (side == TUNE_KEEP_BELOW) {
		/* Keeping v <= v[j - 1]: from the highest value down. */
		for (j = n; j > 0; j = i) {
			for (i = j - 1; i > 0 && idx->v[i - 1] == idx->v[j - 1]; i--)
				;
			if ((rc = visit(idx, 0, j, idx->v[j - 1], arg)) != 0)
				return rc;
		}
	} else {
		/* Keeping v >= v[i]: from the lowest value up. */
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && idx->v[j] == idx->v[i]; j++)
				;
			if ((rc = visit(idx, i, n, idx->v[i], arg)) != 0)
				return rc;
		}
	}
	return 0;
}

struct best_f1 {
	uint64_t tp, den; /* the best F1 so far is 2 tp / den */
	size_t b, e;
	double cutoff;
	int found;
};

static int
visit_f1(const struct tune_index *idx, size_t b, size_t e, double cutoff, void *arg)
{
	struct best_f1 *best = arg;
	uint64_t tp = idx->acc[e] - idx->acc[b], fp = idx->rej[e] - idx->rej[b];
	uint64_t den = tp + fp + idx->acc[idx->n];

	/*
	 * Compare tp / den > best tp / best den by cross-multiplying so that
	 * equal F1s tie exactly (floating division could split them and pick
	 * a stricter cutoff). The products stay below 2^64 for any index that
	 * fits in memory (counts under 2^31).
	 */
	if (!best->found || tp * best->den > best->tp * den) {
		best->tp = tp;
		best->den = den;
		best->b = b;
		best->e = e;
		best->cutoff = cutoff;
		best->found = 1;
	}
	return 0;
}

static void
fill_suggestion(const struct tune_index *idx, enum tune_side side, size_t b, size_t e,
    double cutoff, struct tune_eval *out)
{
	memset(out, 0, sizeof *out);
	out->cutoff = cutoff;
	out->lo = side == TUNE_KEEP_BELOW ? -INFINITY : cutoff;
	out->hi = side == TUNE_KEEP_BELOW ? cutoff : INFINITY;
	eval_slice(idx, b, e, out);
}

int
tune_suggest_f1(const struct tune_index *idx, enum tune_side side, struct tune_eval *out)
{
	struct best_f1 best;

	if (idx->acc[idx->n] == 0)
		return -1;
	memset(&best, 0, sizeof best);
	walk_cutoffs(idx, side, visit_f1, &best);
	if (!best.found)
		return -1;
	fill_suggestion(idx, side, best.b, best.e, best.cutoff, out);
	return 0;
}

struct first_precision {
	double target;
	size_t b, e;
	double cutoff;
};

static int
visit_precision(const struct tune_index *idx, size_t b, size_t e, double cutoff, void *arg)
{
	struct first_precision *fp = arg;
	size_t tp = idx->acc[e] - idx->acc[b], nfp = idx->rej[e] - idx->rej[b];

	/* The same division eval_slice() does, so the figures agree. */
	if (tp + nfp == 0 || (double)tp / (double)(tp + nfp) < fp->target)
		return 0;
	fp->b = b;
	fp->e = e;
	fp->cutoff = cutoff;
	return 1;
}

int
tune_suggest_precision(const struct tune_index *idx, enum tune_side side, double target,
    struct tune_eval *out)
{
	struct first_precision fp;

	if (isnan(target))
		return -1;
	memset(&fp, 0, sizeof fp);
	fp.target = target;
	if (walk_cutoffs(idx, side, visit_precision, &fp) == 0)
		return -1;
	fill_suggestion(idx, side, fp.b, fp.e, fp.cutoff, out);
	return 0;
}

int
tune_histogram(const struct tune_index *idx, int bins, double lo, double hi,
    struct tune_bin *out)
{
	size_t b, e;
	double w;
	int i;

	if (bins < 1 || !isfinite(lo) || !isfinite(hi) || !(lo < hi))
		return -1;
	w = hi - lo;
	if (!isfinite(w))
		return -1;
	/*
	 * Bin i holds the slice from the first value >= its lower edge to the
	 * first value >= the next edge; the first bin starts at index 0 and
	 * the last ends at n, which is what clamps outliers into the end bins.
	 * The edges never decrease (w and (i + 1) / bins are both positive
	 * and rounding is monotone), so neither do the slice ends.
	 */
	b = 0;
	for (i = 0; i < bins; i++) {
		out[i].lo = i == 0 ? lo : out[i - 1].hi;
		out[i].hi = i == bins - 1 ? hi : lo + w * ((double)(i + 1) / bins);
		e = i == bins - 1 ? idx->n : lower_bound(idx, out[i].hi);
		out[i].accept = (int64_t)(idx->acc[e] - idx->acc[b]);
		out[i].reject = (int64_t)(idx->rej[e] - idx->rej[b]);
		out[i].undecided = (int64_t)(e - b) - out[i].accept - out[i].reject;
		b = e;
	}
	return 0;
}

int
tune_enough_labels(const struct tune_index *idx, int min_per_class)
{
	size_t need = min_per_class > 0 ? (size_t)min_per_class : 0;

	return idx->acc[idx->n] >= need && idx->rej[idx->n] >= need;
}

double
tune_sluma_update(double tau, double acceptance, double d)
{
	if (isnan(acceptance))
		return tau;
	if (!(d >= 0))
		d = 0;
	if (d > 1)
		d = 1;
	return d * tau + (1 - d) * acceptance;
}

size_t
tune_sluma_select(const double *scores, size_t n, double tau, size_t *chosen)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		/* NaN compares false, so unscored candidates are never picked. */
		if (scores[i] >= tau) {
			if (chosen != NULL)
				chosen[k] = i;
			k++;
		}
	}
	return k;
}

/* The metric value at level u of the scale [lo, hi], turned round when low is good. */
static double
tune_sluma_value(double u, double lo, double hi, enum tune_side side)
{
	return side == TUNE_KEEP_ABOVE ? lo + u * (hi - lo) : hi - u * (hi - lo);
}

int
tune_sluma_step(const struct tune_index *idx, enum tune_side side, double tau, double d,
    struct tune_sluma *out)
{
	double lo = 0, hi = 1;
	int64_t labelled;

	memset(out, 0, sizeof *out);
	out->acceptance = out->next_tau = out->next_cutoff = NAN;
	if (tune_size(idx) == 0 || !(tau >= 0 && tau <= 1))
		return -1;
	/* A [0, 1] metric keeps its own numbers, so tau means what SLUMA's paper says. */
	if (tune_min(idx) < 0 || tune_max(idx) > 1) {
		lo = tune_min(idx);
		hi = tune_max(idx);
	}
	out->tau = tau;
	out->cutoff = tune_sluma_value(tau, lo, hi, side);
	tune_eval_at(idx, out->cutoff, side, &out->sel);
	labelled = out->sel.kept_accept + out->sel.kept_reject;
	if (labelled > 0) {
		out->acceptance = (double)out->sel.kept_accept / (double)labelled;
		out->next_tau = tune_sluma_update(tau, out->acceptance, d);
		out->next_cutoff = tune_sluma_value(out->next_tau, lo, hi, side);
	}
	return 0;
}

signed char
tune_majority(int accepts, int rejects)
{
	if (accepts > rejects)
		return TUNE_ACCEPT;
	if (rejects > accepts)
		return TUNE_REJECT;
	return TUNE_UNDECIDED;
}
