/* SPDX-License-Identifier: MIT */
/*
 * PNG files built by hand for the image tests: what the fixtures cannot
 * hold (tRNS on grey and RGB images) and what no encoder writes (headers
 * claiming absurd sizes). Static inline, so unused ones cost no warning.
 */
#ifndef MMDA_TESTS_PNG_CRAFT_H
#define MMDA_TESTS_PNG_CRAFT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
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

static inline uint32_t
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

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline size_t
png_chunk(uint8_t *p, const char *type, const uint8_t *data, uint32_t n)
{
	put_be32(p, n);
	memcpy(p + 4, type, 4);
	if (n > 0)
		memcpy(p + 8, data, n);
	put_be32(p + 8 + n, crc32_png(p + 4, 4 + (size_t)n));
	return 12 + (size_t)n;
}

/* The signature and an IHDR chunk for a w x h image (no interlace); returns the bytes. */
static inline size_t
png_head(uint8_t *buf, uint32_t w, uint32_t h, int depth, int ctype)
{
	uint8_t ihdr[13];

	memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
	put_be32(ihdr, w);
	put_be32(ihdr + 4, h);
	ihdr[8] = (uint8_t)depth, ihdr[9] = (uint8_t)ctype, ihdr[10] = ihdr[11] = ihdr[12] = 0;
	return 8 + png_chunk(buf + 8, "IHDR", ihdr, 13);
}

/* A PNG with an IHDR claiming w x h (8-bit RGB) and a token IDAT. */
static inline size_t
png_claiming(uint8_t *buf, uint32_t w, uint32_t h)
{
	static const uint8_t idat[] = { 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 };
	size_t n = png_head(buf, w, h, 8, 2);

	n += png_chunk(buf + n, "IDAT", idat, sizeof idat);
	n += png_chunk(buf + n, "IEND", NULL, 0);
	return n;
}

/*
 * A whole PNG built by hand: raw holds the filtered rows (filter byte 0 then
 * the samples), stored in one uncompressed deflate block; trns, when not
 * NULL, is a tRNS chunk body.
 */
static inline size_t
png_build(uint8_t *buf, uint32_t w, uint32_t h, int depth, int ctype, const uint8_t *raw,
    size_t rawlen, const uint8_t *trns, uint32_t trnslen)
{
	uint8_t z[512];
	size_t n = png_head(buf, w, h, depth, ctype), zn = 0;

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

#endif
