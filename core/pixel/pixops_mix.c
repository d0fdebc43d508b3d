/* SPDX-License-Identifier: MIT */
/*
 * Mixing two images: MixGen (a per-channel linear blend) and CutMix (a box
 * of one image pasted into the other), plus the CutMix box sampler. The
 * partner image is brought to the first image's size with image_resize, so
 * both ops accept any pair of images.
 */
#include "core/pixel/pixops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/*
 * Checks a and b, resizes b to a's size when needed (into *tmp, which the
 * caller frees; *bp points at whichever image to read) and allocates out
 * with alpha when either input has it.
 */
static int
mix_prepare(const char *op, const struct image *a, const struct image *b, struct image *tmp,
    const struct image **bp, struct image *out, char **cause)
{
	char *why = NULL;
	int ch;

	memset(tmp, 0, sizeof *tmp);
	*bp = b;
	if (pix_check(a, op, cause) != 0 || pix_check(b, op, cause) != 0)
		return -1;
	if (b->w != a->w || b->h != a->h) {
		if (image_resize(b, a->w, a->h, tmp, &why) != 0) {
			cause_set(cause, "%s: resizing the partner: %s", op,
			    why != NULL ? why : "failed");
			free(why);
			return -1;
		}
		*bp = tmp;
	}
	ch = a->channels > b->channels ? a->channels : b->channels;
	if (image_alloc(out, a->w, a->h, ch, UINT64_MAX, cause) != 0) {
		image_free(tmp);
		return -1;
	}
	return 0;
}

/* Reads pixel i of img as RGBA, an image without alpha being opaque. */
static void
mix_get(const struct image *img, size_t i, unsigned v[4])
{
	const uint8_t *p = img->px + i * (size_t)img->channels;

	v[0] = p[0];
	v[1] = p[1];
	v[2] = p[2];
	v[3] = img->channels == 4 ? p[3] : 255;
}

int
pix_mixgen(const struct image *a, const struct image *b, double lambda, struct image *out,
    char **cause)
{
	struct image tmp;
	const struct image *bb;
	size_t i, n;
	unsigned va[4], vb[4];
	double mu;
	uint8_t *o;
	int c;

	memset(out, 0, sizeof *out);
	if (!(lambda >= 0.0 && lambda <= 1.0))
		return cause_set(cause, "mixgen: lambda %g is not in [0, 1]", lambda);
	if (mix_prepare("mixgen", a, b, &tmp, &bb, out, cause) != 0)
		return -1;
	mu = 1.0 - lambda;
	n = (size_t)a->w * (size_t)a->h;
	if (a->channels == bb->channels) {
		/*
		 * The common case, on raw bytes. lambda*a + mu*b lies in [0, 255],
		 * where adding 0.5 and truncating is exactly round-half-away.
		 */
		const uint8_t *pa = a->px, *pb = bb->px;
		size_t m = n * (size_t)a->channels;
		for (i = 0; i < m; i++)
			out->px[i] = (uint8_t)(lambda * pa[i] + mu * pb[i] + 0.5);
		image_free(&tmp);
		return 0;
	}
	for (i = 0; i < n; i++) {
		mix_get(a, i, va);
		mix_get(bb, i, vb);
		o = out->px + i * (size_t)out->channels;
		for (c = 0; c < out->channels; c++)
			o[c] = pix_round_u8(lambda * va[c] + mu * vb[c]);
	}
	image_free(&tmp);
	return 0;
}

/* Rounds a non-negative double half away from zero to an int. */
static int
round_side(double v)
{
	return (int)floor(v + 0.5);
}

void
pix_cutmix_box(int W, int H, struct rng *r, double *lambda, int *x, int *y, int *w, int *h)
{
	double lam, cut;
	int cw, chh, cx, cy, x0, y0, x1, y1;

	lam = rng_uniform(r);
	cut = sqrt(1.0 - lam);
	if (W < 1)
		W = 1;
	if (H < 1)
		H = 1;
	cw = round_side(W * cut);
	chh = round_side(H * cut);
	cx = (int)rng_below(r, (uint64_t)W);
	cy = (int)rng_below(r, (uint64_t)H);
	/*
	 * The box is [c - side/2, c - side/2 + side): exactly side wide
	 * before clipping, where (c - side/2, c + side/2) would lose a pixel
	 * on odd sides and bias the area low.
	 */
	x0 = cx - cw / 2;
	y0 = cy - chh / 2;
	x1 = x0 + cw;
	y1 = y0 + chh;
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > W ? W : x1;
	y1 = y1 > H ? H : y1;
	*lambda = lam;
	*x = x0;
	*y = y0;
	*w = x1 > x0 ? x1 - x0 : 0;
	*h = y1 > y0 ? y1 - y0 : 0;
}

int
pix_cutmix(const struct image *a, const struct image *b, int x, int y, int w, int h,
    struct image *out, char **cause)
{
	struct image tmp;
	const struct image *bb;
	size_t i;
	unsigned va[4], vb[4];
	uint8_t *o;
	int px, py, c, in_box;

	memset(out, 0, sizeof *out);
	if (pix_check(a, "cutmix", cause) != 0)
		return -1;
	if (x < 0 || y < 0 || w < 0 || h < 0 || w > a->w - x || h > a->h - y)
		return cause_set(cause, "cutmix: box %dx%d at %d,%d is not inside %dx%d", w, h,
		    x, y, a->w, a->h);
	if (mix_prepare("cutmix", a, b, &tmp, &bb, out, cause) != 0)
		return -1;
	for (py = 0; py < a->h; py++) {
		for (px = 0; px < a->w; px++) {
			i = (size_t)py * (size_t)a->w + (size_t)px;
			in_box = px >= x && px < x + w && py >= y && py < y + h;
			if (in_box)
				mix_get(bb, i, vb);
			else
				mix_get(a, i, va);
			o = out->px + i * (size_t)out->channels;
			for (c = 0; c < out->channels; c++)
				o[c] = (uint8_t)(in_box ? vb[c] : va[c]);
		}
	}
	image_free(&tmp);
	return 0;
}
