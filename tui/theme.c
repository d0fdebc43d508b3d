/* SPDX-License-Identifier: MIT */
/* The element table, theme files and curses colour pairs. */
#include "tui/theme.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

#ifndef MMDA_THEME_DIR
#define MMDA_THEME_DIR "themes"
#endif

struct style {
	short fg, bg; /* -1 = terminal default */
	int attr;
};

/* The default (dark) theme: one row per element, the one table of elements. */
static const struct {
	const char *name;
	struct style def;
} elements[TH_COUNT] = {
	[TH_TITLE] = { "title", { COLOR_BLACK, COLOR_CYAN, 0 } },
	[TH_HEADER] = { "header", { COLOR_CYAN, -1, A_BOLD } },
	[TH_TEXT] = { "text", { -1, -1, 0 } },
	[TH_DIM] = { "dim", { -1, -1, A_DIM } },
	[TH_ADDED] = { "diff.added", { COLOR_GREEN, -1, A_BOLD } },
	[TH_REMOVED] = { "diff.removed", { COLOR_RED, -1, A_UNDERLINE } },
	[TH_PASS] = { "score.pass", { COLOR_GREEN, -1, 0 } },
	[TH_FAIL] = { "score.fail", { COLOR_RED, -1, A_BOLD } },
	/* Not bold: most terminals draw bold black as grey, unreadable on green. */
	[TH_ACCEPT] = { "decision.accept", { COLOR_BLACK, COLOR_GREEN, 0 } },
	[TH_REJECT] = { "decision.reject", { COLOR_WHITE, COLOR_RED, A_BOLD } },
	[TH_SKIP] = { "decision.skip", { COLOR_BLACK, COLOR_YELLOW, 0 } },
	[TH_STATUS] = { "status", { -1, -1, 0 } },
	[TH_ERROR] = { "status.error", { COLOR_WHITE, COLOR_RED, A_BOLD } },
	[TH_HINT] = { "hint", { -1, -1, A_DIM } },
};

static struct style current[TH_COUNT];
static int loaded;
static int attrs[TH_COUNT];

const char *
theme_name(enum theme_el e)
{
	return (unsigned)e < TH_COUNT ? elements[e].name : "?";
}

static int
color_of(const char *s, short *out)
{
	static const char *const names[] = { "black", "red", "green", "yellow", "blue",
		"magenta", "cyan", "white" };
	int64_t v;

	if (strcmp(s, "default") == 0) {
		*out = -1;
		return 0;
	}
	for (short i = 0; i < 8; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	if (parse_int64(s, 0, 255, &v) != 0)
		return -1;
	*out = (short)v;
	return 0;
}

static void
defaults(void)
{
	for (int i = 0; i < TH_COUNT; i++)
		current[i] = elements[i].def;
	loaded = 1;
}

int
theme_load(const char *name, char **cause)
{
	const char *dir = getenv("MMDA_THEMES");
	char *path, line[256];
	FILE *f;
	int lineno = 0, rc = 0;

	defaults();
	if (name == NULL || strcmp(name, "dark") == 0 || strcmp(name, "default") == 0)
		return 0;
	if (strchr(name, '/') != NULL)
		path = xstrdup(name);
	else
		path = xasprintf("%s/%s.theme", dir && *dir ? dir : MMDA_THEME_DIR, name);
	if ((f = fopen(path, "r")) == NULL) {
		cause_set(cause, "%s: no such theme", path);
		free(path);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		char el[64], fg[32], bg[32], a1[32] = "", a2[32] = "", a3[32] = "";
		int n, k;
		lineno++;
		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		n = sscanf(line, "%63s %31s %31s %31s %31s %31s", el, fg, bg, a1, a2, a3);
		for (k = 0; k < TH_COUNT; k++)
			if (strcmp(el, elements[k].name) == 0)
				break;
		struct style s = { -1, -1, 0 };
		if (n < 3 || k == TH_COUNT || color_of(fg, &s.fg) != 0 || color_of(bg, &s.bg) != 0) {
			rc = cause_set(cause, "%s:%d: want ELEMENT FG BG [bold|underline|reverse|dim]",
			    path, lineno);
			break;
		}
		const char *extra[3] = { a1, a2, a3 };
		for (int i = 0; i < 3; i++) {
			if (strcmp(extra[i], "bold") == 0)
				s.attr |= A_BOLD;
			else if (strcmp(extra[i], "underline") == 0)
				s.attr |= A_UNDERLINE;
			else if (strcmp(extra[i], "reverse") == 0)
				s.attr |= A_REVERSE;
			else if (strcmp(extra[i], "dim") == 0)
				s.attr |= A_DIM;
			else if (*extra[i] != '\0')
				rc = cause_set(cause, "%s:%d: unknown attribute %s", path, lineno,
				    extra[i]);
		}
		current[k] = s;
	}
	fclose(f);
	free(path);
	if (rc != 0)
		defaults();
	return rc;
}

void
theme_apply(int use_color)
{
	if (!loaded)
		defaults();
	if (use_color) {
		use_default_colors();
		for (int i = 0; i < TH_COUNT; i++) {
			init_pair((short)(i + 1), current[i].fg, current[i].bg);
			attrs[i] = COLOR_PAIR(i + 1) | current[i].attr;
		}
		return;
	}
	/* Monochrome: keep emphasis, and make pass/fail and decisions readable without colour. */
	for (int i = 0; i < TH_COUNT; i++)
		attrs[i] = current[i].attr;
	attrs[TH_TITLE] |= A_REVERSE;
	attrs[TH_ACCEPT] |= A_REVERSE;
	attrs[TH_REJECT] |= A_REVERSE;
	attrs[TH_ERROR] |= A_REVERSE;
}

int
theme_attr(enum theme_el e)
{
	return (unsigned)e < TH_COUNT ? attrs[e] : 0;
}
