/* SPDX-License-Identifier: MIT */
/*
 * The half-block renderer (tui/blocks.c): the xterm-256 nearest colour, and
 * real drawing into ncurses screens made with newterm() writing to
 * /dev/null: the characters, the colour pair contents of each cell, the
 * letterbox, and the placeholder on an 8-colour terminal.
 *
 * The Makefile links unit tests only with core/ and db/ (build/libmmda.a), so
 * this test compiles the tui module in by including its .c file.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/blocks.c"

#include "tests/harness.h"

static const uint8_t red[3] = { 255, 0, 0 }, blue[3] = { 0, 0, 255 };
static const uint8_t green[3] = { 0, 255, 0 }, white[3] = { 255, 255, 255 };

static void
test_xterm256(void)
{
	CHECK(blocks_xterm256(0, 0, 0) == 16);
	CHECK(blocks_xterm256(255, 255, 255) == 231);
	CHECK(blocks_xterm256(255, 0, 0) == 196);
	CHECK(blocks_xterm256(250, 5, 5) == 196);
	CHECK(blocks_xterm256(95, 135, 175) == 67);
	CHECK(blocks_xterm256(0, 255, 0) == 46);
	/* Neutral colours use the finer grey ramp. */
	CHECK(blocks_xterm256(128, 128, 128) == 244);
	CHECK(blocks_xterm256(18, 18, 18) == 233);
	CHECK(blocks_xterm256(238, 238, 238) == 255);
	/* Every answer is at least as close as any cube or ramp colour. */
	{
		static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
		int r, g, b, k, best, d, bd, got, worse = 0;

		for (r = 0; r < 256; r += 17)
			for (g = 0; g < 256; g += 23)
				for (b = 0; b < 256; b += 29) {
					bd = 1 << 30;
					for (k = 0; k < 240; k++) {
						int cr, cg, cb;

						if (k < 216) {
							cr = lv[k / 36];
							cg = lv[k / 6 % 6];
							cb = lv[k % 6];
						} else
							cr = cg = cb = 8 + 10 * (k - 216);
						d = blocks_dist(r, g, b, cr, cg, cb);
						if (d < bd)
							bd = d;
					}
					got = blocks_xterm256((uint8_t)r, (uint8_t)g, (uint8_t)b);
					k = got < 232 ? got - 16 : 216 + got - 232;
					best = k < 216 ?
					    blocks_dist(r, g, b, lv[k / 36], lv[k / 6 % 6], lv[k % 6]) :
					    blocks_dist(r, g, b, 8 + 10 * (k - 216), 8 + 10 * (k - 216),
						8 + 10 * (k - 216));
					if (best > bd)
						worse++;
				}
		CHECKF(worse == 0, "%d colours not mapped to the nearest", worse);
	}
}

/* A screen on /dev/null for terminal type term. */
static SCREEN *
screen_open(const char *term, FILE **out, FILE **in)
{
	SCREEN *sp;

	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	if (*out == NULL || *in == NULL)
		return NULL;
	sp = newterm(term, *out, *in);
	if (sp == NULL)
		return NULL;
	set_term(sp);
	start_color();
	return sp;
}

static void
screen_close(SCREEN *sp, FILE *out, FILE *in)
{
	endwin();
	delscreen(sp);
	fclose(out);
	fclose(in);
}

/* The character and colours of a cell; returns 0 when they could be read. */
static int
cell(WINDOW *w, int y, int x, wchar_t *ch, int *fg, int *bg)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attrs;
	short spair;
	int pair = 0;

	if (mvwin_wch(w, y, x, &cc) == ERR)
		return -1;
	if (getcchar(&cc, wch, &attrs, &spair, &pair) == ERR)
		return -1;
	*ch = wch[0];
	*fg = *bg = -2;
	if (extended_pair_content(pair, fg, bg) == ERR)
		return -1;
	return 0;
}

static void
quad(struct image *img)
{
	CHECK(image_alloc(img, 2, 2, 3, 0, NULL) == 0);
	memcpy(img->px, red, 3);
	memcpy(img->px + 3, blue, 3);
	memcpy(img->px + 6, green, 3);
	memcpy(img->px + 9, white, 3);
}

static void
test_render(void)
{
	SCREEN *sp;
	FILE *out, *in;
	WINDOW *w;
	struct image img, one;
	wchar_t ch;
	int fg, bg;

	sp = screen_open("xterm-256color", &out, &in);
	CHECK(sp != NULL);
	if (sp == NULL)
		return;
	CHECK(COLORS >= 256);
	w = newwin(10, 20, 0, 0);
	quad(&img);

	/* 2x2 pixels in 2x1 cells: top pixels are foregrounds, bottom backgrounds. */
	CHECK(blocks_render(w, 1, 2, 2, 1, &img, 0) == 0);
	CHECK(cell(w, 1, 2, &ch, &fg, &bg) == 0 && ch == 0x2580);
	CHECKF(fg == 196 && bg == 46, "fg %d bg %d", fg, bg);
	CHECK(cell(w, 1, 3, &ch, &fg, &bg) == 0 && ch == 0x2580);
	CHECKF(fg == 21 && bg == 231, "fg %d bg %d", fg, bg);
	CHECK(cell(w, 1, 4, &ch, &fg, &bg) == 0 && ch == ' ');

	/* Letterbox: in 4x1 cells the image sits in the middle two. */
	CHECK(blocks_render(w, 3, 0, 4, 1, &img, 0) == 0);
	CHECK(cell(w, 3, 0, &ch, &fg, &bg) == 0 && ch == ' ');
	CHECK(cell(w, 3, 1, &ch, &fg, &bg) == 0 && ch == 0x2580 && fg == 196 && bg == 46);
	CHECK(cell(w, 3, 2, &ch, &fg, &bg) == 0 && ch == 0x2580 && fg == 21 && bg == 231);
	CHECK(cell(w, 3, 3, &ch, &fg, &bg) == 0 && ch == ' ');

	/* An odd pixel height: the last half cell has a non-image background. */
	CHECK(image_alloc(&one, 1, 1, 3, 0, NULL) == 0);
	memcpy(one.px, blue, 3);
	CHECK(blocks_render(w, 5, 0, 1, 1, &one, 0) == 0);
	CHECK(cell(w, 5, 0, &ch, &fg, &bg) == 0 && ch == 0x2580 && fg == 21);
	CHECKF(bg == -1 || bg == COLOR_BLACK, "bg %d", bg);
	image_free(&one);

	/* Truecolor asked for, but xterm-256color has 256 colours: still the cube. */
	CHECK(blocks_render(w, 7, 0, 2, 1, &img, 1) == 0);
	CHECK(cell(w, 7, 0, &ch, &fg, &bg) == 0 && fg == 196 && bg == 46);

	CHECK(blocks_render(w, 0, 0, 0, 1, &img, 0) == -1);
	CHECK(blocks_render(NULL, 0, 0, 2, 1, &img, 0) == -1);

	image_free(&img);
	delwin(w);
	screen_close(sp, out, in);
}

/* The text of row y from x, n cells, as UTF-8-free ASCII (for checks). */
static void
row_text(WINDOW *w, int y, int x, int n, char *buf)
{
	wchar_t ch;
	int fg, bg, i;

	for (i = 0; i < n; i++)
		buf[i] = cell(w, y, x + i, &ch, &fg, &bg) == 0 && ch < 128 ? (char)ch : '?';
	buf[n] = '\0';
}

static void
test_placeholder(void)
{
	SCREEN *sp;
	FILE *out, *in;
	WINDOW *w;
	struct image img;
	char text[64];

	/* Plain xterm has 8 colours: the renderer falls back to a placeholder. */
	sp = screen_open("xterm", &out, &in);
	CHECK(sp != NULL);
	if (sp == NULL)
		return;
	CHECK(COLORS < 256);
	w = newwin(10, 40, 0, 0);
	quad(&img);
	mvwaddstr(w, 1, 0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	CHECK(blocks_render(w, 0, 0, 30, 3, &img, 0) == 1);
	row_text(w, 1, 0, 30, text);
	CHECK_STR(text, "         [image 2x2]          ");
	row_text(w, 0, 0, 30, text);
	CHECK_STR(text, "                              ");

	blocks_placeholder(w, 4, 2, 20, 1, "[image 512x512 astronaut.png]");
	row_text(w, 4, 2, 20, text);
	CHECK_STR(text, "[image 512x512 astro");
	blocks_placeholder(w, 6, 0, 9, 2, "\xc3\xa9t\xc3\xa9");
	row_text(w, 7, 0, 9, text);
	CHECK_STR(text, "   ?t?   ");
	/* A file name is data: an override in it is shown, not obeyed. */
	blocks_placeholder(w, 8, 0, 20, 1, "[gnp.\xe2\x80\xae" "exe]");
	row_text(w, 8, 0, 20, text);
	CHECK_STR(text, " [gnp.\\u{202E}exe]  ");
	image_free(&img);
	delwin(w);
	screen_close(sp, out, in);
}

int
main(void)
{
	h_suite = "blocks";
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "en_US.UTF-8");
	RUN(test_xterm256);
	RUN(test_render);
	RUN(test_placeholder);
	HARNESS_END();
}
