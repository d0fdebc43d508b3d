/* SPDX-License-Identifier: MIT */
/*
 * The structured readers (core/ingest/import*.c): COCO captions (small and past
 * the detection peek), LLaVA conversations, Data-Juicer image tokens, and
 * image folders with caption files beside the images.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/ingest/import.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/import_sink.h"

static void
test_coco(void)
{
	struct coll c = { 0 };
	expect_read(FIX "coco.json", IMPORT_AUTO, &c, 4, 6);
	const struct rec *r;
	CHECK(pair_is(&c, "101", "000000000001.jpg", "A man riding a horse."));
	if ((r = find_rec(&c, "101")) != NULL) {
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

	expect_read(FIX "coco-oneline.json", IMPORT_AUTO, &c, 1, 0);
	if (c.nr == 1) {
		CHECK_STR(c.r[0].key, "s1");
		CHECK_STR(c.r[0].image, "seven.jpg");
	}
	coll_free(&c);

	CHECK(read_fails(FIX "array.json", IMPORT_COCO, "not a COCO captions file"));
}

/* A COCO file big enough that "annotations" lies past the detection peek. */
static void
test_coco_big(void)
{
	char *p;
	FILE *f = tmp_open("big-coco.json", &p);
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
	int rc;
	double dt = read_counting(p, IMPORT_COCO, &pairs, &rc, NULL);
	printf("# import: COCO with 20000 images and 100000 captions in %.3f s\n", dt);
	CHECK(rc == 0);
	CHECK(pairs == 100000);
	CHECKF(dt < time_limit(), "took %.3f s", dt);
	unlink(p);
	free(p);
}

static void
test_llava(void)
{
	struct coll c = { 0 };
	expect_read(FIX "llava.json", IMPORT_AUTO, &c, 2, 2);
	const struct rec *r;
	CHECK(pair_is(&c, "000000033471", "coco/train2017/000000033471.jpg",
	    "The bus in the image is white and red."));
	if ((r = find_rec(&c, "000000033471")) != NULL) {
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
	CHECK(pair_is(&c, "42", NULL, "A detailed \"quoted\" description\nover two lines."));
	CHECK(has_err(&c, 0, "text-only-1", "no image: text-only conversation"));
	CHECK(has_err(&c, 0, "no-gpt", "no \"gpt\" turn"));
	coll_free(&c);

	expect_read(FIX "llava.jsonl", IMPORT_AUTO, &c, 1, 1);
	CHECK(has_err(&c, 2, NULL, "text-only"));
	coll_free(&c);
}

static void
test_dj(void)
{
	struct coll c = { 0 };
	expect_read(FIX "dj.jsonl", IMPORT_AUTO, &c, 5, 3);
	const struct rec *r;
	CHECK(pair_is(&c, "d1", "cat.jpg", "A cat on a sofa."));
	CHECK((r = find_rec(&c, "d1")) != NULL && r->key_is_id == 1 && r->line == 1);
	CHECK(pair_is(&c, "d1#2", "dog.jpg", "A dog in the park."));
	CHECK(pair_is(&c, "d2", "b1.jpg", "Two views of one bridge."));
	CHECK(pair_is(&c, "d2#2", "b2.jpg", "Two views of one bridge."));
	CHECK(pair_is(&c, "mid.jpg", NULL, "Before after the token."));
	CHECK((r = find_rec(&c, "mid.jpg")) != NULL && r->key_is_id == 0);
	CHECK(has_err(&c, 3, NULL, "1 <__dj__image> tokens but 2 images"));
	CHECK(has_err(&c, 5, NULL, "no <__dj__image> token"));
	CHECK(has_err(&c, 6, NULL, "empty caption"));
	coll_free(&c);
}

static void
test_dir(void)
{
	struct coll c = { 0 };
	expect_read(FIX "dir", IMPORT_AUTO, &c, 7, 2);
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
	coll_free(&c);

	/* A symlinked folder is not entered (it would loop); a linked image is read. */
	char *d = tmp_path("loopdir");
	CHECK(mkdir(d, 0755) == 0);
	char *made[] = { write_tmp("loopdir/img.jpg", "", 0),
		write_tmp_str("loopdir/img.txt", "Image.\n"),
		write_tmp_str("loopdir/link.txt", "Linked.\n"), tmp_path("loopdir/loop"),
		tmp_path("loopdir/link.jpg") };
	CHECK(symlink(".", made[3]) == 0);
	CHECK(symlink("img.jpg", made[4]) == 0);
	expect_read(d, IMPORT_DIR, &c, 2, 0);
	if (c.nr == 2) {
		CHECK_STR(c.r[0].key, "img.jpg");
		CHECK_STR(c.r[1].key, "link.jpg");
	}
	coll_free(&c);
	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		unlink(made[i]);
		free(made[i]);
	}
	rmdir(d);
	free(d);
}

int
main(void)
{
	import_tests_begin("import-misc");
	RUN(test_coco);
	RUN(test_coco_big);
	RUN(test_llava);
	RUN(test_dj);
	RUN(test_dir);
	import_tests_end();
	HARNESS_END();
}
