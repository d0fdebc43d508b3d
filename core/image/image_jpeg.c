/* SPDX-License-Identifier: MIT */
/*
 * JPEG decoding through TurboJPEG: header probe, DCT-domain downscaling when
 * the caller only needs a smaller picture, CMYK/YCCK to RGB, and the EXIF
 * orientation and Adobe markers read from the segments before the first scan.
 *
 * TurboJPEG reports a truncated or damaged stream only as a warning and still
 * fills the buffer (with grey where data was missing); such a result is
 * refused, never shown.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "core/image/image_codec.h"
#include "core/base/util.h"

/*
 * Stray bytes before a marker are common in camera files and lose no pixel
 * (libjpeg skips them); every other warning means missing or damaged data.
 */
static int
jpeg_benign_warning(tjhandle tj)
{
	return tjGetErrorCode(tj) == TJERR_WARNING &&
	    strstr(tjGetErrorStr2(tj), "extraneous bytes before marker") != NULL;
}

/* What the segments before the first scan say. */
struct jpeg_markers {
	int orientation; /* from the first APP1 "Exif" segment, 1 when absent */
	int adobe;       /* an APP14 "Adobe" segment: CMYK samples are stored inverted */
};

static void
jpeg_scan_markers(const uint8_t *p, size_t len, struct jpeg_markers *m)
{
	size_t off = 2, seglen, blen;
	const uint8_t *body;
	int marker, have_exif = 0;

	m->orientation = 1;
	m->adobe = 0;
	while (len >= 4 && off <= len - 4) {
		if (p[off] != 0xff)
			return; /* lost sync: leave the complaint to the decoder */
		marker = p[off + 1];
		if (marker == 0xff) {
			off++; /* fill byte */
			continue;
		}
		off += 2;
		if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8))
			continue; /* no length field */
		if (marker == 0xd9 || marker == 0xda)
			return;
		seglen = (size_t)p[off] << 8 | p[off + 1];
		if (seglen < 2 || seglen > len - off)
			return;
		body = p + off + 2;
		blen = seglen - 2;
		if (marker == 0xe1 && !have_exif && blen >= 6 && memcmp(body, "Exif\0\0", 6) == 0) {
			m->orientation = image_exif_orientation(body, blen);
			have_exif = 1;
		} else if (marker == 0xee && blen >= 5 && memcmp(body, "Adobe", 5) == 0)
			m->adobe = 1;
		off += seglen;
	}
}

static int
jpeg_header(tjhandle tj, const uint8_t *data, size_t len, const char *name, int *w, int *h,
    int *colorspace, char **cause)
{
	int subsamp = 0;

	if (len > ULONG_MAX)
		return cause_set(cause, "%s: file too large", name);
	/*
	 * A stream that ends before its frame header reads as "tables only":
	 * success without touching the outputs, hence the zeroing first.
	 */
	*w = *h = 0;
	*colorspace = -1;
	if (tjDecompressHeader3(tj, data, (unsigned long)len, w, h, &subsamp, colorspace) != 0)
		return cause_set(cause, "%s: truncated or corrupt JPEG data (%s)", name,
		    tjGetErrorStr2(tj));
	if (*w <= 0 || *h <= 0)
		return cause_set(cause, "%s: truncated or corrupt JPEG data (no frame header)",
		    name);
	return 0;
}

int
image_jpeg_probe(const uint8_t *data, size_t len, const char *name, struct image_info *info,
    char **cause)
{
	struct jpeg_markers m;
	tjhandle tj;
	int w, h, cs, r;

	if ((tj = tjInitDecompress()) == NULL)
		return cause_set(cause, "%s: cannot start the JPEG decoder (%s)", name,
		    tjGetErrorStr2(NULL));
	r = jpeg_header(tj, data, len, name, &w, &h, &cs, cause);
	tjDestroy(tj);
	if (r != 0)
		return -1;
	jpeg_scan_markers(data, len, &m);
	info->w = w;
	info->h = h;
	info->orientation = m.orientation;
	info->has_alpha = 0;
	return 0;
}

/*
 * The smallest DCT scale (at most 1/1) whose output still covers need_w x
 * need_h; TurboJPEG offers eighths, so this saves most of the work when a
 * thumbnail is wanted from a large photo.
 */
static void
jpeg_pick_scale(int w, int h, int need_w, int need_h, int *sw, int *sh)
{
	tjscalingfactor *sf;
	int i, n, tw, th;

	*sw = w;
	*sh = h;
	if (need_w <= 0 || need_h <= 0 || (sf = tjGetScalingFactors(&n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (sf[i].num <= 0 || sf[i].denom <= 0 || sf[i].num > sf[i].denom)
			continue;
		tw = TJSCALED(w, sf[i]);
		th = TJSCALED(h, sf[i]);
		if (tw >= need_w && th >= need_h && (int64_t)tw * th < (int64_t)*sw * *sh) {
			*sw = tw;
			*sh = th;
		}
	}
}

/*
 * CMYK (or YCCK, which libjpeg has turned into CMYK) to RGB in place. Adobe
 * applications store the samples inverted (255 = no ink) and say so with an
 * APP14 marker; without one the samples are plain ink amounts.
 */
static void
jpeg_cmyk_to_rgb(struct image *img, int inverted)
{
	size_t i, n = (size_t)img->w * (size_t)img->h;
	uint8_t *p = img->px;
	unsigned c, m, y, k;

	for (i = 0; i < n; i++) {
		c = p[4 * i], m = p[4 * i + 1], y = p[4 * i + 2], k = p[4 * i + 3];
		if (!inverted)
			c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
		p[3 * i + 0] = (uint8_t)((c * k + 127) / 255);
		p[3 * i + 1] = (uint8_t)((m * k + 127) / 255);
		p[3 * i + 2] = (uint8_t)((y * k + 127) / 255);
	}
	img->channels = 3;
	img->px = xrealloc(img->px, n * 3);
}

int
image_jpeg_load(const uint8_t *data, size_t len, const char *name,
    const struct image_opts *opts, struct image *out, int *orientation, char **cause)
{
	struct jpeg_markers m;
	tjhandle tj;
	int w, h, cs, sw, sh, need_w, need_h, cmyk;

	if ((tj = tjInitDecompress()) == NULL)
		return cause_set(cause, "%s: cannot start the JPEG decoder (%s)", name,
		    tjGetErrorStr2(NULL));
	if (jpeg_header(tj, data, len, name, &w, &h, &cs, cause) != 0)
		goto fail;
	if (image_check_size(name, w, h, opts->max_pixels, cause) != 0)
		goto fail;
	jpeg_scan_markers(data, len, &m);
	*orientation = m.orientation;

	/* min_w x min_h is what the caller sees, after rotation. */
	need_w = opts->min_w;
	need_h = opts->min_h;
	if (m.orientation >= 5) {
		need_w = opts->min_h;
		need_h = opts->min_w;
	}
	jpeg_pick_scale(w, h, need_w, need_h, &sw, &sh);

	/* TurboJPEG cannot turn CMYK into RGB itself; ask for the samples. */
	cmyk = cs == TJCS_CMYK || cs == TJCS_YCCK;
	if (image_alloc(out, sw, sh, cmyk ? 4 : 3, UINT64_MAX, cause) != 0)
		goto fail;
	if (tjDecompress2(tj, data, (unsigned long)len, out->px, sw, sw * out->channels, sh,
	    cmyk ? TJPF_CMYK : TJPF_RGB, TJFLAG_LIMITSCANS) != 0 &&
	    !jpeg_benign_warning(tj)) {
		/* A warning (truncation, bad Huffman data) still means damaged pixels. */
		cause_set(cause, "%s: truncated or corrupt JPEG data (%s)", name,
		    tjGetErrorStr2(tj));
		goto fail;
	}
	if (cmyk)
		jpeg_cmyk_to_rgb(out, m.adobe);
	tjDestroy(tj);
	return 0;

fail:
	image_free(out);
	tjDestroy(tj);
	return -1;
}
