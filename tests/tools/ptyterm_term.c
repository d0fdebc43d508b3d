/* SPDX-License-Identifier: MIT */
/* ptyterm's terminal side (tests/tools/ptyterm.h): answers to queries, the record of kitty graphics. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tools/ptyterm.h"

#define SIXEL_AREA_MAX 1000

/* The kitty query tui/probe.c sends before the DA1 fence. */
#define KITTY_QUERY "\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\"

int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
answer_parse(const char *name, enum answer *out)
{
	static const struct { const char *name; enum answer a; } names[] = {
		{ "xterm-vt340", ANSWER_VT340 }, { "none", ANSWER_NONE },
		{ "da1-nosixel", ANSWER_NOSIXEL }, { "kitty", ANSWER_KITTY },
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].a;
			return 0;
		}
	return -1;
}

static int
clamp_area(int v)
{
	return v > SIXEL_AREA_MAX ? SIXEL_AREA_MAX : v;
}

/*
 * Writes the reply the terminal would give to query q, or none. kitty
 * answers its graphics query and the cell size, and has no sixel (DA1 as
 * kitty 0.26 gives it).
 */
static void
query_answer(int fd, const struct term_geom *g, const char *q)
{
	char buf[128];
	int w = clamp_area(g->cols * g->cell_w), h = clamp_area(g->rows * g->cell_h);
	int vt340 = g->answer == ANSWER_VT340, kitty = g->answer == ANSWER_KITTY;

	buf[0] = '\0';
	if (g->answer == ANSWER_NONE)
		return;
	if (strcmp(q, KITTY_QUERY) == 0) {
		if (kitty)
			snprintf(buf, sizeof buf, "\033_Gi=31;OK\033\\");
	} else if (strcmp(q, "\033[c") == 0 || strcmp(q, "\033[0c") == 0)
		snprintf(buf, sizeof buf, "%s", vt340 ? "\033[?63;1;2;4;6;9;15;16;22;28c" :
		    kitty ? "\033[?62;c" : "\033[?64;1;2;6;9;15;16;17;18;21;22;28c");
	else if (kitty)
		; /* no XTSMGRAPHICS; CSI 16 t below */
	else if (strcmp(q, "\033[?1;1;0S") == 0)
		snprintf(buf, sizeof buf, "%s", vt340 ? "\033[?1;0;256S" : "\033[?1;3S");
	else if (strcmp(q, "\033[?2;1;0S") == 0 || strcmp(q, "\033[?2;4;0S") == 0) {
		if (vt340)
			snprintf(buf, sizeof buf, "\033[?2;0;%d;%dS", w, h);
		else
			snprintf(buf, sizeof buf, "\033[?2;3S");
	}
	if (strcmp(q, "\033[16t") == 0 && (vt340 || kitty))
		snprintf(buf, sizeof buf, "\033[6;%d;%dt", g->cell_h, g->cell_w);
	if (buf[0] != '\0')
		write_all(fd, buf, strlen(buf));
}

void
answer_scan(const unsigned char *out, size_t len, size_t *scanned, size_t *query_end, int fd,
    const struct term_geom *g)
{
	static const char *const query_list[] = {
		"\033[c", "\033[0c", "\033[?1;1;0S", "\033[?2;1;0S", "\033[?2;4;0S",
		"\033[16t", KITTY_QUERY,
	};
	size_t i = *scanned;

	while (i < len) {
		size_t left = len - i, k;
		int partial = 0, hit = 0;
		if (out[i] != 0x1b) {
			i++;
			continue;
		}
		for (k = 0; k < sizeof query_list / sizeof query_list[0]; k++) {
			size_t ql = strlen(query_list[k]);
			if (left >= ql && memcmp(out + i, query_list[k], ql) == 0) {
				query_answer(fd, g, query_list[k]);
				i += ql;
				*query_end = i;
				hit = 1;
				break;
			}
			if (left < ql && memcmp(out + i, query_list[k], left) == 0)
				partial = 1;
		}
		if (hit)
			continue;
		if (partial)
			break;
		i++;
	}
	*scanned = i;
}

/*
 * The panes' framing: ESC 7, CUP, then what is drawn there, then ESC 8. A
 * cursor position set by it is where the APCs up to ESC 8 land (an upload
 * does not move the cursor; the placement after it is drawn there).
 */
static void
apc_cursor(const unsigned char *out, size_t len, size_t i, int *row, int *col)
{
	char head[24];
	int r, c, n = 0;

	if (i + 1 < len && out[i + 1] == '8') {
		*row = *col = 0;
		return;
	}
	if (!(i + 3 < len && out[i + 1] == '7' && out[i + 2] == 0x1b && out[i + 3] == '['))
		return;
	snprintf(head, sizeof head, "%.*s", (int)(len - i - 2 < 20 ? len - i - 2 : 20),
	    (const char *)out + i + 2);
	if (sscanf(head, "\033[%d;%dH%n", &r, &c, &n) == 2 && n > 0)
		*row = r, *col = c;
}

int
apc_report(const unsigned char *out, size_t len, const size_t *key_at, size_t nkeys)
{
	size_t i = 0, count = 0;
	int rc = 0, row = 0, col = 0;

	while (i + 2 < len) {
		if (out[i] != 0x1b || out[i + 1] != '_' || out[i + 2] != 'G') {
			if (out[i] == 0x1b)
				apc_cursor(out, len, i, &row, &col);
			i++;
			continue;
		}
		size_t end = i + 3, semi = 0;
		for (; end + 1 < len && out[end] != 0x1b; end++)
			if (out[end] == ';' && semi == 0)
				semi = end;
		if (end + 1 >= len || out[end + 1] != '\\') {
			fprintf(stderr, "ptyterm: APC %zu at byte %zu is %s\n", count, i,
			    end + 1 >= len ? "not terminated" : "broken by another sequence");
			return -1;
		}
		size_t kend = semi ? semi : end;
		for (size_t k = i + 3; k < kend; k++)
			if (!(out[k] == ',' || out[k] == '=' || (out[k] >= '0' && out[k] <= '9') ||
			    (out[k] >= 'a' && out[k] <= 'z') || (out[k] >= 'A' && out[k] <= 'Z'))) {
				fprintf(stderr, "ptyterm: APC %zu: byte %d among its keys\n", count,
				    out[k]);
				rc = -1;
				break;
			}
		size_t k = 0;
		while (k < nkeys && key_at[k] <= i)
			k++;
		printf("apc %zu keys %.*s payload %zu row %d col %d after-key %zu\n", count,
		    (int)(kend - i - 3), (const char *)out + i + 3, semi ? end - semi - 1 : 0, row,
		    col, k);
		count++;
		i = end + 2;
	}
	printf("apc-count %zu\n", count);
	return rc;
}
