/* SPDX-License-Identifier: MIT */
/*
 * Semantic screen elements and their colours. Drawing code names elements,
 * never colours; a theme file (themes/NAME.theme) maps each element to
 * "FG BG [bold] [underline] [reverse]". The default theme is compiled in.
 */
#ifndef MMDA_THEME_H
#define MMDA_THEME_H

enum theme_el {
	TH_TITLE,
	TH_HEADER,
	TH_TEXT,
	TH_DIM,
	TH_ADDED,
	TH_REMOVED,
	TH_PASS,
	TH_FAIL,
	TH_ACCEPT,
	TH_REJECT,
	TH_SKIP,
	TH_STATUS,
	TH_ERROR,
	TH_HINT,
	TH_COUNT
};

/* Element names ("title", "diff.added", ...), for theme files and the docs. */
const char *theme_name(enum theme_el e);
/*
 * Loads a theme by name ("dark", "light", "mono") from $MMDA_THEMES or the
 * installed themes folder, over the compiled-in default. Returns 0, or -1 with
 * *cause naming the file and line. Call before theme_apply.
 */
int theme_load(const char *name, char **cause);
/* Creates the colour pairs (after initscr); with colour off, only attributes are used. */
void theme_apply(int use_color);
/* The curses attributes of an element. */
int theme_attr(enum theme_el e);

#endif
