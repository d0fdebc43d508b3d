/* SPDX-License-Identifier: MIT */
/*
 * Half-block image rendering for terminals that cannot show sixel
 * (terminal.md 3.3): U+2580 with the top pixel as foreground and the bottom
 * pixel as background gives two square-ish pixels a cell, and it survives
 * tmux and screen because it is ordinary coloured text. Colour pairs come
 * from ncurses 6's alloc_pair(), which finds or allocates a pair for any
 * (fg, bg) combination and recycles old ones when the table fills.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/image/image.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "tui/blocks.h"

#define BLOCKS_UPPER_HALF 0x2580

/* The levels of the xterm 6x6x6 colour cube (colours 16..231). */
static const uint8_t blocks_cube[6] = { 0, 95, 135, 175, 215, 255 };

static int
blocks_cube_index(int v)
{
	/* Midpoints between the cube levels. */
	if (v < 48)
		return 0;
	if (v < 115)
		return 1;
	return (v - 35) / 40;
}

static int
blocks_dist(int r, int g, int b, int r2, int g2, int b2)
{
	return (r - r2) * (r - r2) + (g - g2) * (g - g2) + (b - b2) * (b - b2);
}

int
blocks_xterm256(uint8_t r, uint8_t g, uint8_t b)
{
	int ri = blocks_cube_index(r), gi = blocks_cube_index(g), bi = blocks_cube_index(b);
	int cube, grey, gl, avg, gi2;

	cube = blocks_dist(r, g, b, blocks_cube[ri], blocks_cube[gi], blocks_cube[bi]);
	/* The grey ramp 232..255 is 8, 18, ..., 238: finer steps for neutral colours. */
	avg = (r + g + b) / 3;
	gi2 = avg < 8 ? 0 : (avg - 3) / 10;
	if (gi2 > 23)
		gi2 = 23;
	gl = 8 + 10 * gi2;
	grey = blocks_dist(r, g, b, gl, gl, gl);
	if (grey < cube)
		return 232 + gi2;
	return 16 + 36 * ri + 6 * gi + bi;
}

/* The ncurses colour number for a pixel. */
static int
blocks_color(const uint8_t *p, int channels, int direct)
{
	uint8_t c[3];
	int i;

	for (i = 0; i < 3; i++)
		c[i] = channels == 4 ? (uint8_t)((p[i] * p[3] + 127) / 255) : p[i];
	if (direct)
		return (c[0] << 16) | (c[1] << 8) | c[2];
	return blocks_xterm256(c[0], c[1], c[2]);
}

/* A pair with bg as the terminal's default colour when allowed, else black. */
static int
blocks_pair(int fg, int bg)
{
	int pair;

	if (bg >= 0)
		return alloc_pair(fg, bg);
	pair = alloc_pair(fg, -1);
	if (pair < 0)
		pair = alloc_pair(fg, COLOR_BLACK);
	return pair;
}

static void
blocks_label(const struct image *img, char *buf, size_t len)
{
	snprintf(buf, len, "[image %dx%d]", img->w, img->h);
}

int
blocks_render(WINDOW *win, int y, int x, int cols, int rows, const struct image *img,
    int truecolor)
{
	struct image fit = { 0, 0, 0, NULL };
	const wchar_t half[2] = { BLOCKS_UPPER_HALF, 0 };
	char label[64];
	cchar_t cc;
	int fw, fh, x0, y0, r, c, px, py, fg, bg, pair, direct;
	const uint8_t *top, *bot;

	if (win == NULL || cols <= 0 || rows <= 0 || img == NULL || img->px == NULL ||
	    img->w <= 0 || img->h <= 0 || (img->channels != 3 && img->channels != 4))
		return -1;
	/* No 256 colours or no UTF-8 locale: half blocks would be noise. */
	if (COLORS < 256 || wcwidth(BLOCKS_UPPER_HALF) != 1) {
		blocks_label(img, label, sizeof label);
		blocks_placeholder(win, y, x, cols, rows, label);
		return 1;
	}
	direct = truecolor && COLORS >= 0x1000000;

	image_fit(img->w, img->h, cols, 2 * rows, &fw, &fh);
	if (image_resize(img, fw, fh, &fit, NULL) != 0)
		return -1;
	x0 = (cols - fw) / 2;
	/* Start on an even pixel row so the image's first row is a top half. */
	y0 = ((2 * rows - fh) / 2) & ~1;

	for (r = 0; r < rows; r++) {
		for (c = 0; c < cols; c++) {
			px = c - x0;
			py = 2 * r - y0;
			if (px < 0 || px >= fw || py < 0 || py >= fh) {
				mvwaddch(win, y + r, x + c, ' ');
				continue;
			}
			top = fit.px + ((size_t)py * (size_t)fw + (size_t)px) * (size_t)fit.channels;
			fg = blocks_color(top, fit.channels, direct);
			if (py + 1 < fh) {
				bot = top + (size_t)fw * (size_t)fit.channels;
				bg = blocks_color(bot, fit.channels, direct);
			} else
				bg = -1;
			pair = blocks_pair(fg, bg);
			if (pair < 0) {
				image_free(&fit);
				blocks_label(img, label, sizeof label);
				blocks_placeholder(win, y, x, cols, rows, label);
				return 1;
			}
			/* With opts set, setcchar takes the pair as an int: pairs past 32767. */
			setcchar(&cc, half, A_NORMAL, 0, &pair);
			mvwadd_wch(win, y + r, x + c, &cc);
		}
	}
	image_free(&fit);
	return 0;
}

void
blocks_placeholder(WINDOW *win, int y, int x, int cols, int rows, const char *label)
{
	wchar_t wbuf[256];
	mbstate_t st;
	size_t n = 0, k, left;
	int width = 0, w, r, c;
	wchar_t wc;

	if (win == NULL || cols <= 0 || rows <= 0)
		return;
	/* Labels are file names and decode errors: data, so sanitised like captions. */
	char *safe = utf8_sanitize(label != NULL ? label : "", 0);
	const char *s = safe;
	left = strlen(s);
	for (r = 0; r < rows; r++) {
		for (c = 0; c < cols; c++)
			mvwaddch(win, y + r, x + c, ' ');
	}
	/* Cut the label to the columns it fits in, by display width. */
	memset(&st, 0, sizeof st);
	while (left > 0 && n < sizeof wbuf / sizeof wbuf[0] - 1) {
		k = mbrtowc(&wc, s, left, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		w = wcwidth(wc);
		if (w < 0 || width + w > cols)
			break;
		wbuf[n++] = wc;
		width += w;
		s += k;
		left -= k;
	}
	wbuf[n] = 0;
	if (n > 0)
		mvwaddnwstr(win, y + rows / 2, x + (cols - width) / 2, wbuf, (int)n);
	free(safe);
}
