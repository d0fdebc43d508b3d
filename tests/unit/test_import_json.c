/* SPDX-License-Identifier: MIT */
/*
 * The JSONL / JSON-array reader (core/ingest/import*.c): the sample set, the mixed
 * fixture in tests/data/import/ with one kind of damage a line, caption
 * lists, raw hostile bytes, very long lines, and speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ingest/import.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/import_sink.h"

/* Writes head, n copies of c and tail to name in the temporary folder; returns its path. */
static char *
write_run(const char *name, const char *head, size_t n, char c, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *buf = xmalloc(hl + n + tl), *p;

	memcpy(buf, head, hl);
	memset(buf + hl, c, n);
	memcpy(buf + hl + n, tail, tl);
	p = write_tmp(name, buf, hl + n + tl);
	free(buf);
	return p;
}

static void
test_sample_set(void)
{
	struct coll c = { 0 };
	expect_read("tests/data/sample/captions.jsonl", IMPORT_AUTO, &c, 17, 0);
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
	expect_read(FIX "mixed.jsonl", IMPORT_JSONL, &c, 11, 13);
	const struct rec *r = find_rec(&c, "m1");
	CHECK(r != NULL && r->line == 1 && r->key_is_id == 1); /* BOM on line 1 */
	CHECK((r = find_rec(&c, "m3")) != NULL && r->line == 4);
	if (r != NULL)
		CHECK_STR(r->image, "images/c.jpg");
	CHECK((r = find_rec(&c, "m9")) != NULL && r->line == 11);
	if (r != NULL)
		CHECK_STR(r->image, "../../etc/passwd");
	CHECK(pair_is(&c, "m10", NULL, "\x1b[2J\x1b[31mred\x1b[0m"));
	CHECK(pair_is(&c, "m11", NULL, "literal \\u0000 is text"));
	CHECK(pair_is(&c, "12", NULL, "猫が寝ている 🐈 emoji"));
	CHECK((r = find_rec(&c, "12")) != NULL && r->key_is_id == 1);
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
	expect_read(FIX "captions-list.jsonl", IMPORT_AUTO, &c, 5, 0);
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
	expect_read(FIX "array.json", IMPORT_AUTO, &c, 2, 2);
	const struct rec *r = find_rec(&c, "a1");
	CHECK(r != NULL && r->line == 0 && r->key_is_id == 1);
	CHECK((r = find_rec(&c, "three.jpg")) != NULL && r->key_is_id == 0);
	CHECK(pair_is(&c, "three.jpg", NULL, "Third, no id."));
	CHECK(has_err(&c, 0, "[1]", "not a JSON object"));
	CHECK(has_err(&c, 0, "a4", "no image field"));
	coll_free(&c);

	/* A broken array stops the whole source, naming where. */
	char *p = write_tmp_str("broken.json",
	    "[\n {\"id\": 1, \"file_name\": \"a\",\n  \"text\": }\n]\n");
	char *cause = NULL;
	CHECK(read_into(p, IMPORT_JSONL, &c, &cause) == -1);
	CHECKF(cause != NULL && strstr(cause, p) == cause && strstr(cause, "line 3") != NULL,
	    "%s", cause ? cause : "(null)");
	CHECK(c.nr == 0);
	free(cause);
	coll_free(&c);
	free(p);
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
	expect_read(p, IMPORT_JSONL, &c, 3, 3);
	CHECK(pair_is(&c, "esc", NULL, "raw \x1b[2J\x1b]0;title\x07 end"));
	CHECK(pair_is(&c, "latin1", "caf\xe9.jpg", "na\xefve caf\xe9"));
	CHECK(find_rec(&c, "crlf") != NULL);
	CHECK(has_err(&c, 3, NULL, "NUL byte"));
	CHECK(has_err(&c, 5, NULL, "image path contains a NUL"));
	CHECK(has_err(&c, 6, NULL, "id contains a NUL"));
	coll_free(&c);
	free(p);
}

/* Numeric ids: whole numbers a double holds exactly; the rest is refused, and the
 * check never converts an out-of-range double (undefined: found by fuzz_manifest). */
static void
test_jsonl_numeric_ids(void)
{
	static const char data[] =
	    "{\"id\": 42, \"file_name\": \"a.jpg\", \"text\": \"t\"}\n"
	    "{\"id\": 1e300, \"file_name\": \"b.jpg\", \"text\": \"t\"}\n"
	    "{\"id\": -1e300, \"file_name\": \"c.jpg\", \"text\": \"t\"}\n"
	    "{\"id\": 1e19, \"file_name\": \"d.jpg\", \"text\": \"t\"}\n"
	    "{\"id\": 1e999, \"file_name\": \"e.jpg\", \"text\": \"t\"}\n"
	    "{\"id\": 1.5, \"file_name\": \"f.jpg\", \"text\": \"t\"}\n"
	    "{\"id\": -9007199254740992, \"file_name\": \"g.jpg\", \"text\": \"t\"}\n";
	char *p = write_tmp("ids.jsonl", data, sizeof data - 1);
	struct coll c = { 0 };

	expect_read(p, IMPORT_JSONL, &c, 2, 5);
	CHECK(find_rec(&c, "42") != NULL);
	CHECK(find_rec(&c, "-9007199254740992") != NULL);
	for (long line = 2; line <= 6; line++)
		CHECK(has_err(&c, line, NULL, "id is not a string or a whole number"));
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
	expect_read(p, IMPORT_JSONL, &c, 1, 0);
	if (c.nr == 1)
		CHECK_STR(c.r[0].text, words);
	coll_free(&c);
	free(p);
	free(line);
	free(words);

	/* Over 16 MiB: reported, and the next line is read normally. */
	p = write_run("huge.jsonl",
	    "{\"id\": \"a\", \"file_name\": \"a.jpg\", \"text\": \"A\"}\n"
	    "{\"id\": \"big\", \"file_name\": \"b.jpg\", \"text\": \"",
	    ((size_t)16 << 20) + 100, 'x',
	    "\"}\n{\"id\": \"c\", \"file_name\": \"c.jpg\", \"text\": \"C\"}\n");
	expect_read(p, IMPORT_JSONL, &c, 2, 1);
	CHECK(has_err(&c, 2, NULL, "line too long"));
	CHECK(find_rec(&c, "c") != NULL && find_rec(&c, "c")->line == 3);
	coll_free(&c);
	free(p);

	/* Just under the limit still passes. */
	size_t big = ((size_t)16 << 20) - 200;
	p = write_run("edge.jsonl", "{\"id\": \"edge\", \"file_name\": \"e.jpg\", \"text\": \"",
	    big, 'y', "\"}\r\n");
	expect_read(p, IMPORT_JSONL, &c, 1, 0);
	if (c.nr == 1)
		CHECK(strlen(c.r[0].text) == big);
	coll_free(&c);
	free(p);
}

static void
test_jsonl_speed(void)
{
	char *p;
	FILE *f = tmp_open("200k.jsonl", &p);
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
	char *cause = NULL;
	int rc;
	double dt = read_counting(p, IMPORT_AUTO, &pairs, &rc, &cause);
	printf("# import: 200000 JSONL lines in %.3f s (%.0f lines/s)\n", dt,
	    dt > 0 ? 200000 / dt : 0.0);
	CHECK(rc == 0 && cause == NULL);
	CHECK(pairs == 200000);
	CHECKF(dt < time_limit(), "took %.3f s", dt);
	free(cause);
	unlink(p);
	free(p);
}

int
main(void)
{
	import_tests_begin("import-json");
	RUN(test_sample_set);
	RUN(test_jsonl_mixed);
	RUN(test_jsonl_caption_lists);
	RUN(test_json_array);
	RUN(test_jsonl_hostile_bytes);
	RUN(test_jsonl_numeric_ids);
	RUN(test_jsonl_long_lines);
	RUN(test_jsonl_speed);
	import_tests_end();
	HARNESS_END();
}
