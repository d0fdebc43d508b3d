/* SPDX-License-Identifier: MIT */
/*
 * The kitty graphics protocol's sequences, as mmda uses them: a pane is
 * uploaded once as a PNG under an image id (a=t, base64 in chunks of at most
 * KITTY_CHUNK bytes, q=2 so the terminal never answers into the keyboard) and
 * placed by id where it is shown (a=p, C=1 so the cursor stays), so going back
 * to a pair costs a placement, not an image. Every sequence is
 * ESC _ G <key=value,...> ; <base64> ESC \ and nothing from the data is ever
 * written but its base64.
 */
#ifndef MMDA_TUI_KITTY_H
#define MMDA_TUI_KITTY_H

#include <stddef.h>
#include <stdint.h>

struct image;

/* The most base64 one chunk carries (the protocol's limit); a multiple of 4. */
#define KITTY_CHUNK 4096

/* Deletes every placement on screen, keeping the images (a=d,d=a). */
#define KITTY_DELETE_ALL "\033_Ga=d,d=a,q=2\033\\"
/* Ends a chunked upload that was cut: an empty last chunk (the image is dropped). */
#define KITTY_ABORT "\033_Gm=0\033\\"

/*
 * The upload of n bytes of PNG as image id (1 or more): one APC per chunk,
 * the first with a=t,f=100,t=d,i=ID,q=2 and m=1 unless it is the only one,
 * the rest with m only. Returns a malloc'd string of *len bytes (caller
 * frees; NUL terminated, not counted). Never fails (allocation aborts).
 */
char *kitty_upload(uint32_t id, const uint8_t *png, size_t n, size_t *len);

/*
 * Encodes the pane canvas (RGB or RGBA) as PNG and returns its upload as
 * kitty_upload does: 0 with a malloc'd *out of *len bytes (caller frees), or
 * -1 with *cause (caller frees) when the PNG encoder fails.
 */
int kitty_pane_upload(const struct image *pane, uint32_t id, char **out, size_t *len,
    char **cause);

/*
 * The upload of a coarse preview of the pane, a scale-th of its size each way
 * (the terminal scales it up to the pane's cells when placed), as image id:
 * for a slow link, a readable pair in a few kilobytes. *out is NULL (and
 * *len 0) when it cannot be made; else the caller frees it.
 */
void kitty_preview_upload(const struct image *pane, int scale, uint32_t id, char **out,
    size_t *len);

/*
 * The sequences that place and take away (written into buf of size bytes).
 * kitty_place: image id at the cursor as placement pid, scaled to cols x rows
 * cells. kitty_unplace: that placement only (the image stays uploaded).
 * kitty_forget: the image and its data (d=I). Each returns the length
 * written, or -1 when buf is too small or a number is out of range (buf is
 * then "").
 */
int kitty_place(char *buf, size_t size, uint32_t id, uint32_t pid, int cols, int rows);
int kitty_unplace(char *buf, size_t size, uint32_t id, uint32_t pid);
int kitty_forget(char *buf, size_t size, uint32_t id);

/* A growing buffer of sequences; start it zeroed, free p. */
struct kitty_buf {
	char *p;
	size_t len, cap;
};

/* Appends n bytes of s (NUL kept after them). Never fails (allocation aborts). */
void kitty_put(struct kitty_buf *b, const char *s, size_t n);

/*
 * Appends one pane's segment: the deletion of placement pid of image old
 * (when old is neither 0 nor id: the pane showed another image), then the n
 * bytes of upload (a kitty_upload; NULL when the terminal has the image),
 * then the placement of id as pid at cols x rows. [*up, *up_end) is where the
 * upload lies in b (empty when none), for outq_put_kitty.
 */
void kitty_segment(struct kitty_buf *b, uint32_t old, uint32_t id, uint32_t pid,
    const char *upload, size_t n, int cols, int rows, size_t *up, size_t *up_end);

/* Appends the deletion (d=I: with their data) of the n images in ids. */
void kitty_forget_all(struct kitty_buf *b, const uint32_t *ids, int n);

/* Standard base64 (with = padding) of n bytes into out, which holds 4 * ((n + 2) / 3) + 1 bytes; returns the length. */
size_t kitty_base64(const uint8_t *in, size_t n, char *out);

#endif
