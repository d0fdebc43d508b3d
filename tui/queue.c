/* SPDX-License-Identifier: MIT */
/*
 * The review queue: which candidates the session goes through (the queue
 * table below feeds --queue, its help and the help screen), where it starts,
 * and how many of them this annotator has left. The counts come from the
 * annotator's decided set, loaded once and kept up to date as decisions are
 * made, so no key waits on a count over the whole database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/base/util.h"
#include "core/metrics/metrics.h"
#include "tui/app.h"

const struct queue_def app_queues[] = {
	{ "default", QUEUE_DEFAULT, "each original's augmentations together; originals last" },
	{ "originals", QUEUE_ORIGINALS, "the original pairs only, each over the whole width" },
	{ "undecided", QUEUE_UNDECIDED, "what you have not decided yet, in the default order" },
	{ "conflicts", QUEUE_CONFLICTS, "what some annotators accepted and others rejected" },
	{ "op=NAME", QUEUE_OP, "one operator's candidates (op=hflip), in the default order" },
	{ "uncertain", QUEUE_UNCERTAIN, "undecided, what the filter is least sure of first" },
	{ "audit", QUEUE_AUDIT, "the audit sample of mmda audit, in the order it was drawn" },
	{ NULL, 0, NULL },
};

int
queue_parse(const char *s, struct queue_spec *q, char *op, size_t oplen)
{
	memset(q, 0, sizeof *q);
	q->defaults = metric_default_scopes();
	if (strcmp(s, "all") == 0)
		s = "default"; /* the name before the queues had names */
	if (strncmp(s, "op=", 3) == 0 && s[3] != '\0' && strlen(s + 3) < oplen) {
		snprintf(op, oplen, "%s", s + 3);
		q->kind = QUEUE_OP;
		q->op = op;
		return 0;
	}
	for (const struct queue_def *d = app_queues; d->name != NULL; d++)
		if (d->kind != QUEUE_OP && strcmp(d->name, s) == 0) {
			q->kind = d->kind;
			return 0;
		}
	return -1;
}

int
app_queue_parse(const char *s, struct app *a)
{
	return queue_parse(s, &a->queue, a->queue_op, sizeof a->queue_op);
}

const char *
app_queue_name(const struct app *a)
{
	static char buf[80];

	if (a->full_ids != NULL)
		return "boundary";
	if (a->queue.kind == QUEUE_OP) {
		snprintf(buf, sizeof buf, "op=%s", a->queue_op);
		return buf;
	}
	for (const struct queue_def *q = app_queues; q->name != NULL; q++)
		if (q->kind == a->queue.kind)
			return q->name;
	return "?";
}

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static int
has(const int64_t *v, size_t n, int64_t id)
{
	return n > 0 && bsearch(&id, v, n, sizeof *v, cmp_id) != NULL;
}

void
app_queue_changed(struct app *a)
{
	free(a->qsorted);
	a->qsorted = xcalloc(a->n ? a->n : 1, sizeof *a->qsorted);
	if (a->n > 0)
		memcpy(a->qsorted, a->ids, a->n * sizeof *a->ids);
	qsort(a->qsorted, a->n, sizeof *a->qsorted, cmp_id);
	a->left = 0;
	for (size_t i = 0; i < a->n; i++)
		a->left += !has(a->decided, a->ndecided, a->qsorted[i]);
}

void
app_decided_set(struct app *a, int64_t id, int decided)
{
	size_t i = 0;

	if (has(a->decided, a->ndecided, id) == decided)
		return;
	while (i < a->ndecided && a->decided[i] < id)
		i++;
	if (decided) {
		a->decided = xreallocarray(a->decided, a->ndecided + 1, sizeof *a->decided);
		memmove(a->decided + i + 1, a->decided + i, (a->ndecided - i) * sizeof *a->decided);
		a->decided[i] = id;
		a->ndecided++;
	} else {
		memmove(a->decided + i, a->decided + i + 1, (a->ndecided - i - 1) * sizeof *a->decided);
		a->ndecided--;
	}
	if (has(a->qsorted, a->n, id))
		a->left += decided ? -1 : 1;
}

int
app_is_decided(const struct app *a, int64_t id)
{
	return has(a->decided, a->ndecided, id);
}

int
app_queue_load(struct app *a, char **cause)
{
	int64_t *ids, here = a->n ? a->ids[a->cur] : 0;
	size_t n;

	a->queue.annotator = a->annotator;
	/* Each annotator's random share of the uncertain queue is their own. */
	a->queue.seed = rng_derive(0, a->annotator);
	if (a->decided == NULL &&
	    store_decided_ids(a->st, a->annotator, &a->decided, &a->ndecided, cause) != 0)
		return -1;
	if (store_queue(a->st, &a->queue, &ids, &n, cause) != 0)
		return -1;
	free(a->ids);
	a->ids = ids;
	a->n = n;
	a->cur = 0;
	for (size_t i = 0; here != 0 && i < n; i++)
		if (ids[i] == here)
			a->cur = i;
	app_queue_changed(a);
	return 0;
}

void
app_queue_first_undecided(struct app *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (!app_is_decided(a, a->ids[i])) {
			a->cur = i;
			return;
		}
}

void
app_queue_free(struct app *a)
{
	free(a->decided);
	free(a->qsorted);
	a->decided = a->qsorted = NULL;
	a->ndecided = 0;
}
