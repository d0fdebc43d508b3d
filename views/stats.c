/* SPDX-License-Identifier: MIT */
/*
 * The stats screen: the project's counts, acceptance per operator and per
 * annotator, agreement (Cohen's or Fleiss' kappa, overall and per op) and
 * how many pass the thresholds. Computed when the screen opens and on each
 * redraw of it, not while reviewing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/agreestats.h"
#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/base/util.h"
#include "tui/screen.h"
#include "views/views.h"

struct per_op {
	char *op;
	int64_t n[ANSWER_COUNT];
};

struct tally {
	struct per_op *ops;
	size_t nops;
};

static void
count(void *arg, int64_t candidate, const char *op, const char *annotator, enum answer a)
{
	struct tally *t = arg;
	size_t i;

	(void)candidate, (void)annotator;
	for (i = 0; i < t->nops; i++)
		if (strcmp(t->ops[i].op, op) == 0)
			break;
	if (i == t->nops) {
		t->ops = xreallocarray(t->ops, t->nops + 1, sizeof *t->ops);
		memset(&t->ops[i], 0, sizeof t->ops[i]);
		t->ops[i].op = xstrdup(op);
		t->nops++;
	}
	t->ops[i].n[a]++;
}

static double
rate(const int64_t n[ANSWER_COUNT])
{
	int64_t d = n[ANSWER_ACCEPT] + n[ANSWER_REJECT];
	return d > 0 ? (double)n[ANSWER_ACCEPT] / (double)d : 0;
}

static void
stats_draw(struct app *a)
{
	struct store_stats s;
	struct agree_report ag;
	struct tally t = { NULL, 0 };
	char buf[512];
	int y = 2;

	screen_title(" mmda stats   S back");
	if (store_stats(a->st, metric_default_scopes(), &s, NULL) != 0)
		return;
	snprintf(buf, sizeof buf, "%" PRId64 " candidates: %" PRId64 " originals over %" PRId64
	    " images, %" PRId64 " derived; %" PRId64 " decided, %" PRId64 " undecided (candidates);"
	    " %" PRId64 " pass %" PRId64 " threshold%s", s.candidates, s.originals, s.images,
	    s.derived, s.decided, s.undecided, s.passing, s.thresholds, s.thresholds == 1 ? "" : "s");
	screen_text(y++, 0, COLS, buf, theme_attr(TH_TEXT));
	y++;
	store_decisions_walk(a->st, count, &t, NULL);
	screen_text(y++, 0, COLS, "op                accept  reject    skip  acceptance",
	    theme_attr(TH_HEADER));
	for (size_t i = 0; i < t.nops && y < LINES - 8; i++) {
		snprintf(buf, sizeof buf, "%-16.16s %7" PRId64 " %7" PRId64 " %7" PRId64 "  %9.1f%%",
		    t.ops[i].op, t.ops[i].n[ANSWER_ACCEPT], t.ops[i].n[ANSWER_REJECT],
		    t.ops[i].n[ANSWER_SKIP], 100 * rate(t.ops[i].n));
		screen_text(y++, 0, COLS, buf, theme_attr(TH_TEXT));
		free(t.ops[i].op);
	}
	free(t.ops);
	y++;
	screen_text(y++, 0, COLS, "annotator         accept  reject    skip  acceptance  per minute",
	    theme_attr(TH_HEADER));
	for (size_t i = 0; i < s.nannotators && y < LINES - 5; i++) {
		int64_t n = 0, first = 0, last = 0;
		store_annotator_pace(a->st, s.by_annotator[i].name, &n, &first, &last, NULL);
		/* Over the span of their log; one minute at least, so a burst is not 600/min. */
		double minutes = (double)(last - first) / 60.0;
		if (minutes < 1)
			minutes = 1;
		snprintf(buf, sizeof buf, "%-16.16s %7" PRId64 " %7" PRId64 " %7" PRId64
		    "  %9.1f%%  %10.1f", s.by_annotator[i].name,
		    s.by_annotator[i].answers[ANSWER_ACCEPT], s.by_annotator[i].answers[ANSWER_REJECT],
		    s.by_annotator[i].answers[ANSWER_SKIP], 100 * rate(s.by_annotator[i].answers),
		    (double)n / minutes);
		screen_text(y++, 0, COLS, buf, theme_attr(TH_TEXT));
	}
	store_stats_free(&s);
	y++;
	if (agree_report(a->st, &ag, NULL) == 0) {
		if (strcmp(ag.method, "none") == 0)
			snprintf(buf, sizeof buf, "agreement: needs two annotators");
		else
			snprintf(buf, sizeof buf, "agreement: %s's kappa %.3f over %" PRId64
			    " items (observed %.3f)%s%s", strcmp(ag.method, "cohen") == 0 ? "Cohen" :
			    "Fleiss", ag.overall.kappa, ag.overall.items, ag.overall.observed,
			    ag.overall.degenerate ? ", degenerate: every rating was " : "",
			    ag.overall.degenerate ? answer_name((enum answer)ag.overall.only) : "");
		screen_text(y++, 0, COLS, buf, theme_attr(TH_HEADER));
		for (size_t i = 0; i < ag.nops && y < LINES - 3; i++)
			if (ag.by_op[i].items > 0) {
				snprintf(buf, sizeof buf, "  %-16.16s kappa %.3f over %" PRId64 "%s",
				    ag.by_op[i].op, ag.by_op[i].kappa, ag.by_op[i].items,
				    ag.by_op[i].degenerate ? " (degenerate)" : "");
				screen_text(y++, 0, COLS, buf, theme_attr(TH_TEXT));
			}
		agree_report_free(&ag);
	}
}

const struct view_ops view_stats = { "stats", stats_draw };
