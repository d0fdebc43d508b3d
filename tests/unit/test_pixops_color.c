/* SPDX-License-Identifier: MIT */
/*
 * Tests for the colour and filter halves of core/pixel/pixops.h (colour jitter,
 * greyscale, blur, noise, JPEG round trip): hand-computed pixels, a direct
 * 2-D convolution as the blur reference, noise statistics over a large
 * image, and, for every op in the header, that the input is left alone and
 * that two runs give the same bytes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "core/pixel/pixops.h"
#include "core/base/rng.h"
#include "tests/harness.h"
#include "tests/unit/pixops_fixtures.h"

/* ---- colour ----------------------------------------------------------------- */

static void
test_color_identity(void)
{
	struct image a = load(SAMPLE "astronaut.png", 0), h = load(SAMPLE "horse.png", 1), o;

	CHECK(a.px != NULL && h.px != NULL);
	if (a.px == NULL || h.px == NULL)
		goto out;
	CHECK(pix_color(&a, 1, 1, 1, 0, &o, NULL) == 0);
	CHECK(same(&o, &a));
	image_free(&o);
	CHECK(pix_color(&h, 1, 1, 1, 0, &o, NULL) == 0);
	CHECK(same(&o, &h));
	image_free(&o);
	/* Half a turn of hue is a real change. */
	CHECK(pix_color(&a, 1, 1, 1, 0.5, &o, NULL) == 0);
	CHECK(!same(&o, &a));
	image_free(&o);
out:
	image_free(&a);
	image_free(&h);
}

static void
test_color_brightness_contrast(void)
{
	struct image a = solid(2, 1, 4, 0, 0, 0, 77), o;

	set_px(&a, 0, 0, 10, 100, 200);
	set_px(&a, 1, 0, 3, 1, 0);
	CHECK(pix_color(&a, 2.0, 1, 1, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 20, 200, 255) && is_px(&o, 1, 0, 6, 2, 0));
	CHECK(px(&o, 0, 0)[3] == 77 && px(&o, 1, 0)[3] == 77);
	image_free(&o);
	CHECK(pix_color(&a, 0.5, 1, 1, 0, &o, NULL) == 0);
	/* 1.5 rounds away from zero */
	CHECK(is_px(&o, 0, 0, 5, 50, 100) && is_px(&o, 1, 0, 2, 1, 0));
	image_free(&o);
	CHECK(pix_color(&a, 0, 1, 1, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 0, 0, 0) && is_px(&o, 1, 0, 0, 0, 0));
	image_free(&o);

	/* Contrast blends with the mean grey: here (100 + 200) / 2 = 150. */
	set_px(&a, 0, 0, 100, 100, 100);
	set_px(&a, 1, 0, 200, 200, 200);
	CHECK(pix_color(&a, 1, 0, 1, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 150, 150, 150) && is_px(&o, 1, 0, 150, 150, 150));
	image_free(&o);
	CHECK(pix_color(&a, 1, 0.5, 1, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 125, 125, 125) && is_px(&o, 1, 0, 175, 175, 175));
	image_free(&o);
	CHECK(pix_color(&a, 1, 3, 1, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 0, 0, 0) && is_px(&o, 1, 0, 255, 255, 255));
	image_free(&o);
	/* Brightness first, clamped, then contrast: 2x gives 200 and 255, mean 227.5. */
	CHECK(pix_color(&a, 2, 0.5, 1, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 214, 214, 214) && is_px(&o, 1, 0, 241, 241, 241));
	image_free(&o);
	image_free(&a);
}

static void
test_color_saturation_hue(void)
{
	struct image a = solid(4, 1, 3, 0, 0, 0, 0), g, o;
	int x;

	set_px(&a, 0, 0, 100, 150, 200);
	set_px(&a, 1, 0, 255, 0, 0);
	set_px(&a, 2, 0, 200, 100, 100);
	set_px(&a, 3, 0, 90, 90, 90);
	/* grey of (100,150,200) = 29.9 + 88.05 + 22.8 = 140.75 */
	CHECK(pix_color(&a, 1, 1, 2, 0, &o, NULL) == 0);
	CHECK(is_px(&o, 0, 0, 59, 159, 255));
	CHECK(is_px(&o, 3, 0, 90, 90, 90));
	image_free(&o);
	/* Saturation 0 is greyscale. */
	CHECK(pix_color(&a, 1, 1, 0, 0, &o, NULL) == 0);
	CHECK(pix_grayscale(&a, &g, NULL) == 0);
	for (x = 0; x < 4; x++)
		CHECK(memcmp(px(&o, x, 0), px(&g, x, 0), 3) == 0);
	image_free(&o);
	image_free(&g);
	/* Hue turns: red -> green at 1/3, -> blue at -1/3, -> cyan at 1/2, -> yellow at 1/6. */
	CHECK(pix_color(&a, 1, 1, 1, 1.0 / 3.0, &o, NULL) == 0);
	CHECK(is_px(&o, 1, 0, 0, 255, 0));
	/* (200,100,100): h 0, s 1/2, v 200 -> at h 1/3 (100,200,100) */
	CHECK(is_px(&o, 2, 0, 100, 200, 100));
	CHECK(is_px(&o, 3, 0, 90, 90, 90));
	image_free(&o);
	CHECK(pix_color(&a, 1, 1, 1, -1.0 / 3.0, &o, NULL) == 0);
	CHECK(is_px(&o, 1, 0, 0, 0, 255));
	image_free(&o);
	CHECK(pix_color(&a, 1, 1, 1, 0.5, &o, NULL) == 0);
	CHECK(is_px(&o, 1, 0, 0, 255, 255));
	CHECK(is_px(&o, 2, 0, 100, 200, 200));
	image_free(&o);
	CHECK(pix_color(&a, 1, 1, 1, 1.0 / 6.0, &o, NULL) == 0);
	CHECK(is_px(&o, 1, 0, 255, 255, 0));
	image_free(&o);
	EXPECT_ERROR(pix_color(&a, -1, 1, 1, 0, &e_out, &e_cause), "brightness");
	EXPECT_ERROR(pix_color(&a, 1, NAN, 1, 0, &e_out, &e_cause), "contrast");
	EXPECT_ERROR(pix_color(&a, 1, 1, -0.1, 0, &e_out, &e_cause), "saturation");
	EXPECT_ERROR(pix_color(&a, 1, 1, 1, 0.6, &e_out, &e_cause), "hue");
	image_free(&a);
}

static void
test_grayscale(void)
{
	struct image a = solid(5, 1, 4, 0, 0, 0, 9), o;
	static const int want[5] = { 76, 150, 29, 18, 255 };
	int x;

	set_px(&a, 0, 0, 255, 0, 0);   /* 76.245 */
	set_px(&a, 1, 0, 0, 255, 0);   /* 149.685 */
	set_px(&a, 2, 0, 0, 0, 255);   /* 29.07 */
	set_px(&a, 3, 0, 10, 20, 30);  /* 2.99 + 11.74 + 3.42 = 18.15 */
	set_px(&a, 4, 0, 255, 255, 255);
	CHECK(pix_grayscale(&a, &o, NULL) == 0);
	CHECK(o.channels == 4);
	for (x = 0; x < 5; x++) {
		CHECK(is_px(&o, x, 0, want[x], want[x], want[x]));
		CHECK(px(&o, x, 0)[3] == 9);
	}
	image_free(&o);
	image_free(&a);
}

/* ---- blur ------------------------------------------------------------------- */

/* Direct 2-D convolution with clamped edges: the reference for pix_blur. */
static int
blur_ref_max_diff(const struct image *in, double sigma, const struct image *got)
{
	int r = (int)ceil(3 * sigma), x, y, c, i, j, sx, sy, worst = 0, d;
	double z = 0.0, acc, wt;

	for (i = -r; i <= r; i++)
		for (j = -r; j <= r; j++)
			z += exp(-(i * i + j * j) / (2 * sigma * sigma));
	for (y = 0; y < in->h; y++) {
		for (x = 0; x < in->w; x++) {
			for (c = 0; c < in->channels; c++) {
				acc = 0.0;
				for (j = -r; j <= r; j++) {
					for (i = -r; i <= r; i++) {
						sx = x + i < 0 ? 0 : (x + i >= in->w ? in->w - 1 : x + i);
						sy = y + j < 0 ? 0 : (y + j >= in->h ? in->h - 1 : y + j);
						wt = exp(-(i * i + j * j) / (2 * sigma * sigma)) / z;
						acc += wt * px(in, sx, sy)[c];
					}
				}
				d = abs((int)floor(acc + 0.5) - px(got, x, y)[c]);
				worst = d > worst ? d : worst;
			}
		}
	}
	return worst;
}

static void
test_blur(void)
{
	struct image c = solid(9, 7, 4, 13, 200, 255, 128), imp = solid(21, 21, 3, 0, 0, 0, 0);
	struct image n = noisy(10, 8, 3, 4), o;
	double sigmas[] = { 0.3, 0.8, 1.5, 3.0 };
	long sum;
	size_t i, k;
	int d;

	CHECK(pix_blur(&c, 2.0, &o, NULL) == 0);
	CHECK(same(&o, &c));
	image_free(&o);
	CHECK(pix_blur(&n, 0, &o, NULL) == 0);
	CHECK(same(&o, &n));
	image_free(&o);
	/* An impulse spreads but keeps its sum (within each pixel's rounding). */
	memset(px(&imp, 10, 10), 255, 3);
	CHECK(pix_blur(&imp, 1.0, &o, NULL) == 0);
	for (sum = 0, i = 0; i < 21 * 21; i++)
		sum += o.px[3 * i];
	CHECKF(labs(sum - 255) <= 10, "sum %ld", sum);
	CHECK(px(&o, 10, 10)[0] < 255 && px(&o, 10, 10)[0] > 30);
	CHECK(px(&o, 11, 10)[0] == px(&o, 9, 10)[0] && px(&o, 10, 11)[0] == px(&o, 10, 9)[0]);
	CHECK(px(&o, 14, 10)[0] == 0); /* beyond the radius of 3 */
	image_free(&o);
	/* Against the direct convolution, edges included. */
	for (k = 0; k < sizeof sigmas / sizeof sigmas[0]; k++) {
		CHECK(pix_blur(&n, sigmas[k], &o, NULL) == 0);
		d = blur_ref_max_diff(&n, sigmas[k], &o);
		CHECKF(d <= 1, "sigma %g: off by %d", sigmas[k], d);
		image_free(&o);
	}
	/* A sigma too small to matter still works (no 0/0 in the kernel). */
	CHECK(pix_blur(&n, 1e-200, &o, NULL) == 0);
	CHECK(same(&o, &n));
	image_free(&o);
	EXPECT_ERROR(pix_blur(&n, -1, &e_out, &e_cause), "sigma");
	EXPECT_ERROR(pix_blur(&n, NAN, &e_out, &e_cause), "sigma");
	EXPECT_ERROR(pix_blur(&n, 1000, &e_out, &e_cause), "sigma");
	image_free(&c);
	image_free(&imp);
	image_free(&n);
}

/* ---- noise ------------------------------------------------------------------ */

static void
test_noise_stats(void)
{
	struct image a = solid(512, 512, 4, 128, 60, 200, 33), o;
	struct rng r;
	double sum[3] = { 0 }, sq[3] = { 0 }, m, sd;
	size_t i, n = 512 * 512;
	int c, alpha_ok = 1;

	rng_seed(&r, 77);
	CHECK(pix_noise(&a, 10.0, &r, &o, NULL) == 0);
	for (i = 0; i < n; i++) {
		for (c = 0; c < 3; c++) {
			double v = o.px[4 * i + c];

			sum[c] += v;
			sq[c] += v * v;
		}
		if (o.px[4 * i + 3] != 33)
			alpha_ok = 0;
	}
	CHECK(alpha_ok);
	for (c = 0; c < 3; c++) {
		m = sum[c] / n;
		sd = sqrt(sq[c] / n - m * m);
		CHECKF(fabs(m - a.px[c]) < 0.1, "channel %d: mean %f", c, m);
		/* Rounding adds 1/12 to the variance. */
		CHECKF(fabs(sd - sqrt(100.0 + 1.0 / 12)) < 0.1, "channel %d: sd %f", c, sd);
	}
	image_free(&o);
	rng_seed(&r, 77);
	CHECK(pix_noise(&a, 0, &r, &o, NULL) == 0);
	CHECK(same(&o, &a));
	image_free(&o);
	EXPECT_ERROR(pix_noise(&a, -2, &r, &e_out, &e_cause), "sigma");
	EXPECT_ERROR(pix_noise(&a, 1, NULL, &e_out, &e_cause), "random");
	image_free(&a);
}

static void
test_noise_determinism(void)
{
	struct image a = noisy(64, 48, 3, 3), o1, o2, o3;
	struct rng r1, r2, r3;

	rng_seed(&r1, rng_derive(1, "noise"));
	rng_seed(&r2, rng_derive(1, "noise"));
	rng_seed(&r3, rng_derive(2, "noise"));
	CHECK(pix_noise(&a, 20, &r1, &o1, NULL) == 0);
	CHECK(pix_noise(&a, 20, &r2, &o2, NULL) == 0);
	CHECK(pix_noise(&a, 20, &r3, &o3, NULL) == 0);
	CHECK(same(&o1, &o2));
	CHECK(!same(&o1, &o3));
	CHECK(!same(&o1, &a));
	image_free(&o1);
	image_free(&o2);
	image_free(&o3);
	image_free(&a);
}

/* ---- JPEG ------------------------------------------------------------------- */

static double
psnr(const struct image *a, const struct image *b)
{
	double se = 0.0, d;
	size_t i, n = (size_t)a->w * a->h;
	int c;

	for (i = 0; i < n; i++) {
		for (c = 0; c < 3; c++) {
			d = (double)a->px[i * a->channels + c] - b->px[i * b->channels + c];
			se += d * d;
		}
	}
	if (se == 0.0)
		return 99.0;
	return 10.0 * log10(255.0 * 255.0 / (se / (3.0 * n)));
}

static void
test_jpeg(void)
{
	struct image a = load(SAMPLE "coffee.png", 0), h = load(SAMPLE "horse.png", 1);
	struct image o90, o10, o2;
	double p90, p10;
	size_t i;
	int alpha_ok = 1;

	CHECK(a.px != NULL && h.px != NULL);
	if (a.px == NULL || h.px == NULL)
		goto out;
	CHECK(pix_jpeg(&a, 90, &o90, NULL) == 0);
	CHECK(pix_jpeg(&a, 10, &o10, NULL) == 0);
	CHECK(pix_jpeg(&a, 90, &o2, NULL) == 0);
	CHECK(o90.w == a.w && o90.h == a.h && o90.channels == 3);
	CHECK(same(&o90, &o2));
	p90 = psnr(&a, &o90);
	p10 = psnr(&a, &o10);
	CHECKF(p90 > 32 && p90 < 99, "psnr at 90: %f", p90);
	CHECKF(p10 < p90 - 3 && p10 > 20, "psnr at 10: %f", p10);
	image_free(&o90);
	image_free(&o10);
	image_free(&o2);
	/* Alpha is carried over, colour is not composited over white. */
	CHECK(pix_jpeg(&h, 95, &o90, NULL) == 0);
	CHECK(o90.channels == 4);
	for (i = 0; i < (size_t)h.w * h.h; i++)
		if (o90.px[4 * i + 3] != h.px[4 * i + 3])
			alpha_ok = 0;
	CHECK(alpha_ok);
	CHECKF(psnr(&h, &o90) > 30, "psnr rgba: %f", psnr(&h, &o90));
	image_free(&o90);
	EXPECT_ERROR(pix_jpeg(&a, 0, &e_out, &e_cause), "quality");
	EXPECT_ERROR(pix_jpeg(&a, 101, &e_out, &e_cause), "quality");
out:
	image_free(&a);
	image_free(&h);
}

/* ---- every op: inputs untouched, same bytes twice ---------------------------- */

/* Runs op number k on (a, b) with a fresh rng of seed; -1 past the last op. */
static int
run_op(int k, const struct image *a, const struct image *b, uint64_t seed, struct image *o)
{
	struct rng r;
	double lam;
	int x, y, w, h;

	rng_seed(&r, seed);
	switch (k) {
	case 0:
		return pix_mixgen(a, b, rng_uniform(&r), o, NULL);
	case 1:
		pix_cutmix_box(a->w, a->h, &r, &lam, &x, &y, &w, &h);
		return pix_cutmix(a, b, x, y, w, h, o, NULL);
	case 2:
		return pix_hflip(a, o, NULL);
	case 3:
		return pix_rotate(a, 360.0 * rng_uniform(&r), o, NULL);
	case 4:
		pix_rrc_box(a->w, a->h, 0.08, 1.0, &r, &x, &y, &w, &h);
		return pix_crop_resize(a, x, y, w, h, 64, 48, o, NULL);
	case 5:
		return pix_color(a, 0.6 + 0.8 * rng_uniform(&r), 0.6 + 0.8 * rng_uniform(&r),
		    0.6 + 0.8 * rng_uniform(&r), rng_uniform(&r) - 0.5, o, NULL);
	case 6:
		return pix_grayscale(a, o, NULL);
	case 7:
		return pix_blur(a, 0.1 + 2.0 * rng_uniform(&r), o, NULL);
	case 8:
		return pix_noise(a, 15, &r, o, NULL);
	case 9:
		return pix_jpeg(a, 50, o, NULL);
	}
	return -1;
}

static void
test_all_ops_pure_and_deterministic(void)
{
	struct image a = noisy(80, 60, 4, 10), b = noisy(33, 41, 3, 11), a0, b0, o1, o2, o3;
	int k, varies;

	CHECK(pix_copy(&a, &a0, NULL) == 0 && pix_copy(&b, &b0, NULL) == 0);
	for (k = 0; k < 10; k++) {
		CHECKF(run_op(k, &a, &b, 1000, &o1) == 0, "op %d", k);
		CHECKF(run_op(k, &a, &b, 1000, &o2) == 0, "op %d", k);
		CHECKF(run_op(k, &a, &b, 2000, &o3) == 0, "op %d", k);
		CHECKF(same(&o1, &o2), "op %d differs between runs", k);
		CHECKF(same(&a, &a0) && same(&b, &b0), "op %d changed its input", k);
		/* The seeded ops must depend on the seed. */
		varies = k == 0 || k == 1 || k == 3 || k == 5 || k == 7 || k == 8;
		if (varies)
			CHECKF(!same(&o1, &o3), "op %d ignores the seed", k);
		image_free(&o1);
		image_free(&o2);
		image_free(&o3);
	}
	CHECK(run_op(k, &a, &b, 1, &o1) == -1);
	image_free(&a);
	image_free(&b);
	image_free(&a0);
	image_free(&b0);
}

int
main(void)
{
	h_suite = "pixops_color";
	RUN(test_color_identity);
	RUN(test_color_brightness_contrast);
	RUN(test_color_saturation_hue);
	RUN(test_grayscale);
	RUN(test_blur);
	RUN(test_noise_stats);
	RUN(test_noise_determinism);
	RUN(test_jpeg);
	RUN(test_all_ops_pure_and_deterministic);
	HARNESS_END();
}
