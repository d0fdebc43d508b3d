/* SPDX-License-Identifier: MIT */
/*
 * The loop: wait for a key (or read a script line), run its command, and when
 * something changed repaint from state, doupdate() once, then send images.
 * Commands never draw. SIGHUP, SIGTERM and SIGINT end the loop and restore
 * the terminal; every decision is already committed when it is made.
 */
#include "tui/screen.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/utf8.h"
#include "core/util.h"
#include "tui/commands.h"
#include "tui/render.h"

static volatile sig_atomic_t stop_signal;

void (*screen_view_draw)(struct app *a);

static void
on_signal(int sig)
{
	stop_signal = sig;
}

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

	(void)a;
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

static void
draw(struct app *a)
{
	erase();
	if (COLS < SCREEN_MIN_COLS || LINES < SCREEN_MIN_ROWS) {
		/* Too small to lay out: say so instead of drawing garbage. */
		screen_wrap(0, 0, COLS, LINES, "mmda: the terminal is too small (60x16 at least); "
		    "q quits", theme_attr(TH_ERROR));
		refresh();
		a->dirty = 0;
		return;
	}
	if (screen_view_draw != NULL)
		screen_view_draw(a);
	/* The status line: a message or the hints. */
	move(LINES - 2, 0);
	clrtoeol();
	if (a->status[0] != '\0')
		screen_text(LINES - 2, 0, COLS, a->status,
		    theme_attr(a->status_error ? TH_ERROR : TH_STATUS));
	move(LINES - 1, 0);
	clrtoeol();
	screen_text(LINES - 1, 0, COLS,
	    "a accept  x reject  space skip  u undo  j/k move  J/K original  ? help  : command  q quit",
	    theme_attr(TH_HINT));
	wnoutrefresh(stdscr);
	doupdate();
	/* Images go straight to the terminal after curses has finished its frame. */
	if (a->view == VIEW_REVIEW)
		render_panes(a);
	a->dirty = 0;
}

static int
setup(struct app *a, char **cause)
{
	const char *nc = getenv("NO_COLOR");

	if (a->script != NULL) {
		/* Scripted runs draw into memory only: the screen is read with dump-screen. */
		FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
		if (out == NULL || in == NULL || newterm(NULL, out, in) == NULL)
			return cause_set(cause, "cannot set up the terminal (TERM=%s)",
			    getenv("TERM") ? getenv("TERM") : "unset");
	} else if (initscr() == NULL)
		return cause_set(cause, "cannot set up the terminal");
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(100);
	a->colors = has_colors() && (nc == NULL || *nc == '\0');
	if (a->colors)
		start_color();
	theme_apply(a->colors);
	return 0;
}

int
screen_run(struct app *a, char **cause)
{
	struct sigaction sa;
	char line[1024];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (setup(a, cause) != 0)
		return -1;
	render_init(a);
	a->dirty = a->images_dirty = 1;
	while (!a->quit && !stop_signal) {
		if (a->dirty)
			draw(a);
		if (a->script != NULL) {
			if (fgets(line, sizeof line, a->script) == NULL)
				break;
			command_line(a, line);
			app_poll_job(a);
			continue;
		}
		/*
		 * Curses cannot wait on the worker, so while panes are being made the
		 * loop looks every few milliseconds; idle, it sleeps on the keyboard.
		 */
		timeout(render_busy(a) || a->job != NULL || a->exjob != NULL ? 4 : 100);
		wint_t wch;
		int r = get_wch(&wch);
		if (r == ERR) {
			if (render_poll(a) | app_poll_job(a))
				a->dirty = 1;
			continue;
		}
		if (r == KEY_CODE_YES && wch == KEY_RESIZE) {
			clearok(curscr, TRUE);
			render_resize(a);
			a->dirty = a->images_dirty = 1;
			continue;
		}
		const struct command *c = command_for_key(a->view, r == KEY_CODE_YES, (int)wch);
		if (a->view == VIEW_HELP && (c == NULL || strcmp(c->name, "quit") == 0)) {
			/* Any other key closes the help overlay. */
			a->view = VIEW_REVIEW;
			clearok(curscr, TRUE);
			a->images_dirty = a->dirty = 1;
			continue;
		}
		if (c != NULL) {
			a->status[0] = '\0';
			a->status_error = 0;
			c->run(a, "");
			a->dirty = 1;
		}
	}
	render_done(a);
	endwin();
	return 0;
}
