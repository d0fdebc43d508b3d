/* SPDX-License-Identifier: MIT */
/* The help screen: generated from the command table, so it cannot drift from the keys. */
#include <stdio.h>
#include <string.h>

#include "tui/commands.h"
#include "tui/screen.h"
#include "views/views.h"

/* Where a screen-specific binding works, after its keys. */
static const char *
screen_of(int view)
{
	switch (view) {
	case VIEW_REVIEW: return " (review)";
	case VIEW_LIST: return " (list)";
	case VIEW_THRESHOLDS: return " (t)";
	case VIEW_AUGMENT: return " (g)";
	case VIEW_EXPORT: return " (E)";
	case VIEW_HELP: return " (help)";
	case VIEW_TEXT: return " (v)";
	default: return "";
	}
}

static const char *const notes[] = {
	"",
	"Scores panel (review): the thresholds in force first, each with its value, its",
	"cutoff and PASS or FAIL; a metric without a score says unscored, never FAIL. The",
	"header names what fails (FAILS ssim 0.31 < 0.5). Other scores follow in columns;",
	"i pages them. c scrolls long captions.",
	"",
	"Decisions are saved the moment they are made; u walks back through your own.",
	"Keys that act on a candidate work only where one is shown (review, list).",
	NULL,
};

/* One line of the help: a binding (i < ncommands), a queue, or a note. */
static void
help_line(int y, size_t i, size_t ncmd, size_t nq)
{
	char keys[64];

	if (i < ncmd) {
		const struct command *c = &commands[i];
		snprintf(keys, sizeof keys, "%s%s", command_keys(c), screen_of(c->view));
		screen_text(y, 1, 19, keys, theme_attr(TH_HEADER));
		screen_text(y, 21, 18, c->name, theme_attr(TH_TEXT));
		screen_text(y, 40, COLS - 41, c->help, theme_attr(TH_DIM));
		return;
	}
	i -= ncmd;
	if (i == 0) {
		screen_text(y, 1, COLS - 2, "Queues (mmda review --queue Q):", theme_attr(TH_HEADER));
		return;
	}
	if (i - 1 < nq) {
		screen_text(y, 3, 12, app_queues[i - 1].name, theme_attr(TH_TEXT));
		screen_text(y, 16, COLS - 17, app_queues[i - 1].help, theme_attr(TH_DIM));
		return;
	}
	screen_text(y, 1, COLS - 2, notes[i - 1 - nq], theme_attr(TH_DIM));
}

static void
help_draw(struct app *a)
{
	size_t ncmd = 0, nq = 0, nn = 0;
	int rows = LINES - 4;

	while (commands[ncmd].name != NULL)
		ncmd++;
	while (app_queues[nq].name != NULL)
		nq++;
	while (notes[nn] != NULL)
		nn++;
	size_t total = ncmd + 1 + nq + nn;
	/* A filled background makes curses paint every cell, covering any image. */
	for (int r = 0; r < LINES - 2; r++) {
		move(r, 0);
		attron(theme_attr(TH_TEXT));
		for (int c = 0; c < COLS; c++)
			addch(' ');
		attroff(theme_attr(TH_TEXT));
	}
	if (rows < 1)
		return;
	if (a->help_top > (int)total - rows)
		a->help_top = (int)total - rows > 0 ? (int)total - rows : 0;
	char title[160];
	snprintf(title, sizeof title, " mmda help: keys and commands (:name runs one)   lines "
	    "%d-%d of %zu   j/k PgUp/PgDn scroll, q or ? back ", a->help_top + 1,
	    a->help_top + rows < (int)total ? a->help_top + rows : (int)total, total);
	screen_text(0, 0, COLS, title, theme_attr(TH_TITLE));
	for (int r = 0; r < rows && (size_t)(a->help_top + r) < total; r++)
		help_line(2 + r, (size_t)(a->help_top + r), ncmd, nq);
}

const struct view_ops view_help = { "help", help_draw };

void
views_draw(struct app *a)
{
	const struct view_ops *v = a->view == VIEW_HELP ? &view_help :
	    a->view == VIEW_LIST ? &view_list :
	    a->view == VIEW_THRESHOLDS ? &view_thresholds :
	    a->view == VIEW_STATS ? &view_stats :
	    a->view == VIEW_AUGMENT ? &view_augment :
	    a->view == VIEW_EXPORT ? &view_export :
	    a->view == VIEW_TEXT ? &view_text : &view_review;
	v->draw(a);
}
