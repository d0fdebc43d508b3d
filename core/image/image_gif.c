/* SPDX-License-Identifier: MIT */
/*
 * GIF decoding through giflib: the first frame only, placed at its offset on
 * the logical screen the way a browser shows it before animating (the rest of
 * the screen transparent), with the transparent colour index from the
 * Graphics Control Extension that precedes the frame. Records are read one by
 * one rather than with DGifSlurp, so later frames are never decoded.
 */
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>

#include "core/image/image_codec.h"
#include "core/base/util.h"

struct gif_src {
	const uint8_t *data;
	size_t len, off;
	int eof;
};

/* Where the first frame sits and how it is drawn. */
struct gif_frame {
	int sw, sh;            /* logical screen */
	int x, y, w, h;        /* frame rectangle */
	int interlace;
	int transparent;       /* colour index, -1 for none */
	const ColorMapObject *cmap;
	int has_alpha;
};

static int
gif_read(GifFileType *gif, GifByteType *buf, int n)
{
	struct gif_src *s = gif->UserData;
	size_t avail = s->len - s->off;

	if (n <= 0)
		return 0;
	if ((size_t)n > avail) {
		s->eof = 1;
		n = (int)avail;
	}
	memcpy(buf, s->data + s->off, (size_t)n);
	s->off += (size_t)n;
	return n;
}

static int
gif_fail(GifFileType *gif, const struct gif_src *s, const char *name, char **cause)
{
	if (s->eof)
		return cause_set(cause, "%s: truncated GIF data", name);
	return cause_set(cause, "%s: corrupt GIF data (%s)", name,
	    GifErrorString(gif != NULL ? gif->Error : D_GIF_ERR_NOT_GIF_FILE));
}

/*
 * Reads records up to and including the first image descriptor, picking
 * up the transparency of the Graphics Control Extension on the way.
 */
static int
gif_first_frame(GifFileType *gif, const struct gif_src *s, const char *name,
    struct gif_frame *f, char **cause)
{
	GifRecordType type;
	GifByteType *ext;
	int code;

	memset(f, 0, sizeof *f);
	f->transparent = -1;
	for (;;) {
		if (DGifGetRecordType(gif, &type) == GIF_ERROR)
			return gif_fail(gif, s, name, cause);
		if (type == TERMINATE_RECORD_TYPE)
			return cause_set(cause, "%s: GIF has no image", name);
		if (type == EXTENSION_RECORD_TYPE) {
			if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR)
				return gif_fail(gif, s, name, cause);
			/* ext[0] is the block length: flags, delay (2), index. */
			if (code == GRAPHICS_EXT_FUNC_CODE && ext != NULL && ext[0] >= 4)
				f->transparent = (ext[1] & 1) ? ext[4] : -1;
			while (ext != NULL) {
				if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR)
					return gif_fail(gif, s, name, cause);
			}
			continue;
		}
		if (type == IMAGE_DESC_RECORD_TYPE)
			break;
	}
	if (DGifGetImageDesc(gif) == GIF_ERROR)
		return gif_fail(gif, s, name, cause);
	f->x = gif->Image.Left;
	f->y = gif->Image.Top;
	f->w = gif->Image.Width;
	f->h = gif->Image.Height;
	f->interlace = gif->Image.Interlace;
	f->cmap = gif->Image.ColorMap != NULL ? gif->Image.ColorMap : gif->SColorMap;
	if (f->x < 0 || f->y < 0 || f->w <= 0 || f->h <= 0)
		return cause_set(cause, "%s: bad GIF frame %dx%d at %d,%d", name, f->w, f->h,
		    f->x, f->y);
	f->sw = gif->SWidth;
	f->sh = gif->SHeight;
	/* Some writers leave the screen 0x0; then the frame defines it. */
	if (f->sw <= 0 || f->sh <= 0) {
		f->sw = f->x + f->w;
		f->sh = f->y + f->h;
	}
	f->has_alpha = f->transparent >= 0 || f->x > 0 || f->y > 0 ||
	    f->x + f->w < f->sw || f->y + f->h < f->sh;
	return 0;
}

static GifFileType *
gif_open(struct gif_src *s, const uint8_t *data, size_t len, const char *name, char **cause)
{
	GifFileType *gif;
	int err = 0;

	memset(s, 0, sizeof *s);
	s->data = data;
	s->len = len;
	if ((gif = DGifOpen(s, gif_read, &err)) == NULL) {
		if (s->eof)
			cause_set(cause, "%s: truncated GIF data", name);
		else
			cause_set(cause, "%s: corrupt GIF data (%s)", name, GifErrorString(err));
	}
	return gif;
}

int
image_gif_probe(const uint8_t *data, size_t len, const char *name, struct image_info *info,
    char **cause)
{
	struct gif_src s;
	struct gif_frame f;
	GifFileType *gif;
	int r, err;

	if ((gif = gif_open(&s, data, len, name, cause)) == NULL)
		return -1;
	r = gif_first_frame(gif, &s, name, &f, cause);
	DGifCloseFile(gif, &err);
	if (r != 0)
		return -1;
	info->w = f.sw;
	info->h = f.sh;
	info->has_alpha = f.has_alpha;
	info->orientation = 1;
	return 0;
}

/* Draws one decoded row of colour indexes onto the screen, clipped. */
static void
gif_paint_row(struct image *img, const struct gif_frame *f, int row, const GifPixelType *line)
{
	int sy = f->y + row, i, sx;
	size_t ch = (size_t)img->channels;
	const GifColorType *c;
	uint8_t *d;

	if (sy >= img->h)
		return;
	for (i = 0; i < f->w; i++) {
		sx = f->x + i;
		if (sx >= img->w)
			break;
		if (line[i] == f->transparent)
			continue;
		d = img->px + ((size_t)sy * (size_t)img->w + (size_t)sx) * ch;
		if (line[i] < f->cmap->ColorCount) {
			c = &f->cmap->Colors[line[i]];
			d[0] = c->Red, d[1] = c->Green, d[2] = c->Blue;
		} else
			d[0] = d[1] = d[2] = 0; /* index past the table: black, as browsers do */
		if (ch == 4)
			d[3] = 255;
	}
}

static int
gif_decode(GifFileType *gif, const struct gif_src *s, const char *name,
    const struct image_opts *opts, struct image *out, char **cause)
{
	/* Interlaced rows arrive in four passes. */
	static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
	struct gif_frame f;
	GifPixelType *line;
	int pass, row;

	/* A declared screen is checked before any record is read. */
	if (gif->SWidth > 0 && gif->SHeight > 0 &&
	    image_check_size(name, gif->SWidth, gif->SHeight, opts->max_pixels, cause) != 0)
		return -1;
	if (gif_first_frame(gif, s, name, &f, cause) != 0)
		return -1;
	if (f.cmap == NULL || f.cmap->Colors == NULL)
		return cause_set(cause, "%s: GIF has no colour table", name);
	if (image_check_size(name, f.sw, f.sh, opts->max_pixels, cause) != 0)
		return -1;
	/* The frame is decoded even where it is off screen: bound that work too. */
	if (image_check_size(name, f.w, f.h, opts->max_pixels, cause) != 0)
		return -1;
	if (image_alloc(out, f.sw, f.sh, f.has_alpha ? 4 : 3, UINT64_MAX, cause) != 0)
		return -1;
	line = xmalloc((size_t)f.w);
	for (pass = f.interlace ? 0 : 3; pass < 4; pass++) {
		for (row = f.interlace ? start[pass] : 0; row < f.h;
		    row += f.interlace ? step[pass] : 1) {
			if (DGifGetLine(gif, line, f.w) == GIF_ERROR) {
				free(line);
				image_free(out);
				return gif_fail(gif, s, name, cause);
			}
			gif_paint_row(out, &f, row, line);
		}
	}
	free(line);
	return 0;
}

int
image_gif_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause)
{
	struct gif_src s;
	GifFileType *gif;
	int r, err;

	if ((gif = gif_open(&s, data, len, name, cause)) == NULL)
		return -1;
	r = gif_decode(gif, &s, name, opts, out, cause);
	DGifCloseFile(gif, &err);
	*orientation = 1;
	return r;
}
