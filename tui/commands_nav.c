/* SPDX-License-Identifier: MIT */
/*
 * Finding and paging: caption search in queue order (and n to repeat it),
 * the review screen's caption scroll and scores pages, the help screen's
 * scrolling, and the list's jumps (top, bottom, a page either way).
 */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "tui/commands.h"
#include "tui/commands_priv.h"
#include "tui/screen.h"

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* Moves to the next candidate of the queue, after the current one and
 * wrapping, whose caption holds needle. */
static void
find(struct app *a, const char *needle)
{
	char *cause = NULL;
	int64_t *hits;
	size_t nh;

	if (a->n == 0)
		return;
	if (store_search(a->st, needle, &hits, &nh, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	for (size_t k = 1; k <= a->n; k++) {
		size_t i = (a->cur + k) % a->n;
		if (nh > 0 && bsearch(&a->ids[i], hits, nh, sizeof *hits, cmp_id) != NULL) {
			int wrapped = i <= a->cur;
			move_to(a, i);
			app_status(a, 0, "found in #%" PRId64 "%s (n: next)", a->ids[i],
			    k == a->n ? ", the only match" : wrapped ? ", from the top" : "");
			free(hits);
			return;
		}
	}
	free(hits);
	app_status(a, 1, "not found in this queue: %s", needle);
}

void
cmd_search(struct app *a, const char *arg)
{
	char line[sizeof a->last_search];

	if (*arg == '\0') {
		if (a->script != NULL || screen_prompt(a, "/", line, sizeof line) != 0)
			return;
		arg = line;
	}
	snprintf(a->last_search, sizeof a->last_search, "%s", arg);
	find(a, a->last_search);
}

void
cmd_search_next(struct app *a, const char *arg)
{
	(void)arg;
	if (a->last_search[0] == '\0') {
		app_status(a, 0, "no search yet (/ starts one)");
		return;
	}
	find(a, a->last_search);
}

void
cmd_caption_scroll(struct app *a, const char *arg)
{
	(void)arg;
	/* The draw step knows how far the words go; it resets a scroll past them. */
	a->cap_scroll = a->cap_scroll_more ? a->cap_scroll + 2 : 0;
	a->dirty = 1;
}

void
cmd_scores_page(struct app *a, const char *arg)
{
	(void)arg;
	a->score_page++; /* the panel wraps back to the first page */
	a->dirty = 1;
}

/* The full-text screen of the candidate under review; again: back. */
void
cmd_full_text(struct app *a, const char *arg)
{
	(void)arg;
	if (a->view == VIEW_TEXT) {
		switch_view(a, VIEW_REVIEW);
		return;
	}
	if (a->view != VIEW_REVIEW || a->c.id == 0) {
		app_status(a, 1, "full-text: no candidate on this screen (q returns to review)");
		return;
	}
	a->text_top = 0;
	switch_view(a, VIEW_TEXT);
}

/* The help or full-text screen: one line, or a page, either way. */
static void
help_move(struct app *a, int by)
{
	int *top = a->view == VIEW_TEXT ? &a->text_top : &a->help_top;

	*top += by;
	if (*top < 0)
		*top = 0; /* the draw step clamps the bottom */
	a->dirty = 1;
}

void
cmd_help_down(struct app *a, const char *arg)
{
	(void)arg;
	help_move(a, 1);
}

void
cmd_help_up(struct app *a, const char *arg)
{
	(void)arg;
	help_move(a, -1);
}

void
cmd_help_page_down(struct app *a, const char *arg)
{
	(void)arg;
	help_move(a, LINES - 5);
}

void
cmd_help_page_up(struct app *a, const char *arg)
{
	(void)arg;
	help_move(a, -(LINES - 5));
}

/* The list: the table shows LINES - 4 rows. */
static void
list_jump(struct app *a, long by)
{
	long to = (long)a->cur + by;

	if (a->n == 0)
		return;
	if (to < 0)
		to = 0;
	if (to >= (long)a->n)
		to = (long)a->n - 1;
	move_to(a, (size_t)to);
}

void
cmd_list_top(struct app *a, const char *arg)
{
	(void)arg;
	list_jump(a, -(long)a->n);
}

void
cmd_list_bottom(struct app *a, const char *arg)
{
	(void)arg;
	list_jump(a, (long)a->n);
}

void
cmd_list_page_down(struct app *a, const char *arg)
{
	(void)arg;
	list_jump(a, LINES - 4);
}

void
cmd_list_page_up(struct app *a, const char *arg)
{
	(void)arg;
	list_jump(a, -(LINES - 4));
}
