/* SPDX-License-Identifier: MIT */
/*
 * Pane quality for the link: the ladder of resolutions and palettes a sixel
 * pane can be sent at, and the choice of the best rung whose bytes fit what
 * the link carries within the review budget.
 *
 * A sixel's size is mostly one run of characters per colour per six-row band,
 * so it falls with the colours a band uses. Fewer palette entries cut that
 * directly; a lower resolution drawn back at full size (each source pixel
 * repeated) cuts it more, because a band then spans fewer source rows and so
 * fewer colours, and a photograph's noise (or a noise augmentation's) is
 * averaged away. The pane keeps its size on screen at every rung.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/image/image.h"
#include "tui/kitty.h"
#include "tui/render_priv.h"
#include "tui/sixel.h"

/*
 * The rungs, best first. colors 0 is the terminal's own register count. share
 * is the pane's size at the rung as a fraction of the full one, measured on
 * the bundled sample (photographs and their augmentations, 790x660 panes):
 * the first guess of which rung fits, so a slow link costs one or two
 * encodes instead of the whole ladder.
 */
static const struct rung {
	int num, den;  /* resolution: num/den of the pane's, each way */
	int colors;
	double share;
	const char *name;
} ladder[ADAPT_RUNGS] = {
	{ 1, 1, 0, 1.00, "full" },
	{ 1, 1, 128, 0.85, "128 colours" },
	{ 1, 1, 64, 0.70, "64 colours" },
	{ 2, 3, 64, 0.55, "2/3 resolution, 64 colours" },
	{ 1, 2, 64, 0.45, "1/2 resolution, 64 colours" },
	{ 1, 2, 32, 0.36, "1/2 resolution, 32 colours" },
	{ 1, 3, 32, 0.28, "1/3 resolution, 32 colours" },
	{ 1, 4, 32, 0.22, "1/4 resolution, 32 colours" },
	{ 1, 4, 16, 0.18, "1/4 resolution, 16 colours" },
};

/* The preview (render_send.c sends it first over a slow link): PREVIEW_SCALE, 16 colours. */
#define PREVIEW_COLORS 16

const char *
adapt_name(int level)
{
	return level >= 0 && level < ADAPT_RUNGS ? ladder[level].name : "?";
}

/*
 * pane at num/den of its resolution, drawn back at its full size (nearest
 * neighbour, so each source pixel becomes a block), as a sixel of colors
 * registers. Returns 0 with a malloc'd *dcs, or -1 (nothing allocated).
 */
static int
coarse_encode(const struct image *pane, int num, int den, int colors, int dither, char **dcs,
    size_t *len)
{
	struct image small, big;
	int sw = pane->w * num / den, sh = pane->h * num / den, rc;

	*dcs = NULL;
	*len = 0;
	if (num == den)
		return sixel_encode_image(pane, colors, dither, dcs, len, NULL);
	sw = sw > 0 ? sw : 1;
	sh = sh > 0 ? sh : 1;
	if (image_resize(pane, sw, sh, &small, NULL) != 0)
		return -1;
	memset(&big, 0, sizeof big);
	big.w = pane->w, big.h = pane->h, big.channels = small.channels;
	big.px = xreallocarray(NULL, (size_t)big.w * (size_t)big.h, (size_t)big.channels);
	for (int y = 0; y < big.h; y++) {
		const uint8_t *row = small.px + (size_t)(y * sh / big.h) * (size_t)sw *
		    (size_t)small.channels;
		uint8_t *out = big.px + (size_t)y * (size_t)big.w * (size_t)big.channels;
		for (int x = 0; x < big.w; x++)
			memcpy(out + (size_t)x * (size_t)big.channels,
			    row + (size_t)(x * sw / big.w) * (size_t)small.channels,
			    (size_t)big.channels);
	}
	image_free(&small);
	rc = sixel_encode_image(&big, colors, dither, dcs, len, NULL);
	image_free(&big);
	return rc;
}

void
adapt_preview(const struct image *pane, char **dcs, size_t *len)
{
	if (coarse_encode(pane, 1, PREVIEW_SCALE, PREVIEW_COLORS, 0, dcs, len) != 0) {
		*dcs = NULL;
		*len = 0;
	}
}

static int
rung_colors(int level, int colors)
{
	int c = ladder[level].colors;

	return c == 0 || c > colors ? colors : c;
}

int
adapt_encode(const struct image *pane, int colors, int dither, size_t full_len, size_t target,
    char **dcs, size_t *len)
{
	int level, last = ADAPT_RUNGS - 1, best = -1, tried[ADAPT_RUNGS] = { 0 };
	char *best_dcs = NULL;
	size_t best_len = 0;

	*dcs = NULL;
	*len = 0;
	if (target == 0 || full_len <= target)
		return 0;
	/* The first guess: the best rung whose usual share fits. */
	double share = (double)target / (double)full_len;
	for (level = 1; level < last && ladder[level].share > share; level++)
		;
	/* Down until a rung fits (or the ladder ends); then one rung back up if the
	 * fit left much room, since the shares are only what photographs need. */
	for (;;) {
		char *d;
		size_t l;
		tried[level] = 1;
		if (coarse_encode(pane, ladder[level].num, ladder[level].den,
		    rung_colors(level, colors), dither, &d, &l) != 0)
			break;
		if (l <= target || level == last) {
			if (best_dcs == NULL || level < best) {
				free(best_dcs);
				best_dcs = d, best_len = l, best = level;
			} else
				free(d);
			if (l <= target && level > 1 && !tried[level - 1] &&
			    (double)l < 0.7 * (double)target) {
				level--;
				continue;
			}
			break;
		}
		free(d);
		if (best_dcs != NULL)
			break; /* the rung above fitted: this one was the try back up */
		level++;
	}
	if (best_dcs == NULL)
		return -1;
	*dcs = best_dcs;
	*len = best_len;
	return best;
}

/*
 * Kitty's rungs. The terminal scales an image to the pane's cells, so a
 * smaller PNG is a smaller upload, about in proportion to its pixels; its
 * colours stay (the PNG is truecolour).
 */
static const struct krung {
	int num, den;
	const char *name;
} kladder[ADAPT_KITTY_RUNGS] = {
	{ 1, 1, "full" },
	{ 3, 4, "3/4 resolution" },
	{ 1, 2, "1/2 resolution" },
	{ 3, 8, "3/8 resolution" },
	{ 1, 4, "1/4 resolution" },
};

const char *
adapt_kitty_name(int level)
{
	return level >= 0 && level < ADAPT_KITTY_RUNGS ? kladder[level].name : "?";
}

int
adapt_kitty(const struct image *pane, size_t full_len, size_t target, uint32_t id, char **up,
    size_t *len)
{
	int level, last = ADAPT_KITTY_RUNGS - 1;

	*up = NULL;
	*len = 0;
	if (target == 0 || full_len <= target)
		return 0;
	double share = (double)target / (double)full_len;
	for (level = 1; level < last; level++) {
		double f = (double)kladder[level].num / kladder[level].den;
		if (f * f <= share)
			break;
	}
	for (;; level++) {
		struct image small;
		int w = pane->w * kladder[level].num / kladder[level].den;
		int h = pane->h * kladder[level].num / kladder[level].den;
		if (image_resize(pane, w > 0 ? w : 1, h > 0 ? h : 1, &small, NULL) != 0)
			return -1;
		int rc = kitty_pane_upload(&small, id, up, len, NULL);
		image_free(&small);
		if (rc != 0)
			return -1;
		if (*len <= target || level == last)
			return level;
		free(*up);
		*up = NULL;
		*len = 0;
	}
}
