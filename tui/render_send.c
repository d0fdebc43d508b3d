/* SPDX-License-Identifier: MIT */
/*
 * Finished sixel panes on their way to the terminal: which panes a frame must
 * send, previews first over a slow link, the paced queue (tui/outq.c) pumped
 * between keys, cut when a key moves on, and the frame log for tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "core/base/util.h"
#include "tui/outq.h"
#include "tui/render_priv.h"

static int
pane_touched(const struct pane *p)
{
	for (int r = 0; r < p->rows; r++)
		for (int c = 0; c < p->cols; c++) {
			cchar_t now, was;
			if (mvwin_wch(newscr, p->y + r, p->x + c, &now) == ERR ||
			    mvwin_wch(curscr, p->y + r, p->x + c, &was) == ERR ||
			    memcmp(&now, &was, sizeof now) != 0)
				return 1;
		}
	return 0;
}

void
render_before_update(struct app *a)
{
	struct pane_job *pj = a->panes;

	if (pj->mode == RENDER_KITTY) {
		render_kitty_before_update(a);
		return;
	}
	if (pj->mode != RENDER_SIXEL)
		return;
	/* What curses writes into a pane erases the image there; send it again. */
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		if (p->sent != NULL && p->rows > 0 && (!p->filled || pane_touched(p))) {
			free(p->sent);
			p->sent = NULL;
		}
	}
}

/*
 * One block per frame: "frame N", then per pane "pane I ROW COL W H PATH"
 * when its image is on screen, or "pane I ROW COL - - text" when the pane
 * shows text. A test waits on it instead of sleeping and knows which image
 * to compare each part of a screenshot with.
 */
static void
frame_log(struct pane_job *pj)
{
	if (pj->frames == NULL)
		return;
	fprintf(pj->frames, "frame %lu\n", ++pj->frame);
	for (int i = 0; i < RENDER_PANES; i++) {
		const struct pane *p = &pj->pane[i];
		int w, h;
		if (p->rows <= 0 || p->cols <= 0)
			continue;
		render_pane_pixels(pj, p->rows, p->cols, &w, &h);
		if (p->sent != NULL)
			fprintf(pj->frames, "pane %d %d %d %d %d %s\n", i, p->y, p->x, w, h, p->path);
		else
			fprintf(pj->frames, "pane %d %d %d - - text\n", i, p->y, p->x);
	}
	fprintf(pj->frames, "end\n");
	fflush(pj->frames);
}

void
render_panes(struct app *a)
{
	struct pane_job *pj = a->panes;
	struct entry *send[RENDER_PANES] = { NULL };
	size_t need = 0;

	if (pj->mode == RENDER_KITTY) {
		render_kitty_panes(a);
		return;
	}
	if (pj->mode != RENDER_SIXEL)
		return;
	pthread_mutex_lock(&pj->lock);
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		int w, h;
		if (p->path == NULL || p->rows <= 0)
			continue;
		render_pane_pixels(pj, p->rows, p->cols, &w, &h);
		char *key = xasprintf("%s %dx%d", p->path, w, h);
		struct entry *e = render_lookup(pj, p->path, w, h, 0);
		/* An unchanged pane is not sent again: bytes are what SSH pays for. */
		if (e != NULL && e->state == E_DONE &&
		    (a->images_dirty || p->sent == NULL || strcmp(p->sent, key) != 0)) {
			send[i] = e;
			need += e->len;
			free(p->sent);
			p->sent = key;
			key = NULL;
		}
		free(key);
	}
	/* Over a link that would take longer than the budget, a preview of every
	 * pane first: the pair is readable at once, sharp a moment later. */
	double rate = outq_rate(pj->out);
	int budget = a->budget_ms > 0 ? a->budget_ms : 300;
	pj->rate = rate;
	if (need > 0)
		pj->previews = rate > 0 && (double)need * 1000.0 / rate > budget;
	for (int i = 0; pj->previews && i < RENDER_PANES; i++)
		if (send[i] != NULL && send[i]->pdcs != NULL)
			outq_put(pj->out, RENDER_PANES + i, pj->pane[i].y, pj->pane[i].x,
			    send[i]->pdcs, send[i]->plen);
	for (int i = 0; i < RENDER_PANES; i++)
		if (send[i] != NULL)
			outq_put(pj->out, i, pj->pane[i].y, pj->pane[i].x, send[i]->dcs,
			    send[i]->len);
	pthread_mutex_unlock(&pj->lock);
	a->images_dirty = 0;
	pj->log_due = 1;
	render_pump(a);
}

const char *
render_link(struct app *a, char *buf, size_t size)
{
	struct pane_job *pj = a->panes;

	if (pj == NULL || (pj->mode != RENDER_SIXEL && pj->mode != RENDER_KITTY) ||
	    !pj->previews || size == 0)
		return "";
	snprintf(buf, size, "link %.1f Mbit/s: previews first", pj->rate * 8 / 1e6);
	return buf;
}

/* The frame log tells tests a frame is on screen: only once its bytes are out. */
static void
log_when_out(struct pane_job *pj)
{
	if (pj->log_due && outq_pending(pj->out) == 0) {
		pj->log_due = 0;
		frame_log(pj);
	}
}

void
render_pump(struct app *a)
{
	struct pane_job *pj = a->panes;

	if (pj == NULL || pj->out == NULL)
		return;
	outq_pump(pj->out);
	log_when_out(pj);
}

int
render_until_key(struct app *a, int ms)
{
	struct pane_job *pj = a->panes;
	int key;

	if (pj == NULL || pj->out == NULL || outq_pending(pj->out) == 0)
		return 0;
	key = outq_until_key(pj->out, STDIN_FILENO, ms);
	log_when_out(pj);
	return key;
}

int
render_writing(struct app *a)
{
	struct pane_job *pj = a->panes;

	return pj != NULL && pj->out != NULL && outq_pending(pj->out) > 0;
}

int
render_hold(struct app *a)
{
	struct pane_job *pj = a->panes;

	if (!render_writing(a) || a->view != VIEW_REVIEW || a->images_dirty)
		return 0;
	/* Only what is queued matters: a pane that stays is let finish. */
	unsigned queued = outq_slots(pj->out);
	queued |= queued >> RENDER_PANES;
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		int w, h;
		if (!(queued & (1u << i)))
			continue;
		if (p->sent == NULL)
			return 0;
		if (p->path == NULL || p->rows <= 0)
			return 0;
		render_pane_pixels(pj, p->rows, p->cols, &w, &h);
		char *key = xasprintf("%s %dx%d", p->path, w, h);
		int same = strcmp(key, p->sent) == 0;
		free(key);
		if (!same)
			return 0;
	}
	return 1;
}

void
render_cut(struct app *a)
{
	struct pane_job *pj = a->panes;
	unsigned partial;

	if (pj == NULL || pj->out == NULL || outq_pending(pj->out) == 0)
		return;
	partial = outq_cut(pj->out);
	/* Slot i is pane i's image, RENDER_PANES + i its preview. */
	partial |= partial >> RENDER_PANES;
	for (int i = 0; i < RENDER_PANES; i++)
		if (partial & (1u << i)) {
			free(pj->pane[i].sent);
			pj->pane[i].sent = NULL;
		}
	if (pj->mode == RENDER_KITTY)
		render_kitty_cut(pj, partial);
	log_when_out(pj);
}

