/* SPDX-License-Identifier: MIT */
/*
 * Sixel output: letterboxing an image into a pane-sized canvas, encoding it
 * with libsixel's low-level API into a DCS string kept in memory (so it can
 * be cached and re-emitted), and writing it at a cell position without
 * disturbing ncurses' idea of the cursor. See terminal.md sections 1 and 2.
 */
#ifndef MMDA_TUI_SIXEL_H
#define MMDA_TUI_SIXEL_H

#include <stddef.h>
#include <stdint.h>

struct image;

/* The largest sixel area assumed when the terminal did not report one
 * (xterm's default maxGraphicSize; a larger image is silently dropped). */
#define SIXEL_DEFAULT_MAX_W 1000
#define SIXEL_DEFAULT_MAX_H 1000

/*
 * Encodes img (RGB or RGBA, RGBA composited over black) as one sixel DCS
 * string, 7-bit (ESC P ... ESC \), with a palette of at most colors (2..256)
 * registers built for this image. dither selects error diffusion
 * (Floyd-Steinberg for more than 16 colours, else Atkinson); 0 maps every
 * pixel to its nearest palette colour, which shows blur or noise honestly.
 * img is never modified. Returns 0 with a malloc'd *out of *len bytes (NUL
 * terminated, the NUL not counted), or -1 with *cause.
 */
int sixel_encode_image(const struct image *img, int colors, int dither, char **out,
    size_t *len, char **cause);

/*
 * Pixel size of a pane's sixel canvas: cols x rows cells of cell_w x cell_h
 * pixels, clamped to the terminal's sixel area (max_w/max_h, 0 for unknown:
 * SIXEL_DEFAULT_MAX_*) and with the height rounded down to a multiple of 6,
 * so the image never spills past the pane. *w or *h is 0 when nothing fits.
 */
void sixel_geometry(int cols, int rows, int cell_w, int cell_h, int max_w, int max_h,
    int *w, int *h);

/*
 * Letterboxes img into a new RGB canvas of exactly pane_w_px x H pixels, H
 * being pane_h_px rounded down to a multiple of 6: the image is scaled to fit
 * keeping its aspect ratio, centred, and everything else is bg. Alpha is
 * composited over bg. Since every pixel of the canvas is drawn, a new canvas
 * fully overwrites the previous one in the same place. Returns 0 (caller
 * frees *out with image_free) or -1 with *cause.
 */
int sixel_pane(const struct image *img, int pane_w_px, int pane_h_px, const uint8_t bg[3],
    struct image *out, char **cause);
/* As sixel_pane, at exactly pane_w_px x pane_h_px (kitty graphics have no bands). */
int sixel_letterbox(const struct image *img, int pane_w_px, int pane_h_px, const uint8_t bg[3],
    struct image *out, char **cause);


#endif
