/* SPDX-License-Identifier: MIT */
/*
 * The quality ladder for slow links (tui/render_adapt.c): on the sample
 * photographs and a noise image, the rung chosen fits the byte target, is
 * not needlessly coarse, keeps the pane's size and its picture (decoded back
 * with libsixel), and the coarsest rung is what a target too small for any
 * gets. The preview is the pane at a few colours.
 *
 * Unit tests link only core/ and db/, so the tui modules are compiled in.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/sixel.c"
#include "tui/kitty.c"
#include "tui/render_adapt.c"

#include "tests/harness.h"
#include "tests/unit/sixel_decode.h"

#define SAMPLE_IMAGES "tests/data/sample/images/"
#define PANE_W 790
#define PANE_H 660

static const uint8_t black[3] = { 0, 0, 0 };

/* A sample photo letterboxed into a review pane, as the worker makes it. */
static int
photo_pane(const char *name, struct image *pane)
{
	char path[256];
	struct image src;
	struct image_opts io = { 0, PANE_W, PANE_H, 0 };
	char *why = NULL;

	snprintf(path, sizeof path, SAMPLE_IMAGES "%s", name);
	if (image_load_file(path, &io, &src, &why) != 0) {
		CHECKF(0, "%s: %s", path, why ? why : "?");
		free(why);
		return -1;
	}
	int rc = sixel_pane(&src, PANE_W, PANE_H, black, pane, NULL);
	image_free(&src);
	CHECK(rc == 0);
	return rc;
}

/* Per-pixel noise over a grey ramp: the worst case for sixel (as the noise op makes). */
static void
noise_pane(struct image *pane)
{
	uint32_t s = 12345;

	CHECK(image_alloc(pane, PANE_W, PANE_H, 3, 0, NULL) == 0);
	for (size_t i = 0; i < (size_t)PANE_W * PANE_H * 3; i++) {
		s = s * 1103515245u + 12345u;
		int v = (int)(i / 3 % PANE_W) * 200 / PANE_W + (int)(s >> 24) % 56;
		pane->px[i] = (uint8_t)v;
	}
}

static void
mean_rgb(const uint8_t *px, size_t n, double m[3])
{
	m[0] = m[1] = m[2] = 0;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			m[k] += px[3 * i + k];
	for (int k = 0; k < 3; k++)
		m[k] /= (double)n;
}

static size_t
full_bytes(const struct image *pane)
{
	char *dcs = NULL;
	size_t len = 0;

	CHECK(sixel_encode_image(pane, 256, 0, &dcs, &len, NULL) == 0);
	free(dcs);
	return len;
}

/* The rung for target: fits, decodes to the pane's size and picture, and the rung above does not fit. */
static void
check_rung(const struct image *pane, size_t full, size_t target)
{
	char *dcs = NULL;
	size_t len = 0;
	struct decoded d;
	double want[3], got[3];

	int level = adapt_encode(pane, 256, 0, full, target, &dcs, &len);
	CHECKF(level >= 1 && level < ADAPT_RUNGS, "level %d for %zu of %zu", level, target, full);
	if (level < 1 || dcs == NULL)
		return;
	CHECKF(len <= target || level == ADAPT_RUNGS - 1, "rung %d: %zu bytes for %zu", level,
	    len, target);
	CHECK(strcmp(adapt_name(level), "?") != 0 && strcmp(adapt_name(level), "full") != 0);
	CHECK(decode(dcs, len, &d) == 0);
	CHECK(d.w == PANE_W && d.h == PANE_H);
	if (d.rgb != NULL) {
		mean_rgb(pane->px, (size_t)PANE_W * PANE_H, want);
		mean_rgb(d.rgb, (size_t)PANE_W * PANE_H, got);
		for (int k = 0; k < 3; k++)
			CHECKF(fabs(want[k] - got[k]) < 6, "channel %d mean %.1f, pane %.1f", k,
			    got[k], want[k]);
	}
	free(d.rgb);
	/* Not needlessly coarse: the rung above is too big, or this one nearly fills. */
	if (level > 1 && len <= target && (double)len < 0.7 * (double)target) {
		char *up = NULL;
		size_t ulen = 0;
		const struct rung *r = &ladder[level - 1];
		CHECK(coarse_encode(pane, r->num, r->den, rung_colors(level - 1, 256), 0, &up,
		    &ulen) == 0);
		CHECKF(ulen > target, "rung %d (%zu bytes) fits %zu as well as %d", level - 1, ulen,
		    target, level);
		free(up);
	}
	free(dcs);
}

static void
test_photo_rungs(void)
{
	static const char *const names[] = { "chelsea.png", "astronaut.png", "grass.png" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct image pane;
		if (photo_pane(names[i], &pane) != 0)
			continue;
		size_t full = full_bytes(&pane);
		CHECKF(full > 100000, "%s: full pane %zu bytes", names[i], full);
		/* 10 Mbit/s, the 300 ms budget's two fifths; then a slower link. */
		check_rung(&pane, full, 150000);
		check_rung(&pane, full, full * 3 / 4);
		check_rung(&pane, full, 90000);
		image_free(&pane);
	}
}

static void
test_noise_rungs(void)
{
	struct image pane;
	char *dcs = NULL;
	size_t len = 0;

	noise_pane(&pane);
	size_t full = full_bytes(&pane);
	CHECKF(full > 500000, "noise pane %zu bytes", full);
	check_rung(&pane, full, 200000);
	/* A target nothing meets: the coarsest rung, still the pane's size. */
	int level = adapt_encode(&pane, 256, 0, full, 1000, &dcs, &len);
	CHECK(level == ADAPT_RUNGS - 1);
	CHECK(dcs != NULL && len > 1000 && len < full / 3);
	free(dcs);
	image_free(&pane);
}

static void
test_no_rung_needed(void)
{
	struct image pane;
	char *dcs = (char *)"x";
	size_t len = 7;

	if (photo_pane("chelsea.png", &pane) != 0)
		return;
	size_t full = full_bytes(&pane);
	/* No limit (the link not measured yet), or the full pane fits: nothing made. */
	CHECK(adapt_encode(&pane, 256, 0, full, 0, &dcs, &len) == 0);
	CHECK(dcs == NULL && len == 0);
	dcs = (char *)"x";
	CHECK(adapt_encode(&pane, 256, 0, full, full, &dcs, &len) == 0);
	CHECK(dcs == NULL);
	CHECK(strcmp(adapt_name(0), "full") == 0);
	CHECK(strcmp(adapt_name(-1), "?") == 0 && strcmp(adapt_name(ADAPT_RUNGS), "?") == 0);
	image_free(&pane);
}

/* dcs uses registers 0..15 only and draws the whole pane. */
static void
check_sixteen(const char *dcs, size_t len)
{
	struct decoded d;

	CHECK(dcs != NULL && strstr(dcs, "#16;") == NULL);
	if (dcs != NULL && decode(dcs, len, &d) == 0) {
		CHECK(d.w == PANE_W && d.h == PANE_H);
		free(d.rgb);
	}
}

/* A terminal with 16 registers never gets a rung of more colours than it has. */
static void
test_few_registers(void)
{
	struct image pane;
	char *dcs = NULL;
	size_t len = 0;

	if (photo_pane("astronaut.png", &pane) != 0)
		return;
	char *f = NULL;
	size_t full = 0;
	CHECK(sixel_encode_image(&pane, 16, 0, &f, &full, NULL) == 0);
	free(f);
	int level = adapt_encode(&pane, 16, 0, full, full / 2, &dcs, &len);
	CHECK(level >= 1);
	check_sixteen(dcs, len);
	free(dcs);
	image_free(&pane);
}

static void
test_preview(void)
{
	struct image pane;
	char *dcs = NULL;
	size_t len = 0;

	if (photo_pane("chelsea.png", &pane) != 0)
		return;
	adapt_preview(&pane, &dcs, &len);
	CHECK(dcs != NULL && len > 0 && len < full_bytes(&pane) / 5);
	check_sixteen(dcs, len);
	free(dcs);
	image_free(&pane);
}

/* Kitty's rungs: smaller uploads of the same pane (the terminal scales them up). */
static void
test_kitty_rungs(void)
{
	struct image pane;
	char *up = NULL, *full = NULL;
	size_t len = 0, flen = 0;

	if (photo_pane("astronaut.png", &pane) != 0)
		return;
	CHECK(kitty_pane_upload(&pane, 7, &full, &flen, NULL) == 0);
	CHECK(adapt_kitty(&pane, flen, 0, 9, &up, &len) == 0 && up == NULL);
	CHECK(adapt_kitty(&pane, flen, flen, 9, &up, &len) == 0 && up == NULL);
	int level = adapt_kitty(&pane, flen, flen / 3, 9, &up, &len);
	CHECKF(level >= 1 && level < ADAPT_KITTY_RUNGS && up != NULL && len <= flen / 3,
	    "level %d, %zu bytes of %zu", level, len, flen);
	/* Uploaded under the id asked for, as an image of its own. */
	CHECK(up != NULL && strstr(up, "i=9,") != NULL && strstr(up, "i=7,") == NULL);
	free(up);
	level = adapt_kitty(&pane, flen, 100, 9, &up, &len);
	CHECK(level == ADAPT_KITTY_RUNGS - 1 && up != NULL && len < flen / 8);
	CHECK(strcmp(adapt_kitty_name(level), "1/4 resolution") == 0);
	CHECK(strcmp(adapt_kitty_name(ADAPT_KITTY_RUNGS), "?") == 0);
	free(up);
	free(full);
	image_free(&pane);
}

int
main(void)
{
	h_suite = "adapt";
	RUN(test_photo_rungs);
	RUN(test_noise_rungs);
	RUN(test_no_rung_needed);
	RUN(test_few_registers);
	RUN(test_preview);
	RUN(test_kitty_rungs);
	HARNESS_END();
}
