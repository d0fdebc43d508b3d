/* SPDX-License-Identifier: MIT */
/*
 * Pixel buffers and image files: decoding JPEG, PNG, WebP and GIF into one
 * 8-bit RGB or RGBA buffer, encoding PNG, JPEG and WebP, and area-averaging
 * downscaling. Every decoder reads the size from the header and refuses an
 * image over the pixel limit before it allocates the pixels; a hostile file
 * gives an error naming the file and the reason, never a crash.
 */
#ifndef MMDA_IMAGE_H
#define MMDA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum image_format {
	IMAGE_UNKNOWN = 0,
	IMAGE_JPEG,
	IMAGE_PNG,
	IMAGE_WEBP,
	IMAGE_GIF,
};

#define IMAGE_DEFAULT_MAX_PIXELS (64u * 1000u * 1000u)

/* Rows are tightly packed: stride is w * channels. channels is 3 or 4. */
struct image {
	int w, h;
	int channels;
	uint8_t *px;
};

struct image_opts {
	uint64_t max_pixels; /* 0 means IMAGE_DEFAULT_MAX_PIXELS */
	/*
	 * When both are > 0, a decoder that can shrink cheaply while decoding
	 * (JPEG DCT scaling) may return any size >= min_w x min_h (after the
	 * EXIF rotation); callers then downscale the rest of the way. 0 means
	 * full size.
	 */
	int min_w, min_h;
	int keep_alpha; /* 0: composite alpha over white into RGB; 1: RGBA when the file has alpha */
};

/* What a header says, without decoding pixels. w and h are after EXIF orientation. */
struct image_info {
	enum image_format format;
	int w, h;
	int orientation; /* EXIF orientation 1..8; 1 when absent */
	int has_alpha;
};

/* Name of a format ("jpeg", "png", "webp", "gif", "unknown"); static string. */
const char *image_format_name(enum image_format f);
/* Format from a name or file extension ("png", ".jpg", "jpeg", "webp"); IMAGE_UNKNOWN otherwise. */
enum image_format image_format_parse(const char *name);
/* Format from the first bytes of a file (magic numbers), IMAGE_UNKNOWN if none match. */
enum image_format image_sniff(const void *data, size_t len);

/*
 * Reads the header only. Returns 0 and fills *info, or -1 with *cause set to
 * "NAME: reason" (caller frees *cause). name is used in messages only.
 */
int image_probe_mem(const void *data, size_t len, const char *name, struct image_info *info,
    char **cause);
int image_probe_file(const char *path, struct image_info *info, char **cause);

/*
 * Decodes the image (any supported format, chosen by its magic bytes, not its
 * name), applies the EXIF orientation and fills *out. Returns 0, or -1 with
 * *cause set and *out zeroed. opts may be NULL. The caller frees with image_free.
 */
int image_load_mem(const void *data, size_t len, const char *name, const struct image_opts *opts,
    struct image *out, char **cause);
int image_load_file(const char *path, const struct image_opts *opts, struct image *out,
    char **cause);

/* Allocates a w x h buffer with channels 3 or 4, zero-filled. Returns -1 with
 * *cause when the size is not positive or over max_pixels (0: the default limit). */
int image_alloc(struct image *img, int w, int h, int channels, uint64_t max_pixels, char **cause);
/* Frees the pixels and zeroes the struct; safe on a zeroed struct. */
void image_free(struct image *img);

/*
 * Encodes to the format in memory. quality 1..100 applies to JPEG and lossy
 * WebP (0 picks the default: 90; WebP 100 means lossless). JPEG drops alpha
 * (composited over white). Returns 0 with a malloc'd *data (caller frees) or
 * -1 with *cause. Output is deterministic for the same input and settings.
 */
int image_encode(const struct image *img, enum image_format fmt, int quality, uint8_t **data,
    size_t *len, char **cause);
/* Encodes and writes to path through a temp file, fsync and rename. Returns 0 or -1 with *cause. */
int image_save_file(const struct image *img, const char *path, enum image_format fmt,
    int quality, char **cause);

/*
 * Area-averaging resize into a new buffer of dw x dh (same channel count):
 * each destination pixel is the exact coverage-weighted mean of the source
 * pixels under it, so downscaling does not alias. Upscaling falls back to
 * bilinear. Returns 0 or -1 with *cause; caller frees *dst.
 */
int image_resize(const struct image *src, int dw, int dh, struct image *dst, char **cause);

/* Largest size that fits in max_w x max_h keeping the aspect ratio (at least 1x1). */
void image_fit(int w, int h, int max_w, int max_h, int *out_w, int *out_h);

#endif
