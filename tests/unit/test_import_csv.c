/* SPDX-License-Identifier: MIT */
/*
 * The CSV / TSV reader (core/ingest/import*.c): quoting, embedded newlines, ragged
 * rows, CRLF, a BOM and raw NUL bytes, TSV's literal quotes, and the
 * failures that stop a whole source (no image or caption column, empty).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/import.h"
#include "tests/harness.h"
#include "tests/unit/import_sink.h"

static void
test_csv(void)
{
	struct coll c = { 0 };
	expect_read(FIX "quoted.csv", IMPORT_AUTO, &c, 6, 6);
	const struct rec *r;
	if ((r = find_rec(&c, "c1")) != NULL) {
		CHECK_STR(r->text, "A caption, with a comma");
		CHECK(r->line == 2 && r->key_is_id == 1);
		CHECK_STR(r->image, "images/a.jpg");
	}
	CHECK(pair_is(&c, "c2", NULL, "He said \"hi\" twice"));
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
	expect_read(p, IMPORT_AUTO, &c, 2, 2);
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
	expect_read(FIX "data.tsv", IMPORT_CSV, &c, 2, 1);
	CHECK(pair_is(&c, "t1", "http://x/1.jpg", "A \"quoted\" word stays literal"));
	CHECK(pair_is(&c, "t2", NULL, "comma, in tsv"));
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
	char *p = write_tmp_str("notext.csv", "file_name,label\na.jpg,3\n");
	CHECK(read_fails(p, IMPORT_CSV, "no caption column"));
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

int
main(void)
{
	import_tests_begin("import-csv");
	RUN(test_csv);
	RUN(test_csv_crlf_bom_nul);
	RUN(test_tsv);
	RUN(test_csv_whole_source_failures);
	import_tests_end();
	HARNESS_END();
}
