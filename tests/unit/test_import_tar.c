/* SPDX-License-Identifier: MIT */
/*
 * The WebDataset tar reader (core/ingest/import*.c) against the shards in
 * tests/data/import/wds (see make-tar-fixtures.py): GNU, pax and ustar long
 * names, pax sizes, base-256 sizes, and damaged archives (truncated, bad
 * checksums, no end blocks, not a tar).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/import.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/import_sink.h"

#define LONG_DIR "a-very-long-folder-name-for-testing-gnu-long-names/" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* The pair r carries exactly the image bytes given. */
static int
data_is(const struct rec *r, const char *bytes)
{
	return r != NULL && r->data != NULL && r->len == strlen(bytes) &&
	    memcmp(r->data, bytes, r->len) == 0;
}

static void
test_wds(void)
{
	struct coll c = { 0 };
	expect_read(FIX "wds/gnu.tar", IMPORT_AUTO, &c, 5, 2);
	const struct rec *r;
	if ((r = find_rec(&c, "samples/000001")) != NULL) {
		CHECK_STR(r->text, "A red bicycle leaning on a wall.");
		CHECK(data_is(r, "\xff\xd8\xff JPEG-000001"));
		CHECK_STR(r->image_name, "gnu.tar/samples/000001.jpg");
		CHECK(r->image == NULL && r->key_is_id == 1 && r->line == 0);
	}
	CHECK(pair_is(&c, "samples/000002", NULL, "Two dogs on a beach."));
	CHECK(data_is(find_rec(&c, "samples/000002"), "\x89PNG PNG-000002"));
	if ((r = find_rec(&c, LONG_DIR "/000003")) != NULL) {
		CHECK_STR(r->text, "A sample with a long member name.");
		CHECK_STR(r->image_name, "gnu.tar/" LONG_DIR "/000003.jpg");
	}
	CHECK(pair_is(&c, "samples/000006", NULL, "A kite in a blue sky.\x1b[2J"));
	CHECK(data_is(find_rec(&c, "samples/000006"), "RIFF WEBP-000006"));
	CHECK(pair_is(&c, "samples/000007", NULL, "\x1b[31mred\x1b[0m text \xe9t\xe9"));
	CHECK(has_err(&c, 0, "samples/000004", "no caption"));
	CHECK(has_err(&c, 0, "samples/000005", "no image"));
	coll_free(&c);

	expect_read(FIX "wds/pax.tar", IMPORT_WDS, &c, 2, 2);
	CHECK(data_is(find_rec(&c, LONG_DIR "/pax/000010"), "\xff\xd8\xff JPEG-000010"));
	if ((r = find_rec(&c, "pax/caf\xc3\xa9/000012")) != NULL) {
		CHECK_STR(r->text, "\xe7\x8c\xab and \xf0\x9f\x98\x80");
		CHECK_STR(r->image_name, "pax.tar/pax/caf\xc3\xa9/000012.gif");
	}
	CHECK(has_err(&c, 0, "pax/000011", "NUL"));
	CHECK(has_err(&c, 0, "pax/000013", "NUL"));
	coll_free(&c);

	expect_read(FIX "wds/ustar.tar", IMPORT_WDS, &c, 1, 0);
	if (c.nr == 1)
		CHECK(strlen(c.r[0].image_name) > 100 && str_ends(c.r[0].image_name,
		    "qqqq/000020.jpeg") && str_starts(c.r[0].image_name, "ustar.tar/prefix-folder-"));
	coll_free(&c);

	/* The ustar size field says 0; the pax size record is what counts. */
	expect_read(FIX "wds/paxsize.tar", IMPORT_WDS, &c, 1, 0);
	CHECK(data_is(find_rec(&c, "ps/000030"), "\xff\xd8\xff JPEG-000030 sized by pax"));
	coll_free(&c);

	expect_read(FIX "wds/base256.tar", IMPORT_WDS, &c, 5, 2);
	CHECK(data_is(find_rec(&c, "samples/000001"), "\xff\xd8\xff JPEG-000001"));
	coll_free(&c);
}

static void
test_wds_damaged(void)
{
	/* Damage after the third sample: the samples before it are kept, the damage named. */
	static const struct {
		const char *path, *reason;
	} cut[] = {
		{ FIX "wds/truncated.tar", "truncated archive" },
		{ FIX "wds/badsum.tar", "bad header checksum" },
	};
	struct coll c = { 0 };
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		expect_read(cut[i].path, IMPORT_WDS, &c, 3, 1);
		CHECK(find_rec(&c, LONG_DIR "/000003") != NULL);
		CHECKF(has_err(&c, 0, "samples/000004.jpg", cut[i].reason), "%s", cut[i].path);
		coll_free(&c);
	}

	/* Cut right after a whole member: no end-of-archive blocks. */
	char *data;
	size_t len;
	CHECK(file_read_all(FIX "wds/ustar.tar", 1 << 20, &data, &len, NULL) == 0);
	char *p = write_tmp("noend.tar", data, 512 * 4);
	expect_read(p, IMPORT_WDS, &c, 1, 1);
	CHECK(has_err(&c, 0, NULL, "no end-of-archive"));
	coll_free(&c);
	free(p);
	/* Not a tar at all: the error is keyed by the would-be 100-byte member name. */
	char name[101];
	memset(name, 'z', 100);
	name[100] = '\0';
	memset(data, 'z', 1024);
	p = write_tmp("junk.tar", data, 1024);
	expect_read(p, IMPORT_WDS, &c, 0, 1);
	CHECK(has_err(&c, 0, name, "checksum"));
	coll_free(&c);
	free(p);
	free(data);
}

int
main(void)
{
	import_tests_begin("import-tar");
	RUN(test_wds);
	RUN(test_wds_damaged);
	import_tests_end();
	HARNESS_END();
}
