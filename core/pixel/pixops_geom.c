/* SPDX-License-Identifier: MIT */
/*
 * Geometric pixel operations: horizontal flip, rotation about the centre,
 * crop-and-resize, and the random resized crop box sampler. Rotations by
 * multiples of 90 degrees move whole pixels so that they are lossless and
 * compose exactly; other angles sample bilinearly.
 */
#include "core/pixel/pixops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

int
pix_hflip(const struct image *in, struct image *out, char **cause)
{
	const uint8_t *s;
	uint8_t *d;
	int x, y, ch;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "hflip", cause) != 0)
		return -1;
	ch = in->channels;
	if (image_alloc(out, in->w, in->h, ch, UINT64_MAX, cause) != 0)
		return -1;
	for (y = 0; y < in->h; y++) {
		for (x = 0; x < in->w; x++) {
			s = in->px + ((size_t)y * in->w + (size_t)(in->w - 1 - x)) * ch;
			d = out->px + ((size_t)y * in->w + (size_t)x) * ch;
			memcpy(d, s, (size_t)ch);
		}
	}
	return 0;
}

/* Floor division for a possibly negative numerator and positive d. */
static int
floor_div(int n, int d)
{
	return n >= 0 ? n / d : -((-n + d - 1) / d);
}

/*
 * Rotation by quarter turns q (1, 2, 3 counter-clockwise). Derived from the
 * general inverse map below with the centre at ((W-1)/2, (H-1)/2): for
 * q = 1 the source of (x, y) is ((W+H-2)/2 - y, x + (H-W)/2).
 */
static void
rotate_quarter(const struct image *in, int q, struct image *out)
{
	int W = in->w, H = in->h, ch = in->channels, x, y, sx, sy;

	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			switch (q) {
			case 1:
				sx = (W + H - 2) / 2 - y;
				sy = x + floor_div(H - W, 2);
				break;
			case 2:
				sx = W - 1 - x;
				sy = H - 1 - y;
				break;
			default:
				sx = y + floor_div(W - H, 2);
				sy = (W + H - 2) / 2 - x;
				break;
			}
			if (sx < 0 || sx >= W || sy < 0 || sy >= H)
				continue; /* out is zero-filled */
			memcpy(out->px + ((size_t)y * W + (size_t)x) * ch,
			    in->px + ((size_t)sy * W + (size_t)sx) * ch, (size_t)ch);
		}
	}
}

/* Bilinear sample at (fx, fy), inside the canvas; neighbours clamped. */
static void
sample_bilinear(const struct image *in, double fx, double fy, uint8_t *d)
{
	int ch = in->channels, x0, y0, x1, y1, c;
	double ax, ay, v;
	const uint8_t *p00, *p01, *p10, *p11;

	x0 = (int)floor(fx);
	y0 = (int)floor(fy);
	ax = fx - x0;
	ay = fy - y0;
	x1 = x0 + 1;
	y1 = y0 + 1;
	x0 = x0 < 0 ? 0 : (x0 >= in->w ? in->w - 1 : x0);
	x1 = x1 < 0 ? 0 : (x1 >= in->w ? in->w - 1 : x1);
	y0 = y0 < 0 ? 0 : (y0 >= in->h ? in->h - 1 : y0);
	y1 = y1 < 0 ? 0 : (y1 >= in->h ? in->h - 1 : y1);
	p00 = in->px + ((size_t)y0 * in->w + (size_t)x0) * ch;
	p01 = in->px + ((size_t)y0 * in->w + (size_t)x1) * ch;
	p10 = in->px + ((size_t)y1 * in->w + (size_t)x0) * ch;
	p11 = in->px + ((size_t)y1 * in->w + (size_t)x1) * ch;
	for (c = 0; c < ch; c++) {
		v = (1 - ay) * ((1 - ax) * p00[c] + ax * p01[c]) +
		    ay * ((1 - ax) * p10[c] + ax * p11[c]);
		d[c] = pix_round_u8(v);
	}
}

int
pix_rotate(const struct image *in, double degrees, struct image *out, char **cause)
{
	double d, q, rad, cs, sn, cx, cy, dx, dy, fx, fy;
	int W, H, x, y;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "rotate", cause) != 0)
		return -1;
	if (!isfinite(degrees))
		return cause_set(cause, "rotate: angle is not a finite number");
	W = in->w;
	H = in->h;
	d = fmod(degrees, 360.0);
	if (d < 0)
		d += 360.0;
	q = floor(d / 90.0 + 0.5);
	if (fabs(d - q * 90.0) < 1e-9) {
		if ((int)q % 4 == 0)
			return pix_copy(in, out, cause);
		if (image_alloc(out, W, H, in->channels, UINT64_MAX, cause) != 0)
			return -1;
		rotate_quarter(in, (int)q % 4, out);
		return 0;
	}
	if (image_alloc(out, W, H, in->channels, UINT64_MAX, cause) != 0)
		return -1;
	rad = d * (3.14159265358979323846 / 180.0);
	cs = cos(rad);
	sn = sin(rad);
	cx = (W - 1) / 2.0;
	cy = (H - 1) / 2.0;
	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			/* Inverse map, y down: the source point that lands on (x, y). */
			dx = x - cx;
			dy = y - cy;
			fx = cx + dx * cs - dy * sn;
			fy = cy + dx * sn + dy * cs;
			/* Inside the source canvas means within half a pixel of a centre. */
			if (fx < -0.5 || fx > W - 0.5 || fy < -0.5 || fy > H - 0.5)
				continue;
			sample_bilinear(in, fx, fy,
			    out->px + ((size_t)y * W + (size_t)x) * in->channels);
		}
	}
	return 0;
}

int
pix_crop_resize(const struct image *in, int x, int y, int w, int h, int out_w, int out_h,
    struct image *out, char **cause)
{
	struct image crop;
	char *why = NULL;
	size_t row;
	int i, r;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "crop", cause) != 0)
		return -1;
	if (x < 0 || y < 0 || w <= 0 || h <= 0 || w > in->w - x || h > in->h - y)
		return cause_set(cause, "crop: box %dx%d at %d,%d is not inside %dx%d", w, h, x,
		    y, in->w, in->h);
	if (out_w <= 0 || out_h <= 0)
		return cause_set(cause, "crop: bad output size %dx%d", out_w, out_h);
	if (image_alloc(&crop, w, h, in->channels, UINT64_MAX, cause) != 0)
		return -1;
	row = (size_t)w * (size_t)in->channels;
	for (i = 0; i < h; i++) {
		memcpy(crop.px + (size_t)i * row,
		    in->px + (((size_t)(y + i) * in->w) + (size_t)x) * in->channels, row);
	}
	if (out_w == w && out_h == h) {
		*out = crop;
		return 0;
	}
	r = image_resize(&crop, out_w, out_h, out, &why);
	image_free(&crop);
	if (r != 0) {
		cause_set(cause, "crop: %s", why != NULL ? why : "resize failed");
		free(why);
		return -1;
	}
	return 0;
}

static int
round_side(double v)
{
	return (int)floor(v + 0.5);
}

void
pix_rrc_box(int W, int H, double scale_min, double scale_max, struct rng *r, int *x, int *y,
    int *w, int *h)
{
	const double rmin = 3.0 / 4.0, rmax = 4.0 / 3.0;
	double area, target, aspect, lo, hi, t, in_ratio;
	int i, cw, chh;

	if (W < 1)
		W = 1;
	if (H < 1)
		H = 1;
	if (!(scale_min > 0.0))
		scale_min = 1e-6;
	if (!(scale_max > 0.0))
		scale_max = 1e-6;
	scale_min = scale_min > 1.0 ? 1.0 : scale_min;
	scale_max = scale_max > 1.0 ? 1.0 : scale_max;
	if (scale_min > scale_max) {
		t = scale_min;
		scale_min = scale_max;
		scale_max = t;
	}
	area = (double)W * (double)H;
	lo = log(rmin);
	hi = log(rmax);
	for (i = 0; i < 10; i++) {
		target = area * (scale_min + (scale_max - scale_min) * rng_uniform(r));
		aspect = exp(lo + (hi - lo) * rng_uniform(r));
		cw = round_side(sqrt(target * aspect));
		chh = round_side(sqrt(target / aspect));
		if (cw > 0 && cw <= W && chh > 0 && chh <= H) {
			*y = (int)rng_below(r, (uint64_t)(H - chh + 1));
			*x = (int)rng_below(r, (uint64_t)(W - cw + 1));
			*w = cw;
			*h = chh;
			return;
		}
	}
	/* Fallback: the whole image, trimmed to the nearest allowed ratio. */
	in_ratio = (double)W / (double)H;
	if (in_ratio < rmin) {
		cw = W;
		chh = round_side(cw / rmin);
	} else if (in_ratio > rmax) {
		chh = H;
		cw = round_side(chh * rmax);
	} else {
		cw = W;
		chh = H;
	}
	cw = cw < 1 ? 1 : (cw > W ? W : cw);
	chh = chh < 1 ? 1 : (chh > H ? H : chh);
	*x = (W - cw) / 2;
	*y = (H - chh) / 2;
	*w = cw;
	*h = chh;
}
