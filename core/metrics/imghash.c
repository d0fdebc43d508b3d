/* SPDX-License-Identifier: MIT */
/*
 * Perceptual hashes as the imagehash package computes them, so a stored
 * hash can be compared with Data-Juicer's, imagededup's or FiftyOne's: the
 * image goes to 8-bit grey the way Pillow's convert("L") does it, is shrunk
 * with Pillow's Lanczos filter in its fixed-point arithmetic (two passes,
 * each rounded to 8 bits), and the bits are imagehash's: aHash above the
 * mean, dHash right brighter than left, pHash above the median of the
 * top-left 8x8 DCT block. Quantising to 8 bits first is what keeps
 * invisible noise from flipping bits.
 */
#include "core/metrics/imgmetrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

#define PHASH_GRID 32
#define PHASH_KEEP 8
/* pHash coefficients below this times sum |f| are cancellation noise (exact zeros). */
#define PHASH_REL_EPS 1e-9

/* Pillow's Resample.c: coefficients in 22-bit fixed point. */
#define PIL_PRECISION_BITS (32 - 8 - 2)
#define PIL_LANCZOS_SUPPORT 3.0

static int
hash_usable(const struct image *img)
{
	return img != NULL && img->px != NULL && img->w > 0 && img->h > 0 &&
	    (img->channels == 3 || img->channels == 4);
}

static double
pil_sinc(double x)
{
	if (x == 0.0)
		return 1.0;
	x = x * M_PI;
	return sin(x) / x;
}

static double
pil_lanczos(double x)
{
	if (-3.0 <= x && x < 3.0)
		return pil_sinc(x) * pil_sinc(x / 3.0);
	return 0.0;
}

/*
 * Pillow's precompute_coeffs and normalize_coeffs_8bpc for one axis of
 * insize -> outsize: for output i, bounds[2i] is the first input and
 * bounds[2i + 1] the count, k[i * ksize + j] the fixed-point weights.
 * Returns ksize; *k is allocated (free it).
 */
static int
pil_coeffs(int insize, int outsize, int *bounds, int32_t **k)
{
	double scale = (double)insize / outsize, filterscale = scale < 1.0 ? 1.0 : scale;
	double support = PIL_LANCZOS_SUPPORT * filterscale, center, ww, ss, *pre;
	int ksize = (int)ceil(support) * 2 + 1, xx, x, xmin, xmax;

	pre = xcalloc((size_t)outsize * (size_t)ksize, sizeof *pre);
	*k = xcalloc((size_t)outsize * (size_t)ksize, sizeof **k);
	for (xx = 0; xx < outsize; xx++) {
		center = (xx + 0.5) * scale;
		ww = 0.0;
		ss = 1.0 / filterscale;
		xmin = (int)(center - support + 0.5);
		if (xmin < 0)
			xmin = 0;
		xmax = (int)(center + support + 0.5);
		if (xmax > insize)
			xmax = insize;
		xmax -= xmin;
		for (x = 0; x < xmax; x++) {
			double w = pil_lanczos((x + xmin - center + 0.5) * ss);
			pre[xx * ksize + x] = w;
			ww += w;
		}
		for (x = 0; x < xmax; x++) {
			if (ww != 0.0)
				pre[xx * ksize + x] /= ww;
		}
		bounds[xx * 2] = xmin;
		bounds[xx * 2 + 1] = xmax;
	}
	for (x = 0; x < outsize * ksize; x++)
		(*k)[x] = (int32_t)(pre[x] < 0 ? -0.5 + pre[x] * (1 << PIL_PRECISION_BITS) :
		    0.5 + pre[x] * (1 << PIL_PRECISION_BITS));
	free(pre);
	return ksize;
}

static uint8_t
pil_clip8(int32_t v)
{
	if (v >= (1 << PIL_PRECISION_BITS << 8))
		return 255;
	if (v <= 0)
		return 0;
	return (uint8_t)(v >> PIL_PRECISION_BITS);
}

/* convert("L"): ITU-R 601-2 in 16-bit fixed point, rounded; alpha is ignored. */
static uint8_t
pil_grey(const uint8_t *p)
{
	return (uint8_t)(((uint32_t)p[0] * 19595 + (uint32_t)p[1] * 38470 + (uint32_t)p[2] * 7471 +
	    0x8000) >> 16);
}

/* convert("L") of the whole image, w * h bytes; the caller frees it. */
static uint8_t *
grey_plane(const struct image *img)
{
	size_t n = (size_t)img->w * (size_t)img->h, ch = (size_t)img->channels;
	uint8_t *g = xmalloc(n);
	const uint8_t *p = img->px;

	for (size_t i = 0; i < n; i++, p += ch)
		g[i] = pil_grey(p);
	return g;
}

/*
 * Pillow's resize((dw, dh), LANCZOS) of a w x h grey plane, into out (dw * dh
 * bytes): a horizontal pass over the rows the vertical pass reads, rounded
 * to 8 bits, then the vertical pass. An axis of the same size is no pass.
 */
MMDA_VECTOR_CLONES static void
grey_resize(const uint8_t *grey, int w, int h, int dw, int dh, uint8_t *out)
{
	int *bh, *bv, kh, kv, y0, y1, x, y, j;
	int32_t *wh, *wv, acc;
	uint8_t *tmp;
	size_t tw;

	bh = xcalloc((size_t)dw * 2, sizeof *bh);
	bv = xcalloc((size_t)dh * 2, sizeof *bv);
	kh = pil_coeffs(w, dw, bh, &wh);
	kv = pil_coeffs(h, dh, bv, &wv);
	if (h == dh) {
		/* No vertical pass: every row is read, each once. */
		for (y = 0; y < dh; y++)
			bv[y * 2] = y, bv[y * 2 + 1] = 1;
	}
	y0 = bv[0];
	y1 = bv[dh * 2 - 2] + bv[dh * 2 - 1];
	tw = (size_t)(w == dw ? w : dw);
	tmp = xcalloc(tw * (size_t)(y1 - y0), 1);
	for (y = y0; y < y1; y++) {
		const uint8_t *row = grey + (size_t)y * (size_t)w;
		if (w == dw) {
			memcpy(tmp + (size_t)(y - y0) * tw, row, tw);
			continue;
		}
		for (x = 0; x < dw; x++) {
			const uint8_t *in = row + bh[x * 2];
			const int32_t *k = wh + (size_t)x * (size_t)kh;
			int n = bh[x * 2 + 1];
			acc = 1 << (PIL_PRECISION_BITS - 1);
			for (j = 0; j < n; j++)
				acc += (int32_t)in[j] * k[j];
			tmp[(size_t)(y - y0) * tw + (size_t)x] = pil_clip8(acc);
		}
	}
	for (y = 0; y < dh; y++) {
		for (x = 0; x < dw; x++) {
			if (h == dh) {
				out[y * dw + x] = tmp[(size_t)(y - y0) * tw + (size_t)x];
				continue;
			}
			acc = 1 << (PIL_PRECISION_BITS - 1);
			for (j = 0; j < bv[y * 2 + 1]; j++)
				acc += (int32_t)tmp[(size_t)(bv[y * 2] - y0 + j) * tw + (size_t)x] *
				    wv[y * kv + j];
			out[y * dw + x] = pil_clip8(acc);
		}
	}
	free(tmp);
	free(wh);
	free(wv);
	free(bh);
	free(bv);
}

static uint64_t
ahash_bits(const uint8_t *g)
{
	double mean = 0.0;
	uint64_t h = 0;
	int i;

	for (i = 0; i < 64; i++)
		mean += g[i];
	mean /= 64.0;
	for (i = 0; i < 64; i++) {
		if (g[i] > mean)
			h |= (uint64_t)1 << (63 - i);
	}
	return h;
}

static uint64_t
dhash_bits(const uint8_t *g)
{
	uint64_t h = 0;
	int r, c;

	for (r = 0; r < 8; r++) {
		for (c = 0; c < 8; c++) {
			if (g[r * 9 + c + 1] > g[r * 9 + c])
				h |= (uint64_t)1 << (63 - (r * 8 + c));
		}
	}
	return h;
}

static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static uint64_t
phash_bits(const uint8_t *g)
{
	double cosk[PHASH_KEEP][PHASH_GRID], t[PHASH_GRID][PHASH_KEEP], c[PHASH_KEEP * PHASH_KEEP];
	double sorted[PHASH_KEEP * PHASH_KEEP], mag = 0.0, tol, med, s;
	uint64_t h = 0;
	int u, v, x, y, i;

	for (u = 0; u < PHASH_KEEP; u++) {
		for (x = 0; x < PHASH_GRID; x++)
			cosk[u][x] = cos((2 * x + 1) * u * M_PI / (2.0 * PHASH_GRID));
	}
	/* Only the 8 lowest frequencies are kept, so transform rows, then columns, to 8. */
	for (y = 0; y < PHASH_GRID; y++) {
		for (v = 0; v < PHASH_KEEP; v++) {
			s = 0.0;
			for (x = 0; x < PHASH_GRID; x++)
				s += g[y * PHASH_GRID + x] * cosk[v][x];
			t[y][v] = s;
		}
		for (x = 0; x < PHASH_GRID; x++)
			mag += g[y * PHASH_GRID + x];
	}
	tol = PHASH_REL_EPS * mag;
	for (u = 0; u < PHASH_KEEP; u++) {
		for (v = 0; v < PHASH_KEEP; v++) {
			s = 0.0;
			for (y = 0; y < PHASH_GRID; y++)
				s += cosk[u][y] * t[y][v];
			c[u * PHASH_KEEP + v] = fabs(s) < tol ? 0.0 : s;
		}
	}
	memcpy(sorted, c, sizeof sorted);
	qsort(sorted, PHASH_KEEP * PHASH_KEEP, sizeof sorted[0], cmp_double);
	med = (sorted[31] + sorted[32]) / 2.0;
	for (i = 0; i < PHASH_KEEP * PHASH_KEEP; i++) {
		if (c[i] > med)
			h |= (uint64_t)1 << (63 - i);
	}
	return h;
}

/* Which hashes imgm_hashes computes. */
enum { WANT_A = 1, WANT_D = 2, WANT_P = 4 };

/* One grey plane for every hash asked for: the conversion is most of a hash's cost. */
static void
hashes(const struct image *img, int want, uint64_t *a, uint64_t *d, uint64_t *p)
{
	uint8_t ga[64], gd[72], gp[PHASH_GRID * PHASH_GRID], *grey;

	*a = *d = *p = 0;
	if (!hash_usable(img))
		return;
	grey = grey_plane(img);
	if (want & WANT_A) {
		grey_resize(grey, img->w, img->h, 8, 8, ga);
		*a = ahash_bits(ga);
	}
	if (want & WANT_D) {
		grey_resize(grey, img->w, img->h, 9, 8, gd);
		*d = dhash_bits(gd);
	}
	if (want & WANT_P) {
		grey_resize(grey, img->w, img->h, PHASH_GRID, PHASH_GRID, gp);
		*p = phash_bits(gp);
	}
	free(grey);
}

static uint64_t
one_hash(const struct image *img, int want)
{
	uint64_t a, d, p;

	hashes(img, want, &a, &d, &p);
	return want == WANT_A ? a : want == WANT_D ? d : p;
}

uint64_t
imgm_ahash(const struct image *img)
{
	return one_hash(img, WANT_A);
}

uint64_t
imgm_dhash(const struct image *img)
{
	return one_hash(img, WANT_D);
}

uint64_t
imgm_phash(const struct image *img)
{
	return one_hash(img, WANT_P);
}

void
imgm_hashes(const struct image *img, uint64_t *ahash, uint64_t *dhash, uint64_t *phash)
{
	hashes(img, WANT_A | WANT_D | WANT_P, ahash, dhash, phash);
}

int
imgm_hamming(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;
	int n = 0;

	/* Each step clears the lowest set bit. */
	for (; x != 0; x &= x - 1)
		n++;
	return n;
}
