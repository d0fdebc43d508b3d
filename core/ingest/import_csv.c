/* SPDX-License-Identifier: MIT */
/*
 * CSV (RFC 4180) and TSV manifests with a header row. CSV fields may be
 * quoted, with doubled quotes and line breaks inside; a record is reported
 * by the physical line it starts on. TSV fields are taken literally, as
 * exported by spreadsheets and by Conceptual Captions. Line breaks inside a
 * quoted field reach the caption as "\n" whatever the file used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ingest/import_priv.h"
#include "core/base/linereader.h"

static const char *const csv_image_cols[] = { "file_name", "image", "image_path",
	"filepath", "path", "filename", "url", NULL };
static const char *const csv_text_cols[] = { "text", "caption", "captions", "title",
	"sentence", NULL };
static const char *const csv_id_cols[] = { "id", "key", NULL };

struct csv {
	struct imp *im;
	struct linereader *lr;
	char delim;
	char *buf;    /* the record's fields, each NUL-terminated */
	size_t len, size;
	size_t *offs; /* where each field starts in buf */
	size_t nf, fcap;
	long line;    /* physical line the record starts on */
	const char *bad; /* why the record is unusable, or NULL */
};

static void
csv_put(struct csv *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->size) {
		while (c->len + n + 1 > c->size)
			c->size = c->size ? c->size * 2 : 4096;
		c->buf = xrealloc(c->buf, c->size);
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void
csv_field_start(struct csv *c)
{
	if (c->nf == c->fcap) {
		c->fcap = c->fcap ? c->fcap * 2 : 16;
		c->offs = xreallocarray(c->offs, c->fcap, sizeof *c->offs);
	}
	c->offs[c->nf++] = c->len;
}

static void
csv_field_end(struct csv *c)
{
	csv_put(c, "", 0);
	c->buf[c->len++] = '\0';
}

static const char *
csv_field(const struct csv *c, size_t i)
{
	return c->buf + c->offs[i];
}

/*
 * Reads the next record into c. Returns 1 with a record (c->bad may say it
 * is broken), 0 at the end of the file, -1 on a read error.
 */
static int
csv_next(struct csv *c)
{
	char *line;
	size_t len;
	enum linereader_status st;
	c->nf = c->len = 0;
	c->bad = NULL;
	do {
		st = linereader_next(c->lr, &line, &len, c->im->cause);
		if (st == LINEREADER_EOF)
			return 0;
		if (st == LINEREADER_ERROR)
			return -1;
		c->line = linereader_lineno(c->lr);
		if (st == LINEREADER_LONG) {
			c->bad = "line too long";
			return 1;
		}
		if (c->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
	} while (len == 0);

	int quoted = 0, closed = 0, fresh = 1;
	csv_field_start(c);
	for (;;) {
		if (memchr(line, '\0', len) != NULL && c->bad == NULL)
			c->bad = "NUL byte in the record";
		for (size_t i = 0; i < len; i++) {
			char ch = line[i];
			if (c->delim == '\t') {
				if (ch == '\t') {
					csv_field_end(c);
					csv_field_start(c);
				} else
					csv_put(c, &ch, 1);
				continue;
			}
			if (quoted) {
				if (ch != '"')
					csv_put(c, &ch, 1);
				else if (i + 1 < len && line[i + 1] == '"') {
					csv_put(c, "\"", 1);
					i++;
				} else {
					quoted = 0;
					closed = 1;
				}
			} else if (ch == c->delim) {
				csv_field_end(c);
				csv_field_start(c);
				closed = 0;
				fresh = 1;
			} else if (ch == '"' && fresh) {
				quoted = 1;
				fresh = 0;
			} else {
				if (closed && c->bad == NULL)
					c->bad = "stray characters after a closing quote";
				csv_put(c, &ch, 1);
				fresh = 0;
			}
		}
		if (!quoted)
			break;
		/* A quoted field goes on over the line break. */
		if (c->len > IMPORT_LINE_MAX) {
			c->bad = "unterminated quote (record too long)";
			break;
		}
		st = linereader_next(c->lr, &line, &len, c->im->cause);
		if (st == LINEREADER_ERROR)
			return -1;
		if (st == LINEREADER_EOF) {
			c->bad = "unterminated quote";
			break;
		}
		if (st == LINEREADER_LONG) {
			c->bad = "line too long";
			break;
		}
		csv_put(c, "\n", 1);
	}
	csv_field_end(c);
	return 1;
}

/* The header column for the first of names that is present, or -1. */
static long
csv_column(const struct csv *c, const char *const *names)
{
	for (; *names != NULL; names++) {
		for (size_t i = 0; i < c->nf; i++) {
			const char *h = csv_field(c, i);
			while (*h == ' ')
				h++;
			size_t n = strlen(h);
			while (n > 0 && h[n - 1] == ' ')
				n--;
			if (n == strlen(*names) && strncasecmp(h, *names, n) == 0)
				return (long)i;
		}
	}
	return -1;
}

static int
csv_no_column(struct csv *c, const char *what, const char *const *names)
{
	char *want = xstrdup(names[0]), *found = xstrdup(""), *t;
	for (size_t i = 1; names[i] != NULL; i++) {
		t = xasprintf("%s, %s", want, names[i]);
		free(want);
		want = t;
	}
	for (size_t i = 0; i < c->nf && i < 32; i++) {
		char *h = imp_printable(csv_field(c, i), strnlen(csv_field(c, i), 64));
		t = xasprintf("%s%s\"%s\"", found, i > 0 ? ", " : "", h);
		free(found);
		free(h);
		found = t;
	}
	cause_set(c->im->cause, "%s: no %s column (looked for %s; the header has %s)",
	    c->im->path, what, want, found);
	free(want);
	free(found);
	return -1;
}

/* The delimiter from the file's first line: a tab before any comma means TSV. */
static char
csv_sniff(struct imp *im)
{
	char buf[65536];
	ssize_t n = imp_peek(im->path, buf, sizeof buf, NULL);
	for (ssize_t i = 0; i < n && buf[i] != '\n'; i++) {
		if (buf[i] == '\t')
			return '\t';
		if (buf[i] == ',')
			return ',';
	}
	return ',';
}

static int
csv_records(struct csv *c, long icol, long tcol, long idcol, size_t ncols)
{
	int rc = 0, more;
	while (rc == 0 && (more = csv_next(c)) != 0) {
		if (more < 0)
			return -1;
		const char *id = NULL, *image = NULL, *text = NULL;
		if (c->nf == ncols && c->bad == NULL) {
			image = csv_field(c, (size_t)icol);
			text = csv_field(c, (size_t)tcol);
			if (idcol >= 0 && csv_field(c, (size_t)idcol)[0] != '\0')
				id = csv_field(c, (size_t)idcol);
		}
		const char *key = id != NULL ? id : image;
		if (c->bad != NULL)
			rc = imp_error(c->im, c->line, NULL, "%s", c->bad);
		else if (c->nf != ncols)
			rc = imp_error(c->im, c->line, NULL, "expected %zu fields, found %zu",
			    ncols, c->nf);
		else if (image[0] == '\0')
			rc = imp_error(c->im, c->line, id, "empty image path");
		else if (imp_blank(text))
			rc = imp_error(c->im, c->line, key, "empty caption");
		else {
			struct import_record r = { .line = c->line, .key = key,
				.key_is_id = id != NULL, .image = image, .text = text };
			rc = imp_pair(c->im, &r);
		}
	}
	return rc;
}

int
import_csv(struct imp *im)
{
	struct csv c = { .im = im };
	c.delim = csv_sniff(im);
	c.lr = linereader_open(im->path, IMPORT_LINE_MAX, im->cause);
	if (c.lr == NULL)
		return -1;
	int rc = csv_next(&c);
	if (rc == 0)
		rc = cause_set(im->cause, "%s: empty file (no header row)", im->path);
	else if (rc == 1 && c.bad != NULL)
		rc = cause_set(im->cause, "%s: bad header row: %s", im->path, c.bad);
	else if (rc == 1) {
		long icol = csv_column(&c, csv_image_cols);
		long tcol = csv_column(&c, csv_text_cols);
		long idcol = csv_column(&c, csv_id_cols);
		if (icol < 0)
			rc = csv_no_column(&c, "image", csv_image_cols);
		else if (tcol < 0)
			rc = csv_no_column(&c, "caption", csv_text_cols);
		else
			rc = csv_records(&c, icol, tcol, idcol, c.nf);
	}
	linereader_close(c.lr);
	free(c.buf);
	free(c.offs);
	return rc;
}
