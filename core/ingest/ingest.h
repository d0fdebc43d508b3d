/* SPDX-License-Identifier: MIT */
/*
 * Import into the store: runs a reader (core/ingest/import.h) over a source, checks
 * each pair (UTF-8, caption size, image path inside the root, the image file
 * with --verify), names it by aug_id and adds it, so importing the same source
 * twice adds nothing. Bad records are reported and skipped; the rest lands.
 */
#ifndef MMDA_INGEST_H
#define MMDA_INGEST_H

#include <stdint.h>

#include "core/ingest/import.h"
#include "core/store.h"

/* Longest caption accepted, in bytes. */
#define INGEST_MAX_TEXT (1u << 20)
/* Errors kept in a result (all are counted and passed to report). */
#define INGEST_MAX_ERRORS 1000

struct ingest_error {
	char *source;
	long line; /* 0 when the record has none */
	char *key; /* NULL when unknown */
	char *reason;
};

struct ingest_opts {
	enum import_format format; /* IMPORT_AUTO to detect */
	const char *root;          /* NULL: the source's folder (the folder itself for IMPORT_DIR) */
	int strict;                /* the first bad record is fatal; nothing of the source is kept */
	int verify;                /* open each image's header: it must exist and decode */
	uint64_t max_pixels;       /* for --verify; 0 for the default */
	/* Called for every bad record as it is found (may be NULL). */
	void (*report)(void *arg, const struct ingest_error *e);
	void *arg;
};

struct ingest_result {
	int64_t imported; /* new candidates */
	int64_t existing; /* pairs already in the store */
	int64_t skipped;  /* bad records */
	struct ingest_error *errors; /* the first INGEST_MAX_ERRORS bad records */
	size_t nerrors;
};

/*
 * Imports one source, adding to the counts in *res (so several sources can
 * share one result). Returns 0 when the source was read (bad records
 * included), -1 with *cause when it could not be read, the store failed, or
 * --strict met a bad record (then nothing from this source is kept).
 */
int ingest_source(struct store *st, const char *path, const struct ingest_opts *opts,
    struct ingest_result *res, char **cause);
/* Frees the kept errors and zeroes the result. */
void ingest_result_free(struct ingest_result *res);

/*
 * Lexically resolves path against root (an absolute, normalised folder):
 * "." and ".." are folded, and the result must stay inside root. Returns 0
 * with a malloc'd path relative to root in *rel, or -1 with *cause.
 */
int ingest_path_relative(const char *root, const char *path, char **rel, char **cause);

#endif
