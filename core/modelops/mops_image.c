/* SPDX-License-Identifier: MIT */
/*
 * t2i (PromptMix, GMDA: a new image drawn from the caption, the caption
 * optionally enriched by an LLM first), and the image-request helpers the
 * editing operators share (core/modelops/mops_alia.c, core/modelops/mops_inpaint.c). Images
 * go to the server downscaled to what diffusion models are trained at and
 * come back resized to the parent's size, so the review compares like with
 * like.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/models/mclient.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

/* Longest caption-derived prompt sent; CLIP text encoders read 77 tokens anyway. */
#define PROMPT_MAX 600

/* ---- shared with the editing operators ---- */

int
mops_encode_input(const struct image *img, int max_side, uint8_t **png, size_t *len, int *w,
    int *h, char **cause)
{
	*w = img->w;
	*h = img->h;
	if (max_side > 0 && (img->w > max_side || img->h > max_side))
		image_fit(img->w, img->h, max_side, max_side, w, h);
	return mclient_png(img, max_side, png, len, cause);
}

void
mops_gen_size(const struct backend *be, int w, int h, struct gen_request *r)
{
	/* a1111 renders at width x height (512x512 when absent) on a grid of 8; the
	 * OpenAI API accepts only a few sizes, and servers default to the input's. */
	if (be->kind != BK_A1111) {
		r->width = r->height = 0;
		return;
	}
	r->width = w < 64 ? 64 : (w + 4) / 8 * 8;
	r->height = h < 64 ? 64 : (h + 4) / 8 * 8;
}

int
mops_generate(const struct op_def *op, struct mclient *mc, const struct backend *be,
    const struct gen_request *r, const struct image *mask, int want_w, int want_h,
    struct image *img, int64_t *seed, char **id, char **cause)
{
	struct image sized;
	char *why = NULL;

	if (mclient_generate(mc, be, r, mask, img, seed, id, &why) != 0) {
		cause_set(cause, "%s: %s", op->name, why != NULL ? why : "generation failed");
		free(why);
		return -1;
	}
	if (want_w <= 0 || want_h <= 0 || (img->w == want_w && img->h == want_h))
		return 0;
	if (image_resize(img, want_w, want_h, &sized, &why) != 0) {
		cause_set(cause, "%s: resizing the generated image: %s", op->name, why);
		free(why);
		image_free(img);
		if (id != NULL) {
			free(*id);
			*id = NULL;
		}
		return -1;
	}
	image_free(img);
	*img = sized;
	return 0;
}

void
mops_lineage_result(struct op_output *out, const char *prompt, char *id)
{
	free(out->prompt);
	free(out->response_id);
	out->prompt = prompt != NULL ? xstrdup(prompt) : NULL;
	out->response_id = id != NULL ? mops_clean(id, 0, 200) : NULL;
	free(id);
}

/* ---- t2i ---- */

struct t2i_plan {
	const struct backend *image, *llm; /* llm: only with rewrite=true */
};

static const char t2i_system[] =
    "You write prompts for a text-to-image diffusion model. Given a short image caption, "
    "write one detailed prompt that depicts exactly the same scene: keep every object, "
    "person, count and relation the caption states and add no new ones. You may add "
    "visual detail about lighting, composition, colours, textures and photographic style. "
    "Reply with the prompt alone on one line, without quotes or explanations.";

int
opplan_t2i(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    struct op_plan *out, char **cause)
{
	struct t2i_plan *p = xcalloc(1, sizeof *p);

	if ((p->image = mops_backend(op, args, in->mc, ROLE_IMAGE, cause)) == NULL)
		goto fail;
	if (mops_num(op, args, "rewrite") != 0 &&
	    (p->llm = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL)
		goto fail;
	if (p->llm == NULL)
		mops_plan_samples(out, (int)mops_num(op, args, "k"));
	/* The prompt writer is optional for t2i, so its model joins each variant's key: another
	 * LLM makes other candidates, as the image model does. */
	for (int i = 0; p->llm != NULL && i < (int)mops_num(op, args, "k"); i++) {
		cJSON *v = cJSON_CreateObject();
		char *json;
		cJSON_AddNumberToObject(v, "sample", i);
		cJSON_AddStringToObject(v, "llm_model", mops_model_name(p->llm));
		json = mops_json_take(v);
		mops_plan_add(out, json);
		free(json);
	}
	out->state = p;
	out->state_free = free;
	return 0;
fail:
	free(p);
	return -1;
}

/*
 * Drops a leading "Prompt:" or "Text-to-image prompt:" label (the general
 * cleaner does not know that word as a label) and the quotes it leaves.
 */
static char *
strip_prompt_label(char *s)
{
	const char *colon = strchr(s, ':');
	size_t n;

	if (colon == NULL || colon - s > 40)
		return s;
	n = (size_t)(colon - s);
	if (n < 6 || strncasecmp(colon - 6, "prompt", 6) != 0 ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -*_") < n)
		return s;
	memmove(s, colon + 1, strlen(colon + 1) + 1);
	return mops_unquote(s);
}

/* Asks for a richer prompt: 0 with *prompt set, or NULL when the reply was not usable (the
 * caption is sent instead); -1 with *cause when the request failed. */
static int
t2i_rewrite(const struct op_def *op, const struct op_input *in, const struct backend *llm,
    const char *caption, char **prompt, char **cause)
{
	struct chat_request r;
	struct chat_reply rep;
	char *line;

	*prompt = NULL;
	memset(&r, 0, sizeof r);
	r.system = t2i_system;
	r.user = caption;
	r.temperature = 0.7;
	r.top_p = -1;
	r.max_tokens = 160;
	r.has_seed = 1;
	r.seed = in->seed;
	r.n = 1;
	if (mops_chat(op, in->mc, llm, &r, &rep, cause) != 0)
		return -1;
	line = strip_prompt_label(mops_first_line(rep.texts[0], PROMPT_MAX));
	chat_reply_free(&rep);
	/* One word is not a scene; the caption itself is the better prompt then. */
	if (mops_words(line) < 2) {
		free(line);
		return 0;
	}
	*prompt = line;
	return 0;
}

int
opimpl_t2i(const struct op_def *op, const struct op_args *args, const struct op_input *in,
    struct op_output *out, char **cause)
{
	const struct t2i_plan *p = in->plan;
	const char *negative = mops_str(op, args, "negative");
	struct gen_request r;
	char *caption, *prompt = NULL, *id = NULL;
	int64_t seed;
	cJSON *extra;

	if (p == NULL)
		return cause_set(cause, "%s: no plan", op->name);
	caption = mops_clean(in->text[0], 0, PROMPT_MAX);
	if (*caption == '\0') {
		free(caption);
		out->unchanged = 1;
		return 0;
	}
	if (p->llm != NULL && t2i_rewrite(op, in, p->llm, caption, &prompt, cause) != 0) {
		free(caption);
		return -1;
	}
	memset(&r, 0, sizeof r);
	r.mode = GEN_TXT2IMG;
	r.prompt = prompt != NULL ? prompt : caption;
	r.negative = *negative != '\0' ? negative : NULL;
	r.width = (int)mops_num(op, args, "width");
	r.height = (int)mops_num(op, args, "height");
	r.steps = (int)mops_num(op, args, "steps");
	r.guidance = mops_num(op, args, "guidance");
	r.has_seed = 1;
	r.seed = in->seed;
	if (mops_generate(op, in->mc, p->image, &r, NULL, 0, 0, &out->img, &seed, &id,
	    cause) != 0) {
		free(prompt);
		free(caption);
		return -1;
	}
	/* PromptMix labels the generated image with its source's text. */
	out->text = xstrdup(in->text[0]);
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "request_seed", (double)in->seed);
	cJSON_AddNumberToObject(extra, "seed", (double)seed);
	cJSON_AddBoolToObject(extra, "prompt_rewritten", prompt != NULL);
	out->extra = mops_json_take(extra);
	if (p->llm != NULL)
		mops_lineage(out, ROLE_LLM, p->llm, NULL, NULL);
	mops_lineage_add(out, ROLE_IMAGE, p->image);
	mops_lineage_result(out, r.prompt, id);
	free(prompt);
	free(caption);
	return 0;
}
