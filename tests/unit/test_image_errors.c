/* SPDX-License-Identifier: MIT */
/*
 * Errors and hostile input for core/image/image.h: the wording of causes,
 * truncations of every format, pixel limits, headers claiming huge sizes
 * (refused fast, before any allocation) and prefixes and bit flips of every
 * fixture (errors, never crashes or output).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"
#include "tests/unit/png_craft.h"

/* Probes path expecting failure with reason; returns 1 when it failed that way. */
static int
probe_fails_with(const char *path, const char *reason)
{
	struct image_info info;
	char *cause = NULL;
	int r = image_probe_file(path, &info, &cause);
	int ok = r == -1 && cause_ok(cause, path, reason);

	if (!ok)
		fprintf(stderr, "  probe %s: r=%d cause=%s\n", path, r, cause ? cause : "(null)");
	free(cause);
	return ok;
}

static long
max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Loads data expecting a refusal for size within 50 ms and without growing. */
static void
refused_fast(const void *data, size_t len, const char *name, const char *want)
{
	struct image img;
	char *cause = NULL;
	long rss = max_rss_kb();
	double t = now_mono_s();
	int r = image_load_mem(data, len, name, NULL, &img, &cause);

	t = now_mono_s() - t;
	CHECKF(r == -1 && cause_ok(cause, name, want), "%s: %s", name, cause ? cause : "(loaded)");
	CHECKF(t < 0.05, "%s: refusal took %.3f s", name, t);
	CHECKF(max_rss_kb() - rss < 16 * 1024, "%s: grew by %ld KB", name, max_rss_kb() - rss);
	if (r == 0)
		image_free(&img);
	free(cause);
}

/* Loads a fuzzed buffer: 1 when the result is neither a proper image nor "f: reason". */
static int
fuzz_bad(const void *data, size_t len, const struct image_opts *o)
{
	struct image img;
	char *cause = NULL;
	int r = image_load_mem(data, len, "f", o, &img, &cause);
	int bad = r == 0 ? (img.w <= 0 || img.px == NULL) : !cause_ok(cause, "f", NULL);

	image_free(&img);
	free(cause);
	return bad;
}

static void
test_error_messages(void)
{
	struct image img;
	char *cause = NULL;

	CHECK(fails_with(IMG "empty.jpg", "empty file"));
	CHECK(fails_with(IMG "text.jpg", "not an image (unrecognised data)"));
	CHECK(image_load_file(IMG "text.jpg", NULL, &img, &cause) == -1);
	CHECK_STR(cause, IMG "text.jpg: not an image (unrecognised data)");
	free(cause);
	cause = NULL;
	CHECK(fails_with(IMG "truncated.png", "truncated PNG data"));
	CHECK(fails_with("tests/data/sample/images/truncated.jpg",
	    "truncated or corrupt JPEG data"));
	CHECK(fails_with(IMG "no-such-file.png", "No such file"));
	CHECK(fails_with(IMG, "directory"));
	CHECK(probe_fails_with(IMG "empty.jpg", "empty file"));
	CHECK(probe_fails_with(IMG "text.jpg", "not an image"));
	CHECK(probe_fails_with(IMG "no-such-file.png", "No such file"));
	CHECK(image_load_mem("", 0, "m.png", NULL, &img, &cause) == -1);
	CHECK_STR(cause, "m.png: empty file");
	free(cause);
	/* A NULL cause is allowed. */
	CHECK(image_load_mem("x", 1, "m.png", NULL, &img, NULL) == -1);
}

/* Each format cut short, in memory: an error naming the file, saying truncated. */
static void
test_truncated_each_format(void)
{
	static const struct {
		const char *path;
		size_t keep; /* bytes kept, or 0 for half */
		const char *reason;
	} cases[] = {
		{ IMG "rgb.png", 0, "truncated PNG data" },
		{ IMG "base.jpg", 0, "truncated or corrupt JPEG data" },
		{ IMG "progressive.jpg", 0, "truncated or corrupt JPEG" },
		{ IMG "base.jpg", 100, "truncated or corrupt JPEG data" },
		{ IMG "base.jpg", 4, "truncated or corrupt JPEG data" },
		{ IMG "lossless.webp", 0, "WebP data" },
		{ IMG "lossy.webp", 60, "WebP data" },
		{ IMG "interlaced.gif", 0, "truncated GIF data" },
		{ IMG "anim.gif", 8, "truncated GIF data" },
	};
	struct image img;
	char *data, *cause;
	size_t len, i, keep;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if ((data = slurp(cases[i].path, &len)) == NULL) {
			CHECK(0);
			continue;
		}
		keep = cases[i].keep ? cases[i].keep : len / 2;
		cause = NULL;
		CHECKF(image_load_mem(data, keep, "cut", NULL, &img, &cause) == -1 &&
		    cause_ok(cause, "cut", cases[i].reason), "%s: %s", cases[i].path,
		    cause ? cause : "(loaded)");
		CHECK(img.px == NULL && img.w == 0 && img.h == 0);
		free(cause);
		free(data);
	}
}

static void
test_pixel_limits(void)
{
	static const struct {
		const char *path;
		uint64_t ok, refuse;
		const char *size;
	} cases[] = {
		{ IMG "rgb.png", 256, 255, "16x16" },
		{ IMG "base.jpg", 512, 511, "32x16" },
		{ IMG "lossless.webp", 256, 255, "16x16" },
		{ IMG "anim.gif", 192, 191, "16x12" },
	};
	struct image_opts o;
	struct image img;
	char *cause, want[64];
	size_t i;

	memset(&o, 0, sizeof o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		o.max_pixels = cases[i].ok;
		CHECKF(image_load_file(cases[i].path, &o, &img, &cause) == 0, "%s", cases[i].path);
		image_free(&img);
		free(cause);
		cause = NULL;
		o.max_pixels = cases[i].refuse;
		snprintf(want, sizeof want, "%s is over the %llu-pixel limit", cases[i].size,
		    (unsigned long long)cases[i].refuse);
		CHECK(image_load_file(cases[i].path, &o, &img, &cause) == -1);
		CHECKF(cause_ok(cause, cases[i].path, want), "%s", cause ? cause : "(null)");
		free(cause);
	}
}

static void
test_hostile_sizes(void)
{
	uint8_t png[128];
	struct image_info info;
	char *data, *cause = NULL;
	size_t n, len, i;

	n = png_claiming(png, 100000, 100000);
	refused_fast(png, n, "big.png", "100000x100000 is over the 64000000-pixel limit");
	/* The header alone can still be probed. */
	CHECK(image_probe_mem(png, n, "big.png", &info, &cause) == 0);
	CHECK(info.w == 100000 && info.h == 100000);
	free(cause);
	n = png_claiming(png, 0, 16);
	refused_fast(png, n, "zero.png", "bad image size 0x16");
	n = png_claiming(png, 0x80000000u, 1);
	refused_fast(png, n, "neg.png", "over the 64000000-pixel limit");
	n = png_claiming(png, 0xffffffffu, 0xffffffffu);
	refused_fast(png, n, "max.png", "over the 64000000-pixel limit");

	/* JPEG: SOF0 patched to 60000x60000. */
	if ((data = slurp(IMG "base.jpg", &len)) != NULL) {
		for (i = 2; i + 9 < len; i++) {
			if ((uint8_t)data[i] == 0xff && (uint8_t)data[i + 1] == 0xc0) {
				data[i + 5] = (char)0xea, data[i + 6] = 0x60;
				data[i + 7] = (char)0xea, data[i + 8] = 0x60;
				break;
			}
		}
		refused_fast(data, len, "big.jpg", "60000x60000 is over the");
		free(data);
	} else
		CHECK(0);
	/* WebP (VP8L): 16383x16383 in the 14-bit size fields. */
	if ((data = slurp(IMG "lossless.webp", &len)) != NULL && len > 25 &&
	    memcmp(data + 12, "VP8L", 4) == 0) {
		uint8_t *b = (uint8_t *)data + 21;
		uint32_t bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		    (uint32_t)b[3] << 24;
		bits = (bits & 0xf0000000u) | 16382u | 16382u << 14;
		b[0] = (uint8_t)bits, b[1] = (uint8_t)(bits >> 8);
		b[2] = (uint8_t)(bits >> 16), b[3] = (uint8_t)(bits >> 24);
		refused_fast(data, len, "big.webp", "16383x16383 is over the");
	} else
		CHECK(0);
	free(data);
	/* GIF: a 65535x65535 logical screen. */
	if ((data = slurp(IMG "anim.gif", &len)) != NULL) {
		memset(data + 6, 0xff, 4);
		refused_fast(data, len, "big.gif", "65535x65535 is over the");
		free(data);
	} else
		CHECK(0);
}

/*
 * Every prefix and many bit-flipped copies of every fixture: each load either
 * works or fails with "NAME: reason"; none crashes, leaks (see valgrind and
 * ASan runs) or prints anything.
 */
static void
test_fuzz(void)
{
	static const char *files[] = { "rgb.png", "interlaced.png", "rgb16.png", "grey16.png",
		"rgba.png", "grey_alpha.png", "bilevel.png", "palette_trns.png", "orient6.png",
		"base.jpg", "progressive.jpg", "grey.jpg", "cmyk.jpg", "ycck.jpg", "orient6.jpg",
		"lossy.webp", "lossless.webp", "alpha.webp", "lossy_alpha.webp", "orient6.webp",
		"animated.webp", "anim.gif", "interlaced.gif" };
	struct image_opts o;
	struct image_info info;
	char *data, *cause, *buf, captured[256];
	size_t len, i, cut, step, k, nbad = 0;
	uint32_t seed = 12345;
	int m, saved_out, saved_err;
	FILE *cap;

	memset(&o, 0, sizeof o);
	o.max_pixels = 1 << 20;
	fflush(stdout);
	fflush(stderr);
	cap = tmpfile();
	if (cap == NULL) {
		CHECK(0);
		return;
	}
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(fileno(cap), 1);
	dup2(fileno(cap), 2);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[128];
		snprintf(path, sizeof path, IMG "%s", files[i]);
		if ((data = slurp(path, &len)) == NULL) {
			nbad++;
			continue;
		}
		buf = xmalloc(len);
		step = len / 120 + 1;
		for (cut = 0; cut < len; cut += step) {
			nbad += (size_t)fuzz_bad(data, cut, &o);
			cause = NULL;
			if (image_probe_mem(data, cut, "f", &info, &cause) != 0)
				nbad += !cause_ok(cause, "f", NULL);
			free(cause);
		}
		for (m = 0; m < 150; m++) {
			memcpy(buf, data, len);
			for (k = 0; k < 1 + (size_t)m % 4; k++) {
				seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
				buf[seed % len] ^= (char)(1u << (seed >> 8) % 8);
			}
			nbad += (size_t)fuzz_bad(buf, len, &o);
		}
		free(buf);
		free(data);
	}
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	CHECKF(ftell(cap) == 0, "the decoders printed %ld bytes", ftell(cap));
	if (ftell(cap) > 0) {
		rewind(cap);
		len = fread(captured, 1, sizeof captured - 1, cap);
		captured[len] = '\0';
		fprintf(stderr, "  printed: %s\n", captured);
	}
	fclose(cap);
	CHECKF(nbad == 0, "%zu results without a proper cause", nbad);
}

int
main(void)
{
	image_tests_begin("image-errors");
	RUN(test_error_messages);
	RUN(test_truncated_each_format);
	RUN(test_pixel_limits);
	RUN(test_hostile_sizes);
	RUN(test_fuzz);
	HARNESS_END();
}
