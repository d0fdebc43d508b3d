/* SPDX-License-Identifier: MIT */
/* Image panes: the worker thread, the cache of finished panes, and half blocks (render_send.c writes sixels). */
#include "tui/render.h"

#include <curses.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tui/blocks.h"
#include "tui/kitty.h"
#include "tui/render_priv.h"
#include "tui/sixel.h"

#define DEFAULT_CELL_W 10
#define DEFAULT_CELL_H 20

static void geometry(struct app *a);

/* Indexed by enum renderer. */
static const char *const names[] = { "auto", "sixel", "blocks", "none", "kitty" };
#define NNAMES (int)(sizeof names / sizeof names[0])

const char *
render_name(enum renderer r)
{
	return (int)r >= 0 && (int)r < NNAMES ? names[r] : "?";
}

int
render_parse(const char *s, enum renderer *out)
{
	for (int i = 0; i < NNAMES; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum renderer)i;
			return 0;
		}
	return -1;
}

static void
entry_clear(struct entry *e)
{
	free(e->path);
	image_free(&e->img);
	free(e->dcs);
	free(e->pdcs);
	free(e->fdcs);
	free(e->why);
	memset(e, 0, sizeof *e);
}

/* The worker's part: decode at a reduced size when the codec can, letterbox, encode. */
static void
compute(struct pane_job *pj, struct entry *e, const char *path, int w, int h, enum renderer mode)
{
	static const uint8_t bg[3] = { 0, 0, 0 };
	struct image_opts io = { 0, w, h, 0 };
	struct image src, pane;
	char *why = NULL, *dcs = NULL, *pdcs = NULL, *adcs = NULL;
	size_t len = 0, plen = 0, alen = 0, target = 0;
	int level = 0;

	memset(&pane, 0, sizeof pane);
	if (image_load_file(path, &io, &src, &why) != 0)
		goto out;
	if (mode == RENDER_BLOCKS) {
		/* Half blocks letterbox while drawing; the worker only scales. */
		int fw, fh;
		image_fit(src.w, src.h, w, h, &fw, &fh);
		int rc = image_resize(&src, fw, fh, &pane, &why);
		image_free(&src);
		if (rc != 0)
			goto out;
	} else {
		if ((mode == RENDER_KITTY ? sixel_letterbox(&src, w, h, bg, &pane, &why) :
		    sixel_pane(&src, w, h, bg, &pane, &why)) != 0) {
			image_free(&src);
			goto out;
		}
		image_free(&src);
	}
	pthread_mutex_lock(&pj->lock);
	int colors = pj->low ? 64 : pj->colors, dither = pj->dither;
	target = pj->target;
	uint32_t kid = e->kid;
	pthread_mutex_unlock(&pj->lock);
	if (mode == RENDER_KITTY && kitty_pane_upload(&pane, kid, &dcs, &len, &why) != 0)
		image_free(&pane);
	else if (mode == RENDER_KITTY) {
		kitty_preview_upload(&pane, PREVIEW_SCALE, kid + 1, &pdcs, &plen);
		level = adapt_kitty(&pane, len, target, kid + 2, &adcs, &alen);
	}
	if (mode == RENDER_SIXEL && sixel_encode_image(&pane, colors, dither, &dcs, &len,
	    &why) != 0)
		image_free(&pane);
	else if (mode == RENDER_SIXEL) {
		adapt_preview(&pane, &pdcs, &plen);
		/* Over a link too slow for the full pane, a lower rung is what goes out;
		 * the full one is kept for when the reviewer stays. */
		level = adapt_encode(&pane, colors, dither, len, target, &adcs, &alen);
	}
out:
	pthread_mutex_lock(&pj->lock);
	if (why != NULL) {
		e->state = E_FAILED;
		e->why = why;
	} else {
		e->state = E_DONE;
		e->img = pane;
		e->dcs = dcs;
		e->len = len;
		e->pdcs = pdcs;
		e->plen = plen;
		e->made_for = target;
		if (level > 0) {
			e->fdcs = dcs, e->flen = len;
			e->dcs = adcs, e->len = alen, e->level = level;
		}
		/* The link was measured again meanwhile: the rung is chosen anew. */
		e->relevel = render_stale(e, pj->target);
	}
	pj->fresh = 1;
	pthread_mutex_unlock(&pj->lock);
}

int
render_stale(const struct entry *e, size_t target)
{
	size_t full = e->fdcs != NULL ? e->flen : e->len;

	int last = e->mode == RENDER_KITTY ? ADAPT_KITTY_RUNGS - 1 : ADAPT_RUNGS - 1;

	if (e->state != E_DONE || (e->mode != RENDER_SIXEL && e->mode != RENDER_KITTY) ||
	    e->img.px == NULL)
		return 0;
	/* Too big for the link now (and a lower rung exists), or made for a link
	 * much slower than this one while a better rung would do. Margins both
	 * ways, so a rate that wobbles does not re-encode every pane. */
	if (target > 0 && (double)e->len > 1.15 * (double)target && e->level < last)
		return 1;
	if (e->level > 0 && (target == 0 || full <= target ||
	    (double)target > 1.5 * (double)e->made_for))
		return 1;
	return 0;
}

/* The worker's other part: a finished pane's rung chosen again for the link. */
static void
relevel(struct pane_job *pj, struct entry *e)
{
	char *dcs = NULL;
	size_t len = 0, target = pj->target;
	int colors = pj->low ? 64 : pj->colors, dither = pj->dither, was = e->level;
	size_t full = e->fdcs != NULL ? e->flen : e->len;
	uint32_t kid = e->kid;

	e->relevel = 2;
	pthread_mutex_unlock(&pj->lock);
	/* The pane's pixels stay put while relevel is 2: nothing frees them. */
	int level = e->mode == RENDER_KITTY ? adapt_kitty(&e->img, full, target, kid + 2, &dcs, &len) :
	    adapt_encode(&e->img, colors, dither, full, target, &dcs, &len);
	pthread_mutex_lock(&pj->lock);
	if (e->relevel == 3) {
		/* render_options dropped the settings it was made with. */
		free(dcs);
		entry_clear(e);
		return;
	}
	if (level > 0) {
		if (e->fdcs == NULL)
			e->fdcs = e->dcs, e->flen = e->len;
		else
			free(e->dcs);
		e->dcs = dcs, e->len = len, e->level = level;
	} else if (level == 0 && e->fdcs != NULL) {
		free(e->dcs);
		e->dcs = e->fdcs, e->len = e->flen, e->level = 0;
		e->fdcs = NULL, e->flen = 0;
	}
	if (e->mode == RENDER_KITTY && level >= 0)
		render_kitty_rung(pj, e, was);
	e->made_for = target;
	e->relevel = render_stale(e, pj->target);
	pj->fresh = 1;
}

static void *
worker(void *arg)
{
	struct pane_job *pj = arg;

	/* Behind the review loop for the cores: keys first. */
	thread_background();
	pthread_mutex_lock(&pj->lock);
	while (!pj->stop) {
		struct entry *job = NULL, *again = NULL;
		for (int i = 0; i < CACHE; i++) {
			struct entry *e = &pj->cache[i];
			if (e->state == E_PENDING && (job == NULL || e->used > job->used))
				job = e;
			if (e->state == E_DONE && e->relevel == 1 &&
			    (again == NULL || e->used > again->used))
				again = e;
		}
		/* New panes first: a pane not made yet shows nothing at all. */
		if (job == NULL && again != NULL) {
			relevel(pj, again);
			continue;
		}
		if (job == NULL) {
			pthread_cond_wait(&pj->wake, &pj->lock);
			continue;
		}
		job->state = E_WORKING;
		char *path = xstrdup(job->path);
		int w = job->w, h = job->h;
		enum renderer mode = job->mode;
		pthread_mutex_unlock(&pj->lock);
		compute(pj, job, path, w, h, mode);
		free(path);
		pthread_mutex_lock(&pj->lock);
	}
	pthread_mutex_unlock(&pj->lock);
	return NULL;
}

/* Pixel size of a pane of rows x cols cells, for the mode. */
void
render_pane_pixels(struct pane_job *pj, int rows, int cols, int *w, int *h)
{
	if (pj->mode == RENDER_BLOCKS) {
		*w = cols;
		*h = rows * 2;
		return;
	}
	if (pj->mode == RENDER_KITTY) {
		/* No sixel area or bands: the pane's cells exactly, so that the terminal
		 * draws the pixels as they are instead of scaling them (a blur). */
		int cw = pj->low ? pj->cell_w / 2 : pj->cell_w, ch = pj->low ? pj->cell_h / 2 :
		    pj->cell_h;
		*w = cols * cw;
		*h = rows * ch;
		return;
	}
	/* Clamped to the terminal's sixel area (xterm drops larger images) and to
	 * whole sixel bands; low bandwidth sends half the pixels each way. */
	sixel_geometry(cols, rows, pj->low ? pj->cell_w / 2 : pj->cell_w,
	    pj->low ? pj->cell_h / 2 : pj->cell_h, pj->max_w, pj->max_h, w, h);
}

/* Finds (or queues) the entry for path at w x h; call with the lock held. */
struct entry *
render_lookup(struct pane_job *pj, const char *path, int w, int h, int queue)
{
	struct entry *victim = NULL;

	for (int i = 0; i < CACHE; i++) {
		struct entry *e = &pj->cache[i];
		if (e->state != E_FREE && e->w == w && e->h == h && e->mode == pj->mode &&
		    e->relevel != 3 && strcmp(e->path, path) == 0) {
			e->used = ++pj->clock;
			return e;
		}
	}
	if (!queue)
		return NULL;
	for (int i = 0; i < CACHE; i++) {
		struct entry *e = &pj->cache[i];
		if (e->state == E_WORKING || e->relevel == 2)
			continue;
		if (victim == NULL || e->state == E_FREE ||
		    (victim->state != E_FREE && e->used < victim->used))
			victim = e;
	}
	if (victim == NULL)
		return NULL;
	render_kitty_evict(pj, victim);
	entry_clear(victim);
	/* Three kitty ids an entry: the image's, its preview's (kid + 1) and a lower
	 * rung's for a slow link (kid + 2); 0 is "none". */
	pj->kitty.next += 3;
	if (pj->kitty.next < 3)
		pj->kitty.next = 3;
	victim->kid = pj->kitty.next - 2;
	victim->state = E_PENDING;
	victim->path = xstrdup(path);
	victim->w = w;
	victim->h = h;
	victim->mode = pj->mode;
	victim->used = ++pj->clock;
	pthread_cond_signal(&pj->wake);
	return victim;
}

void
render_init(struct app *a)
{
	struct pane_job *pj = xcalloc(1, sizeof *pj);

	a->panes = pj;
	pthread_mutex_init(&pj->lock, NULL);
	pthread_cond_init(&pj->wake, NULL);
	pj->mode = a->renderer;
	if (pj->mode == RENDER_KITTY && (a->caps.in_tmux || a->caps.in_screen)) {
		app_status(a, 1, "no kitty graphics inside %s: it would need passthrough, which "
		    "mmda does not do", a->caps.in_tmux ? "tmux" : "GNU screen");
		pj->mode = RENDER_AUTO;
	}
	if (pj->mode == RENDER_AUTO)
		pj->mode = a->caps.kitty ? RENDER_KITTY : a->caps.sixel ? RENDER_SIXEL :
		    RENDER_BLOCKS;
	if (pj->mode == RENDER_BLOCKS && (!a->colors || COLORS < 256)) {
		/* A renderer the user asked for and cannot have says why. */
		if (a->renderer == RENDER_BLOCKS)
			app_status(a, 1, "blocks need 256 colours; TERM=%s has %d%s: showing file "
			    "names", getenv("TERM") ? getenv("TERM") : "unset", a->colors ? COLORS : 0,
			    a->colors ? " (try TERM=xterm-256color)" : " (NO_COLOR is set)");
		pj->mode = RENDER_NONE;
	}
	pj->colors = a->caps.colors > 0 && a->caps.colors < 256 ? a->caps.colors : 256;
	pj->truecolor = a->caps.truecolor;
	geometry(a);
	pj->out = outq_new(STDOUT_FILENO);
	const char *log = getenv("MMDA_FRAME_LOG");
	if (log != NULL && *log != '\0')
		pj->frames = fopen(log, "a");
	/* Two workers: both panes of a new original are made at once. */
	for (int i = 0; pj->mode != RENDER_NONE && i < WORKERS; i++)
		if (pthread_create(&pj->thread[i], NULL, worker, pj) == 0)
			pj->started++;
	if (pj->started == 0)
		pj->mode = RENDER_NONE;
}

void
render_done(struct app *a)
{
	struct pane_job *pj = a->panes;

	if (pj == NULL)
		return;
	outq_free(pj->out);
	pthread_mutex_lock(&pj->lock);
	pj->stop = 1;
	pthread_cond_broadcast(&pj->wake);
	pthread_mutex_unlock(&pj->lock);
	for (int i = 0; i < pj->started; i++)
		pthread_join(pj->thread[i], NULL);
	for (int i = 0; i < CACHE; i++)
		entry_clear(&pj->cache[i]);
	for (int i = 0; i < RENDER_PANES; i++) {
		free(pj->pane[i].path);
		free(pj->pane[i].label);
		free(pj->pane[i].sent);
	}
	if (pj->frames != NULL)
		fclose(pj->frames);
	pthread_mutex_destroy(&pj->lock);
	pthread_cond_destroy(&pj->wake);
	free(pj);
	a->panes = NULL;
}

void
render_options(struct app *a, int dither, int low_bandwidth)
{
	struct pane_job *pj = a->panes;

	pthread_mutex_lock(&pj->lock);
	pj->dither = dither;
	pj->low = low_bandwidth;
	/* Finished panes were made with the old settings. */
	for (int i = 0; i < CACHE; i++)
		if (pj->cache[i].relevel == 2)
			pj->cache[i].relevel = 3; /* the worker drops it when done */
		else if (pj->cache[i].state != E_WORKING) {
			render_kitty_evict(pj, &pj->cache[i]);
			entry_clear(&pj->cache[i]);
		}
	for (int i = 0; i < RENDER_PANES; i++) {
		free(pj->pane[i].sent);
		pj->pane[i].sent = NULL;
	}
	pthread_mutex_unlock(&pj->lock);
	a->images_dirty = 1;
	a->dirty = 1;
}

void
render_resize(struct app *a)
{
	struct winsize ws;

	/* A resize (or a font change) can change the cell size: the pixel size of
	 * the window, where the terminal reports it, says so without a query. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 &&
	    ws.ws_xpixel > 0 && ws.ws_ypixel > 0 && !a->caps.in_tmux) {
		a->caps.cell_w = ws.ws_xpixel / ws.ws_col;
		a->caps.cell_h = ws.ws_ypixel / ws.ws_row;
	}
	geometry(a);
}

/* Cell size and sixel limits from what the probe (or a resize) found. */
static void
geometry(struct app *a)
{
	struct pane_job *pj = a->panes;

	pj->cell_w = a->caps.cell_w > 0 ? a->caps.cell_w : DEFAULT_CELL_W;
	pj->cell_h = a->caps.cell_h > 0 ? a->caps.cell_h : DEFAULT_CELL_H;
	pj->max_w = a->caps.max_w;
	pj->max_h = a->caps.max_h;
	for (int i = 0; i < RENDER_PANES; i++) {
		free(pj->pane[i].sent);
		pj->pane[i].sent = NULL;
	}
}

void
render_pane(struct app *a, int i, int y, int x, int rows, int cols, const char *path,
    const char *label)
{
	struct pane *p = &a->panes->pane[i];

	p->y = y, p->x = x, p->rows = rows, p->cols = cols;
	free(p->path);
	free(p->label);
	p->path = path ? xstrdup(path) : NULL;
	p->label = label ? xstrdup(label) : NULL;
}

void
render_prefetch(struct app *a, const char *path, int i)
{
	struct pane_job *pj = a->panes;
	struct pane *p = &pj->pane[i];
	int w, h;

	if (pj->mode == RENDER_NONE || path == NULL || p->rows <= 0 || p->cols <= 0)
		return;
	render_pane_pixels(pj, p->rows, p->cols, &w, &h);
	pthread_mutex_lock(&pj->lock);
	struct entry *e = render_lookup(pj, path, w, h, 1);
	/* Prefetches wait behind what is on screen. */
	if (e != NULL && e->state == E_PENDING)
		e->used = 0;
	pthread_mutex_unlock(&pj->lock);
}

/*
 * The cells under a sixel image. In xterm any text, space or erase written
 * into a cell wipes the image's pixels there, and curses writes a cell only
 * when its picture of the screen says the cell changed. A blank cell lets
 * curses clear the rest of a line (EL) across a neighbouring image whose
 * own cells did not change, and identical blank rows let it scroll a region
 * through an image. So image cells hold an invisible space that curses can
 * neither clear with an erase nor match against the next rows: the
 * attribute cycles through 8 invisible patterns down the pane (no blink or
 * underline, which a terminal would draw or redraw), and the cells stay the
 * same from frame to frame while the same image stays.
 */
static void
fill_image_cells(const struct pane *p)
{
	for (int r = 0; r < p->rows; r++) {
		attr_t at = A_INVIS | (r & 1 ? A_BOLD : 0) | (r & 2 ? A_DIM : 0) |
		    (r & 4 ? A_ITALIC : 0);
		cchar_t cc;
		setcchar(&cc, L" ", at, 0, NULL);
		for (int c = 0; c < p->cols; c++)
			mvadd_wch(p->y + r, p->x + c, &cc);
	}
}

/*
 * Draws the text of one pane: a placeholder, half blocks, or the image
 * filler where a finished sixel goes. Returns 1 when the cells hold the filler.
 */
static int
pane_text(struct pane_job *pj, struct pane *p)
{
	struct entry *e = NULL;
	int w, h;

	if (p->path == NULL) {
		blocks_placeholder(stdscr, p->y, p->x, p->cols, p->rows, p->label ? p->label : "");
		return 0;
	}
	if (pj->mode != RENDER_NONE) {
		render_pane_pixels(pj, p->rows, p->cols, &w, &h);
		pthread_mutex_lock(&pj->lock);
		e = render_lookup(pj, p->path, w, h, 1);
		int state = e ? e->state : E_FAILED;
		pthread_mutex_unlock(&pj->lock);
		if (state == E_DONE && pj->mode == RENDER_BLOCKS) {
			blocks_render(stdscr, p->y, p->x, p->cols, p->rows, &e->img, pj->truecolor);
			return 0;
		}
		if (state == E_DONE && (pj->mode == RENDER_SIXEL || pj->mode == RENDER_KITTY)) {
			fill_image_cells(p);
			return 1;
		}
		if (state == E_FAILED && e != NULL && e->why != NULL) {
			blocks_placeholder(stdscr, p->y, p->x, p->cols, p->rows, e->why);
			return 0;
		}
		if (state != E_FAILED) {
			blocks_placeholder(stdscr, p->y, p->x, p->cols, p->rows, "loading");
			return 0;
		}
	}
	blocks_placeholder(stdscr, p->y, p->x, p->cols, p->rows, p->label ? p->label : "");
	return 0;
}

void
render_text_panes(struct app *a)
{
	struct pane_job *pj = a->panes;

	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		if (p->rows <= 0 || p->cols <= 0)
			continue;
		/* Text drawn over the cells erases the terminal's pixels there: the
		 * image must be sent again even if it is the same one. */
		p->filled = pane_text(pj, p);
		if (!p->filled) {
			free(p->sent);
			p->sent = NULL;
		}
	}
}

/* 1 when curses' next update writes any cell of the pane's rectangle. */
int
render_poll(struct app *a)
{
	struct pane_job *pj = a->panes;
	int fresh;

	pthread_mutex_lock(&pj->lock);
	fresh = pj->fresh;
	pj->fresh = 0;
	pthread_mutex_unlock(&pj->lock);
	return fresh;
}

int
render_busy(struct app *a)
{
	struct pane_job *pj = a->panes;
	int busy = 0;

	if (pj == NULL || pj->mode == RENDER_NONE)
		return 0;
	pthread_mutex_lock(&pj->lock);
	for (int i = 0; i < CACHE && !busy; i++)
		busy = pj->cache[i].state == E_PENDING || pj->cache[i].state == E_WORKING;
	pthread_mutex_unlock(&pj->lock);
	return busy;
}
