/* SPDX-License-Identifier: MIT */
/*
 * Pixel operations for augmentations: mixing two images (MixGen, CutMix),
 * geometry (flip, rotation, crop and resize, random resized crop boxes) and
 * photometric changes (colour jitter, greyscale, blur, noise, JPEG
 * re-encoding). They are pure: inputs are never modified, every output is a
 * new image the caller frees with image_free, and the same inputs,
 * parameters and rng state give identical bytes on every run (arithmetic is
 * sequential double precision, rounded once per value, half away from zero).
 * Each returns 0, or -1 with *cause saying which parameter is wrong and
 * *out zeroed.
 */
#ifndef MMDA_PIXOPS_H
#define MMDA_PIXOPS_H

#include "core/image/image.h"
#include "core/base/rng.h"

/* ---- shared helpers (pixops_common.c) ---- */

/* Returns 0 when img is a usable image (pixels, positive size, 3 or 4
 * channels), else -1 with *cause naming it as what. */
int pix_check(const struct image *img, const char *what, char **cause);
/* A copy of in with its own pixels. */
int pix_copy(const struct image *in, struct image *out, char **cause);
/* v rounded half away from zero and clamped to 0..255 (NaN gives 0). */
uint8_t pix_round_u8(double v);

/* ---- mixing (pixops_mix.c) ---- */

/*
 * MixGen: out = round(lambda * a + (1 - lambda) * b) per channel, lambda in
 * [0, 1]. b is resized to a's size with image_resize when the sizes differ.
 * When one image has alpha and the other not, the one without counts as
 * opaque and out has alpha.
 */
int pix_mixgen(const struct image *a, const struct image *b, double lambda,
    struct image *out, char **cause);

/*
 * A CutMix box for a W x H image: lambda ~ U(0, 1), the cut is
 * round(W * sqrt(1 - lambda)) x round(H * sqrt(1 - lambda)) around a centre
 * uniform over the pixels, clipped to the image (so it may shrink at the
 * borders, even to nothing). *lambda is the drawn value; the share of a that
 * survives is 1 - w * h / (W * H).
 */
void pix_cutmix_box(int W, int H, struct rng *r, double *lambda, int *x, int *y, int *w,
    int *h);
/* CutMix: a, except that b (resized to a's size) shows through the box, which
 * must lie inside a (an empty box gives a copy of a). Alpha as in pix_mixgen. */
int pix_cutmix(const struct image *a, const struct image *b, int x, int y, int w, int h,
    struct image *out, char **cause);

/* ---- geometry (pixops_geom.c) ---- */

/* Mirror left to right. */
int pix_hflip(const struct image *in, struct image *out, char **cause);
/*
 * Rotates counter-clockwise by degrees about the centre on a canvas of the
 * same size, sampling bilinearly; what falls outside the source is zero
 * (black, and transparent for RGBA). Multiples of 90 degrees are exact pixel
 * moves: a permutation for square images and for 180; on a non-square canvas
 * 90 and 270 crop and pad, and when W + H is odd the centre sits between
 * pixels, so the result is shifted by half a pixel toward the top left.
 */
int pix_rotate(const struct image *in, double degrees, struct image *out, char **cause);
/* Crops the box (inside in) and resizes it to out_w x out_h with image_resize. */
int pix_crop_resize(const struct image *in, int x, int y, int w, int h, int out_w, int out_h,
    struct image *out, char **cause);
/*
 * A random resized crop box as torchvision's RandomResizedCrop draws it:
 * area fraction ~ U(scale_min, scale_max), aspect ratio log-uniform in
 * [3/4, 4/3], up to 10 attempts, then a central crop clamped to that ratio.
 * Sides are rounded half away from zero (Python rounds half to even).
 * The scales are clamped into (0, 1] and swapped if reversed.
 */
void pix_rrc_box(int W, int H, double scale_min, double scale_max, struct rng *r, int *x,
    int *y, int *w, int *h);

/* ---- colour (pixops_color.c) ---- */

/*
 * Colour jitter with torchvision's meaning of each factor, applied in this
 * fixed order on double values clamped to [0, 255] after each step:
 * brightness multiplies (>= 0); contrast blends with the mean grey of the
 * image (>= 0); saturation blends with each pixel's grey (>= 0); hue turns
 * the hue by hue turns, in [-0.5, 0.5]. 1, 1, 1, 0 is exactly the identity.
 * Alpha is untouched.
 */
int pix_color(const struct image *in, double brightness, double contrast, double saturation,
    double hue, struct image *out, char **cause);
/* ITU-R BT.601 luma (0.299, 0.587, 0.114) into R = G = B; alpha kept. */
int pix_grayscale(const struct image *in, struct image *out, char **cause);

/* ---- filters (pixops_filter.c) ---- */

/* Maximum sigma for pix_blur: larger kernels cost time and change nothing visible. */
#define PIX_BLUR_SIGMA_MAX 100.0

/*
 * Separable Gaussian blur of every channel (alpha too), radius
 * ceil(3 * sigma), edges clamped, weights normalised to sum to one.
 * sigma 0 gives a copy.
 */
int pix_blur(const struct image *in, double sigma, struct image *out, char **cause);
/* Adds N(0, sigma) (in 0..255 units) to each colour channel, in raster order
 * drawing R, G, B; alpha untouched; results clamped. */
int pix_noise(const struct image *in, double sigma, struct rng *r, struct image *out,
    char **cause);
/* Encodes the colour channels as JPEG at quality 1..100 and decodes them
 * back; alpha, if any, is carried over unchanged. */
int pix_jpeg(const struct image *in, int quality, struct image *out, char **cause);

#endif
