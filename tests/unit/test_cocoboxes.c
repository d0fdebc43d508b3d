/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the COCO box reader (core/modelops/cocoboxes.c): a well-formed
 * instances file looked up by numeric and string image ids, crowd boxes
 * kept only when nothing else is there, the meta "objects" fallback, and
 * hostile files: broken structure fails naming the entry, a single bad
 * annotation is skipped and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/modelops/cocoboxes.h"
#include "core/modelops/mops_priv.h"
#include "core/base/util.h"
#include "tests/harness.h"

static char dir[] = "/tmp/mmda-cocoboxes.XXXXXX";

/* Writes text to a file in the test folder; returns its path (static buffer). */
static const char *
put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

static const char good[] =
    "{\"images\": [{\"id\": 139, \"file_name\": \"a.jpg\"}],\n"
    " \"categories\": [{\"id\": 1, \"name\": \"person\"}, {\"id\": 18, \"name\": \"dog\"},\n"
    "   {\"id\": 3, \"name\": \"car\"}],\n"
    " \"annotations\": [\n"
    "  {\"id\": 1, \"image_id\": 139, \"category_id\": 18, \"bbox\": [10, 20, 30.5, 40],"
    " \"iscrowd\": 0},\n"
    "  {\"id\": 2, \"image_id\": 139, \"category_id\": 1, \"bbox\": [0, 0, 100, 200],"
    " \"iscrowd\": 1},\n"
    "  {\"id\": 3, \"image_id\": \"abc\", \"category_id\": 3, \"bbox\": [5, 6, 7, 8]},\n"
    "  {\"id\": 4, \"image_id\": 139, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},\n"
    "  {\"id\": 5, \"image_id\": 7, \"category_id\": 1, \"bbox\": [1, 1, 9, 9], \"iscrowd\": 1}\n"
    " ]}\n";

static struct coco_boxes *
load(const char *name, const char *text, char **cause)
{
	*cause = NULL;
	return coco_boxes_load(put(name, text), cause);
}

static void
test_good(void)
{
	char *cause = NULL;
	struct coco_boxes *cb = load("good.json", good, &cause);
	struct coco_box *b = NULL;
	int n;

	CHECKF(cb != NULL, "%s", cause ? cause : "");
	if (cb == NULL)
		return;
	CHECK(coco_boxes_count(cb) == 5);
	CHECK(coco_boxes_skipped(cb) == 0);
	/* Numeric id: the two non-crowd boxes in file order; the crowd one is left out. */
	n = coco_boxes_for(cb, "{\"coco_image_id\":139}", &b, &cause);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(b[0].label, "dog");
		CHECK(b[0].x == 10 && b[0].y == 20 && b[0].w == 30.5 && b[0].h == 40);
		CHECK_STR(b[1].label, "person");
		CHECK(b[1].x == 1 && b[1].h == 4);
	}
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	/* The same image by a string id, as a CSV import may have kept it. */
	n = coco_boxes_for(cb, "{\"coco_image_id\":\"139\",\"x\":[1]}", &b, &cause);
	CHECK(n == 2);
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	n = coco_boxes_for(cb, "{\"coco_image_id\":\"abc\"}", &b, &cause);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(b[0].label, "car");
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	/* Only crowd boxes: those are better than none. */
	n = coco_boxes_for(cb, "{\"coco_image_id\":7}", &b, &cause);
	CHECK(n == 1);
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	/* Unknown ids and metas without an id have no boxes. */
	CHECK(coco_boxes_for(cb, "{\"coco_image_id\":140}", &b, &cause) == 0 && b == NULL);
	CHECK(coco_boxes_for(cb, "{\"coco_image_id\":139.5}", &b, &cause) == 0);
	CHECK(coco_boxes_for(cb, "{}", &b, &cause) == 0);
	CHECK(coco_boxes_for(cb, "[1,2]", &b, &cause) == 0);
	CHECK(coco_boxes_for(cb, NULL, &b, &cause) == 0);
	CHECK(cause == NULL);
	CHECK(coco_boxes_for(cb, "{\"coco_image_id\":", &b, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "not valid JSON") != NULL);
	free(cause);
	coco_boxes_free(cb);
}

static void
test_objects_fallback(void)
{
	const char *meta = "{\"objects\": [{\"label\": \"cat\", \"box\": [1, 2, 3, 4]},"
	    " {\"label\": \"\", \"box\": [1, 2, 3, 4]}, {\"label\": \"x\", \"box\": [1, 2, 3]},"
	    " {\"label\": \"y\", \"box\": [1, 2, -3, 4]}, {\"label\": \"z\", \"box\": \"1,2,3,4\"},"
	    " 5, {\"label\": \"bad\\u0007\", \"box\": [1, 2, 3, 4]},"
	    " {\"label\": \"bird\", \"bbox\": [0, 0, 5, 5]}]}";
	struct coco_box *b = NULL;
	char *cause = NULL;
	struct coco_boxes *cb;
	int n = coco_boxes_for(NULL, meta, &b, &cause);

	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(b[0].label, "cat");
		CHECK(b[0].x == 1 && b[0].y == 2 && b[0].w == 3 && b[0].h == 4);
		CHECK_STR(b[1].label, "bird");
	}
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	/* An id the instances file does not know falls back to the meta's own objects. */
	cb = load("fb.json", good, &cause);
	n = coco_boxes_for(cb, "{\"coco_image_id\":999,\"objects\":"
	    "[{\"label\":\"kite\",\"box\":[1,1,2,2]}]}", &b, &cause);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(b[0].label, "kite");
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	/* A known id wins over the objects. */
	n = coco_boxes_for(cb, "{\"coco_image_id\":\"abc\",\"objects\":"
	    "[{\"label\":\"kite\",\"box\":[1,1,2,2]}]}", &b, &cause);
	CHECK(n == 1 && strcmp(b[0].label, "car") == 0);
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	CHECK(coco_boxes_for(NULL, "{\"objects\": {}}", &b, &cause) == 0);
	CHECK(coco_boxes_for(NULL, "{\"objects\": []}", &b, &cause) == 0);
	CHECK(cause == NULL);
	coco_boxes_free(cb);
}

/* Bad single annotations are skipped and counted; the good ones stay. */
static void
test_skipped(void)
{
	const char *text = "{\"categories\": [{\"id\": 1, \"name\": \"person\"}],"
	    " \"annotations\": ["
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 0, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, -3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [-1, 2, 3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [1e999, 2, 3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [\"1\", 2, 3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": null},"
	    "  {\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": 1.5, \"bbox\": [1, 2, 3, 4]},"
	    "  {\"image_id\": 1, \"category_id\": \"1\", \"bbox\": [1, 2, 3, 4]},"
	    "  {\"category_id\": 1, \"bbox\": [1, 2, 3, 4]},"
	    "  {\"image_id\": 1.25, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},"
	    "  {\"image_id\": [1], \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},"
	    "  {\"image_id\": \"\", \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},"
	    "  \"not an object\", 42, null,"
	    "  {\"image_id\": 1, \"category_id\": 1, \"bbox\": [9, 9, 1, 1]}"
	    " ]}";
	char *cause = NULL;
	struct coco_boxes *cb = load("skip.json", text, &cause);
	struct coco_box *b = NULL;
	int n;

	CHECKF(cb != NULL, "%s", cause ? cause : "");
	if (cb == NULL)
		return;
	CHECK(coco_boxes_count(cb) == 2);
	CHECKF(coco_boxes_skipped(cb) == 17, "%zu", coco_boxes_skipped(cb));
	n = coco_boxes_for(cb, "{\"coco_image_id\": 1}", &b, &cause);
	CHECK(n == 2);
	if (n == 2)
		CHECK(b[0].x == 1 && b[1].x == 9);
	coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	coco_boxes_free(cb);
	/* An empty annotations list is a valid (useless) file. */
	cb = load("empty.json", "{\"categories\": [], \"annotations\": []}", &cause);
	CHECK(cb != NULL && coco_boxes_count(cb) == 0);
	CHECK(coco_boxes_for(cb, "{\"coco_image_id\": 1}", &b, &cause) == 0);
	coco_boxes_free(cb);
}

/* Loads text expecting failure; the cause must name the file and contain want. */
static int
fails(const char *text, const char *want)
{
	char *cause = NULL;
	struct coco_boxes *cb = load("bad.json", text, &cause);
	int ok = cb == NULL && cause != NULL && strstr(cause, "bad.json") != NULL &&
	    strstr(cause, want) != NULL;

	if (!ok)
		fprintf(stderr, "  want \"%s\", got \"%s\"\n", want, cause ? cause : "(none)");
	coco_boxes_free(cb);
	free(cause);
	return ok;
}

static void
test_hostile(void)
{
	char *cause = NULL;

	CHECK(fails("{\"annotations\": [", "invalid JSON"));
	CHECK(fails("", "invalid JSON"));
	CHECK(fails("[1, 2]", "not a COCO instances file"));
	CHECK(fails("\"x\"", "not a COCO instances file"));
	CHECK(fails("{\"categories\": []}", "\"annotations\" is missing"));
	CHECK(fails("{\"categories\": [], \"annotations\": {}}", "\"annotations\" is missing"));
	CHECK(fails("{\"annotations\": []}", "\"categories\" is missing"));
	CHECK(fails("{\"annotations\": [], \"categories\": {\"id\": 1}}",
	    "\"categories\" is missing"));
	CHECK(fails("{\"annotations\": [], \"categories\": [7]}", "categories[0] is not an"));
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"a\"},"
	    " {\"id\": \"2\", \"name\": \"b\"}]}", "categories[1]: id is not a whole number"));
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1.5, \"name\": \"a\"}]}",
	    "categories[0]: id"));
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1}]}",
	    "categories[0]: name"));
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"\"}]}",
	    "categories[0]: name"));
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"a\\u001b[2J\"}]}",
	    "control bytes"));
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"a\"},"
	    " {\"id\": 1, \"name\": \"b\"}]}", "id 1 appears twice"));
	/* Invalid UTF-8 in a name. */
	CHECK(fails("{\"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"\xc3\x28\"}]}",
	    "bad UTF-8"));
	/* A missing file and a folder. */
	CHECK(coco_boxes_load("/nonexistent/instances.json", &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "/nonexistent/instances.json") != NULL);
	free(cause);
	cause = NULL;
	CHECK(coco_boxes_load(dir, &cause) == NULL && cause != NULL);
	free(cause);
	coco_boxes_free(NULL);
	coco_box_list_free(NULL, 0);
}

/* A bigger file: every lookup finds its own boxes (the index is sorted as text). */
static void
test_many(void)
{
	size_t cap = 1 << 20, len = 0;
	char *text = xmalloc(cap), *cause = NULL;
	struct coco_boxes *cb;
	int ok = 1;

	len += (size_t)snprintf(text + len, cap - len, "{\"categories\": [{\"id\": 1, \"name\":"
	    " \"thing\"}], \"annotations\": [");
	for (int i = 0; i < 3000; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"image_id\": %d, "
		    "\"category_id\": 1, \"bbox\": [%d, 0, 1, 1]}", i ? "," : "", (i * 7919) % 1000,
		    i);
	snprintf(text + len, cap - len, "]}");
	cb = load("many.json", text, &cause);
	free(text);
	CHECKF(cb != NULL, "%s", cause ? cause : "");
	for (int id = 0; cb != NULL && id < 1000; id++) {
		struct coco_box *b = NULL;
		char meta[64];
		snprintf(meta, sizeof meta, "{\"coco_image_id\": %d}", id);
		int n = coco_boxes_for(cb, meta, &b, &cause);
		if (n != 3)
			ok = 0;
		for (int k = 0; k < n; k++)
			if (((int)b[k].x * 7919) % 1000 != id)
				ok = 0;
		coco_box_list_free(b, n > 0 ? (size_t)n : 0);
	}
	CHECK(ok);
	coco_boxes_free(cb);
}

int
main(void)
{
	h_suite = "cocoboxes";
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_good);
	RUN(test_objects_fallback);
	RUN(test_skipped);
	RUN(test_hostile);
	RUN(test_many);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	HARNESS_END();
}
