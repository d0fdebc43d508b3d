/* SPDX-License-Identifier: MIT */
/*
 * What render.c (the worker and its cache) and render_send.c (getting finished
 * panes to the terminal) share: the cache entries, the panes and the job.
 * Only those two files include this.
 */
#ifndef MMDA_TUI_RENDER_PRIV_H
#define MMDA_TUI_RENDER_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "core/image/image.h"
#include "tui/outq.h"
#include "tui/render.h"

#define CACHE 12

enum { E_FREE, E_PENDING, E_WORKING, E_DONE, E_FAILED };

struct entry {
	int state;
	char *path;
	int w, h;          /* pixels of the finished pane */
	enum renderer mode;
	struct image img;  /* blocks: the letterboxed pixels */
	char *dcs;         /* sixel: the encoded pane */
	size_t len;
	char *pdcs;        /* sixel: its coarse preview, for slow links (NULL: none) */
	size_t plen;
	char *fdcs;        /* sixel: the full pane when dcs is a lower rung (NULL: dcs is full) */
	size_t flen;
	int level;         /* sixel: dcs's rung of the ladder (render_adapt.c), 0 full */
	size_t made_for;   /* the byte target dcs was chosen for (0: none) */
	int relevel;       /* 1: choose the rung again for pj->target; 2: the worker is at it */
	char *why;
	uint64_t used;     /* for eviction: larger is more recent */
	uint32_t kid;      /* kitty: the image id (its preview's: kid + 1), given when made */
	int uploaded;      /* kitty: the terminal has (or is being sent) dcs (id kid, or kid + 2 for a rung) */
	int fuploaded;     /* kitty: the same for fdcs, the full image under kid when dcs is a rung */
	int puploaded;     /* kitty: the same for the preview */
};

struct pane {
	int y, x, rows, cols;
	char *path, *label;
	char *sent;        /* key of what the terminal shows in this pane (sixel) */
	int filled;        /* this frame's cells hold the image filler (sixel, kitty) */
	int sent_level;    /* the rung of what the terminal shows (sixel) */
	int prev_level;    /* the rung shown before a better one began to go out */
	uint32_t kid;      /* kitty: the image placed here (placement id: pane + 1), 0 none */
	uint32_t sending;  /* kitty: the image whose upload this pane's segment carries */
	uint32_t psending; /* kitty: the preview whose upload its preview segment carries */
};

/* The kitty renderer's bookkeeping (tui/render_kitty.c). */
struct kitty_state {
	uint32_t next;            /* the last image id given out */
	uint32_t gone[2 * CACHE]; /* uploaded images evicted: deleted in the terminal next */
	int ngone;
	int unsure;  /* a cut may have left a placement: all are deleted before the next */
	int shown;   /* a placement may be on screen */
};

#define WORKERS 2

struct pane_job {
	pthread_t thread[WORKERS];
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int started, stop, fresh; /* started: worker threads running */
	uint64_t clock;
	struct entry cache[CACHE];
	struct pane pane[RENDER_PANES];
	enum renderer mode;
	int colors, cell_w, cell_h, max_w, max_h, truecolor;
	int dither, low; /* see render_options; read by the worker under the lock */
	FILE *frames;    /* $MMDA_FRAME_LOG: what each frame left on screen, for tests */
	unsigned long frame;
	int log_due;     /* a frame's panes are still being written: log it when they are out */
	int previews;    /* the link is slow for the budget: panes go out preview first */
	double rate;     /* the link's bytes per second when last measured (0 unknown) */
	size_t target;   /* bytes a pane may take to cross within the budget (0: no limit) */
	int upgrade;     /* the next frame sends full panes where lower rungs are shown */
	unsigned upgrading; /* outq slots carrying such full panes (cut: the rung stays) */
	uint64_t quiet_us; /* when the queue last ran dry (for the upgrade after a pause) */
	struct outq *out; /* sixel panes on their way to the terminal (UI thread only) */
	struct kitty_state kitty;
};

/* Pixel size of a pane of rows x cols cells, for the job's mode. */
void render_pane_pixels(struct pane_job *pj, int rows, int cols, int *w, int *h);
/*
 * The cache entry for path at w x h (call with the lock held); with queue, a
 * missing one is queued for the worker (NULL only when every entry is being
 * worked on). Without queue, NULL when there is none.
 */
struct entry *render_lookup(struct pane_job *pj, const char *path, int w, int h, int queue);

/*
 * 1 when e's rung is wrong for a pane byte target (call with the lock held):
 * too big for it while a lower rung exists, or lower than the link now
 * needs. Only finished sixel entries can be.
 */
int render_stale(const struct entry *e, size_t target);

/*
 * 1 when need bytes of new panes take more than a quarter of the budget over
 * a link of rate bytes a second (0, not measured yet: taken as 10 Mbit/s):
 * their previews then go first.
 */
int render_previews_due(size_t need, double rate, int budget_ms);

/* A pane's preview is this fraction of its resolution each way (sixel and kitty). */
#define PREVIEW_SCALE 8

/* Rungs of the quality ladder (render_adapt.c); the last is the coarsest. */
#define ADAPT_RUNGS 9

/* What rung level is, for the title bar ("1/2 resolution, 32 colours"); "?" out of range. */
const char *adapt_name(int level);
/*
 * The best rung below full whose sixel of pane fits target bytes, when the
 * full one (full_len bytes, colors registers) does not. Returns 0 when the
 * full pane fits (or target is 0; *dcs NULL), the rung (1..ADAPT_RUNGS-1)
 * with a malloc'd *dcs of *len bytes (the last rung even when it does not
 * fit), or -1 when encoding failed (*dcs NULL).
 */
int adapt_encode(const struct image *pane, int colors, int dither, size_t full_len,
    size_t target, char **dcs, size_t *len);
/* The pane's coarse preview, malloc'd into *dcs (NULL with *len 0 when it cannot be made). */
void adapt_preview(const struct image *pane, char **dcs, size_t *len);

/* Kitty's rungs (resolution only, the terminal scales up); the names for the title bar. */
#define ADAPT_KITTY_RUNGS 5
const char *adapt_kitty_name(int level);
/*
 * As adapt_encode for kitty: the best lower rung whose upload under image id
 * fits target bytes when the full one (full_len) does not. Returns 0 (*up
 * NULL) when the full one fits or target is 0, the rung with a malloc'd *up
 * of *len bytes (the last even when it does not fit), or -1 (*up NULL).
 */
int adapt_kitty(const struct image *pane, size_t full_len, size_t target, uint32_t id, char **up,
    size_t *len);

/* The pane target for a link of rate bytes a second and the budget, re-choosing rungs (lock held). */
void render_retarget(struct pane_job *pj, double rate, int budget_ms);

/*
 * The kitty renderer (tui/render_kitty.c), hooked into the sixel path's
 * steps. evict: entry e is about to be cleared (lock held); its image is
 * deleted in the terminal with the next bytes sent. before_update and panes:
 * as render_before_update and render_panes. cut: the slots outq_cut reported
 * did not arrive whole.
 */
void render_kitty_evict(struct pane_job *pj, struct entry *e);
void render_kitty_before_update(struct app *a);
void render_kitty_panes(struct app *a);
void render_kitty_cut(struct pane_job *pj, unsigned partial);
/*
 * Entry e's rung changed from was to e->level (its dcs and fdcs swapped as
 * they do): the terminal's copies are accounted for again, and a rung image
 * it holds that is no longer e's is deleted with the next bytes. Lock held.
 */
void render_kitty_rung(struct pane_job *pj, struct entry *e, int was);

#endif
