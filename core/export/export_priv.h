/* SPDX-License-Identifier: MIT */
/*
 * What the export writers share (core/export/export*.c, not for callers): the writer
 * itself, the per-format function table core/export/export.c dispatches through,
 * buffered output files that are fsynced at close, and the JSON text helpers
 * every writer streams with.
 */
#ifndef MMDA_EXPORT_PRIV_H
#define MMDA_EXPORT_PRIV_H

#include <stdint.h>
#include <stdio.h>

#include "core/export/export.h"
#include "core/base/util.h"

/* A file being written inside the export folder. */
struct export_file {
	FILE *f;
	char *path; /* full path, for error causes */
};

struct export_writer;

/*
 * One format. open prepares the state (and usually the first file); write
 * streams one item (the item's strings are checked non-NULL by the caller where
 * the contract requires them); finish completes and fsyncs every file, adding
 * to w->files; release frees the state after finish or on abort (so it must
 * cope with a half-opened state).
 */
struct export_fmt {
	const char *name;
	int (*open)(struct export_writer *w, char **cause);
	int (*write)(struct export_writer *w, const struct export_item *it, char **cause);
	int (*finish)(struct export_writer *w, char **cause);
	void (*release)(struct export_writer *w);
};

struct export_writer {
	const struct export_fmt *fmt;
	char *dir;
	int64_t shard_size;
	char *prefix;
	int64_t items;          /* items written so far */
	int64_t files;          /* files completed (closed and fsynced) */
	int failed;             /* a write failed: the files may be half-written */
	struct export_file out; /* the main output (the current shard for WDS) */
	void *state;            /* the format's own state */
};

extern const struct export_fmt export_fmt_jsonl;
extern const struct export_fmt export_fmt_imagefolder;
extern const struct export_fmt export_fmt_llava;
extern const struct export_fmt export_fmt_dj;
extern const struct export_fmt export_fmt_coco;
extern const struct export_fmt export_fmt_csv;
extern const struct export_fmt export_fmt_wds;

/* Files (core/export/export.c). open creates dir/name exclusively, buffered. */
int export_file_open(struct export_writer *w, struct export_file *ef, const char *name,
    char **cause);
/* Reports a pending write error on the file (checked after each item). */
int export_file_check(struct export_file *ef, char **cause);
/* Flushes, fsyncs and closes; the file is released either way. */
int export_file_finish(struct export_file *ef, char **cause);
/* Closes without caring (after a failure) and releases. */
void export_file_discard(struct export_file *ef);
/* Appends the bytes of the file at from_path to ef (COCO assembles captions.json so). */
int export_file_append(struct export_file *ef, const char *from_path, char **cause);

/* Images (core/export/exportimg.c), for the export run. */
/*
 * Copies size bytes of the open file in (src is its name for causes) to a new
 * file name in folder dirfd (created exclusively; dst is its full name for
 * causes). in is read by offset and stays open (the caller's). Returns 0, or
 * -1 with *cause naming the file.
 */
int export_copy_fd(int in, size_t size, const char *src, int dirfd, const char *name,
    const char *dst, char **cause);
/*
 * Copies made by worker threads (core/export/exportcopy.c) into the folder
 * dirfd, which stays the caller's. start never fails: with no thread (threads
 * 0, or none could be started) add copies inline. add takes fd (closed once
 * copied) and queues a copy as export_copy_fd makes it; it returns -1 with
 * *cause when an earlier copy failed (fd closed too). check reports such a
 * failure without queueing. finish waits for every queued copy, stops the
 * threads and frees c (NULL is allowed): 0, or -1 with the first failure.
 */
#define EXPORT_COPIER_MAX_THREADS 8
struct export_copier;
struct export_copier *export_copier_start(int dirfd, int threads);
int export_copier_add(struct export_copier *c, int fd, size_t size, const char *src,
    const char *name, const char *dst, char **cause);
int export_copier_check(struct export_copier *c, char **cause);
int export_copier_finish(struct export_copier *c, char **cause);
/* "jpg", "png", "webp" or "gif" from the first bytes of the open file fd (read by
 * offset); NULL when fd is -1 or it is not an image. Returns a static string. */
const char *export_sniff_fd(int fd);
/*
 * The object-store image src under a name with its extension (src.ext, a hard
 * link beside it, made once and kept): what --images ref writes, so loaders
 * that go by the extension open it; src itself when the object store may not
 * be written (a read-only or someone else's database). Returns the path
 * (caller frees), or NULL with *cause when the link fails otherwise.
 */
char *export_object_named(const char *src, const char *ext, char **cause);
/* The image contents an export holds already (by hash), each with the name it was
 * written under. new never fails; free frees the names too (NULL is allowed). */
struct export_seen;
struct export_seen *export_seen_new(void);
void export_seen_free(struct export_seen *s);
/* The name content was written under, or NULL when it is new; borrowed. */
const char *export_seen_find(const struct export_seen *s, const char *content);
/* Remembers content under name (both copied); a content already known is kept as it was. */
void export_seen_add(struct export_seen *s, const char *content, const char *name);

/* The item's name in error causes: its key, else its aug_id. */
const char *export_item_label(const struct export_item *it);

/* JSON text (core/export/export.c). */
/* s escaped without the quotes: quote, backslash and controls as \u00XX. */
void export_json_body(FILE *f, const char *s);
/* A quoted string, or null for NULL. */
void export_json_str(FILE *f, const char *s);
/*
 * Copies an embedded JSON value (params, scores, decisions, meta) after
 * checking it parses as the wanted type (cJSON_Object or cJSON_Array), with
 * whitespace outside strings dropped so a jsonl line stays one line. NULL or
 * empty writes dflt. Returns -1 with a cause naming the item and field.
 */
int export_json_embed(FILE *f, const char *json, int type, const char *dflt,
    const struct export_item *it, const char *field, char **cause);

/* The full jsonl object of an item (no newline): jsonl lines and WDS .json members. */
int export_json_item(FILE *f, const struct export_item *it, char **cause);

#endif
