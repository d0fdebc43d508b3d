/* SPDX-License-Identifier: MIT */
/*
 * EXIF orientation (core/image/image.h): all eight orientations in JPEG fixtures,
 * orientation in PNG, and hand-built EXIF blocks with hostile offsets,
 * counts and truncations, including a JPEG whose frame header lies past
 * 1 MB of other segments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"

/* The stored 32x16 block image, oriented by o, checked at every block's inner pixels. */
static int
oriented_blocks_bad(const struct image *img, int o)
{
	int bx, by, x, y, dx, dy, c, bad = 0;

	for (by = 0; by < 2; by++)
		for (bx = 0; bx < 4; bx++)
			for (y = by * 8 + 1; y < by * 8 + 7; y++)
				for (x = bx * 8 + 1; x < bx * 8 + 7; x++) {
					orient_forward(o, 32, 16, x, y, &dx, &dy);
					for (c = 0; c < 3; c++)
						bad += !near(px(img, dx, dy)[c],
						    block_col[by * 4 + bx][c], 10);
				}
	return bad;
}

/* Writes an IFD0 TIFF block with the given entries (tag, type, count, value). */
static size_t
tiff_build(uint8_t *b, int big, uint32_t ifd, unsigned nent, unsigned declared,
    const unsigned (*ent)[4])
{
	size_t n = 0, i;

#define PUT16(v) do { unsigned v_ = (v); if (big) { b[n] = (uint8_t)(v_ >> 8); b[n + 1] = (uint8_t)v_; } \
	else { b[n] = (uint8_t)v_; b[n + 1] = (uint8_t)(v_ >> 8); } n += 2; } while (0)
#define PUT32(v) do { uint32_t w_ = (v); if (big) { PUT16(w_ >> 16); PUT16(w_ & 0xffff); } \
	else { PUT16(w_ & 0xffff); PUT16(w_ >> 16); } } while (0)
	b[n++] = big ? 'M' : 'I';
	b[n++] = big ? 'M' : 'I';
	PUT16(42);
	PUT32(ifd);
	PUT16(declared);
	for (i = 0; i < nent; i++) {
		PUT16(ent[i][0]);
		PUT16(ent[i][1]);
		PUT32(ent[i][2]);
		if (ent[i][1] == 3) {
			PUT16(ent[i][3]);
			PUT16(0);
		} else
			PUT32(ent[i][3]);
	}
	PUT32(0);
#undef PUT16
#undef PUT32
	return n;
}

/* base.jpg with an APP1 "Exif" segment holding tiff[0..tlen) inserted after SOI. */
static uint8_t *
with_app1(const uint8_t *jpg, size_t len, const uint8_t *tiff, size_t tlen, size_t *outlen)
{
	uint8_t *o = xmalloc(len + tlen + 10);
	size_t seg = tlen + 8;

	memcpy(o, jpg, 2);
	o[2] = 0xff, o[3] = 0xe1, o[4] = (uint8_t)(seg >> 8), o[5] = (uint8_t)seg;
	memcpy(o + 6, "Exif\0\0", 6);
	memcpy(o + 12, tiff, tlen);
	memcpy(o + 12 + tlen, jpg + 2, len - 2);
	*outlen = len + tlen + 10;
	return o;
}

/* Checks that img is the blocks picture shown with orientation o. */
static void
check_oriented_blocks(const char *what, const struct image *img, int o)
{
	int ew = o >= 5 ? 16 : 32, eh = o >= 5 ? 32 : 16;

	CHECKF(img->w == ew && img->h == eh, "%s: %dx%d", what, img->w, img->h);
	if (img->w == ew && img->h == eh)
		CHECKF(oriented_blocks_bad(img, o) == 0, "%s", what);
}

static void
test_jpeg_orientation(void)
{
	struct image img;
	struct image_info info;
	char path[64];
	int o, ew, eh;

	for (o = 1; o <= 8; o++) {
		snprintf(path, sizeof path, IMG "orient%d.jpg", o);
		ew = o >= 5 ? 16 : 32;
		eh = o >= 5 ? 32 : 16;
		CHECK(image_probe_file(path, &info, NULL) == 0);
		CHECKF(info.orientation == o && info.w == ew && info.h == eh, "%s: %d %dx%d", path,
		    info.orientation, info.w, info.h);
		if (!load_ok(path, 0, &img))
			continue;
		check_oriented_blocks(path, &img, o);
		image_free(&img);
	}
}

static void
test_exif_crafted(void)
{
	static const unsigned make[4] = { 0x010f, 2, 4, 0x41424300 };
	struct {
		const char *what;
		int big;
		uint32_t ifd;
		unsigned declared, nent;
		unsigned ent[2][4];
		size_t cut; /* 0: keep the whole block */
		int expect;
	} cases[] = {
		{ "II 6", 0, 8, 1, 1, { { 0x112, 3, 1, 6 } }, 0, 6 },
		{ "MM 8", 1, 8, 1, 1, { { 0x112, 3, 1, 8 } }, 0, 8 },
		{ "second entry", 1, 8, 2, 2, { { 0, 0, 0, 0 }, { 0x112, 3, 1, 5 } }, 0, 5 },
		{ "LONG type", 0, 8, 1, 1, { { 0x112, 4, 1, 3 } }, 0, 3 },
		{ "value 9", 0, 8, 1, 1, { { 0x112, 3, 1, 9 } }, 0, 1 },
		{ "value 0", 1, 8, 1, 1, { { 0x112, 3, 1, 0 } }, 0, 1 },
		{ "count 2", 0, 8, 1, 1, { { 0x112, 3, 2, 6 } }, 0, 1 },
		{ "ASCII type", 0, 8, 1, 1, { { 0x112, 2, 1, 6 } }, 0, 1 },
		{ "IFD far away", 0, 0xfffffff0u, 1, 1, { { 0x112, 3, 1, 6 } }, 0, 1 },
		{ "IFD inside header", 0, 4, 1, 1, { { 0x112, 3, 1, 6 } }, 0, 1 },
		{ "huge count", 1, 8, 0xffff, 1, { { 0x112, 3, 1, 6 } }, 0, 6 },
		{ "entry cut", 0, 8, 1, 1, { { 0x112, 3, 1, 6 } }, 16, 1 },
		{ "header only", 0, 8, 1, 1, { { 0x112, 3, 1, 6 } }, 8, 1 },
		{ "not TIFF", 0, 8, 1, 1, { { 0x112, 3, 1, 6 } }, 3, 1 },
	};
	uint8_t tiff[128], *jpg;
	size_t len, tlen, n, i;
	char *base = slurp(IMG "base.jpg", &len), *cause;
	struct image_info info;
	struct image img;

	if (base == NULL) {
		CHECK(0);
		return;
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned ent[2][4];
		memcpy(ent, cases[i].ent, sizeof ent);
		if (strcmp(cases[i].what, "second entry") == 0)
			memcpy(ent[0], make, sizeof make);
		tlen = tiff_build(tiff, cases[i].big, cases[i].ifd, cases[i].nent,
		    cases[i].declared, (const unsigned (*)[4])ent);
		if (cases[i].cut != 0)
			tlen = cases[i].cut;
		jpg = with_app1((uint8_t *)base, len, tiff, tlen, &n);
		cause = NULL;
		CHECKF(image_probe_mem(jpg, n, "x.jpg", &info, &cause) == 0 &&
		    info.orientation == cases[i].expect, "%s: got %d (%s)", cases[i].what,
		    info.orientation, cause ? cause : "");
		free(cause);
		cause = NULL;
		if (image_load_mem(jpg, n, "x.jpg", NULL, &img, &cause) == 0) {
			check_oriented_blocks(cases[i].what, &img, cases[i].expect);
			image_free(&img);
		} else
			CHECKF(0, "%s: %s", cases[i].what, cause);
		free(cause);
		free(jpg);
	}
	/* An APP1 whose length runs past the end of the file: an error, not a crash. */
	tlen = tiff_build(tiff, 0, 8, 1, 1, (const unsigned (*)[4])cases[0].ent);
	jpg = with_app1((uint8_t *)base, len, tiff, tlen, &n);
	jpg[4] = 0xff, jpg[5] = 0xf0;
	cause = NULL;
	CHECK(image_load_mem(jpg, n, "x.jpg", NULL, &img, &cause) == -1);
	CHECKF(cause_ok(cause, "x.jpg", "JPEG"), "%s", cause ? cause : "(null)");
	free(cause);
	free(jpg);
	free(base);
}

static void
test_png_exif(void)
{
	check_orient6_pattern(IMG "orient6.png");
}

/* A JPEG whose frame header sits past 1 MB of APP2 segments, EXIF last. */
static void
test_probe_late_header(void)
{
	char dir[] = "/tmp/mmda-test-image.XXXXXX", path[128];
	static const unsigned ent[1][4] = { { 0x112, 3, 1, 6 } };
	uint8_t tiff[64], *jpg, *big, *p;
	size_t len, n, tlen, i;
	char *base = slurp(IMG "base.jpg", &len), *cause = NULL;
	struct image_info info;
	struct image img;
	FILE *f;

	if (base == NULL || mkdtemp(dir) == NULL) {
		CHECK(0);
		free(base);
		return;
	}
	tlen = tiff_build(tiff, 0, 8, 1, 1, ent);
	jpg = with_app1((uint8_t *)base, len, tiff, tlen, &n);
	/* SOI, 20 APP2 segments of 60000 bytes, then the rest (APP1 Exif first). */
	big = xmalloc(n + 20 * 60002);
	memcpy(big, jpg, 2);
	p = big + 2;
	for (i = 0; i < 20; i++) {
		p[0] = 0xff, p[1] = 0xe2, p[2] = (uint8_t)(60000 >> 8), p[3] = (uint8_t)60000;
		memset(p + 4, 'x', 59998);
		p += 60002;
	}
	memcpy(p, jpg + 2, n - 2);
	p += n - 2;
	snprintf(path, sizeof path, "%s/late.jpg", dir);
	if ((f = fopen(path, "wb")) != NULL) {
		CHECK(fwrite(big, 1, (size_t)(p - big), f) == (size_t)(p - big));
		fclose(f);
	}
	CHECKF(image_probe_file(path, &info, &cause) == 0, "%s", cause ? cause : "");
	CHECK(info.format == IMAGE_JPEG && info.orientation == 6 && info.w == 16 &&
	    info.h == 32);
	if (load_ok(path, 0, &img)) {
		CHECK(img.w == 16 && img.h == 32 && oriented_blocks_bad(&img, 6) == 0);
		image_free(&img);
	}
	unlink(path);
	rmdir(dir);
	free(cause);
	free(big);
	free(jpg);
	free(base);
}

int
main(void)
{
	image_tests_begin("image-exif");
	RUN(test_jpeg_orientation);
	RUN(test_exif_crafted);
	RUN(test_png_exif);
	RUN(test_probe_late_header);
	HARNESS_END();
}
