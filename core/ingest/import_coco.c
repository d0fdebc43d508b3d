/* SPDX-License-Identifier: MIT */
/*
 * COCO captions (captions_train2017.json and the like): one JSON document
 * with an "images" list and an "annotations" list pointing into it by
 * image_id. The images are indexed in a sorted array so the 100k+
 * annotations of a real file each cost one binary search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/import_priv.h"

struct coco_image {
	char *id;              /* canonical id text: "42" for 42, the string itself otherwise */
	int numeric;
	const char *file_name; /* borrowed from the document */
	long pos;              /* position in "images", to keep the first of duplicates */
};

static int
coco_cmp(const void *a, const void *b)
{
	const struct coco_image *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
coco_find_cmp(const void *key, const void *el)
{
	return strcmp(key, ((const struct coco_image *)el)->id);
}

/* Fills *out with the usable images; reports the rest. Returns -1 to stop. */
static int
coco_index(struct imp *im, const cJSON *images, struct coco_image **out, size_t *nout)
{
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(images);
	struct coco_image *v = xreallocarray(NULL, cap ? cap : 1, sizeof *v);
	long pos = 0;
	int rc = 0;
	const cJSON *img;
	cJSON_ArrayForEach(img, images) {
		char key[48];
		snprintf(key, sizeof key, "images[%ld]", pos);
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(img, "file_name");
		const char *reason = NULL;
		char *id = NULL;
		int r = 0;
		if (!cJSON_IsObject(img))
			reason = "image entry is not a JSON object";
		else if ((r = json_id(cJSON_GetObjectItemCaseSensitive(img, "id"), &id,
		    &reason)) == 0)
			reason = "image entry has no id";
		else if (r > 0 && (!cJSON_IsString(fn) || fn->valuestring[0] == '\0'))
			reason = "image entry has no file_name";
		else if (r > 0 && json_has_nul(fn))
			reason = "file_name contains a NUL character";
		if (reason != NULL) {
			free(id);
			if ((rc = imp_error(im, 0, key, "%s", reason)) != 0)
				break;
		} else {
			v[n].id = id;
			v[n].numeric = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(img, "id"));
			v[n].file_name = fn->valuestring;
			v[n].pos = pos;
			n++;
		}
		pos++;
	}
	qsort(v, n, sizeof *v, coco_cmp);
	/* Keep the first of each id; later ones are reported and dropped. */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && strcmp(v[w - 1].id, v[i].id) == 0) {
			if (rc == 0) {
				char key[48];
				snprintf(key, sizeof key, "images[%ld]", v[i].pos);
				rc = imp_error(im, 0, key, "duplicate image id %s in \"images\"",
				    v[i].id);
			}
			free(v[i].id);
			continue;
		}
		v[w++] = v[i];
	}
	*out = v;
	*nout = w;
	return rc;
}

/* {"coco_image_id": N}, with a string id quoted as JSON would. */
static char *
coco_meta(const struct coco_image *ci)
{
	if (ci->numeric)
		return xasprintf("{\"coco_image_id\":%s}", ci->id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "coco_image_id", ci->id);
	char *p = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *meta = xstrdup(p);
	cJSON_free(p);
	return meta;
}

static int
coco_annotation(struct imp *im, const cJSON *ann, long pos, const struct coco_image *v,
    size_t n)
{
	char *id = NULL, *image_id = NULL, *key;
	const char *reason = NULL;
	int rc, r = json_id(cJSON_GetObjectItemCaseSensitive(ann, "id"), &id, &reason);
	if (r == 1)
		key = xstrdup(id);
	else
		key = xasprintf("annotations[%ld]", pos);
	const cJSON *cap = cJSON_GetObjectItemCaseSensitive(ann, "caption");
	const struct coco_image *ci = NULL;
	if (!cJSON_IsObject(ann))
		rc = imp_error(im, 0, key, "annotation is not a JSON object");
	else if (r < 0)
		rc = imp_error(im, 0, key, "%s", reason);
	else if (json_id(cJSON_GetObjectItemCaseSensitive(ann, "image_id"), &image_id,
	    &reason) <= 0)
		rc = imp_error(im, 0, key, "annotation has no usable image_id");
	else if ((ci = bsearch(image_id, v, n, sizeof *v, coco_find_cmp)) == NULL)
		rc = imp_error(im, 0, key, "unknown image_id %s", image_id);
	else if (cap == NULL || cJSON_IsNull(cap))
		rc = imp_error(im, 0, key, "missing caption");
	else if (!cJSON_IsString(cap))
		rc = imp_error(im, 0, key, "caption is not a string");
	else if (json_has_nul(cap))
		rc = imp_error(im, 0, key, "caption contains a NUL character");
	else if (imp_blank(cap->valuestring))
		rc = imp_error(im, 0, key, "empty caption");
	else {
		char *meta = coco_meta(ci);
		struct import_record rec = { .line = 0, .key = key, .key_is_id = r == 1,
			.image = ci->file_name, .text = cap->valuestring, .meta = meta };
		rc = imp_pair(im, &rec);
		free(meta);
	}
	free(id);
	free(image_id);
	free(key);
	return rc;
}

int
import_coco(struct imp *im)
{
	cJSON *doc = json_read_file(im->path, im->cause);
	if (doc == NULL)
		return -1;
	const cJSON *images = cJSON_GetObjectItemCaseSensitive(doc, "images");
	const cJSON *anns = cJSON_GetObjectItemCaseSensitive(doc, "annotations");
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(images) || !cJSON_IsArray(anns)) {
		cJSON_Delete(doc);
		return cause_set(im->cause, "%s: not a COCO captions file (needs an object "
		    "with \"images\" and \"annotations\" lists)", im->path);
	}
	struct coco_image *v;
	size_t n;
	int rc = coco_index(im, images, &v, &n);
	long pos = 0;
	const cJSON *ann;
	cJSON_ArrayForEach(ann, anns) {
		if (rc != 0)
			break;
		rc = coco_annotation(im, ann, pos++, v, n);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
	cJSON_Delete(doc);
	return rc;
}
