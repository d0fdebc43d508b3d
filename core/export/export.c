/* SPDX-License-Identifier: MIT */
/*
 * The front of the export writers: format names, opening a writer and
 * dispatching each call through the format's function table, plus what every
 * format shares: output files that are buffered and fsynced at close, and the
 * JSON text helpers (escaping, and embedding the JSON the database holds).
 */
#include "core/export/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/base/numfmt.h"
#include "core/export/export_priv.h"
#include "core/base/safefile.h"

#define EXPORT_SHARD_DEFAULT 10000
#define EXPORT_COPY_CHUNK (64 * 1024)

/* Indexed by enum export_format; the names are the --format words. */
static const struct export_fmt *const export_fmts[EXPORT_FORMAT_COUNT] = {
	[EXPORT_JSONL] = &export_fmt_jsonl,
	[EXPORT_IMAGEFOLDER] = &export_fmt_imagefolder,
	[EXPORT_COCO] = &export_fmt_coco,
	[EXPORT_LLAVA] = &export_fmt_llava,
	[EXPORT_WDS] = &export_fmt_wds,
	[EXPORT_CSV] = &export_fmt_csv,
	[EXPORT_DJ] = &export_fmt_dj,
};

/* Other spellings people type for the same formats. */
static const struct {
	const char *name;
	enum export_format f;
} export_aliases[] = {
	{ "webdataset", EXPORT_WDS },
	{ "data_juicer", EXPORT_DJ },
	{ "data-juicer", EXPORT_DJ },
	{ "hf", EXPORT_IMAGEFOLDER },
};

const char *
export_format_name(enum export_format f)
{
	if ((unsigned)f >= EXPORT_FORMAT_COUNT)
		return "unknown";
	return export_fmts[f]->name;
}

int
export_format_parse(const char *name, enum export_format *out)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < EXPORT_FORMAT_COUNT; i++) {
		if (strcmp(name, export_fmts[i]->name) == 0) {
			*out = (enum export_format)i;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof export_aliases / sizeof export_aliases[0]; i++) {
		if (strcmp(name, export_aliases[i].name) == 0) {
			*out = export_aliases[i].f;
			return 0;
		}
	}
	return -1;
}

static void
export_free(struct export_writer *w)
{
	w->fmt->release(w);
	export_file_discard(&w->out);
	free(w->dir);
	free(w->prefix);
	free(w);
}

struct export_writer *
export_open(enum export_format f, const char *dir, const struct export_opts *opts,
    char **cause)
{
	struct export_writer *w;

	if ((unsigned)f >= EXPORT_FORMAT_COUNT) {
		cause_set(cause, "export: unknown format %d", (int)f);
		return NULL;
	}
	if (dir == NULL || *dir == '\0') {
		cause_set(cause, "export: no output folder");
		return NULL;
	}
	const char *prefix = opts != NULL && opts->prefix != NULL ? opts->prefix : "shard";
	/* The prefix names files inside dir: a slash would write elsewhere. */
	if (*prefix == '\0' || strchr(prefix, '/') != NULL || strlen(prefix) > 64) {
		cause_set(cause, "export: bad shard prefix \"%s\" (1-64 bytes, no slash)",
		    prefix);
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->fmt = export_fmts[f];
	w->dir = xstrdup(dir);
	w->prefix = xstrdup(prefix);
	w->shard_size = opts != NULL && opts->shard_size > 0 ? opts->shard_size :
	    EXPORT_SHARD_DEFAULT;
	if (w->fmt->open(w, cause) != 0) {
		export_free(w);
		return NULL;
	}
	return w;
}

int
export_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	/* The fields every format names or writes; the rest may be NULL (null). */
	if (it->key == NULL || *it->key == '\0')
		return cause_set(cause, "export: item %s has no key", export_item_label(it));
	if (it->text == NULL || it->image == NULL)
		return cause_set(cause, "export: item %s has no %s", it->key,
		    it->text == NULL ? "text" : "image");
	if (it->nparents > 0 && it->parent_aug_ids == NULL)
		return cause_set(cause, "export: item %s: parents missing", it->key);
	if (w->failed)
		return cause_set(cause, "export: an earlier item failed; export abandoned");
	if (w->fmt->write(w, it, cause) != 0) {
		w->failed = 1;
		return -1;
	}
	w->items++;
	return 0;
}

int
export_close(struct export_writer *w, int64_t *files, char **cause)
{
	int rc;

	/* Finishing after a failure would seal a half-written sample as if whole. */
	if (w->failed)
		rc = cause_set(cause, "export: not finished: an earlier item failed");
	else
		rc = w->fmt->finish(w, cause);

	if (files != NULL)
		*files = w->files;
	export_free(w);
	return rc;
}

void
export_abort(struct export_writer *w)
{
	if (w != NULL)
		export_free(w);
}

const char *
export_item_label(const struct export_item *it)
{
	if (it->key != NULL && *it->key != '\0')
		return it->key;
	return it->aug_id != NULL ? it->aug_id : "(unnamed)";
}

int
export_file_open(struct export_writer *w, struct export_file *ef, const char *name,
    char **cause)
{
	ef->path = xasprintf("%s/%s", w->dir, name);
	/* "x": the folder is fresh, so an existing file means a mix-up; never clobber. */
	if ((ef->f = fopen(ef->path, "wbx")) == NULL) {
		cause_set(cause, "%s: %s", ef->path, strerror(errno));
		free(ef->path);
		ef->path = NULL;
		return -1;
	}
	return 0;
}

int
export_file_check(struct export_file *ef, char **cause)
{
	if (ef->f != NULL && ferror(ef->f))
		return cause_set(cause, "%s: write failed: %s", ef->path,
		    errno != 0 ? strerror(errno) : "I/O error");
	return 0;
}

int
export_file_finish(struct export_file *ef, char **cause)
{
	int rc = 0;

	if (ef->f == NULL)
		return 0;
	if (ferror(ef->f) || fflush(ef->f) != 0)
		rc = cause_set(cause, "%s: write failed: %s", ef->path, strerror(errno));
	else if (fsync(fileno(ef->f)) != 0)
		rc = cause_set(cause, "%s: fsync: %s", ef->path, strerror(errno));
	if (fclose(ef->f) != 0 && rc == 0)
		rc = cause_set(cause, "%s: close: %s", ef->path, strerror(errno));
	ef->f = NULL;
	free(ef->path);
	ef->path = NULL;
	return rc;
}

void
export_file_discard(struct export_file *ef)
{
	if (ef->f != NULL)
		fclose(ef->f);
	ef->f = NULL;
	free(ef->path);
	ef->path = NULL;
}

int
export_file_append(struct export_file *ef, const char *from_path, char **cause)
{
	FILE *from;
	char *buf;
	size_t n;
	int rc = 0;

	int fd = file_open_regular(from_path, SIZE_MAX, NULL, cause);
	if (fd < 0)
		return -1;
	if ((from = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return cause_set(cause, "%s: %s", from_path, strerror(errno));
	}
	buf = xmalloc(EXPORT_COPY_CHUNK);
	while ((n = fread(buf, 1, EXPORT_COPY_CHUNK, from)) > 0) {
		if (fwrite(buf, 1, n, ef->f) != n) {
			rc = cause_set(cause, "%s: write failed: %s", ef->path, strerror(errno));
			break;
		}
	}
	if (rc == 0 && ferror(from))
		rc = cause_set(cause, "%s: read failed: %s", from_path, strerror(errno));
	fclose(from);
	free(buf);
	return rc;
}

void
export_json_body(FILE *f, const char *s)
{
	const char *run = s;

	/* Safe bytes go out in runs; UTF-8 passes through untouched. */
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		if (s > run)
			fwrite(run, 1, (size_t)(s - run), f);
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else /* controls (and DEL, so a terminal showing the file stays sane) */
			fprintf(f, "\\u%04x", c);
		run = s + 1;
	}
	if (s > run)
		fwrite(run, 1, (size_t)(s - run), f);
}

void
export_json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	export_json_body(f, s);
	fputc('"', f);
}

/* Length of a strict JSON number at s, or 0: cJSON's strtod takes "01", "+1" and "1.". */
static size_t
export_json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	/* "01" would otherwise read as 0 then 1. */
	if (*p != '\0' && strchr("0123456789.eE+-", *p) != NULL)
		return 0;
	return (size_t)(p - s);
}

int
export_json_embed(FILE *f, const char *json, int type, const char *dflt,
    const struct export_item *it, const char *field, char **cause)
{
	if (json == NULL || *json == '\0') {
		fputs(dflt, f);
		return 0;
	}
	cJSON *doc = cJSON_ParseWithOpts(json, NULL, 1);
	int ok = doc != NULL && (doc->type & 0xff) == type;
	cJSON_Delete(doc);
	if (!ok)
		return cause_set(cause, "export: item %s: %s is not a JSON %s",
		    export_item_label(it), field, type == cJSON_Object ? "object" : "array");
	/*
	 * cJSON checked the structure; copy the text itself so integers keep every
	 * digit, dropping layout so the value fits one line, and other numbers in
	 * their shortest exact spelling (params are stored as %.17g for hashing).
	 */
	char *text = numfmt_json(json);
	int instr = 0;
	for (const char *p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (instr) {
			if (c == '\\' && p[1] != '\0') {
				fputc(c, f);
				fputc(*++p, f);
			} else if (c < 0x20)
				fprintf(f, "\\u%04x", c); /* cJSON lets raw controls through */
			else {
				fputc(c, f);
				if (c == '"')
					instr = 0;
			}
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t n = export_json_number(p);
			if (n == 0) {
				free(text);
				return cause_set(cause, "export: item %s: %s has a bad number",
				    export_item_label(it), field);
			}
			fwrite(p, 1, n, f);
			p += n - 1;
		} else {
			fputc(c, f);
			if (c == '"')
				instr = 1;
		}
	}
	free(text);
	return 0;
}
