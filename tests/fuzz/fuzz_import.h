/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets of the dataset readers (fuzz_manifest.c,
 * fuzz_tar.c): the readers open a path, so each input is written to a file
 * in a private folder first; the sink reads every byte a record points at,
 * so a record that outlives its buffer or runs past it trips ASan inside the
 * callback rather than going unseen. Static inline: each target uses all of it.
 */
#ifndef MMDA_TESTS_FUZZ_IMPORT_H
#define MMDA_TESTS_FUZZ_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ingest/import.h"

/* Touches a borrowed string: strlen walks to its NUL, so a missing one is found. */
static inline size_t
fuzz_touch(const char *s)
{
	size_t h = 0;

	for (; s != NULL && *s != '\0'; s++)
		h = h * 31 + (unsigned char)*s;
	return h;
}

static inline int
fuzz_on_pair(void *ctx, const struct import_record *r)
{
	size_t *sum = ctx;
	const unsigned char *d = r->image_data;

	/* The reader promises these are never NULL. */
	if (r->source == NULL || r->key == NULL || r->text == NULL)
		abort();
	*sum += fuzz_touch(r->source) + fuzz_touch(r->key) + fuzz_touch(r->image) +
	    fuzz_touch(r->image_name) + fuzz_touch(r->text) + fuzz_touch(r->meta);
	for (size_t i = 0; d != NULL && i < r->image_len; i++)
		*sum += d[i];
	return 0;
}

static inline int
fuzz_on_error(void *ctx, const char *source, long line, const char *key, const char *reason)
{
	size_t *sum = ctx;

	if (reason == NULL)
		abort();
	*sum += fuzz_touch(source) + fuzz_touch(key) + fuzz_touch(reason) + (size_t)line;
	return 0;
}

/*
 * Writes the input to NAME in a folder of this process's own (made once) and
 * returns the file's path (static storage), or NULL when it cannot be written.
 */
static inline const char *
fuzz_input_file(const char *name, const uint8_t *data, size_t len)
{
	static char dir[256], path[320];
	FILE *f;

	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/mmda-fuzz.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			return NULL;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return NULL;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return NULL;
	}
	return fclose(f) == 0 ? path : NULL;
}

/* Reads path in format fmt into the touching sink; the result itself does not matter. */
static inline void
fuzz_read(const char *path, enum import_format fmt)
{
	size_t sum = 0;
	struct import_sink sink = { fuzz_on_pair, fuzz_on_error, &sum };
	char *cause = NULL;

	if (import_read(path, fmt, &sink, &cause) != 0 && cause == NULL)
		abort(); /* a failure always says why */
	free(cause);
}

#endif
