/* SPDX-License-Identifier: MIT */
/*
 * Readers for the dataset formats people bring: JSONL/JSON manifests, CSV/TSV,
 * COCO captions, LLaVA conversations, Data-Juicer JSONL, WebDataset tar
 * shards and folders of images with .txt sidecars. A reader only parses: it
 * hands each image-text pair to a sink and reports each bad record with its
 * line or key and a reason, then goes on. Path checks, de-duplication and
 * storage happen in the caller (core/ingest/ingest.c).
 */
#ifndef MMDA_IMPORT_H
#define MMDA_IMPORT_H

#include <stddef.h>

enum import_format {
	IMPORT_AUTO = 0,
	IMPORT_JSONL, /* JSON lines, or one JSON array of records */
	IMPORT_CSV,   /* CSV or TSV (delimiter sniffed from the header line) */
	IMPORT_COCO,
	IMPORT_LLAVA,
	IMPORT_DJ,
	IMPORT_WDS,
	IMPORT_DIR,
	IMPORT_SCIENCEQA, /* ScienceQA problems.json: one object of problems keyed by id */
};

/* One pair as the source states it. Every pointer is borrowed and valid only
 * during the callback. */
struct import_record {
	const char *source; /* the file (or folder) being read */
	long line;          /* 1-based line of the record, 0 when the format has none */
	const char *key;    /* the record's id in the source; never NULL (made up when the source has none) */
	int key_is_id;      /* 1 when key is an explicit id from the source (duplicates are errors) */
	const char *image;  /* image path exactly as written in the source (relative or absolute); NULL when image_data is set */
	const void *image_data; /* WebDataset: the image member's bytes; NULL otherwise */
	size_t image_len;
	const char *image_name; /* WebDataset: "shard.tar/member.jpg"; NULL otherwise */
	const char *text;   /* caption as in the source, NUL-terminated; readers reject captions
	                       holding NUL bytes; UTF-8 validity is checked by the caller */
	const char *meta;   /* optional extra JSON object (e.g. a LLaVA conversation), or NULL */
};

struct import_sink {
	/* Called once per pair. A non-zero return stops the reader (it then returns -1). */
	int (*pair)(void *ctx, const struct import_record *rec);
	/* Called once per bad record; key may be NULL, line may be 0. The reader goes on
	 * unless this returns non-zero (--strict), in which case the reader returns -1. */
	int (*error)(void *ctx, const char *source, long line, const char *key, const char *reason);
	void *ctx;
};

/* Name ("jsonl", "csv", ...) of a format; static string. */
const char *import_format_name(enum import_format f);
/* Parses a --format name; returns -1 for an unknown name. "auto" gives IMPORT_AUTO. */
int import_format_parse(const char *name, enum import_format *out);

/*
 * Guesses the format of path from its type (a folder is IMPORT_DIR), its
 * extension and its first bytes (a JSON document with "images" and
 * "annotations" is COCO; records with "conversations" are LLaVA; text with
 * "<__dj__image>" is Data-Juicer; a ustar header is WebDataset). Returns the
 * format or IMPORT_AUTO with *cause set when nothing fits.
 */
enum import_format import_detect(const char *path, char **cause);

/*
 * Reads path in the given format (IMPORT_AUTO detects it) and feeds the sink.
 * Returns 0 when the source was read to the end (bad records were reported
 * through sink->error and skipped), or -1 with *cause when the source cannot
 * be read at all or the sink asked to stop.
 */
int import_read(const char *path, enum import_format fmt, const struct import_sink *sink,
    char **cause);

#endif
