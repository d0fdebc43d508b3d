/* SPDX-License-Identifier: MIT */
/* The export run: temp folder, selection, image placement, writer, manifest, rename. */
#include "core/export/exportrun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/base/numfmt.h"
#include "core/base/safefile.h"
#include "core/base/sha256.h"
#include "core/base/util.h"
#include "core/export/export_priv.h"
#include "core/image/image.h"

/*
 * Copy workers beside the run's own thread: the run (its rows and JSON) and
 * the file creation each take about half the time, on two cores.
 */
#define EXPORT_COPY_THREADS 1

struct run {
	struct store *st;
	const struct exportrun_opts *o;
	struct export_writer *w;
	char *tmp;
	struct exportrun_result *res;
	struct export_seen *seen; /* COCO: the image contents placed so far */
	int images_fd;            /* tmp/images, where copies are made; -1 when none */
	struct export_copier *copier; /* makes them, beside the run (NULL with images_fd -1) */
	char *fatal;
};

void
exportrun_result_free(struct exportrun_result *res)
{
	for (size_t i = 0; i < res->nskips; i++)
		free(res->skips[i].reason);
	free(res->skips);
	memset(res, 0, sizeof *res);
}

/* A candidate whose image cannot be exported is named and left out; the rest go on. */
static void
skip(struct run *r, int64_t id, char *reason)
{
	struct exportrun_result *res = r->res;

	res->skipped++;
	if (res->nskips < EXPORTRUN_MAX_SKIPS) {
		res->skips = xreallocarray(res->skips, res->nskips + 1, sizeof *res->skips);
		res->skips[res->nskips].id = id;
		res->skips[res->nskips++].reason = reason;
	} else
		free(reason);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb, (void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes a folder and everything in it, without following links. */
static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Splits out into its folder ("." when none) and base name; caller frees both. */
static void
split(const char *out, char **dir, char **base)
{
	char *copy = xstrdup(out);
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	char *slash = strrchr(copy, '/');
	if (slash == NULL) {
		*dir = xstrdup(".");
		*base = copy;
		return;
	}
	*base = xstrdup(slash + 1);
	*slash = '\0';
	*dir = xstrdup(*copy ? copy : "/");
	free(copy);
}

/*
 * A run killed outright leaves its hidden temp folder behind; the next
 * export to the same place removes those whose process is gone.
 */
static void
clean_stale(const char *dir, const char *base)
{
	char *prefix = xasprintf(".%s.mmda-tmp-", base);
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		int64_t pid;
		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    parse_int64(e->d_name + plen, 1, INT32_MAX, &pid) != 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		rm_tree(path);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(prefix);
}

static char *
decisions_json(struct store *st, int64_t id, char **cause)
{
	struct decision *d;
	size_t n;
	cJSON *arr;
	char *s;

	if (store_decisions_current(st, id, &d, &n, cause) != 0)
		return NULL;
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "annotator", d[i].annotator);
		cJSON_AddStringToObject(o, "answer", answer_name(d[i].answer));
		cJSON_AddNumberToObject(o, "at", (double)d[i].at);
		cJSON_AddItemToArray(arr, o);
	}
	decisions_free(d, n);
	s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

static char *
scores_json(struct store *st, int64_t id, char **cause)
{
	struct score *sc;
	size_t n;
	cJSON *o;
	char *s;

	if (store_scores_of(st, id, &sc, &n, cause) != 0)
		return NULL;
	o = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++)
		cJSON_AddNumberToObject(o, sc[i].metric, sc[i].value);
	scores_free(sc, n);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/*
 * The first source of the pair written in the export's own format (a COCO
 * file for COCO, a LLaVA file for LLaVA): its key and fields carry what the
 * format has a place for. 0 with *src (caller frees with sources_free; the
 * match is (*src)[*at]) or *src NULL when there is none; -1 on failure.
 */
static int
format_source(struct run *r, int64_t id, struct candidate_source **src, size_t *n,
    size_t *at, char **cause)
{
	const char *want = r->o->format == EXPORT_COCO ? "coco" :
	    r->o->format == EXPORT_LLAVA ? "llava" : NULL;

	*src = NULL;
	*n = 0;
	if (want == NULL)
		return 0;
	if (store_candidate_sources(r->st, id, src, n, cause) != 0)
		return -1;
	for (*at = 0; *at < *n; (*at)++)
		if ((*src)[*at].format != NULL && strcmp((*src)[*at].format, want) == 0)
			return 0;
	sources_free(*src, *n);
	*src = NULL;
	*n = 0;
	return 0;
}

/*
 * Where the item's image goes, by its name in the output: a copy or link in
 * images/ (COCO: once per distinct content), the absolute path with --images
 * ref (an object-store image through a name with its extension), the shard
 * member's name for WDS. NULL with r->fatal when placing failed.
 */
static char *
place_image(struct run *r, const struct candidate *c, const char *src, int *fd, size_t size,
    const char *ext, const char *key)
{
	char *image, content[SHA256_HEX_LEN + 1];
	const char *had;
	int dedup = r->seen != NULL;

	if (r->o->format == EXPORT_WDS)
		return xasprintf("%s.%s", key, ext);
	if (dedup) {
		if (c->object != NULL)
			snprintf(content, sizeof content, "%s", c->object);
		else if (sha256_file(src, content) != 0) {
			cause_set(&r->fatal, "%s: %s", src, strerror(errno));
			return NULL;
		}
		if ((had = export_seen_find(r->seen, content)) != NULL)
			return xstrdup(had);
	}
	if (r->o->images == EXPORT_IMAGES_REF)
		image = c->object != NULL ? export_object_named(src, ext, &r->fatal) :
		    xstrdup(src);
	else {
		image = xasprintf("images/%s.%s", key, ext);
		char *dst = xasprintf("%s/%s", r->tmp, image);
		int placed = r->o->images == EXPORT_IMAGES_LINK && link(src, dst) == 0, bad = 0;
		if (!placed) {
			/* The copier takes the descriptor: the writers of copied images never read it. */
			bad = export_copier_add(r->copier, *fd, size, src, image + strlen("images/"),
			    dst, &r->fatal) != 0;
			*fd = -1;
		}
		if (bad) {
			free(image);
			image = NULL;
		} else
			r->res->files++;
		free(dst);
	}
	if (image != NULL && dedup)
		export_seen_add(r->seen, content, image);
	return image;
}

/* store_select's callback: one candidate into the writer. */
static int
one(void *arg, int64_t id, int auto_selected)
{
	struct run *r = arg;
	struct candidate c, p[2];
	struct export_item it;
	const char *paug[2];
	char *src = NULL, *image = NULL, *dec = NULL, *sc = NULL, *why = NULL, key[32];
	const char *ext, *tok;
	struct candidate_source *fsrc = NULL;
	size_t nfsrc = 0, fat = 0, size = 0;
	int rc = 1, fd = -1;

	if (r->o->stop != NULL && *r->o->stop)
		return cause_set(&r->fatal, "interrupted"), 1;
	memset(p, 0, sizeof p);
	if (store_candidate_get(r->st, id, &c, &r->fatal) != 0)
		return 1;
	for (int k = 0; k < c.nparents; k++) {
		if (store_candidate_get(r->st, c.parents[k], &p[k], &r->fatal) != 0)
			goto out;
		paug[k] = p[k].aug_id;
	}
	/* Opened once, where it is checked: the sniff, the copy and WDS read this descriptor. */
	if ((src = store_candidate_image_open(r->st, &c, &fd, &size, &why)) == NULL) {
		skip(r, id, why != NULL ? why : xstrdup("no image"));
		rc = 0;
		goto out;
	}
	/* Before any file is placed: an item left out leaves nothing behind. */
	if ((tok = export_text_markup(r->o->format, c.text)) != NULL) {
		skip(r, id, xasprintf("the caption holds %s, which %s reads as markup (it has no"
		    " escape)", tok, export_format_name(r->o->format)));
		rc = 0;
		goto out;
	}
	if ((ext = export_sniff_fd(fd)) == NULL) {
		skip(r, id, xasprintf("%s: missing or not an image", src));
		rc = 0;
		goto out;
	}
	/* COCO has no place for an unknown size: the header says it. */
	if (r->o->format == EXPORT_COCO && (c.width <= 0 || c.height <= 0)) {
		struct image_info info;
		if (image_probe_file(src, &info, &why) != 0) {
			skip(r, id, why);
			rc = 0;
			goto out;
		}
		c.width = info.w;
		c.height = info.h;
	}
	/* Names come from the id and aug_id only: safe whatever was imported. */
	snprintf(key, sizeof key, "%08" PRId64 "-%.8s", id, c.aug_id);
	if ((image = place_image(r, &c, src, &fd, size, ext, key)) == NULL)
		goto out;
	if ((dec = decisions_json(r->st, id, &r->fatal)) == NULL ||
	    (sc = scores_json(r->st, id, &r->fatal)) == NULL ||
	    format_source(r, id, &fsrc, &nfsrc, &fat, &r->fatal) != 0)
		goto out;
	memset(&it, 0, sizeof it);
	it.id = id;
	it.aug_id = c.aug_id;
	it.key = key;
	it.text = c.text;
	it.op = c.op;
	it.op_version = c.op_version;
	it.params = c.params;
	it.has_seed = c.has_seed;
	it.seed = c.seed;
	it.model = c.model;
	it.prompt = c.prompt;
	it.meta = c.meta;
	it.image = image;
	it.image_src = src;
	it.image_open = fd >= 0;
	it.image_fd = fd;
	it.image_size = size;
	it.image_ext = ext;
	it.width = c.width;
	it.height = c.height;
	it.nparents = c.nparents;
	it.parent_aug_ids = paug;
	it.scores = sc;
	it.decisions = dec;
	it.auto_selected = auto_selected;
	if (fsrc != NULL) {
		it.source_key = fsrc[fat].key_is_id ? fsrc[fat].key : NULL;
		it.source_meta = fsrc[fat].meta;
	}
	if (export_write(r->w, &it, &r->fatal) != 0)
		goto out;
	r->res->exported++;
	r->res->auto_selected += auto_selected != 0;
	if (r->o->progress != NULL)
		r->o->progress(r->o->arg, r->res->exported);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(src);
	free(image);
	free(dec);
	free(sc);
	sources_free(fsrc, nfsrc);
	candidate_free(&c);
	candidate_free(&p[0]);
	candidate_free(&p[1]);
	return rc;
}

static int
write_manifest(struct run *r, char **cause)
{
	const struct exportrun_opts *o = r->o;
	struct threshold *t;
	size_t nt;
	cJSON *doc = cJSON_CreateObject(), *sel, *arr, *counts;
	char *text, *path;
	FILE *f;
	int rc = 0;

	cJSON_AddStringToObject(doc, "mmda_version", o->version ? o->version : "");
	cJSON_AddStringToObject(doc, "format", export_format_name(o->format));
	cJSON_AddNumberToObject(doc, "created_at", (double)now_unix());
	cJSON_AddStringToObject(doc, "database", o->database ? o->database : "");
	sel = cJSON_AddObjectToObject(doc, "selection");
	cJSON_AddStringToObject(sel, "select", select_mode_name(o->select.mode));
	cJSON_AddStringToObject(sel, "consensus", o->select.consensus ? o->select.consensus :
	    "majority");
	cJSON_AddBoolToObject(sel, "fill_passing", o->select.fill_passing);
	cJSON_AddStringToObject(doc, "images", export_images_name(o->images));
	if (o->format == EXPORT_WDS)
		cJSON_AddNumberToObject(doc, "shard_size", (double)o->shard_size);
	if (store_thresholds(r->st, NULL, &t, &nt, cause) != 0) {
		cJSON_Delete(doc);
		return -1;
	}
	arr = cJSON_AddArrayToObject(doc, "thresholds");
	for (size_t i = 0; i < nt; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "metric", t[i].metric);
		/* The scope as stored: a reader of the manifest sees which ops it judged. */
		cJSON_AddStringToObject(x, "scope", *t[i].scope == '\0' ? "default" :
		    strcmp(t[i].scope, "*") == 0 ? "all" : t[i].scope);
		if (t[i].has_min)
			cJSON_AddNumberToObject(x, "min", t[i].min);
		else
			cJSON_AddNullToObject(x, "min");
		if (t[i].has_max)
			cJSON_AddNumberToObject(x, "max", t[i].max);
		else
			cJSON_AddNullToObject(x, "max");
		cJSON_AddBoolToObject(x, "enabled", t[i].enabled);
		cJSON_AddItemToArray(arr, x);
	}
	thresholds_free(t, nt);
	counts = cJSON_AddObjectToObject(doc, "counts");
	cJSON_AddNumberToObject(counts, "exported", (double)r->res->exported);
	cJSON_AddNumberToObject(counts, "auto_selected", (double)r->res->auto_selected);
	cJSON_AddNumberToObject(counts, "files", (double)r->res->files + 1);
	cJSON_AddNumberToObject(counts, "skipped", (double)r->res->skipped);
	arr = cJSON_AddArrayToObject(doc, "skipped");
	for (size_t i = 0; i < r->res->nskips; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "id", (double)r->res->skips[i].id);
		cJSON_AddStringToObject(x, "reason", r->res->skips[i].reason);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON *est = r->o->estimate_json != NULL ? cJSON_Parse(r->o->estimate_json) : NULL;
	if (est != NULL)
		cJSON_AddItemToObject(doc, "estimated_precision", est);
	char *printed = cJSON_Print(doc);
	cJSON_Delete(doc);
	text = numfmt_json(printed);
	free(printed);
	path = xasprintf("%s/manifest.json", r->tmp);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fputc('\n', f) == EOF ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = cause_set(cause, "%s: %s", path, strerror(errno));
	if (f != NULL && fclose(f) != 0 && rc == 0)
		rc = cause_set(cause, "%s: %s", path, strerror(errno));
	r->res->files++;
	free(text);
	free(path);
	return rc;
}

/*
 * An existing --out is refused unless it is an empty folder (then replaced).
 * A symlink to one is followed: *real is the folder the export is renamed to
 * (the link itself cannot be replaced by a folder), else a copy of out.
 */
static int
check_out(const char *out, char **real, char **cause)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	int empty = 1;

	*real = NULL;
	if (lstat(out, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		if ((*real = realpath(out, NULL)) == NULL)
			return cause_set(cause, "%s: a symlink that leads nowhere (%s)", out,
			    strerror(errno));
		out = *real;
	} else
		*real = xstrdup(out);
	if (stat(out, &sb) != 0)
		return errno == ENOENT ? 0 : cause_set(cause, "%s: %s", out, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return cause_set(cause, "%s: exists and is not a folder", out);
	if ((d = opendir(out)) == NULL)
		return cause_set(cause, "%s: %s", out, strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty)
		return cause_set(cause, "%s: exists and is not empty (choose another --out)", out);
	return 0;
}

/*
 * The temp folder is ours, not the user's: a cause that names a file in it
 * names the same file under the folder the user gave instead.
 */
static void
unmask_tmp(char **cause, const char *tmp, const char *out)
{
	char *at;

	if (*cause == NULL || tmp == NULL || (at = strstr(*cause, tmp)) == NULL)
		return;
	char *fixed = xasprintf("%.*s%s%s", (int)(at - *cause), *cause, out, at + strlen(tmp));
	free(*cause);
	*cause = fixed;
}

int
exportrun(struct store *st, const struct exportrun_opts *o, struct exportrun_result *res,
    char **cause)
{
	struct export_opts wo = { o->shard_size, NULL };
	struct run r;
	char *dir, *base, *out;
	int rc = -1;

	memset(&r, 0, sizeof r);
	memset(res, 0, sizeof *res);
	r.images_fd = -1;
	r.st = st;
	/* res keeps its skips on failure too; the caller frees it either way. */
	r.o = o;
	r.res = res;
	if (check_out(o->out, &out, cause) != 0) {
		free(out);
		return -1;
	}
	split(out, &dir, &base);
	clean_stale(dir, base);
	r.tmp = xasprintf("%s/.%s.mmda-tmp-%ld", dir, base, (long)getpid());
	if (mkdir(r.tmp, 0777) != 0) {
		if (errno == ENOENT)
			cause_set(cause, "%s: cannot create it: folder %s does not exist", o->out,
			    dir);
		else
			cause_set(cause, "%s: cannot create it in %s: %s", o->out, dir,
			    strerror(errno));
		goto out;
	}
	if (o->format != EXPORT_WDS && o->images != EXPORT_IMAGES_REF) {
		char *images = xasprintf("%s/images", r.tmp);
		int bad = mkdir(images, 0777) != 0 ||
		    (r.images_fd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0;
		if (bad)
			cause_set(cause, "%s: %s", images, strerror(errno));
		free(images);
		if (bad)
			goto fail;
		r.copier = export_copier_start(r.images_fd, EXPORT_COPY_THREADS);
	}
	if (o->format == EXPORT_COCO)
		r.seen = export_seen_new();
	if ((r.w = export_open(o->format, r.tmp, &wo, cause)) == NULL)
		goto fail;
	if (store_select(st, &o->select, one, &r, cause) != 0) {
		if (r.fatal != NULL && cause != NULL) {
			free(*cause);
			*cause = r.fatal;
			r.fatal = NULL;
		}
		export_abort(r.w);
		goto fail;
	}
	/* Every copy made before the writer seals its files. */
	int copied = export_copier_finish(r.copier, cause);
	r.copier = NULL;
	if (copied != 0) {
		export_abort(r.w);
		goto fail;
	}
	int64_t files = 0;
	if (export_close(r.w, &files, cause) != 0)
		goto fail;
	res->files += files;
	if (write_manifest(&r, cause) != 0)
		goto fail;
	/* Everything is on disk before the folder gets its real name. */
	sync();
	rmdir(out); /* an empty --out, checked above */
	if (rename(r.tmp, out) != 0) {
		cause_set(cause, "%s: %s", out, strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	/* No copy may still be writing into the folder being removed. */
	export_copier_finish(r.copier, NULL);
	r.copier = NULL;
	rm_tree(r.tmp);
out:
	if (rc != 0 && cause != NULL)
		unmask_tmp(cause, r.tmp, o->out);
	if (r.images_fd >= 0)
		close(r.images_fd);
	export_seen_free(r.seen);
	free(r.fatal);
	free(r.tmp);
	free(dir);
	free(base);
	free(out);
	return rc;
}
