/* SPDX-License-Identifier: MIT */
/*
 * Sixel output with libsixel's low-level API (terminal.md 1.1): the pixels
 * go through a median-cut palette built for each image and come back as one
 * DCS string in memory, which the caller caches and writes at a cell
 * position after ncurses has drawn the text (terminal.md 2.1).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sixel.h>

#include "core/image/image.h"
#include "core/base/util.h"
#include "tui/sixel.h"

/* The growable buffer libsixel's write callback appends to. */
struct sixel_buf {
	char *p;
	size_t len, cap;
};

static int
sixel_buf_write(char *data, int size, void *priv)
{
	struct sixel_buf *b = priv;
	size_t need;

	if (size <= 0)
		return 0;
	need = b->len + (size_t)size + 1;
	if (need > b->cap) {
		while (b->cap < need)
			b->cap = b->cap != 0 ? b->cap * 2 : 4096;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, (size_t)size);
	b->len += (size_t)size;
	b->p[b->len] = '\0';
	return size;
}

/*
 * A tightly packed RGB copy of img, with alpha composited over bg. libsixel
 * diffuses the quantisation error into the buffer it encodes (measured,
 * terminal.md 1.3), so it only ever gets this scratch copy.
 */
static uint8_t *
sixel_rgb_copy(const struct image *img, const uint8_t bg[3])
{
	size_t n = (size_t)img->w * (size_t)img->h, i;
	uint8_t *rgb = xreallocarray(NULL, n, 3);
	const uint8_t *s = img->px;
	unsigned int a, c;

	if (img->channels == 3) {
		memcpy(rgb, s, n * 3);
		return rgb;
	}
	for (i = 0; i < n; i++, s += 4) {
		a = s[3];
		for (c = 0; c < 3; c++)
			rgb[3 * i + c] = (uint8_t)((s[c] * a + bg[c] * (255 - a) + 127) / 255);
	}
	return rgb;
}

/*
 * libsixel builds its palette from colours truncated to 5 bits a channel, so
 * a flat patch can come back up to 7 levels too dark (measured: 30 became
 * 23) -- enough to hide or fake a brightness augmentation. One Lloyd step
 * fixes that: map each pixel to its nearest palette entry (cached per 5-bit
 * bucket, as libsixel does) and move every entry to the exact mean of its
 * pixels. Flat colours then come back exact up to the percent rounding.
 */
static void
sixel_refine_palette(sixel_dither_t *dt, const uint8_t *rgb, size_t n)
{
	unsigned char *pal = sixel_dither_get_palette(dt), newpal[256 * 3];
	int nc = sixel_dither_get_num_of_palette_colors(dt), i, c, best, d, bd;
	int16_t *cache;
	uint64_t (*sum)[3];
	uint32_t *count;
	size_t p;
	unsigned int key, r, g, b;

	if (pal == NULL || nc <= 0 || nc > 256)
		return;
	cache = xmalloc(32768 * sizeof *cache);
	memset(cache, 0xff, 32768 * sizeof *cache);
	sum = xcalloc(256, sizeof *sum);
	count = xcalloc(256, sizeof *count);
	for (p = 0; p < n; p++, rgb += 3) {
		key = (unsigned int)(rgb[0] >> 3) << 10 | (unsigned int)(rgb[1] >> 3) << 5 |
		    (unsigned int)(rgb[2] >> 3);
		if (cache[key] < 0) {
			/* The bucket centre stands for every colour in it. */
			r = (rgb[0] & ~7u) | 4;
			g = (rgb[1] & ~7u) | 4;
			b = (rgb[2] & ~7u) | 4;
			best = 0;
			bd = INT_MAX;
			for (i = 0; i < nc; i++) {
				d = ((int)r - pal[3 * i]) * ((int)r - pal[3 * i]) +
				    ((int)g - pal[3 * i + 1]) * ((int)g - pal[3 * i + 1]) +
				    ((int)b - pal[3 * i + 2]) * ((int)b - pal[3 * i + 2]);
				if (d < bd) {
					bd = d;
					best = i;
				}
			}
			cache[key] = (int16_t)best;
		}
		i = cache[key];
		for (c = 0; c < 3; c++)
			sum[i][c] += rgb[c];
		count[i]++;
	}
	memset(newpal, 0, sizeof newpal);
	for (i = 0; i < nc; i++) {
		for (c = 0; c < 3; c++) {
			newpal[3 * i + c] = count[i] == 0 ? pal[3 * i + c] :
			    (unsigned char)((sum[i][c] + count[i] / 2) / count[i]);
		}
	}
	sixel_dither_set_palette(dt, newpal);
	free(count);
	free(sum);
	free(cache);
}

/*
 * libsixel 1.10.3 starts the body of an image shorter than one sixel band
 * (h < 6) with a stray graphics new line ('-'), which would draw it 6 pixels
 * low. A single band has no new line at all, so the first '-' after the
 * introducer is the stray one; the palette before it has only digits, ';'
 * and '#'.
 */
static void
sixel_fix_short(struct sixel_buf *b, int h)
{
	char *q;

	if (h >= 6 || b->len < 3)
		return;
	q = memchr(b->p + 2, '-', b->len - 2);
	if (q == NULL)
		return;
	memmove(q, q + 1, (size_t)(b->p + b->len - (q + 1)) + 1);
	b->len--;
}

static int
sixel_check(const struct image *img, char **cause)
{
	if (img == NULL || img->px == NULL || img->w <= 0 || img->h <= 0)
		return cause_set(cause, "sixel: empty image");
	if (img->channels != 3 && img->channels != 4)
		return cause_set(cause, "sixel: %d channels (need 3 or 4)", img->channels);
	if ((uint64_t)img->w * (uint64_t)img->h > INT_MAX / 4)
		return cause_set(cause, "sixel: image too large (%dx%d)", img->w, img->h);
	return 0;
}

int
sixel_encode_image(const struct image *img, int colors, int dither, char **out, size_t *len,
    char **cause)
{
	static const uint8_t black[3] = { 0, 0, 0 };
	struct sixel_buf buf = { NULL, 0, 0 };
	sixel_output_t *output = NULL;
	sixel_dither_t *dt = NULL;
	SIXELSTATUS st;
	uint8_t *rgb;
	const char *what;

	*out = NULL;
	*len = 0;
	if (sixel_check(img, cause) != 0)
		return -1;
	if (colors < 2 || colors > 256)
		return cause_set(cause, "sixel: %d colours (need 2..256)", colors);

	rgb = sixel_rgb_copy(img, black);
	/* Roughly one byte per pixel for photos (terminal.md 1.4). */
	buf.cap = (size_t)img->w * (size_t)img->h + 4096;
	buf.p = xmalloc(buf.cap);

	what = "sixel_output_new";
	st = sixel_output_new(&output, sixel_buf_write, &buf, NULL);
	if (SIXEL_FAILED(st))
		goto fail;
	/* 8-bit C1 controls are not valid UTF-8 and confuse UTF-8 terminals. */
	sixel_output_set_8bit_availability(output, 0);
	/* SIZE: fewer bytes for the same pixels; over SSH bytes cost more than the
	 * few milliseconds of encoding, which happen on the worker anyway. */
	sixel_output_set_encode_policy(output, SIXEL_ENCODEPOLICY_SIZE);

	/*
	 * One dither object per image: reusing one across images misreads
	 * the pixels (libsixel #60), and building it is cheap.
	 */
	what = "sixel_dither_new";
	st = sixel_dither_new(&dt, colors, NULL);
	if (SIXEL_FAILED(st))
		goto fail;
	what = "sixel_dither_initialize";
	st = sixel_dither_initialize(dt, rgb, img->w, img->h, SIXEL_PIXELFORMAT_RGB888,
	    SIXEL_LARGE_NORM, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO);
	if (SIXEL_FAILED(st))
		goto fail;
	sixel_refine_palette(dt, rgb, (size_t)img->w * (size_t)img->h);
	sixel_dither_set_diffusion_type(dt, dither ? SIXEL_DIFFUSE_AUTO : SIXEL_DIFFUSE_NONE);

	what = "sixel_encode";
	st = sixel_encode(rgb, img->w, img->h, 3, dt, output);
	if (SIXEL_FAILED(st))
		goto fail;

	sixel_dither_unref(dt);
	sixel_output_unref(output);
	free(rgb);
	sixel_fix_short(&buf, img->h);
	if (buf.len == 0) {
		free(buf.p);
		return cause_set(cause, "sixel: encoder produced no output");
	}
	*out = buf.p;
	*len = buf.len;
	return 0;

fail:
	cause_set(cause, "sixel: %s: %s", what, sixel_helper_format_error(st));
	if (dt != NULL)
		sixel_dither_unref(dt);
	if (output != NULL)
		sixel_output_unref(output);
	free(rgb);
	free(buf.p);
	return -1;
}

void
sixel_geometry(int cols, int rows, int cell_w, int cell_h, int max_w, int max_h, int *w,
    int *h)
{
	long pw, ph;

	if (max_w <= 0)
		max_w = SIXEL_DEFAULT_MAX_W;
	if (max_h <= 0)
		max_h = SIXEL_DEFAULT_MAX_H;
	pw = cols > 0 && cell_w > 0 ? (long)cols * cell_w : 0;
	ph = rows > 0 && cell_h > 0 ? (long)rows * cell_h : 0;
	if (pw > max_w)
		pw = max_w;
	if (ph > max_h)
		ph = max_h;
	/* Sixel bands are 6 pixels tall: a partial band would spill below. */
	ph -= ph % 6;
	if (pw <= 0 || ph <= 0)
		pw = ph = 0;
	*w = (int)pw;
	*h = (int)ph;
}

int
sixel_pane(const struct image *img, int pane_w_px, int pane_h_px, const uint8_t bg[3],
    struct image *out, char **cause)
{
	return sixel_letterbox(img, pane_w_px, pane_h_px - pane_h_px % 6, bg, out, cause);
}

int
sixel_letterbox(const struct image *img, int pane_w_px, int pane_h_px, const uint8_t bg[3],
    struct image *out, char **cause)
{
	struct image flat = { 0, 0, 0, NULL }, fit = { 0, 0, 0, NULL };
	const struct image *src = img;
	int w = pane_w_px, h = pane_h_px, fw, fh, x0, y0, y;
	size_t i, n;

	memset(out, 0, sizeof *out);
	if (sixel_check(img, cause) != 0)
		return -1;
	if (w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h > INT_MAX / 4)
		return cause_set(cause, "sixel: bad pane size %dx%d", pane_w_px, pane_h_px);

	/* Composite before scaling so transparent pixels' colours do not bleed. */
	if (img->channels == 4) {
		flat.w = img->w;
		flat.h = img->h;
		flat.channels = 3;
		flat.px = sixel_rgb_copy(img, bg);
		src = &flat;
	}
	image_fit(src->w, src->h, w, h, &fw, &fh);
	if (fw > w)
		fw = w;
	if (fh > h)
		fh = h;
	if (image_resize(src, fw, fh, &fit, cause) != 0)
		goto fail;
	if (image_alloc(out, w, h, 3, 0, cause) != 0)
		goto fail;

	n = (size_t)w * (size_t)h;
	for (i = 0; i < n; i++)
		memcpy(out->px + 3 * i, bg, 3);
	x0 = (w - fw) / 2;
	y0 = (h - fh) / 2;
	for (y = 0; y < fh; y++) {
		memcpy(out->px + ((size_t)(y0 + y) * (size_t)w + (size_t)x0) * 3,
		    fit.px + (size_t)y * (size_t)fw * 3, (size_t)fw * 3);
	}
	image_free(&fit);
	free(flat.px);
	return 0;

fail:
	image_free(&fit);
	free(flat.px);
	return -1;
}
