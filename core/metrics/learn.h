/* SPDX-License-Identifier: MIT */
/*
 * A learned filter: L2-regularised logistic regression of "a person
 * accepts" on a candidate's scores and op, fitted by Newton's method, and
 * the stratified k-fold cross-validation that says how well it and the best
 * single-metric threshold do on decisions they were not fitted on. Pure
 * arithmetic over arrays; core/metrics/learnstore.c brings the data.
 */
#ifndef MMDA_LEARN_H
#define MMDA_LEARN_H

#include <stddef.h>
#include <stdint.h>

/*
 * A fitted model over d features. Inputs are standardised with mean and sd
 * (from the rows it was fitted on); a missing value (NaN) counts as the
 * mean. p(accept) = 1 / (1 + exp(-(b + sum w_j z_j))).
 */
struct learn_model {
	size_t d;
	double *mean, *sd, *w;
	double b;
	double l2;
	int iterations;
};

/*
 * Fits the model on the rows of x (n x d, row-major) with labels y (1
 * accept, 0 reject), minimising the mean log loss plus l2/2 |w|^2 (the
 * intercept is not penalised). Returns 0 and fills *m (free with
 * learn_model_free), or -1 with *cause when n is 0, a label is not 0 or 1,
 * or Newton's method does not converge in 100 steps.
 */
int learn_fit(const double *x, const signed char *y, size_t n, size_t d, double l2,
    struct learn_model *m, char **cause);
/* The accept probability of one row of d values (NaN: missing). */
double learn_predict(const struct learn_model *m, const double *row);
void learn_model_free(struct learn_model *m);

/*
 * Stratified folds: fold[i] in 0..k-1, each class dealt round-robin over the
 * folds after a seeded shuffle, so every fold holds the same share of
 * accepts (within one). Deterministic for a seed.
 */
void learn_folds(const signed char *y, size_t n, int k, uint64_t seed, int *fold);

/* Pooled held-out figures: precision, recall, F1 at p >= 0.5 (or the cutoff
 * of a threshold), AUC over the held-out scores. NaN where undefined. */
struct learn_cv {
	double precision, recall, f1, auc;
	int64_t tp, fp, fn, tn;
};

/*
 * Cross-validates the model: for each fold, fits on the others and scores
 * the held-out rows. *out gets the pooled figures, fold_f1[f] each fold's F1
 * (may be NULL). Returns 0, or -1 with *cause when a fit fails.
 */
int learn_cv_model(const double *x, const signed char *y, size_t n, size_t d, double l2,
    const int *fold, int k, struct learn_cv *out, double *fold_f1, char **cause);
/*
 * Cross-validates a single-metric threshold on column j of x: in each fold
 * the best-F1 cutoff on the training rows (keep_above says which side is
 * kept), evaluated on the held-out rows; AUC is over every labelled row.
 * Returns 0, or -1 when the column has too few values to cut anywhere.
 */
int learn_cv_threshold(const double *x, const signed char *y, size_t n, size_t d, size_t j,
    int keep_above, const int *fold, int k, struct learn_cv *out);

#endif
