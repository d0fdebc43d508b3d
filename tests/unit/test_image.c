/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/image.h. The fixtures in tests/data/img come from
 * independent encoders (see tests/data/img/make-fixtures.sh, which documents
 * the pixel formulas repeated here); lossless formats are checked pixel by
 * pixel, lossy ones within a tolerance. Hostile inputs (huge headers, EXIF
 * offsets pointing anywhere, truncations and bit flips) are built here.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <turbojpeg.h>

#include "core/image.h"
#include "core/util.h"
#include "tests/harness.h"

#define IMG "tests/data/img/"

/* ---- helpers ---------------------------------------------------------------- */

static uint8_t
pat(int x, int y, int c)
{
	if (c == 0)
		return (uint8_t)((x * 37 + y * 11) % 256);
	if (c == 1)
		return (uint8_t)((x * 5 + y * 53 + 40) % 256);
	return (uint8_t)((x * y * 7 + 13) % 256);
}

static uint8_t
pat_alpha(int x, int y)
{
	return (uint8_t)((x * 16 + y * 3) % 256);
}

/* What compositing a over white gives, as documented in core/image.c. */
static uint8_t
over_white(unsigned c, unsigned a)
{
	return (uint8_t)((c * a + 255 * (255 - a) + 127) / 255);
}

static uint8_t *
px(const struct image *img, int x, int y)
{
	return img->px + ((size_t)y * (size_t)img->w + (size_t)x) * (size_t)img->channels;
}

static int
near(int a, int b, int tol)
{
	return abs(a - b) <= tol;
}

static int
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

static char *
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
static int
cause_ok(const char *err, const char *name, const char *reason)
{
	size_t n = strlen(name);

	if (err == NULL)
		return 0;
	if (strncmp(err, name, n) != 0 || strncmp(err + n, ": ", 2) != 0)
		return 0;
	return reason == NULL || strstr(err, reason) != NULL;
}

/* Loads path expecting failure with reason; returns 1 when it failed that way. */
static int
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

static uint32_t
crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t
png_chunk(uint8_t *p, const char *type, const uint8_t *data, uint32_t n)
{
	put_be32(p, n);
	memcpy(p + 4, type, 4);
	if (n > 0)
		memcpy(p + 8, data, n);
	put_be32(p + 8 + n, crc32_png(p + 4, 4 + (size_t)n));
	return 12 + (size_t)n;
}

/* A PNG with an IHDR claiming w x h and a token IDAT. */
static size_t
png_claiming(uint8_t *buf, uint32_t w, uint32_t h)
{
	static const uint8_t idat[] = { 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 };
	uint8_t ihdr[13];
	size_t n = 8;

	memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
	put_be32(ihdr, w);
	put_be32(ihdr + 4, h);
	ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0;
	n += png_chunk(buf + n, "IHDR", ihdr, 13);
	n += png_chunk(buf + n, "IDAT", idat, sizeof idat);
	n += png_chunk(buf + n, "IEND", NULL, 0);
	return n;
}

static uint32_t
adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		a = (a + p[i]) % 65521;
		b = (b + a) % 65521;
	}
	return b << 16 | a;
}

/*
 * A whole PNG built by hand: raw holds the filtered rows (filter byte 0 then
 * the samples), stored in one uncompressed deflate block; trns, when not
 * NULL, is a tRNS chunk body.
 */
static size_t
png_build(uint8_t *buf, uint32_t w, uint32_t h, int depth, int ctype, const uint8_t *raw,
    size_t rawlen, const uint8_t *trns, uint32_t trnslen)
{
	uint8_t ihdr[13], z[512];
	size_t n = 8, zn = 0;

	memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
	put_be32(ihdr, w);
	put_be32(ihdr + 4, h);
	ihdr[8] = (uint8_t)depth, ihdr[9] = (uint8_t)ctype, ihdr[10] = ihdr[11] = ihdr[12] = 0;
	n += png_chunk(buf + n, "IHDR", ihdr, 13);
	if (trns != NULL)
		n += png_chunk(buf + n, "tRNS", trns, trnslen);
	z[zn++] = 0x78, z[zn++] = 0x01; /* zlib header, no compression */
	z[zn++] = 0x01;                 /* final stored block */
	z[zn++] = (uint8_t)rawlen, z[zn++] = (uint8_t)(rawlen >> 8);
	z[zn++] = (uint8_t)~rawlen, z[zn++] = (uint8_t)(~rawlen >> 8);
	memcpy(z + zn, raw, rawlen);
	zn += rawlen;
	put_be32(z + zn, adler32(raw, rawlen));
	zn += 4;
	n += png_chunk(buf + n, "IDAT", z, (uint32_t)zn);
	n += png_chunk(buf + n, "IEND", NULL, 0);
	return n;
}

static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && (strstr(p, "vgpreload") != NULL || strstr(p, "valgrind") != NULL);
}

/* ---- names and sniffing -------------------------------------------------------- */

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

/* ---- PNG ------------------------------------------------------------------------ */

static void
check_pattern(const struct image *img, int w, int h)
{
	int x, y, c, bad = 0;

	CHECK(img->w == w && img->h == h && img->channels == 3);
	if (img->w != w || img->h != h || img->channels != 3)
		return;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (c = 0; c < 3; c++)
				bad += px(img, x, y)[c] != pat(x, y, c);
	CHECKF(bad == 0, "%d samples differ from the pattern", bad);
}

static void
test_png_rgb(void)
{
	struct image img;
	struct image_info info;
	char *cause = NULL;

	if (load(IMG "rgb.png", 0, &img) == 0) {
		check_pattern(&img, 16, 16);
		image_free(&img);
	} else
		CHECK(0);
	CHECK(image_probe_file(IMG "rgb.png", &info, &cause) == 0);
	CHECK(info.format == IMAGE_PNG && info.w == 16 && info.h == 16);
	CHECK(info.orientation == 1 && info.has_alpha == 0);
	free(cause);
	/* keep_alpha does not invent an alpha channel. */
	if (load(IMG "rgb.png", 1, &img) == 0) {
		CHECK(img.channels == 3);
		image_free(&img);
	} else
		CHECK(0);
}

static void
test_png_interlaced(void)
{
	struct image img;

	if (load(IMG "interlaced.png", 0, &img) == 0) {
		check_pattern(&img, 16, 16);
		image_free(&img);
	} else
		CHECK(0);
}

static void
test_png_16bit(void)
{
	struct image img;
	int x, y, bad = 0;
	unsigned v[3], g;

	if (load(IMG "rgb16.png", 0, &img) == 0) {
		CHECK(img.w == 16 && img.h == 16 && img.channels == 3);
		for (y = 0; y < 16 && img.channels == 3; y++)
			for (x = 0; x < 16; x++) {
				v[0] = pat(x, y, 0) * 257u + (unsigned)(x * 7) % 128;
				v[1] = pat(x, y, 1) * 257u + (unsigned)(y * 13) % 128;
				v[2] = pat(x, y, 2) * 257u;
				for (int c = 0; c < 3; c++) {
					if (v[c] > 65535)
						v[c] = 65535;
					/* Rounded, not truncated: v * 255 / 65535 to nearest. */
					bad += px(&img, x, y)[c] != (v[c] * 255 + 32767) / 65535;
				}
			}
		CHECKF(bad == 0, "%d samples", bad);
		image_free(&img);
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "grey16.png", 0, &img) == 0) {
		CHECK(img.w == 16 && img.h == 16 && img.channels == 3);
		for (y = 0; y < 16 && img.channels == 3; y++)
			for (x = 0; x < 16; x++) {
				g = ((unsigned)(x * 4099 + y * 1031) % 65536 * 255 + 32767) / 65535;
				bad += px(&img, x, y)[0] != g || px(&img, x, y)[1] != g ||
				    px(&img, x, y)[2] != g;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
}

static void
test_png_alpha(void)
{
	struct image img;
	struct image_info info;
	int x, y, c, bad = 0;
	uint8_t a;

	CHECK(image_probe_file(IMG "rgba.png", &info, NULL) == 0 && info.has_alpha == 1);
	if (load(IMG "rgba.png", 1, &img) == 0) {
		CHECK(img.channels == 4 && img.w == 16 && img.h == 16);
		for (y = 0; y < 16 && img.channels == 4; y++)
			for (x = 0; x < 16; x++) {
				for (c = 0; c < 3; c++)
					bad += px(&img, x, y)[c] != pat(x, y, c);
				bad += px(&img, x, y)[3] != pat_alpha(x, y);
			}
		CHECKF(bad == 0, "%d samples", bad);
		image_free(&img);
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "rgba.png", 0, &img) == 0) {
		CHECK(img.channels == 3);
		for (y = 0; y < 16 && img.channels == 3; y++)
			for (x = 0; x < 16; x++)
				for (c = 0; c < 3; c++)
					bad += px(&img, x, y)[c] != over_white(pat(x, y, c),
					    pat_alpha(x, y));
		CHECKF(bad == 0, "%d samples", bad);
		image_free(&img);
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "grey_alpha.png", 1, &img) == 0) {
		CHECK(img.channels == 4 && img.w == 16);
		for (y = 0; y < 16 && img.channels == 4; y++)
			for (x = 0; x < 16; x++) {
				a = px(&img, x, y)[3];
				bad += px(&img, x, y)[0] != pat(x, y, 0) ||
				    px(&img, x, y)[1] != pat(x, y, 0) ||
				    px(&img, x, y)[2] != pat(x, y, 0) || a != pat_alpha(x, y);
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
}

static void
test_png_palette_trns(void)
{
	static const uint8_t col[4][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 0, 255 } };
	struct image img;
	int x, y, k, bad = 0;

	if (load(IMG "palette_trns.png", 1, &img) == 0) {
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
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "palette_trns.png", 0, &img) == 0) {
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
	} else
		CHECK(0);
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
	if (image_load_mem(png, n, "g.png", &o, &img, &cause) == 0) {
		CHECK(img.channels == 4 && img.w == 4);
		CHECK(memcmp(img.px, "\0\0\0\xff" "\x32\x32\x32\0" "\x64\x64\x64\xff"
		    "\xc8\xc8\xc8\xff", 16) == 0);
		image_free(&img);
	} else
		CHECKF(0, "%s", cause);
	n = png_build(png, 2, 1, 8, 2, rgb, sizeof rgb, rgb_trns, 6);
	if (image_load_mem(png, n, "rgb.png", &o, &img, &cause) == 0) {
		CHECK(img.channels == 4 && memcmp(img.px, "\1\2\3\xff\x09\x08\x07\0", 8) == 0);
		image_free(&img);
	} else
		CHECKF(0, "%s", cause);
	/* Without keep_alpha the transparent pixel is white. */
	if (image_load_mem(png, n, "rgb.png", NULL, &img, &cause) == 0) {
		CHECK(img.channels == 3 && memcmp(img.px, "\1\2\3\xff\xff\xff", 6) == 0);
		image_free(&img);
	} else
		CHECKF(0, "%s", cause);
	/* 16-bit grey: the tRNS match is on the 16-bit value, before scaling. */
	n = png_build(png, 2, 1, 16, 0, grey16, sizeof grey16, g16_trns, 2);
	if (image_load_mem(png, n, "g16.png", &o, &img, &cause) == 0) {
		CHECK(img.channels == 4 && img.px[3] == 0 && img.px[4] == 255 && img.px[7] == 255);
		image_free(&img);
	} else
		CHECKF(0, "%s", cause);
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
	struct image img;
	int x, y, bad = 0;
	uint8_t v;

	if (load(IMG "bilevel.png", 0, &img) == 0) {
		CHECK(img.w == 13 && img.h == 7 && img.channels == 3);
		for (y = 0; y < 7 && img.w == 13; y++)
			for (x = 0; x < 13; x++) {
				/* PBM 1 is black. */
				v = (x * 3 + y * 5) % 7 < 3 ? 0 : 255;
				bad += px(&img, x, y)[0] != v || px(&img, x, y)[1] != v ||
				    px(&img, x, y)[2] != v;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
}

static void
test_small_and_wide(void)
{
	struct image img;
	int x, y, bad = 0;

	if (load(IMG "1x1.png", 0, &img) == 0) {
		CHECK(img.w == 1 && img.h == 1 && img.channels == 3);
		CHECK(memcmp(img.px, "\x0a\xc8\x1e", 3) == 0);
		image_free(&img);
	} else
		CHECK(0);
	if (load(IMG "wide.png", 0, &img) == 0) {
		CHECK(img.w == 4000 && img.h == 10 && img.channels == 3);
		for (y = 0; y < 10 && img.w == 4000; y++)
			for (x = 0; x < 4000; x++)
				bad += px(&img, x, y)[0] != x % 256 ||
				    px(&img, x, y)[1] != (x / 16) % 256 || px(&img, x, y)[2] != y * 20;
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
}

/* ---- JPEG ----------------------------------------------------------------------- */

/* base.jpg and friends: 32x16, 8x8 blocks; row 0 red green blue white, row 1
 * black yellow cyan grey. */
static const uint8_t block_col[8][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
	{ 255, 255, 255 }, { 0, 0, 0 }, { 255, 255, 0 }, { 0, 255, 255 }, { 128, 128, 128 } };

/* The blocks picture with blocks of b x b pixels (b = 8: the fixtures' 32x16). */
static void
make_blocks(struct image *img, int b)
{
	int x, y;

	CHECK(image_alloc(img, 4 * b, 2 * b, 3, 0, NULL) == 0);
	for (y = 0; y < 2 * b; y++)
		for (x = 0; x < 4 * b; x++)
			memcpy(px(img, x, y), block_col[(y / b) * 4 + x / b], 3);
}

/* Every pixel of every b x b block within tol of its colour (inset by inset pixels). */
static int
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

static int
blocks_bad(const struct image *img, int inset, int tol)
{
	return blocks_bad_b(img, 8, inset, tol);
}

static void
test_jpeg_baseline_progressive(void)
{
	struct image img;
	struct image_info info;

	if (load(IMG "base.jpg", 0, &img) == 0) {
		CHECK(img.channels == 3);
		CHECK(blocks_bad(&img, 0, 8) == 0);
		image_free(&img);
	} else
		CHECK(0);
	if (load(IMG "progressive.jpg", 0, &img) == 0) {
		CHECK(img.channels == 3);
		CHECK(blocks_bad(&img, 0, 8) == 0);
		image_free(&img);
	} else
		CHECK(0);
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
	CHECKF(image_load_mem(junk, len + 4, "junk.jpg", NULL, &img, &cause) == 0, "%s",
	    cause ? cause : "");
	if (img.px != NULL && ref.px != NULL)
		CHECK(img.w == ref.w && img.h == ref.h &&
		    memcmp(img.px, ref.px, (size_t)img.w * img.h * 3) == 0);
	image_free(&img);
	image_free(&ref);
	free(cause);
	cause = NULL;
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

	if (load(IMG "grey.jpg", 0, &img) == 0) {
		CHECK(img.w == 32 && img.h == 8 && img.channels == 3);
		for (y = 0; y < 8 && img.w == 32; y++)
			for (x = 0; x < 32; x++) {
				uint8_t *p = px(&img, x, y);
				bad += p[0] != p[1] || p[1] != p[2] || !near(p[0], x / 8 * 80 + 15, 4);
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
}

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
test_jpeg_cmyk(void)
{
	static const uint8_t cols[8][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 255, 255 }, { 0, 255, 255 }, { 255, 0, 255 }, { 255, 255, 0 },
		{ 0, 0, 0 } };
	struct image img;
	int r;

	/* Ghostscript: Adobe CMYK, inverted samples, APP14 transform 0. */
	if (load(IMG "cmyk.jpg", 0, &img) == 0) {
		r = patches_bad(&img, cols, 8, 8);
		CHECKF(r == 0, "%d samples off", r);
		image_free(&img);
	} else
		CHECK(0);
	/* ImageMagick: Adobe YCCK (APP14 transform 2). */
	if (load(IMG "ycck.jpg", 0, &img) == 0) {
		r = patches_bad(&img, cols, 4, 8);
		CHECKF(r == 0, "%d samples off", r);
		image_free(&img);
	} else
		CHECK(0);
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
	char *cause = NULL;
	int x, y, c, w, h, ss, cs, r;
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
	if (image_load_mem(jpg, n, "ycck", NULL, &img, &cause) == 0) {
		r = patches_bad(&img, cols, 4, 8);
		CHECKF(r == 0, "%d samples off", r);
		image_free(&img);
	} else
		CHECKF(0, "%s", cause);
	free(cause);
	tjFree(jpg);
}

/*
 * Where EXIF orientation o sends the stored pixel (x, y) of a w x h image,
 * written from the standard's description (forwards, unlike the decoder).
 */
static void
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
		if (load(path, 0, &img) != 0) {
			CHECK(0);
			continue;
		}
		CHECKF(img.w == ew && img.h == eh, "%s: %dx%d", path, img.w, img.h);
		if (img.w == ew && img.h == eh)
			CHECKF(oriented_blocks_bad(&img, o) == 0, "%s", path);
		image_free(&img);
	}
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
			CHECKF(img.w == (cases[i].expect >= 5 ? 16 : 32), "%s", cases[i].what);
			if (img.w == (cases[i].expect >= 5 ? 16 : 32))
				CHECKF(oriented_blocks_bad(&img, cases[i].expect) == 0, "%s",
				    cases[i].what);
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
	CHECK(image_load_file("tests/data/sample/images/hubble_deep_field.jpg", &o, &small,
	    &cause) == 0);
	CHECKF(small.w == 125 && small.h == 109, "%dx%d", small.w, small.h);
	o.min_w = 200, o.min_h = 200;
	CHECK(image_load_file("tests/data/sample/images/hubble_deep_field.jpg", &o, &full,
	    &cause) == 0);
	CHECKF(full.w == 250 && full.h == 218, "%dx%d", full.w, full.h);
	image_free(&full);
	/* The scaled picture is the picture: close to an area-averaged full decode. */
	CHECK(load("tests/data/sample/images/hubble_deep_field.jpg", 0, &full) == 0);
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
	/* The minimum is in displayed (rotated) terms: 4x8 shown is 8x4 stored, 1/4. */
	o.min_w = 4, o.min_h = 8;
	if (image_load_file(IMG "orient6.jpg", &o, &small, &cause) == 0) {
		CHECKF(small.w == 4 && small.h == 8, "%dx%d", small.w, small.h);
		image_free(&small);
	} else
		CHECK(0);
	/* A minimum larger than the image: full size, never enlarged. */
	o.min_w = 1000, o.min_h = 1000;
	if (image_load_file(IMG "base.jpg", &o, &small, &cause) == 0) {
		CHECK(small.w == 32 && small.h == 16);
		image_free(&small);
	} else
		CHECK(0);
	/* Other formats ignore the hint and decode at full size. */
	o.min_w = 2, o.min_h = 2;
	if (image_load_file(IMG "rgb.png", &o, &small, &cause) == 0) {
		CHECK(small.w == 16 && small.h == 16);
		image_free(&small);
	} else
		CHECK(0);
	free(cause);
}

/* ---- WebP ----------------------------------------------------------------------- */

static void
test_webp(void)
{
	struct image img;
	struct image_info info;
	char *cause = NULL;
	int x, y, c, bad = 0, r;

	if (load(IMG "lossless.webp", 0, &img) == 0) {
		check_pattern(&img, 16, 16);
		image_free(&img);
	} else
		CHECK(0);
	CHECK(image_probe_file(IMG "alpha.webp", &info, NULL) == 0);
	CHECK(info.format == IMAGE_WEBP && info.w == 16 && info.h == 16 && info.has_alpha);
	if (load(IMG "alpha.webp", 1, &img) == 0) {
		CHECK(img.channels == 4);
		for (y = 0; y < 16 && img.channels == 4; y++)
			for (x = 0; x < 16; x++) {
				for (c = 0; c < 3; c++)
					bad += px(&img, x, y)[c] != pat(x, y, c);
				bad += px(&img, x, y)[3] != pat_alpha(x, y);
			}
		CHECKF(bad == 0, "%d samples", bad);
		image_free(&img);
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "lossy_alpha.webp", 1, &img) == 0) {
		CHECK(img.channels == 4);
		for (y = 0; y < 16 && img.channels == 4; y++)
			for (x = 0; x < 16; x++)
				bad += px(&img, x, y)[3] != pat_alpha(x, y);
		CHECKF(bad == 0, "%d alpha samples", bad);
		image_free(&img);
	} else
		CHECK(0);
	if (load(IMG "lossy.webp", 0, &img) == 0) {
		CHECK(img.channels == 3);
		r = blocks_bad(&img, 2, 8);
		CHECKF(r == 0, "%d samples off", r);
		image_free(&img);
	} else
		CHECK(0);
	/* EXIF orientation in a WebP's EXIF chunk. */
	bad = 0;
	CHECK(image_probe_file(IMG "orient6.webp", &info, NULL) == 0 && info.orientation == 6);
	if (load(IMG "orient6.webp", 0, &img) == 0) {
		int dx, dy;
		CHECK(img.w == 16 && img.h == 16);
		for (y = 0; y < 16; y++)
			for (x = 0; x < 16; x++) {
				orient_forward(6, 16, 16, x, y, &dx, &dy);
				for (c = 0; c < 3; c++)
					bad += px(&img, dx, dy)[c] != pat(x, y, c);
			}
		CHECKF(bad == 0, "%d samples", bad);
		image_free(&img);
	} else
		CHECK(0);
	CHECK(fails_with(IMG "animated.webp", "animated WebP is not supported"));
	free(cause);
}

static void
test_png_exif(void)
{
	struct image img;
	struct image_info info;
	int x, y, c, dx, dy, bad = 0;

	CHECK(image_probe_file(IMG "orient6.png", &info, NULL) == 0 && info.orientation == 6);
	if (load(IMG "orient6.png", 0, &img) == 0) {
		for (y = 0; y < 16; y++)
			for (x = 0; x < 16; x++) {
				orient_forward(6, 16, 16, x, y, &dx, &dy);
				for (c = 0; c < 3; c++)
					bad += px(&img, dx, dy)[c] != pat(x, y, c);
			}
		CHECKF(bad == 0, "%d samples", bad);
		image_free(&img);
	} else
		CHECK(0);
}

/* ---- GIF ------------------------------------------------------------------------ */

static void
test_gif(void)
{
	static const uint8_t col[4][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 0, 255 } };
	struct image img;
	struct image_info info;
	int x, y, k, bad = 0, yellow = 0;
	uint8_t *p;

	CHECK(image_probe_file(IMG "anim.gif", &info, NULL) == 0);
	CHECK(info.format == IMAGE_GIF && info.w == 16 && info.h == 12 && info.has_alpha);
	if (load(IMG "anim.gif", 1, &img) == 0) {
		CHECK(img.w == 16 && img.h == 12 && img.channels == 4);
		for (y = 0; y < 12 && img.channels == 4; y++)
			for (x = 0; x < 16; x++) {
				p = px(&img, x, y);
				yellow += p[0] == 255 && p[1] == 255 && p[2] == 0;
				if (x < 4 || x >= 12 || y < 2 || y >= 10) {
					bad += p[3] != 0; /* off the first frame */
					continue;
				}
				k = ((x - 4) + 2 * (y - 2)) % 4;
				if (k == 3)
					bad += p[3] != 0;
				else
					bad += memcmp(p, col[k], 3) != 0 || p[3] != 255;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		CHECKF(yellow == 0, "%d pixels of the second frame", yellow);
		image_free(&img);
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "anim.gif", 0, &img) == 0) {
		CHECK(img.channels == 3);
		for (y = 0; y < 12 && img.channels == 3; y++)
			for (x = 0; x < 16; x++) {
				p = px(&img, x, y);
				k = (x < 4 || x >= 12 || y < 2 || y >= 10) ? 3 :
				    ((x - 4) + 2 * (y - 2)) % 4;
				bad += memcmp(p, k == 3 ? (const uint8_t *)"\xff\xff\xff" : col[k],
				    3) != 0;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
	bad = 0;
	if (load(IMG "interlaced.gif", 1, &img) == 0) {
		CHECK(img.w == 8 && img.h == 20 && img.channels == 3);
		for (y = 0; y < 20 && img.h == 20; y++)
			for (x = 0; x < 8; x++) {
				p = px(&img, x, y);
				bad += p[0] != y * 12 || p[1] != 255 - y * 12 || p[2] != (y * 5) % 256;
			}
		CHECKF(bad == 0, "%d pixels", bad);
		image_free(&img);
	} else
		CHECK(0);
}

/* ---- errors and hostile input ------------------------------------------------------ */

static void
test_error_messages(void)
{
	struct image_info info;
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
	CHECK(image_probe_file(IMG "empty.jpg", &info, &cause) == -1);
	CHECK(cause_ok(cause, IMG "empty.jpg", "empty file"));
	free(cause);
	cause = NULL;
	CHECK(image_probe_file(IMG "text.jpg", &info, &cause) == -1);
	CHECK(cause_ok(cause, IMG "text.jpg", "not an image"));
	free(cause);
	cause = NULL;
	CHECK(image_probe_file(IMG "no-such-file.png", &info, &cause) == -1);
	CHECK(cause_ok(cause, IMG "no-such-file.png", "No such file"));
	free(cause);
	cause = NULL;
	CHECK(image_load_mem("", 0, "m.png", NULL, &img, &cause) == -1);
	CHECK_STR(cause, "m.png: empty file");
	free(cause);
	cause = NULL;
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
	cause = NULL;
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
	struct image img;
	struct image_info info;
	char *data, *cause, *buf, captured[256];
	size_t len, i, cut, step, k, nbad = 0;
	uint32_t seed = 12345;
	int m, r, saved_out, saved_err;
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
			cause = NULL;
			r = image_load_mem(data, cut, "f", &o, &img, &cause);
			nbad += r == 0 ? (img.w <= 0 || img.px == NULL) : !cause_ok(cause, "f", NULL);
			image_free(&img);
			free(cause);
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
			cause = NULL;
			r = image_load_mem(buf, len, "f", &o, &img, &cause);
			nbad += r == 0 ? (img.w <= 0 || img.px == NULL) : !cause_ok(cause, "f", NULL);
			image_free(&img);
			free(cause);
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

/* ---- alloc, fit ----------------------------------------------------------------- */

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
	CHECK(image_alloc(&img, 3, 2, 2, 0, &cause) == -1 && strstr(cause, "channels"));
	free(cause);
	cause = NULL;
	CHECK(image_alloc(&img, 0, 2, 3, 0, &cause) == -1 && strstr(cause, "bad image size"));
	CHECK(img.px == NULL);
	free(cause);
	cause = NULL;
	CHECK(image_alloc(&img, -5, 2, 3, 0, &cause) == -1);
	free(cause);
	cause = NULL;
	CHECK(image_alloc(&img, 100, 100, 3, 9999, &cause) == -1 &&
	    strstr(cause, "100x100 is over the 9999-pixel limit"));
	free(cause);
	cause = NULL;
	CHECK(image_alloc(&img, 65536, 65536, 3, 0, &cause) == -1 &&
	    strstr(cause, "over the 64000000-pixel limit"));
	free(cause);
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

/* ---- resize --------------------------------------------------------------------- */

/* A 1-row image with one value per pixel in every channel (channels 3). */
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
	CHECK(image_resize(&src, 0, 5, &dst, &cause) == -1 && strstr(cause, "0x5"));
	CHECK(dst.px == NULL);
	free(cause);
	cause = NULL;
	CHECK(image_resize(&src, 100000, 100000, &dst, &cause) == -1 &&
	    strstr(cause, "pixel limit"));
	free(cause);
	cause = NULL;
	image_free(&src);
	CHECK(image_resize(&src, 5, 5, &dst, &cause) == -1 && cause != NULL);
	free(cause);
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

	if (load(path, keep_alpha, &src) != 0) {
		CHECK(0);
		return;
	}
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
test_resize_photos(void)
{
	check_against_reference("tests/data/sample/images/astronaut.png", 0, 100, 77);
	check_against_reference("tests/data/sample/images/chelsea.png", 0, 97, 61);
	check_against_reference("tests/data/sample/images/horse.png", 1, 123, 45);
	check_against_reference("tests/data/sample/images/coffee.png", 0, 600, 1);
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

/* ---- encoding ------------------------------------------------------------------- */

static int
same_pixels(const struct image *a, const struct image *b)
{
	return a->w == b->w && a->h == b->h && a->channels == b->channels &&
	    memcmp(a->px, b->px, (size_t)a->w * (size_t)a->h * (size_t)a->channels) == 0;
}

/* Encodes twice (same bytes?) and decodes; returns 0 and the decoded image. */
static int
round_trip(const struct image *img, enum image_format f, int q, int keep_alpha,
    struct image *out)
{
	uint8_t *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	struct image_opts o;
	struct image_info info;
	char *cause = NULL;
	int r = -1;

	memset(&o, 0, sizeof o);
	o.keep_alpha = keep_alpha;
	if (image_encode(img, f, q, &a, &la, &cause) != 0 ||
	    image_encode(img, f, q, &b, &lb, &cause) != 0) {
		CHECKF(0, "%s", cause);
		goto out;
	}
	CHECKF(la == lb && memcmp(a, b, la) == 0, "%s q%d not deterministic",
	    image_format_name(f), q);
	CHECK(image_sniff(a, la) == f);
	CHECK(image_probe_mem(a, la, "enc", &info, NULL) == 0 && info.w == img->w &&
	    info.h == img->h);
	r = image_load_mem(a, la, "enc", &o, out, &cause);
	CHECKF(r == 0, "%s", cause);
out:
	free(a);
	free(b);
	free(cause);
	return r;
}

static void
test_encode(void)
{
	struct image rgb, rgba, blocks, big_blocks, out;
	uint8_t *data = NULL;
	size_t len = 0;
	char *cause = NULL;
	int ss, cs, w, h, r;
	tjhandle tj;

	if (load(IMG "rgb.png", 0, &rgb) != 0 || load(IMG "rgba.png", 1, &rgba) != 0) {
		CHECK(0);
		return;
	}
	make_blocks(&blocks, 8);
	/* 4:2:0 halves chroma, so its blocks must span whole 16x16 MCUs. */
	make_blocks(&big_blocks, 16);

	if (round_trip(&rgb, IMAGE_PNG, 0, 0, &out) == 0) {
		CHECK(same_pixels(&rgb, &out));
		image_free(&out);
	}
	if (round_trip(&rgba, IMAGE_PNG, 0, 1, &out) == 0) {
		CHECK(same_pixels(&rgba, &out));
		image_free(&out);
	}
	if (round_trip(&rgb, IMAGE_WEBP, 100, 0, &out) == 0) {
		CHECK(same_pixels(&rgb, &out));
		image_free(&out);
	}
	if (round_trip(&rgba, IMAGE_WEBP, 100, 1, &out) == 0) {
		CHECK(same_pixels(&rgba, &out));
		image_free(&out);
	}
	if (round_trip(&blocks, IMAGE_WEBP, 90, 0, &out) == 0) {
		r = blocks_bad(&out, 2, 8);
		CHECKF(r == 0, "webp q90: %d samples off", r);
		image_free(&out);
	}
	if (round_trip(&blocks, IMAGE_JPEG, 0, 0, &out) == 0) {
		r = blocks_bad(&out, 0, 8);
		CHECKF(r == 0, "jpeg q90: %d samples off", r);
		image_free(&out);
	}
	if (round_trip(&big_blocks, IMAGE_JPEG, 50, 0, &out) == 0) {
		r = blocks_bad_b(&out, 16, 2, 16);
		CHECKF(r == 0, "jpeg q50: %d samples off", r);
		image_free(&out);
	}
	/* JPEG drops alpha by compositing over white. */
	if (round_trip(&rgba, IMAGE_JPEG, 100, 1, &out) == 0) {
		CHECK(out.channels == 3);
		CHECK(near(px(&out, 0, 0)[0], over_white(pat(0, 0, 0), pat_alpha(0, 0)), 12));
		image_free(&out);
	}
	/* Chroma subsampling: 4:4:4 from quality 90 up, 4:2:0 below. */
	tj = tjInitDecompress();
	CHECK(image_encode(&blocks, IMAGE_JPEG, 90, &data, &len, NULL) == 0);
	CHECK(tjDecompressHeader3(tj, data, len, &w, &h, &ss, &cs) == 0 && ss == TJSAMP_444);
	free(data);
	CHECK(image_encode(&blocks, IMAGE_JPEG, 89, &data, &len, NULL) == 0);
	CHECK(tjDecompressHeader3(tj, data, len, &w, &h, &ss, &cs) == 0 && ss == TJSAMP_420);
	free(data);
	tjDestroy(tj);

	CHECK(image_encode(&rgb, IMAGE_JPEG, 101, &data, &len, &cause) == -1 &&
	    strstr(cause, "quality 101"));
	free(cause);
	cause = NULL;
	CHECK(image_encode(&rgb, IMAGE_WEBP, -1, &data, &len, &cause) == -1 &&
	    strstr(cause, "quality -1"));
	free(cause);
	cause = NULL;
	/* PNG has no quality: ignored. */
	CHECK(image_encode(&rgb, IMAGE_PNG, 150, &data, &len, NULL) == 0);
	free(data);
	CHECK(image_encode(&rgb, IMAGE_GIF, 0, &data, &len, &cause) == -1 &&
	    strstr(cause, "not supported") && data == NULL);
	free(cause);
	cause = NULL;
	if (image_alloc(&out, 20000, 1, 3, 0, NULL) == 0) {
		CHECK(image_encode(&out, IMAGE_WEBP, 80, &data, &len, &cause) == -1 &&
		    strstr(cause, "16383"));
		image_free(&out);
	} else
		CHECK(0);
	free(cause);
	image_free(&rgb);
	image_free(&rgba);
	image_free(&blocks);
	image_free(&big_blocks);
}

static void
test_save_file(void)
{
	char dir[] = "/tmp/mmda-test-image.XXXXXX", path[128];
	struct image img, back;
	struct image_info info;
	struct dirent *de;
	struct stat st;
	char *cause = NULL;
	int files = 0;
	DIR *d;

	if (mkdtemp(dir) == NULL || load(IMG "rgba.png", 1, &img) != 0) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof path, "%s/out.png", dir);
	CHECK(image_save_file(&img, path, IMAGE_PNG, 0, &cause) == 0);
	if (load(path, 1, &back) == 0) {
		CHECK(same_pixels(&img, &back));
		image_free(&back);
	} else
		CHECK(0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	/* Overwrites in place, leaving no temp files behind. */
	CHECK(image_save_file(&img, path, IMAGE_WEBP, 100, &cause) == 0);
	if (load(path, 1, &back) == 0) {
		CHECK(same_pixels(&img, &back));
		image_free(&back);
	} else
		CHECK(0);
	CHECK(image_probe_file(path, &info, NULL) == 0 && info.format == IMAGE_WEBP);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			files += de->d_name[0] != '.';
		closedir(d);
	}
	CHECK(files == 1);
	snprintf(path, sizeof path, "%s/missing/out.png", dir);
	CHECK(image_save_file(&img, path, IMAGE_PNG, 0, &cause) == -1 &&
	    cause_ok(cause, path, "No such file"));
	free(cause);
	snprintf(path, sizeof path, "%s/out.png", dir);
	unlink(path);
	rmdir(dir);
	image_free(&img);
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
	if (load(path, 0, &img) == 0) {
		CHECK(img.w == 16 && img.h == 32 && oriented_blocks_bad(&img, 6) == 0);
		image_free(&img);
	} else
		CHECK(0);
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
	h_suite = "image";
	/*
	 * libjpeg-turbo's SIMD chroma upsampling reads padding columns it then
	 * discards; valgrind cannot see that and flags the last column of some
	 * DCT-scaled decodes (libjpeg-turbo PR #781). The C code gives the same
	 * pixels, so use it when valgrind watches. Must be set before the first
	 * decode, as the library reads it once.
	 */
	if (under_valgrind())
		setenv("JSIMD_FORCENONE", "1", 0);
	RUN(test_format_names);
	RUN(test_sniff);
	RUN(test_png_rgb);
	RUN(test_png_interlaced);
	RUN(test_png_16bit);
	RUN(test_png_alpha);
	RUN(test_png_palette_trns);
	RUN(test_png_trns_crafted);
	RUN(test_png_bilevel);
	RUN(test_png_exif);
	RUN(test_small_and_wide);
	RUN(test_jpeg_baseline_progressive);
	RUN(test_jpeg_extraneous_bytes);
	RUN(test_jpeg_grey);
	RUN(test_jpeg_cmyk);
	RUN(test_jpeg_ycck_turbojpeg);
	RUN(test_jpeg_orientation);
	RUN(test_exif_crafted);
	RUN(test_jpeg_dct_scaling);
	RUN(test_probe_late_header);
	RUN(test_webp);
	RUN(test_gif);
	RUN(test_error_messages);
	RUN(test_truncated_each_format);
	RUN(test_pixel_limits);
	RUN(test_hostile_sizes);
	RUN(test_fuzz);
	RUN(test_alloc_free);
	RUN(test_fit);
	RUN(test_resize_exact);
	RUN(test_resize_rgba_and_errors);
	RUN(test_resize_photos);
	RUN(test_speed);
	RUN(test_encode);
	RUN(test_save_file);
	HARNESS_END();
}
