/* SPDX-License-Identifier: MIT */
/*
 * COCO captions: captions.json with "images" and "annotations". The two lists
 * are streamed into two temporary files inside the export folder while the
 * items come, and joined into captions.json at close, so no caption is held
 * in memory. Several captions of one image (the same image string) share one
 * image entry: image ids are 1, 2, ... in order of first appearance, found
 * again through a hash map from image string to id, which costs memory in the
 * number of distinct images (a string and an id each), not in the items.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/export/export_priv.h"

#define COCO_IMAGES_TMP ".captions-images.tmp"
#define COCO_ANNS_TMP ".captions-annotations.tmp"

struct coco_slot {
	char *image; /* NULL when the slot is free */
	int64_t id;
};

struct coco {
	struct export_file images; /* the "images" entries so far */
	struct export_file anns;   /* the "annotations" entries so far */
	char *images_path, *anns_path;
	struct coco_slot *slots;   /* open addressing, at most half full */
	size_t cap;
	int64_t nimages;
};

/* FNV-1a: the keys are short paths, and nothing adversarial picks them. */
static uint64_t
coco_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct coco_slot *
coco_find(struct coco_slot *slots, size_t cap, const char *image)
{
	size_t i = (size_t)coco_hash(image) & (cap - 1);

	while (slots[i].image != NULL && strcmp(slots[i].image, image) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void
coco_grow(struct coco *c)
{
	size_t ncap = c->cap * 2;
	struct coco_slot *ns = xcalloc(ncap, sizeof *ns);

	for (size_t i = 0; i < c->cap; i++) {
		if (c->slots[i].image != NULL)
			*coco_find(ns, ncap, c->slots[i].image) = c->slots[i];
	}
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
}

/* The id of image, and whether it is new (its entry still to be written). */
static int64_t
coco_image_id(struct coco *c, const char *image, int *isnew)
{
	struct coco_slot *s = coco_find(c->slots, c->cap, image);

	*isnew = s->image == NULL;
	if (!*isnew)
		return s->id;
	if ((size_t)(c->nimages + 1) * 2 > c->cap) {
		coco_grow(c);
		s = coco_find(c->slots, c->cap, image);
	}
	s->image = xstrdup(image);
	s->id = ++c->nimages;
	return s->id;
}

/*
 * The id the pair had in a COCO source, as ,"name":ID: the image's from its
 * meta ({"coco_image_id": N}) or, with meta NULL, the annotation's from its
 * key. A number stays a number. Nothing is written when there is none; -1
 * when meta does not parse.
 */
static int
coco_source_id(FILE *f, const char *name, const char *meta, const char *key)
{
	if (meta != NULL) {
		cJSON *doc = cJSON_Parse(meta);
		if (doc == NULL)
			return -1;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "coco_image_id");
		char *p = v != NULL && (cJSON_IsNumber(v) || cJSON_IsString(v)) ?
		    cJSON_PrintUnformatted(v) : NULL;
		if (p != NULL)
			fprintf(f, ",\"%s\":%s", name, p);
		cJSON_free(p);
		cJSON_Delete(doc);
		return 0;
	}
	if (key == NULL || *key == '\0')
		return 0;
	size_t digits = strspn(key, "0123456789");
	fprintf(f, ",\"%s\":", name);
	/* Digits only, no leading zero, and short enough for a double: a JSON number. */
	if (key[digits] == '\0' && digits <= 15 && (key[0] != '0' || digits == 1))
		fputs(key, f);
	else
		export_json_str(f, key);
	return 0;
}

static int
coco_open(struct export_writer *w, char **cause)
{
	struct coco *c = xcalloc(1, sizeof *c);

	w->state = c;
	c->cap = 64;
	c->slots = xcalloc(c->cap, sizeof *c->slots);
	if (export_file_open(w, &c->images, COCO_IMAGES_TMP, cause) != 0)
		return -1;
	c->images_path = xstrdup(c->images.path);
	if (export_file_open(w, &c->anns, COCO_ANNS_TMP, cause) != 0)
		return -1;
	c->anns_path = xstrdup(c->anns.path);
	return 0;
}

static int
coco_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	struct coco *c = w->state;
	int isnew;
	int64_t image_id = coco_image_id(c, it->image, &isnew);

	if (isnew) {
		FILE *f = c->images.f;
		fprintf(f, "%s\n{\"id\":%lld,\"file_name\":", image_id > 1 ? "," : "",
		    (long long)image_id);
		export_json_str(f, it->image);
		/* The run reads unknown sizes from the header; null only for a caller that
		 * could not, rather than a made-up 0. */
		if (it->width > 0 && it->height > 0)
			fprintf(f, ",\"width\":%d,\"height\":%d", it->width, it->height);
		else
			fputs(",\"width\":null,\"height\":null", f);
		if (coco_source_id(f, "coco_id", it->source_meta, NULL) != 0)
			return cause_set(cause, "export: item %s: meta is not valid JSON",
			    export_item_label(it));
		fputc('}', f);
		if (export_file_check(&c->images, cause) != 0)
			return -1;
	}
	FILE *f = c->anns.f;
	fprintf(f, "%s\n{\"id\":%lld,\"image_id\":%lld,\"caption\":", w->items > 0 ? "," : "",
	    (long long)w->items + 1, (long long)image_id);
	export_json_str(f, it->text);
	fputs(",\"aug_id\":", f);
	export_json_str(f, it->aug_id);
	if (it->source_key != NULL)
		coco_source_id(f, "coco_id", NULL, it->source_key);
	fputc('}', f);
	return export_file_check(&c->anns, cause);
}

static int
coco_finish(struct export_writer *w, char **cause)
{
	struct coco *c = w->state;

	/* The temporaries are read back, not kept: flushed, never fsynced. */
	if (fflush(c->images.f) != 0 || export_file_check(&c->images, cause) != 0)
		return cause_set(cause, "%s: write failed", c->images_path);
	if (fflush(c->anns.f) != 0 || export_file_check(&c->anns, cause) != 0)
		return cause_set(cause, "%s: write failed", c->anns_path);
	if (export_file_open(w, &w->out, "captions.json", cause) != 0)
		return -1;
	FILE *f = w->out.f;
	fputs("{\"info\":{\"description\":\"mmda gold export\",\"version\":\"1.0\","
	    "\"contributor\":\"mmda\"},\n\"images\":[", f);
	if (export_file_append(&w->out, c->images_path, cause) != 0)
		return -1;
	fputs(c->nimages > 0 ? "\n],\n\"annotations\":[" : "],\n\"annotations\":[", f);
	if (export_file_append(&w->out, c->anns_path, cause) != 0)
		return -1;
	fputs(w->items > 0 ? "\n]}\n" : "]}\n", f);
	if (export_file_finish(&w->out, cause) != 0)
		return -1;
	w->files++;
	return 0;
}

static void
coco_release(struct export_writer *w)
{
	struct coco *c = w->state;

	if (c == NULL)
		return;
	export_file_discard(&c->images);
	export_file_discard(&c->anns);
	/* The temporaries go on success and on abort alike. */
	if (c->images_path != NULL)
		unlink(c->images_path);
	if (c->anns_path != NULL)
		unlink(c->anns_path);
	free(c->images_path);
	free(c->anns_path);
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].image);
	free(c->slots);
	free(c);
	w->state = NULL;
}

const struct export_fmt export_fmt_coco = {
	"coco", coco_open, coco_write, coco_finish, coco_release
};
