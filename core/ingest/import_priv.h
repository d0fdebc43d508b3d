/* SPDX-License-Identifier: MIT */
/*
 * Shared between the dataset readers (core/ingest/import*.c) and nothing else: the
 * reading context that routes pairs and errors to the sink and turns a stop
 * request into a cause, the per-format entry points, and the JSON helpers
 * that JSONL, LLaVA, Data-Juicer, COCO and WebDataset all lean on.
 */
#ifndef MMDA_IMPORT_PRIV_H
#define MMDA_IMPORT_PRIV_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "core/ingest/import.h"
#include "core/base/util.h"

/* Whole-document JSON (COCO, JSON arrays, LLaVA) is read into memory up to this. */
#define IMPORT_DOC_MAX ((size_t)2 << 30)
/* Longest JSONL/CSV line accepted; longer ones are reported and skipped. */
#define IMPORT_LINE_MAX ((size_t)16 << 20)

struct imp {
	const char *path;
	const struct import_sink *sink;
	char **cause;
};

/*
 * Both return 0 to go on, or -1 after setting *cause when the sink asked to
 * stop; a reader hands the -1 straight back to import_read.
 */
int imp_pair(struct imp *im, struct import_record *rec);
int imp_error(struct imp *im, long line, const char *key, const char *fmt, ...)
    MMDA_PRINTF(4, 5);

/* Reads up to n bytes of path's start; returns the count or -1 with *cause. */
ssize_t imp_peek(const char *path, char *buf, size_t n, char **cause);
/* A copy of s with control bytes replaced by '?', for quoting names in reasons. */
char *imp_printable(const char *s, size_t len);
/* "base" for the first pair of a record, "base#k" for the k-th; the caller frees. */
char *imp_key(const char *base, int k);
/* The first needle (a C string) in the n bytes at hay, or NULL; memmem is not POSIX. */
const char *imp_memmem(const char *hay, size_t n, const char *needle);
/* 1 when s is empty or only ASCII whitespace. */
int imp_blank(const char *s);
/* 1 when name's extension (after the last '.') is an image type mmda reads. */
int imp_is_image_name(const char *name);

int import_jsonl(struct imp *im);
int import_csv(struct imp *im);
int import_coco(struct imp *im);
int import_llava(struct imp *im);
int import_dj(struct imp *im);
int import_wds(struct imp *im);
int import_dir(struct imp *im);
int import_scienceqa(struct imp *im);

/*
 * JSON helpers (core/ingest/import_json.c). A record callback gets each object of a
 * JSONL file (line set, index -1) or of a top-level JSON array (line 0, index
 * set) and returns 0 to go on or -1 to stop the reader.
 */
typedef int (*json_record_fn)(struct imp *im, cJSON *rec, long line, long index);
int json_read_records(struct imp *im, json_record_fn fn);

/*
 * Parses a whole document of len bytes (text[len] must be '\0'); on failure
 * returns NULL and writes a reason ("invalid JSON at line 3, column 7 near
 * '...'") into why. Strings whose source held a \u0000 escape are flagged so
 * json_has_nul() can tell: cJSON would silently cut them short there.
 */
cJSON *json_parse(const char *text, size_t len, char *why, size_t whylen);
/* Reads and parses the whole file at path (at most IMPORT_DOC_MAX bytes).
 * Returns the document (caller deletes it) or NULL with *cause "PATH: reason". */
cJSON *json_read_file(const char *path, char **cause);
int json_has_nul(const cJSON *item);
/* 1 when item or anything inside it is a string that held a \u0000 escape. */
int json_tree_has_nul(const cJSON *item);

/*
 * Reads an "id"-like value: a string or a whole number. Returns 1 with *out
 * (malloc'd), 0 when v is NULL, or -1 with *reason when v is unusable.
 */
int json_id(const cJSON *v, char **out, const char **reason);
/* The JSONL image field names, in the order they are looked for. */
extern const char *const json_image_fields[];
/* The first member of obj named in names (NULL-terminated list), and its name. */
cJSON *json_first(const cJSON *obj, const char *const *names, const char **which);
/* Error key for a record: its id, else "[index]" in an array, else NULL. */
char *json_error_key(const cJSON *rec, long index);

#endif
