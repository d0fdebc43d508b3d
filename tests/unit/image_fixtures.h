/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the tests of core/image/image.h (tests/unit/test_image_*.c).
 * The fixtures in tests/data/img come from independent encoders (see
 * tests/data/img/make-fixtures.sh, which documents the pixel formulas
 * repeated here). Every helper is static inline so that a test file that uses
 * only some of them compiles without unused-function warnings.
 */
#ifndef MMDA_TESTS_IMAGE_FIXTURES_H
#define MMDA_TESTS_IMAGE_FIXTURES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tests/harness.h"

#define IMG "tests/data/img/"

/* ---- running ---------------------------------------------------------------- */

static inline int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && (strstr(p, "vgpreload") != NULL || strstr(p, "valgrind") != NULL);
}

/*
 * Names the suite and prepares the decoders. libjpeg-turbo's SIMD chroma
 * upsampling reads padding columns it then discards; valgrind cannot see that
 * and flags the last column of some DCT-scaled decodes (libjpeg-turbo PR
 * #781). The C code gives the same pixels, so use it when valgrind watches.
 * Must be called before the first decode, as the library reads it once.
 */
static inline void
image_tests_begin(const char *suite)
{
	h_suite = suite;
	if (under_valgrind())
		setenv("JSIMD_FORCENONE", "1", 0);
}

/* ---- the fixtures' pixels ------------------------------------------------------ */

/* The 16x16 pattern of rgb.png and friends, channel c of pixel (x, y). */
static inline uint8_t
pat(int x, int y, int c)
{
	if (c == 0)
		return (uint8_t)((x * 37 + y * 11) % 256);
	if (c == 1)
		return (uint8_t)((x * 5 + y * 53 + 40) % 256);
	return (uint8_t)((x * y * 7 + 13) % 256);
}

static inline uint8_t
pat_alpha(int x, int y)
{
	return (uint8_t)((x * 16 + y * 3) % 256);
}

/* The pattern with its alpha as channel 3 (rgba.png, alpha.webp). */
static inline uint8_t
pat_rgba(int x, int y, int c)
{
	return c == 3 ? pat_alpha(x, y) : pat(x, y, c);
}

/* What compositing a over white gives, as documented in core/image/image.c. */
static inline uint8_t
over_white(unsigned c, unsigned a)
{
	return (uint8_t)((c * a + 255 * (255 - a) + 127) / 255);
}

static inline uint8_t *
px(const struct image *img, int x, int y)
{
	return img->px + ((size_t)y * (size_t)img->w + (size_t)x) * (size_t)img->channels;
}

static inline int
near(int a, int b, int tol)
{
	return abs(a - b) <= tol;
}

/* The expected value of channel c at (x, y). */
typedef uint8_t (*sample_fn)(int x, int y, int c);

/* Samples further than tol from want, or -1 when the image is not w x h x channels. */
static inline int
samples_bad(const struct image *img, int w, int h, int channels, sample_fn want, int tol)
{
	int x, y, c, bad = 0;

	if (img->w != w || img->h != h || img->channels != channels)
		return -1;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (c = 0; c < channels; c++)
				bad += !near(px(img, x, y)[c], want(x, y, c), tol);
	return bad;
}

/* Checks that img is w x h x channels and every sample is exactly want's. */
static inline void
check_samples(const char *what, const struct image *img, int w, int h, int channels,
    sample_fn want)
{
	int bad;

	CHECKF(img->w == w && img->h == h && img->channels == channels, "%s: %dx%dx%d", what,
	    img->w, img->h, img->channels);
	bad = samples_bad(img, w, h, channels, want, 0);
	CHECKF(bad == 0, "%s: %d samples differ", what, bad);
}

/* ---- loading -------------------------------------------------------------------- */

static inline int
load(const char *path, int keep_alpha, struct image *img)
{
	struct image_opts o;
	char *cause = NULL;
	int r;

	memset(&o, 0, sizeof o);
	o.keep_alpha = keep_alpha;
	r = image_load_file(path, &o, img, &cause);
	if (r != 0)
		fprintf(stderr, "  load %s: %s\n", path, cause ? cause : "(no cause)");
	free(cause);
	return r;
}

/* load() that must work: a failure is a failed check. Returns 1 when loaded. */
static inline int
load_ok(const char *path, int keep_alpha, struct image *img)
{
	int r = load(path, keep_alpha, img);

	CHECKF(r == 0, "%s did not load", path);
	return r == 0;
}

static inline char *
slurp(const char *path, size_t *len)
{
	char *data = NULL, *cause = NULL;

	if (file_read_all(path, 1 << 26, &data, len, &cause) != 0) {
		fprintf(stderr, "  %s\n", cause);
		free(cause);
		return NULL;
	}
	return data;
}

/* Checks that err is "NAME: ..." and contains reason. */
static inline int
cause_ok(const char *err, const char *name, const char *reason)
{
	size_t n = strlen(name);

	if (err == NULL)
		return 0;
	if (strncmp(err, name, n) != 0 || strncmp(err + n, ": ", 2) != 0)
		return 0;
	return reason == NULL || strstr(err, reason) != NULL;
}

/* A call's result r and cause: -1 with a cause holding frag (any cause when frag is NULL). */
static inline int
refused_ok(int r, const char *cause, const char *frag)
{
	int ok = r == -1 && cause != NULL && (frag == NULL || strstr(cause, frag) != NULL);

	if (!ok)
		fprintf(stderr, "  r=%d cause=%s, want one with \"%s\"\n", r,
		    cause ? cause : "(null)", frag ? frag : "");
	return ok;
}

/* Loads path expecting failure with reason; returns 1 when it failed that way. */
static inline int
fails_with(const char *path, const char *reason)
{
	struct image img;
	char *cause = NULL;
	int r = image_load_file(path, NULL, &img, &cause), ok;

	ok = r == -1 && cause_ok(cause, path, reason) && img.px == NULL && img.w == 0;
	if (!ok)
		fprintf(stderr, "  %s: r=%d cause=%s\n", path, r, cause ? cause : "(null)");
	if (r == 0)
		image_free(&img);
	free(cause);
	return ok;
}

/* Loads path and checks it is w x h x channels with every sample exactly want's. */
static inline void
check_file(const char *path, int keep_alpha, int w, int h, int channels, sample_fn want)
{
	struct image img;

	if (!load_ok(path, keep_alpha, &img))
		return;
	check_samples(path, &img, w, h, channels, want);
	image_free(&img);
}

/* image_load_mem() that must work: a failure is a failed check naming the cause. */
static inline int
load_mem_ok(const void *data, size_t len, const char *name, const struct image_opts *o,
    struct image *img)
{
	char *cause = NULL;
	int r = image_load_mem(data, len, name, o, img, &cause);

	CHECKF(r == 0, "%s", cause ? cause : name);
	free(cause);
	return r == 0;
}

/* ---- the blocks picture (base.jpg and friends) ----------------------------------- */

/* 32x16, 8x8 blocks; row 0 red green blue white, row 1 black yellow cyan grey. */
static const uint8_t block_col[8][3] __attribute__((unused)) = { { 255, 0, 0 },
	{ 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 }, { 0, 0, 0 }, { 255, 255, 0 },
	{ 0, 255, 255 }, { 128, 128, 128 } };

/* The blocks picture with blocks of b x b pixels (b = 8: the fixtures' 32x16). */
static inline void
make_blocks(struct image *img, int b)
{
	int x, y;

	CHECK(image_alloc(img, 4 * b, 2 * b, 3, 0, NULL) == 0);
	for (y = 0; y < 2 * b; y++)
		for (x = 0; x < 4 * b; x++)
			memcpy(px(img, x, y), block_col[(y / b) * 4 + x / b], 3);
}

/* Every pixel of every b x b block within tol of its colour (inset by inset pixels). */
static inline int
blocks_bad_b(const struct image *img, int b, int inset, int tol)
{
	int bx, by, x, y, c, bad = 0;

	if (img->w != 4 * b || img->h != 2 * b || img->channels != 3)
		return -1;
	for (by = 0; by < 2; by++)
		for (bx = 0; bx < 4; bx++)
			for (y = by * b + inset; y < by * b + b - inset; y++)
				for (x = bx * b + inset; x < bx * b + b - inset; x++)
					for (c = 0; c < 3; c++)
						bad += !near(px(img, x, y)[c],
						    block_col[by * 4 + bx][c], tol);
	return bad;
}

static inline int
blocks_bad(const struct image *img, int inset, int tol)
{
	return blocks_bad_b(img, 8, inset, tol);
}

/* ---- EXIF orientation -------------------------------------------------------------- */

/*
 * Where EXIF orientation o sends the stored pixel (x, y) of a w x h image,
 * written from the standard's description (forwards, unlike the decoder).
 */
static inline void
orient_forward(int o, int w, int h, int x, int y, int *dx, int *dy)
{
	switch (o) {
	case 1: *dx = x, *dy = y; break;
	case 2: *dx = w - 1 - x, *dy = y; break;         /* mirror left-right */
	case 3: *dx = w - 1 - x, *dy = h - 1 - y; break; /* rotate 180 */
	case 4: *dx = x, *dy = h - 1 - y; break;         /* mirror top-bottom */
	case 5: *dx = y, *dy = x; break;                 /* transpose */
	case 6: *dx = h - 1 - y, *dy = x; break;         /* rotate 90 clockwise */
	case 7: *dx = h - 1 - y, *dy = w - 1 - x; break; /* transverse */
	default: *dx = y, *dy = w - 1 - x; break;        /* 8: rotate 90 counter-clockwise */
	}
}

/* path holds the 16x16 pattern with EXIF orientation 6 (orient6.png, orient6.webp). */
static inline void
check_orient6_pattern(const char *path)
{
	struct image_info info;
	struct image img;
	int x, y, c, dx, dy, bad = 0;

	CHECK(image_probe_file(path, &info, NULL) == 0 && info.orientation == 6);
	if (!load_ok(path, 0, &img))
		return;
	CHECKF(img.w == 16 && img.h == 16 && img.channels == 3, "%s: %dx%dx%d", path, img.w,
	    img.h, img.channels);
	for (y = 0; y < 16 && img.w == 16 && img.h == 16 && img.channels == 3; y++)
		for (x = 0; x < 16; x++) {
			orient_forward(6, 16, 16, x, y, &dx, &dy);
			for (c = 0; c < 3; c++)
				bad += px(&img, dx, dy)[c] != pat(x, y, c);
		}
	CHECKF(bad == 0, "%s: %d samples", path, bad);
	image_free(&img);
}

#endif
