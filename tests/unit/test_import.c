/* SPDX-License-Identifier: MIT */
/*
 * Tests for the dataset readers (core/import*.c) against the fixtures in
 * tests/data/import/ (see make-tar-fixtures.py for the shards) and against
 * files with raw hostile bytes that the tests write to a temporary folder.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/import.h"
#include "core/util.h"
#include "tests/harness.h"

#define FIX "tests/data/import/"

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

static char *tmpdir;

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
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

static int
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

static void
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
static int
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

static const struct rec *
find_rec(const struct coll *c, const char *key)
{
	for (size_t i = 0; i < c->nr; i++) {
		if (strcmp(c->r[i].key, key) == 0)
			return &c->r[i];
	}
	fprintf(stderr, "  no pair with key \"%s\"\n", key);
	return NULL;
}

/* The error at line (or with key, when line is 0) whose reason holds frag. */
static int
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

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *
write_tmp(const char *name, const void *data, size_t len)
{
	char *p = tmp_path(name);
	FILE *f = fopen(p, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len)
		fatal("cannot write %s", p);
	fclose(f);
	return p;
}

static char *
write_tmp_str(const char *name, const char *s)
{
	return write_tmp(name, s, strlen(s));
}

static void
test_names(void)
{
	static const char *const names[] = { "auto", "jsonl", "csv", "coco", "llava", "dj",
		"wds", "dir" };
	for (int i = 0; i < 8; i++) {
		enum import_format f = (enum import_format)99;
		CHECK(import_format_parse(names[i], &f) == 0);
		CHECK(f == (enum import_format)i);
		CHECK_STR(import_format_name(f), names[i]);
	}
	enum import_format f = IMPORT_AUTO;
	CHECK(import_format_parse("json", &f) == 0 && f == IMPORT_JSONL);
	CHECK(import_format_parse("tsv", &f) == 0 && f == IMPORT_CSV);
	CHECK(import_format_parse("parquet", &f) == -1);
	CHECK(import_format_parse("", &f) == -1);
	CHECK(import_format_parse("JSONL", &f) == -1);
}

static void
test_sample_set(void)
{
	struct coll c = { 0 };
	CHECK(read_into("tests/data/sample/captions.jsonl", IMPORT_AUTO, &c, NULL) == 0);
	CHECK(c.nr == 17);
	CHECK(c.ne == 0);
	const struct rec *r = find_rec(&c, "chelsea-2");
	CHECK(r != NULL && r->key_is_id == 1 && r->line == 4);
	if (r != NULL) {
		CHECK_STR(r->image, "images/chelsea.png");
		CHECK_STR(r->text, "一只绿眼睛的虎斑猫的特写。");
		CHECK_STR(r->source, "tests/data/sample/captions.jsonl");
		CHECK(r->meta == NULL && r->data == NULL && r->image_name == NULL);
	}
	coll_free(&c);
}

static void
test_jsonl_mixed(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "mixed.jsonl", IMPORT_JSONL, &c, NULL) == 0);
	CHECKF(c.nr == 11, "%zu pairs", c.nr);
	CHECKF(c.ne == 13, "%zu errors", c.ne);
	const struct rec *r = find_rec(&c, "m1");
	CHECK(r != NULL && r->line == 1 && r->key_is_id == 1); /* BOM on line 1 */
	CHECK((r = find_rec(&c, "m3")) != NULL && r->line == 4);
	if (r != NULL)
		CHECK_STR(r->image, "images/c.jpg");
	CHECK((r = find_rec(&c, "m9")) != NULL && r->line == 11);
	if (r != NULL)
		CHECK_STR(r->image, "../../etc/passwd");
	CHECK((r = find_rec(&c, "m10")) != NULL);
	if (r != NULL)
		CHECK_STR(r->text, "\x1b[2J\x1b[31mred\x1b[0m");
	CHECK((r = find_rec(&c, "m11")) != NULL);
	if (r != NULL)
		CHECK_STR(r->text, "literal \\u0000 is text");
	CHECK((r = find_rec(&c, "12")) != NULL);
	if (r != NULL) {
		CHECK_STR(r->text, "猫が寝ている 🐈 emoji");
		CHECK(r->key_is_id == 1);
	}
	CHECK((r = find_rec(&c, "m14")) != NULL && r->line == 18);
	if (r != NULL)
		CHECK_STR(r->text, "one");
	CHECK((r = find_rec(&c, "m14#3")) != NULL && r->line == 18);
	if (r != NULL)
		CHECK_STR(r->text, "three");
	CHECK((r = find_rec(&c, "m15")) != NULL && r->line == 19);
	CHECK((r = find_rec(&c, "m17")) != NULL && r->line == 21);
	CHECK((r = find_rec(&c, "m18")) != NULL && r->line == 22);
	if (r != NULL)
		CHECK_STR(r->image, "/abs/p.jpg");
	CHECK(has_err(&c, 3, NULL, "invalid JSON: ends too early"));
	CHECK(has_err(&c, 5, NULL, "not a JSON object"));
	CHECK(has_err(&c, 6, NULL, "no image field"));
	CHECK(has_err(&c, 7, NULL, "no caption field"));
	CHECK(has_err(&c, 8, NULL, "image field \"file_name\" is not a string"));
	CHECK(has_err(&c, 9, NULL, "empty caption"));
	CHECK(has_err(&c, 10, NULL, "caption contains a NUL character"));
	CHECK(has_err(&c, 15, NULL, "id is not"));
	CHECK(has_err(&c, 16, NULL, "invalid JSON at column 1 near 'this line"));
	CHECK(has_err(&c, 17, NULL, "invalid JSON at column 72 near 'x'"));
	CHECK(has_err(&c, 0, "m14#2", "caption 2 is not a string"));
	CHECK(has_err(&c, 0, "m14#4", "empty caption"));
	CHECK(has_err(&c, 20, NULL, "empty caption list"));
	CHECK(has_err(&c, 0, "m8", "NUL"));
	for (size_t i = 0; i < c.ne; i++) {
		if (c.e[i].line == 18)
			CHECK(c.e[i].key != NULL && str_starts(c.e[i].key, "m14#"));
		if (c.e[i].line == 3 || c.e[i].line == 16)
			CHECK(c.e[i].key == NULL);
	}
	for (size_t i = 0; i < c.ne; i++)
		CHECK_STR(c.e[i].source, FIX "mixed.jsonl");
	coll_free(&c);
}

static void
test_jsonl_caption_lists(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "captions-list.jsonl", IMPORT_AUTO, &c, NULL) == 0);
	CHECK(c.nr == 5 && c.ne == 0);
	if (c.nr == 5) {
		const char *keys[] = { "x.jpg", "y.jpg", "y.jpg#2", "y.jpg#3", "x.jpg" };
		const char *texts[] = { "Only caption.", "First.", "Second.", "Third.",
			"Second record for x." };
		for (size_t i = 0; i < 5; i++) {
			CHECK_STR(c.r[i].key, keys[i]);
			CHECK_STR(c.r[i].text, texts[i]);
			CHECK(c.r[i].key_is_id == 0);
		}
		CHECK_STR(c.r[3].image, "y.jpg");
		CHECK(c.r[3].line == 2);
	}
	coll_free(&c);
}

static void
test_json_array(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "array.json", IMPORT_AUTO, &c, NULL) == 0);
	CHECK(c.nr == 2 && c.ne == 2);
	const struct rec *r = find_rec(&c, "a1");
	CHECK(r != NULL && r->line == 0 && r->key_is_id == 1);
	CHECK((r = find_rec(&c, "three.jpg")) != NULL && r->key_is_id == 0);
	if (r != NULL)
		CHECK_STR(r->text, "Third, no id.");
	CHECK(has_err(&c, 0, "[1]", "not a JSON object"));
	CHECK(has_err(&c, 0, "a4", "no image field"));

	/* A broken array stops the whole source, naming where. */
	char *p = write_tmp_str("broken.json",
	    "[\n {\"id\": 1, \"file_name\": \"a\",\n  \"text\": }\n]\n");
	char *cause = NULL;
	struct coll d = { 0 };
	CHECK(read_into(p, IMPORT_JSONL, &d, &cause) == -1);
	CHECKF(cause != NULL && strstr(cause, p) == cause && strstr(cause, "line 3") != NULL,
	    "%s", cause ? cause : "(null)");
	CHECK(d.nr == 0);
	free(cause);
	coll_free(&d);
	free(p);
	coll_free(&c);
}

/* Raw bytes that must pass through untouched, and the ones that must not. */
static void
test_jsonl_hostile_bytes(void)
{
	static const char data[] =
	    "\xef\xbb\xbf{\"id\": \"esc\", \"file_name\": \"a.jpg\", "
	    "\"text\": \"raw \x1b[2J\x1b]0;title\x07 end\"}\r\n"
	    "{\"id\": \"latin1\", \"file_name\": \"caf\xe9.jpg\", "
	    "\"text\": \"na\xefve caf\xe9\"}\r\n"
	    "{\"id\": \"nul\", \"file_name\": \"b.jpg\", \"text\": \"raw \0 byte\"}\n"
	    "{\"id\": \"crlf\", \"file_name\": \"c.jpg\", \"text\": \"ok\"}\r\n"
	    "{\"id\": \"nulimg\", \"file_name\": \"x.jpg\\u0000../../etc/passwd\", "
	    "\"text\": \"t\"}\n"
	    "{\"id\": \"nulid\\u0000x\", \"file_name\": \"y.jpg\", \"text\": \"t\"}\n";
	char *p = write_tmp("hostile.jsonl", data, sizeof data - 1);
	struct coll c = { 0 };
	CHECK(read_into(p, IMPORT_JSONL, &c, NULL) == 0);
	CHECKF(c.nr == 3 && c.ne == 3, "%zu pairs %zu errors", c.nr, c.ne);
	const struct rec *r = find_rec(&c, "esc");
	if (r != NULL)
		CHECK_STR(r->text, "raw \x1b[2J\x1b]0;title\x07 end");
	if ((r = find_rec(&c, "latin1")) != NULL) {
		CHECK_STR(r->text, "na\xefve caf\xe9");
		CHECK_STR(r->image, "caf\xe9.jpg");
	}
	CHECK(find_rec(&c, "crlf") != NULL);
	CHECK(has_err(&c, 3, NULL, "NUL byte"));
	CHECK(has_err(&c, 5, NULL, "image path contains a NUL"));
	CHECK(has_err(&c, 6, NULL, "id contains a NUL"));
	coll_free(&c);
	free(p);
}

static void
test_jsonl_long_lines(void)
{
	/* A 3000-word caption is an ordinary line. */
	size_t cap = 3000 * 9;
	char *words = xmalloc(cap + 1), *w = words;
	for (int i = 0; i < 3000; i++)
		w += sprintf(w, "%s%s", i ? " " : "", i % 2 ? "lorem" : "ipsum");
	char *line = xasprintf("{\"id\": \"long\", \"file_name\": \"l.jpg\", \"text\": \"%s\"}\n",
	    words);
	char *p = write_tmp_str("long.jsonl", line);
	struct coll c = { 0 };
	CHECK(read_into(p, IMPORT_JSONL, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 0);
	if (c.nr == 1)
		CHECK_STR(c.r[0].text, words);
	coll_free(&c);
	free(p);
	free(line);
	free(words);

	/* Over 16 MiB: reported, and the next line is read normally. */
	size_t big = ((size_t)16 << 20) + 100;
	char *huge = xmalloc(big + 300);
	size_t n = (size_t)sprintf(huge,
	    "{\"id\": \"a\", \"file_name\": \"a.jpg\", \"text\": \"A\"}\n"
	    "{\"id\": \"big\", \"file_name\": \"b.jpg\", \"text\": \"");
	memset(huge + n, 'x', big);
	n += big;
	n += (size_t)sprintf(huge + n,
	    "\"}\n{\"id\": \"c\", \"file_name\": \"c.jpg\", \"text\": \"C\"}\n");
	p = write_tmp("huge.jsonl", huge, n);
	CHECK(read_into(p, IMPORT_JSONL, &c, NULL) == 0);
	CHECK(c.nr == 2 && c.ne == 1);
	CHECK(has_err(&c, 2, NULL, "line too long"));
	CHECK(find_rec(&c, "c") != NULL && find_rec(&c, "c")->line == 3);
	coll_free(&c);
	free(huge);
	free(p);

	/* Just under the limit still passes. */
	big = ((size_t)16 << 20) - 200;
	huge = xmalloc(big + 300);
	n = (size_t)sprintf(huge, "{\"id\": \"edge\", \"file_name\": \"e.jpg\", \"text\": \"");
	memset(huge + n, 'y', big);
	n += big;
	n += (size_t)sprintf(huge + n, "\"}\r\n");
	p = write_tmp("edge.jsonl", huge, n);
	CHECK(read_into(p, IMPORT_JSONL, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 0);
	if (c.nr == 1)
		CHECK(strlen(c.r[0].text) == big);
	coll_free(&c);
	free(huge);
	free(p);
}

/* Slow tools (valgrind) get more time; the limit is for a plain build. */
static double
time_limit(void)
{
	const char *pre = getenv("LD_PRELOAD");
	if ((pre != NULL && strstr(pre, "vgpreload") != NULL) || getenv("MMDA_SLOW") != NULL)
		return 60.0;
	return 2.0;
}

static int
count_pair(void *ctx, const struct import_record *rec)
{
	(void)rec;
	(*(long *)ctx)++;
	return 0;
}

static int
count_error(void *ctx, const char *source, long line, const char *key, const char *reason)
{
	(void)ctx, (void)source, (void)line, (void)key, (void)reason;
	return 1;
}

static void
test_jsonl_speed(void)
{
	char *p = tmp_path("200k.jsonl");
	FILE *f = fopen(p, "wb");
	CHECK(f != NULL);
	if (f == NULL) {
		free(p);
		return;
	}
	for (long i = 0; i < 200000; i++)
		fprintf(f, "{\"id\": \"%06ld\", \"file_name\": \"images/%06ld.jpg\", \"text\": "
		    "\"A photo number %ld of a small dog running across a green field on a "
		    "sunny afternoon.\"}\n", i, i, i);
	fclose(f);
	long pairs = 0;
	struct import_sink sink = { count_pair, count_error, &pairs };
	char *cause = NULL;
	double t0 = now_mono_s();
	int rc = import_read(p, IMPORT_AUTO, &sink, &cause);
	double dt = now_mono_s() - t0;
	printf("# import: 200000 JSONL lines in %.3f s (%.0f lines/s)\n", dt,
	    dt > 0 ? 200000 / dt : 0.0);
	CHECK(rc == 0 && cause == NULL);
	CHECK(pairs == 200000);
	CHECKF(dt < time_limit(), "took %.3f s", dt);
	free(cause);
	unlink(p);
	free(p);
}

static void
test_csv(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "quoted.csv", IMPORT_AUTO, &c, NULL) == 0);
	CHECKF(c.nr == 6 && c.ne == 6, "%zu pairs %zu errors", c.nr, c.ne);
	const struct rec *r;
	if ((r = find_rec(&c, "c1")) != NULL) {
		CHECK_STR(r->text, "A caption, with a comma");
		CHECK(r->line == 2 && r->key_is_id == 1);
		CHECK_STR(r->image, "images/a.jpg");
	}
	if ((r = find_rec(&c, "c2")) != NULL)
		CHECK_STR(r->text, "He said \"hi\" twice");
	if ((r = find_rec(&c, "c3")) != NULL) {
		CHECK_STR(r->text, "Line one\nline two\nline three");
		CHECK(r->line == 4);
	}
	CHECK((r = find_rec(&c, "c4")) != NULL && r->line == 7);
	CHECK((r = find_rec(&c, "images/j.jpg")) != NULL && r->key_is_id == 0 && r->line == 13);
	if ((r = find_rec(&c, "c11")) != NULL) {
		CHECK_STR(r->image, "../../etc/passwd");
		CHECK(r->line == 15);
	}
	CHECK(has_err(&c, 8, NULL, "expected 4 fields, found 5"));
	CHECK(has_err(&c, 9, NULL, "expected 4 fields, found 3"));
	CHECK(has_err(&c, 10, NULL, "empty image"));
	CHECK(has_err(&c, 11, NULL, "empty caption"));
	CHECK(has_err(&c, 12, NULL, "after a closing quote"));
	CHECK(has_err(&c, 16, NULL, "unterminated quote"));
	coll_free(&c);
}

static void
test_csv_crlf_bom_nul(void)
{
	static const char data[] =
	    "\xef\xbb\xbf" "image,text\r\n"
	    "a.jpg,\"two\r\nlines\"\r\n"
	    "b.jpg,nul \0 inside\r\n"
	    "c.jpg,\"quoted nul \0\"\r\n"
	    "d.jpg,caf\xe9 \x1b[2J\r\n";
	char *p = write_tmp("crlf.csv", data, sizeof data - 1);
	struct coll c = { 0 };
	CHECK(read_into(p, IMPORT_AUTO, &c, NULL) == 0);
	CHECKF(c.nr == 2 && c.ne == 2, "%zu pairs %zu errors", c.nr, c.ne);
	const struct rec *r;
	if ((r = find_rec(&c, "a.jpg")) != NULL) {
		CHECK_STR(r->text, "two\nlines");
		CHECK(r->line == 2 && r->key_is_id == 0);
	}
	if ((r = find_rec(&c, "d.jpg")) != NULL) {
		CHECK_STR(r->text, "caf\xe9 \x1b[2J");
		CHECK(r->line == 6);
	}
	CHECK(has_err(&c, 4, NULL, "NUL byte"));
	CHECK(has_err(&c, 5, NULL, "NUL byte"));
	coll_free(&c);
	free(p);
}

static void
test_tsv(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "data.tsv", IMPORT_CSV, &c, NULL) == 0);
	CHECK(c.nr == 2 && c.ne == 1);
	const struct rec *r;
	if ((r = find_rec(&c, "t1")) != NULL) {
		CHECK_STR(r->text, "A \"quoted\" word stays literal");
		CHECK_STR(r->image, "http://x/1.jpg");
	}
	if ((r = find_rec(&c, "t2")) != NULL)
		CHECK_STR(r->text, "comma, in tsv");
	CHECK(has_err(&c, 4, NULL, "expected 3 fields, found 2"));
	coll_free(&c);
}

static void
test_csv_whole_source_failures(void)
{
	struct coll c = { 0 };
	char *cause = NULL;
	CHECK(read_into(FIX "nocol.csv", IMPORT_CSV, &c, &cause) == -1);
	CHECKF(cause != NULL && strstr(cause, FIX "nocol.csv: no image column") == cause &&
	    strstr(cause, "\"name\", \"description\"") != NULL, "%s", cause ? cause : "");
	free(cause);
	cause = NULL;
	char *p = write_tmp_str("notext.csv", "file_name,label\na.jpg,3\n");
	CHECK(read_into(p, IMPORT_CSV, &c, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "no caption column") != NULL);
	free(cause);
	free(p);
	cause = NULL;
	p = write_tmp_str("empty.csv", "");
	CHECK(read_into(p, IMPORT_CSV, &c, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "empty file") != NULL);
	CHECK(c.nr == 0 && c.ne == 0);
	free(cause);
	free(p);
	coll_free(&c);
}

static void
test_coco(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "coco.json", IMPORT_AUTO, &c, NULL) == 0);
	CHECKF(c.nr == 4 && c.ne == 6, "%zu pairs %zu errors", c.nr, c.ne);
	const struct rec *r;
	if ((r = find_rec(&c, "101")) != NULL) {
		CHECK_STR(r->image, "000000000001.jpg");
		CHECK_STR(r->text, "A man riding a horse.");
		CHECK_STR(r->meta, "{\"coco_image_id\":1}");
		CHECK(r->key_is_id == 1 && r->line == 0);
	}
	if ((r = find_rec(&c, "102")) != NULL)
		CHECK_STR(r->image, "000000000001.jpg");
	CHECK(find_rec(&c, "103") != NULL);
	if ((r = find_rec(&c, "106")) != NULL)
		CHECK_STR(r->image, "dup.jpg");
	CHECK(has_err(&c, 0, "104", "unknown image_id 99"));
	CHECK(has_err(&c, 0, "105", "missing caption"));
	CHECK(has_err(&c, 0, "107", "empty caption"));
	CHECK(has_err(&c, 0, "108", "NUL"));
	CHECK(has_err(&c, 0, "images[3]", "duplicate image id 3"));
	CHECK(has_err(&c, 0, "images[4]", "no file_name"));
	coll_free(&c);

	CHECK(read_into(FIX "coco-oneline.json", IMPORT_AUTO, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 0);
	if (c.nr == 1) {
		CHECK_STR(c.r[0].key, "s1");
		CHECK_STR(c.r[0].image, "seven.jpg");
	}
	coll_free(&c);

	char *cause = NULL;
	CHECK(read_into(FIX "array.json", IMPORT_COCO, &c, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "not a COCO captions file") != NULL);
	free(cause);
	coll_free(&c);
}

/* A COCO file big enough that "annotations" lies past the detection peek. */
static void
test_coco_big(void)
{
	char *p = tmp_path("big-coco.json");
	FILE *f = fopen(p, "wb");
	CHECK(f != NULL);
	if (f == NULL) {
		free(p);
		return;
	}
	fprintf(f, "{\n  \"info\": {},\n  \"images\": [\n");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "    {\"id\": %d, \"file_name\": \"%012d.jpg\"}%s\n", i, i,
		    i < 19999 ? "," : "");
	fprintf(f, "  ],\n  \"annotations\": [\n");
	for (int i = 0; i < 100000; i++)
		fprintf(f, "    {\"id\": %d, \"image_id\": %d, \"caption\": \"Caption %d.\"}%s\n",
		    1000000 + i, (i * 7) % 20000, i, i < 99999 ? "," : "");
	fprintf(f, "  ]\n}\n");
	fclose(f);
	char *cause = NULL;
	CHECK(import_detect(p, &cause) == IMPORT_COCO);
	free(cause);
	long pairs = 0;
	struct import_sink sink = { count_pair, count_error, &pairs };
	double t0 = now_mono_s();
	CHECK(import_read(p, IMPORT_COCO, &sink, NULL) == 0);
	double dt = now_mono_s() - t0;
	printf("# import: COCO with 20000 images and 100000 captions in %.3f s\n", dt);
	CHECK(pairs == 100000);
	CHECKF(dt < time_limit(), "took %.3f s", dt);
	unlink(p);
	free(p);
}

static void
test_llava(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "llava.json", IMPORT_AUTO, &c, NULL) == 0);
	CHECK(c.nr == 2 && c.ne == 2);
	const struct rec *r;
	if ((r = find_rec(&c, "000000033471")) != NULL) {
		CHECK_STR(r->image, "coco/train2017/000000033471.jpg");
		CHECK_STR(r->text, "The bus in the image is white and red.");
		CHECK(r->key_is_id == 1);
		cJSON *m = r->meta != NULL ? cJSON_Parse(r->meta) : NULL;
		cJSON *conv = cJSON_GetObjectItemCaseSensitive(m, "conversations");
		CHECK(cJSON_GetArraySize(conv) == 4);
		cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(conv, 0), "value");
		CHECK(cJSON_IsString(v) && strcmp(v->valuestring,
		    "<image>\nWhat are the colors of the bus in the image?") == 0);
		CHECK(r->meta != NULL && strchr(r->meta, '\n') == NULL); /* unformatted */
		cJSON_Delete(m);
	}
	if ((r = find_rec(&c, "42")) != NULL)
		CHECK_STR(r->text, "A detailed \"quoted\" description\nover two lines.");
	CHECK(has_err(&c, 0, "text-only-1", "no image: text-only conversation"));
	CHECK(has_err(&c, 0, "no-gpt", "no \"gpt\" turn"));
	coll_free(&c);

	CHECK(read_into(FIX "llava.jsonl", IMPORT_AUTO, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 1);
	CHECK(has_err(&c, 2, NULL, "text-only"));
	coll_free(&c);
}

static void
test_dj(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "dj.jsonl", IMPORT_AUTO, &c, NULL) == 0);
	CHECKF(c.nr == 5 && c.ne == 3, "%zu pairs %zu errors", c.nr, c.ne);
	const struct rec *r;
	if ((r = find_rec(&c, "d1")) != NULL) {
		CHECK_STR(r->image, "cat.jpg");
		CHECK_STR(r->text, "A cat on a sofa.");
		CHECK(r->key_is_id == 1 && r->line == 1);
	}
	if ((r = find_rec(&c, "d1#2")) != NULL) {
		CHECK_STR(r->image, "dog.jpg");
		CHECK_STR(r->text, "A dog in the park.");
	}
	if ((r = find_rec(&c, "d2")) != NULL) {
		CHECK_STR(r->image, "b1.jpg");
		CHECK_STR(r->text, "Two views of one bridge.");
	}
	if ((r = find_rec(&c, "d2#2")) != NULL) {
		CHECK_STR(r->image, "b2.jpg");
		CHECK_STR(r->text, "Two views of one bridge.");
	}
	if ((r = find_rec(&c, "mid.jpg")) != NULL) {
		CHECK_STR(r->text, "Before after the token.");
		CHECK(r->key_is_id == 0);
	}
	CHECK(has_err(&c, 3, NULL, "1 <__dj__image> tokens but 2 images"));
	CHECK(has_err(&c, 5, NULL, "no <__dj__image> token"));
	CHECK(has_err(&c, 6, NULL, "empty caption"));
	coll_free(&c);
}

static int
data_is(const struct rec *r, const char *bytes)
{
	return r != NULL && r->data != NULL && r->len == strlen(bytes) &&
	    memcmp(r->data, bytes, r->len) == 0;
}

#define LONG_DIR "a-very-long-folder-name-for-testing-gnu-long-names/" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static void
test_wds(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "wds/gnu.tar", IMPORT_AUTO, &c, NULL) == 0);
	CHECKF(c.nr == 5 && c.ne == 2, "%zu pairs %zu errors", c.nr, c.ne);
	const struct rec *r;
	if ((r = find_rec(&c, "samples/000001")) != NULL) {
		CHECK_STR(r->text, "A red bicycle leaning on a wall.");
		CHECK(data_is(r, "\xff\xd8\xff JPEG-000001"));
		CHECK_STR(r->image_name, "gnu.tar/samples/000001.jpg");
		CHECK(r->image == NULL && r->key_is_id == 1 && r->line == 0);
	}
	if ((r = find_rec(&c, "samples/000002")) != NULL) {
		CHECK_STR(r->text, "Two dogs on a beach.");
		CHECK(data_is(r, "\x89PNG PNG-000002"));
	}
	if ((r = find_rec(&c, LONG_DIR "/000003")) != NULL) {
		CHECK_STR(r->text, "A sample with a long member name.");
		CHECK_STR(r->image_name, "gnu.tar/" LONG_DIR "/000003.jpg");
	}
	if ((r = find_rec(&c, "samples/000006")) != NULL) {
		CHECK_STR(r->text, "A kite in a blue sky.\x1b[2J");
		CHECK(data_is(r, "RIFF WEBP-000006"));
	}
	if ((r = find_rec(&c, "samples/000007")) != NULL)
		CHECK_STR(r->text, "\x1b[31mred\x1b[0m text \xe9t\xe9");
	CHECK(has_err(&c, 0, "samples/000004", "no caption"));
	CHECK(has_err(&c, 0, "samples/000005", "no image"));
	coll_free(&c);

	CHECK(read_into(FIX "wds/pax.tar", IMPORT_WDS, &c, NULL) == 0);
	CHECKF(c.nr == 2 && c.ne == 2, "%zu pairs %zu errors", c.nr, c.ne);
	if ((r = find_rec(&c, LONG_DIR "/pax/000010")) != NULL)
		CHECK(data_is(r, "\xff\xd8\xff JPEG-000010"));
	if ((r = find_rec(&c, "pax/caf\xc3\xa9/000012")) != NULL) {
		CHECK_STR(r->text, "\xe7\x8c\xab and \xf0\x9f\x98\x80");
		CHECK_STR(r->image_name, "pax.tar/pax/caf\xc3\xa9/000012.gif");
	}
	CHECK(has_err(&c, 0, "pax/000011", "NUL"));
	CHECK(has_err(&c, 0, "pax/000013", "NUL"));
	coll_free(&c);

	CHECK(read_into(FIX "wds/ustar.tar", IMPORT_WDS, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 0);
	if (c.nr == 1)
		CHECK(strlen(c.r[0].image_name) > 100 && str_ends(c.r[0].image_name,
		    "qqqq/000020.jpeg") && str_starts(c.r[0].image_name, "ustar.tar/prefix-folder-"));
	coll_free(&c);

	/* The ustar size field says 0; the pax size record is what counts. */
	CHECK(read_into(FIX "wds/paxsize.tar", IMPORT_WDS, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 0);
	CHECK(data_is(find_rec(&c, "ps/000030"), "\xff\xd8\xff JPEG-000030 sized by pax"));
	coll_free(&c);

	CHECK(read_into(FIX "wds/base256.tar", IMPORT_WDS, &c, NULL) == 0);
	CHECK(c.nr == 5 && c.ne == 2);
	CHECK(data_is(find_rec(&c, "samples/000001"), "\xff\xd8\xff JPEG-000001"));
	coll_free(&c);
}

static void
test_wds_damaged(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "wds/truncated.tar", IMPORT_WDS, &c, NULL) == 0);
	CHECKF(c.nr == 3 && c.ne == 1, "%zu pairs %zu errors", c.nr, c.ne);
	CHECK(find_rec(&c, LONG_DIR "/000003") != NULL);
	CHECK(has_err(&c, 0, "samples/000004.jpg", "truncated archive"));
	coll_free(&c);

	CHECK(read_into(FIX "wds/badsum.tar", IMPORT_WDS, &c, NULL) == 0);
	CHECKF(c.nr == 3 && c.ne == 1, "%zu pairs %zu errors", c.nr, c.ne);
	CHECK(find_rec(&c, LONG_DIR "/000003") != NULL);
	CHECK(has_err(&c, 0, "samples/000004.jpg", "bad header checksum"));
	coll_free(&c);

	/* Cut right after a whole member: no end-of-archive blocks. */
	char *data;
	size_t len;
	CHECK(file_read_all(FIX "wds/ustar.tar", 1 << 20, &data, &len, NULL) == 0);
	char *p = write_tmp("noend.tar", data, 512 * 4);
	CHECK(read_into(p, IMPORT_WDS, &c, NULL) == 0);
	CHECK(c.nr == 1 && c.ne == 1);
	CHECK(has_err(&c, 0, NULL, "no end-of-archive"));
	coll_free(&c);
	free(p);
	/* Not a tar at all. */
	memset(data, 'z', 1024);
	p = write_tmp("junk.tar", data, 1024);
	CHECK(read_into(p, IMPORT_WDS, &c, NULL) == 0);
	CHECK(c.nr == 0 && c.ne == 1 && has_err(&c, 0, "zzzz" "zzzz" "zzzz" "zzzz" "zzzz"
	    "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz"
	    "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz" "zzzz", "checksum"));
	coll_free(&c);
	free(p);
	free(data);
}

static void
test_dir(void)
{
	struct coll c = { 0 };
	CHECK(read_into(FIX "dir", IMPORT_AUTO, &c, NULL) == 0);
	CHECKF(c.nr == 7 && c.ne == 2, "%zu pairs %zu errors", c.nr, c.ne);
	static const char *const keys[] = { "UPPER.JPG", "a-b.jpg", "a.jpg", "sub/b.png",
		"sub/b.png#2", "sub/b.png#3", "sub/deeper/c.webp" };
	static const char *const texts[] = { "Upper-case extension.", "Dash sorts before dot.",
		"A single caption.", "First line.", "Second line.", "Third line.",
		"Deep caption." };
	for (size_t i = 0; i < 7 && i < c.nr; i++) {
		CHECK_STR(c.r[i].key, keys[i]);
		CHECK_STR(c.r[i].text, texts[i]);
		CHECK(c.r[i].key_is_id == 0);
	}
	if (c.nr > 4)
		CHECK_STR(c.r[4].image, "sub/b.png");
	CHECK(has_err(&c, 0, "nocap.gif", "no caption file nocap.txt"));
	CHECK(has_err(&c, 0, "empty.png", "empty caption file"));

	/* A symlinked folder is not entered (it would loop); a linked image is read. */
	char *d = tmp_path("loopdir");
	char *img = tmp_path("loopdir/img.jpg"), *txt = tmp_path("loopdir/img.txt");
	char *loop = tmp_path("loopdir/loop"), *lnk = tmp_path("loopdir/link.jpg");
	char *ltxt = tmp_path("loopdir/link.txt");
	CHECK(mkdir(d, 0755) == 0);
	FILE *f = fopen(img, "w");
	if (f != NULL)
		fclose(f);
	f = fopen(txt, "w");
	if (f != NULL) {
		fputs("Image.\n", f);
		fclose(f);
	}
	f = fopen(ltxt, "w");
	if (f != NULL) {
		fputs("Linked.\n", f);
		fclose(f);
	}
	CHECK(symlink(".", loop) == 0);
	CHECK(symlink("img.jpg", lnk) == 0);
	coll_free(&c);
	CHECK(read_into(d, IMPORT_DIR, &c, NULL) == 0);
	CHECK(c.nr == 2 && c.ne == 0);
	if (c.nr == 2) {
		CHECK_STR(c.r[0].key, "img.jpg");
		CHECK_STR(c.r[1].key, "link.jpg");
	}
	coll_free(&c);
	unlink(loop);
	unlink(lnk);
	unlink(img);
	unlink(txt);
	unlink(ltxt);
	rmdir(d);
	free(d);
	free(img);
	free(txt);
	free(loop);
	free(lnk);
	free(ltxt);
}

static void
test_detect(void)
{
	static const struct {
		const char *path;
		enum import_format f;
	} cases[] = {
		{ "tests/data/sample/captions.jsonl", IMPORT_JSONL },
		{ FIX "mixed.jsonl", IMPORT_JSONL },
		{ FIX "captions-list.jsonl", IMPORT_JSONL },
		{ FIX "array.json", IMPORT_JSONL },
		{ FIX "quoted.csv", IMPORT_CSV },
		{ FIX "data.tsv", IMPORT_CSV },
		{ FIX "nocol.csv", IMPORT_CSV },
		{ FIX "coco.json", IMPORT_COCO },
		{ FIX "coco-oneline.json", IMPORT_COCO },
		{ FIX "llava.json", IMPORT_LLAVA },
		{ FIX "llava.jsonl", IMPORT_LLAVA },
		{ FIX "dj.jsonl", IMPORT_DJ },
		{ FIX "wds/gnu.tar", IMPORT_WDS },
		{ FIX "wds/truncated.tar", IMPORT_WDS },
		{ FIX "dir", IMPORT_DIR },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cause = NULL;
		enum import_format f = import_detect(cases[i].path, &cause);
		CHECKF(f == cases[i].f, "%s: %s, want %s (%s)", cases[i].path,
		    import_format_name(f), import_format_name(cases[i].f), cause ? cause : "");
		CHECK(cause == NULL);
		free(cause);
	}

	/* By content, whatever the name says. */
	char *data;
	size_t len;
	CHECK(file_read_all(FIX "wds/gnu.tar", 1 << 20, &data, &len, NULL) == 0);
	char *p = write_tmp("shard.bin", data, len);
	CHECK(import_detect(p, NULL) == IMPORT_WDS);
	free(p);
	free(data);
	p = write_tmp_str("noext", "file_name,text\na.jpg,hello\n");
	CHECK(import_detect(p, NULL) == IMPORT_CSV);
	free(p);
	p = write_tmp_str("dj-notoken.jsonl", "{\"text\": \"plain\", \"images\": []}\n"
	    "{\"text\": \"<__dj__image> cat\", \"images\": [\"c.jpg\"]}\n");
	CHECK(import_detect(p, NULL) == IMPORT_DJ);
	free(p);
	p = write_tmp_str("pretty.json", "{\n  \"a\": 1\n}\n");
	char *cause = NULL;
	CHECK(import_detect(p, &cause) == IMPORT_AUTO);
	CHECK(cause != NULL && strstr(cause, "COCO") != NULL);
	free(cause);
	free(p);

	static const struct {
		const char *name, *data, *frag;
	} bad[] = {
		{ "empty.txt", "", "empty file" },
		{ "blank.txt", "  \n\n", "empty file" },
		{ "prose.txt", "Just some\x1b[2J words.\n", "starts with 'Just some?[2J wo'" },
		{ "gz.jsonl", "\x1f\x8b\x08\x00", "gzip" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = write_tmp_str(bad[i].name, bad[i].data);
		cause = NULL;
		CHECK(import_detect(p, &cause) == IMPORT_AUTO);
		CHECKF(cause != NULL && strstr(cause, p) == cause &&
		    strstr(cause, bad[i].frag) != NULL, "%s", cause ? cause : "(null)");
		free(cause);
		cause = NULL;
		struct coll c = { 0 };
		CHECK(read_into(p, IMPORT_AUTO, &c, &cause) == -1 && cause != NULL);
		free(cause);
		coll_free(&c);
		free(p);
	}
	cause = NULL;
	CHECK(import_detect(FIX "no-such-file.jsonl", &cause) == IMPORT_AUTO);
	CHECK(cause != NULL && strstr(cause, "No such file") != NULL);
	free(cause);
}

static void
test_stop(void)
{
	/* --strict: the first bad record stops the reader with a cause naming it. */
	struct coll c = { .strict = 1 };
	char *cause = NULL;
	CHECK(read_into(FIX "mixed.jsonl", IMPORT_JSONL, &c, &cause) == -1);
	CHECK(c.nr == 1 && c.ne == 1);
	CHECKF(cause != NULL && strstr(cause, FIX "mixed.jsonl: line 3: invalid JSON") == cause,
	    "%s", cause ? cause : "(null)");
	free(cause);
	coll_free(&c);

	static const struct {
		const char *path;
		enum import_format f;
		size_t pairs_before; /* pairs delivered before the first error */
	} srcs[] = {
		{ FIX "quoted.csv", IMPORT_CSV, 4 },
		{ FIX "coco.json", IMPORT_COCO, 0 },
		{ FIX "llava.json", IMPORT_LLAVA, 1 },
		{ FIX "dj.jsonl", IMPORT_DJ, 4 },
		{ FIX "wds/gnu.tar", IMPORT_WDS, 3 },
		{ FIX "dir", IMPORT_DIR, 3 },
	};
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		struct coll s = { .strict = 1 };
		cause = NULL;
		CHECKF(read_into(srcs[i].path, srcs[i].f, &s, &cause) == -1, "%s", srcs[i].path);
		CHECKF(s.ne == 1 && s.nr == srcs[i].pairs_before, "%s: %zu pairs %zu errors",
		    srcs[i].path, s.nr, s.ne);
		CHECK(cause != NULL && str_starts(cause, srcs[i].path));
		free(cause);
		coll_free(&s);

		/* The sink stopping at the first pair stops every reader. */
		struct coll t = { .stop_at = 1 };
		cause = NULL;
		CHECKF(read_into(srcs[i].path, srcs[i].f, &t, &cause) == -1, "%s", srcs[i].path);
		CHECK(t.nr == 1);
		CHECK(cause != NULL && strstr(cause, "stopped") != NULL);
		free(cause);
		coll_free(&t);
	}
	cause = NULL;
	struct coll m = { 0 };
	CHECK(read_into(FIX "missing.jsonl", IMPORT_JSONL, &m, &cause) == -1);
	CHECK(cause != NULL && str_starts(cause, FIX "missing.jsonl: "));
	free(cause);
	cause = NULL;
	CHECK(read_into(FIX "missing-dir", IMPORT_DIR, &m, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	CHECK(read_into(FIX "missing.tar", IMPORT_WDS, &m, &cause) == -1 && cause != NULL);
	free(cause);
	coll_free(&m);
}

static void
cleanup_tmp(void)
{
	static const char *const names[] = { "broken.json", "hostile.jsonl", "long.jsonl",
		"huge.jsonl", "edge.jsonl", "crlf.csv", "notext.csv", "empty.csv", "noend.tar",
		"junk.tar", "shard.bin", "noext", "dj-notoken.jsonl", "pretty.json", "empty.txt",
		"blank.txt",
		"prose.txt", "gz.jsonl" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = tmp_path(names[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
	free(tmpdir);
}

int
main(void)
{
	h_suite = "import";
	const char *base = getenv("TMPDIR");
	tmpdir = xasprintf("%s/mmda-import.XXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp %s failed", tmpdir);
	RUN(test_names);
	RUN(test_sample_set);
	RUN(test_jsonl_mixed);
	RUN(test_jsonl_caption_lists);
	RUN(test_json_array);
	RUN(test_jsonl_hostile_bytes);
	RUN(test_jsonl_long_lines);
	RUN(test_jsonl_speed);
	RUN(test_csv);
	RUN(test_csv_crlf_bom_nul);
	RUN(test_tsv);
	RUN(test_csv_whole_source_failures);
	RUN(test_coco);
	RUN(test_coco_big);
	RUN(test_llava);
	RUN(test_dj);
	RUN(test_wds);
	RUN(test_wds_damaged);
	RUN(test_dir);
	RUN(test_detect);
	RUN(test_stop);
	cleanup_tmp();
	HARNESS_END();
}
