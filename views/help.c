/* SPDX-License-Identifier: MIT */
/* The help screen: generated from the command table, so it cannot drift from the keys. */
#include <stdio.h>
#include <string.h>

#include "tui/commands.h"
#include "tui/screen.h"
#include "views/views.h"

static void
help_draw(struct app *a)
{
	int y = 2;

	(void)a;
	/* A filled background makes curses paint every cell, covering any image. */
	for (int r = 0; r < LINES - 2; r++) {
		move(r, 0);
		attron(theme_attr(TH_TEXT));
		for (int c = 0; c < COLS; c++)
			addch(' ');
		attroff(theme_attr(TH_TEXT));
	}
	screen_text(0, 0, COLS, " mmda help: keys and commands (:name runs one) ",
	    theme_attr(TH_TITLE));
	for (const struct command *c = commands; c->name != NULL && y < LINES - 3; c++) {
		char keys[64];
		snprintf(keys, sizeof keys, "%s%s", command_keys(c),
		    c->view == VIEW_THRESHOLDS ? " (t)" : c->view == VIEW_AUGMENT ? " (g)" :
		    c->view == VIEW_EXPORT ? " (E)" : "");
		screen_text(y, 2, 12, keys, theme_attr(TH_HEADER));
		screen_text(y, 15, 16, c->name, theme_attr(TH_TEXT));
		screen_text(y, 32, COLS - 33, c->help, theme_attr(TH_DIM));
		y++;
	}
	y++;
	screen_text(y, 2, COLS - 4, "Decisions are saved the moment they are made; u walks back "
	    "through your own decisions. Any key returns.", theme_attr(TH_DIM));
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
	    a->view == VIEW_EXPORT ? &view_export : &view_review;
	v->draw(a);
}
