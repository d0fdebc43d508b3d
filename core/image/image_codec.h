/* SPDX-License-Identifier: MIT */
/*
 * Private interface between core/image/image.c and the per-format decoders and
 * helpers (image_jpeg.c, image_png.c, image_webp.c, image_gif.c,
 * image_exif.c). Not for use outside core/image/image*.c.
 *
 * A decoder's load function gets options already resolved (max_pixels is
 * never 0) and returns the pixels as stored in the file: RGB, or RGBA when
 * the file has alpha, and not yet EXIF-rotated; it reports the orientation
 * so that image.c applies it and composites alpha in one place. A decoder's
 * probe function fills w and h before rotation.
 */
#ifndef MMDA_IMAGE_CODEC_H
#define MMDA_IMAGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/image/image.h"

/* Largest plausible image file; anything bigger is refused unread. */
#define IMAGE_MAX_FILE_BYTES ((size_t)1 << 30)

/*
 * Checks a size read from a header before anything is allocated for it:
 * both sides positive and w * h within max_pixels. Returns 0, or -1 with
 * "NAME: reason" in *cause.
 */
int image_check_size(const char *name, int64_t w, int64_t h, uint64_t max_pixels,
    char **cause);
/* Composites an RGBA buffer over white into RGB, in place (shrinks the buffer). */
void image_flatten(struct image *img);

int image_jpeg_probe(const uint8_t *data, size_t len, const char *name,
    struct image_info *info, char **cause);
int image_jpeg_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause);

int image_png_probe(const uint8_t *data, size_t len, const char *name,
    struct image_info *info, char **cause);
int image_png_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause);

int image_webp_probe(const uint8_t *data, size_t len, const char *name,
    struct image_info *info, char **cause);
int image_webp_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause);

int image_gif_probe(const uint8_t *data, size_t len, const char *name,
    struct image_info *info, char **cause);
int image_gif_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause);

/*
 * Orientation (1..8) from a TIFF-structured EXIF block, optionally preceded
 * by "Exif\0\0"; 1 when the block is absent, malformed or has no valid tag.
 */
int image_exif_orientation(const uint8_t *tiff, size_t len);
/* Width and height once the orientation is applied (5..8 swap them). */
void image_exif_oriented_size(int orientation, int w, int h, int *ow, int *oh);
/* Rotates and mirrors the pixels for an orientation 2..8 (1 and others: nothing). */
void image_exif_apply(struct image *img, int orientation);

#endif
