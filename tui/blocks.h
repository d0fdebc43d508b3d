/* SPDX-License-Identifier: MIT */
/*
 * Text renderers for terminals without sixel (tmux before 3.4, GNU screen,
 * mosh): Unicode upper half blocks, two pixels a cell, coloured through
 * ncurses extended colour pairs; and a one-line placeholder for `none`.
 */
#ifndef MMDA_TUI_BLOCKS_H
#define MMDA_TUI_BLOCKS_H

#include <curses.h>
#include <stdint.h>

struct image;

/*
 * Draws img letterboxed into the cols x rows cells at (y, x) of win, each
 * cell an upper half block (U+2580) with the top pixel as foreground and the
 * bottom pixel as background. With truecolor set and a direct-colour
 * terminfo (COLORS >= 2^24) the colours are exact; otherwise, with at least
 * 256 colours, each pixel maps to the nearest entry of the xterm 6x6x6 cube
 * or grey ramp (16..255). Letterbox cells are blanks in the window's
 * background. Needs start_color(). Returns 0 when drawn, 1 when the terminal
 * has fewer than 256 colours (or pairs ran out) and a placeholder was drawn
 * instead, -1 on bad arguments or when the image could not be scaled.
 */
int blocks_render(WINDOW *win, int y, int x, int cols, int rows, const struct image *img,
    int truecolor);

/*
 * Clears the cols x rows cells at (y, x) and writes label (already
 * sanitised by the caller, e.g. "[image 512x512 astronaut.png]") in a box of
 * the window's background at the centre, cut to fit.
 */
void blocks_placeholder(WINDOW *win, int y, int x, int cols, int rows, const char *label);

/* Index of the xterm-256 colour (16..255) nearest to r, g, b. */
int blocks_xterm256(uint8_t r, uint8_t g, uint8_t b);

#endif
