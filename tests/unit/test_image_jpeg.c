/* SPDX-License-Identifier: MIT */
/*
 * JPEG decoding (core/image/image.h): baseline and progressive, grey, Adobe CMYK
 * and YCCK (from three different encoders), junk and damage in the data, and
 * DCT scaling. Lossy, so checked within a tolerance. EXIF orientation is in
 * test_image_exif.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"

#define HUBBLE "tests/data/sample/images/hubble_deep_field.jpg"

/* Loads path and checks it is the 32x16 blocks picture within 8 levels. */
static void
check_blocks_file(const char *path)
{
	struct image img;

	if (load_ok(path, 0, &img)) {
		CHECK(img.channels == 3);
		CHECKF(blocks_bad(&img, 0, 8) == 0, "%s", path);
		image_free(&img);
	}
}

/* Samples further than tol from a row of n 8x8 patches of the colours cols. */
static int
patches_bad(const struct image *img, const uint8_t (*cols)[3], int n, int tol)
{
	int x, y, c, bad = 0;

	if (img->w != n * 8 || img->h != 8 || img->channels != 3)
		return -1;
	for (y = 0; y < 8; y++)
		for (x = 0; x < img->w; x++)
			for (c = 0; c < 3; c++)
				bad += !near(px(img, x, y)[c], cols[x / 8][c], tol);
	return bad;
}

static void
check_patches(const char *what, const struct image *img, const uint8_t (*cols)[3], int n)
{
	int r = patches_bad(img, cols, n, 8);

	CHECKF(r == 0, "%s: %d samples off", what, r);
}

/* Loads path asking for at least min_w x min_h; checks it came out w x h. */
static void
check_scaled(const char *path, int min_w, int min_h, int w, int h)
{
	struct image_opts o;
	struct image img;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.min_w = min_w, o.min_h = min_h;
	if (image_load_file(path, &o, &img, &cause) == 0) {
		CHECKF(img.w == w && img.h == h, "%s at >= %dx%d: %dx%d, want %dx%d", path, min_w,
		    min_h, img.w, img.h, w, h);
		image_free(&img);
	} else
		CHECKF(0, "%s: %s", path, cause ? cause : "(no cause)");
	free(cause);
}

static void
test_jpeg_baseline_progressive(void)
{
	struct image_info info;

	check_blocks_file(IMG "base.jpg");
	check_blocks_file(IMG "progressive.jpg");
	CHECK(image_probe_file(IMG "progressive.jpg", &info, NULL) == 0);
	CHECK(info.format == IMAGE_JPEG && info.w == 32 && info.h == 16 && !info.has_alpha);
}

/* Junk bytes before a marker (common in camera files) lose no pixel: accepted.
 * Junk inside the entropy-coded data is damage: refused. */
static void
test_jpeg_extraneous_bytes(void)
{
	size_t len;
	char *data = slurp(IMG "base.jpg", &len);
	struct image img, ref;
	char *cause = NULL;

	CHECK(data != NULL && len > 4);
	if (data == NULL)
		return;
	CHECK((uint8_t)data[len - 2] == 0xff && (uint8_t)data[len - 1] == 0xd9);
	uint8_t *junk = xmalloc(len + 4);
	memcpy(junk, data, len - 2);
	memcpy(junk + len - 2, "\x00\x11\x22\x33\xff\xd9", 6);
	CHECK(load(IMG "base.jpg", 0, &ref) == 0);
	if (load_mem_ok(junk, len + 4, "junk.jpg", NULL, &img)) {
		if (ref.px != NULL)
			CHECK(img.w == ref.w && img.h == ref.h &&
			    memcmp(img.px, ref.px, (size_t)img.w * img.h * 3) == 0);
		image_free(&img);
	}
	image_free(&ref);
	/* Cut the scan short: the missing rows are damage, never shown. */
	CHECK(image_load_mem(data, len / 2, "half.jpg", NULL, &img, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "half.jpg") != NULL);
	free(cause);
	free(junk);
	free(data);
}

static void
test_jpeg_grey(void)
{
	struct image img;
	int x, y, bad = 0;

	if (load_ok(IMG "grey.jpg", 0, &img)) {
		CHECK(img.w == 32 && img.h == 8 && img.channels == 3);
		for (y = 0; y < 8 && img.w == 32; y++)
			for (x = 0; x < 32; x++) {
				uint8_t *p = px(&img, x, y);
				bad += p[0] != p[1] || p[1] != p[2] || !near(p[0], x / 8 * 80 + 15, 4);
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	}
}

static void
test_jpeg_cmyk(void)
{
	static const uint8_t cols[8][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 255, 255 }, { 0, 255, 255 }, { 255, 0, 255 }, { 255, 255, 0 },
		{ 0, 0, 0 } };
	struct image img;

	/* Ghostscript: Adobe CMYK, inverted samples, APP14 transform 0. */
	if (load_ok(IMG "cmyk.jpg", 0, &img)) {
		check_patches("cmyk.jpg", &img, cols, 8);
		image_free(&img);
	}
	/* ImageMagick: Adobe YCCK (APP14 transform 2). */
	if (load_ok(IMG "ycck.jpg", 0, &img)) {
		check_patches("ycck.jpg", &img, cols, 4);
		image_free(&img);
	}
}

/* A YCCK JPEG made by TurboJPEG's compressor from Photoshop-style inverted CMYK. */
static void
test_jpeg_ycck_turbojpeg(void)
{
	static const uint8_t ink[4][4] = { { 0, 255, 255, 0 }, { 255, 0, 255, 0 },
		{ 255, 255, 0, 0 }, { 0, 0, 0, 0 } };
	static const uint8_t cols[4][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 255, 255 } };
	uint8_t cmyk[32 * 8 * 4], *p = cmyk;
	unsigned char *jpg = NULL;
	unsigned long n = 0;
	struct image img;
	int x, y, c, w, h, ss, cs;
	tjhandle tj = tjInitCompress();

	for (y = 0; y < 8; y++)
		for (x = 0; x < 32; x++)
			for (c = 0; c < 4; c++)
				*p++ = (uint8_t)(255 - ink[x / 8][c]);
	CHECK(tj != NULL);
	if (tj == NULL)
		return;
	CHECK(tjCompress2(tj, cmyk, 32, 0, 8, TJPF_CMYK, &jpg, &n, TJSAMP_444, 95, 0) == 0);
	tjDestroy(tj);
	tj = tjInitDecompress();
	CHECK(tjDecompressHeader3(tj, jpg, n, &w, &h, &ss, &cs) == 0 && cs == TJCS_YCCK);
	tjDestroy(tj);
	if (load_mem_ok(jpg, n, "ycck", NULL, &img)) {
		check_patches("ycck", &img, cols, 4);
		image_free(&img);
	}
	tjFree(jpg);
}

static void
test_jpeg_dct_scaling(void)
{
	struct image_opts o;
	struct image full, small, ref;
	char *cause = NULL;
	long diff = 0;
	size_t i, n;

	memset(&o, 0, sizeof o);
	o.min_w = 100, o.min_h = 100;
	/* 1000x872: 1/8 gives 125x109, the smallest that still covers 100x100. */
	CHECK(image_load_file(HUBBLE, &o, &small, &cause) == 0);
	CHECKF(small.w == 125 && small.h == 109, "%dx%d", small.w, small.h);
	check_scaled(HUBBLE, 200, 200, 250, 218);
	/* The scaled picture is the picture: close to an area-averaged full decode. */
	CHECK(load(HUBBLE, 0, &full) == 0);
	CHECK(full.w == 1000 && full.h == 872);
	if (small.w == 125 && full.w == 1000 &&
	    image_resize(&full, 125, 109, &ref, &cause) == 0) {
		n = (size_t)125 * 109 * 3;
		for (i = 0; i < n; i++)
			diff += abs(small.px[i] - ref.px[i]);
		CHECKF(diff / (long)n <= 3, "mean difference %ld", diff / (long)n);
		image_free(&ref);
	} else
		CHECK(0);
	image_free(&full);
	image_free(&small);
	free(cause);
	/* The minimum is in displayed (rotated) terms: 4x8 shown is 8x4 stored, 1/4. */
	check_scaled(IMG "orient6.jpg", 4, 8, 4, 8);
	/* A minimum larger than the image: full size, never enlarged. */
	check_scaled(IMG "base.jpg", 1000, 1000, 32, 16);
	/* Other formats ignore the hint and decode at full size. */
	check_scaled(IMG "rgb.png", 2, 2, 16, 16);
}

int
main(void)
{
	image_tests_begin("image-jpeg");
	RUN(test_jpeg_baseline_progressive);
	RUN(test_jpeg_extraneous_bytes);
	RUN(test_jpeg_grey);
	RUN(test_jpeg_cmyk);
	RUN(test_jpeg_ycck_turbojpeg);
	RUN(test_jpeg_dct_scaling);
	HARNESS_END();
}
