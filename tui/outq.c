/* SPDX-License-Identifier: MIT */
/* Paced image output (tui/outq.h): segments written a piece at a time, cut at sixel bands or kitty chunks. */
#include "tui/outq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/base/util.h"
#include "tui/kitty.h"

/*
 * A piece: at most this much per write (never more than the terminal has room
 * for, so a write never waits), large enough that a fast local terminal takes
 * a pane in a few writes.
 */
#define PIECE 65536

/* DECRC: every segment ends by putting curses' cursor back. */
static const char restore[] = "\0338";
/* ST, then DECRC: how a cut segment ends. */
static const char cut_end[] = "\033\\\0338";

enum seg_kind { SEG_SIXEL, SEG_KITTY };

struct segment {
	char *buf;
	size_t len, off;
	/* sixel: the data after the DCS introducer, before ST; kitty: the upload */
	size_t body, body_end;
	int slot;
	enum seg_kind kind;
};

/* Points of a spell kept for the rate (the gap between them doubles when full). */
#define MARKS 32

struct outq {
	int fd;
	int n;                     /* segments queued, in order */
	struct segment seg[OUTQ_SLOTS];
	int64_t busy_ms;           /* when the queue last went from empty to not */
	size_t busy_bytes;         /* written since */
	/* Points of the spell, (ms, busy_bytes), at least mark_gap ms apart. */
	int64_t mark_ms[MARKS];
	size_t mark_bytes[MARKS];
	int nmarks, mark_gap;
	double rate;               /* bytes per second, 0 unknown (outq_rate) */
};

/* A busy spell the link-rate estimate can use: at least this many bytes. */
#define RATE_MIN_BYTES 32768

struct outq *
outq_new(int fd)
{
	struct outq *q = xcalloc(1, sizeof *q);

	q->fd = fd;
	return q;
}

/*
 * The queue ran dry or was cut: a spell of the link at work ends. Buffers
 * between here and the far end (the pty's, an SSH connection's, a link's
 * burst allowance) take the first bytes of a spell at once, which would read
 * as a faster link than there is; they are full again when the queue runs
 * dry. So the rate is taken over the spell's last three quarters, the bytes
 * written from the point a quarter of its time in, over the time since.
 */
static void
spell_end(struct outq *q)
{
	int held = 0;
	int64_t now = now_mono_ms(), from_ms = q->busy_ms;
	size_t from_bytes = 0, out;

	for (int i = 0; i < q->nmarks; i++)
		if (4 * (q->mark_ms[i] - q->busy_ms) >= now - q->busy_ms) {
			from_ms = q->mark_ms[i];
			from_bytes = q->mark_bytes[i];
			break;
		}
	q->nmarks = 0;
	if (ioctl(q->fd, TIOCOUTQ, &held) != 0 || held < 0)
		held = 0;
	out = q->busy_bytes - from_bytes;
	out = out > (size_t)held ? out - (size_t)held : 0;
	if (q->busy_bytes < RATE_MIN_BYTES || out == 0)
		return;
	int64_t ms = now - from_ms;
	double sample = (double)out * 1000.0 / (double)(ms > 1 ? ms : 1);
	/* Half the weight on the newest: a link changes, one spell is noisy. */
	q->rate = q->rate > 0 ? 0.5 * q->rate + 0.5 * sample : sample;
	q->busy_bytes = 0;
}

/* A point of the spell after a write; when the marks are full, every other goes. */
static void
mark(struct outq *q)
{
	int64_t now = now_mono_ms();

	if (q->nmarks > 0 && now - q->mark_ms[q->nmarks - 1] < q->mark_gap)
		return;
	if (q->nmarks == MARKS) {
		for (int i = 0; i < MARKS / 2; i++) {
			q->mark_ms[i] = q->mark_ms[2 * i + 1];
			q->mark_bytes[i] = q->mark_bytes[2 * i + 1];
		}
		q->nmarks = MARKS / 2;
		q->mark_gap *= 2;
	}
	q->mark_ms[q->nmarks] = now;
	q->mark_bytes[q->nmarks++] = q->busy_bytes;
}

static void
drop_first(struct outq *q)
{
	free(q->seg[0].buf);
	memmove(&q->seg[0], &q->seg[1], (size_t)(q->n - 1) * sizeof q->seg[0]);
	q->n--;
	memset(&q->seg[q->n], 0, sizeof q->seg[0]);
}

static void
drop_all(struct outq *q)
{
	while (q->n > 0)
		drop_first(q);
}

/* Writes all of buf, waiting for the terminal as long as it takes. 0, or -1. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { fd, POLLOUT, 0 };
			poll(&p, 1, 100);
			continue;
		}
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * write(2) that takes only what the terminal has room for. The descriptor is
 * shared with curses, which expects it blocking, so O_NONBLOCK is set for
 * this call alone and always put back.
 */
static ssize_t
write_room(int fd, const char *buf, size_t n)
{
	int fl = fcntl(fd, F_GETFL);
	ssize_t w;

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return write(fd, buf, n);
	w = write(fd, buf, n);
	int saved = errno;
	fcntl(fd, F_SETFL, fl);
	errno = saved;
	return w;
}

/* What the terminal can take now of the first segment, a piece at most. 0, or -1. */
static int
write_piece(struct outq *q, int wait)
{
	struct segment *s = &q->seg[0];
	size_t n = s->len - s->off < PIECE ? s->len - s->off : PIECE;
	struct pollfd p = { q->fd, POLLOUT, 0 };
	ssize_t w;

	if (!wait && poll(&p, 1, 0) <= 0)
		return 0;
	w = write_room(q->fd, s->buf + s->off, n);
	if (w < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (w <= 0)
		return -1;
	s->off += (size_t)w;
	q->busy_bytes += (size_t)w;
	mark(q);
	if (s->off == s->len) {
		drop_first(q);
		if (q->n == 0)
			spell_end(q);
	}
	return 0;
}

static int
finish_first(struct outq *q)
{
	struct segment *s = &q->seg[0];
	int rc = write_all(q->fd, s->buf + s->off, s->len - s->off);

	q->busy_bytes += s->len - s->off;
	drop_first(q);
	return rc;
}

/* Queues the framed bytes as slot's segment; returns it for the caller to mark, or NULL (EINVAL). */
static struct segment *
put(struct outq *q, int slot, int row, int col, const char *data, size_t len, size_t *np_out)
{
	char pre[64];
	int np, i;

	np = snprintf(pre, sizeof pre, "\0337\033[%d;%dH", row + 1, col + 1);
	if (slot < 0 || slot >= OUTQ_SLOTS || row < 0 || col < 0 || np < 0 ||
	    (size_t)np >= sizeof pre) {
		errno = EINVAL;
		return NULL;
	}
	if (q->n == 0) {
		q->busy_ms = now_mono_ms();
		q->busy_bytes = 0;
		q->nmarks = 0;
		q->mark_gap = 2;
	}
	for (i = 0; i < q->n && q->seg[i].slot != slot; i++)
		;
	if (i < q->n && q->seg[i].off > 0) {
		/* Only the first can be in flight: end it whole, then queue anew. */
		finish_first(q);
		i = q->n;
	}
	if (i == q->n) {
		if (q->n == OUTQ_SLOTS) {
			/* Every slot taken by another: the oldest must go out first. */
			if (q->seg[0].off > 0)
				finish_first(q);
			else
				drop_first(q);
		}
		i = q->n++;
	} else
		free(q->seg[i].buf);
	struct segment *s = &q->seg[i];
	s->len = (size_t)np + len + sizeof restore - 1;
	s->buf = xmalloc(s->len);
	memcpy(s->buf, pre, (size_t)np);
	memcpy(s->buf + np, data, len);
	memcpy(s->buf + np + len, restore, sizeof restore - 1);
	s->off = 0;
	s->slot = slot;
	*np_out = (size_t)np;
	return s;
}

int
outq_put(struct outq *q, int slot, int row, int col, const char *dcs, size_t len)
{
	size_t np;
	struct segment *s = put(q, slot, row, col, dcs, len, &np);

	if (s == NULL)
		return -1;
	const char *st = len >= 2 && dcs[len - 2] == '\033' && dcs[len - 1] == '\\' ? dcs + len - 2 :
	    dcs + len;
	const char *q_intro = memchr(dcs, 'q', len);
	s->kind = SEG_SIXEL;
	s->body = np + (q_intro != NULL ? (size_t)(q_intro - dcs) + 1 : len);
	s->body_end = np + (size_t)(st - dcs);
	return 0;
}

int
outq_put_kitty(struct outq *q, int slot, int row, int col, const char *apc, size_t len,
    size_t up, size_t up_end)
{
	size_t np;
	struct segment *s;

	if (up > up_end || up_end > len) {
		errno = EINVAL;
		return -1;
	}
	if ((s = put(q, slot, row, col, apc, len, &np)) == NULL)
		return -1;
	s->kind = SEG_KITTY;
	s->body = np + up;
	s->body_end = np + up_end;
	return 0;
}

int
outq_write_now(struct outq *q, const char *s, size_t len)
{
	if (q->n > 0) {
		errno = EBUSY;
		return -1;
	}
	return write_all(q->fd, s, len);
}

long
outq_pump(struct outq *q)
{
	while (q->n > 0) {
		size_t before = q->seg[0].off;
		int n0 = q->n;
		if (write_piece(q, 0) != 0) {
			drop_all(q);
			return -1;
		}
		if (q->n == n0 && q->seg[0].off == before)
			break; /* the terminal is full for now */
	}
	return (long)outq_pending(q);
}

int
outq_until_key(struct outq *q, int in_fd, int ms)
{
	int64_t until = now_mono_ms() + ms;

	for (;;) {
		struct pollfd p[2] = { { in_fd, POLLIN, 0 }, { q->fd, POLLOUT, 0 } };
		int64_t left = until - now_mono_ms();
		/*
		 * Offered when the terminal has room, and every millisecond anyway: a
		 * pty reports room only once it has nearly drained, and waiting for
		 * that alone left a slow link idle between writes (make bench-link at
		 * 100 Mbit/s); the millisecond alone held a local terminal, which
		 * drains a pty's 14 KB at once, to 14 MB/s (make bench-tui).
		 */
		if (poll(p, 2, q->n > 0 && left > 0 ? 1 : 0) < 0 && errno != EINTR)
			return 0;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			return 1;
		if (q->n == 0)
			return 0;
		if (write_piece(q, 1) != 0) {
			drop_all(q);
			return 0;
		}
		if (q->n == 0 || now_mono_ms() >= until)
			return 0;
	}
}

size_t
outq_pending(const struct outq *q)
{
	size_t n = 0;

	for (int i = 0; i < q->n; i++)
		n += q->seg[i].len - q->seg[i].off;
	return n;
}

unsigned
outq_slots(const struct outq *q)
{
	unsigned m = 0;

	for (int i = 0; i < q->n; i++)
		m |= 1u << q->seg[i].slot;
	return m;
}

/*
 * Cuts the kitty segment in flight: inside its upload, the chunk being
 * written is finished (a chunk ends with ESC \\) and the transfer ended with
 * an empty last chunk, unless that chunk was the last one anyway. Returns 1
 * when the image did not arrive whole.
 */
static int
cut_kitty(struct outq *q)
{
	struct segment *s = &q->seg[0];
	size_t upto = s->body;

	if (s->body == s->body_end || s->off >= s->body_end) {
		/* No upload, or it is out: the rest is a short placement. */
		finish_first(q);
		return 0;
	}
	if (s->off > s->body) {
		/* The end of the chunk the last write left off in (or at). */
		upto = s->off;
		/* Base64 and the keys hold neither ESC nor a backslash: the first ST is it. */
		if (!(upto >= 2 && s->buf[upto - 2] == '\033' && s->buf[upto - 1] == '\\')) {
			while (upto < s->body_end && s->buf[upto - 1] != '\\')
				upto++;
		}
		if (upto >= s->body_end) {
			finish_first(q);
			return 0;
		}
	}
	int rc = write_all(q->fd, s->buf + s->off, upto - s->off);
	q->busy_bytes += upto - s->off;
	/* Chunks were sent with m=1: the terminal waits for more until told the end. */
	if (rc == 0 && upto > s->body)
		rc = write_all(q->fd, KITTY_ABORT, sizeof KITTY_ABORT - 1);
	if (rc == 0)
		write_all(q->fd, restore, sizeof restore - 1);
	drop_first(q);
	return 1;
}

unsigned
outq_cut(struct outq *q)
{
	unsigned partial = 0;

	if (q->n > 0 && q->seg[0].off > 0 && q->seg[0].kind == SEG_KITTY) {
		int slot = q->seg[0].slot;
		if (cut_kitty(q))
			partial |= 1u << slot;
	} else if (q->n > 0 && q->seg[0].off > 0) {
		struct segment *s = &q->seg[0];
		const char *band = NULL;
		if (s->off < s->body_end) {
			size_t from = s->off > s->body ? s->off : s->body;
			band = memchr(s->buf + from, '-', s->body_end - from);
		}
		if (band == NULL) {
			/* In the last band (or past the image): the rest is short, send it all. */
			finish_first(q);
		} else {
			size_t upto = (size_t)(band - s->buf) + 1;
			if (s->off < s->body) {
				/* Still in the introducer or palette: those go out whole first. */
				upto = s->body;
			}
			if (write_all(q->fd, s->buf + s->off, upto - s->off) == 0)
				write_all(q->fd, cut_end, sizeof cut_end - 1);
			q->busy_bytes += upto - s->off;
			partial |= 1u << s->slot;
			drop_first(q);
		}
	}
	while (q->n > 0) {
		partial |= 1u << q->seg[0].slot;
		drop_first(q);
	}
	spell_end(q);
	return partial;
}

double
outq_rate(const struct outq *q)
{
	return q->rate;
}

void
outq_free(struct outq *q)
{
	if (q == NULL)
		return;
	outq_cut(q);
	free(q);
}
