/* SPDX-License-Identifier: MIT */
/*
 * PNG decoding through libpng: every colour type and depth (1/2/4/8/16-bit
 * grey, grey+alpha, palette with tRNS, RGB, RGBA, Adam7 interlacing) becomes
 * 8-bit RGB or RGBA. libpng reports errors by longjmp, so all calls into it
 * happen in png_run(), and everything that must be freed afterwards lives in
 * the caller's struct png_ctx rather than in png_run()'s own variables.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "core/image/image_codec.h"
#include "core/base/util.h"

struct png_ctx {
	const uint8_t *data;
	size_t len, off;
	const char *name;
	const struct image_opts *opts; /* NULL: read the header only */
	char **cause;

	png_structp png;
	png_infop info;
	int eof;       /* the reader ran out of bytes */
	char msg[160]; /* libpng's last error */

	/* Results. */
	int w, h, has_alpha, orientation;
	struct image *out;
	png_bytep *rows;
};

static void
png_ctx_error(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->msg, sizeof c->msg, "%s", msg);
	png_longjmp(png, 1);
}

static void
png_ctx_warning(png_structp png, png_const_charp msg)
{
	/* Warnings are about ancillary chunks we ignore anyway; never print. */
	(void)png;
	(void)msg;
}

static void
png_ctx_read(png_structp png, png_bytep buf, size_t n)
{
	struct png_ctx *c = png_get_io_ptr(png);

	if (n > c->len - c->off) {
		c->eof = 1;
		png_error(png, "unexpected end of data");
	}
	memcpy(buf, c->data + c->off, n);
	c->off += n;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* All libpng calls; returns -1 after a longjmp or a refusal of ours. */
static int
png_run(struct png_ctx *c)
{
	png_uint_32 w, h, i, nexif;
	png_bytep exif;
	int depth, ctype, channels;

	if (setjmp(png_jmpbuf(c->png)))
		return -1;
	png_set_read_fn(c->png, c, png_ctx_read);
	/* Our pixel limit is the one that counts, not libpng's 1000000-pixel sides. */
	png_set_user_limits(c->png, 0x7fffffff, 0x7fffffff);
	png_read_info(c->png, c->info);
	png_get_IHDR(c->png, c->info, &w, &h, &depth, &ctype, NULL, NULL, NULL);
	c->w = (int)w;
	c->h = (int)h;
	c->has_alpha = (ctype & PNG_COLOR_MASK_ALPHA) != 0 ||
	    png_get_valid(c->png, c->info, PNG_INFO_tRNS) != 0;
	if (png_get_eXIf_1(c->png, c->info, &nexif, &exif) != 0 && exif != NULL)
		c->orientation = image_exif_orientation(exif, nexif);
	if (c->opts == NULL)
		return 0;
	if (image_check_size(c->name, w, h, c->opts->max_pixels, c->cause) != 0)
		return -1;

	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(c->png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(c->png);
	if (png_get_valid(c->png, c->info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(c->png);
	/* Rounds (0x80ff -> 0x81) where strip_16 would truncate. */
	if (depth == 16)
		png_set_scale_16(c->png);
	if (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(c->png);
	png_set_interlace_handling(c->png);
	png_read_update_info(c->png, c->info);

	channels = png_get_channels(c->png, c->info);
	if (channels != (c->has_alpha ? 4 : 3) || png_get_bit_depth(c->png, c->info) != 8 ||
	    png_get_rowbytes(c->png, c->info) != (size_t)w * (size_t)channels) {
		cause_set(c->cause, "%s: unsupported PNG layout", c->name);
		return -1;
	}
	if (image_alloc(c->out, (int)w, (int)h, channels, UINT64_MAX, c->cause) != 0)
		return -1;
	c->rows = xcalloc(h, sizeof *c->rows);
	for (i = 0; i < h; i++)
		c->rows[i] = c->out->px + (size_t)i * w * (size_t)channels;
	/*
	 * Once every row is decoded the picture is complete; what may follow
	 * the image data (text, IEND) is not read, as viewers do not need it.
	 */
	png_read_image(c->png, c->rows);
	return 0;
}

static int
png_decode(struct png_ctx *c)
{
	int r;

	c->orientation = 1;
	c->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_ctx_error,
	    png_ctx_warning);
	if (c->png == NULL)
		return cause_set(c->cause, "%s: cannot start the PNG decoder", c->name);
	c->info = png_create_info_struct(c->png);
	if (c->info == NULL) {
		png_destroy_read_struct(&c->png, NULL, NULL);
		return cause_set(c->cause, "%s: cannot start the PNG decoder", c->name);
	}
	r = png_run(c);
	png_destroy_read_struct(&c->png, &c->info, NULL);
	free(c->rows);
	c->rows = NULL;
	if (r == 0)
		return 0;
	if (c->out != NULL)
		image_free(c->out);
	if (c->eof)
		return cause_set(c->cause, "%s: truncated PNG data", c->name);
	return cause_set(c->cause, "%s: corrupt PNG data (%s)", c->name,
	    c->msg[0] != '\0' ? c->msg : "unknown error");
}

int
image_png_probe(const uint8_t *data, size_t len, const char *name, struct image_info *info,
    char **cause)
{
	struct png_ctx c;

	memset(&c, 0, sizeof c);
	c.data = data;
	c.len = len;
	c.name = name;
	c.cause = cause;
	if (png_decode(&c) != 0)
		return -1;
	info->w = c.w;
	info->h = c.h;
	info->has_alpha = c.has_alpha;
	info->orientation = c.orientation;
	return 0;
}

int
image_png_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause)
{
	struct png_ctx c;

	/*
	 * IHDR must come first, so check its size before libpng reads on: a
	 * hostile header is refused without touching the rest of the file.
	 */
	if (len >= 24 && memcmp(data + 12, "IHDR", 4) == 0 &&
	    image_check_size(name, be32(data + 16), be32(data + 20), opts->max_pixels,
	    cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.data = data;
	c.len = len;
	c.name = name;
	c.opts = opts;
	c.cause = cause;
	c.out = out;
	if (png_decode(&c) != 0)
		return -1;
	*orientation = c.orientation;
	return 0;
}
