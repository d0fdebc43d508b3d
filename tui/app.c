/* SPDX-License-Identifier: MIT */
/* Loading what the review screen shows, and the status line. */
#include "tui/app.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/metrics/metrics.h"
#include "core/metrics/tunestore.h"
#include "core/base/util.h"
#include "tui/augjob.h"
#include "tui/exportjob.h"
#include "tui/learnjob.h"

void
app_status(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_error = error;
	a->dirty = 1;
}

static void
unload(struct app *a)
{
	candidate_free(&a->c);
	candidate_free(&a->p);
	decisions_free(a->dec, a->ndec);
	scores_free(a->sc, a->nsc);
	thresholds_free(a->th, a->nth);
	a->dec = NULL, a->ndec = 0;
	a->sc = NULL, a->nsc = 0;
	a->th = NULL, a->nth = 0;
	a->has_parent = 0;
}

void
app_load(struct app *a)
{
	char *cause = NULL;

	unload(a);
	/* Only panes whose image changed are sent again (render_panes compares). */
	a->dirty = 1;
	if (a->n == 0)
		return;
	if (store_candidate_get(a->st, a->ids[a->cur], &a->c, &cause) != 0 ||
	    (a->c.nparents > 0 && store_candidate_get(a->st,
	    a->c.parents[a->second && a->c.nparents > 1 ? 1 : 0], &a->p, &cause) != 0) ||
	    store_decisions_current(a->st, a->c.id, &a->dec, &a->ndec, &cause) != 0 ||
	    store_scores_of(a->st, a->c.id, &a->sc, &a->nsc, &cause) != 0 ||
	    store_thresholds(a->st, NULL, &a->th, &a->nth, &cause) != 0) {
		app_status(a, 1, "%s", cause ? cause : "cannot load the candidate");
		free(cause);
		return;
	}
	a->has_parent = a->c.nparents > 0;
	a->shown_ms = now_mono_ms();
	if (a->c.id != a->last_id) {
		a->score_page = a->cap_scroll = 0;
		a->last_id = a->c.id;
	}
	/* Another process (or an undo) may have changed what this annotator decided here. */
	int mine = 0;
	for (size_t i = 0; i < a->ndec; i++)
		mine |= strcmp(a->dec[i].annotator, a->annotator) == 0;
	app_decided_set(a, a->c.id, mine);
	/* This annotator's progress, for the title bar. */
	store_annotator_counts(a->st, a->annotator, a->mine, NULL);
}

/* The overview over sh's labels and ops (with_ops). */
static void
overview(struct app *a, const struct tune_shared *sh)
{
	free(a->overview);
	a->overview = xcalloc(a->nmetrics ? a->nmetrics : 1, sizeof *a->overview);
	for (size_t i = 0; i < a->nmetrics; i++) {
		struct metric_row *r = &a->overview[i];
		struct tune_index *idx = tune_build_shared(a->st, sh, a->metrics[i], NULL, NULL);
		struct tune_bin bins[OVERVIEW_BINS];
		if (idx == NULL)
			continue;
		double lo = tune_min(idx), hi = tune_max(idx);
		if (hi > lo && tune_histogram(idx, OVERVIEW_BINS, lo, hi, bins) == 0)
			for (int b = 0; b < OVERVIEW_BINS; b++)
				r->bins[b] = bins[b].accept + bins[b].reject + bins[b].undecided;
		else
			r->bins[0] = (int64_t)tune_size(idx);
		r->kept = (int64_t)tune_size(idx);
		tune_free(idx);
		/* Each threshold removes from its own scope's candidates. */
		for (size_t t = 0; t < a->nth; t++)
			if (a->th[t].enabled && strcmp(a->th[t].metric, a->metrics[i]) == 0) {
				struct tune_eval e;
				struct tune_index *sc = tune_build_shared(a->st, sh, a->metrics[i],
				    a->th[t].scope, NULL);
				if (sc == NULL)
					continue;
				tune_eval_range(sc, a->th[t].has_min ? a->th[t].min : -INFINITY,
				    a->th[t].has_max ? a->th[t].max : INFINITY, &e);
				r->removed += e.removed;
				r->kept -= e.removed;
				r->thresholded = 1;
				tune_free(sc);
			}
	}
}

void
app_tune_overview(struct app *a)
{
	struct tune_shared *sh = tune_shared_load(a->st, 1, NULL);

	if (sh != NULL)
		overview(a, sh);
	tune_shared_free(sh);
}

void
app_tune_load(struct app *a)
{
	char *cause = NULL;
	struct tune_shared *sh = NULL;

	if (a->metrics == NULL) {
		if (store_scored_metrics(a->st, &a->metrics, &a->nmetrics, &cause) != 0 ||
		    (sh = tune_shared_load(a->st, 1, &cause)) == NULL) {
			app_status(a, 1, "%s", cause);
			free(cause);
			return;
		}
		overview(a, sh);
	}
	if (a->tune != NULL)
		tune_free(a->tune);
	a->tune = NULL;
	free(a->tune_ids);
	a->tune_ids = NULL;
	a->ntune_ids = 0;
	if (a->nmetrics == 0) {
		tune_shared_free(sh);
		return;
	}
	if (sh == NULL && (sh = tune_shared_load(a->st, 1, &cause)) == NULL) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	if (a->metric >= a->nmetrics)
		a->metric = 0;
	free(a->metric_model);
	if (store_metric_model(a->st, a->metrics[a->metric], &a->metric_model, NULL) < 0)
		a->metric_model = NULL;
	if (tune_scope_ids_shared(a->st, sh, a->metrics[a->metric], a->tune_scope, &a->tune_ids,
	    &a->ntune_ids, &a->tune, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		tune_shared_free(sh);
		return;
	}
	tune_shared_free(sh);
	/* Start from the threshold in force, else the middle of the range. */
	const struct metric_def *m = metric_find(a->metrics[a->metric]);
	int above = m == NULL || m->keep == METRIC_KEEP_ABOVE;
	a->cutoff = (tune_min(a->tune) + tune_max(a->tune)) / 2;
	for (size_t i = 0; i < a->nth; i++)
		if (strcmp(a->th[i].metric, a->metrics[a->metric]) == 0 &&
		    strcmp(a->th[i].scope, a->tune_scope) == 0) {
			if (above && a->th[i].has_min)
				a->cutoff = a->th[i].min;
			if (!above && a->th[i].has_max)
				a->cutoff = a->th[i].max;
		}
	a->dirty = 1;
}

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

int
app_tune_has(const struct app *a, int64_t id)
{
	return a->tune_ids != NULL &&
	    bsearch(&id, a->tune_ids, a->ntune_ids, sizeof id, cmp_id) != NULL;
}

void
app_learn_decided(struct app *a)
{
	char *cause = NULL;

	if (a->learn == NULL && (a->learn = learnjob_start(a->db_path, &cause)) == NULL) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	learnjob_decided(a->learn);
}

int
app_busy(const struct app *a)
{
	return a->job != NULL || a->exjob != NULL || (a->learn != NULL && learnjob_busy(a->learn));
}

/* A refit changed learned_accept: the uncertain queue's order is the new model's. */
static int
poll_learn(struct app *a)
{
	char msg[256];

	if (a->learn == NULL || !learnjob_poll(a->learn, msg, sizeof msg))
		return 0;
	app_status(a, 0, "%s", msg);
	if (a->queue.kind == QUEUE_UNCERTAIN && a->full_ids == NULL)
		app_queue_load(a, NULL);
	app_load(a);
	return 1;
}

int
app_poll_job(struct app *a)
{
	const char *summary;
	int64_t done, total;

	if (poll_learn(a))
		return 1;

	if (a->exjob != NULL) {
		if (!exportjob_poll(a->exjob, &done, &summary)) {
			app_status(a, 0, "exporting: %lld written", (long long)done);
			return 1;
		}
		app_status(a, 0, "%s", summary);
		exportjob_free(a->exjob);
		a->exjob = NULL;
		return 1;
	}
	if (a->job == NULL)
		return 0;
	if (!augjob_poll(a->job, &done, &total, &summary)) {
		app_status(a, 0, "augmenting: %lld of %lld", (long long)done, (long long)total);
		return 1;
	}
	app_status(a, 0, "%s", summary);
	augjob_free(a->job);
	a->job = NULL;
	/* New candidates join the queue; stay on the one on screen. */
	if (a->full_ids == NULL)
		app_queue_load(a, NULL);
	app_load(a);
	return 1;
}

/*
 * Quitting must not wait for a batch that can take hours, nor join a thread
 * that a cancel cannot reach: cancel, then wait only so long for both jobs.
 * Returns 0 when both ended (and are freed), -1 when one is still running.
 */
static int
jobs_stop(struct app *a, int64_t wait_ms)
{
	int64_t deadline = now_mono_ms() + wait_ms, done, total;
	const char *summary;

	if (a->exjob != NULL)
		exportjob_cancel(a->exjob);
	for (;;) {
		/* Again each turn: a worker that read the flag just before it was set may
		 * still have sent a request. */
		if (a->job != NULL)
			augjob_cancel(a->job);
		if (a->job != NULL && augjob_poll(a->job, &done, &total, &summary)) {
			augjob_free(a->job);
			a->job = NULL;
		}
		if (a->exjob != NULL && exportjob_poll(a->exjob, &done, &summary)) {
			exportjob_free(a->exjob);
			a->exjob = NULL;
		}
		if (a->job == NULL && a->exjob == NULL)
			return 0;
		if (now_mono_ms() >= deadline)
			return -1;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int
app_free(struct app *a)
{
	int rc = jobs_stop(a, APP_STOP_MS);

	free(a->marked);
	a->marked = NULL;
	a->nmarked = 0;
	/* The refit is CPU work on its own connection: it ends on its own. */
	learnjob_free(a->learn);
	a->learn = NULL;
	for (size_t i = 0; i < OP_TABLE_MAX; i++)
		for (size_t k = 0; k < OP_MAX_PARAMS; k++) {
			free(a->aug_vals[i][k]);
			a->aug_vals[i][k] = NULL;
		}
	unload(a);
	if (a->tune != NULL)
		tune_free(a->tune);
	free(a->tune_ids);
	a->tune_ids = NULL;
	a->ntune_ids = 0;
	free(a->metric_model);
	a->metric_model = NULL;
	for (size_t i = 0; i < a->nmetrics; i++)
		free(a->metrics[i]);
	free(a->metrics);
	a->tune = NULL;
	a->metrics = NULL;
	a->nmetrics = 0;
	free(a->overview);
	a->overview = NULL;
	if (a->full_ids != NULL) {
		free(a->ids);
		a->ids = a->full_ids;
		a->full_ids = NULL;
	}
	app_queue_free(a);
	return rc;
}
