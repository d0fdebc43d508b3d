/* SPDX-License-Identifier: MIT */
/*
 * Export writers: one streaming writer per trainer format. The caller
 * (core/export/exportrun.c) selects candidates, places their images and hands the
 * writer one item at a time; a writer keeps only what its format forces it to
 * (COCO's image ids), never the items. Everything is written inside `dir`, a
 * temporary folder the caller renames when the export is complete.
 */
#ifndef MMDA_EXPORT_H
#define MMDA_EXPORT_H

#include <stddef.h>
#include <stdint.h>

enum export_format {
	EXPORT_JSONL,       /* one pair per line with lineage, scores and decisions */
	EXPORT_IMAGEFOLDER, /* images + metadata.jsonl (file_name, text): Hugging Face ImageFolder */
	EXPORT_COCO,        /* captions.json: images + annotations, captions grouped by image */
	EXPORT_LLAVA,       /* llava.json: a list of conversations */
	EXPORT_WDS,         /* shards: PREFIX-000000.tar with KEY.jpg|png + KEY.txt + KEY.json */
	EXPORT_CSV,         /* pairs.csv (RFC 4180) */
	EXPORT_DJ,          /* data_juicer.jsonl with <__dj__image> tokens */
	EXPORT_FORMAT_COUNT
};

/* One exported pair. Every pointer is borrowed for the duration of export_write. */
struct export_item {
	int64_t id;
	const char *aug_id;
	const char *key;        /* a stable, filesystem-safe sample key ("000123-ab12cd34"), unique in the export */
	const char *text;
	const char *op;
	int op_version;
	const char *params;     /* canonical JSON object */
	int has_seed;
	int64_t seed;
	const char *model;      /* NULL for built-in ops */
	const char *prompt;     /* what a model-backed op sent, else NULL */
	const char *meta;       /* JSON object or NULL; for LLaVA, {"conversations": [...]} */
	const char *image;      /* the image as the output names it: a path relative to the
	                           export folder ("images/000123.png"), or an absolute path
	                           with --images ref */
	const char *image_src;  /* absolute path of the image file to read (WDS packs its bytes) */
	int image_open;         /* 1: image_fd is image_src opened (-1: it could not be), with
	                           image_size bytes; writers read it, never the path again */
	int image_fd;
	size_t image_size;
	const char *image_ext;  /* "jpg", "png", "webp" or "gif" */
	int width, height;      /* 0 when unknown */
	int nparents;
	const char *const *parent_aug_ids;
	const char *scores;     /* JSON object {"metric": value, ...} */
	const char *decisions;  /* JSON array [{"annotator", "answer", "at"}, ...] */
	int auto_selected;      /* selected by the thresholds, not by a person (--fill passing) */
	const char *source_key;  /* the pair's own id in a source of this format (COCO: the */
	const char *source_meta; /* annotation id; its meta has coco_image_id; LLaVA: its
	                            conversations), or NULL when no source was one / had one */
};

struct export_opts {
	int64_t shard_size;     /* WDS samples per shard (default 10,000) */
	const char *prefix;     /* WDS shard name prefix (default "shard") */
};

struct export_writer;

/* Names ("jsonl", "imagefolder", ...) and parsing; parse returns -1 for an unknown name. */
const char *export_format_name(enum export_format f);
int export_format_parse(const char *name, enum export_format *out);

/*
 * Starts a writer in dir (which exists and is empty). Returns NULL with
 * *cause on failure. opts may be NULL for defaults.
 */
struct export_writer *export_open(enum export_format f, const char *dir,
    const struct export_opts *opts, char **cause);
/*
 * The markup token of format f that text holds, or NULL: "<__dj__image>" or
 * "<|__dj__eoc|>" for dj, "<image>" for llava (the formats read them as image
 * slots and chunk ends, and have no way to escape them). Such a caption
 * cannot be written faithfully, so the export leaves the item out and names
 * it. Returns a static string.
 */
const char *export_text_markup(enum export_format f, const char *text);
/* Writes one item. Returns 0, or -1 with *cause (the export should then be abandoned). */
int export_write(struct export_writer *w, const struct export_item *it, char **cause);
/*
 * Finishes the files (closing JSON arrays, the last shard), fsyncs them and
 * frees the writer. Returns 0, or -1 with *cause; *files (when not NULL)
 * receives the number of files written.
 */
int export_close(struct export_writer *w, int64_t *files, char **cause);
/* Frees a writer without finishing it (after a failure). */
void export_abort(struct export_writer *w);

#endif
