/* SPDX-License-Identifier: MIT */
/*
 * Tuning data from the store: a metric's scores joined with the decisions'
 * labels, and T-SciQ's per-skill choice between CoT and PCoT rationales.
 */
#include "core/metrics/tunestore.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/util.h"

/* Scores joined with labels: candidates without a decision are undecided. */
struct tune_index *
tune_build_metric(struct store *st, const char *metric, char **cause)
{
	int64_t *sid = NULL, *lid = NULL;
	double *val = NULL;
	signed char *lab = NULL, *joined;
	size_t ns = 0, nl = 0, j = 0;
	struct tune_index *idx;

	if (store_metric_values(st, metric, &sid, &val, &ns, cause) != 0)
		return NULL;
	if (store_labels(st, &lid, &lab, &nl, cause) != 0) {
		free(sid);
		free(val);
		return NULL;
	}
	joined = xmalloc(ns ? ns : 1);
	/* Both lists are in candidate order: one merge pass. */
	for (size_t i = 0; i < ns; i++) {
		while (j < nl && lid[j] < sid[i])
			j++;
		joined[i] = j < nl && lid[j] == sid[i] ? lab[j] : TUNE_UNDECIDED;
	}
	idx = tune_build(val, joined, ns, cause);
	free(sid);
	free(val);
	free(lid);
	free(lab);
	free(joined);
	return idx;
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
