/* SPDX-License-Identifier: MIT */
/*
 * Photometric pixel operations: colour jitter (brightness, contrast,
 * saturation, hue, as torchvision defines them) and greyscale. The jitter
 * works on doubles clamped after each step, as torchvision does on float
 * images, and rounds once at the end, so neutral factors are exact.
 */
#include "core/pixel/pixops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* ITU-R BT.601 luma on doubles. */
static double
luma(const double *p)
{
	return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

static double
clamp255(double v)
{
	return v < 0.0 ? 0.0 : (v > 255.0 ? 255.0 : v);
}

/* RGB in [0, 1] to hue in [0, 1), saturation and value (torchvision's _rgb2hsv). */
static void
rgb_to_hsv(const double *rgb, double *h, double *s, double *v)
{
	double r = rgb[0], g = rgb[1], b = rgb[2], mx, mn, cr, hh;

	mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
	mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
	cr = mx - mn;
	*v = mx;
	*s = mx > 0.0 ? cr / mx : 0.0;
	if (cr == 0.0) {
		*h = 0.0;
		return;
	}
	if (mx == r)
		hh = (g - b) / cr;
	else if (mx == g)
		hh = 2.0 + (b - r) / cr;
	else
		hh = 4.0 + (r - g) / cr;
	hh /= 6.0;
	hh -= floor(hh);
	*h = hh;
}

static void
hsv_to_rgb(double h, double s, double v, double *rgb)
{
	double f, p, q, t, h6;
	int i;

	h6 = h * 6.0;
	i = (int)floor(h6);
	f = h6 - i;
	i %= 6;
	if (i < 0)
		i += 6;
	p = v * (1.0 - s);
	q = v * (1.0 - s * f);
	t = v * (1.0 - s * (1.0 - f));
	switch (i) {
	case 0: rgb[0] = v; rgb[1] = t; rgb[2] = p; break;
	case 1: rgb[0] = q; rgb[1] = v; rgb[2] = p; break;
	case 2: rgb[0] = p; rgb[1] = v; rgb[2] = t; break;
	case 3: rgb[0] = p; rgb[1] = q; rgb[2] = v; break;
	case 4: rgb[0] = t; rgb[1] = p; rgb[2] = v; break;
	default: rgb[0] = v; rgb[1] = p; rgb[2] = q; break;
	}
}

static int
check_factor(const char *name, double v, double lo, double hi, char **cause)
{
	if (!(v >= lo && v <= hi))
		return cause_set(cause, "color: %s %g is not in [%g, %g]", name, v, lo, hi);
	return 0;
}

int
pix_color(const struct image *in, double brightness, double contrast, double saturation,
    double hue, struct image *out, char **cause)
{
	double *buf, *p, mean, g, hh, s, v, rgb[3];
	size_t i, n;
	int c, ch;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "color", cause) != 0)
		return -1;
	if (check_factor("brightness", brightness, 0.0, 1e6, cause) != 0 ||
	    check_factor("contrast", contrast, 0.0, 1e6, cause) != 0 ||
	    check_factor("saturation", saturation, 0.0, 1e6, cause) != 0 ||
	    check_factor("hue", hue, -0.5, 0.5, cause) != 0)
		return -1;
	if (pix_copy(in, out, cause) != 0)
		return -1;
	ch = in->channels;
	n = (size_t)in->w * (size_t)in->h;
	buf = xreallocarray(NULL, n, 3 * sizeof *buf);
	for (i = 0; i < n; i++) {
		for (c = 0; c < 3; c++)
			buf[3 * i + c] = in->px[i * ch + c];
	}
	/* A factor of exactly 1 (0 for hue) is skipped, so neutral is exact. */
	if (brightness != 1.0) {
		for (i = 0; i < 3 * n; i++)
			buf[i] = clamp255(buf[i] * brightness);
	}
	if (contrast != 1.0) {
		/* One sequential sum: the mean is the same on every run. */
		mean = 0.0;
		for (i = 0; i < n; i++)
			mean += luma(buf + 3 * i);
		mean /= (double)n;
		for (i = 0; i < 3 * n; i++)
			buf[i] = clamp255(contrast * buf[i] + (1.0 - contrast) * mean);
	}
	if (saturation != 1.0) {
		for (i = 0; i < n; i++) {
			p = buf + 3 * i;
			g = luma(p);
			for (c = 0; c < 3; c++)
				p[c] = clamp255(saturation * p[c] + (1.0 - saturation) * g);
		}
	}
	if (hue != 0.0) {
		for (i = 0; i < n; i++) {
			p = buf + 3 * i;
			for (c = 0; c < 3; c++)
				rgb[c] = p[c] / 255.0;
			rgb_to_hsv(rgb, &hh, &s, &v);
			hh += hue;
			hh -= floor(hh);
			hsv_to_rgb(hh, s, v, rgb);
			for (c = 0; c < 3; c++)
				p[c] = clamp255(rgb[c] * 255.0);
		}
	}
	for (i = 0; i < n; i++) {
		for (c = 0; c < 3; c++)
			out->px[i * ch + c] = pix_round_u8(buf[3 * i + c]);
	}
	free(buf);
	return 0;
}

int
pix_grayscale(const struct image *in, struct image *out, char **cause)
{
	const uint8_t *s;
	uint8_t *d;
	size_t i, n;
	unsigned y;
	int ch;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "grayscale", cause) != 0)
		return -1;
	if (pix_copy(in, out, cause) != 0)
		return -1;
	ch = in->channels;
	n = (size_t)in->w * (size_t)in->h;
	for (i = 0; i < n; i++) {
		s = in->px + i * ch;
		d = out->px + i * ch;
		/* Integer weights in thousandths: exact, rounded half up. */
		y = (299u * s[0] + 587u * s[1] + 114u * s[2] + 500u) / 1000u;
		d[0] = d[1] = d[2] = (uint8_t)y;
	}
	return 0;
}
