/* SPDX-License-Identifier: MIT */
/*
 * Resizing: exact area averaging (box coverage) when shrinking, bilinear when
 * enlarging, chosen per axis. The filter is separable: for each destination
 * row and column we precompute which source rows and columns contribute and
 * with what weight; overlaps are computed in integers (in units of 1/dst of
 * a source pixel), so a destination pixel covering 1.5 source pixels gets
 * weights of exactly 2/3 and 1/3.
 *
 * Each destination row is built by summing its source rows into one float
 * row (vertical pass), then collapsing that row horizontally, so the extra
 * memory is one source row of floats however large the image is.
 */
#include <stdlib.h>
#include <string.h>

#include "core/image/image_codec.h"
#include "core/base/util.h"

/* The contributions to each of n destination indexes along one axis. */
struct taps {
	int n;
	int maxc;   /* weights per index (the stride of w) */
	int *start; /* first source index */
	int *count; /* number of source indexes */
	float *w;   /* n * maxc weights, each index's summing to 1 */
};

static void
taps_free(struct taps *t)
{
	free(t->start);
	free(t->count);
	free(t->w);
}

static void
taps_init(struct taps *t, int src, int dst)
{
	int64_t lo, hi, a, b, j, first, last;
	double s, f;
	int i, i0;

	t->n = dst;
	t->maxc = dst <= src ? src / dst + 2 : 2;
	t->start = xcalloc((size_t)dst, sizeof *t->start);
	t->count = xcalloc((size_t)dst, sizeof *t->count);
	t->w = xcalloc((size_t)dst * (size_t)t->maxc, sizeof *t->w);
	for (i = 0; i < dst; i++) {
		float *w = t->w + (size_t)i * (size_t)t->maxc;
		if (dst <= src) {
			/* Destination i covers [i*src, (i+1)*src) in 1/dst units. */
			lo = (int64_t)i * src;
			hi = lo + src;
			first = lo / dst;
			last = (hi - 1) / dst;
			t->start[i] = (int)first;
			t->count[i] = (int)(last - first + 1);
			for (j = first; j <= last; j++) {
				a = lo > j * dst ? lo : j * dst;
				b = hi < (j + 1) * dst ? hi : (j + 1) * dst;
				w[j - first] = (float)((double)(b - a) / (double)src);
			}
		} else {
			/* Pixel centres line up: destination i is at source (i+0.5)*src/dst-0.5. */
			s = ((double)i + 0.5) * (double)src / (double)dst - 0.5;
			if (s < 0)
				s = 0;
			i0 = (int)s;
			f = s - i0;
			if (i0 >= src - 1) {
				i0 = src - 1;
				f = 0;
			}
			t->start[i] = i0;
			t->count[i] = f > 0 ? 2 : 1;
			w[0] = (float)(1 - f);
			w[1] = (float)f;
		}
	}
}

static void
row_set(float *restrict acc, const uint8_t *restrict s, float w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc[i] = w * (float)s[i];
}

static void
row_add(float *restrict acc, const uint8_t *restrict s, float w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc[i] += w * (float)s[i];
}

static uint8_t
to_u8(float v)
{
	v += 0.5f;
	if (v <= 0)
		return 0;
	if (v >= 255)
		return 255;
	return (uint8_t)v;
}

/* Collapses one float row of source width into dst.w pixels. */
static void
row_horizontal(const struct taps *tx, const float *row, int ch, uint8_t *out)
{
	const float *w, *s;
	float a0, a1, a2, a3;
	int x, k;

	for (x = 0; x < tx->n; x++) {
		w = tx->w + (size_t)x * (size_t)tx->maxc;
		s = row + (size_t)tx->start[x] * (size_t)ch;
		a0 = a1 = a2 = a3 = 0;
		if (ch == 3) {
			for (k = 0; k < tx->count[x]; k++, s += 3) {
				a0 += w[k] * s[0];
				a1 += w[k] * s[1];
				a2 += w[k] * s[2];
			}
			out[0] = to_u8(a0), out[1] = to_u8(a1), out[2] = to_u8(a2);
			out += 3;
		} else {
			for (k = 0; k < tx->count[x]; k++, s += 4) {
				a0 += w[k] * s[0];
				a1 += w[k] * s[1];
				a2 += w[k] * s[2];
				a3 += w[k] * s[3];
			}
			out[0] = to_u8(a0), out[1] = to_u8(a1), out[2] = to_u8(a2);
			out[3] = to_u8(a3);
			out += 4;
		}
	}
}

int
image_resize(const struct image *src, int dw, int dh, struct image *dst, char **cause)
{
	struct taps tx, ty;
	size_t rowlen, dstride;
	const float *wy;
	float *row;
	int y, k;

	memset(dst, 0, sizeof *dst);
	if (src == NULL || src->px == NULL || src->w <= 0 || src->h <= 0 ||
	    (src->channels != 3 && src->channels != 4))
		return cause_set(cause, "resize: bad source image");
	if (dw <= 0 || dh <= 0)
		return cause_set(cause, "resize: bad target size %dx%d", dw, dh);
	if (image_alloc(dst, dw, dh, src->channels, 0, cause) != 0)
		return -1;
	if (dw == src->w && dh == src->h) {
		memcpy(dst->px, src->px, (size_t)dw * (size_t)dh * (size_t)src->channels);
		return 0;
	}
	taps_init(&tx, src->w, dw);
	taps_init(&ty, src->h, dh);
	rowlen = (size_t)src->w * (size_t)src->channels;
	dstride = (size_t)dw * (size_t)src->channels;
	row = xmalloc(rowlen * sizeof *row);
	for (y = 0; y < dh; y++) {
		wy = ty.w + (size_t)y * (size_t)ty.maxc;
		row_set(row, src->px + (size_t)ty.start[y] * rowlen, wy[0], rowlen);
		for (k = 1; k < ty.count[y]; k++)
			row_add(row, src->px + (size_t)(ty.start[y] + k) * rowlen, wy[k], rowlen);
		row_horizontal(&tx, row, src->channels, dst->px + (size_t)y * dstride);
	}
	free(row);
	taps_free(&tx);
	taps_free(&ty);
	return 0;
}
