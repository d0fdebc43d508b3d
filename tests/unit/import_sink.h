/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the tests of the dataset readers (core/ingest/import*.c,
 * tests/unit/test_import_*.c): a sink that keeps copies of every pair and
 * error it is given, look-ups and checks over what it kept, and a private
 * temporary folder for files with raw hostile bytes. Every helper is static
 * inline so that a test file that uses only some of them compiles without
 * unused-function warnings.
 */
#ifndef MMDA_TESTS_IMPORT_SINK_H
#define MMDA_TESTS_IMPORT_SINK_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ingest/import.h"
#include "core/base/util.h"
#include "tests/harness.h"

#define FIX "tests/data/import/"

/* ---- the collecting sink ------------------------------------------------------- */

struct rec {
	char *source, *key, *image, *image_name, *text, *meta;
	long line;
	int key_is_id;
	unsigned char *data;
	size_t len;
};

struct err {
	char *source, *key, *reason;
	long line;
};

struct coll {
	struct rec *r;
	size_t nr;
	struct err *e;
	size_t ne;
	int strict;      /* error() asks to stop */
	size_t stop_at;  /* pair() asks to stop at this many pairs (0: never) */
};

static inline char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static inline int
on_pair(void *ctx, const struct import_record *rec)
{
	struct coll *c = ctx;
	c->r = xreallocarray(c->r, c->nr + 1, sizeof *c->r);
	struct rec *r = &c->r[c->nr++];
	memset(r, 0, sizeof *r);
	r->source = dup_or_null(rec->source);
	r->key = dup_or_null(rec->key);
	r->image = dup_or_null(rec->image);
	r->image_name = dup_or_null(rec->image_name);
	r->text = dup_or_null(rec->text);
	r->meta = dup_or_null(rec->meta);
	r->line = rec->line;
	r->key_is_id = rec->key_is_id;
	if (rec->image_data != NULL) {
		r->data = xmalloc(rec->image_len + 1);
		memcpy(r->data, rec->image_data, rec->image_len);
		r->len = rec->image_len;
	}
	return c->stop_at != 0 && c->nr >= c->stop_at;
}

static inline int
on_error(void *ctx, const char *source, long line, const char *key, const char *reason)
{
	struct coll *c = ctx;
	c->e = xreallocarray(c->e, c->ne + 1, sizeof *c->e);
	struct err *e = &c->e[c->ne++];
	e->source = dup_or_null(source);
	e->key = dup_or_null(key);
	e->reason = dup_or_null(reason);
	e->line = line;
	return c->strict;
}

static inline void
coll_free(struct coll *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct rec *r = &c->r[i];
		free(r->source);
		free(r->key);
		free(r->image);
		free(r->image_name);
		free(r->text);
		free(r->meta);
		free(r->data);
	}
	for (size_t i = 0; i < c->ne; i++) {
		free(c->e[i].source);
		free(c->e[i].key);
		free(c->e[i].reason);
	}
	free(c->r);
	free(c->e);
	memset(c, 0, sizeof *c);
}

/* Reads path into c; returns import_read's result, the cause freed (or kept). */
static inline int
read_into(const char *path, enum import_format f, struct coll *c, char **causep)
{
	struct import_sink sink = { on_pair, on_error, c };
	char *cause = NULL;
	int rc = import_read(path, f, &sink, &cause);
	if (causep != NULL)
		*causep = cause;
	else {
		if (cause != NULL)
			fprintf(stderr, "  cause: %s\n", cause);
		free(cause);
	}
	return rc;
}

/*
 * Reads path expecting a failure of the whole source, before any pair or
 * error: 1 when it failed so, with a cause holding frag (any cause when NULL).
 */
static inline int
read_fails(const char *path, enum import_format f, const char *frag)
{
	struct coll c = { 0 };
	char *cause = NULL;
	int rc = read_into(path, f, &c, &cause);
	int ok = rc == -1 && cause != NULL && (frag == NULL || strstr(cause, frag) != NULL) &&
	    c.nr == 0 && c.ne == 0;
	if (!ok)
		fprintf(stderr, "  %s: rc %d, %zu pairs, %zu errors, cause %s; want \"%s\"\n", path,
		    rc, c.nr, c.ne, cause ? cause : "(null)", frag ? frag : "");
	free(cause);
	coll_free(&c);
	return ok;
}

/* ---- checks over what the sink kept ------------------------------------------------ */

/* c holds nr pairs and ne errors (says what it holds when not). */
static inline int
counts_are(const struct coll *c, size_t nr, size_t ne)
{
	if (c->nr == nr && c->ne == ne)
		return 1;
	fprintf(stderr, "  %zu pairs %zu errors, want %zu and %zu\n", c->nr, c->ne, nr, ne);
	return 0;
}

/* Reads path into c, which must work and give nr pairs and ne errors. */
static inline void
expect_read(const char *path, enum import_format f, struct coll *c, size_t nr, size_t ne)
{
	CHECKF(read_into(path, f, c, NULL) == 0, "%s", path);
	CHECKF(counts_are(c, nr, ne), "%s", path);
}

static inline const struct rec *
find_rec(const struct coll *c, const char *key)
{
	for (size_t i = 0; i < c->nr; i++) {
		if (strcmp(c->r[i].key, key) == 0)
			return &c->r[i];
	}
	fprintf(stderr, "  no pair with key \"%s\"\n", key);
	return NULL;
}

static inline int
str_is(const char *what, const char *key, const char *have, const char *want)
{
	if (have != NULL && strcmp(have, want) == 0)
		return 1;
	fprintf(stderr, "  %s: %s \"%s\", want \"%s\"\n", key, what, have ? have : "(null)", want);
	return 0;
}

/* The pair with key exists and has caption text (and image, unless image is NULL). */
static inline int
pair_is(const struct coll *c, const char *key, const char *image, const char *text)
{
	const struct rec *r = find_rec(c, key);

	if (r == NULL)
		return 0;
	return (image == NULL || str_is("image", key, r->image, image)) &&
	    str_is("text", key, r->text, text);
}

/* The error at line (or with key, when line is 0) whose reason holds frag. */
static inline int
has_err(const struct coll *c, long line, const char *key, const char *frag)
{
	for (size_t i = 0; i < c->ne; i++) {
		const struct err *e = &c->e[i];
		if (line != 0 && e->line != line)
			continue;
		if (line == 0 && (key == NULL) != (e->key == NULL))
			continue;
		if (line == 0 && key != NULL && strcmp(e->key, key) != 0)
			continue;
		if (strstr(e->reason, frag) != NULL)
			return 1;
	}
	fprintf(stderr, "  no error at line %ld key %s with \"%s\"; errors:\n", line,
	    key ? key : "(null)", frag);
	for (size_t i = 0; i < c->ne; i++)
		fprintf(stderr, "    line %ld key %s: %s\n", c->e[i].line,
		    c->e[i].key ? c->e[i].key : "(null)", c->e[i].reason);
	return 0;
}

/* ---- counting, for the speed tests ------------------------------------------------- */

/* Slow tools (valgrind) get more time; the limit is for a plain build. */
static inline double
time_limit(void)
{
	const char *pre = getenv("LD_PRELOAD");
	if ((pre != NULL && strstr(pre, "vgpreload") != NULL) || getenv("MMDA_SLOW") != NULL)
		return 60.0;
	return 2.0;
}

static inline int
count_pair(void *ctx, const struct import_record *rec)
{
	(void)rec;
	(*(long *)ctx)++;
	return 0;
}

static inline int
count_error(void *ctx, const char *source, long line, const char *key, const char *reason)
{
	(void)ctx, (void)source, (void)line, (void)key, (void)reason;
	return 1;
}

/* Reads path counting pairs into *pairs (any error stops it); returns the seconds taken. */
static inline double
read_counting(const char *path, enum import_format f, long *pairs, int *rc, char **causep)
{
	struct import_sink sink = { count_pair, count_error, pairs };
	double t0 = now_mono_s();

	*pairs = 0;
	*rc = import_read(path, f, &sink, causep);
	return now_mono_s() - t0;
}

/* ---- the temporary folder ------------------------------------------------------------ */

static char *tmpdir __attribute__((unused));

static inline char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Opens name in the temporary folder for writing; *pathp gets its path (caller frees). */
static inline FILE *
tmp_open(const char *name, char **pathp)
{
	FILE *f;

	*pathp = tmp_path(name);
	f = fopen(*pathp, "wb");
	CHECKF(f != NULL, "cannot write %s", *pathp);
	return f;
}

static inline char *
write_tmp(const char *name, const void *data, size_t len)
{
	char *p = tmp_path(name);
	FILE *f = fopen(p, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len)
		fatal("cannot write %s", p);
	fclose(f);
	return p;
}

static inline char *
write_tmp_str(const char *name, const char *s)
{
	return write_tmp(name, s, strlen(s));
}

/* Names the suite and makes the temporary folder. */
static inline void
import_tests_begin(const char *suite)
{
	const char *base = getenv("TMPDIR");

	h_suite = suite;
	tmpdir = xasprintf("%s/mmda-import.XXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp %s failed", tmpdir);
}

/* Removes what the tests left in the temporary folder (one level deep), then the folder. */
static inline void
import_tests_end(void)
{
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = tmp_path(de->d_name);
		if (unlink(p) != 0)
			rmdir(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
}

#endif
