/* SPDX-License-Identifier: MIT */
/*
 * Image panes. The review screen says where its two panes are and which
 * images they show; decoding, scaling and sixel or PNG encoding happen on a
 * worker thread with a cache of finished panes, so the UI thread never waits
 * on the disk. Half blocks are drawn with the text; sixel is written after
 * doupdate(), and only for a pane whose image changed (or after a resize or
 * an overlay); kitty graphics upload each pane once and place it by id
 * (tui/render_kitty.c). The `none` renderer shows a placeholder naming the
 * image.
 */
#ifndef MMDA_RENDER_H
#define MMDA_RENDER_H

#include <stdint.h>

#include "tui/app.h"

#define RENDER_PANES 2

/* Picks the renderer (auto: kitty graphics, else sixel when the terminal has it, else blocks) and starts the worker. */
void render_init(struct app *a);
void render_done(struct app *a);
/* Name of a renderer, and parsing of --renderer (-1 for an unknown name). */
const char *render_name(enum renderer r);
int render_parse(const char *s, enum renderer *out);

/* Sets pane i's cell rectangle and image (path NULL: empty); called by the view while drawing. */
void render_pane(struct app *a, int i, int y, int x, int rows, int cols, const char *path,
    const char *label);
/* Asks the worker for the panes of a candidate that may come next (prefetch). */
void render_prefetch(struct app *a, const char *path, int i);
/* Draws half-block panes and placeholders into curses (before doupdate). */
void render_text_panes(struct app *a);
/*
 * Call after wnoutrefresh and before doupdate: a pane whose cells curses is
 * about to write (its image would be erased there) is marked to be sent again.
 */
void render_before_update(struct app *a);
/*
 * Queues the sixel panes that changed for the terminal (after doupdate) and
 * writes what it can take now; the rest goes out through render_pump and
 * render_until_key while keys are read (tui/outq.h).
 */
void render_panes(struct app *a);
/*
 * Call when no key came for a while: once the reviewer has stayed on a pair
 * for a second with nothing left to write, panes sent at a lower rung for a
 * slow link are due in full. Returns 1 when a frame should be drawn for that.
 */
int render_idle(struct app *a);
/* Writes queued pane bytes the terminal can take now, without waiting. */
void render_pump(struct app *a);
/*
 * Waits up to ms for a key while writing queued pane bytes. Returns 1 when a
 * key can be read, 0 when the time is up or nothing is queued (at once).
 */
int render_until_key(struct app *a, int ms);
/* 1 while pane bytes are queued: curses must not write before render_cut. */
int render_writing(struct app *a);
/*
 * 1 when the bytes in flight are for panes this frame shows again: the frame
 * is better drawn once they are out than by cutting and resending them.
 */
int render_hold(struct app *a);
/* Ends the pane in flight at a sixel band and drops the rest (before curses writes). */
void render_cut(struct app *a);
/*
 * The link mode for the title bar, written into buf: "link 9.6 Mbit/s:
 * previews first, 1/2 resolution, 32 colours" while panes go out preview
 * first or at a lower rung than full (the link is too slow for --budget);
 * "" otherwise (a constant, not buf).
 */
const char *render_link(struct app *a, char *buf, size_t size);
/* 1 while the worker has panes queued or in progress (the loop then polls often). */
int render_busy(struct app *a);
/* Collects finished work; returns 1 when something new can be shown. */
int render_poll(struct app *a);
/*
 * Sixel options: dither (error diffusion; off by default because its noise can
 * hide or mimic a blur or noise augmentation) and low bandwidth (64 colours and
 * panes at half resolution, for slow links). Cached panes are dropped.
 */
void render_options(struct app *a, int dither, int low_bandwidth);

/*
 * The panes leave the screen (another view or an overlay, a screen too
 * small, quitting): kitty placements are a layer over the text that curses
 * cannot erase, so they are deleted; quitting also deletes the uploaded
 * images. Call when nothing is in flight (after render_cut), before curses
 * draws. Other renderers: nothing to do.
 */
void render_leave(struct app *a, int quitting);

/*
 * The screen changes wholesale (another view, the help closing): with sixel
 * curses clears the terminal (clearok), since text written over an image
 * erases it only cell by cell. Kitty images are deleted by id instead
 * (render_leave), and a clear would drop the uploaded ones with them (kitty
 * drops every image on a clear screen), so curses just rewrites the cells.
 */
void render_wipe(struct app *a);

/* The terminal was resized: cell size and sixel limits are read again. */
void render_resize(struct app *a);

#endif
