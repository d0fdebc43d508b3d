/* SPDX-License-Identifier: MIT */
/*
 * Tests for the geometric ops of core/pixel/pixops.h: flips and quarter turns
 * against grids drawn by hand, rotation identities, arbitrary angles
 * against a forward-mapped bilinear reference, crop-and-resize against
 * image_resize, and random resized crop boxes (range, fallback, spread,
 * determinism).
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

/* ---- geometry --------------------------------------------------------------- */

static void
test_hflip(void)
{
	struct image a = grid(4, 3, 4, 5), o, o2;
	int x, y;

	CHECK(pix_hflip(&a, &o, NULL) == 0);
	for (y = 0; y < 3; y++)
		for (x = 0; x < 4; x++)
			CHECK(memcmp(px(&o, x, y), px(&a, 3 - x, y), 4) == 0);
	CHECK(pix_hflip(&o, &o2, NULL) == 0);
	CHECK(same(&o2, &a));
	image_free(&o);
	image_free(&o2);
	image_free(&a);
}

/* Checks the first channel of a 3x3 rotation against a hand-drawn grid. */
static void
expect_3x3(const struct image *o, const int want[9], int line)
{
	int i;

	for (i = 0; i < 9; i++) {
		if (o->px[3 * i] != (uint8_t)(10 * want[i])) {
			h_failures++;
			fprintf(stderr, "  line %d: cell %d is %d, expected %d\n", line, i,
			    o->px[3 * i], 10 * want[i]);
		}
	}
}

static void
test_rotate_quarters_hand(void)
{
	/* Input cells 0..8 read row by row (grid() puts 10 * index in channel 0). */
	static const int ccw90[9] = { 2, 5, 8, 1, 4, 7, 0, 3, 6 };
	static const int r180[9] = { 8, 7, 6, 5, 4, 3, 2, 1, 0 };
	static const int ccw270[9] = { 6, 3, 0, 7, 4, 1, 8, 5, 2 };
	struct image a = grid(3, 3, 3, 0), o;

	CHECK(pix_rotate(&a, 90, &o, NULL) == 0);
	expect_3x3(&o, ccw90, __LINE__);
	image_free(&o);
	CHECK(pix_rotate(&a, 180, &o, NULL) == 0);
	expect_3x3(&o, r180, __LINE__);
	image_free(&o);
	CHECK(pix_rotate(&a, 270, &o, NULL) == 0);
	expect_3x3(&o, ccw270, __LINE__);
	image_free(&o);
	CHECK(pix_rotate(&a, -90, &o, NULL) == 0);
	expect_3x3(&o, ccw270, __LINE__);
	image_free(&o);
	CHECK(pix_rotate(&a, 450, &o, NULL) == 0);
	expect_3x3(&o, ccw90, __LINE__);
	image_free(&o);
	image_free(&a);
}

static void
test_rotate_identities(void)
{
	struct image a = noisy(9, 9, 4, 1), o[5], b = noisy(6, 4, 3, 2), p, q;
	int i;

	o[0] = a;
	for (i = 1; i <= 4; i++)
		CHECK(pix_rotate(&o[i - 1], 90, &o[i], NULL) == 0);
	CHECK(same(&o[4], &a));
	CHECK(!same(&o[1], &a) && !same(&o[2], &a));
	for (i = 1; i <= 4; i++)
		image_free(&o[i]);
	CHECK(pix_rotate(&a, 0, &p, NULL) == 0);
	CHECK(same(&p, &a));
	image_free(&p);
	CHECK(pix_rotate(&a, 360, &p, NULL) == 0);
	CHECK(same(&p, &a));
	image_free(&p);
	/* 180 twice is exact on a non-square canvas too. */
	CHECK(pix_rotate(&b, 180, &p, NULL) == 0);
	CHECK(pix_rotate(&p, 180, &q, NULL) == 0);
	CHECK(same(&q, &b));
	image_free(&p);
	image_free(&q);
	EXPECT_ERROR(pix_rotate(&a, NAN, &e_out, &e_cause), "finite");
	EXPECT_ERROR(pix_rotate(&a, INFINITY, &e_out, &e_cause), "finite");
	image_free(&a);
	image_free(&b);
}

/*
 * An independent rotation reference: for each destination pixel, solve the
 * forward map (y up, counter-clockwise) for the source point, then sample
 * bilinearly with clamped neighbours if it lies on the source canvas.
 */
static int
rotate_ref_max_diff(const struct image *in, double deg, const struct image *got, int *off)
{
	double t = deg * 3.14159265358979323846 / 180.0, u, v, su, sv, fx, fy, ax, ay, val;
	double cx = (in->w - 1) / 2.0, cy = (in->h - 1) / 2.0;
	int x, y, c, x0, y0, xs[2], ys[2], worst = 0, d, want;

	for (y = 0; y < in->h; y++) {
		for (x = 0; x < in->w; x++) {
			u = x - cx;
			v = cy - y; /* y up */
			/* forward: (u, v) = R(t) (su, sv), so (su, sv) = R(-t) (u, v) */
			su = cos(t) * u + sin(t) * v;
			sv = -sin(t) * u + cos(t) * v;
			fx = cx + su;
			fy = cy - sv;
			for (c = 0; c < in->channels; c++) {
				if (fx < -0.5 || fx > in->w - 0.5 || fy < -0.5 || fy > in->h - 0.5)
					want = 0;
				else {
					x0 = (int)floor(fx);
					y0 = (int)floor(fy);
					ax = fx - x0;
					ay = fy - y0;
					xs[0] = x0 < 0 ? 0 : x0;
					xs[1] = x0 + 1 >= in->w ? in->w - 1 : x0 + 1;
					ys[0] = y0 < 0 ? 0 : y0;
					ys[1] = y0 + 1 >= in->h ? in->h - 1 : y0 + 1;
					val = (1 - ax) * (1 - ay) * px(in, xs[0], ys[0])[c] +
					    ax * (1 - ay) * px(in, xs[1], ys[0])[c] +
					    (1 - ax) * ay * px(in, xs[0], ys[1])[c] +
					    ax * ay * px(in, xs[1], ys[1])[c];
					want = (int)floor(val + 0.5);
				}
				d = abs(want - px(got, x, y)[c]);
				worst = d > worst ? d : worst;
				*off += d != 0;
			}
		}
	}
	return worst;
}

static void
test_rotate_bilinear(void)
{
	static const double angles[] = { 30, -17.5, 45, 90, 135, 200, 270, 359.9 };
	struct image a = noisy(11, 7, 3, 5), c = solid(20, 20, 3, 100, 150, 200, 0), o;
	size_t k;
	int d, off;

	/* Even W + H: the quarter turns agree with the general map exactly. */
	for (k = 0; k < sizeof angles / sizeof angles[0]; k++) {
		CHECK(pix_rotate(&a, angles[k], &o, NULL) == 0);
		off = 0;
		d = rotate_ref_max_diff(&a, angles[k], &o, &off);
		/* Only a value on a rounding tie may come out one apart. */
		CHECKF(d <= 1 && off <= 2, "angle %g: off by %d in %d values", angles[k], d,
		    off);
		image_free(&o);
	}
	/* A constant image stays constant inside; the corners go black at 45. */
	CHECK(pix_rotate(&c, 45, &o, NULL) == 0);
	CHECK(memcmp(px(&o, 10, 10), "\x64\x96\xc8", 3) == 0);
	CHECK(memcmp(px(&o, 5, 10), "\x64\x96\xc8", 3) == 0);
	CHECK(memcmp(px(&o, 0, 0), "\0\0\0", 3) == 0);
	CHECK(memcmp(px(&o, 19, 19), "\0\0\0", 3) == 0);
	image_free(&o);
	image_free(&a);
	image_free(&c);
}

static void
test_rotate_direction(void)
{
	struct image a = solid(21, 21, 3, 0, 0, 0, 0), o;

	/* A dot right of the centre goes above it when turned counter-clockwise. */
	memset(px(&a, 15, 10), 255, 3);
	CHECK(pix_rotate(&a, 90, &o, NULL) == 0);
	CHECK(px(&o, 10, 5)[0] == 255);
	image_free(&o);
	CHECK(pix_rotate(&a, 89.9, &o, NULL) == 0);
	CHECK(px(&o, 10, 5)[0] > 200);
	image_free(&o);
	image_free(&a);
}

static void
test_crop_resize(void)
{
	struct image a = grid(4, 3, 3, 0), o, crop, want;
	int x, y;

	CHECK(pix_crop_resize(&a, 1, 1, 2, 2, 2, 2, &o, NULL) == 0);
	CHECK(o.w == 2 && o.h == 2);
	for (y = 0; y < 2; y++)
		for (x = 0; x < 2; x++)
			CHECK(memcmp(px(&o, x, y), px(&a, x + 1, y + 1), 3) == 0);
	image_free(&o);
	/* Scaling goes through image_resize on the cropped pixels. */
	CHECK(pix_crop_resize(&a, 1, 0, 3, 3, 7, 5, &o, NULL) == 0);
	CHECK(image_alloc(&crop, 3, 3, 3, 0, NULL) == 0);
	for (y = 0; y < 3; y++)
		memcpy(px(&crop, 0, y), px(&a, 1, y), 9);
	CHECK(image_resize(&crop, 7, 5, &want, NULL) == 0);
	CHECK(same(&o, &want));
	image_free(&o);
	image_free(&want);
	image_free(&crop);
	CHECK(pix_crop_resize(&a, 0, 0, 4, 3, 4, 3, &o, NULL) == 0);
	CHECK(same(&o, &a));
	image_free(&o);
	EXPECT_ERROR(pix_crop_resize(&a, 3, 0, 2, 1, 2, 2, &e_out, &e_cause), "not inside");
	EXPECT_ERROR(pix_crop_resize(&a, 0, 0, 0, 1, 2, 2, &e_out, &e_cause), "not inside");
	EXPECT_ERROR(pix_crop_resize(&a, 0, 0, 1, 1, 0, 2, &e_out, &e_cause), "output size");
	image_free(&a);
}

static void
test_rrc_box(void)
{
	struct rng r, r2;
	double frac, ratio;
	int x, y, w, h, i, bad_in = 0, bad_frac = 0, bad_ratio = 0;
	int x2, y2, w2, h2, same_seq = 1, seen[16], edge_x, edge_y;

	rng_seed(&r, 8);
	for (i = 0; i < 5000; i++) {
		pix_rrc_box(640, 480, 0.08, 1.0, &r, &x, &y, &w, &h);
		if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > 640 || y + h > 480)
			bad_in++;
		frac = (double)w * h / (640.0 * 480.0);
		ratio = (double)w / h;
		if (frac < 0.08 * 0.99 || frac > 1.0)
			bad_frac++;
		/* The fallback is the whole 4:3 image; rounding moves the ratio a little. */
		if (ratio < 0.75 * 0.98 || ratio > 4.0 / 3.0 * 1.02)
			bad_ratio++;
	}
	CHECK(bad_in == 0 && bad_frac == 0 && bad_ratio == 0);
	/* The offsets spread over the whole free range (here 0..3 each way). */
	for (i = 0; i < 16; i++)
		seen[i] = 0;
	for (i = 0; i < 2000; i++) {
		pix_rrc_box(10, 10, 0.45, 0.5, &r, &x, &y, &w, &h);
		if (x <= 10 - w && y <= 10 - h && x < 4 && y < 4)
			seen[y * 4 + x]++;
	}
	for (i = 0; i < 16; i++)
		CHECKF(seen[i] > 0, "offset %d,%d never drawn", i % 4, i / 4);
	/* Including the last position, flush with the right and bottom edges. */
	for (i = 0, edge_x = edge_y = 0; i < 2000; i++) {
		pix_rrc_box(10, 10, 0.45, 0.5, &r, &x, &y, &w, &h);
		edge_x += x == 10 - w;
		edge_y += y == 10 - h;
	}
	CHECK(edge_x > 100 && edge_y > 100);
	/* Never fits in 100x10 at 90% area: the centred fallback, 13x10 at 43,0. */
	pix_rrc_box(100, 10, 0.9, 1.0, &r, &x, &y, &w, &h);
	CHECK(x == 43 && y == 0 && w == 13 && h == 10);
	pix_rrc_box(10, 100, 0.9, 1.0, &r, &x, &y, &w, &h);
	CHECK(x == 0 && y == 43 && w == 10 && h == 13);
	/* A tall-enough square image falls back to itself. */
	pix_rrc_box(3, 3, 1.0, 1.0, &r, &x, &y, &w, &h);
	CHECK(x == 0 && y == 0 && w == 3 && h == 3);
	/* Same seed, same boxes. */
	rng_seed(&r, 21);
	rng_seed(&r2, 21);
	for (i = 0; i < 200; i++) {
		pix_rrc_box(300, 200, 0.2, 0.9, &r, &x, &y, &w, &h);
		pix_rrc_box(300, 200, 0.2, 0.9, &r2, &x2, &y2, &w2, &h2);
		if (x != x2 || y != y2 || w != w2 || h != h2)
			same_seq = 0;
	}
	CHECK(same_seq);
}

int
main(void)
{
	h_suite = "pixops_geom";
	RUN(test_hflip);
	RUN(test_rotate_quarters_hand);
	RUN(test_rotate_identities);
	RUN(test_rotate_bilinear);
	RUN(test_rotate_direction);
	RUN(test_crop_resize);
	RUN(test_rrc_box);
	HARNESS_END();
}
