/* SPDX-License-Identifier: MIT */
/* The thresholds screen: move the cutoff, change metric, tune, apply, page the boundary. */
#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export/export.h"
#include "core/metrics/metrics.h"
#include "core/ops/ops.h"
#include "core/metrics/tune.h"
#include "core/base/util.h"
#include "tui/augjob.h"
#include "tui/commands.h"
#include "tui/commands_priv.h"
#include "tui/exportjob.h"
#include "tui/render.h"
#include "tui/screen.h"

void
cmd_thresholds(struct app *a, const char *arg)
{
	(void)arg;
	if (a->view == VIEW_THRESHOLDS) {
		switch_view(a, VIEW_REVIEW);
		return;
	}
	switch_view(a, VIEW_THRESHOLDS);
	if (a->tune == NULL)
		app_tune_load(a);
	if (a->nmetrics == 0)
		app_status(a, 1, "no scores yet (mmda score)");
}

static int
on_thresholds(struct app *a)
{
	if (a->view == VIEW_THRESHOLDS && a->tune != NULL)
		return 1;
	app_status(a, 1, "that works on the thresholds screen (t)");
	return 0;
}

/* One step is a hundredth of the metric's range (or the value typed after the command). */
static void
move_cutoff(struct app *a, const char *arg, int dir)
{
	double step = (tune_max(a->tune) - tune_min(a->tune)) / 100;

	if (*arg != '\0')
		step = strtod(arg, NULL);
	if (!(step > 0))
		step = 1;
	a->cutoff += dir * step;
	a->dirty = 1;
}

void
cmd_cutoff_up(struct app *a, const char *arg)
{
	if (on_thresholds(a))
		move_cutoff(a, arg, 1);
}

void
cmd_cutoff_down(struct app *a, const char *arg)
{
	if (on_thresholds(a))
		move_cutoff(a, arg, -1);
}

static void
cmd_metric(struct app *a, int dir)
{
	if (a->view != VIEW_THRESHOLDS || a->nmetrics == 0) {
		on_thresholds(a);
		return;
	}
	a->metric = (a->metric + a->nmetrics + (size_t)(dir > 0 ? 1 : a->nmetrics - 1)) %
	    a->nmetrics;
	app_tune_load(a);
}

void
cmd_metric_next(struct app *a, const char *arg)
{
	(void)arg;
	cmd_metric(a, 1);
}

void
cmd_metric_prev(struct app *a, const char *arg)
{
	(void)arg;
	cmd_metric(a, -1);
}

void
cmd_cutoff_up_coarse(struct app *a, const char *arg)
{
	(void)arg;
	if (on_thresholds(a))
		move_cutoff(a, "", 10);
}

void
cmd_cutoff_down_coarse(struct app *a, const char *arg)
{
	(void)arg;
	if (on_thresholds(a))
		move_cutoff(a, "", -10);
}

void
cmd_auto_tune(struct app *a, const char *arg)
{
	const struct metric_def *m;
	struct tune_eval e;

	(void)arg;
	if (!on_thresholds(a))
		return;
	m = metric_find(a->metrics[a->metric]);
	if (!tune_enough_labels(a->tune, TUNE_MIN_PER_CLASS)) {
		app_status(a, 1, "too few labels to tune: need %d accepted and %d rejected",
		    TUNE_MIN_PER_CLASS, TUNE_MIN_PER_CLASS);
		return;
	}
	if (tune_suggest_f1(a->tune, m && m->keep == METRIC_KEEP_BELOW ? TUNE_KEEP_BELOW :
	    TUNE_KEEP_ABOVE, &e) == 0) {
		a->cutoff = e.cutoff;
		app_status(a, 0, "best F1 %.3f at %g", e.f1, e.cutoff);
	}
}

void
cmd_set_threshold(struct app *a, const char *arg)
{
	struct threshold t;
	char *cause = NULL;

	(void)arg;
	if (!on_thresholds(a))
		return;
	const char *name = a->metrics[a->metric];
	const struct metric_def *m = metric_find(name);
	if (tune_size(a->tune) == 0) {
		app_status(a, 1, "no scored candidate in this scope: o picks another");
		return;
	}
	memset(&t, 0, sizeof t);
	for (size_t i = 0; i < a->nth; i++)
		if (strcmp(a->th[i].metric, name) == 0 && strcmp(a->th[i].scope, a->tune_scope) == 0)
			t = a->th[i];
	t.metric = (char *)name;
	t.scope = a->tune_scope;
	if (m != NULL && m->keep == METRIC_KEEP_BELOW)
		t.has_max = 1, t.max = a->cutoff;
	else
		t.has_min = 1, t.min = a->cutoff;
	t.enabled = 1;
	t.changed_by = a->annotator;
	if (store_threshold_set(a->st, &t, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	thresholds_free(a->th, a->nth);
	a->th = NULL;
	a->nth = 0;
	store_thresholds(a->st, NULL, &a->th, &a->nth, NULL);
	app_tune_overview(a);
	char *d = metric_scope_describe(name, a->tune_scope);
	app_status(a, 0, "threshold on %s for %s set to %g", name, d, a->cutoff);
	free(d);
}

void
cmd_threshold_scope(struct app *a, const char *arg)
{
	char line[512], *scope = NULL, *cause = NULL;

	if (!on_thresholds(a))
		return;
	const char *name = a->metrics[a->metric];
	snprintf(line, sizeof line, "%s", arg);
	if (*line == '\0' && screen_prompt(a, "ops (default, all, op names or classes): ", line,
	    sizeof line) != 0)
		return;
	if (metric_scope_parse(name, *line != '\0' ? line : "default", &scope, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	snprintf(a->tune_scope, sizeof a->tune_scope, "%s", scope);
	free(scope);
	app_tune_load(a);
	char *d = metric_scope_describe(name, a->tune_scope);
	app_status(a, 0, "tuning %s for %s: %zu scored", name, d,
	    a->tune != NULL ? tune_size(a->tune) : 0);
	free(d);
}

void
cmd_apply_suggested(struct app *a, const char *arg)
{
	double before = a->cutoff;

	cmd_auto_tune(a, arg);
	if (a->tune != NULL && tune_enough_labels(a->tune, TUNE_MIN_PER_CLASS))
		cmd_set_threshold(a, "");
	else
		a->cutoff = before;
}

/*
 * Reviews the candidates nearest the cutoff on either side: the queue becomes
 * them, closest first, and q brings the whole queue back.
 */
void
cmd_boundary(struct app *a, const char *arg)
{
	int64_t *ids, *near;
	double *vals;
	size_t n, k = 0;
	char *cause = NULL;

	(void)arg;
	if (!on_thresholds(a))
		return;
	if (store_metric_values(a->st, a->metrics[a->metric], &ids, &vals, &n, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	/* The boundary of the scope being tuned: what its threshold would decide. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (app_tune_has(a, ids[i])) {
			ids[m] = ids[i];
			vals[m++] = vals[i];
		}
	n = m;
	/* Order by distance to the cutoff: a selection of the nearest 20 is enough. */
	near = xcalloc(20, sizeof *near);
	for (; k < 20 && k < n; k++) {
		size_t best = k;
		for (size_t i = k + 1; i < n; i++)
			if (fabs(vals[i] - a->cutoff) < fabs(vals[best] - a->cutoff))
				best = i;
		int64_t ti = ids[k];
		double tv = vals[k];
		ids[k] = ids[best], vals[k] = vals[best];
		ids[best] = ti, vals[best] = tv;
		near[k] = ids[k];
	}
	free(ids);
	free(vals);
	if (k == 0) {
		free(near);
		return;
	}
	if (a->full_ids == NULL) {
		a->full_ids = a->ids;
		a->full_n = a->n;
		a->full_cur = a->cur;
	} else
		free(a->ids);
	a->ids = near;
	a->n = k;
	a->cur = 0;
	snprintf(a->boundary_metric, sizeof a->boundary_metric, "%s", a->metrics[a->metric]);
	app_queue_changed(a);
	switch_view(a, VIEW_REVIEW);
	app_load(a);
	app_status(a, 0, "the %zu candidates nearest the cutoff; q returns to the whole queue", k);
}
