/* SPDX-License-Identifier: MIT */
/*
 * EXIF orientation: a minimal reader for the one tag we need (IFD0 0x0112)
 * out of a TIFF-structured EXIF block, and the eight rotations and mirrors
 * it asks for. The block comes from an untrusted file, so every offset and
 * count is checked against the block length before it is followed; nothing
 * here allocates except the rotated pixel buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "core/image/image_codec.h"
#include "core/base/util.h"

#define EXIF_TAG_ORIENTATION 0x0112
#define TIFF_SHORT 3
#define TIFF_LONG 4

struct tiff {
	const uint8_t *p;
	size_t len;
	int big_endian;
};

static int
tiff_u16(const struct tiff *t, size_t off, unsigned *v)
{
	if (off > t->len || t->len - off < 2)
		return -1;
	if (t->big_endian)
		*v = (unsigned)t->p[off] << 8 | t->p[off + 1];
	else
		*v = (unsigned)t->p[off + 1] << 8 | t->p[off];
	return 0;
}

static int
tiff_u32(const struct tiff *t, size_t off, uint32_t *v)
{
	const uint8_t *q;

	if (off > t->len || t->len - off < 4)
		return -1;
	q = t->p + off;
	if (t->big_endian)
		*v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	else
		*v = (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
	return 0;
}

int
image_exif_orientation(const uint8_t *p, size_t len)
{
	struct tiff t;
	uint32_t ifd, count32;
	unsigned magic, count, i, tag, type, value;
	size_t entry;

	if (p == NULL)
		return 1;
	/* JPEG APP1 and some WebP writers keep the "Exif\0\0" prefix; PNG eXIf does not. */
	if (len >= 6 && memcmp(p, "Exif\0\0", 6) == 0) {
		p += 6;
		len -= 6;
	}
	if (len < 8)
		return 1;
	t.p = p;
	t.len = len;
	if (p[0] == 'I' && p[1] == 'I')
		t.big_endian = 0;
	else if (p[0] == 'M' && p[1] == 'M')
		t.big_endian = 1;
	else
		return 1;
	if (tiff_u16(&t, 2, &magic) != 0 || magic != 42)
		return 1;
	if (tiff_u32(&t, 4, &ifd) != 0 || ifd < 8 || tiff_u16(&t, ifd, &count) != 0)
		return 1;
	/*
	 * Only IFD0 is read and it is not followed to other IFDs, so a
	 * hostile block cannot make us loop; the entry count is bounded by the
	 * bytes that are really there.
	 */
	if (count > (len - ifd - 2) / 12)
		count = (unsigned)((len - ifd - 2) / 12);
	for (i = 0; i < count; i++) {
		entry = (size_t)ifd + 2 + (size_t)i * 12;
		if (tiff_u16(&t, entry, &tag) != 0 || tiff_u16(&t, entry + 2, &type) != 0 ||
		    tiff_u32(&t, entry + 4, &count32) != 0)
			return 1;
		if (tag != EXIF_TAG_ORIENTATION)
			continue;
		if (count32 != 1)
			return 1;
		/* The value sits in the entry itself (it fits in 4 bytes), left-justified. */
		if (type == TIFF_SHORT) {
			if (tiff_u16(&t, entry + 8, &value) != 0)
				return 1;
		} else if (type == TIFF_LONG) {
			uint32_t v32;
			if (tiff_u32(&t, entry + 8, &v32) != 0)
				return 1;
			value = v32 > 8 ? 0 : (unsigned)v32;
		} else
			return 1;
		return value >= 1 && value <= 8 ? (int)value : 1;
	}
	return 1;
}

void
image_exif_oriented_size(int orientation, int w, int h, int *ow, int *oh)
{
	if (orientation >= 5 && orientation <= 8) {
		*ow = h;
		*oh = w;
	} else {
		*ow = w;
		*oh = h;
	}
}

/*
 * Source pixel for destination (x, y) under an orientation, where w and h
 * are the source size. Orientation 6 is "rotate 90 degrees clockwise to
 * display", 8 is counter-clockwise, 5 and 7 are the two diagonal mirrors.
 */
static void
source_of(int orientation, int w, int h, int x, int y, int *sx, int *sy)
{
	switch (orientation) {
	case 2:
		*sx = w - 1 - x, *sy = y;
		break;
	case 3:
		*sx = w - 1 - x, *sy = h - 1 - y;
		break;
	case 4:
		*sx = x, *sy = h - 1 - y;
		break;
	case 5:
		*sx = y, *sy = x;
		break;
	case 6:
		*sx = y, *sy = h - 1 - x;
		break;
	case 7:
		*sx = w - 1 - y, *sy = h - 1 - x;
		break;
	case 8:
		*sx = w - 1 - y, *sy = x;
		break;
	default:
		*sx = x, *sy = y;
		break;
	}
}

/* Side of the square tiles the copy goes by, so rotations stay in cache. */
#define TILE 64

void
image_exif_apply(struct image *img, int orientation)
{
	int ow, oh, x, y, tx, ty, xend, yend, sx, sy, sx1, sy1;
	ptrdiff_t ch = img->channels, w = img->w, off, step;
	uint8_t *out, *d;
	const uint8_t *px = img->px;

	if (orientation < 2 || orientation > 8 || img->px == NULL)
		return;
	image_exif_oriented_size(orientation, img->w, img->h, &ow, &oh);
	out = xmalloc((size_t)ow * (size_t)oh * (size_t)ch);
	for (ty = 0; ty < oh; ty += TILE) {
		yend = ty + TILE < oh ? ty + TILE : oh;
		for (tx = 0; tx < ow; tx += TILE) {
			xend = tx + TILE < ow ? tx + TILE : ow;
			for (y = ty; y < yend; y++) {
				/* Along a destination row the source moves by a fixed step. */
				source_of(orientation, img->w, img->h, tx, y, &sx, &sy);
				step = 0;
				if (ow > 1) {
					source_of(orientation, img->w, img->h, tx == 0 ? 1 : tx - 1,
					    y, &sx1, &sy1);
					step = ((ptrdiff_t)(sy1 - sy) * w + (sx1 - sx)) * ch;
					if (tx != 0)
						step = -step;
				}
				off = ((ptrdiff_t)sy * w + sx) * ch;
				d = out + ((size_t)y * (size_t)ow + (size_t)tx) * (size_t)ch;
				if (ch == 3) {
					for (x = tx; x < xend; x++, off += step, d += 3) {
						d[0] = px[off];
						d[1] = px[off + 1];
						d[2] = px[off + 2];
					}
				} else {
					for (x = tx; x < xend; x++, off += step, d += 4)
						memcpy(d, px + off, 4);
				}
			}
		}
	}
	free(img->px);
	img->px = out;
	img->w = ow;
	img->h = oh;
}
