/* SPDX-License-Identifier: MIT */
/*
 * Test helper: a sixel DCS decoded back to RGB pixels with libsixel's own
 * decoder, so a test compares what a terminal would draw with the source.
 * Include after tui/sixel.c (or <sixel.h>) and core/base/util.h.
 */
#ifndef MMDA_TEST_SIXEL_DECODE_H
#define MMDA_TEST_SIXEL_DECODE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sixel.h>

/* A decoded sixel: RGB pixels expanded from the indexed image. */
struct decoded {
	int w, h;
	uint8_t *rgb;
};

/* 0 with d->rgb malloc'd (the caller frees it), or -1 (nothing to free). */
static int
decode(const char *dcs, size_t len, struct decoded *d)
{
	unsigned char *pixels = NULL, *palette = NULL, *copy;
	int ncolors = 0, i, n;
	SIXELSTATUS st;

	memset(d, 0, sizeof *d);
	copy = xmalloc(len + 1);
	memcpy(copy, dcs, len);
	st = sixel_decode_raw(copy, (int)len, &pixels, &d->w, &d->h, &palette, &ncolors, NULL);
	free(copy);
	if (SIXEL_FAILED(st) || pixels == NULL || palette == NULL) {
		free(pixels);
		free(palette);
		return -1;
	}
	n = d->w * d->h;
	d->rgb = xreallocarray(NULL, (size_t)n, 3);
	for (i = 0; i < n; i++) {
		if (pixels[i] >= ncolors) {
			free(pixels);
			free(palette);
			free(d->rgb);
			d->rgb = NULL;
			return -1;
		}
		memcpy(d->rgb + 3 * i, palette + 3 * pixels[i], 3);
	}
	free(pixels);
	free(palette);
	return 0;
}

#endif
