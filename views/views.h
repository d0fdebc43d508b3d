/* SPDX-License-Identifier: MIT */
/*
 * The screens of the review application, one file each, behind one table
 * (name, draw). Screens read the application state and draw it; they never
 * change it (commands do).
 */
#ifndef MMDA_VIEWS_H
#define MMDA_VIEWS_H

#include <stddef.h>

#include "tui/app.h"

struct view_ops {
	const char *name;
	void (*draw)(struct app *a);
};

extern const struct view_ops view_review, view_list, view_thresholds, view_stats, view_augment,
    view_export, view_help, view_text;

/*
 * The review screen's scores panel (views/scores.c): draws it in rows
 * [y, y + rows) and returns the rows it used. review_verdict writes why the
 * candidate fails ("FAILS ssim 0.31 < 0.5") to buf ("" when it does not) and
 * returns how many thresholds it breaks.
 */
int review_scores_draw(struct app *a, int y, int w, int rows);
int review_verdict(const struct app *a, char *buf, size_t len);

/* Draws the current screen. */
void views_draw(struct app *a);

#endif
