/* SPDX-License-Identifier: MIT */
/*
 * Pixel buffers and sizes (core/image/image.h): image_alloc/image_free, image_fit,
 * and the area-averaging resize, checked exactly on small images, against a
 * reference in doubles on photos, and for speed on a 4000x3000 picture.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"

#define SAMPLE_IMAGES "tests/data/sample/images/"

/* image_alloc expecting a refusal with frag in the cause and no pixels. */
static int
alloc_refused(int w, int h, int channels, uint64_t max_pixels, const char *frag)
{
	struct image img;
	char *cause = NULL;
	int r = image_alloc(&img, w, h, channels, max_pixels, &cause);
	int ok = refused_ok(r, cause, frag) && img.px == NULL;

	if (r == 0)
		image_free(&img);
	free(cause);
	return ok;
}

/* image_resize expecting a refusal with frag in the cause and no pixels. */
static int
resize_refused(const struct image *src, int dw, int dh, const char *frag)
{
	struct image dst;
	char *cause = NULL;
	int r = image_resize(src, dw, dh, &dst, &cause);
	int ok = refused_ok(r, cause, frag) && dst.px == NULL;

	if (r == 0)
		image_free(&dst);
	free(cause);
	return ok;
}

/* A w x h grey image (channels 3) with one value per pixel from v. */
static void
grey_row(struct image *img, const uint8_t *v, int w, int h)
{
	int i;

	CHECK(image_alloc(img, w, h, 3, 0, NULL) == 0);
	for (i = 0; i < w * h; i++)
		img->px[3 * i] = img->px[3 * i + 1] = img->px[3 * i + 2] = v[i];
}

static int
resized_is(const uint8_t *v, int w, int h, int dw, int dh, const uint8_t *want)
{
	struct image src, dst;
	int i, ok = 1;

	grey_row(&src, v, w, h);
	if (image_resize(&src, dw, dh, &dst, NULL) != 0) {
		image_free(&src);
		return 0;
	}
	for (i = 0; i < dw * dh; i++)
		if (dst.px[3 * i] != want[i] || dst.px[3 * i + 1] != want[i] ||
		    dst.px[3 * i + 2] != want[i]) {
			fprintf(stderr, "  pixel %d: %d, want %d\n", i, dst.px[3 * i], want[i]);
			ok = 0;
		}
	image_free(&src);
	image_free(&dst);
	return ok;
}

/* The coverage-weighted mean, in doubles, straight from the definition. */
static double
ref_area(const struct image *s, int dw, int dh, int x, int y, int c)
{
	double x0 = (double)x * s->w / dw, x1 = (double)(x + 1) * s->w / dw;
	double y0 = (double)y * s->h / dh, y1 = (double)(y + 1) * s->h / dh;
	double sum = 0, wsum = 0, ox, oy;
	int i, j;

	for (j = (int)floor(y0); j < (int)ceil(y1) && j < s->h; j++) {
		oy = fmin(y1, j + 1) - fmax(y0, j);
		for (i = (int)floor(x0); i < (int)ceil(x1) && i < s->w; i++) {
			ox = fmin(x1, i + 1) - fmax(x0, i);
			sum += ox * oy * px(s, i, j)[c];
			wsum += ox * oy;
		}
	}
	return sum / wsum;
}

static void
check_against_reference(const char *path, int keep_alpha, int dw, int dh)
{
	struct image src, dst;
	int x, y, c, bad = 0;
	double worst = 0, d;

	if (!load_ok(path, keep_alpha, &src))
		return;
	if (image_resize(&src, dw, dh, &dst, NULL) != 0) {
		CHECK(0);
		image_free(&src);
		return;
	}
	CHECK(dst.w == dw && dst.h == dh && dst.channels == src.channels);
	for (y = 0; y < dh; y++)
		for (x = 0; x < dw; x++)
			for (c = 0; c < src.channels; c++) {
				d = fabs(px(&dst, x, y)[c] - ref_area(&src, dw, dh, x, y, c));
				bad += d > 1;
				worst = fmax(worst, d);
			}
	CHECKF(bad == 0, "%s -> %dx%d: %d samples off by more than 1 (worst %.2f)", path, dw,
	    dh, bad, worst);
	image_free(&src);
	image_free(&dst);
}

static void
test_alloc_free(void)
{
	struct image img;
	char *cause = NULL;

	CHECK(image_alloc(&img, 3, 2, 4, 0, &cause) == 0);
	CHECK(img.w == 3 && img.h == 2 && img.channels == 4 && img.px != NULL);
	CHECK(img.px[0] == 0 && img.px[23] == 0);
	image_free(&img);
	CHECK(img.px == NULL && img.w == 0);
	image_free(&img); /* safe twice */
	image_free(NULL);
	free(cause);
	CHECK(alloc_refused(3, 2, 2, 0, "channels"));
	CHECK(alloc_refused(0, 2, 3, 0, "bad image size"));
	CHECK(alloc_refused(-5, 2, 3, 0, NULL));
	CHECK(alloc_refused(100, 100, 3, 9999, "100x100 is over the 9999-pixel limit"));
	CHECK(alloc_refused(65536, 65536, 3, 0, "over the 64000000-pixel limit"));
}

static void
test_fit(void)
{
	static const int cases[][6] = {
		{ 4000, 3000, 512, 512, 512, 384 },
		{ 3000, 4000, 512, 512, 384, 512 },
		{ 640, 427, 160, 160, 160, 107 }, /* 106.75 rounds up */
		{ 100, 50, 1000, 1000, 1000, 500 }, /* largest that fits: enlarges */
		{ 1, 10000, 100, 100, 1, 100 },   /* 0.01 wide: at least 1 */
		{ 10000, 1, 100, 100, 100, 1 },
		{ 512, 512, 100, 50, 50, 50 },
		{ 300, 200, 300, 200, 300, 200 },
		{ 0, 0, 10, 10, 10, 10 },
		{ 10, 10, 0, 0, 1, 1 },
	};
	size_t i;
	int w, h;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		image_fit(cases[i][0], cases[i][1], cases[i][2], cases[i][3], &w, &h);
		CHECKF(w == cases[i][4] && h == cases[i][5], "%dx%d in %dx%d: %dx%d",
		    cases[i][0], cases[i][1], cases[i][2], cases[i][3], w, h);
	}
}

static void
test_resize_exact(void)
{
	/* 4x4 -> 2x2: the means of the 2x2 blocks. */
	static const uint8_t a[16] = { 10, 20, 100, 104, 30, 40, 96, 100, 0, 0, 255, 255, 4, 8,
		255, 251 };
	static const uint8_t a2[4] = { 25, 100, 3, 254 };
	/* 3x1 -> 2x1: weights 2/3, 1/3 and 1/3, 2/3: (0*1 + 30*.5)/1.5, (30*.5 + 90)/1.5. */
	static const uint8_t b[3] = { 0, 30, 90 }, b2[2] = { 10, 70 };
	/* 5x1 -> 2x1: (10 + 20 + 15) / 2.5 = 18, (15 + 40 + 50) / 2.5 = 42. */
	static const uint8_t c[5] = { 10, 20, 30, 40, 50 }, c2[2] = { 18, 42 };
	/* 3x3 -> 2x2: weights (2/3, 1/3) on both axes at the top-left:
	 * 4/9*90 + 2/9*0 + 2/9*0 + 1/9*45 = 45 (x.0, not a tie). */
	static const uint8_t d[9] = { 90, 0, 9, 0, 45, 0, 18, 0, 27 };
	/* top-right: 4/9*9 + 2/9*0 + 2/9*0 + 1/9*45 = 9; bottom-left: 4/9*18 + 1/9*45 = 13;
	 * bottom-right: 4/9*27 + 1/9*45 = 17. */
	static const uint8_t d2[4] = { 45, 9, 13, 17 };
	/* Means that are not whole: 4 -> 1: (1+2+3+5)/4 = 2.75 -> 3; (1+1+1+2)/4 = 1.25 -> 1. */
	static const uint8_t e[4] = { 1, 2, 3, 5 }, e2[1] = { 3 };
	static const uint8_t f[4] = { 1, 1, 1, 2 }, f2[1] = { 1 };
	/* Upscaling 2x1 -> 4x1 is bilinear between centres, clamped at the edges. */
	static const uint8_t g[2] = { 0, 100 }, g2[4] = { 0, 25, 75, 100 };
	/* Same size: a copy. */
	static const uint8_t h[3] = { 7, 8, 9 };
	/* Mixed: 4x1 -> 2x2 shrinks across, repeats down. */
	static const uint8_t k[4] = { 10, 30, 50, 70 }, k2[4] = { 20, 60, 20, 60 };

	CHECK(resized_is(a, 4, 4, 2, 2, a2));
	CHECK(resized_is(b, 3, 1, 2, 1, b2));
	CHECK(resized_is(c, 5, 1, 2, 1, c2));
	CHECK(resized_is(d, 3, 3, 2, 2, d2));
	CHECK(resized_is(e, 4, 1, 1, 1, e2));
	CHECK(resized_is(f, 4, 1, 1, 1, f2));
	CHECK(resized_is(g, 2, 1, 4, 1, g2));
	CHECK(resized_is(h, 3, 1, 3, 1, h));
	CHECK(resized_is(h, 1, 3, 1, 3, h));
	CHECK(resized_is(k, 4, 1, 2, 2, k2));
}

static void
test_resize_rgba_and_errors(void)
{
	struct image src, dst;
	char *cause = NULL;

	CHECK(image_alloc(&src, 2, 1, 4, 0, NULL) == 0);
	memcpy(src.px, "\x00\x10\x20\x00\xff\x30\x40\xfe", 8);
	CHECK(image_resize(&src, 1, 1, &dst, &cause) == 0);
	CHECK(dst.channels == 4 && memcmp(dst.px, "\x80\x20\x30\x7f", 4) == 0);
	image_free(&dst);
	free(cause);
	CHECK(resize_refused(&src, 0, 5, "0x5"));
	CHECK(resize_refused(&src, 100000, 100000, "pixel limit"));
	image_free(&src);
	CHECK(resize_refused(&src, 5, 5, NULL));
}

static void
test_resize_photos(void)
{
	check_against_reference(SAMPLE_IMAGES "astronaut.png", 0, 100, 77);
	check_against_reference(SAMPLE_IMAGES "chelsea.png", 0, 97, 61);
	check_against_reference(SAMPLE_IMAGES "horse.png", 1, 123, 45);
	check_against_reference(SAMPLE_IMAGES "coffee.png", 0, 600, 1);
	check_against_reference(IMG "wide.png", 0, 400, 1);
	check_against_reference(IMG "wide.png", 0, 1, 10);
}

static void
test_speed(void)
{
	struct image big, small;
	uint8_t *jpg = NULL;
	size_t len = 0, i, n;
	double t_resize, t_decode, t_scaled, t;
	struct image_opts o;
	char *cause = NULL;
	int slow = under_valgrind();

	if (image_alloc(&big, 4000, 3000, 3, 0, NULL) != 0) {
		CHECK(0);
		return;
	}
	n = (size_t)4000 * 3000 * 3;
	/* Smooth gradients with some texture, roughly like a photo. */
	for (i = 0; i < n; i += 3) {
		size_t x = i / 3 % 4000, y = i / 3 / 4000;
		big.px[i] = (uint8_t)(x / 16);
		big.px[i + 1] = (uint8_t)(y / 12);
		big.px[i + 2] = (uint8_t)(((x ^ y) & 63) + 96);
	}
	t = now_mono_s();
	CHECK(image_resize(&big, 512, 384, &small, NULL) == 0);
	t_resize = now_mono_s() - t;
	image_free(&small);
	CHECK(image_encode(&big, IMAGE_JPEG, 85, &jpg, &len, &cause) == 0);
	image_free(&big);
	t = now_mono_s();
	CHECK(image_load_mem(jpg, len, "big.jpg", NULL, &big, &cause) == 0);
	t_decode = now_mono_s() - t;
	image_free(&big);
	memset(&o, 0, sizeof o);
	o.min_w = 512, o.min_h = 384;
	t = now_mono_s();
	CHECK(image_load_mem(jpg, len, "big.jpg", &o, &big, &cause) == 0);
	t_scaled = now_mono_s() - t;
	/* 1/8 would give 500x375, short of 384 rows; 1/4 gives 1000x750. */
	CHECK(big.w == 1000 && big.h == 750);
	image_free(&big);
	free(jpg);
	free(cause);
	fprintf(stderr, "  info: 4000x3000: resize to 512x384 %.1f ms, JPEG decode %.1f ms, "
	    "decode at >= 512x384 %.1f ms\n", t_resize * 1e3, t_decode * 1e3, t_scaled * 1e3);
	if (!slow)
		CHECKF(t_resize < 0.4, "resize took %.3f s", t_resize);
}

int
main(void)
{
	image_tests_begin("image-resize");
	RUN(test_alloc_free);
	RUN(test_fit);
	RUN(test_resize_exact);
	RUN(test_resize_rgba_and_errors);
	RUN(test_resize_photos);
	RUN(test_speed);
	HARNESS_END();
}
