/* SPDX-License-Identifier: MIT */
/*
 * Image generation on the wire: openai-images (generations as JSON, edits
 * and inpainting as multipart) and a1111's sdapi txt2img/img2img, and the
 * replies of both, which carry the images as base64. Controls the OpenAI
 * API lacks (seed, steps, guidance) go as the extension fields vLLM-Omni
 * reads, or inside the prompt for stable-diffusion.cpp (prompt_extra_args).
 */
#include "core/models/proto.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/b64.h"
#include "core/models/proto_priv.h"
#include "core/base/util.h"

/* Images one reply may carry; we always ask for one. */
#define IMAGES_MAX 64
/* Multipart parts of an edit at most (image, mask and the scalars). */
#define PARTS_MAX 12

const char *
gen_path(const struct backend *be, const struct gen_request *r)
{
	int txt = r->mode == GEN_TXT2IMG;

	if (be->kind == BK_A1111)
		return txt ? "/sdapi/v1/txt2img" : "/sdapi/v1/img2img";
	return txt ? "/images/generations" : "/images/edits";
}

static int
gen_steps(const struct backend *be, const struct gen_request *r)
{
	return r->steps > 0 ? r->steps : be->steps;
}

static double
clamp01(double v)
{
	return v < 0 || isnan(v) ? 0 : v > 1 ? 1 : v;
}

/*
 * The prompt for openai-images: with prompt_extra_args, stable-diffusion.cpp
 * reads its native controls from a tag inside the prompt and removes the
 * tag before sampling. Caller frees.
 */
static char *
images_prompt(const struct backend *be, const struct gen_request *r)
{
	const char *prompt = r->prompt != NULL ? r->prompt : "";
	cJSON *args;
	char *json, *out;

	if (!be->prompt_extra_args)
		return xstrdup(prompt);
	args = cJSON_CreateObject();
	if (r->has_seed)
		proto_add_int64(args, "seed", r->seed);
	if (r->guidance > 0)
		cJSON_AddNumberToObject(args, "cfg_scale", r->guidance);
	if (r->image_guidance > 0 && r->mode == GEN_EDIT)
		cJSON_AddNumberToObject(args, "img_cfg_scale", r->image_guidance);
	if (gen_steps(be, r) > 0)
		cJSON_AddNumberToObject(args, "steps", gen_steps(be, r));
	if ((r->mode == GEN_IMG2IMG || r->mode == GEN_INPAINT) && r->strength > 0)
		cJSON_AddNumberToObject(args, "strength", clamp01(r->strength));
	if (r->negative != NULL && r->negative[0] != '\0')
		cJSON_AddStringToObject(args, "negative_prompt", r->negative);
	if (args->child == NULL) {
		cJSON_Delete(args);
		return xstrdup(prompt);
	}
	json = proto_print(args);
	cJSON_Delete(args);
	out = xasprintf("%s <sd_cpp_extra_args>%s</sd_cpp_extra_args>", prompt, json);
	free(json);
	return out;
}

static char *
images_generations(const struct backend *be, const struct gen_request *r)
{
	static const char *const keep[] = { "prompt", NULL };
	cJSON *root = cJSON_CreateObject();
	char *prompt = images_prompt(be, r), *out, size[32];

	cJSON_AddStringToObject(root, "prompt", prompt);
	free(prompt);
	if (be->model != NULL)
		cJSON_AddStringToObject(root, "model", be->model);
	cJSON_AddNumberToObject(root, "n", 1);
	if (r->width > 0 && r->height > 0) {
		snprintf(size, sizeof size, "%dx%d", r->width, r->height);
		cJSON_AddStringToObject(root, "size", size);
	}
	if (be->send_response_format)
		cJSON_AddStringToObject(root, "response_format", "b64_json");
	if (!be->prompt_extra_args) {
		if (r->has_seed)
			proto_add_int64(root, "seed", r->seed);
		if (r->guidance > 0)
			cJSON_AddNumberToObject(root, "guidance_scale", r->guidance);
		if (gen_steps(be, r) > 0)
			cJSON_AddNumberToObject(root, "num_inference_steps", gen_steps(be, r));
		if (r->negative != NULL && r->negative[0] != '\0')
			cJSON_AddStringToObject(root, "negative_prompt", r->negative);
	}
	proto_merge_extra(root, be->extra_body, keep);
	out = proto_print(root);
	cJSON_Delete(root);
	return out;
}

static char *
a1111_build(const struct backend *be, const struct gen_request *r, char **cause)
{
	static const char *const keep[] = { "prompt", "init_images", "mask", NULL };
	char *image = NULL, *mask = NULL, *out;
	cJSON *root, *arr, *ov;

	if (r->mode != GEN_TXT2IMG && (r->image == NULL || r->image_len == 0)) {
		cause_set(cause, "img2img needs an input image");
		return NULL;
	}
	if (r->mode == GEN_INPAINT && (r->mask == NULL || r->mask_len == 0)) {
		cause_set(cause, "inpainting needs a mask");
		return NULL;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "prompt", r->prompt != NULL ? r->prompt : "");
	if (r->negative != NULL && r->negative[0] != '\0')
		cJSON_AddStringToObject(root, "negative_prompt", r->negative);
	proto_add_int64(root, "seed", r->has_seed ? r->seed : -1);
	if (gen_steps(be, r) > 0)
		cJSON_AddNumberToObject(root, "steps", gen_steps(be, r));
	if (r->guidance > 0)
		cJSON_AddNumberToObject(root, "cfg_scale", r->guidance);
	if (r->width > 0 && r->height > 0) {
		cJSON_AddNumberToObject(root, "width", r->width);
		cJSON_AddNumberToObject(root, "height", r->height);
	}
	if (be->sampler != NULL)
		cJSON_AddStringToObject(root, "sampler_name", be->sampler);
	cJSON_AddNumberToObject(root, "batch_size", 1);
	cJSON_AddNumberToObject(root, "n_iter", 1);
	if (be->checkpoint != NULL) {
		ov = cJSON_AddObjectToObject(root, "override_settings");
		cJSON_AddStringToObject(ov, "sd_model_checkpoint", be->checkpoint);
	}
	if (r->mode != GEN_TXT2IMG) {
		/* Raw base64: A1111 strips a data: prefix, but not every fork does. */
		image = b64_encode(r->image, r->image_len, NULL);
		arr = cJSON_AddArrayToObject(root, "init_images");
		cJSON_AddItemToArray(arr, cJSON_CreateStringReference(image));
		if (r->mode != GEN_EDIT || r->strength > 0)
			cJSON_AddNumberToObject(root, "denoising_strength", clamp01(r->strength));
		if (r->mode == GEN_EDIT && r->image_guidance > 0)
			cJSON_AddNumberToObject(root, "image_cfg_scale", r->image_guidance);
	}
	if (r->mode == GEN_INPAINT) {
		mask = b64_encode(r->mask, r->mask_len, NULL);
		proto_add_ref(root, "mask", mask);
		cJSON_AddNumberToObject(root, "mask_blur", r->mask_blur);
		cJSON_AddNumberToObject(root, "inpainting_fill", r->inpainting_fill);
		cJSON_AddNumberToObject(root, "inpainting_mask_invert", be->mask_invert ? 1 : 0);
		cJSON_AddBoolToObject(root, "inpaint_full_res", 0);
	}
	proto_merge_extra(root, be->extra_body, keep);
	out = proto_print(root);
	cJSON_Delete(root);
	free(image);
	free(mask);
	return out;
}

char *
gen_build(const struct backend *be, const struct gen_request *r, char **cause)
{
	if (be->kind == BK_A1111)
		return a1111_build(be, r, cause);
	if (be->kind != BK_IMAGES) {
		cause_set(cause, "backend %s is %s, not an image generator", be->name,
		    backend_kind_name(be->kind));
		return NULL;
	}
	if (r->mode == GEN_IMG2IMG) {
		cause_set(cause, "openai-images has no img2img strength; use an a1111 backend");
		return NULL;
	}
	if (r->mode != GEN_TXT2IMG) {
		cause_set(cause, "openai-images edits are multipart (gen_parts), not JSON");
		return NULL;
	}
	return images_generations(be, r);
}

/* ---- multipart edits ---- */

struct scalar {
	const char *name;
	char *value;
};

static void
scalar_add(struct scalar *s, size_t *n, const char *name, char *value)
{
	s[*n].name = name;
	s[(*n)++].value = value;
}

struct http_part *
gen_parts(const struct backend *be, const struct gen_request *r, size_t *n, char **text)
{
	struct scalar sc[PARTS_MAX];
	struct http_part *parts;
	size_t ns = 0, np = 0, total = 0, off = 0;
	char *buf;

	scalar_add(sc, &ns, "prompt", images_prompt(be, r));
	if (be->model != NULL)
		scalar_add(sc, &ns, "model", xstrdup(be->model));
	scalar_add(sc, &ns, "n", xstrdup("1"));
	if (r->width > 0 && r->height > 0)
		scalar_add(sc, &ns, "size", xasprintf("%dx%d", r->width, r->height));
	if (be->send_response_format)
		scalar_add(sc, &ns, "response_format", xstrdup("b64_json"));
	if (!be->prompt_extra_args) {
		if (r->has_seed)
			scalar_add(sc, &ns, "seed", xasprintf("%lld", (long long)r->seed));
		if (r->guidance > 0)
			scalar_add(sc, &ns, "guidance_scale", xasprintf("%g", r->guidance));
		if (gen_steps(be, r) > 0)
			scalar_add(sc, &ns, "num_inference_steps", xasprintf("%d",
			    gen_steps(be, r)));
		if (r->negative != NULL && r->negative[0] != '\0')
			scalar_add(sc, &ns, "negative_prompt", xstrdup(r->negative));
	}

	/* One buffer for every scalar, so the caller frees a single *text. */
	for (size_t i = 0; i < ns; i++)
		total += strlen(sc[i].value) + 1;
	buf = xmalloc(total + 1);
	parts = xcalloc(ns + 2, sizeof *parts);
	parts[np].name = be->edits_image_field != NULL ? be->edits_image_field : "image";
	parts[np].filename = "image.png";
	parts[np].type = "image/png";
	parts[np].data = r->image;
	parts[np++].len = r->image_len;
	if (r->mode == GEN_INPAINT && r->mask != NULL) {
		parts[np].name = "mask";
		parts[np].filename = "mask.png";
		parts[np].type = "image/png";
		parts[np].data = r->mask;
		parts[np++].len = r->mask_len;
	}
	for (size_t i = 0; i < ns; i++) {
		size_t l = strlen(sc[i].value);

		memcpy(buf + off, sc[i].value, l + 1);
		parts[np].name = sc[i].name;
		parts[np].data = buf + off;
		parts[np++].len = l;
		off += l + 1;
		free(sc[i].value);
	}
	*text = buf;
	*n = np;
	return parts;
}

/* ---- replies ---- */

static void
reply_add(struct gen_reply *out, uint8_t *data, size_t len)
{
	out->images = xreallocarray(out->images, out->nimages + 1, sizeof *out->images);
	out->lens = xreallocarray(out->lens, out->nimages + 1, sizeof *out->lens);
	out->images[out->nimages] = data;
	out->lens[out->nimages++] = len;
}

/* Decodes one base64 image named what ("data[0].b64_json") into out. */
static int
image_add(struct gen_reply *out, const char *b64, const char *what, char **cause)
{
	uint8_t *data;
	size_t len;
	char *why = NULL;

	if (b64_decode(b64, strlen(b64), &data, &len, &why) != 0) {
		cause_set(cause, "%s: %s", what, why);
		free(why);
		return -1;
	}
	if (proto_sniff(data, len) == NULL) {
		free(data);
		return cause_set(cause, "%s: not a PNG, JPEG, WebP or GIF image", what);
	}
	reply_add(out, data, len);
	return 0;
}

static int
images_parse(const cJSON *root, const char *body, size_t len, struct gen_reply *out,
    char **cause)
{
	const cJSON *data, *d, *b64, *url, *rp;
	char what[48];
	size_t i = 0;

	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (data == NULL)
		return proto_missing(root, body, len, "data", cause);
	if (!cJSON_IsArray(data) || cJSON_GetArraySize(data) == 0)
		return cause_set(cause, "data is not a non-empty list");
	if (cJSON_GetArraySize(data) > IMAGES_MAX)
		return cause_set(cause, "more than %d images in data", IMAGES_MAX);
	cJSON_ArrayForEach(d, data) {
		b64 = cJSON_GetObjectItemCaseSensitive(d, "b64_json");
		url = cJSON_GetObjectItemCaseSensitive(d, "url");
		if (!cJSON_IsString(b64)) {
			if (cJSON_IsString(url))
				return cause_set(cause, "the server returned a URL; set "
				    "quirks.response_format");
			return cause_set(cause, "data[%zu] has no b64_json", i);
		}
		snprintf(what, sizeof what, "data[%zu].b64_json", i);
		if (image_add(out, b64->valuestring, what, cause) != 0)
			return -1;
		rp = cJSON_GetObjectItemCaseSensitive(d, "revised_prompt");
		if (i == 0 && cJSON_IsString(rp))
			out->revised_prompt = xstrdup(rp->valuestring);
		i++;
	}
	return 0;
}

/* The seed a1111 used, from "info": a JSON document inside a string (parsed a second time). */
static void
a1111_seed(const cJSON *info, struct gen_reply *out)
{
	const cJSON *seed;
	cJSON *doc = NULL;

	if (cJSON_IsString(info) && info->valuestring[0] != '\0')
		info = doc = cJSON_Parse(info->valuestring);
	seed = cJSON_IsObject(info) ? cJSON_GetObjectItemCaseSensitive(info, "seed") : NULL;
	if (cJSON_IsNumber(seed) && seed->valuedouble == floor(seed->valuedouble) &&
	    fabs(seed->valuedouble) < 9.2e18) {
		out->has_seed = 1;
		out->seed = (int64_t)seed->valuedouble;
	}
	cJSON_Delete(doc);
}

static int
a1111_parse(const cJSON *root, const char *body, size_t len, struct gen_reply *out,
    char **cause)
{
	const cJSON *images, *im;
	char what[48];
	size_t i = 0;

	images = cJSON_GetObjectItemCaseSensitive(root, "images");
	if (images == NULL)
		return proto_missing(root, body, len, "images", cause);
	if (!cJSON_IsArray(images) || cJSON_GetArraySize(images) == 0)
		return cause_set(cause, "images is not a non-empty list");
	if (cJSON_GetArraySize(images) > IMAGES_MAX)
		return cause_set(cause, "more than %d images", IMAGES_MAX);
	cJSON_ArrayForEach(im, images) {
		if (!cJSON_IsString(im))
			return cause_set(cause, "images[%zu] is not a string", i);
		snprintf(what, sizeof what, "images[%zu]", i);
		if (image_add(out, im->valuestring, what, cause) != 0)
			return -1;
		i++;
	}
	a1111_seed(cJSON_GetObjectItemCaseSensitive(root, "info"), out);
	return 0;
}

int
gen_parse(const struct backend *be, const char *body, size_t len, struct gen_reply *out,
    char **cause)
{
	const cJSON *id;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof *out);
	if ((root = proto_parse(body, len, cause)) == NULL)
		return -1;
	if (be->kind == BK_A1111)
		rc = a1111_parse(root, body, len, out, cause);
	else
		rc = images_parse(root, body, len, out, cause);
	id = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (rc == 0 && cJSON_IsString(id))
		out->id = xstrdup(id->valuestring);
	cJSON_Delete(root);
	if (rc != 0)
		gen_reply_free(out);
	return rc;
}

void
gen_reply_free(struct gen_reply *r)
{
	for (size_t i = 0; i < r->nimages; i++)
		free(r->images[i]);
	free(r->images);
	free(r->lens);
	free(r->id);
	free(r->revised_prompt);
	memset(r, 0, sizeof *r);
}
