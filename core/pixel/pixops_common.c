/* SPDX-License-Identifier: MIT */
/*
 * What every pixel operation in core/pixel/pixops.h shares: checking an input
 * image before touching its pixels, copying, and the one rounding rule.
 */
#include "core/pixel/pixops.h"

#include <math.h>
#include <string.h>

#include "core/base/util.h"

int
pix_check(const struct image *img, const char *what, char **cause)
{
	if (img == NULL || img->px == NULL)
		return cause_set(cause, "%s: no image", what);
	if (img->w <= 0 || img->h <= 0)
		return cause_set(cause, "%s: bad image size %dx%d", what, img->w, img->h);
	if (img->channels != 3 && img->channels != 4)
		return cause_set(cause, "%s: %d channels (3 or 4 expected)", what,
		    img->channels);
	return 0;
}

int
pix_copy(const struct image *in, struct image *out, char **cause)
{
	memset(out, 0, sizeof *out);
	if (pix_check(in, "copy", cause) != 0)
		return -1;
	/* The input already passed a size check, so no limit applies again. */
	if (image_alloc(out, in->w, in->h, in->channels, UINT64_MAX, cause) != 0)
		return -1;
	memcpy(out->px, in->px, (size_t)in->w * (size_t)in->h * (size_t)in->channels);
	return 0;
}

uint8_t
pix_round_u8(double v)
{
	/* Written so that NaN fails both tests and lands on 0. */
	if (!(v > 0.0))
		return 0;
	if (v >= 254.5)
		return 255;
	/* round(), not v + 0.5, which can carry just below a half up. */
	return (uint8_t)round(v);
}
