/* SPDX-License-Identifier: MIT */
/*
 * Tests for the mixing ops of core/pixel/pixops.h: MixGen and CutMix pixels on
 * small synthetic images worked out by hand, MixGen against a plain float
 * reference on the sample photos (partners of the same and of other sizes,
 * with and without alpha), and CutMix box statistics and determinism.
 * Geometry is in test_pixops_geom.c, colour and filters in
 * test_pixops_color.c.
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

/* ---- MixGen ----------------------------------------------------------------- */

static void
test_mixgen_hand(void)
{
	struct image a = solid(4, 3, 3, 10, 20, 30, 0), b = solid(4, 3, 3, 200, 100, 0, 0);
	struct image o, a1 = solid(1, 1, 3, 1, 2, 3, 0), b1 = solid(1, 1, 3, 2, 3, 4, 0);
	int x, y;

	CHECK(pix_mixgen(&a, &b, 0.3, &o, NULL) == 0);
	/* 0.3*10 + 0.7*200 = 143, 0.3*20 + 0.7*100 = 76, 0.3*30 = 9 */
	for (y = 0; y < 3; y++)
		for (x = 0; x < 4; x++)
			CHECK(px(&o, x, y)[0] == 143 && px(&o, x, y)[1] == 76 &&
			    px(&o, x, y)[2] == 9);
	image_free(&o);
	/* Halves round away from zero: 1.5 -> 2, 2.5 -> 3, 3.5 -> 4. */
	CHECK(pix_mixgen(&a1, &b1, 0.5, &o, NULL) == 0);
	CHECK(o.px[0] == 2 && o.px[1] == 3 && o.px[2] == 4);
	image_free(&o);
	image_free(&a);
	image_free(&b);
	image_free(&a1);
	image_free(&b1);
}

static void
test_mixgen_ends_and_errors(void)
{
	struct image a = grid(4, 3, 3, 0), b = grid(4, 3, 3, 77), o;

	CHECK(pix_mixgen(&a, &b, 1.0, &o, NULL) == 0);
	CHECK(same(&o, &a));
	image_free(&o);
	CHECK(pix_mixgen(&a, &b, 0.0, &o, NULL) == 0);
	CHECK(same(&o, &b));
	image_free(&o);
	EXPECT_ERROR(pix_mixgen(&a, &b, -0.1, &e_out, &e_cause), "lambda");
	EXPECT_ERROR(pix_mixgen(&a, &b, 1.01, &e_out, &e_cause), "lambda");
	EXPECT_ERROR(pix_mixgen(&a, &b, NAN, &e_out, &e_cause), "lambda");
	EXPECT_ERROR(pix_mixgen(NULL, &b, 0.5, &e_out, &e_cause), "no image");
	image_free(&a);
	image_free(&b);
}

static void
test_mixgen_alpha(void)
{
	struct image a = solid(2, 2, 4, 0, 100, 200, 100), b = solid(3, 1, 3, 100, 0, 50, 0);
	struct image o;
	int i;

	/* b is RGB, so it counts as alpha 255; sizes differ but b is constant. */
	CHECK(pix_mixgen(&a, &b, 0.25, &o, NULL) == 0);
	CHECK(o.channels == 4 && o.w == 2 && o.h == 2);
	for (i = 0; i < 4; i++) {
		/* 0.75*100 = 75; 25 + 0 = 25; 50 + 37.5 = 87.5 -> 88; 25 + 191.25 -> 216 */
		CHECK(o.px[4 * i] == 75 && o.px[4 * i + 1] == 25 && o.px[4 * i + 2] == 88 &&
		    o.px[4 * i + 3] == 216);
	}
	image_free(&o);
	/* The other way round, out takes b's alpha channel and a's size. */
	CHECK(pix_mixgen(&b, &a, 0.75, &o, NULL) == 0);
	CHECK(o.channels == 4 && o.w == 3 && o.h == 1);
	CHECK(o.px[0] == 75 && o.px[3] == 216);
	image_free(&o);
	image_free(&a);
	image_free(&b);
}

/* The plain reference the op must match: float, round() per channel. */
static int
mixgen_vs_float(const struct image *a, const struct image *b, double lambda)
{
	struct image o, br;
	float l = (float)lambda;
	size_t i, n;
	int c, worst = 0, d, va, vb;

	if (pix_mixgen(a, b, lambda, &o, NULL) != 0)
		return 999;
	if (b->w != a->w || b->h != a->h) {
		if (image_resize(b, a->w, a->h, &br, NULL) != 0)
			return 999;
	} else
		br = *b;
	n = (size_t)a->w * a->h;
	for (i = 0; i < n; i++) {
		for (c = 0; c < o.channels; c++) {
			va = c < a->channels ? a->px[i * a->channels + c] : 255;
			vb = c < br.channels ? br.px[i * br.channels + c] : 255;
			d = abs((int)o.px[i * o.channels + c] -
			    (int)roundf(l * (float)va + (1.0f - l) * (float)vb));
			worst = d > worst ? d : worst;
		}
	}
	if (br.px != b->px)
		image_free(&br);
	image_free(&o);
	return worst;
}

static void
test_mixgen_photos(void)
{
	static const double lambdas[] = { 0.0, 0.1, 0.37, 0.5, 0.9, 1.0 };
	struct image astro = load(SAMPLE "astronaut.png", 0);
	struct image coffee = load(SAMPLE "coffee.png", 0);
	struct image horse = load(SAMPLE "horse.png", 1);
	struct image camera = load(SAMPLE "camera.png", 0);
	size_t k;
	int d;

	CHECK(astro.px != NULL && coffee.px != NULL && horse.px != NULL && camera.px != NULL);
	if (astro.px == NULL || coffee.px == NULL || horse.px == NULL || camera.px == NULL)
		goto out;
	CHECK(horse.channels == 4);
	for (k = 0; k < sizeof lambdas / sizeof lambdas[0]; k++) {
		d = mixgen_vs_float(&astro, &camera, lambdas[k]); /* same size */
		CHECKF(d <= 1, "astronaut+camera lambda %g: off by %d", lambdas[k], d);
		d = mixgen_vs_float(&astro, &coffee, lambdas[k]); /* shrink the partner */
		CHECKF(d <= 1, "astronaut+coffee lambda %g: off by %d", lambdas[k], d);
		d = mixgen_vs_float(&coffee, &horse, lambdas[k]); /* grow it, with alpha */
		CHECKF(d <= 1, "coffee+horse lambda %g: off by %d", lambdas[k], d);
	}
out:
	image_free(&astro);
	image_free(&coffee);
	image_free(&horse);
	image_free(&camera);
}

/* ---- CutMix ----------------------------------------------------------------- */

static void
test_cutmix_box_stats(void)
{
	static const int sizes[][2] = { { 37, 23 }, { 1, 1 }, { 640, 480 }, { 5, 300 } };
	struct rng r;
	double lam, s, sum = 0.0, err;
	int x, y, w, h, cw, chh, k, i, n = 0, bad_in = 0, bad_side = 0, bad_area = 0;
	int clipped = 0;

	rng_seed(&r, 11);
	for (k = 0; k < 4; k++) {
		int W = sizes[k][0], H = sizes[k][1];

		for (i = 0; i < 5000; i++, n++) {
			pix_cutmix_box(W, H, &r, &lam, &x, &y, &w, &h);
			sum += lam;
			if (!(lam >= 0.0 && lam < 1.0) || x < 0 || y < 0 || w < 0 || h < 0 ||
			    x + w > W || y + h > H)
				bad_in++;
			s = sqrt(1.0 - lam);
			cw = (int)floor(W * s + 0.5);
			chh = (int)floor(H * s + 0.5);
			/* Clipping only shrinks; away from the borders the box is whole. */
			if (w > cw || h > chh || (x > 0 && x + w < W && w != cw) ||
			    (y > 0 && y + h < H && h != chh))
				bad_side++;
			if (w < cw || h < chh)
				clipped++;
			/* Rounding each side moves the area by at most (W + H) s / 2 + 1/4. */
			err = fabs((double)cw * chh - (1.0 - lam) * W * H);
			if (err > 0.5 * (W + H) * s + 0.25 + 1e-9)
				bad_area++;
		}
	}
	CHECK(bad_in == 0);
	CHECK(bad_side == 0);
	CHECK(bad_area == 0);
	CHECK(clipped > 100); /* the border case does happen */
	CHECKF(fabs(sum / n - 0.5) < 0.02, "mean lambda %f", sum / n);
}

static void
test_cutmix_box_determinism(void)
{
	struct rng a, b, c;
	double la, lb, lc;
	int xa, ya, wa, ha, xb, yb, wb, hb, xc, yc, wc, hc, i, same_ab = 1, diff_c = 0;

	rng_seed(&a, rng_derive(3, "cutmix"));
	rng_seed(&b, rng_derive(3, "cutmix"));
	rng_seed(&c, rng_derive(4, "cutmix"));
	for (i = 0; i < 100; i++) {
		pix_cutmix_box(200, 100, &a, &la, &xa, &ya, &wa, &ha);
		pix_cutmix_box(200, 100, &b, &lb, &xb, &yb, &wb, &hb);
		pix_cutmix_box(200, 100, &c, &lc, &xc, &yc, &wc, &hc);
		if (la != lb || xa != xb || ya != yb || wa != wb || ha != hb)
			same_ab = 0;
		if (la != lc || xa != xc || ya != yc)
			diff_c++;
	}
	CHECK(same_ab);
	CHECK(diff_c > 90);
}

static void
test_cutmix_pixels(void)
{
	struct image a = grid(4, 3, 3, 0), b = grid(4, 3, 3, 100), o, c2, oa;
	int x, y, inbox;

	CHECK(pix_cutmix(&a, &b, 1, 1, 2, 1, &o, NULL) == 0);
	for (y = 0; y < 3; y++) {
		for (x = 0; x < 4; x++) {
			inbox = y == 1 && (x == 1 || x == 2);
			CHECKF(memcmp(px(&o, x, y), px(inbox ? &b : &a, x, y), 3) == 0,
			    "pixel %d,%d", x, y);
		}
	}
	image_free(&o);
	/* Empty box: a copy of a; whole box: b. */
	CHECK(pix_cutmix(&a, &b, 2, 2, 0, 0, &o, NULL) == 0);
	CHECK(same(&o, &a));
	image_free(&o);
	CHECK(pix_cutmix(&a, &b, 0, 0, 4, 3, &o, NULL) == 0);
	CHECK(same(&o, &b));
	image_free(&o);
	/* A partner of another size is resized (a constant stays constant); RGBA wins. */
	c2 = solid(7, 5, 4, 9, 8, 7, 6);
	CHECK(pix_cutmix(&a, &c2, 3, 0, 1, 3, &oa, NULL) == 0);
	CHECK(oa.channels == 4 && oa.w == 4 && oa.h == 3);
	CHECK(memcmp(px(&oa, 3, 2), "\x09\x08\x07\x06", 4) == 0);
	CHECK(memcmp(px(&oa, 0, 0), px(&a, 0, 0), 3) == 0 && px(&oa, 0, 0)[3] == 255);
	image_free(&oa);
	EXPECT_ERROR(pix_cutmix(&a, &b, 3, 0, 2, 1, &e_out, &e_cause), "not inside");
	EXPECT_ERROR(pix_cutmix(&a, &b, -1, 0, 1, 1, &e_out, &e_cause), "not inside");
	EXPECT_ERROR(pix_cutmix(&a, &b, 0, 2, 1, 2, &e_out, &e_cause), "not inside");
	EXPECT_ERROR(pix_cutmix(&a, &b, 0, 0, -1, 1, &e_out, &e_cause), "not inside");
	image_free(&c2);
	image_free(&a);
	image_free(&b);
}

int
main(void)
{
	h_suite = "pixops";
	RUN(test_mixgen_hand);
	RUN(test_mixgen_ends_and_errors);
	RUN(test_mixgen_alpha);
	RUN(test_mixgen_photos);
	RUN(test_cutmix_box_stats);
	RUN(test_cutmix_box_determinism);
	RUN(test_cutmix_pixels);
	HARNESS_END();
}
