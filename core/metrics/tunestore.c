/* SPDX-License-Identifier: MIT */
/*
 * Tuning data from the store: a metric's scores joined with the decisions'
 * labels, over every candidate, the candidates of a threshold's scope, or
 * op by op; and T-SciQ's per-skill choice between CoT and PCoT rationales.
 */
#include "core/metrics/tunestore.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/util.h"
#include "core/metrics/metrics.h"

/* The labels and every candidate's op, each in candidate order (tune_shared_load). */
struct tune_shared {
	int64_t *lid;
	signed char *lab;
	size_t nl;
	int64_t *oid;
	int *of;
	size_t no;
	char **names;
	size_t nnames;
	int with_ops;
};

struct tune_shared *
tune_shared_load(struct store *st, int with_ops, char **cause)
{
	struct tune_shared *sh = xcalloc(1, sizeof *sh);

	sh->with_ops = with_ops;
	if (store_labels(st, &sh->lid, &sh->lab, &sh->nl, cause) != 0 || (with_ops &&
	    store_candidate_ops(st, &sh->oid, &sh->of, &sh->no, &sh->names, &sh->nnames,
	    cause) != 0)) {
		tune_shared_free(sh);
		return NULL;
	}
	return sh;
}

void
tune_shared_free(struct tune_shared *sh)
{
	if (sh == NULL)
		return;
	free(sh->lid);
	free(sh->lab);
	candidate_ops_free(sh->oid, sh->of, sh->names, sh->nnames);
	free(sh);
}

/* One metric's scores with each candidate's label and op (an index into names, which
 * belong to the shared data). */
struct joined {
	int64_t *ids;
	double *val;
	signed char *lab;
	int *op;
	size_t n;
	char **names;
	size_t nnames;
};

static void
joined_free(struct joined *j)
{
	free(j->ids);
	free(j->val);
	free(j->lab);
	free(j->op);
	memset(j, 0, sizeof *j);
}

/* Joins metric's scores with sh's labels and ops (op -1 without them). 0, or -1 with *cause. */
static int
joined_load(struct store *st, const struct tune_shared *sh, const char *metric,
    struct joined *j, char **cause)
{
	size_t a = 0, b = 0;

	memset(j, 0, sizeof *j);
	if (store_metric_values(st, metric, &j->ids, &j->val, &j->n, cause) != 0)
		return -1;
	j->names = sh->names;
	j->nnames = sh->nnames;
	j->lab = xmalloc(j->n ? j->n : 1);
	j->op = xcalloc(j->n ? j->n : 1, sizeof *j->op);
	/* Every list is in candidate order: one merge pass. */
	for (size_t i = 0; i < j->n; i++) {
		while (a < sh->nl && sh->lid[a] < j->ids[i])
			a++;
		j->lab[i] = a < sh->nl && sh->lid[a] == j->ids[i] ? sh->lab[a] : TUNE_UNDECIDED;
		while (b < sh->no && sh->oid[b] < j->ids[i])
			b++;
		j->op[i] = b < sh->no && sh->oid[b] == j->ids[i] ? sh->of[b] : -1;
	}
	return 0;
}

/* An index over the joined rows whose op index keep[] marks (every row when NULL). */
static struct tune_index *
build_where(const struct joined *j, const unsigned char *keep, int only, char **cause)
{
	double *v = xcalloc(j->n ? j->n : 1, sizeof *v);
	signed char *l = xmalloc(j->n ? j->n : 1);
	size_t m = 0;

	for (size_t i = 0; i < j->n; i++)
		if ((keep == NULL && only < 0) || (j->op[i] >= 0 &&
		    (keep != NULL ? keep[j->op[i]] : j->op[i] == only))) {
			v[m] = j->val[i];
			l[m++] = j->lab[i];
		}
	struct tune_index *idx = tune_build(v, l, m, cause);
	free(v);
	free(l);
	return idx;
}

struct tune_index *
tune_build_metric(struct store *st, const char *metric, char **cause)
{
	return tune_build_scoped(st, metric, NULL, cause);
}

/* Which op names of j a threshold of metric with this scope checks: the same rule
 * as the thresholds themselves. Caller frees. */
static unsigned char *
scope_keep(const struct joined *j, const char *metric, const char *scope)
{
	struct threshold t;
	unsigned char *keep = xcalloc(j->nnames ? j->nnames : 1, 1);

	memset(&t, 0, sizeof t);
	t.metric = (char *)metric;
	t.scope = (char *)scope;
	for (size_t k = 0; k < j->nnames; k++)
		keep[k] = (unsigned char)metric_in_scope(&t, j->names[k]);
	return keep;
}

struct tune_index *
tune_build_shared(struct store *st, const struct tune_shared *sh, const char *metric,
    const char *scope, char **cause)
{
	struct joined j;
	struct tune_index *idx;
	unsigned char *keep = NULL;

	if (scope != NULL && !sh->with_ops) {
		cause_set(cause, "tuning data loaded without the ops");
		return NULL;
	}
	if (joined_load(st, sh, metric, &j, cause) != 0)
		return NULL;
	if (scope != NULL)
		keep = scope_keep(&j, metric, scope);
	idx = build_where(&j, keep, -1, cause);
	free(keep);
	joined_free(&j);
	return idx;
}

struct tune_index *
tune_build_scoped(struct store *st, const char *metric, const char *scope, char **cause)
{
	struct tune_shared *sh = tune_shared_load(st, scope != NULL, cause);
	struct tune_index *idx = sh != NULL ? tune_build_shared(st, sh, metric, scope, cause) :
	    NULL;

	tune_shared_free(sh);
	return idx;
}

int
tune_scope_ids_shared(struct store *st, const struct tune_shared *sh, const char *metric,
    const char *scope, int64_t **ids, size_t *n, struct tune_index **idx, char **cause)
{
	struct joined j;
	size_t m = 0;

	if (idx != NULL)
		*idx = NULL;
	if (!sh->with_ops)
		return cause_set(cause, "tuning data loaded without the ops");
	if (joined_load(st, sh, metric, &j, cause) != 0)
		return -1;
	unsigned char *keep = scope_keep(&j, metric, scope);
	if (idx != NULL && (*idx = build_where(&j, keep, -1, cause)) == NULL) {
		free(keep);
		joined_free(&j);
		return -1;
	}
	int64_t *v = xcalloc(j.n ? j.n : 1, sizeof *v);
	for (size_t i = 0; i < j.n; i++)
		if (j.op[i] >= 0 && keep[j.op[i]])
			v[m++] = j.ids[i];
	free(keep);
	joined_free(&j);
	*ids = v;
	*n = m;
	return 0;
}

int
tune_scope_ids(struct store *st, const char *metric, const char *scope, int64_t **ids,
    size_t *n, char **cause)
{
	struct tune_shared *sh = tune_shared_load(st, 1, cause);
	int rc = sh != NULL ? tune_scope_ids_shared(st, sh, metric, scope, ids, n, NULL, cause) :
	    -1;

	tune_shared_free(sh);
	return rc;
}

static int
by_op_name(const void *x, const void *y)
{
	return strcmp(((const struct tune_op *)x)->op, ((const struct tune_op *)y)->op);
}

int
tune_build_per_op(struct store *st, const char *metric, struct tune_op **out, size_t *n,
    char **cause)
{
	struct joined j;
	struct tune_op *v;
	size_t m = 0;

	*out = NULL;
	*n = 0;
	struct tune_shared *sh = tune_shared_load(st, 1, cause);
	if (sh == NULL || joined_load(st, sh, metric, &j, cause) != 0) {
		tune_shared_free(sh);
		return -1;
	}
	v = xcalloc(j.nnames ? j.nnames : 1, sizeof *v);
	for (size_t k = 0; k < j.nnames; k++) {
		struct tune_index *idx = build_where(&j, NULL, (int)k, cause);
		if (idx == NULL) {
			tune_ops_free(v, m);
			joined_free(&j);
			tune_shared_free(sh);
			return -1;
		}
		/* An op without a score of this metric has nothing to tune. */
		if (tune_size(idx) == 0) {
			tune_free(idx);
			continue;
		}
		v[m].op = xstrdup(j.names[k]);
		v[m++].idx = idx;
	}
	joined_free(&j);
	tune_shared_free(sh);
	qsort(v, m, sizeof *v, by_op_name);
	*out = v;
	*n = m;
	return 0;
}

void
tune_ops_free(struct tune_op *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].op);
		tune_free(v[i].idx);
	}
	free(v);
}

/* One decided rationale: the problem it explains, its skill and mode, and the verdict. */
struct reviewed {
	int64_t problem;
	char *skill;
	int pcot, rejected;
};

void
mix_choices_free(struct mix_choice *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].skill);
	free(c);
}

static int
by_skill(const void *a, const void *b)
{
	return strcmp(((const struct mix_choice *)a)->skill, ((const struct mix_choice *)b)->skill);
}

/* The decided rationales; -1 with *cause on a store failure. */
static int
reviewed_load(struct store *st, struct reviewed **out, size_t *n, char **cause)
{
	int64_t *ids = NULL;
	signed char *lab = NULL;
	size_t nl = 0;

	*out = NULL;
	*n = 0;
	if (store_labels(st, &ids, &lab, &nl, cause) != 0)
		return -1;
	for (size_t i = 0; i < nl; i++) {
		struct candidate c;
		if (lab[i] != 0 && lab[i] != 1)
			continue;
		if (store_candidate_get(st, ids[i], &c, cause) != 0) {
			free(ids);
			free(lab);
			return -1;
		}
		cJSON *m = strcmp(c.op, "rationale") == 0 && c.nparents == 1 && c.meta != NULL ?
		    cJSON_Parse(c.meta) : NULL;
		const cJSON *skill = cJSON_GetObjectItemCaseSensitive(m, "skill");
		const cJSON *mode = cJSON_GetObjectItemCaseSensitive(m, "mode");
		if (cJSON_IsString(skill) && cJSON_IsString(mode)) {
			*out = xreallocarray(*out, *n + 1, sizeof **out);
			(*out)[*n].problem = c.parents[0];
			(*out)[*n].skill = xstrdup(skill->valuestring);
			(*out)[*n].pcot = strcmp(mode->valuestring, "pcot") == 0;
			(*out)[(*n)++].rejected = lab[i] == 0;
		}
		cJSON_Delete(m);
		candidate_free(&c);
	}
	free(ids);
	free(lab);
	return 0;
}

int
tune_mix_rationales(struct store *st, struct mix_choice **out, size_t *n, char **cause)
{
	struct reviewed *r;
	size_t nr, ns = 0;
	struct mix_choice *s = NULL;
	cJSON *setting;
	int rc = 0, any = 0;

	if (reviewed_load(st, &r, &nr, cause) != 0)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		size_t k;
		int cot = 0, pcot = 0;
		for (k = 0; k < ns && strcmp(s[k].skill, r[i].skill) != 0; k++)
			;
		if (k == ns) {
			s = xreallocarray(s, ns + 1, sizeof *s);
			memset(&s[ns], 0, sizeof *s);
			s[ns++].skill = xstrdup(r[i].skill);
		}
		/* Count each problem once, at its first reviewed rationale. */
		int first = 1;
		for (size_t j = 0; j < i && first; j++)
			first = r[j].problem != r[i].problem;
		if (!first)
			continue;
		for (size_t j = i; j < nr; j++)
			if (r[j].problem == r[i].problem) {
				cot |= !r[j].pcot;
				pcot |= r[j].pcot;
			}
		if (!cot || !pcot)
			continue; /* not in the validation split: nothing to compare it with */
		s[k].problems++;
		for (size_t j = i; j < nr; j++)
			if (r[j].problem == r[i].problem && r[j].rejected)
				*(r[j].pcot ? &s[k].pcot_errors : &s[k].cot_errors) += 1;
	}
	setting = cJSON_CreateObject();
	for (size_t k = 0; k < ns; k++) {
		if (s[k].problems == 0)
			continue;
		s[k].choice = s[k].pcot_errors > s[k].cot_errors || s[k].cot_errors == 0 ? "cot" :
		    "pcot";
		cJSON_AddStringToObject(setting, s[k].skill, s[k].choice);
		any = 1;
	}
	if (any) {
		char *text = cJSON_PrintUnformatted(setting);
		rc = store_setting_put(st, MIX_RATIONALES_SETTING, text, cause);
		cJSON_free(text);
	}
	cJSON_Delete(setting);
	for (size_t i = 0; i < nr; i++)
		free(r[i].skill);
	free(r);
	if (rc != 0) {
		mix_choices_free(s, ns);
		return -1;
	}
	if (ns > 1)
		qsort(s, ns, sizeof *s, by_skill);
	*out = s;
	*n = ns;
	return 0;
}
