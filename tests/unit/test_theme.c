/* SPDX-License-Identifier: MIT */
/*
 * The theme table: every element drawn with an explicit foreground on an
 * explicit background is readable in every shipped theme, by the WCAG
 * contrast ratio over xterm's default 16-colour palette (bold drawn as the
 * bright colour, as xterm and most terminals do), and a theme file that
 * names an element twice or an unknown attribute is refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/theme.c"
#include "tests/harness.h"

/* xterm's defaults: the 8 colours, then their bright forms. */
static const int palette[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

static double
channel(int v)
{
	double c = v / 255.0;
	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double
luminance(const int rgb[3])
{
	return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

static double
contrast(const int a[3], const int b[3])
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* Checks every element of the theme in force; returns how many fail. */
static int
check_current(const char *theme)
{
	int bad = 0;

	for (int i = 0; i < TH_COUNT; i++) {
		const struct style *s = &current[i];
		if (s->fg < 0 || s->bg < 0 || s->fg > 7 || s->bg > 7)
			continue; /* the terminal's own colours, or a 256-colour index */
		int fg = s->fg + ((s->attr & A_BOLD) && !(s->attr & A_DIM) ? 8 : 0);
		double r = contrast(palette[fg], palette[s->bg]);
		if (r < 4.5) {
			fprintf(stderr, "  %s: %s: contrast %.2f < 4.5\n", theme, elements[i].name, r);
			bad++;
		}
	}
	return bad;
}

static void
test_compiled_default(void)
{
	defaults();
	CHECK(check_current("compiled default") == 0);
}

static void
test_shipped_themes(void)
{
	static const char *const names[] = { "dark", "light", "mono" };
	char *cause = NULL;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		CHECKF(theme_load(names[i], &cause) == 0, "%s", cause ? cause : "");
		CHECK(check_current(names[i]) == 0);
		free(cause);
		cause = NULL;
	}
}

/* The measure itself: a known unreadable pair fails, a known good one passes. */
static void
test_measure(void)
{
	/* Bold black (drawn grey) on green: the badge that was hard to read. */
	CHECK(contrast(palette[8], palette[2]) < 4.5);
	CHECK(contrast(palette[0], palette[2]) >= 4.5);
	CHECK(fabs(contrast(palette[0], palette[15]) - 21.0) < 0.01);
}

int
main(void)
{
	h_suite = "theme";
	RUN(test_measure);
	RUN(test_compiled_default);
	RUN(test_shipped_themes);
	HARNESS_END();
}
