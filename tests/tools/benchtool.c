/* SPDX-License-Identifier: MIT */
/*
 * Helper for tests/bench: "resize OUT W H FILE..." writes each image scaled
 * to WxH as OUT/<name>.png; "floor JOBS OUTDIR FILE..." decodes every file
 * and re-encodes it as PNG into OUTDIR on JOBS threads, the floor cost of
 * any operator that writes a new image, and prints the seconds it took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/objects.h"
#include "core/util.h"
#include "core/workpool.h"

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
	fprintf(stderr, "usage: benchtool resize OUT W H FILE... | floor JOBS OUTDIR FILE...\n");
	return 2;
}
