/* SPDX-License-Identifier: MIT */
/*
 * The import driver between the format readers and the store. Batches commit
 * after INGEST_BATCH_MS so other annotators' decisions are not held up by a
 * long import (by time, not by count: a commit rewrites every index page the
 * batch touched, and random aug_ids touch nearly all of them, so 20,000-pair
 * batches made an import of a million pairs 18 s instead of 10 s, while an
 * import that decodes each image held the lock for 20 s a batch); --strict
 * runs the whole source in one transaction instead, so its first bad record
 * leaves the database as it was.
 */
#include "core/ingest/ingest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/augid.h"
#include "core/image/image.h"
#include "core/base/objects.h"
#include "core/base/safefile.h"
#include "core/base/utf8.h"
#include "core/base/util.h"

#define INGEST_BATCH_MS 1000
#define INGEST_CLOCK_EVERY 256 /* pairs between looks at the clock */

struct run {
	struct store *st;
	const struct ingest_opts *opts;
	struct ingest_result *res;
	const char *root;
	int64_t root_id;
	int64_t source_id;
	int64_t in_batch;
	int64_t batch_start;  /* now_mono_ms() when the open batch began */
	int since_clock;      /* pairs since the clock was last read */
	char *fatal; /* a store failure or a strict stop */
};

void
ingest_result_free(struct ingest_result *res)
{
	for (size_t i = 0; i < res->nerrors; i++) {
		free(res->errors[i].source);
		free(res->errors[i].key);
		free(res->errors[i].reason);
	}
	free(res->errors);
	memset(res, 0, sizeof *res);
}

/* Records a bad record; returns non-zero to stop the reader under --strict. */
static int
bad(struct run *r, const char *source, long line, const char *key, const char *reason)
{
	struct ingest_error e = { (char *)source, line, (char *)key, (char *)reason };

	r->res->skipped++;
	if (r->opts->report != NULL)
		r->opts->report(r->opts->arg, &e);
	if (r->res->nerrors < INGEST_MAX_ERRORS) {
		struct ingest_error *k;
		r->res->errors = xreallocarray(r->res->errors, r->res->nerrors + 1,
		    sizeof *r->res->errors);
		k = &r->res->errors[r->res->nerrors++];
		k->source = xstrdup(source ? source : "");
		k->line = line;
		k->key = key ? xstrdup(key) : NULL;
		k->reason = xstrdup(reason);
	}
	if (r->opts->strict) {
		if (line > 0)
			cause_set(&r->fatal, "%s:%ld: stopped at this bad record (--strict);"
			    " nothing from this source was kept", source, line);
		else
			cause_set(&r->fatal, "%s: %s: stopped at this bad record (--strict);"
			    " nothing from this source was kept", source, key ? key : "?");
		return 1;
	}
	return 0;
}

static int
on_error(void *ctx, const char *source, long line, const char *key, const char *reason)
{
	return bad(ctx, source, line, key, reason);
}

int
ingest_path_relative(const char *root, const char *path, char **rel, char **cause)
{
	char *buf, *out, *tok, *save = NULL;
	size_t rootlen = strlen(root), o = 0;
	const char *p = path;

	if (*path == '\0')
		return cause_set(cause, "empty image path");
	if (strstr(path, "://") != NULL)
		return cause_set(cause, "%s: remote images are not supported (download them first)",
		    path);
	if (path[0] == '/') {
		/* An absolute path is accepted only when it names a file under the root. */
		if (strncmp(path, root, rootlen) != 0 ||
		    (path[rootlen] != '/' && !(rootlen == 1 && root[0] == '/')))
			return cause_set(cause, "%s: path outside the dataset root %s", path, root);
		p = path + rootlen;
	}
	buf = xstrdup(p);
	out = xmalloc(strlen(p) + 1);
	for (tok = strtok_r(buf, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (o == 0) {
				free(buf);
				free(out);
				return cause_set(cause, "%s: path outside the dataset root", path);
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, tok, strlen(tok));
		o += strlen(tok);
	}
	out[o] = '\0';
	free(buf);
	if (o == 0) {
		free(out);
		return cause_set(cause, "%s: not a file path", path);
	}
	*rel = out;
	return 0;
}

static int
flush_batch(struct run *r)
{
	if (r->opts->strict || ++r->since_clock < INGEST_CLOCK_EVERY)
		return 0;
	r->since_clock = 0;
	int64_t now = now_mono_ms();
	if (r->in_batch == 0 || now - r->batch_start < INGEST_BATCH_MS)
		return 0;
	if (store_commit(r->st, &r->fatal) != 0 || store_begin(r->st, &r->fatal) != 0)
		return -1;
	r->in_batch = 0;
	r->batch_start = now;
	return 0;
}

/* The content hash of a stored original's file, read only inside its root (by real path). */
static int
hash_stored(const char *root, const char *rel, char hex[SHA256_HEX_LEN + 1])
{
	char *full = xasprintf("%s/%s", root, rel), *real = NULL;
	int rc = -1;

	if (path_contain(root, full, 0, &real, NULL) == 0 && real != NULL)
		rc = sha256_file(real, hex);
	free(real);
	free(full);
	return rc;
}

/*
 * The pre-check (the path or member name, and the caption) met original *id
 * whose image is elsewhere (store_add_original said 2). It is the same pair
 * only when the image bytes are the same too: both are hashed (the stored
 * one's hash is kept for next time). A different image becomes a candidate
 * of its own, named by its content. Returns 1 when that candidate was added,
 * 0 when the pair was there already (this source is kept beside the
 * others), -1 with *why. *id names the pair either way.
 */
static int
settle_clash(struct run *r, struct store_original *o, const char *abs, int64_t *id, char **why)
{
	struct original_image x;
	char mine[SHA256_HEX_LEN + 1], theirs[SHA256_HEX_LEN + 1];
	int have_mine, have_theirs = 0, same, rc;

	if (store_original_image(r->st, *id, &x, why) != 0)
		return -1;
	if (o->object != NULL) {
		snprintf(mine, sizeof mine, "%s", o->object);
		have_mine = 1;
	} else
		have_mine = abs != NULL && sha256_file(abs, mine) == 0;
	if (x.content != NULL || x.object != NULL) {
		snprintf(theirs, sizeof theirs, "%s", x.content ? x.content : x.object);
		have_theirs = 1;
	} else if (x.root != NULL && hash_stored(x.root, x.image_path, theirs) == 0) {
		have_theirs = 1;
		if (store_original_set_content(r->st, *id, theirs, why) != 0) {
			original_image_free(&x);
			return -1;
		}
	}
	same = have_mine && have_theirs && strcmp(mine, theirs) == 0 &&
	    strcmp(x.text, o->text) == 0;
	original_image_free(&x);
	if (same)
		return store_original_add_source(r->st, *id, o, why) < 0 ? -1 : 0;
	/* An image we cannot read is told apart by where it is: never merged blind. */
	char *where = have_mine ? NULL : xasprintf("%s/%s", r->root,
	    o->image_path ? o->image_path : o->object);
	augid_original_content(have_mine ? mine : NULL, where, o->text, o->aug_id);
	free(where);
	o->content = have_mine ? mine : NULL;
	rc = store_add_original(r->st, o, id, why);
	o->content = NULL;
	/* 2 again: the same content and text under another path, which is this pair. */
	if (rc == 2)
		rc = store_original_add_source(r->st, *id, o, why) < 0 ? -1 : 0;
	return rc;
}

static int
on_pair(void *ctx, const struct import_record *rec)
{
	struct run *r = ctx;
	struct store_original o;
	char *rel = NULL, *why = NULL, *abs = NULL, hex[SHA256_HEX_LEN + 1];
	size_t at, tlen = strlen(rec->text);
	int64_t id;
	int rc;

	memset(&o, 0, sizeof o);
	if (tlen == 0)
		return bad(r, rec->source, rec->line, rec->key, "empty caption");
	if (tlen > INGEST_MAX_TEXT) {
		char *m = xasprintf("caption of %zu bytes is over the %u-byte limit", tlen,
		    INGEST_MAX_TEXT);
		rc = bad(r, rec->source, rec->line, rec->key, m);
		free(m);
		return rc;
	}
	if (!utf8_valid(rec->text, tlen, &at)) {
		char *m = xasprintf("caption is not valid UTF-8 (byte %zu)", at);
		rc = bad(r, rec->source, rec->line, rec->key, m);
		free(m);
		return rc;
	}
	if (!utf8_valid(rec->key, strlen(rec->key), NULL))
		return bad(r, rec->source, rec->line, NULL, "id is not valid UTF-8");

	if (rec->image_data != NULL) {
		struct image_info info;
		if (image_probe_mem(rec->image_data, rec->image_len, rec->image_name, &info,
		    &why) != 0) {
			rc = bad(r, rec->source, rec->line, rec->key, why);
			free(why);
			return rc;
		}
		if (!utf8_valid(rec->image_name, strlen(rec->image_name), NULL))
			return bad(r, rec->source, rec->line, rec->key,
			    "member name is not valid UTF-8");
		if (objects_put(store_objects_dir(r->st), rec->image_data, rec->image_len, hex,
		    &r->fatal) != 0 ||
		    store_add_object(r->st, hex, image_format_name(info.format), info.w, info.h,
		    (int64_t)rec->image_len, &r->fatal) != 0)
			return 1;
		o.object = hex;
		o.content = hex;
		o.width = info.w;
		o.height = info.h;
		augid_original(rec->image_name, rec->text, o.aug_id);
	} else {
		if (!utf8_valid(rec->image, strlen(rec->image), NULL))
			return bad(r, rec->source, rec->line, rec->key,
			    "image path is not valid UTF-8");
		if (ingest_path_relative(r->root, rec->image, &rel, &why) != 0) {
			rc = bad(r, rec->source, rec->line, rec->key, why);
			free(why);
			return rc;
		}
		abs = xasprintf("%s/%s", r->root, rel);
		/* The text stays inside the root; a symlink on the way may not. */
		if (path_contain(r->root, abs, !r->opts->verify, NULL, &why) != 0) {
			rc = bad(r, rec->source, rec->line, rec->key, why);
			free(why);
			free(abs);
			free(rel);
			return rc;
		}
		if (r->opts->verify) {
			struct image_info info;
			if (image_probe_file(abs, &info, &why) != 0) {
				rc = bad(r, rec->source, rec->line, rec->key, why);
				free(why);
				free(abs);
				free(rel);
				return rc;
			}
			uint64_t limit = r->opts->max_pixels ? r->opts->max_pixels :
			    IMAGE_DEFAULT_MAX_PIXELS;
			if ((uint64_t)info.w * (uint64_t)info.h > limit) {
				char *m = xasprintf("%s: %dx%d is over the %llu-pixel limit", rel,
				    info.w, info.h, (unsigned long long)limit);
				rc = bad(r, rec->source, rec->line, rec->key, m);
				free(m);
				free(abs);
				free(rel);
				return rc;
			}
			o.width = info.w;
			o.height = info.h;
		}
		o.image_path = rel;
		augid_original(rel, rec->text, o.aug_id);
	}
	o.root_id = r->root_id;
	o.text = rec->text;
	o.src_key = rec->key;
	o.key_is_id = rec->key_is_id;
	o.source_id = r->source_id;
	o.meta = rec->meta;
	rc = store_add_original(r->st, &o, &id, &why);
	if (rc == 2)
		rc = settle_clash(r, &o, abs, &id, &why);
	free(abs);
	free(rel);
	if (rc < 0) {
		/* A duplicate id is the record's fault; anything else is the store's. */
		if (why != NULL && str_starts(why, "duplicate id")) {
			rc = bad(r, rec->source, rec->line, rec->key, why);
			free(why);
			return rc;
		}
		r->fatal = why;
		return 1;
	}
	if (rc == 1) {
		r->res->imported++;
		r->in_batch++;
	} else
		r->res->existing++;
	return flush_batch(r) != 0;
}

/* The dataset root: --root, or the folder the source is in (a folder source is its own). */
static char *
root_of(const char *path, const char *root, enum import_format fmt, char **cause)
{
	char *dir, *abs, *slash;
	struct stat sb;

	if (root != NULL)
		dir = xstrdup(root);
	else if (fmt == IMPORT_DIR || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)))
		dir = xstrdup(path);
	else {
		dir = xstrdup(path);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	abs = realpath(dir, NULL);
	if (abs == NULL) {
		cause_set(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	free(dir);
	return abs;
}

int
ingest_source(struct store *st, const char *path, const struct ingest_opts *opts,
    struct ingest_result *res, char **cause)
{
	struct import_sink sink;
	struct run r;
	enum import_format fmt = opts->format;
	int64_t imported0 = res->imported, existing0 = res->existing;
	int rc;

	memset(&r, 0, sizeof r);
	r.st = st;
	r.opts = opts;
	r.res = res;
	if (fmt == IMPORT_AUTO && (fmt = import_detect(path, cause)) == IMPORT_AUTO)
		return -1;
	char *root = root_of(path, opts->root, fmt, cause);
	if (root == NULL)
		return -1;
	r.root = root;
	if (store_begin(st, cause) != 0) {
		free(root);
		return -1;
	}
	r.batch_start = now_mono_ms();
	char *src_abs = realpath(path, NULL);
	if (store_root_id(st, root, &r.root_id, cause) != 0 ||
	    store_source_id(st, r.root_id, src_abs ? src_abs : path, import_format_name(fmt),
	    &r.source_id, cause) != 0) {
		store_rollback(st);
		free(src_abs);
		free(root);
		return -1;
	}
	free(src_abs);
	sink.pair = on_pair;
	sink.error = on_error;
	sink.ctx = &r;
	rc = import_read(path, fmt, &sink, cause);
	if (r.fatal != NULL) {
		/* Our reason (a strict stop, a store failure) says more than the reader's. */
		if (cause != NULL) {
			free(*cause);
			*cause = r.fatal;
		} else
			free(r.fatal);
		rc = -1;
	}
	if (rc != 0) {
		store_rollback(st);
		res->imported -= r.in_batch; /* the open batch is gone */
		if (opts->strict) {
			/* Nothing of this source was kept. */
			res->imported = imported0;
			res->existing = existing0;
		}
		free(root);
		return -1;
	}
	rc = store_commit(st, cause);
	free(root);
	return rc;
}
