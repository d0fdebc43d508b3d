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

/*
 * Until the link is measured (its first spell of pane bytes), previews are
 * sent as if it carried 10 Mbit/s: they cost a fast terminal a millisecond,
 * and spare a slow one most of a second of blank panes on the first pair.
 */
#define ASSUMED_RATE 1.25e6

int
render_previews_due(size_t need, double rate, int budget_ms)
{
	if (budget_ms <= 0)
		budget_ms = 300;
	return (double)need * 1000.0 / (rate > 0 ? rate : ASSUMED_RATE) > budget_ms / 4.0;
}

/*
 * The bytes one pane may take: two fifths of what the link carries within
 * the budget, since a new original changes both panes and their previews go
 * first. 0 (no limit) until the link has been measured.
 */
static size_t
pane_target(double rate, int budget_ms)
{
	return rate > 0 ? (size_t)(rate * budget_ms / 1000.0 * 0.4) : 0;
}

/* A new target re-chooses the rung of finished panes that no longer suit it (lock held). */
void
render_retarget(struct pane_job *pj, double rate, int budget_ms)
{
	size_t target = pane_target(rate, budget_ms > 0 ? budget_ms : 300);
	int wake = 0;

	/* A rate that wobbles by less than a third keeps the rungs chosen. */
	if (target == pj->target || (target > 0 && pj->target > 0 &&
	    (double)target < 1.33 * (double)pj->target &&
	    (double)pj->target < 1.33 * (double)target))
		return;
	pj->target = target;
	for (int i = 0; i < CACHE; i++) {
		struct entry *e = &pj->cache[i];
		if (e->relevel == 0 && render_stale(e, target)) {
			e->relevel = 1;
			wake = 1;
		}
	}
	if (wake)
		pthread_cond_broadcast(&pj->wake);
}

void
render_panes(struct app *a)
{
	struct pane_job *pj = a->panes;
	struct entry *send[RENDER_PANES] = { NULL };
	const char *dcs[RENDER_PANES] = { NULL };
	size_t len[RENDER_PANES] = { 0 }, need = 0;
	int upgrade = pj->upgrade, budget = a->budget_ms > 0 ? a->budget_ms : 300;

	if (pj->mode == RENDER_KITTY) {
		render_kitty_panes(a);
		return;
	}
	if (pj->mode != RENDER_SIXEL)
		return;
	pj->upgrade = 0;
	pj->upgrading = 0;
	pthread_mutex_lock(&pj->lock);
	double rate = outq_rate(pj->out);
	pj->rate = rate;
	render_retarget(pj, rate, budget);
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		int w, h;
		if (p->path == NULL || p->rows <= 0)
			continue;
		render_pane_pixels(pj, p->rows, p->cols, &w, &h);
		char *key = xasprintf("%s %dx%d", p->path, w, h);
		struct entry *e = render_lookup(pj, p->path, w, h, 0);
		int shown = p->sent != NULL && !a->images_dirty && strcmp(p->sent, key) == 0;
		if (e == NULL || e->state != E_DONE) {
			free(key);
			continue;
		}
		/* An unchanged pane is not sent again (bytes are what SSH pays for),
		 * unless a better rung of it is ready: after a pause, or the link sped up. */
		if (!shown) {
			send[i] = e, dcs[i] = e->dcs, len[i] = e->len;
			need += e->len;
			p->prev_level = -1;
			p->sent_level = e->level;
		} else if (e->level < p->sent_level ||
		    (upgrade && p->sent_level > 0 && e->fdcs != NULL)) {
			int full = upgrade && e->fdcs != NULL;
			send[i] = e;
			dcs[i] = full ? e->fdcs : e->dcs;
			len[i] = full ? e->flen : e->len;
			p->prev_level = p->sent_level;
			p->sent_level = full ? 0 : e->level;
			pj->upgrading |= 1u << i;
		}
		if (send[i] != NULL) {
			free(p->sent);
			p->sent = key;
			key = NULL;
		}
		free(key);
	}
	/* A preview of every new pane first when what changed is slow to cross: the
	 * pair is readable at once, sharp a moment later. */
	if (need > 0)
		pj->previews = render_previews_due(need, rate, budget);
	for (int i = 0; pj->previews && i < RENDER_PANES; i++)
		if (send[i] != NULL && !(pj->upgrading & (1u << i)) && send[i]->pdcs != NULL)
			outq_put(pj->out, RENDER_PANES + i, pj->pane[i].y, pj->pane[i].x,
			    send[i]->pdcs, send[i]->plen);
	for (int i = 0; i < RENDER_PANES; i++)
		if (send[i] != NULL)
			outq_put(pj->out, i, pj->pane[i].y, pj->pane[i].x, dcs[i], len[i]);
	pthread_mutex_unlock(&pj->lock);
	a->images_dirty = 0;
	pj->log_due = 1;
	pj->quiet_us = 0;
	render_pump(a);
}

/* How long the reviewer stays on a pair before lower rungs are replaced by the full panes. */
#define UPGRADE_AFTER_MS 1000

int
render_idle(struct app *a)
{
	struct pane_job *pj = a->panes;

	if (pj == NULL || (pj->mode != RENDER_SIXEL && pj->mode != RENDER_KITTY) ||
	    a->view != VIEW_REVIEW || render_writing(a) || pj->quiet_us == 0 ||
	    now_mono_ms() - (int64_t)(pj->quiet_us / 1000) < UPGRADE_AFTER_MS)
		return 0;
	for (int i = 0; i < RENDER_PANES; i++)
		if (pj->pane[i].sent != NULL && pj->pane[i].sent_level > 0) {
			pj->upgrade = 1;
			pj->quiet_us = 0;
			return 1;
		}
	return 0;
}

/* The rung pane i shows once this frame's bytes are out (lock held). */
static int
coming_level(struct pane_job *pj, int i, int dirty)
{
	struct pane *p = &pj->pane[i];
	int w, h, level;

	if (p->path == NULL || p->rows <= 0)
		return 0;
	render_pane_pixels(pj, p->rows, p->cols, &w, &h);
	struct entry *e = render_lookup(pj, p->path, w, h, 0);
	if (e == NULL || e->state != E_DONE)
		return 0;
	char *key = xasprintf("%s %dx%d", p->path, w, h);
	if (p->sent == NULL || dirty || strcmp(p->sent, key) != 0)
		level = e->level; /* about to be sent */
	else if (pj->upgrade && e->fdcs != NULL)
		level = 0;
	else
		level = e->level < p->sent_level ? e->level : p->sent_level;
	free(key);
	return level;
}

const char *
render_link(struct app *a, char *buf, size_t size)
{
	struct pane_job *pj = a->panes;
	int level = 0;

	if (pj == NULL || (pj->mode != RENDER_SIXEL && pj->mode != RENDER_KITTY) || size == 0)
		return "";
	/* The title is drawn before the frame's panes go out: it names what they will be. */
	pthread_mutex_lock(&pj->lock);
	for (int i = 0; i < RENDER_PANES; i++) {
		int l = coming_level(pj, i, a->images_dirty);
		level = l > level ? l : level;
	}
	pthread_mutex_unlock(&pj->lock);
	if (!pj->previews && level == 0)
		return "";
	char rate[32] = "not measured yet";
	if (pj->rate > 0)
		snprintf(rate, sizeof rate, "%.1f Mbit/s", pj->rate * 8 / 1e6);
	snprintf(buf, size, "link %s: %s%s%s", rate,
	    pj->previews ? "previews first" : "", pj->previews && level > 0 ? ", " : "",
	    level == 0 ? "" : pj->mode == RENDER_KITTY ? adapt_kitty_name(level) :
	    adapt_name(level));
	return buf;
}

/* The frame log tells tests a frame is on screen: only once its bytes are out. */
static void
log_when_out(struct pane_job *pj)
{
	if (outq_pending(pj->out) != 0)
		return;
	if (pj->log_due) {
		pj->log_due = 0;
		frame_log(pj);
	}
	if (pj->quiet_us == 0)
		pj->quiet_us = (uint64_t)now_mono_ms() * 1000;
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
	/* A full pane replacing a lower rung is cut instead: the key matters more. */
	if (queued & pj->upgrading)
		return 0;
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
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		if (!(partial & (1u << i)))
			continue;
		if (pj->upgrading & (1u << i)) {
			/* Drawn over the lower rung: the pane is whole, part of it sharp. */
			p->sent_level = p->prev_level;
			continue;
		}
		free(p->sent);
		p->sent = NULL;
	}
	pj->upgrading = 0;
	if (pj->mode == RENDER_KITTY)
		render_kitty_cut(pj, partial);
	log_when_out(pj);
}

