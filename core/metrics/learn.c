/* SPDX-License-Identifier: MIT */
/*
 * Logistic regression by Newton's method (the problem is small: tens of
 * features, thousands of decisions, so an exact Hessian and a Cholesky solve
 * beat any first-order method in both steps and certainty), stratified
 * folds, and held-out evaluation through the tuning index of tune.c.
 */
#include "core/metrics/learn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/base/util.h"
#include "core/metrics/tune.h"

#define MAX_STEPS 100

/* Column means and population standard deviations, NaN ignored; sd 0 -> 1. */
static void
standardise(const double *x, size_t n, size_t d, double *mean, double *sd)
{
	for (size_t j = 0; j < d; j++) {
		double s = 0, ss = 0;
		size_t c = 0;
		for (size_t i = 0; i < n; i++) {
			double v = x[i * d + j];
			if (isnan(v))
				continue;
			s += v;
			c++;
		}
		mean[j] = c > 0 ? s / (double)c : 0;
		for (size_t i = 0; i < n; i++) {
			double v = x[i * d + j];
			if (!isnan(v))
				ss += (v - mean[j]) * (v - mean[j]);
		}
		sd[j] = c > 0 ? sqrt(ss / (double)c) : 0;
		if (!(sd[j] > 1e-12))
			sd[j] = 1;
	}
}

static double
zval(const struct learn_model *m, const double *row, size_t j)
{
	double v = row[j];
	return isnan(v) ? 0 : (v - m->mean[j]) / m->sd[j];
}

static double
sigmoid(double t)
{
	return t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t));
}

/* Solves a x = g in place (x returned in g) for symmetric positive definite a
 * of order p by Cholesky. Returns -1 when a is not positive definite. */
static int
cholesky_solve(double *a, double *g, size_t p)
{
	for (size_t j = 0; j < p; j++) {
		double s = a[j * p + j];
		for (size_t k = 0; k < j; k++)
			s -= a[j * p + k] * a[j * p + k];
		if (!(s > 0))
			return -1;
		a[j * p + j] = sqrt(s);
		for (size_t i = j + 1; i < p; i++) {
			double t = a[i * p + j];
			for (size_t k = 0; k < j; k++)
				t -= a[i * p + k] * a[j * p + k];
			a[i * p + j] = t / a[j * p + j];
		}
	}
	for (size_t i = 0; i < p; i++) {
		double t = g[i];
		for (size_t k = 0; k < i; k++)
			t -= a[i * p + k] * g[k];
		g[i] = t / a[i * p + i];
	}
	for (size_t i = p; i-- > 0;) {
		double t = g[i];
		for (size_t k = i + 1; k < p; k++)
			t -= a[k * p + i] * g[k];
		g[i] = t / a[i * p + i];
	}
	return 0;
}

int
learn_fit(const double *x, const signed char *y, size_t n, size_t d, double l2,
    struct learn_model *m, char **cause)
{
	size_t p = d + 1; /* the weights, then the intercept */

	memset(m, 0, sizeof *m);
	if (n == 0)
		return cause_set(cause, "learn: no labelled candidates");
	for (size_t i = 0; i < n; i++)
		if (y[i] != 0 && y[i] != 1)
			return cause_set(cause, "learn: label %d of row %zu is not 0 or 1", y[i], i);
	m->d = d;
	m->l2 = l2;
	m->mean = xcalloc(d ? d : 1, sizeof *m->mean);
	m->sd = xcalloc(d ? d : 1, sizeof *m->sd);
	m->w = xcalloc(d ? d : 1, sizeof *m->w);
	standardise(x, n, d, m->mean, m->sd);
	double *z = xcalloc(p, sizeof *z), *h = xcalloc(p * p, sizeof *h);
	double *g = xcalloc(p, sizeof *g);
	int rc = -1;
	for (int step = 0; step < MAX_STEPS; step++) {
		memset(h, 0, p * p * sizeof *h);
		memset(g, 0, p * sizeof *g);
		for (size_t i = 0; i < n; i++) {
			double t = m->b;
			for (size_t j = 0; j < d; j++) {
				z[j] = zval(m, x + i * d, j);
				t += m->w[j] * z[j];
			}
			z[d] = 1;
			double pr = sigmoid(t), r = pr - y[i], s = pr * (1 - pr);
			for (size_t a = 0; a < p; a++) {
				g[a] += r * z[a];
				for (size_t b = 0; b <= a; b++)
					h[a * p + b] += s * z[a] * z[b];
			}
		}
		for (size_t a = 0; a < p; a++) {
			g[a] /= (double)n;
			for (size_t b = 0; b <= a; b++) {
				h[a * p + b] /= (double)n;
				h[b * p + a] = h[a * p + b];
			}
		}
		for (size_t j = 0; j < d; j++) {
			g[j] += l2 * m->w[j];
			h[j * p + j] += l2;
		}
		/* Separable data without a penalty has no finite optimum; a tiny ridge on
		 * the diagonal keeps the solve defined and the answer close. */
		for (size_t a = 0; a < p; a++)
			h[a * p + a] += 1e-12;
		if (cholesky_solve(h, g, p) != 0)
			break;
		double big = 0;
		for (size_t j = 0; j < d; j++) {
			m->w[j] -= g[j];
			big = fabs(g[j]) > big ? fabs(g[j]) : big;
		}
		m->b -= g[d];
		big = fabs(g[d]) > big ? fabs(g[d]) : big;
		m->iterations = step + 1;
		if (big < 1e-10) {
			rc = 0;
			break;
		}
	}
	free(z);
	free(h);
	free(g);
	if (rc != 0) {
		learn_model_free(m);
		return cause_set(cause, "learn: Newton's method did not converge (try a larger --l2)");
	}
	return 0;
}

double
learn_predict(const struct learn_model *m, const double *row)
{
	double t = m->b;

	for (size_t j = 0; j < m->d; j++)
		t += m->w[j] * zval(m, row, j);
	return sigmoid(t);
}

void
learn_model_free(struct learn_model *m)
{
	free(m->mean);
	free(m->sd);
	free(m->w);
	memset(m, 0, sizeof *m);
}

void
learn_folds(const signed char *y, size_t n, int k, uint64_t seed, int *fold)
{
	struct rng r;
	size_t *idx = xcalloc(n ? n : 1, sizeof *idx);

	rng_seed(&r, seed);
	/* Each class continues where the other left off, so fold sizes even out. */
	size_t next = 0;
	for (int cls = 0; cls <= 1; cls++) {
		size_t c = 0;
		for (size_t i = 0; i < n; i++)
			if (y[i] == cls)
				idx[c++] = i;
		for (size_t i = c; i > 1; i--) {
			size_t j = (size_t)rng_below(&r, i), t = idx[i - 1];
			idx[i - 1] = idx[j];
			idx[j] = t;
		}
		for (size_t i = 0; i < c; i++)
			fold[idx[i]] = (int)((next + i) % (size_t)k);
		next += c;
	}
	free(idx);
}

/* Figures from pooled counts and held-out scores. */
static void
finish(struct learn_cv *out, const double *score, const signed char *y, size_t n, int above)
{
	double tp = (double)out->tp, fp = (double)out->fp, fn = (double)out->fn;

	out->precision = tp + fp > 0 ? tp / (tp + fp) : NAN;
	out->recall = tp + fn > 0 ? tp / (tp + fn) : NAN;
	out->f1 = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : NAN;
	struct tune_index *idx = tune_build(score, y, n, NULL);
	out->auc = idx != NULL ? tune_auc(idx, above ? TUNE_KEEP_ABOVE : TUNE_KEEP_BELOW) : NAN;
	tune_free(idx);
}

static void
count(struct learn_cv *out, int kept, int label)
{
	if (kept && label == 1)
		out->tp++;
	else if (kept)
		out->fp++;
	else if (label == 1)
		out->fn++;
	else
		out->tn++;
}

int
learn_cv_model(const double *x, const signed char *y, size_t n, size_t d, double l2,
    const int *fold, int k, struct learn_cv *out, double *fold_f1, char **cause)
{
	double *tx = xcalloc(n * (d ? d : 1) + 1, sizeof *tx), *score = xcalloc(n + 1, sizeof *score);
	signed char *ty = xcalloc(n + 1, 1);
	int rc = 0;

	memset(out, 0, sizeof *out);
	for (int f = 0; f < k && rc == 0; f++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (fold[i] != f) {
				memcpy(tx + m * d, x + i * d, d * sizeof *x);
				ty[m++] = y[i];
			}
		struct learn_model model;
		if ((rc = learn_fit(tx, ty, m, d, l2, &model, cause)) != 0)
			break;
		struct learn_cv one = { 0 };
		for (size_t i = 0; i < n; i++)
			if (fold[i] == f) {
				score[i] = learn_predict(&model, x + i * d);
				count(out, score[i] >= 0.5, y[i]);
				count(&one, score[i] >= 0.5, y[i]);
			}
		if (fold_f1 != NULL)
			fold_f1[f] = 2 * one.tp + one.fp + one.fn > 0 ? 2.0 * (double)one.tp /
			    (double)(2 * one.tp + one.fp + one.fn) : NAN;
		learn_model_free(&model);
	}
	if (rc == 0)
		finish(out, score, y, n, 1);
	free(tx);
	free(ty);
	free(score);
	return rc;
}

int
learn_cv_threshold(const double *x, const signed char *y, size_t n, size_t d, size_t j,
    int keep_above, const int *fold, int k, struct learn_cv *out)
{
	double *v = xcalloc(n + 1, sizeof *v), *col = xcalloc(n + 1, sizeof *col);
	signed char *lab = xcalloc(n + 1, 1);
	enum tune_side side = keep_above ? TUNE_KEEP_ABOVE : TUNE_KEEP_BELOW;
	int cut = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++)
		col[i] = x[i * d + j];
	for (int f = 0; f < k; f++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (fold[i] != f) {
				v[m] = col[i];
				lab[m++] = y[i];
			}
		struct tune_index *idx = tune_build(v, lab, m, NULL);
		struct tune_eval best;
		int ok = idx != NULL && tune_suggest_f1(idx, side, &best) == 0;
		tune_free(idx);
		/* A held-out row without a value is removed by the threshold, as export does. */
		for (size_t i = 0; i < n; i++)
			if (fold[i] == f)
				count(out, ok && !isnan(col[i]) && (keep_above ? col[i] >= best.cutoff :
				    col[i] <= best.cutoff), y[i]);
		cut += ok;
	}
	finish(out, col, y, n, keep_above);
	free(v);
	free(col);
	free(lab);
	return cut > 0 ? 0 : -1;
}
