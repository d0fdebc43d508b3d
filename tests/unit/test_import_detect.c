/* SPDX-License-Identifier: MIT */
/*
 * What every dataset reader shares (core/ingest/import.h): format names, format
 * detection by content (whatever the name says) and its refusals, and
 * stopping, by --strict at the first bad record or by the sink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/import.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/import_sink.h"

/* The format detected for content written to name in the temporary folder. */
static enum import_format
detect_written(const char *name, const char *content)
{
	char *p = write_tmp_str(name, content);
	enum import_format f = import_detect(p, NULL);

	free(p);
	return f;
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
	CHECK(detect_written("noext", "file_name,text\na.jpg,hello\n") == IMPORT_CSV);
	CHECK(detect_written("dj-notoken.jsonl", "{\"text\": \"plain\", \"images\": []}\n"
	    "{\"text\": \"<__dj__image> cat\", \"images\": [\"c.jpg\"]}\n") == IMPORT_DJ);
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
		CHECK(read_fails(p, IMPORT_AUTO, NULL));
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
	coll_free(&m);
	CHECK(read_fails(FIX "missing-dir", IMPORT_DIR, NULL));
	CHECK(read_fails(FIX "missing.tar", IMPORT_WDS, NULL));
}

int
main(void)
{
	import_tests_begin("import-detect");
	RUN(test_names);
	RUN(test_detect);
	RUN(test_stop);
	import_tests_end();
	HARNESS_END();
}
