/* SPDX-License-Identifier: MIT */
/*
 * Line reader for the JSONL and CSV importers: one growing buffer refilled
 * with read(2), so a 200,000-line manifest costs a few dozen system calls.
 */
#include "core/base/linereader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/safefile.h"
#include "core/base/util.h"

#define LINEREADER_CHUNK ((size_t)1 << 20)

struct linereader {
	int fd;
	char *path;
	char *buf;
	size_t size;  /* allocated bytes */
	size_t start; /* first unconsumed byte */
	size_t end;   /* end of valid data */
	size_t max;
	long lineno;
	int eof;
	int skipping; /* inside an over-long line, dropping bytes to its newline */
};

struct linereader *
linereader_open(const char *path, size_t max, char **cause)
{
	size_t fsize;
	/* Manifests have no size cap (lines do), but must be regular files. */
	int fd = file_open_regular(path, SIZE_MAX, &fsize, cause);
	if (fd == -1)
		return NULL;
	struct linereader *lr = xcalloc(1, sizeof *lr);
	lr->fd = fd;
	lr->path = xstrdup(path);
	lr->max = max;
	/* Small files need no megabyte buffer; the buffer grows if lines do. */
	lr->size = LINEREADER_CHUNK;
	if (fsize + 2 < lr->size)
		lr->size = fsize + 2;
	lr->buf = xmalloc(lr->size);
	return lr;
}

long
linereader_lineno(const struct linereader *lr)
{
	return lr->lineno;
}

void
linereader_close(struct linereader *lr)
{
	if (lr == NULL)
		return;
	close(lr->fd);
	free(lr->buf);
	free(lr->path);
	free(lr);
}

/* Reads more data after lr->end, making room first; returns -1 on error. */
static int
linereader_fill(struct linereader *lr, char **cause)
{
	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	/* One byte always stays free for the NUL after a last unterminated line. */
	if (lr->end + 1 >= lr->size) {
		size_t want = lr->size * 2;
		if (want < LINEREADER_CHUNK)
			want = LINEREADER_CHUNK;
		if (want > lr->max + 4)
			want = lr->max + 4;
		if (want <= lr->size)
			want = lr->size + LINEREADER_CHUNK;
		lr->buf = xrealloc(lr->buf, want);
		lr->size = want;
	}
	for (;;) {
		ssize_t n = read(lr->fd, lr->buf + lr->end, lr->size - lr->end - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return cause_set(cause, "%s: %s", lr->path, strerror(errno));
		if (n == 0)
			lr->eof = 1;
		lr->end += (size_t)n;
		return 0;
	}
}

enum linereader_status
linereader_next(struct linereader *lr, char **line, size_t *len, char **cause)
{
	for (;;) {
		char *p = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = memchr(p, '\n', avail);
		if (nl != NULL || (lr->eof && avail > 0)) {
			size_t n = nl != NULL ? (size_t)(nl - p) : avail;
			lr->start += nl != NULL ? n + 1 : n;
			lr->lineno++;
			if (n > 0 && p[n - 1] == '\r')
				n--;
			if (lr->skipping || n > lr->max) {
				lr->skipping = 0;
				return LINEREADER_LONG;
			}
			p[n] = '\0';
			*line = p;
			*len = n;
			return LINEREADER_LINE;
		}
		if (lr->eof) {
			if (lr->skipping) {
				lr->skipping = 0;
				lr->lineno++;
				return LINEREADER_LONG;
			}
			return LINEREADER_EOF;
		}
		if (avail > lr->max + 1) {
			/* Too long already: drop what we have and keep dropping to '\n'. */
			lr->skipping = 1;
			lr->start = lr->end = 0;
		}
		if (linereader_fill(lr, cause) != 0)
			return LINEREADER_ERROR;
	}
}
