/* SPDX-License-Identifier: MIT */
/*
 * The built-in pixel operators: each draws what it needs from the
 * candidate's own random stream, runs a pixel function of core/pixel/pixops.h and
 * records the drawn values (angle, box, factors) so a reviewer sees them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/text/caption.h"
#include "core/ops/ops_impl.h"
#include "core/pixel/pixops.h"
#include "core/base/util.h"

static double
uniform(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_uniform(r);
}

/* Image ops keep the caption as it is. */
static int
keep_text(const struct op_input *in, struct op_output *out)
{
	out->text = xstrdup(in->text[0]);
	return 0;
}

OPIMPL(mixgen)
{
	(void)op;
	if (pix_mixgen(in->img[0], in->img[1], args->num[0], &out->img, cause) != 0)
		return -1;
	/* MixGen joins own caption first, partner second, with one space. */
	out->text = xasprintf("%s %s", in->text[0], in->text[1]);
	return 0;
}

OPIMPL(cutmix)
{
	double lambda;
	int x, y, w, h, W = in->img[0]->w, H = in->img[0]->h;

	(void)op;
	pix_cutmix_box(W, H, in->rng, &lambda, &x, &y, &w, &h);
	if (pix_cutmix(in->img[0], in->img[1], x, y, w, h, &out->img, cause) != 0)
		return -1;
	double pasted = (double)w * h / ((double)W * H);
	if (strcmp(args->str[0], "dominant") == 0)
		out->text = xstrdup(pasted > 0.5 ? in->text[1] : in->text[0]);
	else
		out->text = xasprintf("%s %s", in->text[0], in->text[1]);
	out->extra = xasprintf("{\"box\":[%d,%d,%d,%d],\"lambda\":%.6f,\"pasted_area\":%.6f}",
	    x, y, w, h, lambda, pasted);
	return 0;
}

OPIMPL(hflip)
{
	int swaps = 0;

	(void)op, (void)args;
	if (pix_hflip(in->img[0], &out->img, cause) != 0)
		return -1;
	out->text = caption_swap_lr(in->text[0], &swaps);
	out->extra = xasprintf("{\"caption_swaps\":%d}", swaps);
	return 0;
}

OPIMPL(rotate)
{
	double angle = uniform(in->rng, -args->num[0], args->num[0]);

	(void)op;
	if (pix_rotate(in->img[0], angle, &out->img, cause) != 0)
		return -1;
	out->extra = xasprintf("{\"angle\":%.4f}", angle);
	return keep_text(in, out);
}

OPIMPL(crop)
{
	int x, y, w, h;

	(void)op;
	if (args->num[0] > args->num[1])
		return cause_set(cause, "crop: scale_min is larger than scale_max");
	pix_rrc_box(in->img[0]->w, in->img[0]->h, args->num[0], args->num[1], in->rng, &x, &y,
	    &w, &h);
	if (pix_crop_resize(in->img[0], x, y, w, h, in->img[0]->w, in->img[0]->h, &out->img,
	    cause) != 0)
		return -1;
	out->extra = xasprintf("{\"box\":[%d,%d,%d,%d]}", x, y, w, h);
	return keep_text(in, out);
}

OPIMPL(color)
{
	double b = uniform(in->rng, 1 - args->num[0], 1 + args->num[0]);
	double c = uniform(in->rng, 1 - args->num[1], 1 + args->num[1]);
	double s = uniform(in->rng, 1 - args->num[2], 1 + args->num[2]);
	double h = uniform(in->rng, -args->num[3], args->num[3]);

	(void)op;
	if (pix_color(in->img[0], b, c, s, h, &out->img, cause) != 0)
		return -1;
	/* Drawn values get their own names: a stored key that matched a parameter
	 * would be read back as that parameter on replay. */
	out->extra = xasprintf("{\"brightness_factor\":%.4f,\"contrast_factor\":%.4f,"
	    "\"saturation_factor\":%.4f,\"hue_shift\":%.4f}", b, c, s, h);
	return keep_text(in, out);
}

OPIMPL(grayscale)
{
	(void)op, (void)args;
	if (pix_grayscale(in->img[0], &out->img, cause) != 0)
		return -1;
	return keep_text(in, out);
}

OPIMPL(blur)
{
	double sigma;

	(void)op;
	if (args->num[0] > args->num[1])
		return cause_set(cause, "blur: sigma_min is larger than sigma_max");
	sigma = uniform(in->rng, args->num[0], args->num[1]);
	if (pix_blur(in->img[0], sigma, &out->img, cause) != 0)
		return -1;
	out->extra = xasprintf("{\"sigma\":%.4f}", sigma);
	return keep_text(in, out);
}

OPIMPL(noise)
{
	(void)op;
	if (pix_noise(in->img[0], args->num[0], in->rng, &out->img, cause) != 0)
		return -1;
	return keep_text(in, out);
}

OPIMPL(jpeg)
{
	(void)op;
	if (pix_jpeg(in->img[0], (int)args->num[0], &out->img, cause) != 0)
		return -1;
	return keep_text(in, out);
}
