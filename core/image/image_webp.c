/* SPDX-License-Identifier: MIT */
/*
 * WebP decoding through libwebp's simple API (lossy, lossless, with or
 * without alpha), plus a walk over the RIFF chunks for an EXIF block. An
 * animated WebP would need libwebpdemux, which mmda does not link, so it is
 * refused with a clear message rather than shown as a blank frame.
 */
#include <string.h>

#include <webp/decode.h>

#include "core/image/image_codec.h"
#include "core/base/util.h"

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Orientation from an "EXIF" chunk of an extended (VP8X) WebP; 1 when none. */
static int
webp_orientation(const uint8_t *p, size_t len)
{
	size_t off = 12, size;
	uint32_t riff;

	if (len < 12)
		return 1;
	/* Chunks past the RIFF size are not part of the file. */
	riff = le32(p + 4);
	if ((uint64_t)riff + 8 < len)
		len = (size_t)riff + 8;
	while (len >= 8 && off <= len - 8) {
		size = le32(p + off + 4);
		if (size > len - off - 8)
			return 1;
		if (memcmp(p + off, "EXIF", 4) == 0)
			return image_exif_orientation(p + off + 8, size);
		/* Chunks are padded to an even size. */
		off += 8 + size + (size & 1);
	}
	return 1;
}

static int
webp_features(const uint8_t *data, size_t len, const char *name, WebPBitstreamFeatures *f,
    char **cause)
{
	VP8StatusCode st;

	st = WebPGetFeatures(data, len, f);
	if (st == VP8_STATUS_NOT_ENOUGH_DATA)
		return cause_set(cause, "%s: truncated WebP data", name);
	if (st != VP8_STATUS_OK)
		return cause_set(cause, "%s: corrupt WebP data (header error %d)", name, (int)st);
	return 0;
}

int
image_webp_probe(const uint8_t *data, size_t len, const char *name, struct image_info *info,
    char **cause)
{
	WebPBitstreamFeatures f;

	if (webp_features(data, len, name, &f, cause) != 0)
		return -1;
	info->w = f.width;
	info->h = f.height;
	info->has_alpha = f.has_alpha != 0;
	info->orientation = webp_orientation(data, len);
	return 0;
}

int
image_webp_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause)
{
	WebPBitstreamFeatures f;
	size_t size, stride;
	uint8_t *r;

	if (webp_features(data, len, name, &f, cause) != 0)
		return -1;
	if (f.has_animation)
		return cause_set(cause, "%s: animated WebP is not supported", name);
	if (image_check_size(name, f.width, f.height, opts->max_pixels, cause) != 0)
		return -1;
	if (image_alloc(out, f.width, f.height, f.has_alpha ? 4 : 3, UINT64_MAX, cause) != 0)
		return -1;
	stride = (size_t)out->w * (size_t)out->channels;
	size = stride * (size_t)out->h;
	/* WebP sides are at most 16383, so the stride fits in an int. */
	if (f.has_alpha)
		r = WebPDecodeRGBAInto(data, len, out->px, size, (int)stride);
	else
		r = WebPDecodeRGBInto(data, len, out->px, size, (int)stride);
	if (r == NULL) {
		image_free(out);
		return cause_set(cause, "%s: truncated or corrupt WebP data", name);
	}
	*orientation = webp_orientation(data, len);
	return 0;
}
