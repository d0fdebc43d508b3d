/* SPDX-License-Identifier: MIT */
/*
 * ptyterm's terminal side (tests/tools/ptyterm_term.c): the answers a
 * terminal gives to the probe's queries, as xterm in VT340 mode, kitty, a
 * terminal without sixel or none at all; and the record of the kitty
 * graphics commands (APC) the command sent.
 */
#ifndef MMDA_PTYTERM_H
#define MMDA_PTYTERM_H

#include <stddef.h>

enum answer { ANSWER_VT340, ANSWER_NONE, ANSWER_NOSIXEL, ANSWER_KITTY };

/* Who answers, and the window the answers describe. */
struct term_geom {
	enum answer answer;
	int cols, rows, cell_w, cell_h;
};

/* Writes all of s to fd; 0, or -1 when fd is closed. */
int write_all(int fd, const char *s, size_t n);

/* --answer NAME (xterm-vt340, none, da1-nosixel, kitty); 0, or -1 for another. */
int answer_parse(const char *name, enum answer *out);

/*
 * Answers every complete query in out[*scanned, len) on fd, the way g's
 * terminal would; a query cut off by len waits for more. *scanned is where
 * the next scan starts, *query_end just after the last query answered.
 */
void answer_scan(const unsigned char *out, size_t len, size_t *scanned, size_t *query_end,
    int fd, const struct term_geom *g);

/*
 * Prints one line per kitty graphics command (ESC _ G keys ; payload ESC \)
 * in out: "apc N keys KEYS payload P row R col C after-key K", R and C the
 * 1-based CUP of the ESC 7 ... ESC 8 it is in (0 0 when none), K how many of the
 * nkeys offsets in key_at lie at or before it. Then "apc-count N". Returns
 * 0, or -1 (after saying why on stderr) when an APC holds another sequence,
 * keys outside [a-zA-Z0-9=,], or is not terminated.
 */
int apc_report(const unsigned char *out, size_t len, const size_t *key_at, size_t nkeys);

#endif
