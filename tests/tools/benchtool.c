/* SPDX-License-Identifier: MIT */
/*
 * Helper for tests/bench: "resize OUT W H FILE..." writes each image scaled
 * to WxH as OUT/<name>.png; "floor JOBS OUTDIR FILE..." decodes every file
 * and re-encodes it as PNG into OUTDIR on JOBS threads, the floor cost of
 * any operator that writes a new image, and prints the seconds it took.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/objects.h"
#include "core/util.h"

static char **files;
static int nfiles, next;
static const char *outdir;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int failures;

static void *
floor_worker(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		int i = next++;
		pthread_mutex_unlock(&lock);
		if (i >= nfiles)
			return NULL;
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
			continue;
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
		pthread_t tid[64];
		outdir = argv[3];
		files = argv + 4;
		nfiles = argc - 4;
		if (jobs < 1 || jobs > 64)
			jobs = 1;
		double t0 = now_mono_s();
		for (int k = 1; k < jobs; k++)
			pthread_create(&tid[k], NULL, floor_worker, NULL);
		floor_worker(NULL);
		for (int k = 1; k < jobs; k++)
			pthread_join(tid[k], NULL);
		printf("%.6f\n", now_mono_s() - t0);
		return failures != 0;
	}
	fprintf(stderr, "usage: benchtool resize OUT W H FILE... | floor JOBS OUTDIR FILE...\n");
	return 2;
}
