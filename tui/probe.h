/* SPDX-License-Identifier: MIT */
/*
 * Terminal capability probe, run before initscr(): kitty graphics and sixel
 * support, colour registers, sixel area and cell size from the terminal's replies to a batch
 * of queries fenced by DA1 (terminal.md section 3), plus what the
 * environment says (tmux, screen, truecolor).
 */
#ifndef MMDA_TUI_PROBE_H
#define MMDA_TUI_PROBE_H

#include <stddef.h>
#include <stdio.h>

struct term_caps {
	int sixel;          /* 1 when images can be sent as sixel */
	int kitty;          /* 1 when the terminal speaks the kitty graphics protocol */
	int colors;         /* sixel colour registers, 0 unknown */
	int max_w, max_h;   /* sixel area in pixels, 0 unknown */
	int cell_w, cell_h; /* cell size in pixels, 0 unknown */
	int truecolor;      /* $COLORTERM says truecolor or 24bit */
	int in_tmux, in_screen;
	char da1[64];       /* DA1 parameters as received ("63;1;2;4"), "" if none */
	char why[256];      /* reasons, "; "-separated, e.g. "DA1 lists 4 (sixel)" */
};

/* Default deadlines: a local terminal answers in about 1 ms, SSH needs a round trip. */
#define PROBE_TIMEOUT_MS 1000
#define PROBE_TIMEOUT_SSH_MS 2000

/*
 * Queries the terminal on fd (an open tty, read-write) and fills *caps. The
 * queries (a kitty graphics query, XTSMGRAPHICS colours and area, CSI 16 t,
 * DA1 last) go out in one
 * write with the tty in raw mode; replies are read until DA1 is complete or
 * timeout_ms passes, then the tty is restored with TCSAFLUSH so nothing
 * unread reaches ncurses. Inside GNU screen or tmux before 3.4 sixel is
 * reported absent whatever the reply, and kitty graphics inside either
 * (they would need passthrough, which mmda does not do). Returns 0 when DA1 was answered, -1
 * when fd is not a tty, the terminal could not be set up or did not answer
 * in time; *caps is filled (environment, window size, why) in every case.
 */
int probe_terminal(int fd, int timeout_ms, struct term_caps *caps);

/*
 * Parses terminal replies (any mix of DA1, XTSMGRAPHICS, CSI 6 t and kitty
 * graphics replies, with junk in between) into *caps, adding reasons to caps->why;
 * fields without a valid reply are left alone. Returns 1 when a complete DA1
 * reply was found, else 0.
 */
int probe_parse(const char *reply, size_t len, struct term_caps *caps);

/* Prints what was detected and why, one fact a line (for `mmda probe`). */
void probe_describe(const struct term_caps *caps, FILE *fp);

#endif
