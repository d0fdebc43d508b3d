/* SPDX-License-Identifier: MIT */
/*
 * Panes over the kitty graphics protocol (tui/kitty.h). The worker made each
 * cache entry's upload (its PNG under the entry's image id) and its preview's
 * (an eighth of the size each way, under id + 1); a pane is sent as one paced
 * segment (tui/outq.c): the old placement of the pane deleted, the upload
 * unless the terminal has the image already, the placement. So going back to
 * a pair costs two placements, not two images. Over a link too slow for the
 * budget the previews go first, as with sixel. The images are
 * a layer over the text: curses cannot erase them, so a pane showing text,
 * another view and quitting delete placements explicitly, and an evicted
 * entry deletes its image. A clear screen, though, drops every image in
 * kitty, placed or not (seen in kitty 0.26): after one, everything shown is
 * uploaded again.
 */
#include <curses.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "tui/kitty.h"
#include "tui/outq.h"
#include "tui/render_priv.h"

/* Room for a placement or its deletion. */
#define SMALL 80

/* The id dcs is uploaded under: kid, or kid + 2 when it is a lower rung (fdcs is then kid's). */
static uint32_t
main_id(const struct entry *e)
{
	return e->level > 0 ? e->kid + 2 : e->kid;
}

/* Which of e's upload flags stands for image id (NULL: none of e's). */
static int *
upload_flag(struct entry *e, uint32_t id)
{
	if (e->kid == 0 || id == 0)
		return NULL;
	if (id == main_id(e))
		return &e->uploaded;
	if (id == e->kid + 1)
		return &e->puploaded;
	if (id == e->kid && e->level > 0)
		return &e->fuploaded;
	return NULL;
}

void
render_kitty_evict(struct pane_job *pj, struct entry *e)
{
	struct kitty_state *k = &pj->kitty;

	/* Queued ids wait for the next bytes sent; past the list's end the
	 * terminal keeps the image until it needs the room (it evicts by itself). */
	int room = (int)(sizeof k->gone / sizeof k->gone[0]);

	if (e->kid != 0 && e->uploaded && k->ngone < room)
		k->gone[k->ngone++] = main_id(e);
	if (e->kid != 0 && e->puploaded && k->ngone < room)
		k->gone[k->ngone++] = e->kid + 1;
	if (e->kid != 0 && e->fuploaded && k->ngone < room)
		k->gone[k->ngone++] = e->kid;
	e->uploaded = e->puploaded = e->fuploaded = 0;
}

void
render_kitty_rung(struct pane_job *pj, struct entry *e, int was)
{
	struct kitty_state *k = &pj->kitty;
	int room = (int)(sizeof k->gone / sizeof k->gone[0]);
	/* Before the swap: the rung's flag was uploaded, the full image's fuploaded
	 * (or uploaded when there was no rung). */
	int rung_up = was > 0 ? e->uploaded : 0, full_up = was > 0 ? e->fuploaded : e->uploaded;

	if (rung_up && k->ngone < room)
		k->gone[k->ngone++] = e->kid + 2;
	/* A pane that showed the old rung loses it with the image: it is placed anew. */
	for (int i = 0; rung_up && i < RENDER_PANES; i++)
		if (pj->pane[i].kid == e->kid + 2) {
			pj->pane[i].kid = 0;
			free(pj->pane[i].sent);
			pj->pane[i].sent = NULL;
		}
	if (e->level > 0) {
		e->uploaded = 0;
		e->fuploaded = full_up;
	} else {
		e->uploaded = full_up;
		e->fuploaded = 0;
	}
}

/* Every pane is to be placed again. */
static void
unplace_all(struct pane_job *pj)
{
	pj->kitty.shown = pj->kitty.unsure = 0;
	for (int i = 0; i < RENDER_PANES; i++) {
		pj->pane[i].kid = 0;
		free(pj->pane[i].sent);
		pj->pane[i].sent = NULL;
	}
}

/*
 * What must go before any placement: the deletions of evicted images, and
 * after a cut that may have left an old placement, the deletion of all of
 * them (every pane is then placed again). Call with the lock held.
 */
static void
prelude(struct pane_job *pj, struct kitty_buf *b)
{
	struct kitty_state *k = &pj->kitty;

	kitty_forget_all(b, k->gone, k->ngone);
	k->ngone = 0;
	if (k->unsure) {
		kitty_put(b, KITTY_DELETE_ALL, sizeof KITTY_DELETE_ALL - 1);
		unplace_all(pj);
	}
}

/*
 * Before doupdate: when curses is about to clear the screen (clearok: a
 * resize, Ctrl-L), the terminal is about to drop every image, so none counts
 * as uploaded or placed any more. Returns 1 when placements may be on screen
 * (a terminal that keeps images through a clear must still lose them), else
 * 0. Lock held.
 */
static int
clear_coming(struct pane_job *pj)
{
	int shown = pj->kitty.shown || pj->kitty.unsure;

	/* clearok on stdscr reaches newscr at wnoutrefresh: either clears the terminal. */
	if (!is_cleared(curscr) && !is_cleared(newscr) && !is_cleared(stdscr))
		return 0;
	for (int c = 0; c < CACHE; c++)
		pj->cache[c].uploaded = pj->cache[c].puploaded = pj->cache[c].fuploaded = 0;
	pj->kitty.ngone = 0;
	unplace_all(pj);
	return shown;
}

/* Writes what b holds now (nothing is in flight when this is called) and frees it. */
static void
write_now(struct pane_job *pj, struct kitty_buf *b)
{
	if (b->len > 0)
		outq_write_now(pj->out, b->p, b->len);
	free(b->p);
}

void
render_kitty_before_update(struct app *a)
{
	struct pane_job *pj = a->panes;
	struct kitty_buf b = { NULL, 0, 0 };
	char s[SMALL];
	int n;

	pthread_mutex_lock(&pj->lock);
	if (clear_coming(pj))
		kitty_put(&b, KITTY_DELETE_ALL, sizeof KITTY_DELETE_ALL - 1);
	pthread_mutex_unlock(&pj->lock);
	/* A pane that shows text now (a placeholder, nothing, another layout)
	 * loses its placement: the image would cover the text. */
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		if (p->kid == 0 || (p->path != NULL && p->rows > 0 && p->filled))
			continue;
		if ((n = kitty_unplace(s, sizeof s, p->kid, (uint32_t)i + 1)) > 0)
			kitty_put(&b, s, (size_t)n);
		p->kid = 0;
		free(p->sent);
		p->sent = NULL;
	}
	write_now(pj, &b);
}

/* What send_pane sends of an entry. */
enum { SEND_MAIN, SEND_PREVIEW, SEND_FULL };

/*
 * Queues pane i's segment for entry e: its image (the rung a slow link got,
 * else the full one), its preview (slot RENDER_PANES + i, as sixel's), or the
 * full image replacing a rung; what b holds first goes with it. The pane's
 * placement is replaced, the upload sent unless the terminal has it. Lock
 * held.
 */
static void
send_pane(struct pane_job *pj, int i, struct entry *e, int what, struct kitty_buf *b)
{
	struct pane *p = &pj->pane[i];
	uint32_t id = what == SEND_PREVIEW ? e->kid + 1 : what == SEND_FULL ? e->kid : main_id(e);
	int *have = upload_flag(e, id);
	const char *up = what == SEND_PREVIEW ? e->pdcs : what == SEND_FULL ? e->fdcs : e->dcs;
	size_t len = what == SEND_PREVIEW ? e->plen : what == SEND_FULL ? e->flen : e->len;
	size_t at, at_end;

	kitty_segment(b, p->kid, id, (uint32_t)i + 1, *have ? NULL : up, len, p->cols, p->rows,
	    &at, &at_end);
	outq_put_kitty(pj->out, what == SEND_PREVIEW ? RENDER_PANES + i : i, p->y, p->x, b->p,
	    b->len, at, at_end);
	/* Counted as uploaded from now on; a cut says otherwise (render_kitty_cut). */
	*(what == SEND_PREVIEW ? &p->psending : &p->sending) = *have ? 0 : id;
	*have = 1;
	p->kid = id;
	if (what != SEND_PREVIEW) {
		p->prev_level = p->sent_level;
		p->sent_level = what == SEND_FULL ? 0 : e->level;
	}
	pj->kitty.shown = 1;
	b->len = 0;
}

/* Previews first when what must be uploaded is slow for the budget, by the sixel path's rule. */
static void
previews_due(struct app *a, struct entry *const send[RENDER_PANES])
{
	struct pane_job *pj = a->panes;
	size_t need = 0;

	for (int i = 0; i < RENDER_PANES; i++)
		if (send[i] != NULL && !send[i]->uploaded)
			need += send[i]->len;
	pj->rate = outq_rate(pj->out);
	if (need > 0)
		pj->previews = render_previews_due(need, pj->rate, a->budget_ms);
}

void
render_kitty_panes(struct app *a)
{
	struct pane_job *pj = a->panes;
	struct kitty_buf b = { NULL, 0, 0 };
	struct entry *send[RENDER_PANES] = { NULL }, *full[RENDER_PANES] = { NULL };
	int upgrade = pj->upgrade;

	pj->upgrade = 0;
	pj->upgrading = 0;
	pthread_mutex_lock(&pj->lock);
	prelude(pj, &b);
	render_retarget(pj, outq_rate(pj->out), a->budget_ms);
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		int w, h;
		if (p->path == NULL || p->rows <= 0 || !p->filled)
			continue;
		render_pane_pixels(pj, p->rows, p->cols, &w, &h);
		char *key = xasprintf("%s %dx%d", p->path, w, h);
		struct entry *e = render_lookup(pj, p->path, w, h, 0);
		if (e == NULL || e->state != E_DONE || e->dcs == NULL) {
			free(key);
			continue;
		}
		/* Placing again is cheap, but a pane that stays is left alone, unless
		 * it shows a rung and the reviewer has stayed: the full image then. */
		if (a->images_dirty || p->sent == NULL || strcmp(p->sent, key) != 0) {
			send[i] = e;
			free(p->sent);
			p->sent = key;
			key = NULL;
		} else if (upgrade && p->sent_level > 0 && e->fdcs != NULL) {
			full[i] = e;
			pj->upgrading |= 1u << i;
		}
		free(key);
	}
	previews_due(a, send);
	for (int i = 0; pj->previews && i < RENDER_PANES; i++)
		if (send[i] != NULL && !send[i]->uploaded && send[i]->pdcs != NULL)
			send_pane(pj, i, send[i], SEND_PREVIEW, &b);
	for (int i = 0; i < RENDER_PANES; i++)
		if (send[i] != NULL)
			send_pane(pj, i, send[i], SEND_MAIN, &b);
		else if (full[i] != NULL)
			send_pane(pj, i, full[i], SEND_FULL, &b);
	pthread_mutex_unlock(&pj->lock);
	/* Deletions with no pane to go before. */
	write_now(pj, &b);
	a->images_dirty = 0;
	pj->log_due = 1;
	pj->quiet_us = 0;
	render_pump(a);
}

void
render_kitty_cut(struct pane_job *pj, unsigned partial)
{
	if (partial == 0)
		return;
	pthread_mutex_lock(&pj->lock);
	for (int i = 0; i < RENDER_PANES; i++) {
		struct pane *p = &pj->pane[i];
		/* Bit i: the image did not arrive (a preview cut drops it too); bit
		 * RENDER_PANES + i: the preview did not. */
		int full = partial & (1u << i), prev = partial & (1u << (RENDER_PANES + i));
		if (!full)
			continue;
		/* The terminal dropped the image: it is uploaded again when shown again. */
		for (int c = 0; c < CACHE; c++) {
			int *have = upload_flag(&pj->cache[c], p->sending);
			if (have != NULL)
				*have = 0;
			have = prev ? upload_flag(&pj->cache[c], p->psending) : NULL;
			if (have != NULL)
				*have = 0;
		}
		p->sending = p->psending = 0;
		/* A segment dropped before it began still had the old placement's deletion. */
		pj->kitty.unsure = 1;
	}
	pthread_mutex_unlock(&pj->lock);
}

void
render_leave(struct app *a, int quitting)
{
	struct pane_job *pj = a->panes;
	struct kitty_buf b = { NULL, 0, 0 };

	if (pj == NULL || pj->mode != RENDER_KITTY || pj->out == NULL)
		return;
	pthread_mutex_lock(&pj->lock);
	if ((!quitting && clear_coming(pj)) || pj->kitty.shown || pj->kitty.unsure || quitting)
		kitty_put(&b, KITTY_DELETE_ALL, sizeof KITTY_DELETE_ALL - 1);
	unplace_all(pj);
	/* The terminal holds the images for us: they go with the session. */
	for (int c = 0; quitting && c < CACHE; c++)
		render_kitty_evict(pj, &pj->cache[c]);
	if (quitting)
		prelude(pj, &b);
	pthread_mutex_unlock(&pj->lock);
	write_now(pj, &b);
}

void
render_wipe(struct app *a)
{
	struct pane_job *pj = a->panes;

	if (pj == NULL || pj->mode != RENDER_KITTY)
		clearok(curscr, TRUE);
}
