/* SPDX-License-Identifier: MIT */
/* Loading what the review screen shows, and the status line. */
#include "tui/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

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
	    (a->c.nparents > 0 &&
	    store_candidate_get(a->st, a->c.parents[0], &a->p, &cause) != 0) ||
	    store_decisions_current(a->st, a->c.id, &a->dec, &a->ndec, &cause) != 0 ||
	    store_scores_of(a->st, a->c.id, &a->sc, &a->nsc, &cause) != 0 ||
	    store_thresholds(a->st, NULL, &a->th, &a->nth, &cause) != 0) {
		app_status(a, 1, "%s", cause ? cause : "cannot load the candidate");
		free(cause);
		return;
	}
	a->has_parent = a->c.nparents > 0;
	a->shown_ms = now_mono_ms();
	/* This annotator's progress, for the title bar. */
	store_annotator_counts(a->st, a->annotator, a->mine, NULL);
}
