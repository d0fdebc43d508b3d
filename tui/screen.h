/* SPDX-License-Identifier: MIT */
/* The terminal side of the review application: curses setup, the loop, drawing helpers. */
#ifndef MMDA_SCREEN_H
#define MMDA_SCREEN_H

#include <curses.h>

#include "tui/app.h"
#include "tui/theme.h"

#define SCREEN_MIN_COLS 60
#define SCREEN_MIN_ROWS 16

/* Draws the current screen; views/ provides it and cli/main.c wires it in here,
 * keeping the include direction views -> tui. */
extern void (*screen_view_draw)(struct app *a);

/* Runs the application until quit; restores the terminal. Returns 0, or -1 when the
 * terminal could not be set up (*cause set). */
int screen_run(struct app *a, char **cause);

/* Text primitives (tui/text.c): sanitised and width-aware; used by the views and commands. */

/* Writes text at (y, x) in at most w columns with attr: every byte sanitised, wide
 * characters measured with wcwidth. Returns the columns used. */
int screen_text(int y, int x, int w, const char *text, int attr);
/* Fills the top row with the title colour and writes text on it. */
void screen_title(const char *text);
/* Word-wraps text into the box (y, x, w, h); returns the rows used. */
int screen_wrap(int y, int x, int w, int h, const char *text, int attr);
/* Reads a line on the status row after prompt; 0 with buf set, -1 when cancelled. */
int screen_prompt(struct app *a, const char *prompt, char *buf, size_t len);
/* Writes the screen's text (one line a row, trailing blanks trimmed) to path. */
int screen_dump(struct app *a, const char *path);

#endif
