/* SPDX-License-Identifier: MIT */
/*
 * Format names and sniffing, and the WebP and GIF decoders (core/image/image.h):
 * lossless WebP and GIF checked pixel by pixel, lossy WebP within a
 * tolerance, animations reduced to (or refused at) their first frame.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"

/* interlaced.gif: 8x20, one colour a row. */
static uint8_t
want_interlaced_gif(int x, int y, int c)
{
	(void)x;
	if (c == 0)
		return (uint8_t)(y * 12);
	if (c == 1)
		return (uint8_t)(255 - y * 12);
	return (uint8_t)((y * 5) % 256);
}

/* anim.gif's first frame: 8x8 at (4, 2) on a 16x12 screen; -1 off the frame or transparent. */
static int
gif_frame_colour(int x, int y)
{
	int k;

	if (x < 4 || x >= 12 || y < 2 || y >= 10)
		return -1;
	k = ((x - 4) + 2 * (y - 2)) % 4;
	return k == 3 ? -1 : k;
}

static void
test_format_names(void)
{
	CHECK_STR(image_format_name(IMAGE_JPEG), "jpeg");
	CHECK_STR(image_format_name(IMAGE_PNG), "png");
	CHECK_STR(image_format_name(IMAGE_WEBP), "webp");
	CHECK_STR(image_format_name(IMAGE_GIF), "gif");
	CHECK_STR(image_format_name(IMAGE_UNKNOWN), "unknown");
	CHECK(image_format_parse("png") == IMAGE_PNG);
	CHECK(image_format_parse(".jpg") == IMAGE_JPEG);
	CHECK(image_format_parse("JPEG") == IMAGE_JPEG);
	CHECK(image_format_parse("photo.WebP") == IMAGE_WEBP);
	CHECK(image_format_parse("gif") == IMAGE_GIF);
	CHECK(image_format_parse("a/b.c/x.jpeg") == IMAGE_JPEG);
	CHECK(image_format_parse("bmp") == IMAGE_UNKNOWN);
	CHECK(image_format_parse("") == IMAGE_UNKNOWN);
	CHECK(image_format_parse(NULL) == IMAGE_UNKNOWN);
}

static void
test_sniff(void)
{
	CHECK(image_sniff("\xff\xd8\xff\xe0", 4) == IMAGE_JPEG);
	CHECK(image_sniff("\x89PNG\r\n\x1a\n", 8) == IMAGE_PNG);
	CHECK(image_sniff("\x89PNG\r\n\x1a", 7) == IMAGE_UNKNOWN);
	CHECK(image_sniff("RIFF\x10\0\0\0WEBPVP8 ", 16) == IMAGE_WEBP);
	CHECK(image_sniff("RIFF\x10\0\0\0WAVEfmt ", 16) == IMAGE_UNKNOWN);
	CHECK(image_sniff("GIF89a", 6) == IMAGE_GIF);
	CHECK(image_sniff("GIF87a", 6) == IMAGE_GIF);
	CHECK(image_sniff("GIF88a", 6) == IMAGE_UNKNOWN);
	CHECK(image_sniff("hello", 5) == IMAGE_UNKNOWN);
	CHECK(image_sniff("\xff\xd8", 2) == IMAGE_UNKNOWN);
	CHECK(image_sniff(NULL, 0) == IMAGE_UNKNOWN);
}

static void
test_webp(void)
{
	struct image img;
	struct image_info info;
	int x, y, bad = 0, r;

	check_file(IMG "lossless.webp", 0, 16, 16, 3, pat);
	CHECK(image_probe_file(IMG "alpha.webp", &info, NULL) == 0);
	CHECK(info.format == IMAGE_WEBP && info.w == 16 && info.h == 16 && info.has_alpha);
	check_file(IMG "alpha.webp", 1, 16, 16, 4, pat_rgba);
	/* Lossy colour, lossless alpha. */
	if (load_ok(IMG "lossy_alpha.webp", 1, &img)) {
		CHECK(img.channels == 4);
		for (y = 0; y < 16 && img.channels == 4; y++)
			for (x = 0; x < 16; x++)
				bad += px(&img, x, y)[3] != pat_alpha(x, y);
		CHECKF(bad == 0, "%d alpha samples", bad);
		image_free(&img);
	}
	if (load_ok(IMG "lossy.webp", 0, &img)) {
		CHECK(img.channels == 3);
		r = blocks_bad(&img, 2, 8);
		CHECKF(r == 0, "%d samples off", r);
		image_free(&img);
	}
	/* EXIF orientation in a WebP's EXIF chunk. */
	check_orient6_pattern(IMG "orient6.webp");
	CHECK(fails_with(IMG "animated.webp", "animated WebP is not supported"));
}

static void
test_gif(void)
{
	static const uint8_t col[3][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 } };
	struct image img;
	struct image_info info;
	int x, y, k, bad = 0, yellow = 0;
	uint8_t *p;

	CHECK(image_probe_file(IMG "anim.gif", &info, NULL) == 0);
	CHECK(info.format == IMAGE_GIF && info.w == 16 && info.h == 12 && info.has_alpha);
	/* The first frame only; transparent around and inside it. */
	if (load_ok(IMG "anim.gif", 1, &img)) {
		CHECK(img.w == 16 && img.h == 12 && img.channels == 4);
		for (y = 0; y < 12 && img.channels == 4; y++)
			for (x = 0; x < 16; x++) {
				p = px(&img, x, y);
				yellow += p[0] == 255 && p[1] == 255 && p[2] == 0;
				if ((k = gif_frame_colour(x, y)) < 0)
					bad += p[3] != 0;
				else
					bad += memcmp(p, col[k], 3) != 0 || p[3] != 255;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		CHECKF(yellow == 0, "%d pixels of the second frame", yellow);
		image_free(&img);
	}
	bad = 0;
	/* Without alpha, the transparent pixels are white. */
	if (load_ok(IMG "anim.gif", 0, &img)) {
		CHECK(img.channels == 3);
		for (y = 0; y < 12 && img.channels == 3; y++)
			for (x = 0; x < 16; x++) {
				k = gif_frame_colour(x, y);
				bad += memcmp(px(&img, x, y),
				    k < 0 ? (const uint8_t *)"\xff\xff\xff" : col[k], 3) != 0;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	}
	check_file(IMG "interlaced.gif", 1, 8, 20, 3, want_interlaced_gif);
}

int
main(void)
{
	image_tests_begin("image-other");
	RUN(test_format_names);
	RUN(test_sniff);
	RUN(test_webp);
	RUN(test_gif);
	HARNESS_END();
}
