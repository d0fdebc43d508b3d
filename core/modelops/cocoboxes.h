/* SPDX-License-Identifier: MIT */
/*
 * Object boxes for model-backed operators (LLaVA-style instruction data,
 * BiAug inpainting): read from a COCO instances file (annotations with bbox
 * and category_id, categories with names) and looked up by the
 * coco_image_id an imported candidate keeps in its meta, or from a
 * candidate meta's own "objects" array ([{"label","box":[x,y,w,h]}]).
 */
#ifndef MMDA_COCOBOXES_H
#define MMDA_COCOBOXES_H

#include <stddef.h>

struct coco_box {
	char *label;          /* category name */
	double x, y, w, h;    /* pixels, top-left origin (COCO bbox) */
};

struct coco_boxes;

/* Loads an instances file. Returns NULL with *cause naming the file and the bad entry. Free
 * with coco_boxes_free. */
struct coco_boxes *coco_boxes_load(const char *path, char **cause);
void coco_boxes_free(struct coco_boxes *cb);
/*
 * The boxes of one image: looked up by the "coco_image_id" of meta in cb
 * (when cb is not NULL), else read from meta's "objects" array. Returns the
 * count (0 when none) with *out (caller frees with coco_box_list_free), or -1
 * with *cause when meta is not valid JSON.
 */
int coco_boxes_for(const struct coco_boxes *cb, const char *meta, struct coco_box **out,
    char **cause);
void coco_box_list_free(struct coco_box *b, size_t n);

#endif
