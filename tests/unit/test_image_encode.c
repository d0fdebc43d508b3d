/* SPDX-License-Identifier: MIT */
/*
 * Encoding (core/image/image.h): PNG, JPEG and WebP round trips (exact where
 * lossless, within a tolerance where lossy, always deterministic), JPEG
 * chroma subsampling by quality, refusals, and saving to a file in place.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <turbojpeg.h>

#include "core/image/image.h"
#include "tests/harness.h"
#include "tests/unit/image_fixtures.h"

static int
same_pixels(const struct image *a, const struct image *b)
{
	return a->w == b->w && a->h == b->h && a->channels == b->channels &&
	    memcmp(a->px, b->px, (size_t)a->w * (size_t)a->h * (size_t)a->channels) == 0;
}

/* Encodes twice (same bytes?) and decodes; returns 0 and the decoded image. */
static int
round_trip(const struct image *img, enum image_format f, int q, int keep_alpha,
    struct image *out)
{
	uint8_t *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	struct image_opts o;
	struct image_info info;
	char *cause = NULL;
	int r = -1;

	memset(&o, 0, sizeof o);
	o.keep_alpha = keep_alpha;
	if (image_encode(img, f, q, &a, &la, &cause) != 0 ||
	    image_encode(img, f, q, &b, &lb, &cause) != 0) {
		CHECKF(0, "%s", cause);
		goto out;
	}
	CHECKF(la == lb && memcmp(a, b, la) == 0, "%s q%d not deterministic",
	    image_format_name(f), q);
	CHECK(image_sniff(a, la) == f);
	CHECK(image_probe_mem(a, la, "enc", &info, NULL) == 0 && info.w == img->w &&
	    info.h == img->h);
	r = image_load_mem(a, la, "enc", &o, out, &cause);
	CHECKF(r == 0, "%s", cause);
out:
	free(a);
	free(b);
	free(cause);
	return r;
}

/* A round trip that must give back exactly the pixels of img. */
static void
check_lossless(const struct image *img, enum image_format f, int q, int keep_alpha)
{
	struct image out;

	if (round_trip(img, f, q, keep_alpha, &out) == 0) {
		CHECKF(same_pixels(img, &out), "%s q%d changed the pixels", image_format_name(f),
		    q);
		image_free(&out);
	}
}

/* A round trip of the blocks picture (b x b blocks) within tol, inset by inset pixels. */
static void
check_lossy_blocks(const struct image *blocks, int b, enum image_format f, int q, int inset,
    int tol)
{
	struct image out;
	int r;

	if (round_trip(blocks, f, q, 0, &out) == 0) {
		r = blocks_bad_b(&out, b, inset, tol);
		CHECKF(r == 0, "%s q%d: %d samples off", image_format_name(f), q, r);
		image_free(&out);
	}
}

/* The chroma subsampling (TJSAMP_*) of img encoded as JPEG at quality q; -1 on error. */
static int
jpeg_subsampling(const struct image *img, int q)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int w, h, ss = -1, cs;
	tjhandle tj;

	CHECK(image_encode(img, IMAGE_JPEG, q, &data, &len, NULL) == 0);
	if (data == NULL)
		return -1;
	tj = tjInitDecompress();
	if (tj == NULL || tjDecompressHeader3(tj, data, len, &w, &h, &ss, &cs) != 0)
		ss = -1;
	if (tj != NULL)
		tjDestroy(tj);
	free(data);
	return ss;
}

/* image_encode expecting a refusal with frag in the cause and no data. */
static int
encode_refused(const struct image *img, enum image_format f, int q, const char *frag)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *cause = NULL;
	int r = image_encode(img, f, q, &data, &len, &cause);
	int ok = refused_ok(r, cause, frag) && data == NULL;

	free(data);
	free(cause);
	return ok;
}

/* Loads path (keeping alpha) and checks it holds exactly the pixels of img. */
static void
check_saved(const char *path, const struct image *img)
{
	struct image back;

	if (load_ok(path, 1, &back)) {
		CHECKF(same_pixels(img, &back), "%s", path);
		image_free(&back);
	}
}

static void
test_encode(void)
{
	struct image rgb, rgba, blocks, big_blocks, out;
	uint8_t *data = NULL;
	size_t len = 0;

	if (!load_ok(IMG "rgb.png", 0, &rgb))
		return;
	if (!load_ok(IMG "rgba.png", 1, &rgba)) {
		image_free(&rgb);
		return;
	}
	make_blocks(&blocks, 8);
	/* 4:2:0 halves chroma, so its blocks must span whole 16x16 MCUs. */
	make_blocks(&big_blocks, 16);

	check_lossless(&rgb, IMAGE_PNG, 0, 0);
	check_lossless(&rgba, IMAGE_PNG, 0, 1);
	check_lossless(&rgb, IMAGE_WEBP, 100, 0);
	check_lossless(&rgba, IMAGE_WEBP, 100, 1);
	check_lossy_blocks(&blocks, 8, IMAGE_WEBP, 90, 2, 8);
	check_lossy_blocks(&blocks, 8, IMAGE_JPEG, 0, 0, 8); /* 0: the default, q90 */
	check_lossy_blocks(&big_blocks, 16, IMAGE_JPEG, 50, 2, 16);
	/* JPEG drops alpha by compositing over white. */
	if (round_trip(&rgba, IMAGE_JPEG, 100, 1, &out) == 0) {
		CHECK(out.channels == 3);
		CHECK(near(px(&out, 0, 0)[0], over_white(pat(0, 0, 0), pat_alpha(0, 0)), 12));
		image_free(&out);
	}
	/* Chroma subsampling: 4:4:4 from quality 90 up, 4:2:0 below. */
	CHECK(jpeg_subsampling(&blocks, 90) == TJSAMP_444);
	CHECK(jpeg_subsampling(&blocks, 89) == TJSAMP_420);

	CHECK(encode_refused(&rgb, IMAGE_JPEG, 101, "quality 101"));
	CHECK(encode_refused(&rgb, IMAGE_WEBP, -1, "quality -1"));
	/* PNG has no quality: ignored. */
	CHECK(image_encode(&rgb, IMAGE_PNG, 150, &data, &len, NULL) == 0);
	free(data);
	CHECK(encode_refused(&rgb, IMAGE_GIF, 0, "not supported"));
	if (image_alloc(&out, 20000, 1, 3, 0, NULL) == 0) {
		CHECK(encode_refused(&out, IMAGE_WEBP, 80, "16383"));
		image_free(&out);
	} else
		CHECK(0);
	image_free(&rgb);
	image_free(&rgba);
	image_free(&blocks);
	image_free(&big_blocks);
}

static void
test_save_file(void)
{
	char dir[] = "/tmp/mmda-test-image.XXXXXX", path[128];
	struct image img;
	struct image_info info;
	struct dirent *de;
	struct stat st;
	char *cause = NULL;
	int files = 0;
	DIR *d;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	if (!load_ok(IMG "rgba.png", 1, &img)) {
		rmdir(dir);
		return;
	}
	snprintf(path, sizeof path, "%s/out.png", dir);
	CHECK(image_save_file(&img, path, IMAGE_PNG, 0, &cause) == 0);
	check_saved(path, &img);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	/* Overwrites in place, leaving no temp files behind. */
	CHECK(image_save_file(&img, path, IMAGE_WEBP, 100, &cause) == 0);
	check_saved(path, &img);
	CHECK(image_probe_file(path, &info, NULL) == 0 && info.format == IMAGE_WEBP);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			files += de->d_name[0] != '.';
		closedir(d);
	}
	CHECK(files == 1);
	snprintf(path, sizeof path, "%s/missing/out.png", dir);
	CHECK(image_save_file(&img, path, IMAGE_PNG, 0, &cause) == -1 &&
	    cause_ok(cause, path, "No such file"));
	free(cause);
	snprintf(path, sizeof path, "%s/out.png", dir);
	unlink(path);
	rmdir(dir);
	image_free(&img);
}

int
main(void)
{
	image_tests_begin("image-encode");
	RUN(test_encode);
	RUN(test_save_file);
	HARNESS_END();
}
