/* SPDX-License-Identifier: MIT */
/*
 * The screens of the review application, one file each, behind one table
 * (name, draw). Screens read the application state and draw it; they never
 * change it (commands do).
 */
#ifndef MMDA_VIEWS_H
#define MMDA_VIEWS_H

#include "tui/app.h"

struct view_ops {
	const char *name;
	void (*draw)(struct app *a);
};

extern const struct view_ops view_review, view_list, view_thresholds, view_stats, view_augment,
    view_export, view_help;

/* Draws the current screen. */
void views_draw(struct app *a);

#endif
