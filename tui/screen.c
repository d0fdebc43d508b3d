/* SPDX-License-Identifier: MIT */
/*
 * The loop: wait for a key (or read a script line), run its command, and when
 * something changed repaint from state, doupdate() once, then send images.
 * Commands never draw. SIGHUP, SIGTERM and SIGINT end the loop and restore
 * the terminal; every decision is already committed when it is made. Should
 * the loop itself be held (a decision waiting on another process's write
 * lock), a watchdog gives the terminal back on its own and ends the process.
 */
#include "tui/screen.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "core/base/util.h"
#include "tui/commands.h"
#include "tui/render.h"

static volatile sig_atomic_t stop_signal;

void (*screen_view_draw)(struct app *a);

/* After a signal, the loop has this long to end and restore the terminal itself. */
#define WATCHDOG_MS 800

/* What the watchdog needs to give the terminal back without curses: everything is
 * ready before the first signal, so it only writes bytes and sets modes. */
static struct {
	sem_t wake;
	struct termios saved; /* the terminal's modes before curses took it */
	int have_saved;
	char reset[256];      /* sgr0, cnorm, rmkx, rmcup of this terminal */
	size_t len;
	volatile sig_atomic_t restored;
} wd;

static void
on_signal(int sig)
{
	if (stop_signal == 0) {
		stop_signal = sig;
		sem_post(&wd.wake); /* async-signal-safe, unlike anything curses does */
	}
}

static void *
watchdog(void *arg)
{
	struct timespec ts = { 0, WATCHDOG_MS * 1000000L };

	(void)arg;
	while (sem_wait(&wd.wake) != 0)
		;
	nanosleep(&ts, NULL);
	if (!wd.restored) {
		if (wd.len > 0 && write(STDOUT_FILENO, wd.reset, wd.len) < 0)
			wd.len = 0; /* the terminal is gone (SIGHUP): nothing to give back */
		if (wd.have_saved)
			tcsetattr(STDIN_FILENO, TCSANOW, &wd.saved);
	}
	/* Whatever holds the loop, the process ends now; decisions are committed. */
	_exit(128 + stop_signal);
}

static void
watchdog_cap(const char *name)
{
	const char *cap = tigetstr(name);
	size_t n;

	if (cap == NULL || cap == (char *)-1)
		return;
	n = strlen(cap);
	if (wd.len + n <= sizeof wd.reset) {
		memcpy(wd.reset + wd.len, cap, n);
		wd.len += n;
	}
}

/* Starts the watchdog with the signals blocked, so they reach the loop's thread. */
static void
watchdog_start(void)
{
	sigset_t block, old;
	pthread_t t;

	if (sem_init(&wd.wake, 0, 0) != 0)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&t, NULL, watchdog, NULL) == 0)
		pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Each screen's footer: the keys that screen answers to (all in the command table). */
static const char *const hints[VIEW_COUNT] = {
	[VIEW_REVIEW] = "a accept  x reject  spc skip  u undo  j/k move  c/v text  i scores  ? help  q quit",
	[VIEW_LIST] = "j/k move  g/G first/last  PgUp/PgDn  Enter open  f filter  o sort  / find",
	[VIEW_THRESHOLDS] = "h/l cutoff  H/L x10  j/k metric  T best F1  s set  A apply  o scope  Enter near",
	[VIEW_STATS] = "S or q back  ? help",
	[VIEW_AUGMENT] = "j/k operator  Tab parameter  e set  r run  R all  M marked  X stop  q back",
	[VIEW_EXPORT] = "j/k format  Tab selection  Enter export to a folder  q back",
	[VIEW_HELP] = "j/k PgUp/PgDn scroll  q or ? back",
	[VIEW_TEXT] = "j/k PgUp/PgDn scroll  v or q back  ? help",
};

/* Returns 1 when the frame is held back behind pane bytes in flight (see below). */
static int
draw(struct app *a)
{
	erase();
	if (COLS < SCREEN_MIN_COLS || LINES < SCREEN_MIN_ROWS) {
		render_cut(a);
		render_leave(a, 0);
		/* Too small to lay out: say so instead of drawing garbage. */
		screen_wrap(0, 0, COLS, LINES, "mmda: the terminal is too small (60x16 at least); "
		    "q quits", theme_attr(TH_ERROR));
		refresh();
		a->dirty = 0;
		return 0;
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
	/* Pane bytes in flight: a pane that stays is let finish before the text changes;
	 * one that goes is cut at a sixel band. Curses never writes into a sixel. */
	if (render_hold(a))
		return 1;
	render_cut(a);
	if (a->view == VIEW_REVIEW)
		render_before_update(a);
	else
		render_leave(a, 0);
	doupdate();
	/* Images go straight to the terminal after curses has finished its frame. */
	if (a->view == VIEW_REVIEW)
		render_panes(a);
	a->dirty = 0;
	return 0;
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
	} else {
		wd.have_saved = tcgetattr(STDIN_FILENO, &wd.saved) == 0;
		if (initscr() == NULL)
			return cause_set(cause, "cannot set up the terminal");
		/* ST first: an image cut short by the signal must not swallow the reset. */
		memcpy(wd.reset, "\033\\", 2);
		wd.len = 2;
		watchdog_cap("sgr0");
		watchdog_cap("cnorm");
		watchdog_cap("rmkx");
		watchdog_cap("rmcup");
	}
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

	watchdog_start();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (setup(a, cause) != 0)
		return -1;
	render_init(a);
	a->dirty = a->images_dirty = 1;
	int held = 0;
	while (!a->quit && !stop_signal) {
		/* A held frame is drawn again once its panes are out or a key came, not on
		 * every turn of the loop: the view reads the store as it draws. */
		if (a->dirty && !(held && render_writing(a)))
			held = draw(a);
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
		int wait = render_busy(a) || app_busy(a) ? 4 : 100;
		/* Image bytes go out only while no key waits: a key never queues behind them. */
		if (render_writing(a))
			render_until_key(a, wait);
		timeout(render_writing(a) || a->dirty ? 0 : wait);
		wint_t wch;
		int r = get_wch(&wch);
		if (r == ERR) {
			if (render_poll(a) | app_poll_job(a) | render_idle(a))
				a->dirty = 1;
			continue;
		}
		held = 0;
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
			render_wipe(a);
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
	/* The terminal first: a pane worker still decoding must not keep it in curses.
	 * An image in flight is ended at a band before curses leaves the screen. */
	render_cut(a);
	render_leave(a, 1);
	endwin();
	wd.restored = 1;
	render_done(a);
	return 0;
}
