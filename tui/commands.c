/* SPDX-License-Identifier: MIT */
/* The commands of the review application and their default keys. */
#include "tui/commands.h"
#include "tui/commands_priv.h"

#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/metrics.h"
#include "core/export/export.h"
#include "core/ops/ops.h"
#include "core/metrics/tune.h"
#include "core/base/util.h"
#include "tui/augjob.h"
#include "tui/exportjob.h"
#include "tui/render.h"
#include "tui/screen.h"

static void
decide(struct app *a, enum answer ans, const char *note)
{
	char *cause = NULL;
	int64_t lead;

	if (a->n == 0)
		return;
	lead = a->shown_ms > 0 ? now_mono_ms() - a->shown_ms : -1;
	if (store_decide(a->st, a->c.id, a->annotator, ans, NULL, *note ? note : NULL, lead, NULL,
	    &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	app_status(a, 0, "candidate %" PRId64 ": %s", a->c.id, answer_name(ans));
	app_decided_set(a, a->c.id, 1);
	app_learn_decided(a);
	if (a->overlap > 0) {
		/* With several annotators the next candidate is the one leased to us. */
		int64_t id;
		int rc = a->queue.kind == QUEUE_DEFAULT ?
		    store_lease_next(a->st, a->annotator, a->overlap, 600, &id, &cause) :
		    store_lease_next_in(a->st, &a->queue, a->annotator, a->overlap, 600, &id,
		    &cause);
		if (rc < 0) {
			app_status(a, 1, "%s", cause);
			free(cause);
		} else if (rc == 0)
			app_status(a, 0, "nothing left to review with overlap %d", a->overlap);
		for (size_t i = 0; rc == 1 && i < a->n; i++)
			if (a->ids[i] == id)
				a->cur = i;
	} else if (a->cur + 1 < a->n)
		a->cur++;
	app_load(a);
}

static void
cmd_accept(struct app *a, const char *arg)
{
	decide(a, ANSWER_ACCEPT, arg);
}

static void
cmd_reject(struct app *a, const char *arg)
{
	decide(a, ANSWER_REJECT, arg);
}

static void
cmd_skip(struct app *a, const char *arg)
{
	decide(a, ANSWER_SKIP, arg);
}

static void
cmd_undo(struct app *a, const char *arg)
{
	char *cause = NULL;
	int64_t cand;
	int rc;

	(void)arg;
	if ((rc = store_undo(a->st, a->annotator, &cand, &cause)) < 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	if (rc == 0) {
		app_status(a, 0, "nothing to undo");
		return;
	}
	app_learn_decided(a);
	/* Go back to what was undone, so it can be decided again. */
	for (size_t i = 0; i < a->n; i++)
		if (a->ids[i] == cand)
			a->cur = i;
	app_load(a);
	app_status(a, 0, "candidate %" PRId64 ": decision retracted", cand);
}

void
move_to(struct app *a, size_t i)
{
	if (a->n == 0)
		return;
	a->second = 0;
	a->cur = i;
	app_load(a);
}

static void
cmd_next(struct app *a, const char *arg)
{
	(void)arg;
	if (a->cur + 1 < a->n)
		move_to(a, a->cur + 1);
	else
		app_status(a, 0, "last candidate");
}

static void
cmd_prev(struct app *a, const char *arg)
{
	(void)arg;
	if (a->cur > 0)
		move_to(a, a->cur - 1);
	else
		app_status(a, 0, "first candidate");
}

/* The first parent of a candidate, or the candidate itself for an original. */
static int64_t
origin_of(struct app *a, int64_t id)
{
	struct candidate c;
	int64_t o = id;

	if (store_candidate_get(a->st, id, &c, NULL) == 0) {
		if (c.nparents > 0)
			o = c.parents[0];
		candidate_free(&c);
	}
	return o;
}

static void
cmd_next_original(struct app *a, const char *arg)
{
	int64_t here = origin_of(a, a->ids[a->cur]);

	(void)arg;
	for (size_t i = a->cur + 1; i < a->n; i++)
		if (origin_of(a, a->ids[i]) != here) {
			move_to(a, i);
			return;
		}
	app_status(a, 0, "no later original");
}

static void
cmd_prev_original(struct app *a, const char *arg)
{
	int64_t here = origin_of(a, a->ids[a->cur]);

	(void)arg;
	for (size_t i = a->cur; i-- > 0;)
		if (origin_of(a, a->ids[i]) != here) {
			int64_t there = origin_of(a, a->ids[i]);
			while (i > 0 && origin_of(a, a->ids[i - 1]) == there)
				i--;
			move_to(a, i);
			return;
		}
	app_status(a, 0, "no earlier original");
}

static void
cmd_goto(struct app *a, const char *arg)
{
	char *cause = NULL;
	int64_t id;

	if (*arg == '\0') {
		app_status(a, 1, "goto: which candidate?");
		return;
	}
	if (store_candidate_find(a->st, arg, &id, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->ids[i] == id) {
			move_to(a, i);
			return;
		}
	app_status(a, 1, "candidate %" PRId64 " is not in the queue", id);
}

/* Changing screens repaints everything, and removes the images (render_wipe). */
void
switch_view(struct app *a, enum view_id v)
{
	a->view = v;
	render_wipe(a);
	a->images_dirty = 1;
	a->dirty = 1;
}

static void
cmd_help(struct app *a, const char *arg)
{
	(void)arg;
	if (a->view == VIEW_HELP) {
		switch_view(a, a->help_from);
		return;
	}
	a->help_from = a->view;
	a->help_top = 0;
	switch_view(a, VIEW_HELP);
}

static void
cmd_list(struct app *a, const char *arg)
{
	(void)arg;
	switch_view(a, a->view == VIEW_LIST ? VIEW_REVIEW : VIEW_LIST);
}

static void
cmd_open(struct app *a, const char *arg)
{
	(void)arg;
	if (a->view != VIEW_REVIEW)
		switch_view(a, VIEW_REVIEW);
}

static void
cmd_stats(struct app *a, const char *arg)
{
	(void)arg;
	switch_view(a, a->view == VIEW_STATS ? VIEW_REVIEW : VIEW_STATS);
}














static void
cmd_zoom(struct app *a, const char *arg)
{
	(void)arg;
	a->zoom = !a->zoom;
	switch_view(a, VIEW_REVIEW);
}

static void
cmd_second_parent(struct app *a, const char *arg)
{
	(void)arg;
	if (a->c.nparents < 2) {
		app_status(a, 0, "this candidate has one parent");
		return;
	}
	a->second = !a->second;
	app_load(a);
	app_status(a, 0, "left pane: %s parent", a->second ? "second" : "first");
}

static void
cmd_dither(struct app *a, const char *arg)
{
	(void)arg;
	a->dither = !a->dither;
	render_options(a, a->dither, a->low_bandwidth);
	app_status(a, 0, "sixel dithering %s", a->dither ? "on" : "off");
}

static void
cmd_low_bandwidth(struct app *a, const char *arg)
{
	(void)arg;
	a->low_bandwidth = !a->low_bandwidth;
	render_options(a, a->dither, a->low_bandwidth);
	app_status(a, 0, "low bandwidth %s (64 colours, half-resolution panes)",
	    a->low_bandwidth ? "on" : "off");
}


















static void
cmd_redraw(struct app *a, const char *arg)
{
	(void)arg;
	clearok(curscr, TRUE);
	a->images_dirty = 1;
	a->dirty = 1;
}

static void
cmd_quit(struct app *a, const char *arg)
{
	(void)arg;
	if (a->view == VIEW_HELP) {
		switch_view(a, a->help_from);
		return;
	}
	if (a->view != VIEW_REVIEW) {
		switch_view(a, VIEW_REVIEW);
		return;
	}
	if (a->full_ids != NULL) {
		/* Leaving a boundary page: back to the whole queue, where we were. */
		free(a->ids);
		a->ids = a->full_ids;
		a->n = a->full_n;
		a->cur = a->full_cur;
		a->full_ids = NULL;
		app_queue_changed(a);
		switch_view(a, VIEW_THRESHOLDS);
		app_load(a);
		return;
	}
	a->quit = 1;
}

static void
cmd_prompt(struct app *a, const char *arg)
{
	char line[256];

	(void)arg;
	if (a->script != NULL)
		return;
	if (screen_prompt(a, ":", line, sizeof line) == 0)
		command_line(a, line);
}

static void
cmd_dump(struct app *a, const char *arg)
{
	if (screen_dump(a, arg) != 0)
		app_status(a, 1, "dump-screen: cannot write %s", arg);
}

const struct command commands[] = {
	{ "accept", "a", VIEW_COUNT, "accept the candidate and go to the next", cmd_accept,
	    CMD_CANDIDATE },
	{ "reject", "x", VIEW_COUNT, "reject the candidate and go to the next", cmd_reject,
	    CMD_CANDIDATE },
	{ "skip", "Space", VIEW_COUNT, "skip: decide later, go to the next", cmd_skip, CMD_CANDIDATE },
	{ "undo", "u", VIEW_COUNT, "retract your latest decision and go back to it", cmd_undo,
	    CMD_CANDIDATE },
	{ "next", "j Down", VIEW_COUNT, "next candidate", cmd_next, 0 },
	{ "prev", "k Up", VIEW_COUNT, "previous candidate", cmd_prev, 0 },
	{ "next-original", "J", VIEW_COUNT, "first candidate of the next original",
	    cmd_next_original, 0 },
	{ "prev-original", "K", VIEW_COUNT, "first candidate of the previous original",
	    cmd_prev_original, 0 },
	{ "goto", "", VIEW_COUNT, "goto ID: a numeric id, an aug_id prefix or a key", cmd_goto, 0 },
	{ "search", "/", VIEW_COUNT, "search TEXT: the next candidate whose caption contains TEXT",
	    cmd_search, 0 },
	{ "search-next", "n", VIEW_COUNT, "the next match of the last search", cmd_search_next, 0 },
	{ "full-text", "v", VIEW_COUNT,
	    "the whole text: a rationale under its problem, tool calls by field (again: back)",
	    cmd_full_text, 0 },
	{ "text-down", "j Down", VIEW_TEXT, "full text: scroll down a line", cmd_help_down, 0 },
	{ "text-up", "k Up", VIEW_TEXT, "full text: scroll up a line", cmd_help_up, 0 },
	{ "text-page-down", "PgDn Space", VIEW_TEXT, "full text: a page down", cmd_help_page_down,
	    0 },
	{ "text-page-up", "PgUp", VIEW_TEXT, "full text: a page up", cmd_help_page_up, 0 },
	{ "caption-scroll", "c", VIEW_REVIEW, "review: scroll long captions (past the end: top)",
	    cmd_caption_scroll, 0 },
	{ "scores-page", "i", VIEW_REVIEW, "review: the next page of the scores panel",
	    cmd_scores_page, 0 },
	{ "list", "l", VIEW_COUNT, "the queue as a table (again: back to review)", cmd_list, 0 },
	{ "list-top", "g Home", VIEW_LIST, "list: the first candidate", cmd_list_top, 0 },
	{ "list-bottom", "G End", VIEW_LIST, "list: the last candidate", cmd_list_bottom, 0 },
	{ "list-page-down", "PgDn", VIEW_LIST, "list: a page down", cmd_list_page_down, 0 },
	{ "list-page-up", "PgUp", VIEW_LIST, "list: a page up", cmd_list_page_up, 0 },
	{ "filter", "f", VIEW_LIST,
	    "filter op=NAME | decision=ANSWER|undecided | pass | fail | unscored | all",
	    cmd_filter, 0 },
	{ "sort", "o", VIEW_LIST, "sort id | op | METRIC (ascending; missing scores last)",
	    cmd_sort, 0 },
	{ "mark", "m", VIEW_COUNT, "mark or unmark this candidate for the augment screen's M",
	    cmd_mark, CMD_CANDIDATE },
	{ "open", "Enter", VIEW_COUNT, "open the selected candidate in review", cmd_open, 0 },
	{ "augment", "g", VIEW_COUNT, "run an operator on this pair or the queue (again: back)",
	    cmd_augment_screen, 0 },
	{ "aug-next-op", "j Down", VIEW_AUGMENT, "augment: the next operator", cmd_aug_next_op, 0 },
	{ "aug-prev-op", "k Up", VIEW_AUGMENT, "augment: the previous operator", cmd_aug_prev_op, 0 },
	{ "aug-next-param", "Tab ]", VIEW_AUGMENT, "augment: the next parameter",
	    cmd_aug_next_param, 0 },
	{ "set", "e Enter", VIEW_AUGMENT, "augment: set NAME=VALUE (checked against the table)",
	    cmd_aug_set, 0 },
	{ "run", "r", VIEW_AUGMENT, "augment: run on this pair's original, in the background",
	    cmd_aug_run, 0 },
	{ "run-all", "R", VIEW_AUGMENT, "augment: run on every original, in the background",
	    cmd_aug_run_all, 0 },
	{ "cancel", "X", VIEW_AUGMENT, "augment: stop the running batch (what is stored stays)",
	    cmd_aug_cancel, 0 },
	{ "export", "E", VIEW_COUNT, "export a subset in a trainer's format (again: back)",
	    cmd_export_screen, 0 },
	{ "ex-next-format", "j Down", VIEW_EXPORT, "export: the next format", cmd_ex_next, 0 },
	{ "ex-prev-format", "k Up", VIEW_EXPORT, "export: the previous format", cmd_ex_prev, 0 },
	{ "select", "Tab", VIEW_EXPORT, "export: select gold, accepted, passing or all",
	    cmd_ex_select, 0 },
	{ "export-to", "e Enter", VIEW_EXPORT, "export-to DIR: write the export (in the background)",
	    cmd_export_to, 0 },
	{ "run-marked", "M", VIEW_AUGMENT, "augment: run on the marked candidates' originals",
	    cmd_aug_run_marked, 0 },
	{ "wait", "", VIEW_COUNT, "wait [MS]: wait for the background batch, or MS milliseconds (for scripts)", cmd_wait, 0 },
	{ "stats", "S", VIEW_COUNT,
	    "acceptance per op and annotator, agreement, passing (again: back)", cmd_stats, 0 },
	{ "thresholds", "t", VIEW_COUNT, "tune thresholds against the decisions (again: back)",
	    cmd_thresholds, 0 },
	{ "cutoff-up", "l Right >", VIEW_THRESHOLDS,
	    "thresholds: raise the cutoff (cutoff-up STEP)", cmd_cutoff_up, 0 },
	{ "cutoff-down", "h Left <", VIEW_THRESHOLDS, "thresholds: lower the cutoff (cutoff-down STEP)",
	    cmd_cutoff_down, 0 },
	{ "cutoff-up-coarse", "L", VIEW_THRESHOLDS, "thresholds: raise the cutoff ten steps",
	    cmd_cutoff_up_coarse, 0 },
	{ "cutoff-down-coarse", "H", VIEW_THRESHOLDS, "thresholds: lower the cutoff ten steps",
	    cmd_cutoff_down_coarse, 0 },
	{ "metric-next", "] j Down", VIEW_THRESHOLDS, "thresholds: the next scored metric",
	    cmd_metric_next, 0 },
	{ "metric-prev", "[ k Up", VIEW_THRESHOLDS, "thresholds: the previous scored metric",
	    cmd_metric_prev, 0 },
	{ "auto-tune", "T", VIEW_THRESHOLDS, "thresholds: move the cutoff to the best F1",
	    cmd_auto_tune, 0 },
	{ "apply-suggested", "A", VIEW_THRESHOLDS,
	    "thresholds: set the best-F1 cutoff as the threshold", cmd_apply_suggested, 0 },
	{ "boundary", "Enter", VIEW_THRESHOLDS,
	    "thresholds: review the candidates just either side of the cutoff", cmd_boundary, 0 },
	{ "set-threshold", "s", VIEW_THRESHOLDS, "thresholds: make the cutoff the metric's threshold",
	    cmd_set_threshold, 0 },
	{ "threshold-scope", "o", VIEW_THRESHOLDS,
	    "thresholds: the ops s and A set it for (default, all, op names or classes)",
	    cmd_threshold_scope, 0 },
	{ "help", "?", VIEW_COUNT, "this help; again, q or any other key: back", cmd_help, 0 },
	{ "help-down", "j Down", VIEW_HELP, "help: scroll down a line", cmd_help_down, 0 },
	{ "help-up", "k Up", VIEW_HELP, "help: scroll up a line", cmd_help_up, 0 },
	{ "help-page-down", "PgDn Space", VIEW_HELP, "help: a page down", cmd_help_page_down, 0 },
	{ "help-page-up", "PgUp", VIEW_HELP, "help: a page up", cmd_help_page_up, 0 },
	{ "command", ":", VIEW_COUNT, "type a command by name (:goto 12, :accept)", cmd_prompt, 0 },
	{ "zoom", "z", VIEW_COUNT, "one image (the augmented one) over the whole screen; again: back",
	    cmd_zoom, CMD_CANDIDATE },
	{ "second-parent", "p", VIEW_COUNT,
	    "two-parent ops (mixgen, cutmix): show the second parent on the left; again: first",
	    cmd_second_parent, CMD_CANDIDATE },
	{ "dither", "D", VIEW_COUNT, "sixel: toggle error diffusion (off: artefacts stay honest)",
	    cmd_dither, 0 },
	{ "low-bandwidth", "B", VIEW_COUNT,
	    "sixel: toggle 64 colours and half-resolution panes for slow links", cmd_low_bandwidth, 0 },
	{ "redraw", "C-l", VIEW_COUNT, "repaint the whole screen", cmd_redraw, 0 },
	{ "quit", "q", VIEW_COUNT, "quit (from help: back to review)", cmd_quit, 0 },
	{ "dump-screen", "", VIEW_COUNT, "dump-screen FILE: write the screen text (for tests)",
	    cmd_dump, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 },
};

void
command_run(struct app *a, const struct command *c, const char *arg)
{
	if ((c->flags & CMD_CANDIDATE) && a->view != VIEW_REVIEW && a->view != VIEW_LIST) {
		app_status(a, 1, "%s: no candidate on this screen (q returns to review)", c->name);
		return;
	}
	c->run(a, arg);
}

const char *
command_keys(const struct command *c)
{
	return *c->keys ? c->keys : ":";
}

void
command_line(struct app *a, const char *line)
{
	char name[64];
	size_t len;

	line += strspn(line, " \t");
	len = strcspn(line, " \t\r\n");
	if (len == 0)
		return;
	if (len >= sizeof name) {
		app_status(a, 1, "unknown command");
		return;
	}
	memcpy(name, line, len);
	name[len] = '\0';
	const char *arg = line + len;
	arg += strspn(arg, " \t");
	char *clean = xstrdup(arg);
	clean[strcspn(clean, "\r\n")] = '\0';
	for (const struct command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0) {
			command_run(a, c, clean);
			free(clean);
			return;
		}
	free(clean);
	app_status(a, 1, "unknown command %s (? lists them)", name);
}
