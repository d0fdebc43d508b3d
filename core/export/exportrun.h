/* SPDX-License-Identifier: MIT */
/*
 * An export run: selects candidates (store_select), places their images
 * (copied, hard-linked or referenced), streams them through a format writer
 * (core/export/export.h) into a hidden temporary folder beside --out, writes
 * manifest.json (selection, thresholds in force, counts, version) and renames
 * the folder to --out only when everything is complete, so an interrupted
 * export never leaves a half folder. Output names come from candidate ids
 * and aug_ids, never from imported text, so nothing is written outside --out.
 */
#ifndef MMDA_EXPORTRUN_H
#define MMDA_EXPORTRUN_H

#include <signal.h>
#include <stdint.h>

#include "core/export/export.h"
#include "core/store.h"

enum export_images {
	EXPORT_IMAGES_COPY,
	EXPORT_IMAGES_LINK, /* hard link; a copy when the link cannot be made (another filesystem) */
	EXPORT_IMAGES_REF,  /* absolute paths to the images where they are */
};

struct exportrun_opts {
	enum export_format format;
	const char *out;
	struct select_opts select;
	enum export_images images;
	int64_t shard_size;
	const char *version;  /* mmda's, for the manifest */
	const char *database; /* for the manifest */
	/* The audit's estimated precision of the auto-selected part (a JSON object's
	 * text, core/metrics/audit.h), copied into the manifest; NULL: none. */
	const char *estimate_json;
	volatile sig_atomic_t *stop; /* set by a signal handler: abandon cleanly */
	void (*progress)(void *arg, int64_t done);
	void *arg;
};

struct exportrun_skip {
	int64_t id;
	char *reason;
};

struct exportrun_result {
	int64_t exported;
	int64_t auto_selected;
	int64_t files;  /* written by the format, manifest and images included */
	/* Selected candidates left out because their image is gone or unreadable
	 * (all counted; the first EXPORTRUN_MAX_SKIPS kept). */
	int64_t skipped;
	struct exportrun_skip *skips;
	size_t nskips;
};

#define EXPORTRUN_MAX_SKIPS 1000

void exportrun_result_free(struct exportrun_result *res);

/* Returns 0 when --out is complete, -1 with *cause (nothing at --out) otherwise. */
int exportrun(struct store *st, const struct exportrun_opts *o, struct exportrun_result *res,
    char **cause);
/* Names of the image modes and parsing (-1 for an unknown name). */
int export_images_parse(const char *s, enum export_images *out);
const char *export_images_name(enum export_images m);

#endif
