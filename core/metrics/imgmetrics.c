/* SPDX-License-Identifier: MIT */
/*
 * Image comparison measures (core/metrics/imgmetrics.h): luma, SSIM, PSNR, changed-pixel share and luma statistics. Everything streams
 * over source rows, so a large image costs a few rows of doubles rather
 * than a copy of itself; only a size mismatch costs a resized copy of b.
 */
#include "core/metrics/imgmetrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

#define SSIM_RADIUS ((IMGM_SSIM_WIN - 1) / 2)
#define SSIM_SIGMA 1.5
#define SSIM_C1 ((0.01 * 255.0) * (0.01 * 255.0))
#define SSIM_C2 ((0.03 * 255.0) * (0.03 * 255.0))

static int
image_usable(const struct image *img)
{
	return img != NULL && img->px != NULL && img->w > 0 && img->h > 0 &&
	    (img->channels == 3 || img->channels == 4);
}

/* Luma of row y of img into out[0..w-1], alpha composited over white. */
MMDA_VECTOR_CLONES static void
luma_row(const struct image *img, int y, double *out)
{
	const uint8_t *p = img->px + (size_t)y * (size_t)img->w * (size_t)img->channels;
	int64_t num, a;
	int x;

	if (img->channels == 4) {
		/* One exact integer numerator, one rounding: grey stays exact. */
		for (x = 0; x < img->w; x++, p += 4) {
			a = p[3];
			num = (int64_t)(299 * p[0] + 587 * p[1] + 114 * p[2]) * a +
			    255000 * (255 - a);
			out[x] = (double)num / 255000.0;
		}
		return;
	}
	/* Multiplying is several times faster than dividing, and still exact for grey. */
	for (x = 0; x < img->w; x++, p += 3)
		out[x] = (double)(299 * p[0] + 587 * p[1] + 114 * p[2]) * 0.001;
}

/* R, G, B of row y into out[0..3w-1] as doubles, alpha composited over white. */
static void
rgb_row(const struct image *img, int y, double *out)
{
	const uint8_t *p = img->px + (size_t)y * (size_t)img->w * (size_t)img->channels;
	size_t i, n = 3 * (size_t)img->w;
	int x, c, a;

	if (img->channels == 3) {
		for (i = 0; i < n; i++)
			out[i] = p[i];
		return;
	}
	for (x = 0; x < img->w; x++, p += 4) {
		a = p[3];
		for (c = 0; c < 3; c++)
			out[3 * x + c] = (double)(p[c] * a + 255 * (255 - a)) / 255.0;
	}
}

/*
 * Checks both images and points *bp at b, or at a copy of b resized to a's
 * size in *tmp (which the caller frees with image_free; it is zeroed when no
 * copy was needed).
 */
static int
pair_prepare(const char *what, const struct image *a, const struct image *b,
    struct image *tmp, const struct image **bp, char **cause)
{
	memset(tmp, 0, sizeof *tmp);
	*bp = b;
	if (!image_usable(a))
		return cause_set(cause, "%s: first image is empty or malformed", what);
	if (!image_usable(b))
		return cause_set(cause, "%s: second image is empty or malformed", what);
	if (a->w == b->w && a->h == b->h)
		return 0;
	if (image_resize(b, a->w, a->h, tmp, cause) != 0)
		return -1;
	*bp = tmp;
	return 0;
}

/* The normalised 1-D Gaussian taps, as scipy.ndimage builds them. */
static void
ssim_kernel(double *g)
{
	double sum = 0.0;
	int k;

	for (k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
		g[k + SSIM_RADIUS] = exp(-0.5 * k * k / (SSIM_SIGMA * SSIM_SIGMA));
		sum += g[k + SSIM_RADIUS];
	}
	for (k = 0; k < IMGM_SSIM_WIN; k++)
		g[k] /= sum;
}

/*
 * out[j] = sum_k g[k] t[k][j] for j < n, where t[k] are the IMGM_SSIM_WIN
 * taps' inputs: shifted pointers into one row for the horizontal pass, the
 * ring rows for the vertical one. The kernel is symmetric, so mirrored taps
 * are added before multiplying: 6 products instead of 11. The sum is written
 * out as a tree, each output on its own: no chain of dependent additions, so
 * the vector units stay busy (this loop is most of a score's time).
 */
#define SSIM_CHUNK 16
_Static_assert(IMGM_SSIM_WIN == 11, "ssim_filter spells out the 11 taps");
MMDA_VECTOR_CLONES static void
ssim_filter(const double *g, const double *const *t, double *restrict out, int n)
{
	const double *t0 = t[0], *t1 = t[1], *t2 = t[2], *t3 = t[3], *t4 = t[4], *t5 = t[5];
	const double *t6 = t[6], *t7 = t[7], *t8 = t[8], *t9 = t[9], *t10 = t[10];
	const double g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5];

	double acc[SSIM_CHUNK];
	int j = 0, jj;

#define SSIM_TAPS(i) (g5 * t5[i] + (g0 * (t0[i] + t10[i]) + g1 * (t1[i] + t9[i])) + \
	(g2 * (t2[i] + t8[i]) + (g3 * (t3[i] + t7[i]) + g4 * (t4[i] + t6[i]))))
	/* A local block of constant length: vector code without run-time alias checks. */
	for (; j + SSIM_CHUNK <= n; j += SSIM_CHUNK) {
		for (jj = 0; jj < SSIM_CHUNK; jj++)
			acc[jj] = SSIM_TAPS(j + jj);
		memcpy(out + j, acc, sizeof acc);
	}
	for (; j < n; j++)
		out[j] = SSIM_TAPS(j);
#undef SSIM_TAPS
}

/*
 * The SSIM sum over the valid region of two same-sized images. The five
 * maps (x, y, x^2, y^2, xy) are filtered horizontally row by row into a
 * ring of IMGM_SSIM_WIN rows; once the ring is full, each new row completes
 * the vertical filter of one output row.
 */
MMDA_VECTOR_CLONES static double
ssim_sum(const struct image *a, const struct image *b)
{
	double g[IMGM_SSIM_WIN], *src, *ring, *vert, *map, *row, total = 0.0, rsum;
	const double *taps[IMGM_SSIM_WIN];
	double mx, my, vx, vy, vxy;
	int W = a->w, H = a->h, ow = W - 2 * SSIM_RADIUS, y, x, q, k;
	size_t sw = (size_t)W, so = (size_t)ow;

	ssim_kernel(g);
	src = xreallocarray(NULL, 5 * sw, sizeof *src);
	ring = xreallocarray(NULL, (size_t)IMGM_SSIM_WIN * 5 * so, sizeof *ring);
	vert = xreallocarray(NULL, 5 * so, sizeof *vert);
	map = xreallocarray(NULL, so, sizeof *map);
	for (y = 0; y < H; y++) {
		luma_row(a, y, src);
		luma_row(b, y, src + sw);
		for (x = 0; x < W; x++) {
			src[2 * sw + x] = src[x] * src[x];
			src[3 * sw + x] = src[sw + x] * src[sw + x];
			src[4 * sw + x] = src[x] * src[sw + x];
		}
		row = ring + (size_t)(y % IMGM_SSIM_WIN) * 5 * so;
		for (q = 0; q < 5; q++) {
			for (k = 0; k < IMGM_SSIM_WIN; k++)
				taps[k] = src + q * sw + k;
			ssim_filter(g, taps, row + q * so, ow);
		}
		if (y < IMGM_SSIM_WIN - 1)
			continue;
		/* Source rows y - 10 .. y make output row y - 10. */
		for (q = 0; q < 5; q++) {
			for (k = 0; k < IMGM_SSIM_WIN; k++)
				taps[k] = ring + (size_t)((y - 2 * SSIM_RADIUS + k) %
				    IMGM_SSIM_WIN) * 5 * so + q * so;
			ssim_filter(g, taps, vert + q * so, ow);
		}
		/* The map first (vector divisions), then its sum in order. */
		for (x = 0; x < ow; x++) {
			mx = vert[x];
			my = vert[so + x];
			vx = vert[2 * so + x] - mx * mx;
			vy = vert[3 * so + x] - my * my;
			vxy = vert[4 * so + x] - mx * my;
			/* Same expression as scikit-image, so identical inputs give exactly 1. */
			map[x] = ((2.0 * mx * my + SSIM_C1) * (2.0 * vxy + SSIM_C2)) /
			    ((mx * mx + my * my + SSIM_C1) * (vx + vy + SSIM_C2));
		}
		rsum = 0.0;
		for (x = 0; x < ow; x++)
			rsum += map[x];
		/* Row sums first: a long single sum would lose low bits. */
		total += rsum;
	}
	free(src);
	free(ring);
	free(vert);
	free(map);
	return total;
}

int
imgm_ssim(const struct image *a, const struct image *b, double *out, char **cause)
{
	struct image tmp;
	const struct image *bb;
	double n;

	*out = 0.0;
	if (image_usable(a) && (a->w < IMGM_SSIM_WIN || a->h < IMGM_SSIM_WIN))
		return cause_set(cause, "ssim: %dx%d is smaller than the %dx%d window", a->w,
		    a->h, IMGM_SSIM_WIN, IMGM_SSIM_WIN);
	if (pair_prepare("ssim", a, b, &tmp, &bb, cause) != 0)
		return -1;
	n = (double)(a->w - 2 * SSIM_RADIUS) * (double)(a->h - 2 * SSIM_RADIUS);
	*out = ssim_sum(a, bb) / n;
	image_free(&tmp);
	return 0;
}

int
imgm_psnr(const struct image *a, const struct image *b, double *out, char **cause)
{
	struct image tmp;
	const struct image *bb;
	double *ra, *rb, d, rsum, total = 0.0, mse, v;
	size_t i, n;
	int y;

	*out = 0.0;
	if (pair_prepare("psnr", a, b, &tmp, &bb, cause) != 0)
		return -1;
	n = 3 * (size_t)a->w;
	ra = xreallocarray(NULL, n, sizeof *ra);
	rb = xreallocarray(NULL, n, sizeof *rb);
	for (y = 0; y < a->h; y++) {
		rgb_row(a, y, ra);
		rgb_row(bb, y, rb);
		rsum = 0.0;
		for (i = 0; i < n; i++) {
			d = ra[i] - rb[i];
			rsum += d * d;
		}
		total += rsum;
	}
	free(ra);
	free(rb);
	image_free(&tmp);
	mse = total / ((double)n * (double)a->h);
	v = mse > 0.0 ? 10.0 * log10(255.0 * 255.0 / mse) : IMGM_PSNR_MAX;
	*out = v > IMGM_PSNR_MAX ? IMGM_PSNR_MAX : v;
	return 0;
}

int
imgm_changed_frac(const struct image *a, const struct image *b, int threshold,
    double *out, char **cause)
{
	struct image tmp;
	const struct image *bb;
	double *ra, *rb, d, worst;
	uint64_t changed = 0;
	int x, y, c;

	*out = 0.0;
	if (threshold < 0 || threshold > 255)
		return cause_set(cause, "changed: threshold %d is not in 0..255", threshold);
	if (pair_prepare("changed", a, b, &tmp, &bb, cause) != 0)
		return -1;
	ra = xreallocarray(NULL, 3 * (size_t)a->w, sizeof *ra);
	rb = xreallocarray(NULL, 3 * (size_t)a->w, sizeof *rb);
	for (y = 0; y < a->h; y++) {
		rgb_row(a, y, ra);
		rgb_row(bb, y, rb);
		for (x = 0; x < a->w; x++) {
			worst = 0.0;
			for (c = 0; c < 3; c++) {
				d = fabs(ra[3 * x + c] - rb[3 * x + c]);
				if (d > worst)
					worst = d;
			}
			if (worst > (double)threshold)
				changed++;
		}
	}
	free(ra);
	free(rb);
	image_free(&tmp);
	*out = (double)changed / ((double)a->w * (double)a->h);
	return 0;
}

/*
 * Mean and population variance of the luma. Sums are of differences from
 * the first pixel's luma, which keeps them small (no cancellation in
 * sum d^2 - (sum d)^2 / n) and makes a constant image exactly 0.
 */
static void
luma_stats(const struct image *img, double *mean, double *var)
{
	double *row, k, d, s = 0.0, s2 = 0.0, rs, rs2, n;
	int x, y;

	*mean = *var = 0.0;
	if (!image_usable(img))
		return;
	row = xreallocarray(NULL, (size_t)img->w, sizeof *row);
	luma_row(img, 0, row);
	k = row[0];
	for (y = 0; y < img->h; y++) {
		luma_row(img, y, row);
		rs = rs2 = 0.0;
		for (x = 0; x < img->w; x++) {
			d = row[x] - k;
			rs += d;
			rs2 += d * d;
		}
		s += rs;
		s2 += rs2;
	}
	free(row);
	n = (double)img->w * (double)img->h;
	*mean = k + s / n;
	*var = (s2 - s * s / n) / n;
	if (*var < 0.0)
		*var = 0.0;
}

double
imgm_luma_mean(const struct image *img)
{
	double mean, var;

	luma_stats(img, &mean, &var);
	return mean;
}

double
imgm_luma_std(const struct image *img)
{
	double mean, var;

	luma_stats(img, &mean, &var);
	return sqrt(var);
}
