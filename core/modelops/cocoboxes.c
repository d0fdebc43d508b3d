/* SPDX-License-Identifier: MIT */
/*
 * Object boxes from a COCO instances file, indexed by image id so each
 * candidate's lookup is one binary search. The file's structure (the
 * document, the "annotations" and "categories" lists, every category) must
 * be right or the load fails naming the entry; a single annotation that is
 * unusable (no image_id, a bbox that is not four finite numbers, an empty or
 * negative box, an unknown category) is skipped and counted instead, since
 * real exports carry a few such rows and one must not sink the file.
 */
#include "core/modelops/cocoboxes.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/modelops/mops_priv.h"
#include "core/base/utf8.h"
#include "core/base/util.h"

/* COCO train2017 is about 450 MB of captions and instances together; the
 * instances file alone is 450 MB too, so val-sized and custom files fit. */
#define COCO_FILE_MAX ((size_t)256 << 20)
/* train2017 has 860k annotations; a file claiming more than this is refused. */
#define COCO_ANN_MAX 4000000
/* Box coordinates beyond this are not pixels of any image mmda decodes. */
#define COCO_COORD_MAX 1e6

struct coco_cat {
	long long id;
	char *name;
};

struct coco_ann {
	char *image;  /* canonical image id text */
	size_t cat;   /* index into cats */
	int crowd;
	size_t pos;   /* position in "annotations": keeps the file's order */
	double x, y, w, h;
};

struct coco_img {
	char *id;
	size_t first, n;  /* range of anns */
};

struct coco_boxes {
	struct coco_cat *cats;
	size_t ncats;
	struct coco_ann *anns; /* grouped by image, non-crowd first */
	size_t nanns;
	struct coco_img *imgs; /* sorted by id */
	size_t nimgs;
	size_t skipped;
};

/*
 * The canonical text of an id: a string as is, a whole number in decimal (so
 * 139 and "139" meet, as the COCO importer writes them). 1 with *out (caller
 * frees), 0 when absent or unusable.
 */
static int
coco_id_text(const cJSON *v, char **out)
{
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		*out = xstrdup(v->valuestring);
		return 1;
	}
	if (!cJSON_IsNumber(v))
		return 0;
	double d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
		return 0;
	*out = xasprintf("%lld", (long long)d);
	return 1;
}

/* 1 when a label is unusable: over max bytes, bad UTF-8 or holding control bytes. */
static int
label_bad(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len > max || !utf8_valid(s, len, NULL))
		return 1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return 1;
	return 0;
}

static int
cat_cmp(const void *a, const void *b)
{
	const struct coco_cat *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
ann_cmp(const void *a, const void *b)
{
	const struct coco_ann *x = a, *y = b;
	int c = strcmp(x->image, y->image);

	if (c != 0)
		return c;
	if (x->crowd != y->crowd)
		return x->crowd - y->crowd;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
img_find_cmp(const void *key, const void *el)
{
	return strcmp(key, ((const struct coco_img *)el)->id);
}

void
coco_boxes_free(struct coco_boxes *cb)
{
	if (cb == NULL)
		return;
	for (size_t i = 0; i < cb->ncats; i++)
		free(cb->cats[i].name);
	for (size_t i = 0; i < cb->nanns; i++)
		free(cb->anns[i].image);
	free(cb->cats);
	free(cb->anns);
	free(cb->imgs);
	free(cb);
}

size_t
coco_boxes_skipped(const struct coco_boxes *cb)
{
	return cb != NULL ? cb->skipped : 0;
}

size_t
coco_boxes_count(const struct coco_boxes *cb)
{
	return cb != NULL ? cb->nanns : 0;
}

/* Reads "categories"; -1 with a cause naming the bad entry. */
static int
load_cats(struct coco_boxes *cb, const char *path, const cJSON *cats, char **cause)
{
	size_t i = 0;
	const cJSON *c;

	if (!cJSON_IsArray(cats))
		return cause_set(cause, "%s: \"categories\" is missing or not a list", path);
	cb->cats = xcalloc((size_t)cJSON_GetArraySize(cats) + 1, sizeof *cb->cats);
	cJSON_ArrayForEach(c, cats) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		double d = cJSON_IsNumber(id) ? id->valuedouble : 0.5;
		if (!cJSON_IsObject(c))
			return cause_set(cause, "%s: categories[%zu] is not an object", path, i);
		if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
			return cause_set(cause, "%s: categories[%zu]: id is not a whole number",
			    path, i);
		if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
			return cause_set(cause, "%s: categories[%zu]: name is not a non-empty string",
			    path, i);
		if (label_bad(name->valuestring, 200))
			return cause_set(cause, "%s: categories[%zu]: name has control bytes, bad "
			    "UTF-8 or is over 200 bytes", path, i);
		cb->cats[cb->ncats].id = (long long)d;
		cb->cats[cb->ncats++].name = xstrdup(name->valuestring);
		i++;
	}
	qsort(cb->cats, cb->ncats, sizeof *cb->cats, cat_cmp);
	for (size_t k = 1; k < cb->ncats; k++)
		if (cb->cats[k].id == cb->cats[k - 1].id)
			return cause_set(cause, "%s: categories: id %lld appears twice", path,
			    cb->cats[k].id);
	return 0;
}

static int
bbox_read(const cJSON *bbox, double v[4])
{
	const cJSON *e;
	int n = 0;

	if (!cJSON_IsArray(bbox) || cJSON_GetArraySize(bbox) != 4)
		return -1;
	cJSON_ArrayForEach(e, bbox) {
		if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) ||
		    fabs(e->valuedouble) > COCO_COORD_MAX)
			return -1;
		v[n++] = e->valuedouble;
	}
	return v[0] >= 0 && v[1] >= 0 && v[2] > 0 && v[3] > 0 ? 0 : -1;
}

/* One annotation into cb->anns, or counted as skipped. */
static void
load_ann(struct coco_boxes *cb, const cJSON *a, size_t pos)
{
	struct coco_cat key, *cat;
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(a, "category_id");
	const cJSON *crowd = cJSON_GetObjectItemCaseSensitive(a, "iscrowd");
	double v[4];
	char *image = NULL;

	if (!cJSON_IsObject(a) ||
	    !coco_id_text(cJSON_GetObjectItemCaseSensitive(a, "image_id"), &image) ||
	    bbox_read(cJSON_GetObjectItemCaseSensitive(a, "bbox"), v) != 0 ||
	    !cJSON_IsNumber(cid) || !isfinite(cid->valuedouble) ||
	    fabs(cid->valuedouble) > 9007199254740992.0) {
		free(image);
		cb->skipped++;
		return;
	}
	key.id = (long long)cid->valuedouble;
	cat = (double)key.id != cid->valuedouble ? NULL :
	    bsearch(&key, cb->cats, cb->ncats, sizeof *cb->cats, cat_cmp);
	if (cat == NULL) {
		free(image);
		cb->skipped++;
		return;
	}
	struct coco_ann *o = &cb->anns[cb->nanns++];
	o->image = image;
	o->cat = (size_t)(cat - cb->cats);
	o->crowd = (cJSON_IsNumber(crowd) && crowd->valuedouble != 0) || cJSON_IsTrue(crowd);
	o->pos = pos;
	o->x = v[0];
	o->y = v[1];
	o->w = v[2];
	o->h = v[3];
}

/* Groups the sorted annotations into the image index. */
static void
index_images(struct coco_boxes *cb)
{
	qsort(cb->anns, cb->nanns, sizeof *cb->anns, ann_cmp);
	cb->imgs = xcalloc(cb->nanns + 1, sizeof *cb->imgs);
	for (size_t i = 0; i < cb->nanns; i++) {
		if (cb->nimgs == 0 || strcmp(cb->imgs[cb->nimgs - 1].id, cb->anns[i].image) != 0) {
			cb->imgs[cb->nimgs].id = cb->anns[i].image;
			cb->imgs[cb->nimgs++].first = i;
		}
		cb->imgs[cb->nimgs - 1].n++;
	}
}

struct coco_boxes *
coco_boxes_load(const char *path, char **cause)
{
	struct coco_boxes *cb;
	const cJSON *anns, *a;
	const char *end = NULL;
	cJSON *doc;
	char *data;
	size_t len, pos = 0;
	int n;

	if (file_read_all(path, COCO_FILE_MAX, &data, &len, cause) != 0)
		return NULL;
	doc = cJSON_ParseWithLengthOpts(data, len + 1, &end, 1);
	if (doc == NULL) {
		size_t at = end != NULL && end >= data ? (size_t)(end - data) : len;
		free(data);
		cause_set(cause, "%s: invalid JSON at byte %zu", path, at);
		return NULL;
	}
	free(data);
	cb = xcalloc(1, sizeof *cb);
	anns = cJSON_GetObjectItemCaseSensitive(doc, "annotations");
	if (!cJSON_IsObject(doc)) {
		cause_set(cause, "%s: not a COCO instances file (want a JSON object)", path);
		goto fail;
	}
	if (!cJSON_IsArray(anns)) {
		cause_set(cause, "%s: \"annotations\" is missing or not a list", path);
		goto fail;
	}
	if ((n = cJSON_GetArraySize(anns)) > COCO_ANN_MAX) {
		cause_set(cause, "%s: %d annotations; at most %d are read", path, n, COCO_ANN_MAX);
		goto fail;
	}
	if (load_cats(cb, path, cJSON_GetObjectItemCaseSensitive(doc, "categories"),
	    cause) != 0)
		goto fail;
	cb->anns = xcalloc((size_t)n + 1, sizeof *cb->anns);
	cJSON_ArrayForEach(a, anns)
		load_ann(cb, a, pos++);
	cJSON_Delete(doc);
	index_images(cb);
	return cb;
fail:
	cJSON_Delete(doc);
	coco_boxes_free(cb);
	return NULL;
}

void
coco_box_list_free(struct coco_box *b, size_t n)
{
	for (size_t i = 0; b != NULL && i < n; i++)
		free(b[i].label);
	free(b);
}

/* The boxes of meta's "objects" array; entries that are not {"label","box"} are ignored. */
static int
meta_objects(const cJSON *objs, struct coco_box **out)
{
	struct coco_box *v;
	const cJSON *o;
	int n = 0;

	if (!cJSON_IsArray(objs) || cJSON_GetArraySize(objs) == 0)
		return 0;
	v = xcalloc((size_t)cJSON_GetArraySize(objs), sizeof *v);
	cJSON_ArrayForEach(o, objs) {
		const cJSON *label = cJSON_GetObjectItemCaseSensitive(o, "label");
		const cJSON *box = cJSON_GetObjectItemCaseSensitive(o, "box");
		double b[4];
		if (box == NULL)
			box = cJSON_GetObjectItemCaseSensitive(o, "bbox");
		if (!cJSON_IsString(label) || label->valuestring[0] == '\0' ||
		    label_bad(label->valuestring, 200) || bbox_read(box, b) != 0)
			continue;
		v[n].label = xstrdup(label->valuestring);
		v[n].x = b[0];
		v[n].y = b[1];
		v[n].w = b[2];
		v[n++].h = b[3];
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	*out = v;
	return n;
}

/* The non-crowd boxes of one image, or its crowd boxes when it has nothing else. */
static int
index_boxes(const struct coco_boxes *cb, const char *id, struct coco_box **out)
{
	const struct coco_img *im = bsearch(id, cb->imgs, cb->nimgs, sizeof *cb->imgs,
	    img_find_cmp);
	size_t n = 0;

	if (im == NULL)
		return 0;
	while (n < im->n && !cb->anns[im->first + n].crowd)
		n++;
	if (n == 0)
		n = im->n;
	*out = xcalloc(n, sizeof **out);
	for (size_t i = 0; i < n; i++) {
		const struct coco_ann *a = &cb->anns[im->first + i];
		(*out)[i].label = xstrdup(cb->cats[a->cat].name);
		(*out)[i].x = a->x;
		(*out)[i].y = a->y;
		(*out)[i].w = a->w;
		(*out)[i].h = a->h;
	}
	return (int)n;
}

int
coco_boxes_for(const struct coco_boxes *cb, const char *meta, struct coco_box **out,
    char **cause)
{
	cJSON *doc;
	char *id = NULL;
	int n = 0;

	*out = NULL;
	if (meta == NULL || *meta == '\0')
		return 0;
	if ((doc = cJSON_Parse(meta)) == NULL)
		return cause_set(cause, "candidate meta is not valid JSON");
	if (cJSON_IsObject(doc)) {
		if (cb != NULL && coco_id_text(cJSON_GetObjectItemCaseSensitive(doc,
		    "coco_image_id"), &id))
			n = index_boxes(cb, id, out);
		if (n == 0)
			n = meta_objects(cJSON_GetObjectItemCaseSensitive(doc, "objects"), out);
	}
	free(id);
	cJSON_Delete(doc);
	return n;
}
