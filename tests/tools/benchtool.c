/* SPDX-License-Identifier: MIT */
/*
 * Helper for tests/bench: "resize OUT W H FILE..." writes each image scaled
 * to WxH as OUT/<name>.png; "floor JOBS OUTDIR FILE..." decodes every file
 * and re-encodes it as PNG into OUTDIR on JOBS threads, the floor cost of
 * any operator that writes a new image, and prints the seconds it took;
 * "score ROUNDS FILE..." prints the seconds of decoding every file ROUNDS
 * times, then of decoding plus aHash, dHash, pHash (as `mmda score` computes them)
 * and SSIM (against a copy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image.h"
#include "core/metrics/imgmetrics.h"
#include "core/base/objects.h"
#include "core/base/util.h"
#include "core/base/workpool.h"

static char **files;
static const char *outdir;
static int failures;

static void
floor_one(void *arg, size_t i)
{
	(void)arg;
	{
		struct image img;
		uint8_t *png;
		size_t len;
		char hex[65], *cause = NULL;
		if (image_load_file(files[i], NULL, &img, &cause) != 0 ||
		    image_encode(&img, IMAGE_PNG, 0, &png, &len, &cause) != 0 ||
		    objects_put(outdir, png, len, hex, &cause) != 0) {
			fprintf(stderr, "benchtool: %s\n", cause ? cause : "failed");
			free(cause);
			__atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
			image_free(&img);
			return;
		}
		free(png);
		image_free(&img);
	}
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "resize") == 0) {
		int w = atoi(argv[3]), h = atoi(argv[4]);
		for (int i = 5; i < argc; i++) {
			struct image in, out;
			char *cause = NULL, *base = strrchr(argv[i], '/'), *path;
			base = base ? base + 1 : argv[i];
			path = xasprintf("%s/%.*s.png", argv[2], (int)strcspn(base, "."), base);
			if (image_load_file(argv[i], NULL, &in, &cause) != 0 ||
			    image_resize(&in, w, h, &out, &cause) != 0 ||
			    image_save_file(&out, path, IMAGE_PNG, 0, &cause) != 0) {
				fprintf(stderr, "benchtool: %s\n", cause);
				return 1;
			}
			image_free(&in);
			image_free(&out);
			free(path);
		}
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "floor") == 0) {
		int jobs = atoi(argv[2]);
		outdir = argv[3];
		files = argv + 4;
		if (jobs < 1)
			jobs = 1;
		double t0 = now_mono_s();
		workpool_run(jobs, (size_t)(argc - 4), floor_one, NULL);
		printf("%.6f\n", now_mono_s() - t0);
		return failures != 0;
	}
	if (argc >= 4 && strcmp(argv[1], "score") == 0) {
		int rounds = atoi(argv[2]);
		uint64_t sink = 0;
		for (int pass = 0; pass < 2; pass++) {
			double t0 = now_mono_s();
			for (int r = 0; r < rounds; r++)
				for (int i = 3; i < argc; i++) {
					struct image img;
					char *cause = NULL;
					double ssim;
					if (image_load_file(argv[i], NULL, &img, &cause) != 0) {
						fprintf(stderr, "benchtool: %s\n", cause);
						return 1;
					}
					if (pass == 1) {
						uint64_t ah, dh, ph;
						imgm_hashes(&img, &ah, &dh, &ph);
						sink += ah ^ dh ^ ph;
						if (imgm_ssim(&img, &img, &ssim, &cause) != 0) {
							fprintf(stderr, "benchtool: %s\n", cause);
							return 1;
						}
						sink += (uint64_t)(ssim * 1000);
					}
					image_free(&img);
				}
			printf("%.6f%c", now_mono_s() - t0, pass == 0 ? ' ' : '\n');
		}
		return sink == 42; /* keeps the work from being optimised away */
	}
	fprintf(stderr, "usage: benchtool resize OUT W H FILE... | floor JOBS OUTDIR FILE...\n");
	return 2;
}
