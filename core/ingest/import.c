/* SPDX-License-Identifier: MIT */
/*
 * The front of the dataset readers: format names, guessing a format from a
 * path, dispatching to the reader, and the small helpers every reader uses
 * to hand pairs and errors to the sink.
 */
#include "core/ingest/import.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ingest/import_priv.h"
#include "core/base/linereader.h"
#include "core/base/safefile.h"

/* Detection looks at this much of a file's start. */
#define IMPORT_PEEK (64 * 1024)

static const char *const import_names[] = {
	[IMPORT_AUTO] = "auto",
	[IMPORT_JSONL] = "jsonl",
	[IMPORT_CSV] = "csv",
	[IMPORT_COCO] = "coco",
	[IMPORT_LLAVA] = "llava",
	[IMPORT_DJ] = "dj",
	[IMPORT_WDS] = "wds",
	[IMPORT_DIR] = "dir",
	[IMPORT_SCIENCEQA] = "scienceqa",
};

const char *
import_format_name(enum import_format f)
{
	if ((unsigned)f >= sizeof import_names / sizeof import_names[0])
		return "unknown";
	return import_names[f];
}

int
import_format_parse(const char *name, enum import_format *out)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < sizeof import_names / sizeof import_names[0]; i++) {
		if (strcmp(name, import_names[i]) == 0) {
			*out = (enum import_format)i;
			return 0;
		}
	}
	if (strcmp(name, "json") == 0) {
		*out = IMPORT_JSONL;
		return 0;
	}
	if (strcmp(name, "tsv") == 0) {
		*out = IMPORT_CSV;
		return 0;
	}
	return -1;
}

int
imp_pair(struct imp *im, struct import_record *rec)
{
	rec->source = im->path;
	if (im->sink->pair(im->sink->ctx, rec) == 0)
		return 0;
	if (rec->line > 0)
		return cause_set(im->cause, "%s: import stopped at line %ld", im->path, rec->line);
	char *k = imp_printable(rec->key, strlen(rec->key));
	cause_set(im->cause, "%s: import stopped at %s", im->path, k);
	free(k);
	return -1;
}

int
imp_error(struct imp *im, long line, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	int stop = im->sink->error(im->sink->ctx, im->path, line, key, reason);
	if (stop != 0) {
		/* The sink has the details; the cause only says where it stopped. */
		if (line > 0)
			cause_set(im->cause, "%s: line %ld: %s", im->path, line, reason);
		else if (key != NULL) {
			char *k = imp_printable(key, strlen(key));
			cause_set(im->cause, "%s: %s: %s", im->path, k, reason);
			free(k);
		} else
			cause_set(im->cause, "%s: %s", im->path, reason);
	}
	free(reason);
	return stop != 0 ? -1 : 0;
}

char *
imp_printable(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		p[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	p[len] = '\0';
	return p;
}

char *
imp_key(const char *base, int k)
{
	if (k <= 1)
		return xstrdup(base);
	return xasprintf("%s#%d", base, k);
}

const char *
imp_memmem(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m == 0 || n < m)
		return NULL;
	const char *end = hay + n - m;
	for (const char *p = hay; p <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p) + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, m) == 0)
			return p;
	}
	return NULL;
}

int
imp_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' &&
		    *s != '\v')
			return 0;
	}
	return 1;
}

int
imp_is_image_name(const char *name)
{
	static const char *const exts[] = { "jpg", "jpeg", "png", "webp", "gif" };
	const char *dot = strrchr(name, '.');
	if (dot == NULL || dot == name)
		return 0;
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		if (strcasecmp(dot + 1, exts[i]) == 0)
			return 1;
	}
	return 0;
}

static int
has_ext(const char *path, const char *ext)
{
	size_t a = strlen(path), b = strlen(ext);
	return a > b && strcasecmp(path + a - b, ext) == 0;
}

ssize_t
imp_peek(const char *path, char *buf, size_t n, char **cause)
{
	int fd = file_open_regular(path, SIZE_MAX, NULL, cause);
	if (fd == -1)
		return -1;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			int e = errno;
			close(fd);
			return cause_set(cause, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (ssize_t)got;
}

/* Classifies one parsed JSON record (an object from a JSONL line or array). */
static enum import_format
detect_record(const cJSON *o)
{
	/* ScienceQA: {"ID": {"question": ..., "choices": [...], ...}, ...}. */
	const cJSON *first = cJSON_IsObject(o) ? o->child : NULL;
	if (cJSON_IsObject(first) && cJSON_GetObjectItemCaseSensitive(first, "question") &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(first, "choices")))
		return IMPORT_SCIENCEQA;
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "images")) &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "annotations")))
		return IMPORT_COCO;
	if (cJSON_GetObjectItemCaseSensitive(o, "conversations") != NULL)
		return IMPORT_LLAVA;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "text");
	if (cJSON_IsString(t) && strstr(t->valuestring, "<__dj__image>") != NULL)
		return IMPORT_DJ;
	/* A Data-Juicer record whose text has no token yet still lists "images". */
	if (cJSON_IsString(t) &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "images")) &&
	    json_first(o, json_image_fields, NULL) == NULL)
		return IMPORT_DJ;
	return IMPORT_JSONL;
}

/*
 * JSON-looking content. A one-line document (JSONL, or a COCO file written
 * without indentation) is classified by parsing its first line; a document
 * spread over lines is classified by the keys visible in the peek, and a
 * pretty-printed single object by a full parse.
 */
static enum import_format
detect_json(const char *path, const char *peek, size_t n, char **cause)
{
	const char *p = peek;
	while (p < peek + n && strchr(" \t\r\n", *p) != NULL && *p != '\0')
		p++;
	if (*p == '[') {
		if (imp_memmem(peek, n, "\"conversations\"") != NULL)
			return IMPORT_LLAVA;
		if (imp_memmem(peek, n, "<__dj__image>") != NULL)
			return IMPORT_DJ;
		return IMPORT_JSONL;
	}

	struct linereader *lr = linereader_open(path, IMPORT_LINE_MAX, cause);
	if (lr == NULL)
		return IMPORT_AUTO;
	char *line;
	size_t len;
	enum linereader_status st;
	for (;;) {
		st = linereader_next(lr, &line, &len, NULL);
		if (st != LINEREADER_LINE)
			break;
		if (linereader_lineno(lr) == 1 && str_starts(line, "\xef\xbb\xbf")) {
			line += 3;
			len -= 3;
		}
		if (!imp_blank(line))
			break;
	}
	enum import_format f = IMPORT_AUTO;
	if (st == LINEREADER_LINE) {
		char why[8];
		cJSON *o = json_parse(line, len, why, sizeof why);
		if (cJSON_IsObject(o))
			f = detect_record(o);
		cJSON_Delete(o);
	}
	linereader_close(lr);
	if (f != IMPORT_AUTO)
		return f;

	/* The first line is not a whole record. */
	int images = imp_memmem(peek, n, "\"images\"") != NULL;
	int annotations = imp_memmem(peek, n, "\"annotations\"") != NULL;
	if (imp_memmem(peek, n, "<__dj__image>") != NULL)
		return IMPORT_DJ;
	if (annotations || (images && st == LINEREADER_LONG))
		return IMPORT_COCO;
	char *data;
	size_t dlen;
	if (file_read_all(path, IMPORT_DOC_MAX, &data, &dlen, cause) != 0)
		return IMPORT_AUTO;
	char why[8];
	cJSON *doc = json_parse(data, dlen, why, sizeof why);
	free(data);
	if (doc == NULL)
		return IMPORT_JSONL; /* the reader reports the bad lines */
	f = cJSON_IsObject(doc) ? detect_record(doc) : IMPORT_JSONL;
	cJSON_Delete(doc);
	if (f != IMPORT_COCO && f != IMPORT_SCIENCEQA) {
		cause_set(cause, "%s: one JSON object over several lines, not a COCO file "
		    "(no \"images\" and \"annotations\")", path);
		return IMPORT_AUTO;
	}
	return f;
}

/* Text that is not JSON: a CSV/TSV header naming an image column. */
static int
looks_like_csv(const char *peek, size_t n)
{
	static const char *const cols[] = { "file_name", "image", "filepath", "path",
		"filename", "url" };
	const char *nl = memchr(peek, '\n', n);
	size_t hl = nl != NULL ? (size_t)(nl - peek) : n;
	char *head = xstrndup(peek, hl);
	for (char *c = head; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	int yes = 0;
	if (strpbrk(head, ",\t") != NULL) {
		for (size_t i = 0; i < sizeof cols / sizeof cols[0] && !yes; i++)
			yes = strstr(head, cols[i]) != NULL;
	}
	free(head);
	return yes;
}

enum import_format
import_detect(const char *path, char **cause)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		return IMPORT_AUTO;
	}
	if (S_ISDIR(st.st_mode))
		return IMPORT_DIR;
	if (!S_ISREG(st.st_mode)) {
		cause_set(cause, "%s: not a regular file or folder", path);
		return IMPORT_AUTO;
	}
	if (has_ext(path, ".tar"))
		return IMPORT_WDS;
	if (has_ext(path, ".csv") || has_ext(path, ".tsv"))
		return IMPORT_CSV;

	char *peek = xmalloc(IMPORT_PEEK + 1);
	ssize_t n = imp_peek(path, peek, IMPORT_PEEK, cause);
	enum import_format f = IMPORT_AUTO;
	if (n < 0)
		goto out;
	peek[n] = '\0';
	if (n >= 512 && memcmp(peek + 257, "ustar", 5) == 0) {
		f = IMPORT_WDS;
		goto out;
	}
	size_t off = n >= 3 && memcmp(peek, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	size_t i = off;
	while (i < (size_t)n && strchr(" \t\r\n", peek[i]) != NULL && peek[i] != '\0')
		i++;
	if (n == 0 || i == (size_t)n)
		cause_set(cause, "%s: empty file", path);
	else if (peek[i] == '{' || peek[i] == '[')
		f = detect_json(path, peek + off, (size_t)n - off, cause);
	else if (n >= 2 && (unsigned char)peek[0] == 0x1f && (unsigned char)peek[1] == 0x8b)
		cause_set(cause, "%s: a gzip-compressed file; unpack it first", path);
	else if (looks_like_csv(peek + off, (size_t)n - off))
		f = IMPORT_CSV;
	else {
		char *start = imp_printable(peek + i, (size_t)n - i < 16 ? (size_t)n - i : 16);
		cause_set(cause, "%s: unknown format (not JSON, CSV with a header, a tar "
		    "shard or a folder; starts with '%s')", path, start);
		free(start);
	}
out:
	free(peek);
	return f;
}

int
import_read(const char *path, enum import_format fmt, const struct import_sink *sink,
    char **cause)
{
	if (fmt == IMPORT_AUTO) {
		fmt = import_detect(path, cause);
		if (fmt == IMPORT_AUTO)
			return cause_set(cause, "%s: cannot tell the format", path);
	}
	struct imp im = { .path = path, .sink = sink, .cause = cause };
	switch (fmt) {
	case IMPORT_JSONL:
		return import_jsonl(&im);
	case IMPORT_CSV:
		return import_csv(&im);
	case IMPORT_COCO:
		return import_coco(&im);
	case IMPORT_LLAVA:
		return import_llava(&im);
	case IMPORT_DJ:
		return import_dj(&im);
	case IMPORT_WDS:
		return import_wds(&im);
	case IMPORT_DIR:
		return import_dir(&im);
	case IMPORT_SCIENCEQA:
		return import_scienceqa(&im);
	case IMPORT_AUTO:
		break;
	}
	return cause_set(cause, "%s: unknown format %d", path, (int)fmt);
}
