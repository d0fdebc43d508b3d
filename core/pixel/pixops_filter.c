/* SPDX-License-Identifier: MIT */
/*
 * Degrading pixel operations: Gaussian blur, additive Gaussian noise and a
 * JPEG round trip. Blur keeps a double intermediate between its two passes
 * so that only the final value is rounded; noise draws from the caller's
 * rng in raster order, so a seed fixes the result.
 */
#include "core/pixel/pixops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* Normalised weights w[0..2r] of a Gaussian of sigma, r = ceil(3 sigma). */
static double *
blur_kernel(double sigma, int *radius)
{
	double *k, sum = 0.0;
	int r, i;

	r = (int)ceil(3.0 * sigma);
	if (r < 1)
		r = 1;
	k = xreallocarray(NULL, (size_t)(2 * r + 1), sizeof *k);
	for (i = -r; i <= r; i++) {
		/* i == 0 apart, as a sigma whose square underflows would give 0/0. */
		k[i + r] = i == 0 ? 1.0 : exp(-(double)i * i / (2.0 * sigma * sigma));
		sum += k[i + r];
	}
	for (i = 0; i < 2 * r + 1; i++)
		k[i] /= sum;
	*radius = r;
	return k;
}

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

int
pix_blur(const struct image *in, double sigma, struct image *out, char **cause)
{
	double *k, *tmp, acc;
	int W, H, ch, r, x, y, c, i;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "blur", cause) != 0)
		return -1;
	if (!(sigma >= 0.0 && sigma <= PIX_BLUR_SIGMA_MAX))
		return cause_set(cause, "blur: sigma %g is not in [0, %g]", sigma,
		    PIX_BLUR_SIGMA_MAX);
	if (sigma == 0.0)
		return pix_copy(in, out, cause);
	if (image_alloc(out, in->w, in->h, in->channels, UINT64_MAX, cause) != 0)
		return -1;
	W = in->w;
	H = in->h;
	ch = in->channels;
	k = blur_kernel(sigma, &r);
	tmp = xreallocarray(NULL, (size_t)W * (size_t)H, (size_t)ch * sizeof *tmp);
	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			for (c = 0; c < ch; c++) {
				acc = 0.0;
				for (i = -r; i <= r; i++)
					acc += k[i + r] * in->px[((size_t)y * W +
					    (size_t)clampi(x + i, 0, W - 1)) * ch + c];
				tmp[((size_t)y * W + x) * ch + c] = acc;
			}
		}
	}
	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			for (c = 0; c < ch; c++) {
				acc = 0.0;
				for (i = -r; i <= r; i++)
					acc += k[i + r] * tmp[((size_t)clampi(y + i, 0, H - 1) *
					    W + x) * ch + c];
				out->px[((size_t)y * W + x) * ch + c] = pix_round_u8(acc);
			}
		}
	}
	free(tmp);
	free(k);
	return 0;
}

int
pix_noise(const struct image *in, double sigma, struct rng *r, struct image *out,
    char **cause)
{
	size_t i, n;
	uint8_t *p;
	int c;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "noise", cause) != 0)
		return -1;
	if (!(sigma >= 0.0 && sigma <= 1e6))
		return cause_set(cause, "noise: sigma %g is not a non-negative number", sigma);
	if (r == NULL)
		return cause_set(cause, "noise: no random number generator");
	if (pix_copy(in, out, cause) != 0)
		return -1;
	/* sigma 0 still returns a copy, and still draws, so streams stay aligned. */
	n = (size_t)in->w * (size_t)in->h;
	for (i = 0; i < n; i++) {
		p = out->px + i * in->channels;
		for (c = 0; c < 3; c++)
			p[c] = pix_round_u8(p[c] + sigma * rng_normal(r));
	}
	return 0;
}

int
pix_jpeg(const struct image *in, int quality, struct image *out, char **cause)
{
	struct image rgb, dec;
	uint8_t *data = NULL;
	size_t len, i, n;
	char *why = NULL;
	int r;

	memset(out, 0, sizeof *out);
	if (pix_check(in, "jpeg", cause) != 0)
		return -1;
	if (quality < 1 || quality > 100)
		return cause_set(cause, "jpeg: quality %d is not in 1..100", quality);
	n = (size_t)in->w * (size_t)in->h;
	/*
	 * image_encode would composite alpha over white; encode the colour
	 * as it is instead and carry alpha across, so only JPEG's own loss
	 * shows.
	 */
	if (in->channels == 4) {
		if (image_alloc(&rgb, in->w, in->h, 3, UINT64_MAX, cause) != 0)
			return -1;
		for (i = 0; i < n; i++)
			memcpy(rgb.px + 3 * i, in->px + 4 * i, 3);
		r = image_encode(&rgb, IMAGE_JPEG, quality, &data, &len, &why);
		image_free(&rgb);
	} else
		r = image_encode(in, IMAGE_JPEG, quality, &data, &len, &why);
	if (r != 0)
		goto fail;
	r = image_load_mem(data, len, "jpeg", NULL, &dec, &why);
	free(data);
	if (r != 0)
		goto fail;
	if (dec.w != in->w || dec.h != in->h || dec.channels != 3) {
		image_free(&dec);
		return cause_set(cause, "jpeg: decoded %dx%d, expected %dx%d", dec.w, dec.h,
		    in->w, in->h);
	}
	if (in->channels == 3) {
		*out = dec;
		return 0;
	}
	if (image_alloc(out, in->w, in->h, 4, UINT64_MAX, cause) != 0) {
		image_free(&dec);
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(out->px + 4 * i, dec.px + 3 * i, 3);
		out->px[4 * i + 3] = in->px[4 * i + 3];
	}
	image_free(&dec);
	return 0;

fail:
	cause_set(cause, "jpeg: %s", why != NULL ? why : "round trip failed");
	free(why);
	return -1;
}
