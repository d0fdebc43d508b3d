/* SPDX-License-Identifier: MIT */
/*
 * The export writers (core/export/export*.c): every format is written from hostile
 * items (escape sequences, quotes, commas, newlines, CJK, emoji, a 3000-word
 * caption, pretty-printed JSON) and read back by an independent reader,
 * tests/unit/export_check.py (Python's json, csv and tarfile only), against
 * an expectations file this test writes with the texts in hex. Also:
 * determinism, WDS sharding and errors, bad embedded JSON, empty exports.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/export/export.h"
#include "core/export/export_priv.h"
#include "core/base/util.h"
#include "tests/harness.h"

#define HORSE MMDA_SAMPLE_DIR "/images/horse.png"
#define ROCKET MMDA_SAMPLE_DIR "/images/rocket.jpg"
#define CHECKER MMDA_SAMPLE_DIR "/../../unit/export_check.py"
#define PYTHON "/usr/bin/python3"

static char *tmpdir;
static int ndirs;

static const char *const parents1[] = { "aaaa0001" };
static const char *const parents2[] = { "aaaa0001", "bbbb0002" };

#define CONV_NO_TOKEN "{\"conversations\":[{\"from\":\"human\",\"value\":\"What is shown?\"}," \
	"{\"from\":\"gpt\",\"value\":\"A rocket.\"}]}"
#define CONV_TOKEN "{\"conversations\":[{\"from\":\"human\",\"value\":\"Look: <image> what?\"}," \
	"{\"from\":\"gpt\",\"value\":\"It is \\\"fast\\\".\"}]}"

/* The items every format test writes; items_init puts the 3000-word caption in items[3]. */
static char *long_text;
/* Designated initializers may not repeat a field (-Woverride-init): the parts are macros. */
#define FLIP .op = "image.flip", .op_version = 1
#define PNG .image_src = HORSE, .image_ext = "png"
#define JPG(ext) .image_src = ROCKET, .image_ext = ext
static struct export_item items[7] = {
	{ FLIP, PNG, .id = 1, .aug_id = "aaaa0001", .key = "000001-aaaa0001",
	  .image = "images/000001.png", .width = 300, .height = 200,
	  .text = "A horse \x1b[31mred\x1b[0m in a field, \"quoted\", with, commas",
	  .params = "{\"strength\":0.5,\"mode\":\"soft\"}", .has_seed = 1, .seed = 42,
	  .scores = "{\"clip\":0.3125,\"ssim\":1e-3}",
	  .decisions = "[{\"annotator\":\"ann\",\"answer\":\"yes\",\"at\":1700000000}]" },
	/* The same image as item 0: one COCO image with two captions. */
	{ PNG, .op_version = 1, .id = 2, .aug_id = "bbbb0002", .key = "000002-bbbb0002",
	  .image = "images/000001.png", .width = 300, .height = 200,
	  .text = "line one\nline two\r\nthird\tTab \\ backslash \\n not a newline",
	  .op = "text.synonym", .model = "wordnet-3.1", .prompt = "say \"it\" again\n",
	  .nparents = 1,
	  .parent_aug_ids = parents1, .auto_selected = 1 },
	{ FLIP, JPG("jpeg"), .id = 3, .aug_id = "cccc0003", .key = "000003-cccc0003",
	  .image = "images/000003.jpg", /* jpeg: written as .jpg */
	  .text = "\xe7\x81\xab\xe7\xae\xad\xe5\x8f\x91\xe5\xb0\x84 \xf0\x9f\x9a\x80 "
	      "\xe3\x83\xad\xe3\x82\xb1\xe3\x83\x83\xe3\x83\x88",
	  .meta = CONV_NO_TOKEN },
	{ FLIP, JPG("jpg"), .id = 4, .aug_id = "dddd0004", .key = "000004-dddd0004",
	  .image = "images/000004.jpg",
	  .nparents = 2, .parent_aug_ids = parents2, .has_seed = 1,
	  .seed = -9007199254740993LL },
	/* Shares item 2's image. */
	{ FLIP, JPG("jpg"), .id = 5, .aug_id = "eeee0005", .key = "000005-eeee0005",
	  .image = "images/000003.jpg",
	  .text = "second caption of the \"rocket\"", .meta = CONV_TOKEN },
	/* --images ref (an absolute path), pretty-printed params, meta without conversations. */
	{ FLIP, PNG, .id = 6, .aug_id = "ffff0006", .key = "000006-ffff0006",
	  .image = "/abs/ref/horse copy, \"1\".png", .width = 64, .height = 48,
	  .text = "controls \x01\x02\x7f and \xc3\xa9t\xc3\xa9; semi;colons\ra lone CR",
	  .params = "{\n  \"a\": [1, 2.5e-3, -0, 10E+2],\n  \"b\": \"x y\\u00e9\\n\"\n}",
	  .scores = "{}", .decisions = "[]", .meta = "{\"source\":\"elsewhere\"}" },
	{ FLIP, PNG, .id = 7, .aug_id = "0000aaaa", .key = "000007-0000aaaa",
	  .image = "images/000007.png", .text = "" },
};
/* What llava.json must hold for items with meta conversations (NULL: the describe pair). */
static const char *const llava_expect[7] = {
	[2] = "[{\"from\":\"human\",\"value\":\"<image>\\nWhat is shown?\"},"
	    "{\"from\":\"gpt\",\"value\":\"A rocket.\"}]",
	[4] = "[{\"from\":\"human\",\"value\":\"Look: <image> what?\"},"
	    "{\"from\":\"gpt\",\"value\":\"It is \\\"fast\\\".\"}]",
};

static void
items_init(void)
{
	size_t cap = 3000 * 12 + 1, len = 0;

	long_text = xmalloc(cap);
	for (int i = 0; i < 3000; i++)
		len += (size_t)snprintf(long_text + len, cap - len, "%sword%d", i ? " " : "", i);
	items[3].text = long_text;
}

static char *
hex(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n * 2 + 1);

	for (size_t i = 0; i < n; i++)
		snprintf(out + i * 2, 3, "%02x", (unsigned char)s[i]);
	out[n * 2] = '\0';
	return out;
}

static cJSON *
parsed(const char *json, const char *dflt)
{
	cJSON *v = cJSON_Parse(json != NULL ? json : dflt);
	if (v == NULL)
		fatal("test JSON does not parse: %s", json);
	return v;
}

static cJSON *
str_or_null(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Writes the expectations file for export_check.py; returns its path. */
static char *
expect_write(const struct export_item *its, int n, const char *const *llava, int coco_images,
    int64_t shard_size, const char *prefix)
{
	cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "items");

	cJSON_AddNumberToObject(doc, "shard_size", (double)shard_size);
	cJSON_AddStringToObject(doc, "prefix", prefix);
	cJSON_AddNumberToObject(doc, "coco_images", coco_images);
	for (int i = 0; i < n; i++) {
		const struct export_item *it = &its[i];
		cJSON *o = cJSON_CreateObject();
		char *h = hex(it->text);
		cJSON_AddNumberToObject(o, "id", (double)it->id);
		cJSON_AddItemToObject(o, "aug_id", str_or_null(it->aug_id));
		cJSON_AddStringToObject(o, "key", it->key);
		cJSON_AddStringToObject(o, "image", it->image);
		cJSON_AddStringToObject(o, "text_hex", h);
		free(h);
		cJSON *p = cJSON_AddArrayToObject(o, "parents");
		for (int k = 0; k < it->nparents; k++)
			cJSON_AddItemToArray(p, cJSON_CreateString(it->parent_aug_ids[k]));
		cJSON_AddItemToObject(o, "op", str_or_null(it->op));
		cJSON_AddNumberToObject(o, "op_version", it->op_version);
		cJSON_AddItemToObject(o, "params", parsed(it->params, "{}"));
		/* Seeds as text: a double would round -9007199254740993. */
		if (it->has_seed) {
			char *seed = xasprintf("%lld", (long long)it->seed);
			cJSON_AddItemToObject(o, "seed", cJSON_CreateRaw(seed));
			free(seed);
		} else
			cJSON_AddNullToObject(o, "seed");
		cJSON_AddItemToObject(o, "model", str_or_null(it->model));
		cJSON_AddItemToObject(o, "prompt", str_or_null(it->prompt));
		cJSON_AddItemToObject(o, "meta", it->meta != NULL ? parsed(it->meta, NULL) :
		    cJSON_CreateNull());
		cJSON_AddItemToObject(o, "scores", parsed(it->scores, "{}"));
		cJSON_AddItemToObject(o, "decisions", parsed(it->decisions, "[]"));
		cJSON_AddBoolToObject(o, "auto_selected", it->auto_selected);
		cJSON_AddItemToObject(o, "width", it->width > 0 ?
		    cJSON_CreateNumber(it->width) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "height", it->height > 0 ?
		    cJSON_CreateNumber(it->height) : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "image_src", it->image_src);
		cJSON_AddStringToObject(o, "ext_out",
		    strcmp(it->image_ext, "jpeg") == 0 ? "jpg" : it->image_ext);
		if (llava != NULL && llava[i] != NULL)
			cJSON_AddItemToObject(o, "llava_conversations", parsed(llava[i], NULL));
		cJSON_AddItemToArray(arr, o);
	}
	char *text = cJSON_PrintUnformatted(doc);
	char *path = xasprintf("%s/expect-%d.json", tmpdir, ndirs++);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		fatal("cannot write %s", path);
	cJSON_free(text);
	cJSON_Delete(doc);
	return path;
}

static char *
new_dir(void)
{
	char *d = xasprintf("%s/out-%d", tmpdir, ndirs++);
	if (mkdir(d, 0755) != 0)
		fatal("mkdir %s failed", d);
	return d;
}

/* Writes n items in format f into a new folder; returns it, or NULL on any error. */
static char *
export_into(enum export_format f, const struct export_item *its, int n,
    const struct export_opts *opts, int64_t *files)
{
	char *dir = new_dir(), *cause = NULL;
	struct export_writer *w = export_open(f, dir, opts, &cause);

	for (int i = 0; w != NULL && i < n; i++) {
		if (export_write(w, &its[i], &cause) != 0) {
			export_abort(w);
			w = NULL;
		}
	}
	if (w != NULL && export_close(w, files, &cause) == 0)
		return dir;
	fprintf(stderr, "  export %s: %s\n", export_format_name(f), cause ? cause : "?");
	free(cause);
	free(dir);
	return NULL;
}

/* The number of entries in a folder, "." and ".." aside. */
static int
dir_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	if (d != NULL)
		closedir(d);
	return n;
}

/* Runs a shell command; 1 when it exits 0. */
static int
sh_ok(const char *cmd)
{
	int st = system(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Runs the independent reader; 1 when it is satisfied. */
static int
checker_ok(const char *fmt, const char *dir, const char *expect)
{
	char *cmd = xasprintf("%s '%s' %s '%s' '%s'", PYTHON, CHECKER, fmt, dir, expect);
	int ok = sh_ok(cmd);
	free(cmd);
	return ok;
}

static void
check_format(enum export_format f, int64_t want_files)
{
	struct export_opts opts = { .shard_size = 2, .prefix = "gold" };
	int64_t files = -1;
	char *dir = export_into(f, items, 7, &opts, &files);
	char *exp = expect_write(items, 7, llava_expect, 5, 2, "gold");

	CHECK(dir != NULL);
	CHECKF(files == want_files, "%s: %lld files", export_format_name(f), (long long)files);
	if (dir != NULL)
		CHECKF(checker_ok(export_format_name(f), dir, exp), "%s", export_format_name(f));
	free(dir);
	free(exp);
}

static void test_jsonl(void) { check_format(EXPORT_JSONL, 1); }
static void test_imagefolder(void) { check_format(EXPORT_IMAGEFOLDER, 1); }
static void test_coco(void) { check_format(EXPORT_COCO, 1); }
static void test_llava(void) { check_format(EXPORT_LLAVA, 1); }
static void test_dj(void) { check_format(EXPORT_DJ, 1); }
static void test_csv(void) { check_format(EXPORT_CSV, 1); }
/* 7 samples, 2 a shard: 4 shards, the last with one sample. */
static void test_wds(void) { check_format(EXPORT_WDS, 4); }

static void
test_names(void)
{
	enum export_format f;

	for (int i = 0; i < EXPORT_FORMAT_COUNT; i++) {
		CHECK(export_format_parse(export_format_name((enum export_format)i), &f) == 0);
		CHECK(f == (enum export_format)i);
	}
	CHECK_STR(export_format_name(EXPORT_WDS), "wds");
	CHECK_STR(export_format_name(EXPORT_IMAGEFOLDER), "imagefolder");
	CHECK(export_format_parse("webdataset", &f) == 0 && f == EXPORT_WDS);
	CHECK(export_format_parse("data_juicer", &f) == 0 && f == EXPORT_DJ);
	CHECK(export_format_parse("parquet", &f) == -1);
	CHECK(export_format_parse(NULL, &f) == -1);
	CHECK_STR(export_format_name(EXPORT_FORMAT_COUNT), "unknown");
}

static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", dir, name), *data = NULL, *cause = NULL;
	if (file_read_all(path, 64 << 20, &data, len, &cause) != 0) {
		free(cause);
		data = NULL;
	}
	free(path);
	return data;
}

/* Same file names and the same bytes in each (diff -r), and not empty. */
static int
dirs_identical(const char *a, const char *b)
{
	char *cmd = xasprintf("diff -r '%s' '%s' >/dev/null", a, b);
	int same = dir_count(a) > 0 && sh_ok(cmd);
	free(cmd);
	return same;
}

static void
test_determinism(void)
{
	struct export_opts opts = { .shard_size = 3, .prefix = "det" };

	for (int f = 0; f < EXPORT_FORMAT_COUNT; f++) {
		char *a = export_into((enum export_format)f, items, 7, &opts, NULL);
		char *b = export_into((enum export_format)f, items, 7, &opts, NULL);
		CHECKF(a != NULL && b != NULL && dirs_identical(a, b), "%s",
		    export_format_name((enum export_format)f));
		free(a);
		free(b);
	}
}

/* No options: 10,000 samples a shard, named shard-NNNNNN.tar. */
static void
test_wds_defaults(void)
{
	int64_t files = -1;
	char *dir = export_into(EXPORT_WDS, items, 7, NULL, &files);
	char *exp = expect_write(items, 7, NULL, 5, 10000, "shard");

	CHECK(dir != NULL && files == 1);
	CHECK(dir != NULL && checker_ok("wds", dir, exp));
	free(dir);
	free(exp);
}

/* The first header of a shard, checked here too, without tarfile's leniency. */
static void
test_tar_header(void)
{
	struct export_opts opts = { .shard_size = 2, .prefix = "h" };
	char *dir = export_into(EXPORT_WDS, items, 1, &opts, NULL);
	size_t len = 0;
	unsigned char *h = dir != NULL ? (unsigned char *)slurp(dir, "h-000000.tar", &len) : NULL;

	CHECK(h != NULL && len % 512 == 0 && len >= 4 * 512);
	if (h != NULL && len >= 512) {
		unsigned sum = 0;
		for (int i = 0; i < 512; i++)
			sum += i >= 148 && i < 156 ? ' ' : h[i];
		char want[8];
		snprintf(want, sizeof want, "%06o", sum);
		CHECK(memcmp(h + 148, want, 7) == 0 && h[155] == ' ');
		CHECK(strcmp((char *)h, "000001-aaaa0001.png") == 0);
		CHECK(memcmp(h + 100, "0000644", 8) == 0);
		CHECK(memcmp(h + 124, "00000040371", 12) == 0); /* 16633 bytes */
		CHECK(memcmp(h + 136, "00000000000", 12) == 0);
		CHECK(h[156] == '0' && memcmp(h + 257, "ustar\0" "00", 8) == 0);
	}
	free(h);
	free(dir);
}

/* 1 when *cause holds needle; prints it otherwise. Frees and clears it either way. */
static int
cause_has(char **cause, const char *needle)
{
	int ok = *cause != NULL && strstr(*cause, needle) != NULL;

	if (!ok)
		fprintf(stderr, "  cause \"%s\" lacks \"%s\"\n", *cause ? *cause : "(none)",
		    needle);
	free(*cause);
	*cause = NULL;
	return ok;
}

/* Writes one item into a fresh writer; returns export_write's result and its cause. */
static int
write_one(enum export_format f, const struct export_item *it, char **cause)
{
	char *dir = new_dir();
	struct export_writer *w = export_open(f, dir, NULL, cause);
	int rc = -1;

	if (w != NULL) {
		rc = export_write(w, it, cause);
		export_abort(w);
	}
	free(dir);
	return rc;
}

static void
test_wds_errors(void)
{
	struct export_item it = items[0];
	char *cause = NULL;
	char longkey[121];

	it.image_src = "/nonexistent/mmda/no-such-image.png";
	CHECK(write_one(EXPORT_WDS, &it, &cause) == -1);
	CHECK(cause_has(&cause, "/nonexistent/mmda/no-such-image.png: No such file"));

	it = items[0];
	it.image_src = MMDA_SAMPLE_DIR "/images"; /* a folder */
	CHECK(write_one(EXPORT_WDS, &it, &cause) == -1);
	CHECK(cause_has(&cause, "regular file"));

	memset(longkey, 'k', 120);
	longkey[120] = '\0';
	it = items[0];
	it.key = longkey;
	CHECK(write_one(EXPORT_WDS, &it, &cause) == -1);
	CHECK(cause_has(&cause, "too long"));

	it = items[0];
	it.key = "has.dot";
	CHECK(write_one(EXPORT_WDS, &it, &cause) == -1);
	CHECK(cause_has(&cause, "dot"));

	/* A failed item leaves no shard open behind it: nothing is written before the checks. */
	char *dir = new_dir();
	struct export_writer *w = export_open(EXPORT_WDS, dir, NULL, &cause);
	it = items[0];
	it.image_src = "/nonexistent/x.png";
	CHECK(w != NULL && export_write(w, &it, &cause) == -1);
	free(cause);
	cause = NULL;
	/* After a failure the writer refuses more items and will not finish. */
	CHECK(w != NULL && export_write(w, &items[0], &cause) == -1);
	CHECK(cause_has(&cause, "abandoned"));
	int64_t files = -1;
	CHECK(w != NULL && export_close(w, &files, &cause) == -1 && files == 0);
	CHECK(cause_has(&cause, "failed"));
	CHECK(dir_count(dir) == 0);
	free(dir);
}

static void
test_bad_json(void)
{
	static const char *const bad_params[] = {
		"{not json", "[1,2]", "{\"a\":01}", "{\"a\":1.}", "{\"a\":+1}", "{} x",
	};
	struct export_item it = items[0];
	char *cause = NULL;

	for (size_t i = 0; i < sizeof bad_params / sizeof bad_params[0]; i++) {
		it.params = bad_params[i];
		CHECKF(write_one(EXPORT_JSONL, &it, &cause) == -1, "%s", bad_params[i]);
		CHECK(cause_has(&cause, "item 000001-aaaa0001: params"));
	}
	it = items[0];
	it.decisions = "{}";
	CHECK(write_one(EXPORT_WDS, &it, &cause) == -1);
	CHECK(cause_has(&cause, "decisions"));
	it = items[0];
	it.meta = "{\"conversations\":";
	CHECK(write_one(EXPORT_LLAVA, &it, &cause) == -1);
	CHECK(cause_has(&cause, "meta"));
	it = items[0];
	it.text = NULL;
	CHECK(write_one(EXPORT_CSV, &it, &cause) == -1);
	CHECK(cause_has(&cause, "text"));
}

static void
test_empty(void)
{
	char *exp = expect_write(items, 0, NULL, 0, 2, "shard");

	for (int f = 0; f < EXPORT_FORMAT_COUNT; f++) {
		int64_t files = -1;
		char *dir = export_into((enum export_format)f, items, 0, NULL, &files);
		const char *name = export_format_name((enum export_format)f);
		CHECKF(dir != NULL && files == (f == EXPORT_WDS ? 0 : 1), "%s", name);
		CHECKF(dir != NULL && checker_ok(name, dir, exp), "%s", name);
		free(dir);
	}
	free(exp);
}

static void
test_escape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	export_json_str(m, "a\"b\\c\x1b[0m\n\x7f\xe2\x82\xac");
	fputc(' ', m);
	export_json_str(m, NULL);
	fclose(m);
	CHECK_STR(buf, "\"a\\\"b\\\\c\\u001b[0m\\u000a\\u007f\xe2\x82\xac\" null");
	free(buf);
}

/* Many captions over fewer images: the COCO map grows past its first size. */
static void
test_coco_many(void)
{
	enum { N = 900, IMAGES = 300 };
	struct export_item *its = xcalloc(N, sizeof *its);
	char **strs = xcalloc(N * 3, sizeof *strs);

	for (int i = 0; i < N; i++) {
		its[i] = items[0];
		its[i].id = i + 1;
		its[i].key = strs[i * 3] = xasprintf("%06d-k", i);
		its[i].image = strs[i * 3 + 1] = xasprintf("images/%06d.png", (i * 7) % IMAGES);
		its[i].text = strs[i * 3 + 2] = xasprintf("caption %d, \"of\" %d", i,
		    (i * 7) % IMAGES);
	}
	int64_t files = -1;
	char *dir = export_into(EXPORT_COCO, its, N, NULL, &files);
	char *exp = expect_write(its, N, NULL, IMAGES, 2, "shard");
	CHECK(dir != NULL && files == 1);
	CHECK(dir != NULL && checker_ok("coco", dir, exp));
	free(dir);
	free(exp);
	for (int i = 0; i < N * 3; i++)
		free(strs[i]);
	free(strs);
	free(its);
}

static void
test_open_errors(void)
{
	char *cause = NULL;
	struct export_opts opts = { .prefix = "../escape" };
	char *dir = new_dir();

	CHECK(export_open(EXPORT_JSONL, "/nonexistent/mmda-out", NULL, &cause) == NULL);
	CHECK(cause_has(&cause, "/nonexistent/mmda-out/pairs.jsonl"));
	CHECK(export_open(EXPORT_WDS, dir, &opts, &cause) == NULL);
	CHECK(cause_has(&cause, "prefix"));
	CHECK(export_open((enum export_format)99, dir, NULL, &cause) == NULL && cause != NULL);
	free(cause);
	cause = NULL;
	/* An existing file is never overwritten. */
	struct export_writer *w = export_open(EXPORT_CSV, dir, NULL, &cause);
	CHECK(w != NULL);
	CHECK(export_open(EXPORT_CSV, dir, NULL, &cause) == NULL);
	CHECK(cause_has(&cause, "pairs.csv"));
	export_abort(w);
	free(dir);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	h_suite = "export";
	tmpdir = xasprintf("%s/mmda-export.XXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp %s failed", tmpdir);
	items_init();

	RUN(test_names);
	RUN(test_escape);
	RUN(test_jsonl);
	RUN(test_imagefolder);
	RUN(test_coco);
	RUN(test_llava);
	RUN(test_dj);
	RUN(test_csv);
	RUN(test_wds);
	RUN(test_wds_defaults);
	RUN(test_tar_header);
	RUN(test_determinism);
	RUN(test_wds_errors);
	RUN(test_bad_json);
	RUN(test_empty);
	RUN(test_coco_many);
	RUN(test_open_errors);

	/* MMDA_KEEP_TMP=1 keeps the outputs for a look. */
	if (getenv("MMDA_KEEP_TMP") == NULL) {
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (!sh_ok(cmd))
			fprintf(stderr, "  cannot remove %s\n", tmpdir);
		free(cmd);
	} else
		fprintf(stderr, "outputs kept in %s\n", tmpdir);
	free(tmpdir);
	free(long_text);
	HARNESS_END();
}
