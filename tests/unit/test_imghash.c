/* SPDX-License-Identifier: MIT */
/*
 * aHash, dHash and pHash against imagehash (the Python package most
 * pipelines use: Data-Juicer, imagededup, FiftyOne). Two references: the
 * hashes of the sample photos as Pillow 9.4 and imagehash's formulas compute
 * them (tests/unit/imagehash_reference.py, pinned below), and imagehash's
 * algorithm written out here from its documentation and Pillow's
 * Resample.c, run on the samples and on random images of many sizes, up and
 * down. The reference is written for clarity, not speed: every output
 * pixel's weights are computed where it is used.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/image/image.h"
#include "core/metrics/imgmetrics.h"
#include "tests/harness.h"

/* python3 tests/unit/imagehash_reference.py tests/data/sample/images/... (Pillow 9.4.0). */
static const struct {
	const char *name;
	uint64_t ah, dh, ph;
} pillow[] = {
	{ "astronaut.png", UINT64_C(0x7f7f7fc744f8d050), UINT64_C(0xcd8dd91d897293a7),
	    UINT64_C(0xc2924c5532bddfc8) },
	{ "brick.png", UINT64_C(0x07276f07c307cb64), UINT64_C(0x4fadd62d8ead1289),
	    UINT64_C(0xa2898b1566fd46f1) },
	{ "camera.png", UINT64_C(0xffcf8f07071f1f1f), UINT64_C(0x509a3c7fbc756cec),
	    UINT64_C(0xbff1c1c0434e8cbc) },
	{ "chelsea.png", UINT64_C(0x82808e4b09a373e7), UINT64_C(0x5414589aab6fa785),
	    UINT64_C(0xb15fe6465121175e) },
	{ "clock_motion.png", UINT64_C(0xe0e0f8f8d8d8c0c0), UINT64_C(0x0202133333130303),
	    UINT64_C(0xd993669c993364cc) },
	{ "coffee.png", UINT64_C(0x3f3fbfbb818081c3), UINT64_C(0xf3e96933160b1b36),
	    UINT64_C(0xbb8320376c0f3637) },
	{ "coins.png", UINT64_C(0xffffe0f001218003), UINT64_C(0xa2e285a553d5264f),
	    UINT64_C(0xe4d5b5a92b54523a) },
	{ "color.png", UINT64_C(0x000c3e3e3e1e1c00), UINT64_C(0x78f8fcf8f0f0f0f0),
	    UINT64_C(0x94636b1c6c973475) },
	{ "grass.png", UINT64_C(0x6f56040f1716396f), UINT64_C(0xd994a869b56df3ca),
	    UINT64_C(0x92f2e18ba30b770d) },
	{ "gravel.png", UINT64_C(0x82b863c3bf777d1a), UINT64_C(0x2650c5aa69c5a1b6),
	    UINT64_C(0xc6771cbe3d2424a6) },
	{ "horse.png", UINT64_C(0xfdf88103033bfbff), UINT64_C(0x8921320766627676),
	    UINT64_C(0xad7ad2863235b534) },
	{ "hubble_deep_field.jpg", UINT64_C(0x387a60f0970e980c), UINT64_C(0x60d6caa435546058),
	    UINT64_C(0x84cc4b96ba4d333e) },
	{ "retina.jpg", UINT64_C(0x187e7efefe7e7e00), UINT64_C(0xf0c4828888c2c4f0),
	    UINT64_C(0xc0cc1f977ac02d4f) },
	{ "rocket.jpg", UINT64_C(0x00002078f8fcfc7c), UINT64_C(0xe0c0c090909090d1),
	    UINT64_C(0xc0371bec1be51267) },
	{ "text.png", UINT64_C(0x0707026236bfffe7), UINT64_C(0xdd2c94ce6464b84c),
	    UINT64_C(0xb620ba8e2371cddc) },
};

/* Pillow: "L" = (19595 R + 38470 G + 7471 B + 2^15) >> 16, alpha not used. */
static uint8_t *
ref_grey(const struct image *img)
{
	uint8_t *g = malloc((size_t)img->w * (size_t)img->h);
	size_t i;

	for (i = 0; i < (size_t)img->w * (size_t)img->h; i++) {
		const uint8_t *p = img->px + i * (size_t)img->channels;
		g[i] = (uint8_t)((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 32768u) >> 16);
	}
	return g;
}

static double
ref_lanczos(double x)
{
	double a = x == 0 ? 1 : sin(M_PI * x) / (M_PI * x);
	double b = x == 0 ? 1 : sin(M_PI * x / 3) / (M_PI * x / 3);

	return x >= -3 && x < 3 ? a * b : 0;
}

/*
 * One Lanczos pass of Pillow's resample along rows (stride 1) or columns:
 * src is n cells apart by step, dst gets m. Weights are normalised in
 * doubles, rounded to 22-bit fixed point, the sum starts at half and is
 * clipped to 0..255.
 */
static void
ref_pass(const uint8_t *src, int n, size_t step, uint8_t *dst, int m, size_t dstep)
{
	double scale = (double)n / m, fs = scale < 1 ? 1 : scale, support = 3 * fs;

	for (int i = 0; i < m; i++) {
		double center = (i + 0.5) * scale, w[4096], total = 0;
		int lo = (int)(center - support + 0.5), hi = (int)(center + support + 0.5), k;
		long long acc = 1 << 21;

		if (lo < 0)
			lo = 0;
		if (hi > n)
			hi = n;
		for (k = lo; k < hi; k++)
			total += w[k - lo] = ref_lanczos((k - center + 0.5) / fs);
		for (k = lo; k < hi; k++) {
			double v = total != 0 ? w[k - lo] / total : w[k - lo];
			int fixed = (int)(v < 0 ? -0.5 + v * (1 << 22) : 0.5 + v * (1 << 22));
			acc += (long long)src[(size_t)k * step] * fixed;
		}
		dst[(size_t)i * dstep] = acc <= 0 ? 0 : acc >= (256LL << 22) ? 255 : (uint8_t)(acc >> 22);
	}
}

/* Image.resize((dw, dh), LANCZOS) of the grey image: rows first, then columns. */
static uint8_t *
ref_resize(const struct image *img, int dw, int dh)
{
	uint8_t *g = ref_grey(img), *mid, *out = malloc((size_t)dw * (size_t)dh);
	int w = img->w, h = img->h, y, x;

	mid = malloc((size_t)dw * (size_t)h);
	for (y = 0; y < h; y++) {
		if (w == dw)
			memcpy(mid + (size_t)y * (size_t)dw, g + (size_t)y * (size_t)w, (size_t)w);
		else
			ref_pass(g + (size_t)y * (size_t)w, w, 1, mid + (size_t)y * (size_t)dw, dw, 1);
	}
	for (x = 0; x < dw; x++) {
		if (h == dh)
			for (y = 0; y < h; y++)
				out[(size_t)y * (size_t)dw + (size_t)x] = mid[(size_t)y * (size_t)dw + (size_t)x];
		else
			ref_pass(mid + x, h, (size_t)dw, out + x, dh, (size_t)dw);
	}
	free(mid);
	free(g);
	return out;
}

static uint64_t
ref_bits(const int *set)
{
	uint64_t h = 0;

	/* imagehash prints the flattened bits most significant first. */
	for (int i = 0; i < 64; i++)
		h = h << 1 | (uint64_t)(set[i] != 0);
	return h;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* average_hash, dhash and phash of imagehash 4.3. */
static void
ref_hashes(const struct image *img, uint64_t *ah, uint64_t *dh, uint64_t *ph)
{
	uint8_t *g = ref_resize(img, 8, 8), *g9 = ref_resize(img, 9, 8), *g32 = ref_resize(img, 32, 32);
	double mean = 0, d[32][32], t[32][32], low[64], sorted[64], med, mag = 0;
	int set[64], i, u, v, k;

	for (i = 0; i < 64; i++)
		mean += g[i] / 64.0;
	for (i = 0; i < 64; i++)
		set[i] = g[i] > mean;
	*ah = ref_bits(set);
	for (i = 0; i < 64; i++)
		set[i] = g9[(i / 8) * 9 + i % 8 + 1] > g9[(i / 8) * 9 + i % 8];
	*dh = ref_bits(set);
	/* scipy.fftpack.dct along axis 0, then axis 1 (type II; its factor 2 cancels). */
	for (u = 0; u < 32; u++)
		for (v = 0; v < 32; v++) {
			t[u][v] = 0;
			for (k = 0; k < 32; k++)
				t[u][v] += g32[k * 32 + v] * cos(M_PI * u * (2 * k + 1) / 64.0);
		}
	for (u = 0; u < 8; u++)
		for (v = 0; v < 8; v++) {
			d[u][v] = 0;
			for (k = 0; k < 32; k++)
				d[u][v] += t[u][k] * cos(M_PI * v * (2 * k + 1) / 64.0);
		}
	for (i = 0; i < 32 * 32; i++)
		mag += g32[i];
	/*
	 * Where the exact coefficient is 0 (a flat or symmetric image) the sign
	 * imagehash sees is the FFT's rounding noise; both sides call it 0.
	 */
	for (i = 0; i < 64; i++)
		low[i] = fabs(d[i / 8][i % 8]) < 1e-9 * mag ? 0 : d[i / 8][i % 8];
	memcpy(sorted, low, sizeof sorted);
	qsort(sorted, 64, sizeof sorted[0], dcmp);
	med = (sorted[31] + sorted[32]) / 2;
	for (i = 0; i < 64; i++)
		set[i] = low[i] > med;
	*ph = ref_bits(set);
	free(g);
	free(g9);
	free(g32);
}

static void
load(const char *name, struct image *img)
{
	char path[256], *cause = NULL;

	snprintf(path, sizeof path, "%s/images/%s", MMDA_SAMPLE_DIR, name);
	memset(img, 0, sizeof *img);
	if (image_load_file(path, NULL, img, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", path, cause);
		abort();
	}
}

static void
pillow_samples(void)
{
	struct image img;
	uint64_t ah, dh, ph;

	for (size_t i = 0; i < sizeof pillow / sizeof pillow[0]; i++) {
		load(pillow[i].name, &img);
		CHECKF(imgm_ahash(&img) == pillow[i].ah, "%s ahash", pillow[i].name);
		CHECKF(imgm_dhash(&img) == pillow[i].dh, "%s dhash", pillow[i].name);
		CHECKF(imgm_phash(&img) == pillow[i].ph, "%s phash", pillow[i].name);
		ref_hashes(&img, &ah, &dh, &ph);
		CHECKF(ah == pillow[i].ah && dh == pillow[i].dh && ph == pillow[i].ph,
		    "%s: the written-out reference", pillow[i].name);
		image_free(&img);
	}
}

/* Random images, noisy and blocky, from 1x1 to 700 wide, RGB and RGBA. */
static void
random_images(void)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 3 }, { 7, 5 }, { 8, 8 }, { 9, 8 },
		{ 16, 40 }, { 31, 33 }, { 32, 32 }, { 33, 31 }, { 64, 64 }, { 100, 7 },
		{ 257, 129 }, { 700, 300 }, { 17, 600 } };
	struct rng r;
	struct image img;
	uint64_t ah, dh, ph;
	int bad = 0, n = 0;

	rng_seed(&r, 14);
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		for (int kind = 0; kind < 4; kind++) {
			int w = sizes[s][0], h = sizes[s][1], ch = kind % 2 ? 4 : 3;
			if (image_alloc(&img, w, h, ch, 0, NULL) != 0)
				abort();
			for (size_t i = 0; i < (size_t)w * (size_t)h * (size_t)ch; i++) {
				uint8_t v = (uint8_t)rng_below(&r, 256);
				/* Blocky images have ties and flat runs, where rounding decides. */
				img.px[i] = kind >= 2 ? (uint8_t)(v / 64 * 64) : v;
			}
			ref_hashes(&img, &ah, &dh, &ph);
			bad += ah != imgm_ahash(&img) || dh != imgm_dhash(&img) || ph != imgm_phash(&img);
			CHECKF(ah == imgm_ahash(&img) && dh == imgm_dhash(&img) && ph == imgm_phash(&img),
			    "%dx%d kind %d", w, h, kind);
			n++;
			image_free(&img);
		}
	}
	CHECK(n == 56 && bad == 0);
}

int
main(void)
{
	h_suite = "imghash";
	RUN(pillow_samples);
	RUN(random_images);
	HARNESS_END();
}
