/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the tests of core/pixel/pixops.h (tests/unit/test_pixops*.c):
 * building small images (grid, solid, noisy), pixel accessors, comparing
 * images, loading the sample photos and expecting an op to fail. Every helper
 * is static inline so that a test file that uses only some of them compiles
 * without unused-function warnings.
 */
#ifndef MMDA_TESTS_PIXOPS_FIXTURES_H
#define MMDA_TESTS_PIXOPS_FIXTURES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "core/base/rng.h"
#include "tests/harness.h"

#define SAMPLE "tests/data/sample/images/"

static inline uint8_t *
px(const struct image *img, int x, int y)
{
	return img->px + ((size_t)y * img->w + (size_t)x) * img->channels;
}

/* A w x h image whose pixel (x, y) channel c is base + 10 * (y * w + x) + c. */
static inline struct image
grid(int w, int h, int ch, int base)
{
	struct image img;
	int x, y, c;

	if (image_alloc(&img, w, h, ch, 0, NULL) != 0)
		abort();
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (c = 0; c < ch; c++)
				px(&img, x, y)[c] = (uint8_t)((base + 10 * (y * w + x) + c) % 256);
	return img;
}

static inline struct image
solid(int w, int h, int ch, int r, int g, int b, int a)
{
	struct image img;
	size_t i;

	if (image_alloc(&img, w, h, ch, 0, NULL) != 0)
		abort();
	for (i = 0; i < (size_t)w * h; i++) {
		img.px[i * ch] = (uint8_t)r;
		img.px[i * ch + 1] = (uint8_t)g;
		img.px[i * ch + 2] = (uint8_t)b;
		if (ch == 4)
			img.px[i * ch + 3] = (uint8_t)a;
	}
	return img;
}

static inline struct image
noisy(int w, int h, int ch, uint64_t seed)
{
	struct image img;
	struct rng r;
	size_t i;

	if (image_alloc(&img, w, h, ch, 0, NULL) != 0)
		abort();
	rng_seed(&r, seed);
	for (i = 0; i < (size_t)w * h * ch; i++)
		img.px[i] = (uint8_t)rng_below(&r, 256);
	return img;
}

static inline int
same(const struct image *a, const struct image *b)
{
	return a->w == b->w && a->h == b->h && a->channels == b->channels &&
	    memcmp(a->px, b->px, (size_t)a->w * a->h * a->channels) == 0;
}

static inline struct image
load(const char *name, int keep_alpha)
{
	struct image_opts o = { 0, 0, 0, keep_alpha };
	struct image img;
	char *cause = NULL;

	if (image_load_file(name, &o, &img, &cause) != 0) {
		fprintf(stderr, "  %s: %s\n", name, cause);
		free(cause);
		memset(&img, 0, sizeof img);
	}
	return img;
}

static inline void
set_px(struct image *img, int x, int y, int r, int g, int b)
{
	px(img, x, y)[0] = (uint8_t)r;
	px(img, x, y)[1] = (uint8_t)g;
	px(img, x, y)[2] = (uint8_t)b;
}

static inline int
is_px(const struct image *img, int x, int y, int r, int g, int b)
{
	const uint8_t *p = px(img, x, y);

	if (p[0] == r && p[1] == g && p[2] == b)
		return 1;
	fprintf(stderr, "  pixel %d,%d is %d,%d,%d, expected %d,%d,%d\n", x, y, p[0], p[1],
	    p[2], r, g, b);
	return 0;
}

/* Expects failure with a cause containing word, and a zeroed out. */
static inline void
expect_error(int r, char *cause, const struct image *out, const char *word, int line)
{
	if (r != -1 || cause == NULL || strstr(cause, word) == NULL || out->px != NULL) {
		h_failures++;
		fprintf(stderr, "  line %d: expected an error about %s, got %d \"%s\"\n", line,
		    word, r, cause ? cause : "(none)");
	}
	free(cause);
}

#define EXPECT_ERROR(call, word)                                                 \
	do {                                                                     \
		char *e_cause = NULL;                                            \
		struct image e_out;                                              \
		memset(&e_out, 0xff, sizeof e_out);                              \
		int e_r = (call);                                                \
		expect_error(e_r, e_cause, &e_out, word, __LINE__);              \
	} while (0)

#endif /* MMDA_TESTS_PIXOPS_FIXTURES_H */
