/* SPDX-License-Identifier: MIT */
/*
 * The sixel encoder wrapper (tui/sixel.c): encodes synthetic images and the
 * sample photos, decodes the DCS string back with libsixel's decoder and
 * compares sizes and colours; checks that the input is never modified, the
 * 7-bit framing, and the pane letterbox and geometry (tests/unit/test_outq.c
 * checks the bytes that take a pane to the terminal).
 *
 * The Makefile links unit tests only with core/ and db/ (build/libmmda.a), so
 * this test compiles the tui module in by including its .c file.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/sixel.c"

#include "tests/harness.h"
#include "tests/unit/sixel_decode.h"

#define SAMPLE_IMAGES "tests/data/sample/images/"

/* Encodes and decodes img, checking the framing; returns 0 on success. */
static int
roundtrip(const struct image *img, int colors, int dither, struct decoded *d, size_t *bytes)
{
	char *dcs = NULL, *cause = NULL, head[64];
	size_t len = 0, i;
	int r, bad = 0;

	r = sixel_encode_image(img, colors, dither, &dcs, &len, &cause);
	CHECKF(r == 0, "%s", cause ? cause : "?");
	free(cause);
	if (r != 0)
		return -1;
	CHECK(len > 4 && dcs[0] == '\033' && dcs[1] == 'P');
	CHECK(len > 4 && dcs[len - 2] == '\033' && dcs[len - 1] == '\\');
	CHECK(strlen(dcs) == len);
	for (i = 0; i < len; i++) {
		if ((unsigned char)dcs[i] >= 0x80)
			bad++;
	}
	CHECKF(bad == 0, "%d bytes >= 0x80 (8-bit C1 controls?)", bad);
	/* Raster attributes with the exact size, so P2 = 0 fills the whole area. */
	snprintf(head, sizeof head, "\"1;1;%d;%d", img->w, img->h);
	CHECKF(strstr(dcs, head) != NULL, "no raster attributes %s", head + 1);
	if (bytes != NULL)
		*bytes = len;
	r = decode(dcs, len, d);
	CHECK(r == 0);
	free(dcs);
	return r;
}

/* Largest per-channel difference between img (RGB) and the decoded pixels. */
static int
max_diff(const struct image *img, const struct decoded *d)
{
	size_t i, n = (size_t)img->w * (size_t)img->h * 3;
	int m = 0, v;

	for (i = 0; i < n; i++) {
		v = abs((int)img->px[i] - (int)d->rgb[i]);
		if (v > m)
			m = v;
	}
	return m;
}

static double
psnr(const struct image *img, const struct decoded *d)
{
	size_t i, n = (size_t)img->w * (size_t)img->h * 3;
	double se = 0, v;

	for (i = 0; i < n; i++) {
		v = (double)img->px[i] - (double)d->rgb[i];
		se += v * v;
	}
	if (se == 0)
		return 99;
	return 10 * log10(255.0 * 255.0 / (se / (double)n));
}

/* A w x h RGB image of four flat quadrants. */
static void
quadrants(struct image *img, int w, int h)
{
	static const uint8_t q[4][3] = {
		{ 200, 30, 40 }, { 24, 180, 90 }, { 10, 20, 230 }, { 250, 250, 250 },
	};
	int x, y, k;

	CHECK(image_alloc(img, w, h, 3, 0, NULL) == 0);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			k = (y >= h / 2) * 2 + (x >= w / 2);
			memcpy(img->px + 3 * ((size_t)y * (size_t)w + (size_t)x), q[k], 3);
		}
	}
}

static void
test_flat_patches(void)
{
	struct image img;
	struct decoded d;
	int sizes[][2] = { { 60, 48 }, { 7, 5 }, { 1, 1 }, { 333, 121 } }, i;

	for (i = 0; i < 4; i++) {
		quadrants(&img, sizes[i][0], sizes[i][1]);
		if (roundtrip(&img, 256, 0, &d, NULL) == 0) {
			CHECKF(d.w == img.w && d.h == img.h, "%dx%d for %dx%d", d.w, d.h,
			    img.w, img.h);
			if (d.w == img.w && d.h == img.h)
				CHECKF(max_diff(&img, &d) <= 3, "max diff %d",
				    max_diff(&img, &d));
			free(d.rgb);
		}
		/* Four colours fit in a 4-register palette exactly as well. */
		if (roundtrip(&img, 4, 1, &d, NULL) == 0) {
			if (d.w == img.w && d.h == img.h)
				CHECKF(max_diff(&img, &d) <= 3, "4 colours: max diff %d",
				    max_diff(&img, &d));
			free(d.rgb);
		}
		image_free(&img);
	}
}

static void
test_photos(void)
{
	static const char *names[] = { "astronaut.png", "chelsea.png", "horse.png",
		"coins.png", "coffee.png" };
	struct image img;
	struct decoded d;
	char path[256], *cause = NULL;
	size_t i, bytes;
	double t0, p;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, SAMPLE_IMAGES "%s", names[i]);
		if (image_load_file(path, NULL, &img, &cause) != 0) {
			CHECKF(0, "%s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		t0 = now_mono_s();
		if (roundtrip(&img, 256, 0, &d, &bytes) == 0) {
			t0 = now_mono_s() - t0;
			CHECKF(d.w == img.w && d.h == img.h, "%s: %dx%d", names[i], d.w, d.h);
			if (d.w == img.w && d.h == img.h) {
				p = psnr(&img, &d);
				printf("info: %s %dx%d, 256 colours, no dither: %.1f ms (with "
				    "decode), %zu bytes, PSNR %.1f dB\n", names[i], img.w, img.h,
				    t0 * 1e3, bytes, p);
				CHECKF(p > 28, "%s: PSNR %.1f dB", names[i], p);
			}
			free(d.rgb);
		}
		image_free(&img);
	}
}

/* The encode time alone, for the report (no assertion: sanitizers are slow). */
static void
test_encode_time(void)
{
	struct image img;
	char *dcs = NULL, *cause = NULL;
	size_t len = 0;
	double t0, best = 1e9, t;
	int i;

	if (image_load_file(SAMPLE_IMAGES "astronaut.png", NULL, &img, &cause) != 0) {
		CHECKF(0, "%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < 3; i++) {
		t0 = now_mono_s();
		CHECK(sixel_encode_image(&img, 256, 0, &dcs, &len, NULL) == 0);
		t = now_mono_s() - t0;
		if (t < best)
			best = t;
		free(dcs);
	}
	printf("info: encode astronaut.png %dx%d 256 colours no dither: best of 3 %.1f ms, "
	    "%zu bytes\n", img.w, img.h, best * 1e3, len);
	image_free(&img);
}

/* Diffusion writes into the buffer it encodes; the caller's image must not change. */
static void
test_input_unchanged(void)
{
	struct image img;
	char *dcs = NULL, *cause = NULL;
	uint8_t *before;
	size_t n, len;

	if (image_load_file(SAMPLE_IMAGES "chelsea.png", NULL, &img, &cause) != 0) {
		CHECKF(0, "%s", cause);
		free(cause);
		return;
	}
	n = (size_t)img.w * (size_t)img.h * (size_t)img.channels;
	before = xmalloc(n);
	memcpy(before, img.px, n);
	CHECK(sixel_encode_image(&img, 16, 1, &dcs, &len, NULL) == 0);
	CHECK(memcmp(before, img.px, n) == 0);
	free(dcs);
	CHECK(sixel_encode_image(&img, 256, 1, &dcs, &len, NULL) == 0);
	CHECK(memcmp(before, img.px, n) == 0);
	free(dcs);
	free(before);
	image_free(&img);
}

static void
test_refusals(void)
{
	struct image img = { 0, 0, 0, NULL };
	char *dcs = (char *)"x", *cause = NULL;
	size_t len = 1;

	CHECK(sixel_encode_image(&img, 256, 0, &dcs, &len, &cause) == -1);
	CHECK(cause != NULL && dcs == NULL && len == 0);
	free(cause);
	cause = NULL;
	quadrants(&img, 8, 8);
	CHECK(sixel_encode_image(&img, 1, 0, &dcs, &len, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "colours") != NULL);
	free(cause);
	cause = NULL;
	CHECK(sixel_encode_image(&img, 257, 0, &dcs, &len, &cause) == -1);
	free(cause);
	image_free(&img);
}

/* A w x h image of one colour, channels 3 or 4 (alpha a). */
static void
solid(struct image *img, int w, int h, int channels, const uint8_t c[3], uint8_t a)
{
	size_t i, n = (size_t)w * (size_t)h;

	CHECK(image_alloc(img, w, h, channels, 0, NULL) == 0);
	for (i = 0; i < n; i++) {
		memcpy(img->px + (size_t)channels * i, c, 3);
		if (channels == 4)
			img->px[4 * i + 3] = a;
	}
}

static int
px_is(const struct image *img, int x, int y, const uint8_t c[3], int tol)
{
	const uint8_t *p = img->px + 3 * ((size_t)y * (size_t)img->w + (size_t)x);

	return abs(p[0] - c[0]) <= tol && abs(p[1] - c[1]) <= tol && abs(p[2] - c[2]) <= tol;
}

static void
test_pane(void)
{
	static const uint8_t bg[3] = { 10, 20, 30 }, red[3] = { 220, 10, 10 };
	static const uint8_t mix[3] = { 115, 15, 20 };
	struct image img, out;
	struct decoded d;
	char *cause = NULL;

	/* Wide image: fills the width, letterboxed... here 100x50 -> 192x96. */
	solid(&img, 100, 50, 3, red, 255);
	CHECK(sixel_pane(&img, 200, 100, bg, &out, NULL) == 0);
	CHECK(out.w == 200 && out.h == 96 && out.channels == 3);
	if (out.w == 200 && out.h == 96) {
		CHECK(px_is(&out, 0, 0, bg, 0) && px_is(&out, 199, 95, bg, 0));
		CHECK(px_is(&out, 3, 48, bg, 0) && px_is(&out, 196, 48, bg, 0));
		CHECK(px_is(&out, 4, 48, red, 0) && px_is(&out, 195, 48, red, 0));
		CHECK(px_is(&out, 100, 0, red, 0) && px_is(&out, 100, 95, red, 0));
		/* The canvas survives the encoder: letterbox colour and all. */
		if (roundtrip(&out, 256, 0, &d, NULL) == 0) {
			CHECK(d.w == 200 && d.h == 96);
			if (d.w == 200 && d.h == 96)
				CHECK(max_diff(&out, &d) <= 3);
			free(d.rgb);
		}
	}
	image_free(&out);
	image_free(&img);

	/* Tall image: centred horizontally, 50x100 -> 48x96 at x 76. */
	solid(&img, 50, 100, 3, red, 255);
	CHECK(sixel_pane(&img, 200, 101, bg, &out, NULL) == 0);
	CHECK(out.w == 200 && out.h == 96);
	if (out.w == 200 && out.h == 96) {
		CHECK(px_is(&out, 75, 10, bg, 0) && px_is(&out, 76, 10, red, 0));
		CHECK(px_is(&out, 123, 10, red, 0) && px_is(&out, 124, 10, bg, 0));
	}
	image_free(&out);
	image_free(&img);

	/* Half-transparent RGBA is composited over the pane background. */
	solid(&img, 30, 30, 4, red, 128);
	CHECK(sixel_pane(&img, 30, 30, bg, &out, NULL) == 0);
	CHECK(out.w == 30 && out.h == 30 && out.channels == 3);
	if (out.px != NULL)
		CHECK(px_is(&out, 15, 15, mix, 1));
	image_free(&out);

	CHECK(sixel_pane(&img, 30, 5, bg, &out, &cause) == -1);
	CHECK(cause != NULL && out.px == NULL);
	free(cause);
	image_free(&img);
}

static void
test_geometry(void)
{
	int w, h;

	sixel_geometry(100, 40, 6, 13, 1000, 1000, &w, &h);
	CHECK(w == 600 && h == 516);
	sixel_geometry(200, 90, 6, 13, 0, 0, &w, &h);
	CHECK(w == 1000 && h == 996);
	sixel_geometry(80, 30, 10, 22, 600, 520, &w, &h);
	CHECK(w == 600 && h == 516);
	sixel_geometry(10, 1, 6, 5, 0, 0, &w, &h);
	CHECK(w == 0 && h == 0);
	sixel_geometry(10, 2, 0, 13, 0, 0, &w, &h);
	CHECK(w == 0 && h == 0);
}

int
main(void)
{
	h_suite = "sixel";
	RUN(test_flat_patches);
	RUN(test_photos);
	RUN(test_encode_time);
	RUN(test_input_unchanged);
	RUN(test_refusals);
	RUN(test_pane);
	RUN(test_geometry);
	HARNESS_END();
}
