/* SPDX-License-Identifier: MIT */
/*
 * Paced image output. A pane's sixel is hundreds of kilobytes; written in one
 * go it holds the UI thread (and every key typed meanwhile) for as long as the
 * link takes to carry it: most of a second over SSH at 10 Mbit/s. The queue
 * takes each pane as one segment (cursor save, move, the DCS, cursor restore)
 * and writes it in small pieces only while the terminal can take them, so the
 * loop reads keys between pieces. When a key moves on, the piece in flight is
 * ended at the next sixel band (the terminal keeps the bands it drew and ends
 * the image cleanly) and what was not begun is dropped: no pair the reviewer
 * has left costs them bytes, and the terminal is never left inside a sequence.
 */
#ifndef MMDA_TUI_OUTQ_H
#define MMDA_TUI_OUTQ_H

#include <stddef.h>

/* Segments the queue holds at once: per image pane, a preview and the image. */
#define OUTQ_SLOTS 4

struct outq;

/* A queue writing to fd (the terminal). Never NULL; free with outq_free. */
struct outq *outq_new(int fd);
/* Ends what is in flight (as outq_cut) and frees the queue; NULL is ignored. */
void outq_free(struct outq *q);

/*
 * Queues the sixel dcs (len bytes, copied) to be drawn at the 0-based cell
 * (row, col) as slot's segment, after the segments queued before it. A
 * segment already queued for the slot and not begun is replaced; one in
 * flight is finished first. Returns 0, or -1 (EINVAL) for a bad slot or cell.
 */
int outq_put(struct outq *q, int slot, int row, int col, const char *dcs, size_t len);

/*
 * Queues a kitty graphics segment (tui/kitty.h) the same way: apc is the
 * sequences to write at the cell, of which [up, up_end) is a chunked upload
 * (up == up_end: none). A cut inside the upload finishes the chunk in flight,
 * ends the transfer with an empty last chunk (the terminal drops the image)
 * and drops the rest, the placement with it; before or after the upload the
 * short rest is written whole. Returns 0, or -1 (EINVAL) as outq_put.
 */
int outq_put_kitty(struct outq *q, int slot, int row, int col, const char *apc, size_t len,
    size_t up, size_t up_end);

/*
 * Writes s at once, waiting for the terminal as long as it takes: for the
 * few bytes (a deletion) that must be out before curses draws. Only while
 * nothing is queued. Returns 0, or -1 (errno set; EBUSY while segments wait).
 */
int outq_write_now(struct outq *q, const char *s, size_t len);

/*
 * Writes what the terminal can take now, without waiting for it. Returns the
 * bytes still queued (0 when everything is out), or -1 when the terminal
 * cannot be written (errno set; the queue is then emptied).
 */
long outq_pump(struct outq *q);

/*
 * Waits up to ms milliseconds for a key on in_fd while writing queued bytes
 * whenever the terminal can take them. Returns 1 when a key can be read,
 * 0 when the time is up or nothing is left to write.
 */
int outq_until_key(struct outq *q, int in_fd, int ms);

/* Bytes still queued: curses must not draw while this is not 0 (call outq_cut). */
size_t outq_pending(const struct outq *q);
/* The slots with bytes queued, as a bit mask (bit i for slot i). */
unsigned outq_slots(const struct outq *q);
/*
 * What the link carries, in bytes per second, from the last busy spells
 * (queueing to the queue running dry): the bytes that left the tty (written,
 * less what its output queue still held, TIOCOUTQ) over the last three
 * quarters of a spell's time, since buffers on the way take its first bytes
 * at once. 0 until a spell of 32 KiB or more was measured.
 */
double outq_rate(const struct outq *q);

/*
 * Before anything else is written to the terminal: the segment in flight is
 * ended at its next band boundary (ESC \ then the cursor restore), the
 * segments not begun are dropped. Returns a bit mask of the slots whose image
 * did not arrive whole (bit i for slot i), which must be sent again when
 * shown again.
 */
unsigned outq_cut(struct outq *q);

#endif
