/* SPDX-License-Identifier: MIT */
/*
 * Text on the screen, below the loop and the commands: drawing data
 * through the sanitiser at its display width, wrapping, the title bar, the
 * one-line prompt and the dump of what the screen shows (for scripts). The
 * loop (screen.c) and the commands both use these; they call neither.
 */
#include "tui/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "tui/render.h"

int
screen_text(int y, int x, int w, const char *text, int attr)
{
	char *safe = utf8_sanitize(text, 0);
	const char *p = safe;
	mbstate_t ps;
	int used = 0;

	memset(&ps, 0, sizeof ps);
	attron(attr);
	move(y, x);
	while (*p && used < w) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, strlen(p), &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			break;
		int cw = wcwidth(wc);
		if (cw < 0)
			cw = 1, wc = L'?';
		if (used + cw > w)
			break;
		addnwstr(&wc, 1);
		used += cw;
		p += n;
	}
	attroff(attr);
	free(safe);
	return used;
}

/* Width in columns of the first n bytes of s (s already sanitised). */
static int
width_of(const char *s, size_t n)
{
	mbstate_t ps;
	int w = 0;

	memset(&ps, 0, sizeof ps);
	while (n > 0) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			return w + (int)n;
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		s += k;
		n -= k;
	}
	return w;
}

int
screen_wrap(int y, int x, int w, int h, const char *text, int attr)
{
	char *safe = utf8_sanitize(text, 0);
	const char *p = safe;
	int row = 0;

	while (*p && row < h) {
		/* Take as many words as fit; a word longer than the line is cut. */
		const char *end = p, *last_fit = NULL;
		while (*end) {
			const char *word_end = end + strcspn(end, " ");
			if (width_of(p, (size_t)(word_end - p)) > w)
				break;
			last_fit = word_end;
			end = word_end + strspn(word_end, " ");
			if (*word_end == '\0')
				break;
		}
		if (last_fit == NULL) {
			/* One long word (or CJK without spaces): cut by columns. */
			char *piece = xstrdup(p);
			screen_text(y + row, x, w, piece, attr);
			size_t take = 0;
			mbstate_t ps;
			memset(&ps, 0, sizeof ps);
			int used = 0;
			while (p[take]) {
				wchar_t wc;
				size_t k = mbrtowc(&wc, p + take, strlen(p + take), &ps);
				if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
					k = 1, wc = L'?';
				int cw = wcwidth(wc);
				if (used + (cw < 0 ? 1 : cw) > w)
					break;
				used += cw < 0 ? 1 : cw;
				take += k;
			}
			free(piece);
			p += take ? take : 1;
		} else {
			char *line = xstrndup(p, (size_t)(last_fit - p));
			screen_text(y + row, x, w, line, attr);
			free(line);
			p = last_fit;
		}
		p += strspn(p, " ");
		row++;
	}
	free(safe);
	return row;
}

void
screen_title(const char *text)
{
	move(0, 0);
	attron(theme_attr(TH_TITLE));
	for (int c = 0; c < COLS; c++)
		addch(' ');
	attroff(theme_attr(TH_TITLE));
	screen_text(0, 0, COLS, text, theme_attr(TH_TITLE));
}

int
screen_prompt(struct app *a, const char *prompt, char *buf, size_t len)
{
	int y = LINES - 2, rc;

	/* getnstr echoes straight to the terminal: no image may be in flight. */
	render_cut(a);
	move(y, 0);
	clrtoeol();
	screen_text(y, 0, COLS, prompt, theme_attr(TH_STATUS));
	echo();
	curs_set(1);
	timeout(-1);
	rc = getnstr(buf, (int)len - 1);
	timeout(100);
	curs_set(0);
	noecho();
	return rc == OK && buf[0] != '\0' ? 0 : -1;
}

int
screen_dump(struct app *a, const char *path)
{
	FILE *f = fopen(path, "w");
	cchar_t cc;

	(void)a;
	if (f == NULL)
		return -1;
	for (int y = 0; y < LINES; y++) {
		char line[4096];
		size_t o = 0, keep = 0;
		for (int x = 0; x < COLS && o + 8 < sizeof line; x++) {
			wchar_t wch[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &at, &pair, NULL) == ERR)
				continue;
			for (int k = 0; wch[k] != L'\0' && k < CCHARW_MAX; k++) {
				mbstate_t ps;
				memset(&ps, 0, sizeof ps);
				size_t n = wcrtomb(line + o, wch[k], &ps);
				if (n != (size_t)-1)
					o += n;
			}
			/* A wide character fills the next cell too: skip its continuation. */
			if (wch[0] != L'\0' && wcwidth(wch[0]) == 2)
				x++;
			if (wch[0] != L' ')
				keep = o;
		}
		fwrite(line, 1, keep, f);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}
