/* SPDX-License-Identifier: MIT */
/*
 * Drawing the audit sample and reading what its review says. The sample is a
 * list of ids in a setting so that every annotator reviews the same draw and
 * a later threshold change does not move it; the estimate uses the same
 * majority rule as tuning (store_labels).
 */
#include "core/metrics/audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/rng.h"
#include "core/base/util.h"

#define Z95 1.959963984540054

void
audit_wilson(int64_t k, int64_t n, double *lo, double *hi)
{
	if (n <= 0) {
		*lo = *hi = NAN;
		return;
	}
	double p = (double)k / (double)n, z2 = Z95 * Z95, nn = (double)n;
	double d = 1 + z2 / nn, c = (p + z2 / (2 * nn)) / d;
	double h = Z95 * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / d;
	*lo = c - h < 0 ? 0 : c - h;
	*hi = c + h > 1 ? 1 : c + h;
}

struct pool {
	int64_t *ids;
	size_t n, cap;
};

static int
take_auto(void *arg, int64_t id, int auto_selected)
{
	struct pool *p = arg;

	if (!auto_selected)
		return 0;
	if (p->n == p->cap)
		p->ids = xreallocarray(p->ids, p->cap = p->cap ? p->cap * 2 : 256, sizeof *p->ids);
	p->ids[p->n++] = id;
	return 0;
}

int
audit_draw(struct store *st, const struct metric_scope *defaults, int64_t want, uint64_t seed,
    int64_t *population, int64_t *drawn, char **cause)
{
	struct select_opts o = { SELECT_GOLD, "majority", 1, defaults };
	struct pool p = { NULL, 0, 0 };
	struct rng r;

	if (want < 1)
		return cause_set(cause, "audit: the sample needs at least one candidate");
	if (store_select(st, &o, take_auto, &p, cause) != 0) {
		free(p.ids);
		return -1;
	}
	/* A partial Fisher-Yates shuffle: the first k places are the sample. */
	rng_seed(&r, seed);
	size_t k = (size_t)want < p.n ? (size_t)want : p.n;
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)rng_below(&r, p.n - i);
		int64_t t = p.ids[i];
		p.ids[i] = p.ids[j];
		p.ids[j] = t;
	}
	cJSON *doc = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(doc, "ids");
	cJSON_AddNumberToObject(doc, "seed", (double)seed);
	cJSON_AddNumberToObject(doc, "population", (double)p.n);
	cJSON_AddNumberToObject(doc, "drawn_at", (double)now_unix());
	for (size_t i = 0; i < k; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)p.ids[i]));
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	int rc = store_setting_put(st, AUDIT_SETTING, text, cause);
	free(text);
	*population = (int64_t)p.n;
	*drawn = (int64_t)k;
	free(p.ids);
	return rc;
}

int
audit_estimate(struct store *st, struct audit_estimate *e, char **cause)
{
	char *text = NULL;
	int64_t *lid = NULL;
	signed char *lab = NULL;
	size_t nl = 0;

	memset(e, 0, sizeof *e);
	e->value = e->lo = e->hi = NAN;
	int got = store_setting_get(st, AUDIT_SETTING, &text, cause);
	if (got != 1)
		return got;
	cJSON *doc = cJSON_Parse(text);
	free(text);
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(doc, "ids");
	const cJSON *pop = cJSON_GetObjectItemCaseSensitive(doc, "population");
	if (!cJSON_IsArray(ids)) {
		cJSON_Delete(doc);
		return cause_set(cause, "audit: the kept sample (%s) is damaged", AUDIT_SETTING);
	}
	if (store_labels(st, &lid, &lab, &nl, cause) != 0) {
		cJSON_Delete(doc);
		return -1;
	}
	e->population = cJSON_IsNumber(pop) ? (int64_t)pop->valuedouble : 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, ids) {
		if (!cJSON_IsNumber(it))
			continue;
		int64_t id = (int64_t)it->valuedouble;
		e->sample++;
		/* lid is in candidate order: a binary search finds the label. */
		size_t lo = 0, hi = nl;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (lid[mid] < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nl && lid[lo] == id && lab[lo] >= 0) {
			e->reviewed++;
			e->accepted += lab[lo] == 1;
		}
	}
	cJSON_Delete(doc);
	free(lid);
	free(lab);
	if (e->reviewed > 0) {
		e->value = (double)e->accepted / (double)e->reviewed;
		audit_wilson(e->accepted, e->reviewed, &e->lo, &e->hi);
	}
	return 1;
}

static cJSON *
num_or_null(double v)
{
	return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

cJSON *
audit_estimate_json(const struct audit_estimate *e)
{
	cJSON *o = cJSON_CreateObject(), *ci = cJSON_CreateArray();

	cJSON_AddItemToObject(o, "value", num_or_null(e->value));
	cJSON_AddItemToArray(ci, num_or_null(e->lo));
	cJSON_AddItemToArray(ci, num_or_null(e->hi));
	cJSON_AddItemToObject(o, "ci95", ci);
	cJSON_AddNumberToObject(o, "sample", (double)e->sample);
	cJSON_AddNumberToObject(o, "reviewed", (double)e->reviewed);
	cJSON_AddNumberToObject(o, "population", (double)e->population);
	cJSON_AddStringToObject(o, "method", "wilson");
	return o;
}

char *
audit_estimate_text(struct store *st)
{
	struct audit_estimate e;

	if (audit_estimate(st, &e, NULL) != 1)
		return NULL;
	cJSON *doc = audit_estimate_json(&e);
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}
