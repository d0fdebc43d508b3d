/* SPDX-License-Identifier: MIT */
/*
 * WebDataset shards: a streaming ustar reader (GNU long names, pax path and
 * size records, base-256 sizes, checksums checked) that groups consecutive
 * members sharing a key (dir/000123.jpg + dir/000123.txt) into samples. Only
 * the image and caption members of a sample are held in memory; a damaged
 * archive stops the shard at the damage, keeping the pairs before it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ingest/import_priv.h"
#include "core/base/safefile.h"

#define WDS_MEMBER_MAX ((uint64_t)256 << 20)
#define WDS_NAME_MAX ((uint64_t)1 << 20) /* a GNU long name or a pax header */
#define WDS_BLOCK 512

struct wds_sample {
	char *key;
	unsigned char *img;
	size_t imglen;
	char *imgname;
	char *txt;  /* the .txt member, NUL-terminated */
	size_t txtlen;
	char *json; /* the .json member, NUL-terminated */
	size_t jsonlen;
	int dead;   /* already reported; deliver nothing */
};

struct wds {
	struct imp *im;
	FILE *f;
	const char *shard; /* the file name, for image_name */
	uint64_t pos, fsize;
	char *longname;    /* from a GNU 'L' or pax 'x' header, for the next member */
	int pax_has_size;
	uint64_t pax_size;
	struct wds_sample s;
};

static void
wds_sample_free(struct wds_sample *s)
{
	free(s->key);
	free(s->img);
	free(s->imgname);
	free(s->txt);
	free(s->json);
	memset(s, 0, sizeof *s);
}

/* An octal field: optional leading spaces, digits, then space/NUL or the end. */
static int
wds_octal(const unsigned char *f, size_t n, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return -1;
	*out = v;
	return 0;
}

/* A numeric field: octal, or GNU base-256 when the top bit of the first byte is set. */
static int
wds_number(const unsigned char *f, size_t n, uint64_t *out)
{
	if ((f[0] & 0x80) == 0)
		return wds_octal(f, n, out);
	if (f[0] != 0x80)
		return -1; /* negative */
	uint64_t v = 0;
	for (size_t i = 1; i < n; i++) {
		if (v >> 56 != 0)
			return -1;
		v = (v << 8) | f[i];
	}
	*out = v;
	return 0;
}

static int
wds_checksum_ok(const unsigned char *h)
{
	uint64_t want;
	if (wds_octal(h + 148, 8, &want) != 0)
		return 0;
	/* Old writers summed signed chars; both sums are accepted, as GNU tar does. */
	int64_t u = 0, s = 0;
	for (size_t i = 0; i < WDS_BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];
		u += c;
		s += (signed char)c;
	}
	return (int64_t)want == u || (int64_t)want == s;
}

static uint64_t
wds_padded(uint64_t n)
{
	return (n + WDS_BLOCK - 1) / WDS_BLOCK * WDS_BLOCK;
}

static int
wds_read(struct wds *w, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, w->f);
	w->pos += got;
	return got == n ? 0 : -1;
}

static int
wds_seek(struct wds *w, uint64_t n)
{
	if (n == 0)
		return 0;
	if (fseeko(w->f, (off_t)n, SEEK_CUR) != 0)
		return -1;
	w->pos += n;
	return 0;
}

/* Steps over a member's data and padding; the caller checked it is all there. */
static int
wds_skip(struct wds *w, uint64_t size)
{
	return wds_seek(w, wds_padded(size));
}

/* Reads a member's data (NUL-terminated) and steps over its padding. */
static int
wds_data(struct wds *w, uint64_t size, char **out)
{
	char *p = xmalloc((size_t)size + 1);
	if (wds_read(w, p, (size_t)size) != 0 || wds_seek(w, wds_padded(size) - size) != 0) {
		free(p);
		return -1;
	}
	p[size] = '\0';
	*out = p;
	return 0;
}

/* Reads the caption of the finished sample from its .txt or .json member. */
static const char *
wds_caption(struct wds_sample *s, cJSON **doc, char *why, size_t whylen)
{
	if (s->txt != NULL) {
		while (s->txtlen > 0 && (s->txt[s->txtlen - 1] == '\n' ||
		    s->txt[s->txtlen - 1] == '\r'))
			s->txt[--s->txtlen] = '\0';
		if (memchr(s->txt, '\0', s->txtlen) != NULL) {
			snprintf(why, whylen, "caption contains a NUL character");
			return NULL;
		}
		return s->txt;
	}
	char jwhy[160];
	if ((*doc = json_parse(s->json, s->jsonlen, jwhy, sizeof jwhy)) == NULL) {
		snprintf(why, whylen, ".json member: %s", jwhy);
		return NULL;
	}
	const cJSON *cap = cJSON_GetObjectItemCaseSensitive(*doc, "caption");
	if (cap == NULL || cJSON_IsNull(cap))
		cap = cJSON_GetObjectItemCaseSensitive(*doc, "text");
	if (!cJSON_IsString(cap)) {
		snprintf(why, whylen, ".json member has no \"caption\" or \"text\" string");
		return NULL;
	}
	if (json_has_nul(cap)) {
		snprintf(why, whylen, "caption contains a NUL character");
		return NULL;
	}
	return cap->valuestring;
}

/* Delivers or reports the sample just finished. */
static int
wds_flush(struct wds *w)
{
	struct wds_sample *s = &w->s;
	int rc = 0;
	cJSON *doc = NULL;
	char why[200];
	const char *text;
	if (s->key == NULL || s->dead)
		;
	else if (s->img == NULL)
		rc = imp_error(w->im, 0, s->key, "no image in the sample (.jpg, .jpeg, .png, "
		    ".webp or .gif)");
	else if (s->txt == NULL && s->json == NULL)
		rc = imp_error(w->im, 0, s->key, "no caption in the sample (.txt or .json)");
	else if ((text = wds_caption(s, &doc, why, sizeof why)) == NULL)
		rc = imp_error(w->im, 0, s->key, "%s", why);
	else if (imp_blank(text))
		rc = imp_error(w->im, 0, s->key, "empty caption");
	else {
		char *name = xasprintf("%s/%s", w->shard, s->imgname);
		struct import_record r = { .line = 0, .key = s->key, .key_is_id = 1,
			.image_data = s->img, .image_len = s->imglen, .image_name = name,
			.text = text };
		rc = imp_pair(w->im, &r);
		free(name);
	}
	cJSON_Delete(doc);
	wds_sample_free(s);
	return rc;
}

/*
 * Damage: the sample in hand is settled first (delivered when whole, dropped
 * when the damage is inside it), then the damage is reported and the rest of
 * the shard abandoned. Returns 1, or -1 when the sink stopped.
 */
static int
wds_damage(struct wds *w, const char *member, const char *reason)
{
	if (wds_flush(w) != 0)
		return -1;
	char *key = member != NULL ? imp_printable(member, strlen(member)) : NULL;
	int rc = imp_error(w->im, 0, key, "%s; rest of the shard skipped", reason);
	free(key);
	return rc != 0 ? -1 : 1;
}

/* Takes path= and size= from a pax extended header ("LEN key=value\n" records). */
static void
wds_pax(struct wds *w, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		size_t len = 0;
		const char *q = p;
		while (q < end && *q >= '0' && *q <= '9' && len < n)
			len = len * 10 + (size_t)(*q++ - '0');
		if (q >= end || *q != ' ' || len == 0 || len > (size_t)(end - p))
			return;
		const char *kv = q + 1, *rend = p + len - 1; /* rend: the record's '\n' */
		if (rend < kv || *rend != '\n')
			return;
		const char *eq = memchr(kv, '=', (size_t)(rend - kv));
		if (eq != NULL && eq - kv == 4 && memcmp(kv, "path", 4) == 0) {
			free(w->longname);
			w->longname = xstrndup(eq + 1, (size_t)(rend - eq - 1));
		} else if (eq != NULL && eq - kv == 4 && memcmp(kv, "size", 4) == 0) {
			char *v = xstrndup(eq + 1, (size_t)(rend - eq - 1));
			int64_t sz;
			if (parse_int64(v, 0, INT64_MAX, &sz) == 0) {
				w->pax_has_size = 1;
				w->pax_size = (uint64_t)sz;
			}
			free(v);
		}
		p += len;
	}
}

/*
 * The member's path: a pending long name, else ustar prefix + "/" + name.
 * The extension headers themselves leave a pending long name for the member
 * they describe.
 */
static char *
wds_name(struct wds *w, const unsigned char *h)
{
	int extension = h[156] == 'L' || h[156] == 'K' || h[156] == 'x' || h[156] == 'g';
	if (w->longname != NULL && !extension) {
		char *n = w->longname;
		w->longname = NULL;
		return n;
	}
	char *name = xstrndup((const char *)h, 100);
	if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345] != '\0') {
		char *prefix = xstrndup((const char *)h + 345, 155);
		char *full = xasprintf("%s/%s", prefix, name);
		free(prefix);
		free(name);
		return full;
	}
	return name;
}

enum wds_kind { WDS_OTHER, WDS_IMAGE, WDS_TXT, WDS_JSON };

/* Sorts a regular member into its sample; *key gets the sample key. */
static enum wds_kind
wds_classify(const char *name, char **key)
{
	static const char *const images[] = { "jpg", "jpeg", "png", "webp", "gif" };
	const char *base = strrchr(name, '/');
	base = base != NULL ? base + 1 : name;
	const char *dot = strchr(base, '.');
	*key = NULL;
	if (dot == NULL || dot == base)
		return WDS_OTHER; /* not part of any sample, as in webdataset */
	*key = xstrndup(name, (size_t)(dot - name));
	const char *ext = dot + 1;
	for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
		if (strcasecmp(ext, images[i]) == 0)
			return WDS_IMAGE;
	}
	if (strcasecmp(ext, "txt") == 0)
		return WDS_TXT;
	if (strcasecmp(ext, "json") == 0)
		return WDS_JSON;
	return WDS_OTHER;
}

/*
 * A regular member: joins (or starts) a sample and is read if the sample
 * needs it. Returns 0, 1 when the rest of the shard must be abandoned (already
 * reported), or -1 when the sink stopped.
 */
static int
wds_member(struct wds *w, char *name, uint64_t size)
{
	char *key;
	enum wds_kind kind = wds_classify(name, &key);
	int rc = 0, key_of_sample = key != NULL;
	if (key != NULL && (w->s.key == NULL || strcmp(w->s.key, key) != 0)) {
		if ((rc = wds_flush(w)) != 0) {
			free(key);
			return -1;
		}
		w->s.key = key;
	} else
		free(key);
	struct wds_sample *s = &w->s;
	int want = !s->dead && ((kind == WDS_IMAGE && s->img == NULL) ||
	    (kind == WDS_TXT && s->txt == NULL) || (kind == WDS_JSON && s->json == NULL));
	if (w->pos + wds_padded(size) > w->fsize) {
		if (key_of_sample)
			s->dead = 1; /* the member cut short belongs to it */
		return wds_damage(w, name, "truncated archive: the member's data is cut short");
	}
	if (want && size > WDS_MEMBER_MAX) {
		s->dead = 1;
		char *p = imp_printable(name, strlen(name));
		rc = imp_error(w->im, 0, p, "member too large (%llu bytes; the limit is %llu "
		    "MiB)", (unsigned long long)size, (unsigned long long)(WDS_MEMBER_MAX >> 20));
		free(p);
		if (rc != 0)
			return -1;
		want = 0;
	}
	if (!want)
		return wds_skip(w, size) == 0 ? 0 : 1;
	char *data;
	if (wds_data(w, size, &data) != 0) {
		s->dead = 1;
		return wds_damage(w, name, "read error or truncated archive");
	}
	if (kind == WDS_IMAGE) {
		s->img = (unsigned char *)data;
		s->imglen = (size_t)size;
		s->imgname = xstrdup(name);
	} else if (kind == WDS_TXT) {
		s->txt = data;
		s->txtlen = (size_t)size;
	} else {
		s->json = data;
		s->jsonlen = (size_t)size;
	}
	return 0;
}

/* One header and its data. Returns 0 to go on, 1 at the end (or damage), -1 to stop. */
static int
wds_next(struct wds *w)
{
	unsigned char h[WDS_BLOCK];
	static const unsigned char zero[WDS_BLOCK];
	if (w->pos == w->fsize)
		return wds_damage(w, NULL, "truncated archive: no end-of-archive blocks");
	if (wds_read(w, h, sizeof h) != 0)
		return wds_damage(w, NULL, "truncated archive: a member header is cut short");
	if (memcmp(h, zero, sizeof h) == 0) {
		/* The end is two zero blocks; a lone one at the end of the file will do. */
		if (w->pos == w->fsize || (wds_read(w, h, sizeof h) == 0 &&
		    memcmp(h, zero, sizeof h) == 0))
			return 1;
		return wds_damage(w, NULL, "a zero block in the middle of the archive");
	}
	char *name = wds_name(w, h);
	int rc;
	uint64_t size;
	if (!wds_checksum_ok(h) || wds_number(h + 124, 12, &size) != 0) {
		rc = wds_damage(w, name, !wds_checksum_ok(h) ? "bad header checksum" :
		    "bad size field");
		free(name);
		return rc;
	}
	if (w->pax_has_size && h[156] != 'x' && h[156] != 'g') {
		size = w->pax_size;
		w->pax_has_size = 0;
	}
	char type = (char)h[156];
	rc = 0;
	if (type == 'L' || type == 'x') {
		char *data;
		if (size > WDS_NAME_MAX || w->pos + wds_padded(size) > w->fsize ||
		    wds_data(w, size, &data) != 0)
			rc = wds_damage(w, name, type == 'L' ? "bad or truncated long-name header" :
			    "bad or truncated pax header");
		else if (type == 'L') {
			free(w->longname);
			w->longname = xstrdup(data); /* stops at the first NUL */
			free(data);
		} else {
			wds_pax(w, data, (size_t)size);
			free(data);
		}
	} else if (type == '0' || type == '\0' || type == '7')
		rc = wds_member(w, name, size);
	else if (w->pos + wds_padded(size) > w->fsize || wds_skip(w, size) != 0)
		rc = wds_damage(w, name, "truncated archive: the member's data is cut short");
	/* Directories, links and the like are stepped over. */
	free(name);
	return rc;
}

int
import_wds(struct imp *im)
{
	struct wds w = { .im = im };
	size_t fsize;
	int fd = file_open_regular(im->path, SIZE_MAX, &fsize, im->cause);
	if (fd < 0)
		return -1;
	if ((w.f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return cause_set(im->cause, "%s: %s", im->path, strerror(errno));
	}
	setvbuf(w.f, NULL, _IOFBF, (size_t)1 << 20);
	w.fsize = (uint64_t)fsize;
	const char *slash = strrchr(im->path, '/');
	w.shard = slash != NULL ? slash + 1 : im->path;
	int rc;
	while ((rc = wds_next(&w)) == 0)
		;
	/* At the end of the archive the last sample is whole. */
	if (rc > 0)
		rc = wds_flush(&w);
	wds_sample_free(&w.s);
	free(w.longname);
	fclose(w.f);
	return rc < 0 ? -1 : 0;
}
