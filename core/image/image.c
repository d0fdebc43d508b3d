/* SPDX-License-Identifier: MIT */
/*
 * The format-independent half of core/image/image.h: format names and sniffing,
 * dispatch of probe and load to the per-format decoders, the pixel buffer
 * itself, and the two steps every decoder shares (compositing alpha over
 * white, applying the EXIF orientation).
 */
#include "core/image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/image/image_codec.h"
#include "core/base/safefile.h"
#include "core/base/util.h"

/* A probe first reads this much; headers nearly always fit. */
#define PROBE_HEAD_BYTES (1024 * 1024)

const char *
image_format_name(enum image_format f)
{
	switch (f) {
	case IMAGE_JPEG:
		return "jpeg";
	case IMAGE_PNG:
		return "png";
	case IMAGE_WEBP:
		return "webp";
	case IMAGE_GIF:
		return "gif";
	case IMAGE_UNKNOWN:
		break;
	}
	return "unknown";
}

enum image_format
image_format_parse(const char *name)
{
	static const struct {
		const char *name;
		enum image_format format;
	} names[] = {
		{ "jpeg", IMAGE_JPEG },
		{ "jpg", IMAGE_JPEG },
		{ "jpe", IMAGE_JPEG },
		{ "jfif", IMAGE_JPEG },
		{ "png", IMAGE_PNG },
		{ "webp", IMAGE_WEBP },
		{ "gif", IMAGE_GIF },
	};
	const char *dot;
	size_t i;

	if (name == NULL)
		return IMAGE_UNKNOWN;
	/* Accept a bare name, ".ext" or a whole file name. */
	if ((dot = strrchr(name, '.')) != NULL)
		name = dot + 1;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].format;
	}
	return IMAGE_UNKNOWN;
}

enum image_format
image_sniff(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (p == NULL)
		return IMAGE_UNKNOWN;
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return IMAGE_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMAGE_PNG;
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return IMAGE_WEBP;
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return IMAGE_GIF;
	return IMAGE_UNKNOWN;
}

int
image_check_size(const char *name, int64_t w, int64_t h, uint64_t max_pixels, char **cause)
{
	if (max_pixels == 0)
		max_pixels = IMAGE_DEFAULT_MAX_PIXELS;
	if (w <= 0 || h <= 0)
		return cause_set(cause, "%s: bad image size %lldx%lld", name, (long long)w,
		    (long long)h);
	/* Both sides fit in 32 bits (decoders read them from 16- or 32-bit fields). */
	if (w > INT32_MAX || h > INT32_MAX || (uint64_t)w * (uint64_t)h > max_pixels)
		return cause_set(cause, "%s: %lldx%lld is over the %llu-pixel limit", name,
		    (long long)w, (long long)h, (unsigned long long)max_pixels);
	return 0;
}

int
image_alloc(struct image *img, int w, int h, int channels, uint64_t max_pixels, char **cause)
{
	memset(img, 0, sizeof *img);
	if (channels != 3 && channels != 4)
		return cause_set(cause, "image: %d channels (3 or 4 expected)", channels);
	if (image_check_size("image", w, h, max_pixels, cause) != 0)
		return -1;
	/* The pixel count is bounded, but the limit is the caller's: check bytes too. */
	if ((uint64_t)w * (uint64_t)h > SIZE_MAX / 4)
		return cause_set(cause, "image: %dx%d is too large", w, h);
	img->px = xcalloc((size_t)w * (size_t)h, (size_t)channels);
	img->w = w;
	img->h = h;
	img->channels = channels;
	return 0;
}

void
image_free(struct image *img)
{
	if (img == NULL)
		return;
	free(img->px);
	memset(img, 0, sizeof *img);
}

void
image_flatten(struct image *img)
{
	size_t i, n = (size_t)img->w * (size_t)img->h;
	uint8_t *p = img->px;

	if (img->channels != 4)
		return;
	/* Forward in place is safe: output index 3i never passes input 4i. */
	for (i = 0; i < n; i++) {
		unsigned a = p[4 * i + 3], na = 255 - a;
		p[3 * i + 0] = (uint8_t)((p[4 * i + 0] * a + 255 * na + 127) / 255);
		p[3 * i + 1] = (uint8_t)((p[4 * i + 1] * a + 255 * na + 127) / 255);
		p[3 * i + 2] = (uint8_t)((p[4 * i + 2] * a + 255 * na + 127) / 255);
	}
	img->channels = 3;
	img->px = xrealloc(img->px, n * 3);
}

static const char *
display_name(const char *name)
{
	return name != NULL ? name : "image";
}

int
image_probe_mem(const void *data, size_t len, const char *name, struct image_info *info,
    char **cause)
{
	struct image_info tmp;
	int r;

	name = display_name(name);
	memset(info, 0, sizeof *info);
	memset(&tmp, 0, sizeof tmp);
	if (data == NULL || len == 0)
		return cause_set(cause, "%s: empty file", name);
	tmp.format = image_sniff(data, len);
	tmp.orientation = 1;
	switch (tmp.format) {
	case IMAGE_JPEG:
		r = image_jpeg_probe(data, len, name, &tmp, cause);
		break;
	case IMAGE_PNG:
		r = image_png_probe(data, len, name, &tmp, cause);
		break;
	case IMAGE_WEBP:
		r = image_webp_probe(data, len, name, &tmp, cause);
		break;
	case IMAGE_GIF:
		r = image_gif_probe(data, len, name, &tmp, cause);
		break;
	default:
		return cause_set(cause, "%s: not an image (unrecognised data)", name);
	}
	if (r != 0)
		return -1;
	if (tmp.w <= 0 || tmp.h <= 0)
		return cause_set(cause, "%s: bad image size %dx%d", name, tmp.w, tmp.h);
	if (tmp.orientation < 1 || tmp.orientation > 8)
		tmp.orientation = 1;
	image_exif_oriented_size(tmp.orientation, tmp.w, tmp.h, &tmp.w, &tmp.h);
	*info = tmp;
	return 0;
}

/*
 * Reads at most max bytes of path; *whole says whether that was all of it.
 * Returns -1 on any failure: the caller then reads the file the ordinary way,
 * which names the reason.
 */
static int
read_head(const char *path, size_t max, char **data, size_t *len, int *whole)
{
	FILE *f;
	char *buf;
	size_t n;

	int fd = file_open_regular(path, IMAGE_MAX_FILE_BYTES, NULL, NULL);
	if (fd < 0)
		return -1;
	if ((f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return -1;
	}
	buf = xmalloc(max);
	n = fread(buf, 1, max, f);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -1;
	}
	*whole = n < max || getc(f) == EOF;
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

int
image_probe_file(const char *path, struct image_info *info, char **cause)
{
	char *data, *head_cause = NULL;
	size_t len;
	int r, whole;

	memset(info, 0, sizeof *info);
	/*
	 * Most headers are in the first bytes, so read only those first; a
	 * header pushed further back (big EXIF or ICC blocks) makes the short
	 * read look truncated, and then the whole file is read.
	 */
	if (read_head(path, PROBE_HEAD_BYTES, &data, &len, &whole) == 0) {
		/* A WebP keeps its EXIF chunk after the image data: read it all. */
		if (!whole && image_sniff(data, len) == IMAGE_WEBP) {
			free(data);
			goto full;
		}
		r = image_probe_mem(data, len, path, info, &head_cause);
		free(data);
		if (r == 0 || whole) {
			if (r != 0)
				cause_set(cause, "%s", head_cause);
			free(head_cause);
			return r;
		}
		free(head_cause);
	}
full:
	if (file_read_all(path, IMAGE_MAX_FILE_BYTES, &data, &len, cause) != 0)
		return -1;
	r = image_probe_mem(data, len, path, info, cause);
	free(data);
	return r;
}

int
image_load_mem(const void *data, size_t len, const char *name, const struct image_opts *opts,
    struct image *out, char **cause)
{
	struct image_opts o;
	int orientation = 1, r;

	name = display_name(name);
	memset(out, 0, sizeof *out);
	memset(&o, 0, sizeof o);
	if (opts != NULL)
		o = *opts;
	if (o.max_pixels == 0)
		o.max_pixels = IMAGE_DEFAULT_MAX_PIXELS;
	if (o.min_w <= 0 || o.min_h <= 0)
		o.min_w = o.min_h = 0;
	if (data == NULL || len == 0)
		return cause_set(cause, "%s: empty file", name);
	switch (image_sniff(data, len)) {
	case IMAGE_JPEG:
		r = image_jpeg_load(data, len, name, &o, out, &orientation, cause);
		break;
	case IMAGE_PNG:
		r = image_png_load(data, len, name, &o, out, &orientation, cause);
		break;
	case IMAGE_WEBP:
		r = image_webp_load(data, len, name, &o, out, &orientation, cause);
		break;
	case IMAGE_GIF:
		r = image_gif_load(data, len, name, &o, out, &orientation, cause);
		break;
	default:
		return cause_set(cause, "%s: not an image (unrecognised data)", name);
	}
	if (r != 0) {
		image_free(out);
		return -1;
	}
	if (out->channels == 4 && !o.keep_alpha)
		image_flatten(out);
	image_exif_apply(out, orientation);
	return 0;
}

int
image_load_file(const char *path, const struct image_opts *opts, struct image *out,
    char **cause)
{
	char *data;
	size_t len;
	int r;

	memset(out, 0, sizeof *out);
	if (file_read_all(path, IMAGE_MAX_FILE_BYTES, &data, &len, cause) != 0)
		return -1;
	r = image_load_mem(data, len, path, opts, out, cause);
	free(data);
	return r;
}

void
image_fit(int w, int h, int max_w, int max_h, int *out_w, int *out_h)
{
	int64_t ow, oh;

	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	if (max_w < 1)
		max_w = 1;
	if (max_h < 1)
		max_h = 1;
	/* Compare w/h with max_w/max_h exactly, then round the other side to nearest. */
	if ((int64_t)w * max_h >= (int64_t)h * max_w) {
		ow = max_w;
		oh = ((int64_t)h * max_w * 2 + w) / ((int64_t)w * 2);
	} else {
		oh = max_h;
		ow = ((int64_t)w * max_h * 2 + h) / ((int64_t)h * 2);
	}
	if (ow > max_w)
		ow = max_w;
	if (oh > max_h)
		oh = max_h;
	*out_w = ow < 1 ? 1 : (int)ow;
	*out_h = oh < 1 ? 1 : (int)oh;
}
