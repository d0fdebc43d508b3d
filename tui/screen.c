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

#include "core/base/util.h"
#include "tui/commands.h"
#include "tui/render.h"

static volatile sig_atomic_t stop_signal;

void (*screen_view_draw)(struct app *a);

static void
on_signal(int sig)
{
	stop_signal = sig;
}

/* Each screen's footer: the keys that screen answers to (all in the command table). */
static const char *const hints[VIEW_COUNT] = {
	[VIEW_REVIEW] = "a accept  x reject  spc skip  u undo  j/k move  c/v text  i scores  ? help  q quit",
	[VIEW_LIST] = "j/k move  g/G first/last  PgUp/PgDn  Enter open  f filter  o sort  / find",
	[VIEW_THRESHOLDS] = "h/l cutoff  H/L x10  j/k metric  T best F1  s set  A apply  Enter near",
	[VIEW_STATS] = "S or q back  ? help",
	[VIEW_AUGMENT] = "j/k operator  Tab parameter  e set  r run  R all  M marked  X stop  q back",
	[VIEW_EXPORT] = "j/k format  Tab selection  Enter export to a folder  q back",
	[VIEW_HELP] = "j/k PgUp/PgDn scroll  q or ? back",
	[VIEW_TEXT] = "j/k PgUp/PgDn scroll  v or q back  ? help",
};

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
	screen_text(LINES - 1, 0, COLS, hints[a->view < VIEW_COUNT ? a->view : VIEW_REVIEW],
	    theme_attr(TH_HINT));
	wnoutrefresh(stdscr);
	if (a->view == VIEW_REVIEW)
		render_before_update(a);
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
	/* A frame is always finished: curses must not stop half-way for a pending
	 * key and paint the rest over images sent after it. Shifting characters
	 * sideways (ICH/DCH) would drag image cells along; rewriting is exact. */
	typeahead(-1);
	idcok(stdscr, FALSE);
	idlok(stdscr, FALSE);
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
		if (a->view == VIEW_HELP && (c == NULL || (c->view != VIEW_HELP &&
		    strcmp(c->name, "help") != 0 && strcmp(c->name, "quit") != 0 &&
		    strcmp(c->name, "redraw") != 0))) {
			/* The help overlay takes every key: its own scroll it, q and ? close
			 * it, and any other key closes it without acting on what is below. */
			a->view = a->help_from;
			clearok(curscr, TRUE);
			a->images_dirty = a->dirty = 1;
			continue;
		}
		if (c != NULL) {
			a->status[0] = '\0';
			a->status_error = 0;
			command_run(a, c, "");
			a->dirty = 1;
		}
	}
	render_done(a);
	endwin();
	return 0;
}
