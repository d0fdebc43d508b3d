/* SPDX-License-Identifier: MIT */
/*
 * ptyterm: a fake terminal for end-to-end tests (terminal.md 4 (c)).
 *
 *   ptyterm [--cols C] [--rows R] [--cell-w W] [--cell-h H]
 *           [--answer xterm-vt340|kitty|none|da1-nosixel] [--keys KEYS] [--out RAW]
 *           [--repeat N] [--then KEYS] [--quiet MS] [--timeout S]
 *           [--link KBIT --rtt MS] [--every MS] [--db PATH]
 *           -- COMMAND ARGS...
 *
 * Runs COMMAND on a new pty (its controlling terminal, TERM=xterm-256color,
 * the window size in cells and pixels set), answers its terminal queries the
 * way xterm in VT340 mode does (terminal.md 3.1), or kitty does (graphics
 * query answered, no sixel), or not at all, or without sixel
 * (tests/tools/ptyterm_term.c). Whenever the output has been quiet for MS milliseconds (400) it
 * types the next byte of KEYS. When the command has exited, every sixel
 * image in the output (ESC P ... ESC \) is decoded with libsixel and
 * described on stdout, one line each:
 *
 *   sixel N row R col C width W height H mean R G B [cut-at Y] after-key K
 *
 * R and C are the 1-based cursor position of the CUP just before the DCS
 * (inside the ESC 7 ... ESC 8 framing; 0 0 when there is none), the mean is
 * over every pixel (over the rows above Y when the image was cut at Y), and K
 * is how many keys had been typed when the DCS began. Then "frame K bytes N
 * sixels S ms T first F" for the output between two key presses (frame 0 is
 * before the first key): T is the time from typing key K to the last byte
 * read before key K + 1 was typed (frame 0 from the command's start; 0.0 when
 * the frame has no output), F the same to when every pane the frame drew had
 * a whole image (at any resolution; a kitty placement counts as one). Then "keys-sent N", "dcs-count N", one
 * line per kitty graphics command ("apc N keys KEYS payload P row R col C
 * after-key K", ptyterm.h), "apc-count N" and "exit N" (128 + signal when
 * killed). --repeat N types KEYS N times over (then --then KEYS, e.g. a quit
 * key). Exits 2 on a timeout, 3 when a sixel does not decode or a sixel or
 * an APC holds another sequence, 1 on a usage error, else 0.
 *
 * A slow link: --link KBIT reads the output no faster than KBIT kbit/s (the
 * writes back up as behind a full SSH connection); --rtt MS delivers keys and
 * counts bytes as arriving MS/2 late. --every MS types a key every MS whatever
 * is drawn (a fast reviewer), from the first quiet spell on. --db PATH polls the decisions each millisecond:
 * "stored K ms T", T from key K's delivery to its decision being stored. Not
 * modelled: buffers inside the network, and delays of query answers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sixel.h>
#include <sqlite3.h>

#include "tests/tools/ptyterm.h"

struct options {
	int cols, rows, cell_w, cell_h, quiet_ms, timeout_s;
	int link_kbit, rtt_ms, every_ms;
	const char *db;
	enum answer answer;
	const char *keys, *then, *out;
	int repeat;
	char *typed;       /* KEYS repeat times, then THEN */
	char **argv;
};

/* The captured output, and where each key was typed. */
struct capture {
	unsigned char *p;
	size_t len, cap;
	size_t *key_at;    /* capture length when key i was sent */
	int64_t *key_us;   /* when key i was sent */
	int64_t *last_us;  /* last byte read in frame i (0: none) */
	int64_t start_us;  /* when the command was started */
	int64_t *sent_us;  /* when key i reached the command (typed + rtt/2) */
	int64_t *stored_us; /* when the decision key i made was in the database (0: none) */
	size_t *chunk_end; /* capture length after each read ... */
	int64_t *chunk_us; /* ... and when those bytes arrived */
	size_t nchunks, chunk_cap;
	size_t nkeys;
	size_t scanned;    /* queries are searched from here */
	size_t query_end;  /* just after the last query */
};

static int64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *
mem_grow(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		fprintf(stderr, "ptyterm: out of memory\n");
		exit(1);
	}
	return q;
}

static void
capture_append(struct capture *c, const unsigned char *data, size_t n)
{
	if (c->len + n > c->cap) {
		while (c->len + n > c->cap)
			c->cap = c->cap ? c->cap * 2 : 65536;
		c->p = mem_grow(c->p, c->cap);
	}
	memcpy(c->p + c->len, data, n);
	c->len += n;
}

/* The child: a new session with the pty's slave as its controlling terminal. */
static void
child_exec(const char *slave, const struct options *o)
{
	int fd;

	if (setsid() < 0)
		_exit(127);
	fd = open(slave, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) != 0)
		_exit(127);
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	if (fd > 2)
		close(fd);
	setenv("TERM", "xterm-256color", 1);
	/* ncurses prefers these to the window size. */
	unsetenv("LINES");
	unsetenv("COLUMNS");
	execvp(o->argv[0], o->argv);
	fprintf(stderr, "ptyterm: %s: %s\n", o->argv[0], strerror(errno));
	_exit(127);
}

static int
pty_start(const struct options *o, pid_t *pid)
{
	struct winsize ws;
	char *slave;
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (slave = ptsname(master)) == NULL) {
		perror("ptyterm: pty");
		return -1;
	}
	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)o->cols;
	ws.ws_row = (unsigned short)o->rows;
	ws.ws_xpixel = (unsigned short)(o->cols * o->cell_w);
	ws.ws_ypixel = (unsigned short)(o->rows * o->cell_h);
	if (ioctl(master, TIOCSWINSZ, &ws) != 0) {
		perror("ptyterm: TIOCSWINSZ");
		return -1;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		perror("ptyterm: fork");
		return -1;
	}
	if (*pid == 0) {
		close(master);
		child_exec(slave, o);
	}
	return master;
}

/* Decisions in the project so far, or -1 when it cannot be read (yet). */
static long
db_decisions(sqlite3 *db)
{
	sqlite3_stmt *st;
	long n = -1;

	if (db == NULL || sqlite3_prepare_v2(db, "SELECT count(*) FROM decisions", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The link: bytes the command may hand over now (a token bucket of 16 KiB). */
static size_t
link_allow(const struct options *o, int64_t *tokens_us, size_t want)
{
	int64_t rate = (int64_t)o->link_kbit * 125; /* bytes/s */
	int64_t burst_us, have;
	size_t n;

	if (rate == 0)
		return want;
	burst_us = (int64_t)16384 * 1000000 / rate;
	have = clock_us() - *tokens_us;
	if (have > burst_us)
		have = burst_us, *tokens_us = clock_us() - burst_us;
	n = (size_t)(have * rate / 1000000);
	if (n > want)
		n = want;
	return n;
}

/*
 * Reads until the command closes the pty, typing a key after each quiet
 * spell (output after the key and after the last query), or every
 * o->every_ms. Returns 0, or -1 when the deadline passed first.
 */
static int
pty_loop(int master, const struct options *o, struct capture *c, sqlite3 *db)
{
	int64_t deadline = clock_ms() + (int64_t)o->timeout_s * 1000, last = clock_ms();
	int64_t tokens_us = clock_us(), half_us = (int64_t)o->rtt_ms * 500;
	size_t nk = strlen(o->typed), frame_start = 0, from, delivered = 0, stored = 0;
	unsigned char buf[65536];
	long decisions = -1;

	c->key_at = mem_grow(NULL, (nk + 1) * sizeof *c->key_at);
	c->key_us = mem_grow(NULL, (nk + 1) * sizeof *c->key_us);
	c->last_us = mem_grow(NULL, (nk + 1) * sizeof *c->last_us);
	c->sent_us = mem_grow(NULL, (nk + 1) * sizeof *c->sent_us);
	c->stored_us = mem_grow(NULL, (nk + 1) * sizeof *c->stored_us);
	memset(c->last_us, 0, (nk + 1) * sizeof *c->last_us);
	memset(c->stored_us, 0, (nk + 1) * sizeof *c->stored_us);
	for (;;) {
		int64_t now = clock_ms(), wait;
		struct pollfd pfd;
		int r;
		if (now >= deadline)
			return -1;
		/* Keys typed reach the command half a round trip later. */
		while (delivered < c->nkeys && clock_us() >= c->key_us[delivered] + half_us) {
			char k = o->typed[delivered];
			c->sent_us[delivered] = clock_us();
			if (decisions < 0)
				decisions = db_decisions(db);
			delivered++;
			if (write_all(master, &k, 1) != 0)
				return 0;
		}
		if (db != NULL && stored < delivered) {
			long n = db_decisions(db);
			if (n > decisions && decisions >= 0) {
				/* Each new decision belongs to the oldest key not yet matched. */
				for (; decisions < n && stored < delivered; decisions++)
					c->stored_us[stored++] = clock_us();
			} else if (n >= 0 && decisions < 0)
				decisions = n;
		}
		/* A frame is output after the key and after the last query: a
		 * key typed while the command waits for an answer would be read as
		 * one (or flushed). */
		from = frame_start > c->query_end ? frame_start : c->query_end;
		/* --every: the first key still waits for the first screen to be drawn. */
		int due = o->every_ms > 0 && c->nkeys > 0 ?
		    clock_us() - c->key_us[c->nkeys - 1] >= (int64_t)o->every_ms * 1000 :
		    c->len > from && now - last >= o->quiet_ms;
		if (c->nkeys < nk && due) {
			c->key_us[c->nkeys] = clock_us();
			c->key_at[c->nkeys++] = c->len;
			frame_start = c->len;
			last = now;
			continue;
		}
		wait = deadline - now;
		if (c->nkeys < nk && c->len > from && o->quiet_ms - (now - last) < wait)
			wait = o->quiet_ms - (now - last);
		if (o->every_ms > 0 || o->link_kbit > 0 || delivered < c->nkeys || stored < delivered)
			wait = wait > 1 ? 1 : wait;
		pfd.fd = master;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(wait > 0 ? wait : 0));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		size_t allow = link_allow(o, &tokens_us, sizeof buf);
		if (allow == 0)
			continue;
		ssize_t n = read(master, buf, allow);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return 0; /* EIO: every slave descriptor is closed */
		if (o->link_kbit > 0)
			tokens_us += (int64_t)n * 1000000 / ((int64_t)o->link_kbit * 125);
		c->last_us[c->nkeys] = clock_us() + half_us;
		capture_append(c, buf, (size_t)n);
		if (c->nchunks == c->chunk_cap) {
			c->chunk_cap = c->chunk_cap ? 2 * c->chunk_cap : 4096;
			c->chunk_end = mem_grow(c->chunk_end, c->chunk_cap * sizeof *c->chunk_end);
			c->chunk_us = mem_grow(c->chunk_us, c->chunk_cap * sizeof *c->chunk_us);
		}
		c->chunk_end[c->nchunks] = c->len;
		c->chunk_us[c->nchunks++] = c->last_us[c->nkeys];
		struct term_geom g = { o->answer, o->cols, o->rows, o->cell_w, o->cell_h };
		answer_scan(c->p, c->len, &c->scanned, &c->query_end, master, &g);
		last = clock_ms();
	}
}

static int
pty_run(int master, const struct options *o, struct capture *c)
{
	sqlite3 *db = NULL;
	int rc;

	if (o->db != NULL && sqlite3_open_v2(o->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		db = NULL;
	}
	rc = pty_loop(master, o, c, db);
	sqlite3_close(db);
	return rc;
}

/* How many keys had been sent when output offset at was written. */
static size_t
keys_before(const struct capture *c, size_t at)
{
	size_t k = 0;

	while (k < c->nkeys && c->key_at[k] <= at)
		k++;
	return k;
}

/* The last CUP before the DCS at start, if ESC 7 comes just before it. */
static void
dcs_position(const struct capture *c, size_t start, int *row, int *col)
{
	size_t i = start;

	*row = *col = 0;
	while (i > 0) {
		i--;
		if (c->p[i] != 0x1b)
			continue;
		if (i + 1 < start && c->p[i + 1] == '[') {
			int r = 0, cc = 0, len = 0;
			char tail[64];
			size_t n = start - i < sizeof tail ? start - i : sizeof tail - 1;
			memcpy(tail, c->p + i, n);
			tail[n] = '\0';
			if (sscanf(tail, "\033[%d;%dH%n", &r, &cc, &len) == 2 && len > 0 &&
			    (size_t)len == start - i && i >= 2 && c->p[i - 2] == 0x1b &&
			    c->p[i - 1] == '7') {
				*row = r;
				*col = cc;
			}
		}
		return;
	}
}

/* Decodes one DCS and prints its line; returns -1 when it does not decode. */
/* Bands of sixel data in the DCS at start..end: graphics newlines after 'q', plus one. */
static int
dcs_bands(const struct capture *c, size_t start, size_t end)
{
	const unsigned char *q = memchr(c->p + start, 'q', end - start);
	int bands = 1;

	if (q == NULL)
		return 0;
	for (const unsigned char *p = q + 1; p < c->p + end; p++)
		bands += *p == '-';
	/* A trailing newline ends the last band; it does not begin one. */
	if (end > start + 1 && c->p[end - 1] == '-')
		bands--;
	return bands;
}

static int
sixel_report(const struct capture *c, size_t start, size_t end, int index)
{
	unsigned char *pixels = NULL, *palette = NULL;
	sixel_allocator_t *alloc = NULL;
	int w = 0, h = 0, ncolors = 0, row, col, rc = -1;
	SIXELSTATUS st;
	size_t n;

	if (end - start > INT32_MAX)
		return -1;
	st = sixel_allocator_new(&alloc, NULL, NULL, NULL, NULL);
	if (SIXEL_FAILED(st))
		return -1;
	st = sixel_decode_raw(c->p + start, (int)(end - start), &pixels, &w, &h, &palette,
	    &ncolors, alloc);
	if (SIXEL_FAILED(st) || pixels == NULL || palette == NULL || w <= 0 || h <= 0) {
		fprintf(stderr, "ptyterm: sixel %d does not decode: %s\n", index,
		    sixel_helper_format_error(st));
		goto out;
	}
	double sum[3] = { 0, 0, 0 };
	n = (size_t)w * (size_t)h;
	/*
	 * An image ended early (mmda cuts a pane at a band when the reviewer moves
	 * on) has fewer bands than its raster attributes' height: its first cut
	 * rows are what the terminal shows of it. The rows below are not drawn
	 * and their register is libsixel's, so only the drawn rows are checked.
	 */
	int cut = dcs_bands(c, start, end) * 6;
	if (cut >= h)
		cut = h;
	n = (size_t)w * (size_t)cut;
	for (size_t i = 0; i < n; i++) {
		int idx = pixels[i];
		if (idx >= ncolors) {
			if (cut < h)
				continue; /* the cut band's own background */
			fprintf(stderr, "ptyterm: sixel %d: colour %d of %d\n", index, idx,
			    ncolors);
			goto out;
		}
		for (int k = 0; k < 3; k++)
			sum[k] += palette[3 * idx + k];
	}
	if (n == 0)
		n = 1;
	dcs_position(c, start, &row, &col);
	printf("sixel %d row %d col %d width %d height %d mean %.1f %.1f %.1f", index, row, col,
	    w, h, sum[0] / (double)n, sum[1] / (double)n, sum[2] / (double)n);
	if (cut < h)
		printf(" cut-at %d", cut);
	printf(" after-key %zu\n", keys_before(c, start));
	rc = 0;
out:
	sixel_allocator_free(alloc, pixels);
	sixel_allocator_free(alloc, palette);
	sixel_allocator_unref(alloc);
	return rc;
}

/* When the byte before offset at had arrived. */
static int64_t
arrival_us(const struct capture *c, size_t at)
{
	size_t lo = 0, hi = c->nchunks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->chunk_end[mid] < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nchunks ? c->chunk_us[lo] : 0;
}

/* A frame's panes: each column's first whole image, and when it had arrived. */
struct frame_panes {
	int col[4];
	int64_t done_us[4];
	int n;
};

static void
frame_pane_seen(struct frame_panes *f, int col, int64_t t)
{
	for (int i = 0; i < f->n; i++)
		if (f->col[i] == col)
			return;
	if (f->n < 4) {
		f->col[f->n] = col;
		f->done_us[f->n++] = t;
	}
}

/* Finds every ESC P ... ESC \ and reports it, then the frames. */
static int
capture_report(const struct capture *c)
{
	size_t i = 0, k, count = 0;
	size_t *frame_sixels = mem_grow(NULL, (c->nkeys + 1) * sizeof *frame_sixels);
	struct frame_panes *fp = mem_grow(NULL, (c->nkeys + 1) * sizeof *fp);
	int rc = 0;

	memset(frame_sixels, 0, (c->nkeys + 1) * sizeof *frame_sixels);
	memset(fp, 0, (c->nkeys + 1) * sizeof *fp);
	while (i + 1 < c->len) {
		size_t end;
		if (c->p[i] != 0x1b || c->p[i + 1] != 'P') {
			i++;
			continue;
		}
		for (end = i + 2; end + 1 < c->len && c->p[end] != 0x1b; end++)
			;
		/* Any other ESC inside an image is text written into it: the image is broken. */
		if (end + 1 < c->len && c->p[end + 1] != '\\') {
			fprintf(stderr, "ptyterm: a sequence inside sixel %zu, at byte %zu\n", count, end);
			rc = -1;
		}
		if (end + 1 >= c->len) {
			fprintf(stderr, "ptyterm: unterminated DCS at byte %zu\n", i);
			rc = -1;
			break;
		}
		if (sixel_report(c, i, end + 2, (int)count) != 0)
			rc = -1;
		int row, col;
		dcs_position(c, i, &row, &col);
		frame_pane_seen(&fp[keys_before(c, i)], col, arrival_us(c, end + 2));
		frame_sixels[keys_before(c, i)]++;
		count++;
		i = end + 2;
	}
	/* A kitty placement (ESC _ G a=p,...) shows an image whole: mmda places
	 * only what it uploaded before it. It counts as its pane drawn. */
	for (i = 0; i + 6 < c->len; i++) {
		size_t end;
		if (memcmp(c->p + i, "\033_Ga=p,", 7) != 0)
			continue;
		for (end = i + 3; end + 1 < c->len && c->p[end] != 0x1b; end++)
			;
		int row, col;
		dcs_position(c, i, &row, &col);
		frame_pane_seen(&fp[keys_before(c, i)], col, arrival_us(c, end + 2));
	}
	for (k = 0; k <= c->nkeys; k++) {
		size_t from = k == 0 ? 0 : c->key_at[k - 1];
		size_t to = k < c->nkeys ? c->key_at[k] : c->len;
		int64_t t0 = k == 0 ? c->start_us : c->key_us[k - 1];
		double ms = c->last_us[k] > t0 ? (double)(c->last_us[k] - t0) / 1000.0 : 0.0;
		int64_t first = 0;
		for (int j = 0; j < fp[k].n; j++)
			if (fp[k].done_us[j] > first)
				first = fp[k].done_us[j];
		printf("frame %zu bytes %zu sixels %zu ms %.1f first %.1f\n", k, to - from,
		    frame_sixels[k], ms, first > t0 ? (double)(first - t0) / 1000.0 : 0.0);
	}
	free(fp);
	for (k = 0; k < c->nkeys; k++)
		if (c->stored_us[k] > 0)
			printf("stored %zu ms %.1f\n", k + 1,
			    (double)(c->stored_us[k] - c->sent_us[k]) / 1000.0);
	printf("keys-sent %zu\n", c->nkeys);
	printf("dcs-count %zu\n", count);
	free(frame_sixels);
	return rc;
}

static int
options_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
options_parse(int argc, char **argv, struct options *o)
{
	int i;

	o->cols = 80, o->rows = 24, o->cell_w = 10, o->cell_h = 20;
	o->quiet_ms = 400, o->timeout_s = 20;
	o->answer = ANSWER_VT340;
	o->keys = "";
	o->then = "";
	o->repeat = 1;
	o->typed = NULL;
	o->out = NULL;
	o->link_kbit = o->rtt_ms = o->every_ms = 0;
	o->db = NULL;
	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (v == NULL)
			return -1;
		if (strcmp(a, "--cols") == 0)
			bad = options_int(v, 1, 1000, &o->cols);
		else if (strcmp(a, "--rows") == 0)
			bad = options_int(v, 1, 1000, &o->rows);
		else if (strcmp(a, "--cell-w") == 0)
			bad = options_int(v, 1, 64, &o->cell_w);
		else if (strcmp(a, "--cell-h") == 0)
			bad = options_int(v, 1, 64, &o->cell_h);
		else if (strcmp(a, "--quiet") == 0)
			bad = options_int(v, 10, 10000, &o->quiet_ms);
		else if (strcmp(a, "--timeout") == 0)
			bad = options_int(v, 1, 600, &o->timeout_s);
		else if (strcmp(a, "--repeat") == 0)
			bad = options_int(v, 0, 100000, &o->repeat);
		else if (strcmp(a, "--link") == 0)
			bad = options_int(v, 8, 10000000, &o->link_kbit);
		else if (strcmp(a, "--rtt") == 0)
			bad = options_int(v, 0, 2000, &o->rtt_ms);
		else if (strcmp(a, "--every") == 0)
			bad = options_int(v, 1, 10000, &o->every_ms);
		else if (strcmp(a, "--db") == 0)
			o->db = v;
		else if (strcmp(a, "--keys") == 0)
			o->keys = v;
		else if (strcmp(a, "--then") == 0)
			o->then = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--answer") == 0)
			bad = answer_parse(v, &o->answer);
		else
			bad = -1;
		if (bad != 0)
			return -1;
	}
	if (i >= argc)
		return -1;
	o->argv = argv + i;
	size_t kl = strlen(o->keys), tl = strlen(o->then);
	o->typed = mem_grow(NULL, kl * (size_t)o->repeat + tl + 1);
	for (int r = 0; r < o->repeat; r++)
		memcpy(o->typed + kl * (size_t)r, o->keys, kl);
	memcpy(o->typed + kl * (size_t)o->repeat, o->then, tl + 1);
	return 0;
}

static int
capture_save(const struct capture *c, const char *path)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(c->p, 1, c->len, f) != c->len) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct capture c;
	pid_t pid;
	int master, status = 0, timed_out, rc = 0;

	if (options_parse(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: ptyterm [--cols C --rows R --cell-w W --cell-h H] "
		    "[--answer xterm-vt340|kitty|none|da1-nosixel] [--keys KEYS] [--repeat N] "
		    "[--then KEYS] [--out RAW] [--quiet MS] [--timeout S] [--link KBIT --rtt MS] "
		    "[--every MS] [--db PATH] -- COMMAND ARGS...\n");
		return 1;
	}
	memset(&c, 0, sizeof c);
	signal(SIGPIPE, SIG_IGN);
	c.start_us = clock_us();
	if ((master = pty_start(&o, &pid)) < 0)
		return 1;
	timed_out = pty_run(master, &o, &c) != 0;
	if (timed_out) {
		fprintf(stderr, "ptyterm: timed out after %d s (%zu of %zu keys sent)\n",
		    o.timeout_s, c.nkeys, strlen(o.typed));
		kill(pid, SIGTERM);
		usleep(200000);
		kill(pid, SIGKILL);
	}
	close(master);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (o.out != NULL && capture_save(&c, o.out) != 0) {
		fprintf(stderr, "ptyterm: %s: cannot write the capture\n", o.out);
		rc = 1;
	}
	if (capture_report(&c) != 0 && rc == 0)
		rc = 3;
	if (apc_report(c.p, c.len, c.key_at, c.nkeys) != 0 && rc == 0)
		rc = 3;
	printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
	if (timed_out)
		rc = 2;
	free(c.p);
	free(c.key_at);
	free(c.key_us);
	free(c.last_us);
	free(c.sent_us);
	free(c.stored_us);
	free(c.chunk_end);
	free(c.chunk_us);
	free(o.typed);
	return rc;
}
