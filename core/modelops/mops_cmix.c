/* SPDX-License-Identifier: MIT */
/*
 * CultureMixup's image side: a concept of the caption that the concept map
 * maps to another culture's counterpart is shown by pasting a picture of
 * the counterpart (one sub-folder of reference images per concept, as in
 * CultureMixup's multimodal-cultural-concepts set) over the region of the
 * source concept, blended at alpha, and the caption switched to match.
 * The region is the parent's COCO box labelled with the concept (or one of
 * its words: a "cake" box holds a "moon cake"), else the typed box=.
 * Paste, region rule and alpha are ours: the paper does not publish them.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/modelops/cocoboxes.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define MAP_MAX_BYTES (64u << 20)
#define FILES_MAX 10000 /* images of one concept folder looked at */

struct cmix_plan {
	struct mops_cmap map;
	char *root;            /* the concept folder */
	struct coco_boxes *cb; /* from instances=, or NULL */
	int has_box;
	double box[4];
};

static void
cmix_plan_free(void *arg)
{
	struct cmix_plan *p = arg;

	mops_cmap_free(&p->map);
	free(p->root);
	coco_boxes_free(p->cb);
	free(p);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The image files of root/concept, sorted (readdir's order is the filesystem's). */
static size_t
concept_files(const char *root, const char *concept, char ***out)
{
	char *dir = xasprintf("%s/%s", root, concept);
	DIR *d = strchr(concept, '/') == NULL && strcmp(concept, "..") != 0 ? opendir(dir) : NULL;
	struct dirent *e;
	size_t n = 0;

	*out = NULL;
	while (d != NULL && (e = readdir(d)) != NULL && n < FILES_MAX) {
		const char *dot = strrchr(e->d_name, '.');
		if (e->d_name[0] == '.' || dot == NULL || (strcasecmp(dot, ".png") != 0 &&
		    strcasecmp(dot, ".jpg") != 0 && strcasecmp(dot, ".jpeg") != 0 &&
		    strcasecmp(dot, ".webp") != 0))
			continue;
		*out = xreallocarray(*out, n + 1, sizeof **out);
		(*out)[n++] = xstrdup(e->d_name);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	if (n > 1)
		qsort(*out, n, sizeof **out, by_name);
	return n;
}

static void keep_pictured(struct cmix_plan *p);

OPPLAN(concept_mix)
{
	const char *map = mops_str(op, args, "map"), *root = mops_str(op, args, "concepts");
	const char *box = mops_str(op, args, "box"), *inst = mops_str(op, args, "instances");
	struct cmix_plan *p;
	char *text;
	size_t len;
	int rc;

	(void)in; /* nothing of the batch is needed: the map and folder are the user's */
	if (*map == '\0' || *root == '\0')
		return cause_set(cause, "concept-mix: needs map=FILE (source, target, distance rows) "
		    "and concepts=DIR (one folder of images per concept)");
	p = xcalloc(1, sizeof *p);
	out->state = p;
	out->state_free = cmix_plan_free;
	mops_plan_add(out, "{}");
	p->root = xstrdup(root);
	if (file_read_all(map, MAP_MAX_BYTES, &text, &len, cause) != 0)
		return -1;
	rc = mops_cmap_parse(text, map, &p->map, cause);
	free(text);
	if (rc != 0)
		return -1;
	if (*box != '\0') {
		if (mops_box_parse(op->name, box, p->box, cause) != 0)
			return -1;
		p->has_box = 1;
	}
	if (*inst != '\0' && (p->cb = coco_boxes_load(inst, cause)) == NULL)
		return -1;
	keep_pictured(p);
	if (p->map.n == 0)
		return cause_set(cause, "concept-mix: no counterpart of %s has a folder of images "
		    "in %s", map, root);
	return 0;
}

/* 1 when a box label names the concept: the same words, or one of the concept's words. */
static int
label_fits(const char *label, const char *concept)
{
	size_t n = strlen(label);

	if (n == 0)
		return 0;
	if (strcasecmp(label, concept) == 0)
		return 1;
	for (const char *p = concept;; p++) {
		long at = mops_find_ci(p, label);
		if (at < 0)
			return 0;
		p += at;
		if ((p == concept || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	}
}

/* The region of the concept: its COCO box (the largest of that label), else box=. */
static int
region(const struct cmix_plan *p, const struct op_input *in, const char *concept,
    double box[4], char **cause)
{
	struct coco_box *b = NULL;
	char *why = NULL;
	int n = 0, found = 0;
	double best = 0;

	if (in->meta[0] != NULL || p->cb != NULL) {
		if ((n = coco_boxes_for(p->cb, in->meta[0], &b, &why)) < 0) {
			cause_set(cause, "concept-mix: the parent's boxes: %s", why ? why : "?");
			free(why);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (label_fits(b[i].label, concept) && b[i].w * b[i].h > best) {
				best = b[i].w * b[i].h;
				box[0] = b[i].x, box[1] = b[i].y, box[2] = b[i].w, box[3] = b[i].h;
				found = 1;
			}
		coco_box_list_free(b, (size_t)n);
	}
	if (!found && p->has_box) {
		memcpy(box, p->box, sizeof p->box);
		found = 1;
	}
	return found;
}

/* src (any channel count) over dst's box at alpha, times src's own alpha when it has one. */
static void
blend(struct image *dst, const struct image *src, const struct mops_ibox *b, double alpha)
{
	int ch = dst->channels, sc = src->channels;

	for (int y = b->y0; y < b->y1; y++)
		for (int x = b->x0; x < b->x1; x++) {
			const uint8_t *s = src->px + ((size_t)(y - b->y0) * src->w + (x - b->x0)) * sc;
			uint8_t *d = dst->px + ((size_t)y * dst->w + x) * ch;
			double a = alpha * (sc == 4 || sc == 2 ? s[sc - 1] / 255.0 : 1.0);
			for (int c = 0; c < ch && c < 3; c++) {
				double v = sc >= 3 ? s[c] : s[0];
				d[c] = (uint8_t)lround(a * v + (1 - a) * d[c]);
			}
		}
}

/*
 * The concept to show: the map's choice rule (nearest or random, within
 * max_distance) over the counterparts that have pictures, then the first
 * switched concept that has a region. Only that one is switched in the
 * caption, so the text and the pasted picture agree. Returns 1 with all
 * outputs set, 0 when no concept applies, -1 with *cause.
 */
static int
pick(const struct op_def *op, const struct op_args *args, const struct cmix_plan *p,
    const struct op_input *in, char **text, struct mops_cmap *one, double box[4],
    char **cause)
{
	struct mops_cmap all;
	char *t;
	int rc = 0;

	memset(one, 0, sizeof *one);
	if (mops_code_switch(&p->map, 0, (int)mops_num(op, args, "max_distance"),
	    strcmp(mops_str(op, args, "pick"), "random") == 0, in->rng, in->text[0], &t,
	    &all) == 0) {
		free(t);
		mops_cmap_free(&all);
		return 0;
	}
	free(t);
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		if ((rc = region(p, in, all.e[i].source, box, cause)) != 1)
			continue;
		mops_cmap_add(one, all.e[i].source, all.e[i].target, all.e[i].distance, 0, 0);
		struct mops_cmap done;
		mops_code_switch(one, 0, all.e[i].distance, 0, in->rng, in->text[0], text, &done);
		mops_cmap_free(&done);
	}
	mops_cmap_free(&all);
	return rc;
}

/* Keeps the map rows whose counterpart has a folder of pictures. */
static void
keep_pictured(struct cmix_plan *p)
{
	size_t k = 0;
	char **files;

	for (size_t i = 0; i < p->map.n; i++) {
		size_t n = p->map.e[i].level == 0 ? concept_files(p->root, p->map.e[i].target,
		    &files) : 0;
		if (n > 0) {
			p->map.e[k++] = p->map.e[i];
			mops_strv_free(files, n);
		} else {
			free(p->map.e[i].source);
			free(p->map.e[i].target);
		}
	}
	p->map.n = k;
}

OPIMPL(concept_mix)
{
	const struct cmix_plan *p = in->plan;
	struct mops_cmap one;
	struct mops_ibox ib;
	struct image pic, fit;
	struct image_opts io = { 0, 0, 0, 1 };
	double box[4], alpha = mops_num(op, args, "alpha");
	char *text = NULL, **files, *path;
	size_t nfiles, f;
	int rc;

	if (p == NULL || in->img[0] == NULL)
		return cause_set(cause, "concept-mix: run without its plan or its image");
	if ((rc = pick(op, args, p, in, &text, &one, box, cause)) <= 0) {
		out->unchanged = rc == 0;
		return rc < 0 ? -1 : 0;
	}
	if (mops_box_clip(box, in->img[0]->w, in->img[0]->h, &ib) != 0) {
		free(text);
		mops_cmap_free(&one);
		out->unchanged = 1;
		return 0;
	}
	nfiles = concept_files(p->root, one.e[0].target, &files);
	f = (size_t)rng_below(in->rng, nfiles);
	path = xasprintf("%s/%s/%s", p->root, one.e[0].target, files[f]);
	memset(&pic, 0, sizeof pic);
	memset(&fit, 0, sizeof fit);
	rc = image_load_file(path, &io, &pic, cause);
	if (rc == 0)
		rc = image_resize(&pic, ib.x1 - ib.x0, ib.y1 - ib.y0, &fit, cause);
	if (rc == 0)
		rc = image_alloc(&out->img, in->img[0]->w, in->img[0]->h, in->img[0]->channels, 0,
		    cause);
	if (rc == 0) {
		memcpy(out->img.px, in->img[0]->px, (size_t)in->img[0]->w * in->img[0]->h *
		    in->img[0]->channels);
		blend(&out->img, &fit, &ib, alpha);
		out->text = text;
		text = NULL;
		cJSON *meta = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(meta, "code_switch");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "from", one.e[0].source);
		cJSON_AddStringToObject(o, "to", one.e[0].target);
		cJSON_AddNumberToObject(o, "distance", one.e[0].distance);
		cJSON_AddStringToObject(o, "level", "concept");
		cJSON_AddItemToArray(arr, o);
		char *note = xasprintf("%s -> %s (concept image %s/%s, distance %d)",
		    one.e[0].source, one.e[0].target, one.e[0].target, files[f],
		    one.e[0].distance);
		cJSON_AddStringToObject(meta, "switches", note);
		free(note);
		out->meta = mops_json_take(meta);
		o = cJSON_CreateObject();
		cJSON *b = cJSON_AddArrayToObject(o, "box");
		cJSON_AddItemToArray(b, cJSON_CreateNumber(ib.x0));
		cJSON_AddItemToArray(b, cJSON_CreateNumber(ib.y0));
		cJSON_AddItemToArray(b, cJSON_CreateNumber(ib.x1 - ib.x0));
		cJSON_AddItemToArray(b, cJSON_CreateNumber(ib.y1 - ib.y0));
		char *rel = xasprintf("%s/%s", one.e[0].target, files[f]);
		cJSON_AddStringToObject(o, "concept_image", rel);
		free(rel);
		cJSON_AddStringToObject(o, "from", one.e[0].source);
		cJSON_AddStringToObject(o, "to", one.e[0].target);
		cJSON_AddNumberToObject(o, "distance", one.e[0].distance);
		out->extra = mops_json_take(o);
	} else {
		char *why = *cause;
		*cause = NULL;
		cause_set(cause, "concept-mix: %s: %s", path, why);
		free(why);
	}
	image_free(&pic);
	image_free(&fit);
	free(path);
	free(text);
	mops_strv_free(files, nfiles);
	mops_cmap_free(&one);
	return rc;
}
