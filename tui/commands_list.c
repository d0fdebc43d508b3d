/* SPDX-License-Identifier: MIT */
/*
 * The list screen's commands: filter the queue (by op, your decision, pass or
 * fail), sort it (by id, op or a metric), and mark candidates for a batch.
 * The queue is rebuilt from the store on each filter or sort, never per key.
 */
#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/metrics.h"
#include "core/base/util.h"
#include "tui/commands.h"
#include "tui/commands_priv.h"
#include "tui/screen.h"

struct row {
	int64_t id;
	const char *op; /* one of struct ops' names */
	double key;
};

/* Every candidate's op (store_candidate_ops), ids in id order. */
struct ops {
	int64_t *ids;
	int *of;
	size_t n;
	char **names;
	size_t nnames;
};

/* Where id is in a list in id order: its index, or n when it is not there. */
static size_t
find_id(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (ids[m] < id)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < n && ids[lo] == id ? lo : n;
}

static int
by_key(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	/* Missing values (NaN) go last; ties keep id order. */
	int an = isnan(a->key), bn = isnan(b->key);
	if (an != bn)
		return an - bn;
	if (!an && a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int
by_op(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c = strcmp(a->op, b->op);
	return c != 0 ? c : (a->id > b->id) - (a->id < b->id);
}

/*
 * Does candidate id (of op) pass the filter? The op filter is answered from the
 * op index; the decision and verdict filters still ask the store per candidate.
 */
static int
keep(struct app *a, int64_t id, const char *op)
{
	const char *f = a->filter;

	if (*f == '\0' || strcmp(f, "all") == 0)
		return 1;
	if (strncmp(f, "op=", 3) == 0)
		return strcmp(op, f + 3) == 0;
	if (strncmp(f, "decision=", 9) == 0) {
		struct decision *d;
		size_t n;
		const char *mine = "undecided";
		if (store_decisions_current(a->st, id, &d, &n, NULL) != 0)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(d[i].annotator, a->annotator) == 0)
				mine = answer_name(d[i].answer);
		int k = strcmp(mine, f + 9) == 0;
		decisions_free(d, n);
		return k;
	}
	if (strcmp(f, "pass") == 0 || strcmp(f, "fail") == 0 || strcmp(f, "unscored") == 0) {
		struct score *sc;
		size_t ns;
		if (store_scores_of(a->st, id, &sc, &ns, NULL) != 0)
			return 0;
		enum metric_verdict v = metric_overall(a->th, a->nth, sc, ns, op);
		scores_free(sc, ns);
		return v == (*f == 'p' ? METRIC_PASS : *f == 'f' ? METRIC_FAIL : METRIC_UNSCORED);
	}
	return 1;
}

/*
 * Rebuilds the queue from the store with the filter and sort in force: the
 * queue's ids, every op at once and the metric's values at once, joined here
 * by binary search, so a million candidates cost three queries and a sort
 * instead of a million candidate loads.
 */
static void
rebuild(struct app *a)
{
	int64_t *all, here = a->n ? a->ids[a->cur] : 0, *mid = NULL;
	double *mval = NULL;
	size_t n, nm = 0, k = 0;
	struct row *rows;
	struct ops ops;
	char *cause = NULL;

	a->queue.annotator = a->annotator;
	if (store_queue(a->st, &a->queue, &all, &n, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	if (store_candidate_ops(a->st, &ops.ids, &ops.of, &ops.n, &ops.names, &ops.nnames,
	    &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		free(all);
		return;
	}
	int metric = *a->sort && strcmp(a->sort, "id") != 0 && strcmp(a->sort, "op") != 0;
	if (metric && store_metric_values(a->st, a->sort, &mid, &mval, &nm, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		free(all);
		candidate_ops_free(ops.ids, ops.of, ops.names, ops.nnames);
		return;
	}
	rows = xcalloc(n ? n : 1, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		size_t o = find_id(ops.ids, ops.n, all[i]), v = find_id(mid, nm, all[i]);
		if (o == ops.n || !keep(a, all[i], ops.names[ops.of[o]]))
			continue;
		rows[k].id = all[i];
		rows[k].op = ops.names[ops.of[o]];
		rows[k].key = v < nm ? mval[v] : NAN;
		k++;
	}
	if (metric)
		qsort(rows, k, sizeof *rows, by_key);
	else if (strcmp(a->sort, "op") == 0)
		qsort(rows, k, sizeof *rows, by_op);
	free(a->ids);
	a->ids = xcalloc(k ? k : 1, sizeof *a->ids);
	a->n = k;
	a->cur = 0;
	for (size_t i = 0; i < k; i++) {
		a->ids[i] = rows[i].id;
		if (rows[i].id == here)
			a->cur = i;
	}
	free(rows);
	free(all);
	free(mid);
	free(mval);
	candidate_ops_free(ops.ids, ops.of, ops.names, ops.nnames);
	app_queue_changed(a);
	app_load(a);
	app_status(a, 0, "%zu candidates%s%s%s%s", k, *a->filter ? ", filter " : "", a->filter,
	    *a->sort ? ", sorted by " : "", a->sort);
}

void
cmd_filter(struct app *a, const char *arg)
{
	char line[128];

	if (*arg == '\0') {
		if (a->script != NULL || screen_prompt(a, "filter (op=NAME, decision=accept|"
		    "reject|skip|undecided, pass, fail, unscored, all): ", line, sizeof line) != 0)
			return;
		arg = line;
	}
	if (strncmp(arg, "op=", 3) != 0 && strncmp(arg, "decision=", 9) != 0 &&
	    strcmp(arg, "pass") != 0 && strcmp(arg, "fail") != 0 && strcmp(arg, "unscored") != 0 &&
	    strcmp(arg, "all") != 0) {
		app_status(a, 1, "filter: op=NAME, decision=ANSWER, pass, fail, unscored or all");
		return;
	}
	snprintf(a->filter, sizeof a->filter, "%s", strcmp(arg, "all") == 0 ? "" : arg);
	rebuild(a);
}

void
cmd_sort(struct app *a, const char *arg)
{
	char line[64];

	if (*arg == '\0') {
		if (a->script != NULL || screen_prompt(a, "sort by (id, op or a metric): ", line,
		    sizeof line) != 0)
			return;
		arg = line;
	}
	if (strcmp(arg, "id") != 0 && strcmp(arg, "op") != 0 && metric_find(arg) == NULL) {
		app_status(a, 1, "sort: id, op or a metric name (mmda metrics)");
		return;
	}
	snprintf(a->sort, sizeof a->sort, "%s", strcmp(arg, "id") == 0 ? "" : arg);
	rebuild(a);
}

int
app_is_marked(const struct app *a, int64_t id)
{
	for (size_t i = 0; i < a->nmarked; i++)
		if (a->marked[i] == id)
			return 1;
	return 0;
}

void
cmd_mark(struct app *a, const char *arg)
{
	(void)arg;
	if (a->n == 0)
		return;
	int64_t id = a->ids[a->cur];
	for (size_t i = 0; i < a->nmarked; i++)
		if (a->marked[i] == id) {
			a->marked[i] = a->marked[--a->nmarked];
			app_status(a, 0, "#%" PRId64 " unmarked (%zu marked)", id, a->nmarked);
			return;
		}
	a->marked = xreallocarray(a->marked, a->nmarked + 1, sizeof *a->marked);
	a->marked[a->nmarked++] = id;
	app_status(a, 0, "#%" PRId64 " marked (%zu marked)", id, a->nmarked);
	if (a->cur + 1 < a->n)
		move_to(a, a->cur + 1);
}
