/* SPDX-License-Identifier: MIT */
/*
 * The learned filter against the store: every scored metric and the op as
 * features, the human labels (majority of accept against reject), stratified
 * cross-validation of the model and of the best single-metric threshold on
 * the same folds, then the model fitted on every label is kept as a
 * versioned project setting and its probabilities as the metric
 * learned_accept, which thresholds use like any other.
 */
#include "core/metrics/learnstore.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/util.h"
#include "core/metrics/metrics.h"

#define SETTING "mmda.learned_filter"

/* The feature matrix over every candidate, and which rows carry a label. */
struct data {
	size_t n, d;
	int64_t *ids;
	double *x;
	signed char *y; /* -1 undecided */
	char **names;
};

static void
data_free(struct data *dt)
{
	for (size_t j = 0; j < dt->d; j++)
		free(dt->names[j]);
	free(dt->names);
	free(dt->ids);
	free(dt->x);
	free(dt->y);
}

static size_t
row_of(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? lo : n;
}

static int
load(struct store *st, struct data *dt, char **cause)
{
	char **metrics = NULL, **ops = NULL;
	size_t nm = 0, nops = 0;
	int64_t *lid = NULL;
	signed char *lab = NULL;
	size_t nl = 0;
	int rc = -1;

	memset(dt, 0, sizeof *dt);
	if (store_candidate_ids(st, &dt->ids, &dt->n, cause) != 0 ||
	    store_scored_metrics(st, &metrics, &nm, cause) != 0 ||
	    store_labels(st, &lid, &lab, &nl, cause) != 0)
		goto fail;
	dt->y = xmalloc(dt->n ? dt->n : 1);
	memset(dt->y, -1, dt->n);
	for (size_t i = 0; i < nl; i++) {
		size_t r = row_of(dt->ids, dt->n, lid[i]);
		if (r < dt->n)
			dt->y[r] = lab[i];
	}
	/* The ops that labelled candidates come from, one indicator each. */
	char **op_of = xcalloc(dt->n ? dt->n : 1, sizeof *op_of);
	for (size_t i = 0; i < dt->n; i++) {
		struct candidate c;
		if (store_candidate_get(st, dt->ids[i], &c, cause) != 0) {
			for (size_t k = 0; k < i; k++)
				free(op_of[k]);
			free(op_of);
			goto fail;
		}
		op_of[i] = xstrdup(c.op);
		candidate_free(&c);
		if (dt->y[i] < 0)
			continue;
		size_t k = 0;
		while (k < nops && strcmp(ops[k], op_of[i]) != 0)
			k++;
		if (k == nops) {
			ops = xreallocarray(ops, nops + 1, sizeof *ops);
			ops[nops++] = xstrdup(op_of[i]);
		}
	}
	size_t nfeat = 0;
	dt->names = xcalloc(nm + nops + 1, sizeof *dt->names);
	for (size_t k = 0; k < nm; k++)
		if (strcmp(metrics[k], LEARN_METRIC) != 0)
			dt->names[nfeat++] = xstrdup(metrics[k]);
	for (size_t k = 0; k < nops; k++)
		dt->names[nfeat++] = xasprintf("op=%s", ops[k]);
	dt->d = nfeat;
	dt->x = xmalloc((dt->n ? dt->n : 1) * (nfeat ? nfeat : 1) * sizeof *dt->x);
	for (size_t i = 0; i < dt->n * nfeat; i++)
		dt->x[i] = NAN;
	size_t col = 0;
	for (size_t k = 0; k < nm; k++) {
		int64_t *sid;
		double *val;
		size_t ns;
		if (strcmp(metrics[k], LEARN_METRIC) == 0)
			continue;
		if (store_metric_values(st, metrics[k], &sid, &val, &ns, cause) != 0) {
			for (size_t i = 0; i < dt->n; i++)
				free(op_of[i]);
			free(op_of);
			goto fail;
		}
		for (size_t i = 0; i < ns; i++) {
			size_t r = row_of(dt->ids, dt->n, sid[i]);
			if (r < dt->n)
				dt->x[r * nfeat + col] = val[i];
		}
		free(sid);
		free(val);
		col++;
	}
	for (size_t i = 0; i < dt->n; i++) {
		for (size_t k = 0; k < nops; k++)
			dt->x[i * nfeat + col + k] = strcmp(op_of[i], ops[k]) == 0;
		free(op_of[i]);
	}
	free(op_of);
	rc = 0;
fail:
	for (size_t k = 0; k < nm; k++)
		free(metrics[k]);
	free(metrics);
	for (size_t k = 0; k < nops; k++)
		free(ops[k]);
	free(ops);
	free(lid);
	free(lab);
	if (rc != 0)
		data_free(dt);
	return rc;
}

static cJSON *
cv_json(const struct learn_cv *cv)
{
	cJSON *o = cJSON_CreateObject();
	const char *names[4] = { "precision", "recall", "f1", "auc" };
	double v[4] = { cv->precision, cv->recall, cv->f1, cv->auc };

	for (int i = 0; i < 4; i++)
		if (isnan(v[i]))
			cJSON_AddNullToObject(o, names[i]);
		else
			cJSON_AddNumberToObject(o, names[i], v[i]);
	return o;
}

cJSON *
learn_report_json(const struct learn_report *r)
{
	cJSON *doc = cJSON_CreateObject(), *model = cJSON_AddObjectToObject(doc, "model");

	cJSON_AddNumberToObject(model, "version", r->version);
	cJSON_AddNumberToObject(model, "trained_on", (double)r->labelled);
	cJSON_AddNumberToObject(model, "accepts", (double)r->accepts);
	cJSON_AddNumberToObject(model, "l2", r->l2);
	cJSON_AddNumberToObject(model, "seed", (double)r->seed);
	cJSON_AddNumberToObject(model, "intercept", r->model.b);
	cJSON *coef = cJSON_AddObjectToObject(model, "coefficients");
	cJSON *feat = cJSON_AddArrayToObject(model, "features");
	cJSON *mean = cJSON_AddArrayToObject(model, "mean");
	cJSON *sd = cJSON_AddArrayToObject(model, "sd");
	cJSON *ver = cJSON_AddObjectToObject(model, "metric_versions");
	for (size_t j = 0; j < r->model.d; j++) {
		cJSON_AddNumberToObject(coef, r->names[j], r->model.w[j]);
		cJSON_AddItemToArray(feat, cJSON_CreateString(r->names[j]));
		cJSON_AddItemToArray(mean, cJSON_CreateNumber(r->model.mean[j]));
		cJSON_AddItemToArray(sd, cJSON_CreateNumber(r->model.sd[j]));
		const struct metric_def *m = metric_find(r->names[j]);
		if (m != NULL)
			cJSON_AddNumberToObject(ver, m->name, m->version);
	}
	cJSON *cv = cv_json(&r->cv);
	cJSON *folds = cJSON_AddArrayToObject(cv, "folds");
	for (int f = 0; f < r->k; f++)
		cJSON_AddItemToArray(folds, isnan(r->fold_f1[f]) ? cJSON_CreateNull() :
		    cJSON_CreateNumber(r->fold_f1[f]));
	cJSON_AddNumberToObject(cv, "k", r->k);
	cJSON_AddItemToObject(doc, "cv", cv);
	if (r->best_metric[0] != '\0') {
		cJSON *b = cv_json(&r->best);
		cJSON_AddStringToObject(b, "metric", r->best_metric);
		cJSON_AddNumberToObject(b, "cutoff", r->best_cutoff);
		cJSON_AddStringToObject(b, "keep", r->best_keep_above ? "above" : "below");
		cJSON_AddItemToObject(doc, "best_single", b);
	} else
		cJSON_AddNullToObject(doc, "best_single");
	cJSON_AddNumberToObject(doc, "scored", (double)r->scored);
	return doc;
}

int
learn_stored_opts(struct store *st, struct learn_opts *o)
{
	char *text = NULL;
	int found = 0;

	if (store_setting_get(st, SETTING, &text, NULL) != 1)
		return 0;
	cJSON *doc = cJSON_Parse(text);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "model");
	const cJSON *cv = cJSON_GetObjectItemCaseSensitive(doc, "cv");
	const cJSON *l2 = cJSON_GetObjectItemCaseSensitive(m, "l2");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(cv, "k");
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(m, "seed");
	if (cJSON_IsNumber(l2) && cJSON_IsNumber(k) && k->valueint >= 2 &&
	    k->valueint <= LEARN_MAX_FOLDS) {
		o->folds = k->valueint;
		o->l2 = l2->valuedouble;
		/* Filters stored before the seed was kept were fitted with the default, 0. */
		o->seed = cJSON_IsNumber(seed) && seed->valuedouble >= 0 ?
		    (uint64_t)seed->valuedouble : 0;
		found = 1;
	}
	cJSON_Delete(doc);
	free(text);
	return found;
}

/* The previous filter's version, 0 when there is none. */
static int
previous_version(struct store *st)
{
	char *prev = NULL;
	int v = 0;

	if (store_setting_get(st, SETTING, &prev, NULL) == 1) {
		cJSON *doc = cJSON_Parse(prev);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "model");
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(m, "version");
		if (cJSON_IsNumber(ver))
			v = ver->valueint;
		cJSON_Delete(doc);
	}
	free(prev);
	return v;
}

/* Cross-validates every metric column alone; keeps the best by held-out F1. */
static void
best_single(const struct data *dt, const double *lx, const signed char *ly, size_t nl,
    const int *fold, int k, struct learn_report *r)
{
	double top = -1;

	for (size_t j = 0; j < dt->d; j++) {
		const struct metric_def *m = metric_find(dt->names[j]);
		struct learn_cv cv;
		if (m == NULL)
			continue; /* an op indicator, not a threshold */
		int above = m->keep == METRIC_KEEP_ABOVE;
		if (learn_cv_threshold(lx, ly, nl, dt->d, j, above, fold, k, &cv) != 0 || isnan(cv.f1))
			continue;
		if (cv.f1 > top) {
			top = cv.f1;
			r->best = cv;
			r->best_keep_above = above;
			snprintf(r->best_metric, sizeof r->best_metric, "%s", m->name);
		}
	}
}

int
learn_run(struct store *st, const struct learn_opts *o, struct learn_report *r, char **cause)
{
	struct data dt;
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->k = o->folds;
	r->l2 = o->l2;
	r->seed = o->seed;
	if (o->folds < 2 || o->folds > LEARN_MAX_FOLDS)
		return cause_set(cause, "learn: --folds is 2 to %d", LEARN_MAX_FOLDS);
	if (load(st, &dt, cause) != 0)
		return -1;
	size_t nl = 0;
	for (size_t i = 0; i < dt.n; i++)
		if (dt.y[i] >= 0) {
			nl++;
			r->accepts += dt.y[i] == 1;
		}
	r->labelled = nl;
	if (r->accepts < (size_t)o->folds || nl - r->accepts < (size_t)o->folds) {
		cause_set(cause, "learn: needs at least %d accepted and %d rejected candidates (has %zu "
		    "and %zu)", o->folds, o->folds, r->accepts, nl - r->accepts);
		goto out;
	}
	double *lx = xmalloc(nl * (dt.d ? dt.d : 1) * sizeof *lx);
	signed char *ly = xmalloc(nl);
	int *fold = xmalloc(nl * sizeof *fold);
	for (size_t i = 0, m = 0; i < dt.n; i++)
		if (dt.y[i] >= 0) {
			memcpy(lx + m * dt.d, dt.x + i * dt.d, dt.d * sizeof *lx);
			ly[m++] = dt.y[i];
		}
	learn_folds(ly, nl, o->folds, o->seed, fold);
	if (learn_cv_model(lx, ly, nl, dt.d, o->l2, fold, o->folds, &r->cv, r->fold_f1, cause) != 0 ||
	    learn_fit(lx, ly, nl, dt.d, o->l2, &r->model, cause) != 0) {
		free(lx);
		free(ly);
		free(fold);
		goto out;
	}
	best_single(&dt, lx, ly, nl, fold, o->folds, r);
	if (r->best_metric[0] != '\0') {
		/* The cutoff the best metric would get from every label. */
		size_t j = 0;
		while (j < dt.d && strcmp(dt.names[j], r->best_metric) != 0)
			j++;
		double *col = xmalloc(nl * sizeof *col);
		for (size_t i = 0; i < nl; i++)
			col[i] = lx[i * dt.d + j];
		struct tune_index *idx = tune_build(col, ly, nl, NULL);
		struct tune_eval e;
		if (idx != NULL && tune_suggest_f1(idx, r->best_keep_above ? TUNE_KEEP_ABOVE :
		    TUNE_KEEP_BELOW, &e) == 0)
			r->best_cutoff = e.cutoff;
		tune_free(idx);
		free(col);
	}
	free(lx);
	free(ly);
	free(fold);
	r->names = dt.names;
	dt.names = NULL;
	size_t d = dt.d;
	dt.d = 0; /* the names now belong to the report */
	r->version = previous_version(st) + 1;

	/* The model, then every candidate's probability, in one transaction. */
	cJSON *doc = learn_report_json(r);
	cJSON_AddNumberToObject(doc, "created_at", (double)now_unix());
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	char tag[64];
	snprintf(tag, sizeof tag, "learned filter v%d", r->version);
	if (store_begin(st, cause) != 0) {
		free(text);
		goto out_names;
	}
	int bad = store_setting_put(st, SETTING, text, cause) != 0;
	for (size_t i = 0; !bad && i < dt.n; i++) {
		bad = store_score_put(st, dt.ids[i], LEARN_METRIC,
		    learn_predict(&r->model, dt.x + i * d), tag, cause) != 0;
		r->scored += !bad;
	}
	free(text);
	if (bad) {
		store_rollback(st);
		goto out_names;
	}
	if (store_commit(st, cause) != 0)
		goto out_names;
	rc = 0;
out_names:
	dt.d = 0;
out:
	data_free(&dt);
	if (rc != 0)
		learn_report_free(r);
	return rc;
}

void
learn_report_free(struct learn_report *r)
{
	for (size_t j = 0; r->names != NULL && j < r->model.d; j++)
		free(r->names[j]);
	free(r->names);
	learn_model_free(&r->model);
	memset(r, 0, sizeof *r);
}
