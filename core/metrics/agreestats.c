/* SPDX-License-Identifier: MIT */
/* Agreement statistics: two walks over the decisions in force (annotators, then items). */
#include "core/metrics/agreestats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/agreement.h"
#include "core/base/util.h"

struct acc {
	char *op;
	struct agree_pairs pairs;
	struct agree_fleiss_acc fleiss;
};

struct walk {
	/* First walk: the annotators (at most two are remembered; more means Fleiss). */
	char *names[2];
	int count;
	/* Second walk: the candidate being gathered. */
	int64_t cand;
	char *op;
	int answer_of[2];  /* Cohen: each annotator's answer, -1 when none */
	int counts[ANSWER_COUNT];
	struct acc all;
	struct acc *ops;
	size_t nops;
};

static void
names_walk(void *arg, int64_t candidate, const char *op, const char *annotator, enum answer a)
{
	struct walk *w = arg;

	(void)candidate, (void)op, (void)a;
	for (int i = 0; i < w->count && i < 2; i++)
		if (strcmp(w->names[i], annotator) == 0)
			return;
	if (w->count < 2)
		w->names[w->count] = xstrdup(annotator);
	if (w->count < 3)
		w->count++;
}

static struct acc *
acc_of(struct walk *w, const char *op)
{
	for (size_t i = 0; i < w->nops; i++)
		if (strcmp(w->ops[i].op, op) == 0)
			return &w->ops[i];
	w->ops = xreallocarray(w->ops, w->nops + 1, sizeof *w->ops);
	struct acc *a = &w->ops[w->nops++];
	memset(a, 0, sizeof *a);
	a->op = xstrdup(op);
	agree_pairs_init(&a->pairs, ANSWER_COUNT);
	agree_fleiss_init(&a->fleiss);
	return a;
}

/* Adds the gathered candidate to the overall and per-op accumulators. */
static void
flush(struct walk *w)
{
	if (w->cand == 0)
		return;
	struct acc *per = acc_of(w, w->op);
	if (w->count == 2) {
		if (w->answer_of[0] >= 0 && w->answer_of[1] >= 0) {
			agree_pairs_add(&w->all.pairs, w->answer_of[0], w->answer_of[1]);
			agree_pairs_add(&per->pairs, w->answer_of[0], w->answer_of[1]);
		}
	} else {
		agree_fleiss_add(&w->all.fleiss, w->counts, ANSWER_COUNT);
		agree_fleiss_add(&per->fleiss, w->counts, ANSWER_COUNT);
	}
	free(w->op);
	w->op = NULL;
	w->cand = 0;
}

static void
items_walk(void *arg, int64_t candidate, const char *op, const char *annotator, enum answer a)
{
	struct walk *w = arg;

	if (candidate != w->cand) {
		flush(w);
		w->cand = candidate;
		w->op = xstrdup(op);
		w->answer_of[0] = w->answer_of[1] = -1;
		memset(w->counts, 0, sizeof w->counts);
	}
	w->counts[a]++;
	for (int i = 0; i < 2 && w->count == 2; i++)
		if (strcmp(w->names[i], annotator) == 0)
			w->answer_of[i] = (int)a;
}

static void
fill(struct agree_row *row, const struct acc *a, int cohen)
{
	int used = 0;

	row->only = -1;
	if (cohen) {
		row->items = (int64_t)a->pairs.n;
		row->kappa = agree_pairs_kappa(&a->pairs);
		row->observed = agree_pairs_observed(&a->pairs);
		for (int i = 0; i < ANSWER_COUNT * ANSWER_COUNT; i++)
			if (a->pairs.k > 0 && a->pairs.m[i] > 0) {
				used++;
				row->only = i / a->pairs.k == i % a->pairs.k ? i / a->pairs.k : -1;
			}
	} else {
		row->items = (int64_t)a->fleiss.items;
		row->kappa = agree_fleiss_kappa(&a->fleiss, ANSWER_COUNT);
		row->observed = agree_fleiss_observed(&a->fleiss);
		for (int j = 0; j < ANSWER_COUNT; j++)
			if (a->fleiss.tot[j] > 0) {
				used++;
				row->only = j;
			}
	}
	row->degenerate = row->items > 0 && used == 1 && row->only >= 0;
}

int
agree_report(struct store *st, struct agree_report *r, char **cause)
{
	struct walk w;
	int rc = -1;

	memset(r, 0, sizeof *r);
	memset(&w, 0, sizeof w);
	agree_pairs_init(&w.all.pairs, ANSWER_COUNT);
	agree_fleiss_init(&w.all.fleiss);
	/* One annotator (the usual project) needs no walk of every decision in force. */
	if (store_annotators_in_force(st, 2, &w.count, cause) != 0)
		goto out;
	if (w.count >= 2) {
		w.count = 0;
		if (store_decisions_walk(st, names_walk, &w, cause) != 0)
			goto out;
	}
	if (w.count < 2) {
		r->annotators = w.count;
		r->method = "none";
		r->overall.kappa = r->overall.observed = NAN;
		rc = 0;
		goto out;
	}
	if (store_decisions_walk(st, items_walk, &w, cause) != 0)
		goto out;
	flush(&w);
	r->annotators = w.count; /* 3 stands for "three or more" */
	r->method = w.count == 2 ? "cohen" : "fleiss";
	fill(&r->overall, &w.all, w.count == 2);
	r->by_op = xcalloc(w.nops ? w.nops : 1, sizeof *r->by_op);
	for (size_t i = 0; i < w.nops; i++) {
		r->by_op[i].op = w.ops[i].op;
		w.ops[i].op = NULL;
		fill(&r->by_op[i], &w.ops[i], w.count == 2);
	}
	r->nops = w.nops;
	rc = 0;
out:
	for (size_t i = 0; i < w.nops; i++)
		free(w.ops[i].op);
	free(w.ops);
	free(w.op);
	free(w.names[0]);
	free(w.names[1]);
	return rc;
}

void
agree_report_free(struct agree_report *r)
{
	for (size_t i = 0; i < r->nops; i++)
		free(r->by_op[i].op);
	free(r->by_op);
	memset(r, 0, sizeof *r);
}
