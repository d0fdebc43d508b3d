/* SPDX-License-Identifier: MIT */
/*
 * inpaint-attr, after BiAug: one object of the image (a typed box, or the
 * largest or a random box of a COCO instances file or of the candidate's
 * meta) is repainted with a visual attribute an LLM chose to fit the
 * caption, and the LLM's hard negative (the same caption with a
 * contradicting attribute) is kept in the candidate's meta. The mask is the
 * box grown by `dilate`; the inpainted image comes back at the parent's
 * size so leakage outside the mask can be measured pixel for pixel.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/modelops/cocoboxes.h"
#include "core/models/mclient.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define PROMPT_MAX 600
#define ATTR_MAX 60
#define OBJECT_MAX 100

struct inpaint_plan {
	const struct backend *image, *llm;
	struct coco_boxes *cb; /* or NULL */
	int has_box;
	double box[4];
	char *object;          /* with has_box */
};

static void
inpaint_plan_free(void *v)
{
	struct inpaint_plan *p = v;

	if (p == NULL)
		return;
	coco_boxes_free(p->cb);
	free(p->object);
	free(p);
}


int
opplan_inpaint_attr(const struct op_def *op, const struct op_args *args,
    const struct op_plan_in *in, struct op_plan *out, char **cause)
{
	struct inpaint_plan *p = xcalloc(1, sizeof *p);
	const char *box = mops_str(op, args, "box"), *path = mops_str(op, args, "instances");

	if (*box != '\0') {
		if (mops_box_parse(op->name, box, p->box, cause) != 0)
			goto fail;
		p->object = mops_clean(mops_str(op, args, "object"), 0, OBJECT_MAX);
		if (*p->object == '\0') {
			cause_set(cause, "%s: box=%s needs object=NAME (what the box holds)",
			    op->name, box);
			goto fail;
		}
		p->has_box = 1;
		if (*path != '\0')
			out->note = xasprintf("%s: box= is set, so %s is not read", op->name, path);
	}
	if ((p->llm = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL ||
	    (p->image = mops_backend(op, args, in->mc, ROLE_IMAGE, cause)) == NULL)
		goto fail;
	if (!p->has_box && *path != '\0') {
		char *why = NULL;
		if ((p->cb = coco_boxes_load(path, &why)) == NULL) {
			cause_set(cause, "%s: %s", op->name, why);
			free(why);
			goto fail;
		}
		if (coco_boxes_skipped(p->cb) > 0)
			out->note = xasprintf("%s: %s: %zu boxes read, %zu unusable annotations "
			    "skipped", op->name, path, coco_boxes_count(p->cb),
			    coco_boxes_skipped(p->cb));
		else
			out->note = xasprintf("%s: %s: %zu boxes read", op->name, path,
			    coco_boxes_count(p->cb));
	}
	mops_plan_add(out, "{}");
	out->state = p;
	out->state_free = inpaint_plan_free;
	return 0;
fail:
	inpaint_plan_free(p);
	return -1;
}



/* Chooses the box to repaint: the typed one, else the largest or a random one of the image. */
static int
pick_box(const struct op_def *op, const struct op_args *args, const struct op_input *in,
    const struct inpaint_plan *p, double box[4], char **object, char **cause)
{
	struct coco_box *b = NULL;
	char *why = NULL;
	int n, k = 0;

	*object = NULL;
	if (p->has_box) {
		memcpy(box, p->box, sizeof p->box);
		*object = xstrdup(p->object);
		return 1;
	}
	if ((n = coco_boxes_for(p->cb, in->meta[0], &b, &why)) < 0) {
		cause_set(cause, "%s: %s", op->name, why);
		free(why);
		return -1;
	}
	if (n == 0)
		return 0;
	if (strcmp(mops_str(op, args, "pick"), "random") == 0)
		k = (int)rng_below(in->rng, (uint64_t)n);
	else
		for (int i = 1; i < n; i++)
			if (b[i].w * b[i].h > b[k].w * b[k].h)
				k = i;
	box[0] = b[k].x;
	box[1] = b[k].y;
	box[2] = b[k].w;
	box[3] = b[k].h;
	*object = mops_clean(b[k].label, 0, OBJECT_MAX);
	coco_box_list_free(b, (size_t)n);
	if (**object == '\0') {
		free(*object);
		*object = NULL;
		return 0;
	}
	return 1;
}

static const char attr_system[] =
    "You help build training data that teaches a vision-language model which attribute "
    "belongs to which object. You are given an image caption and one object in the image "
    "whose region will be repainted. Choose one visual attribute for that object (a colour, "
    "material, texture, pattern or state) that is plausible for the scene and can be seen "
    "in the object's region. Then choose a negative attribute of the same kind that clearly "
    "contradicts it. Rewrite the caption so that it mentions the object with the attribute, "
    "changing nothing else, and write the same caption with the negative attribute instead. "
    "Reply with one JSON object only: {\"attribute\": ..., \"negative_attribute\": ..., "
    "\"caption\": ..., \"negative_caption\": ...}.";

static const char attr_schema[] =
    "{\"type\":\"object\",\"properties\":{\"attribute\":{\"type\":\"string\"},"
    "\"negative_attribute\":{\"type\":\"string\"},\"caption\":{\"type\":\"string\"},"
    "\"negative_caption\":{\"type\":\"string\"}},\"required\":[\"attribute\","
    "\"negative_attribute\",\"caption\",\"negative_caption\"],"
    "\"additionalProperties\":false}";

struct attrs {
	char *attribute, *negative, *caption, *negative_caption;
};

static void
attrs_free(struct attrs *a)
{
	free(a->attribute);
	free(a->negative);
	free(a->caption);
	free(a->negative_caption);
	memset(a, 0, sizeof *a);
}

/* The head word of an object name ("teddy bear" -> "bear"): what a caption must mention. */
static char *
head_word(const char *object)
{
	const char *end = object + strlen(object), *start;

	while (end > object && !isalnum((unsigned char)end[-1]) && (unsigned char)end[-1] < 0x80)
		end--;
	start = end;
	while (start > object && start[-1] != ' ')
		start--;
	return xstrndup(start, (size_t)(end - start));
}

/*
 * Reads the LLM's attributes. Returns 0 with *a filled, 1 with *why set when
 * the reply is well-formed but unusable (a quality rejection), -1 with *cause
 * when it is not the JSON asked for.
 */
static int
attrs_parse(const struct op_def *op, const char *reply, const char *object, struct attrs *a,
    char **why, char **cause)
{
	cJSON *o = mops_json_object(reply);
	char *head, *ex;

	memset(a, 0, sizeof *a);
	if (o == NULL) {
		ex = mops_excerpt(reply, 80);
		cause_set(cause, "%s: the attribute reply holds no JSON object: \"%s\"", op->name,
		    ex);
		free(ex);
		return -1;
	}
	a->attribute = mops_json_string(o, "attribute", ATTR_MAX);
	a->negative = mops_json_string(o, "negative_attribute", ATTR_MAX);
	a->caption = mops_json_string(o, "caption", PROMPT_MAX);
	a->negative_caption = mops_json_string(o, "negative_caption", PROMPT_MAX);
	cJSON_Delete(o);
	if (a->attribute == NULL || a->negative == NULL || a->caption == NULL ||
	    a->negative_caption == NULL) {
		attrs_free(a);
		return cause_set(cause, "%s: the attribute reply lacks a non-empty string "
		    "attribute, negative_attribute, caption or negative_caption", op->name);
	}
	head = head_word(object);
	if (mops_same_text(a->attribute, a->negative))
		*why = xasprintf("the attribute and its negative are the same (\"%s\")",
		    a->attribute);
	else if (mops_same_text(a->caption, a->negative_caption))
		*why = xstrdup("the caption and the negative caption are the same");
	else if (*head != '\0' && (mops_find_ci(a->caption, head) < 0 ||
	    mops_find_ci(a->negative_caption, head) < 0))
		*why = xasprintf("the rewritten captions do not mention the %s", object);
	free(head);
	if (*why != NULL) {
		attrs_free(a);
		return 1;
	}
	return 0;
}

static int
ask_attrs(const struct op_def *op, const struct op_input *in, const struct backend *llm,
    const char *object, struct attrs *a, char **filtered, char **prompt, char **cause)
{
	struct chat_request r;
	struct chat_reply rep;
	char *caption = mops_clean(in->text[0], 0, PROMPT_MAX);
	int rc;

	*prompt = xasprintf("Caption: %s\nObject: %s", caption, object);
	free(caption);
	memset(&r, 0, sizeof r);
	r.system = attr_system;
	r.user = *prompt;
	r.temperature = 0.8;
	r.top_p = -1;
	r.max_tokens = 400;
	r.has_seed = 1;
	r.seed = in->seed;
	r.n = 1;
	r.schema = attr_schema;
	r.schema_name = "attributes";
	if (mops_chat(op, in->mc, llm, &r, &rep, cause) != 0)
		return -1;
	rc = attrs_parse(op, rep.texts[0], object, a, filtered, cause);
	chat_reply_free(&rep);
	return rc;
}

/* The canonical mask (255 = repaint) of a w x h image, the box scaled by sx, sy. */
static int
make_mask(int w, int h, const struct mops_ibox *b, double sx, double sy, struct image *m,
    char **cause)
{
	int x0 = (int)floor(b->x0 * sx), y0 = (int)floor(b->y0 * sy);
	int x1 = (int)ceil(b->x1 * sx), y1 = (int)ceil(b->y1 * sy);

	if (image_alloc(m, w, h, 3, 0, cause) != 0)
		return -1;
	x1 = x1 > w ? w : x1;
	y1 = y1 > h ? h : y1;
	for (int y = y0; y < y1; y++)
		memset(m->px + ((size_t)y * (size_t)w + (size_t)x0) * 3, 255, (size_t)(x1 - x0) * 3);
	return 0;
}

static char *
inpaint_meta(const char *object, const struct mops_ibox *box, const struct mops_ibox *mask,
    const struct attrs *a)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	cJSON_AddStringToObject(o, "object", object);
	arr = cJSON_AddArrayToObject(o, "box");
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(box->x0));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(box->y0));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(box->x1 - box->x0));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(box->y1 - box->y0));
	arr = cJSON_AddArrayToObject(o, "mask_box");
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(mask->x0));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(mask->y0));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(mask->x1 - mask->x0));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(mask->y1 - mask->y0));
	cJSON_AddStringToObject(o, "attribute", a->attribute);
	cJSON_AddStringToObject(o, "negative_attribute", a->negative);
	cJSON_AddStringToObject(o, "negative_caption", a->negative_caption);
	return mops_json_take(o);
}

/* Sends the parent and the mask of region m; *img comes back at the parent's size. */
static int
inpaint_run(const struct op_def *op, const struct op_args *args, const struct op_input *in,
    const struct backend *be, const struct mops_ibox *m, const char *prompt, struct image *img,
    int64_t *seed, char **id, char **cause)
{
	const struct image *parent = in->img[0];
	struct gen_request r;
	struct image mask;
	uint8_t *png = NULL;
	size_t len;
	int w, h, rc;

	if (mops_encode_input(parent, MOPS_GEN_MAX_SIDE, &png, &len, &w, &h, cause) != 0)
		return -1;
	if (make_mask(w, h, m, (double)w / parent->w, (double)h / parent->h, &mask,
	    cause) != 0) {
		free(png);
		return -1;
	}
	memset(&r, 0, sizeof r);
	r.mode = GEN_INPAINT;
	r.prompt = prompt;
	r.strength = mops_num(op, args, "strength");
	r.guidance = mops_num(op, args, "guidance");
	r.mask_blur = (int)mops_num(op, args, "mask_blur");
	r.inpainting_fill = 1; /* start from the original pixels: the object keeps its shape */
	r.has_seed = 1;
	r.seed = in->seed;
	r.image = png;
	r.image_len = len;
	mops_gen_size(be, w, h, &r);
	rc = mops_generate(op, in->mc, be, &r, &mask, parent->w, parent->h, img, seed, id, cause);
	image_free(&mask);
	free(png);
	return rc;
}

int
opimpl_inpaint_attr(const struct op_def *op, const struct op_args *args,
    const struct op_input *in, struct op_output *out, char **cause)
{
	const struct inpaint_plan *p = in->plan;
	const struct image *parent = in->img[0];
	int dilate = (int)mops_num(op, args, "dilate");
	struct mops_ibox box, m;
	struct attrs a;
	double b[4];
	char *object = NULL, *chat_prompt = NULL, *prompt = NULL, *id = NULL;
	int64_t seed;
	int rc;

	if (p == NULL || parent == NULL)
		return cause_set(cause, "%s: no plan or no image", op->name);
	if ((rc = pick_box(op, args, in, p, b, &object, cause)) <= 0) {
		out->unchanged = rc == 0;
		return rc;
	}
	if (mops_box_clip(b, parent->w, parent->h, &box) != 0) {
		cause_set(cause, "%s: the %s box %g,%g,%g,%g lies outside the %dx%d image",
		    op->name, object, b[0], b[1], b[2], b[3], parent->w, parent->h);
		free(object);
		return -1;
	}
	m = box;
	m.x0 = m.x0 - dilate < 0 ? 0 : m.x0 - dilate;
	m.y0 = m.y0 - dilate < 0 ? 0 : m.y0 - dilate;
	m.x1 = m.x1 + dilate > parent->w ? parent->w : m.x1 + dilate;
	m.y1 = m.y1 + dilate > parent->h ? parent->h : m.y1 + dilate;
	rc = ask_attrs(op, in, p->llm, object, &a, &out->filtered, &chat_prompt, cause);
	free(chat_prompt);
	if (rc != 0) {
		free(object);
		return rc < 0 ? -1 : 0;
	}
	prompt = xasprintf("%s %s", a.attribute, object);
	if (inpaint_run(op, args, in, p->image, &m, prompt, &out->img, &seed, &id, cause) != 0) {
		free(prompt);
		free(object);
		attrs_free(&a);
		return -1;
	}
	out->text = xstrdup(a.caption);
	out->meta = inpaint_meta(object, &box, &m, &a);
	cJSON *extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "request_seed", (double)in->seed);
	cJSON_AddNumberToObject(extra, "seed", (double)seed);
	out->extra = mops_json_take(extra);
	mops_lineage(out, ROLE_LLM, p->llm, NULL, NULL);
	mops_lineage_add(out, ROLE_IMAGE, p->image);
	mops_lineage_result(out, prompt, id);
	free(prompt);
	free(object);
	attrs_free(&a);
	return 0;
}
