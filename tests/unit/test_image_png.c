/* SPDX-License-Identifier: MIT */
/*
 * PNG decoding (core/image/image.h): every colour type and depth the fixtures in
 * tests/data/img hold, checked pixel by pixel, and tRNS chunks the fixtures
 * lack, built by hand. EXIF orientation in PNG is in test_image_exif.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"
#include "tests/unit/png_craft.h"

/* ---- expected samples ---------------------------------------------------------- */

/* rgb16.png: the pattern scaled to 16 bits, with noise in the low bits of R and G. */
static uint8_t
want_rgb16(int x, int y, int c)
{
	unsigned v = pat(x, y, c) * 257u;

	if (c == 0)
		v += (unsigned)(x * 7) % 128;
	else if (c == 1)
		v += (unsigned)(y * 13) % 128;
	if (v > 65535)
		v = 65535;
	/* Rounded, not truncated: v * 255 / 65535 to nearest. */
	return (uint8_t)((v * 255 + 32767) / 65535);
}

static uint8_t
want_grey16(int x, int y, int c)
{
	(void)c;
	return (uint8_t)(((unsigned)(x * 4099 + y * 1031) % 65536 * 255 + 32767) / 65535);
}

/* rgba.png decoded without alpha: composited over white. */
static uint8_t
want_rgba_over_white(int x, int y, int c)
{
	return over_white(pat(x, y, c), pat_alpha(x, y));
}

/* grey_alpha.png: the pattern's red channel as grey, with the pattern's alpha. */
static uint8_t
want_grey_alpha(int x, int y, int c)
{
	return c == 3 ? pat_alpha(x, y) : pat(x, y, 0);
}

/* bilevel.png: a 1-bit image; PBM 1 is black. */
static uint8_t
want_bilevel(int x, int y, int c)
{
	(void)c;
	return (x * 3 + y * 5) % 7 < 3 ? 0 : 255;
}

/* wide.png: 4000x10. */
static uint8_t
want_wide(int x, int y, int c)
{
	if (c == 0)
		return (uint8_t)(x % 256);
	if (c == 1)
		return (uint8_t)((x / 16) % 256);
	return (uint8_t)(y * 20);
}

/* ---- tests ------------------------------------------------------------------------ */

static void
test_png_rgb(void)
{
	struct image img;
	struct image_info info;
	char *cause = NULL;

	check_file(IMG "rgb.png", 0, 16, 16, 3, pat);
	CHECK(image_probe_file(IMG "rgb.png", &info, &cause) == 0);
	CHECK(info.format == IMAGE_PNG && info.w == 16 && info.h == 16);
	CHECK(info.orientation == 1 && info.has_alpha == 0);
	free(cause);
	/* keep_alpha does not invent an alpha channel. */
	if (load_ok(IMG "rgb.png", 1, &img)) {
		CHECK(img.channels == 3);
		image_free(&img);
	}
}

static void
test_png_interlaced(void)
{
	check_file(IMG "interlaced.png", 0, 16, 16, 3, pat);
}

static void
test_png_16bit(void)
{
	check_file(IMG "rgb16.png", 0, 16, 16, 3, want_rgb16);
	check_file(IMG "grey16.png", 0, 16, 16, 3, want_grey16);
}

static void
test_png_alpha(void)
{
	struct image_info info;

	CHECK(image_probe_file(IMG "rgba.png", &info, NULL) == 0 && info.has_alpha == 1);
	check_file(IMG "rgba.png", 1, 16, 16, 4, pat_rgba);
	check_file(IMG "rgba.png", 0, 16, 16, 3, want_rgba_over_white);
	check_file(IMG "grey_alpha.png", 1, 16, 16, 4, want_grey_alpha);
}

static void
test_png_palette_trns(void)
{
	static const uint8_t col[4][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 0, 255 } };
	struct image img;
	int x, y, k, bad = 0;

	/* Colour k = (x + y) % 4; index 3 is fully transparent (its colour unspecified). */
	if (load_ok(IMG "palette_trns.png", 1, &img)) {
		CHECK(img.w == 4 && img.h == 4 && img.channels == 4);
		for (y = 0; y < 4 && img.channels == 4; y++)
			for (x = 0; x < 4; x++) {
				k = (x + y) % 4;
				if (k == 3)
					bad += px(&img, x, y)[3] != 0;
				else
					bad += memcmp(px(&img, x, y), col[k], 3) != 0 ||
					    px(&img, x, y)[3] != 255;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	}
	bad = 0;
	if (load_ok(IMG "palette_trns.png", 0, &img)) {
		CHECK(img.channels == 3);
		for (y = 0; y < 4 && img.channels == 3; y++)
			for (x = 0; x < 4; x++) {
				k = (x + y) % 4;
				if (k == 3)
					bad += memcmp(px(&img, x, y), "\xff\xff\xff", 3) != 0;
				else
					bad += memcmp(px(&img, x, y), col[k], 3) != 0;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	}
}

/* tRNS on grey and RGB images (the fixtures only have it on a palette). */
static void
test_png_trns_crafted(void)
{
	static const uint8_t grey[] = { 0, 0, 50, 100, 200 }, grey_trns[] = { 0, 50 };
	static const uint8_t rgb[] = { 0, 1, 2, 3, 9, 8, 7 }, rgb_trns[] = { 0, 9, 0, 8, 0, 7 };
	static const uint8_t grey16[] = { 0, 0x12, 0x34, 0xff, 0xff }, g16_trns[] = { 0x12, 0x34 };
	uint8_t png[256];
	struct image_opts o;
	struct image img;
	char *cause = NULL;
	size_t n;

	memset(&o, 0, sizeof o);
	o.keep_alpha = 1;
	n = png_build(png, 4, 1, 8, 0, grey, sizeof grey, grey_trns, 2);
	if (load_mem_ok(png, n, "g.png", &o, &img)) {
		CHECK(img.channels == 4 && img.w == 4);
		CHECK(memcmp(img.px, "\0\0\0\xff" "\x32\x32\x32\0" "\x64\x64\x64\xff"
		    "\xc8\xc8\xc8\xff", 16) == 0);
		image_free(&img);
	}
	n = png_build(png, 2, 1, 8, 2, rgb, sizeof rgb, rgb_trns, 6);
	if (load_mem_ok(png, n, "rgb.png", &o, &img)) {
		CHECK(img.channels == 4 && memcmp(img.px, "\1\2\3\xff\x09\x08\x07\0", 8) == 0);
		image_free(&img);
	}
	/* Without keep_alpha the transparent pixel is white. */
	if (load_mem_ok(png, n, "rgb.png", NULL, &img)) {
		CHECK(img.channels == 3 && memcmp(img.px, "\1\2\3\xff\xff\xff", 6) == 0);
		image_free(&img);
	}
	/* 16-bit grey: the tRNS match is on the 16-bit value, before scaling. */
	n = png_build(png, 2, 1, 16, 0, grey16, sizeof grey16, g16_trns, 2);
	if (load_mem_ok(png, n, "g16.png", &o, &img)) {
		CHECK(img.channels == 4 && img.px[3] == 0 && img.px[4] == 255 && img.px[7] == 255);
		image_free(&img);
	}
	/* The same file with a damaged CRC: corrupt, and libpng's reason given. */
	n = png_build(png, 2, 1, 8, 2, rgb, sizeof rgb, NULL, 0);
	png[n - 13] ^= 1; /* last byte of the IDAT CRC */
	CHECK(image_load_mem(png, n, "crc.png", NULL, &img, &cause) == -1);
	CHECKF(cause_ok(cause, "crc.png", "corrupt PNG data (") && strstr(cause, "CRC"), "%s",
	    cause ? cause : "(null)");
	free(cause);
}

static void
test_png_bilevel(void)
{
	check_file(IMG "bilevel.png", 0, 13, 7, 3, want_bilevel);
}

static void
test_small_and_wide(void)
{
	struct image img;

	if (load_ok(IMG "1x1.png", 0, &img)) {
		CHECK(img.w == 1 && img.h == 1 && img.channels == 3);
		CHECK(memcmp(img.px, "\x0a\xc8\x1e", 3) == 0);
		image_free(&img);
	}
	check_file(IMG "wide.png", 0, 4000, 10, 3, want_wide);
}

int
main(void)
{
	image_tests_begin("image-png");
	RUN(test_png_rgb);
	RUN(test_png_interlaced);
	RUN(test_png_16bit);
	RUN(test_png_alpha);
	RUN(test_png_palette_trns);
	RUN(test_png_trns_crafted);
	RUN(test_png_bilevel);
	RUN(test_small_and_wide);
	HARNESS_END();
}
