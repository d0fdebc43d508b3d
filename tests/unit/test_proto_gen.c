/* SPDX-License-Identifier: MIT */
/*
 * Tests for the image-generation half of core/models/proto.h: openai-images
 * generations JSON (with vLLM-Omni's extension fields, or
 * stable-diffusion.cpp's controls inside the prompt), the multipart parts of
 * an edit, a1111 txt2img/img2img/inpaint bodies, and both reply parsers
 * (base64 images, a URL instead, cut base64, a1111's seed inside "info").
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/b64.h"
#include "core/models/proto.h"
#include "core/base/util.h"
#include "tests/harness.h"
#include "tests/unit/proto_fixtures.h"

/* ---- image generation ---- */

static void
test_gen_images_json(void)
{
	static char extra[] = "{\"quality\":\"low\",\"prompt\":\"evil\"}";
	struct backend be;
	struct gen_request r = { 0 };
	char *cause = NULL, *body;
	const char *p;
	cJSON *j, *args;

	backend_default(&be, BK_IMAGES);
	r.mode = GEN_TXT2IMG;
	r.prompt = "a cat";
	r.negative = "blurry";
	r.width = 640;
	r.height = 480;
	r.guidance = 4.5;
	r.steps = 20;
	r.has_seed = 1;
	r.seed = 42;
	CHECK_STR(gen_path(&be, &r), "/images/generations");
	be.extra_body = extra;
	j = J(gen_build(&be, &r, &cause));
	CHECK_STR(str_at(j, "prompt"), "a cat");
	CHECK_STR(str_at(j, "model"), "m");
	CHECK(num_at(j, "n") == 1);
	CHECK_STR(str_at(j, "size"), "640x480");
	CHECK_STR(str_at(j, "response_format"), "b64_json");
	CHECK(num_at(j, "seed") == 42);
	CHECK(num_at(j, "guidance_scale") == 4.5);
	CHECK(num_at(j, "num_inference_steps") == 20);
	CHECK_STR(str_at(j, "negative_prompt"), "blurry");
	CHECK_STR(str_at(j, "quality"), "low");
	cJSON_Delete(j);

	/* stable-diffusion.cpp: the controls travel inside the prompt instead. */
	be.extra_body = NULL;
	be.prompt_extra_args = 1;
	be.send_response_format = 0;
	be.model = NULL;
	r.width = 0;
	j = J(gen_build(&be, &r, &cause));
	p = str_at(j, "prompt");
	CHECK(p != NULL && str_starts(p, "a cat <sd_cpp_extra_args>{") &&
	    str_ends(p, "}</sd_cpp_extra_args>"));
	if (p != NULL && strchr(p, '{') != NULL) {
		char *inner = xstrndup(strchr(p, '{'), strlen(strchr(p, '{')) -
		    strlen("</sd_cpp_extra_args>"));

		args = cJSON_Parse(inner);
		CHECK(num_at(args, "seed") == 42);
		CHECK(num_at(args, "cfg_scale") == 4.5);
		CHECK(num_at(args, "steps") == 20);
		CHECK_STR(str_at(args, "negative_prompt"), "blurry");
		CHECK(at(args, "strength") == NULL);
		cJSON_Delete(args);
		free(inner);
	}
	CHECK(at(j, "seed") == NULL && at(j, "guidance_scale") == NULL);
	CHECK(at(j, "num_inference_steps") == NULL && at(j, "negative_prompt") == NULL);
	CHECK(at(j, "response_format") == NULL && at(j, "model") == NULL && at(j, "size") == NULL);
	cJSON_Delete(j);

	/* Nothing to pass: no empty tag. */
	memset(&r, 0, sizeof r);
	r.prompt = "plain";
	j = J(gen_build(&be, &r, &cause));
	CHECK_STR(str_at(j, "prompt"), "plain");
	cJSON_Delete(j);

	r.mode = GEN_IMG2IMG;
	CHECK_STR(gen_path(&be, &r), "/images/edits");
	CHECK(gen_build(&be, &r, &cause) == NULL);
	CHECK_STR(cause, "openai-images has no img2img strength; use an a1111 backend");
	free(cause);
	cause = NULL;
	r.mode = GEN_EDIT;
	CHECK(gen_build(&be, &r, &cause) == NULL);
	free(cause);
	cause = NULL;

	backend_default(&be, BK_EMBED);
	body = gen_build(&be, &r, &cause);
	CHECK(body == NULL);
	CHECK_STR(cause, "backend t is embeddings, not an image generator");
	free(cause);
}

static const struct http_part *
part(const struct http_part *parts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	}
	return NULL;
}

static int
part_is(const struct http_part *p, const char *text)
{
	return p != NULL && p->filename == NULL && p->len == strlen(text) &&
	    memcmp(p->data, text, p->len) == 0;
}

static void
test_gen_parts(void)
{
	static char field[] = "image[]";
	struct backend be;
	struct gen_request r = { 0 };
	struct http_part *parts;
	const struct http_part *p;
	size_t n;
	char *text;

	backend_default(&be, BK_IMAGES);
	r.mode = GEN_EDIT;
	r.prompt = "make it blue";
	r.image = png_bytes;
	r.image_len = sizeof png_bytes;
	r.width = 512;
	r.height = 512;
	parts = gen_parts(&be, &r, &n, &text);
	CHECK(n == 6);
	p = part(parts, n, "image");
	CHECK(p == &parts[0]);
	CHECK(p != NULL && strcmp(p->filename, "image.png") == 0 &&
	    strcmp(p->type, "image/png") == 0 && p->data == png_bytes &&
	    p->len == sizeof png_bytes);
	CHECK(part(parts, n, "mask") == NULL);
	CHECK(part_is(part(parts, n, "prompt"), "make it blue"));
	CHECK(part_is(part(parts, n, "model"), "m"));
	CHECK(part_is(part(parts, n, "n"), "1"));
	CHECK(part_is(part(parts, n, "size"), "512x512"));
	CHECK(part_is(part(parts, n, "response_format"), "b64_json"));
	free(parts);
	free(text);

	be.edits_image_field = field;
	be.send_response_format = 0;
	be.model = NULL;
	r.mode = GEN_INPAINT;
	r.mask = jpeg_bytes; /* only passed through */
	r.mask_len = sizeof jpeg_bytes;
	r.has_seed = 1;
	r.seed = -7;
	r.width = 0;
	parts = gen_parts(&be, &r, &n, &text);
	CHECK(n == 5);
	CHECK(part(parts, n, "image") == NULL);
	p = part(parts, n, "image[]");
	CHECK(p != NULL && strcmp(p->filename, "image.png") == 0);
	p = part(parts, n, "mask");
	CHECK(p != NULL && strcmp(p->filename, "mask.png") == 0 &&
	    strcmp(p->type, "image/png") == 0 && p->data == jpeg_bytes);
	CHECK(part_is(part(parts, n, "seed"), "-7"));
	CHECK(part(parts, n, "model") == NULL && part(parts, n, "size") == NULL);
	CHECK(part(parts, n, "response_format") == NULL);
	free(parts);
	free(text);

	be.prompt_extra_args = 1;
	r.strength = 0.6;
	parts = gen_parts(&be, &r, &n, &text);
	p = part(parts, n, "prompt");
	CHECK(p != NULL && strstr(p->data, "\"strength\":0.6") != NULL &&
	    strstr(p->data, "\"seed\":-7") != NULL);
	CHECK(part(parts, n, "seed") == NULL);
	free(parts);
	free(text);
}

static void
test_gen_a1111(void)
{
	static char sampler[] = "Euler a", ckpt[] = "v15.safetensors";
	struct backend be;
	struct gen_request r = { 0 };
	char *cause = NULL;
	const char *s;
	uint8_t *out;
	size_t len;
	cJSON *j;

	backend_default(&be, BK_A1111);
	be.model = NULL;
	be.steps = 25;
	r.mode = GEN_TXT2IMG;
	r.prompt = "a dog";
	r.width = 512;
	r.height = 768;
	CHECK_STR(gen_path(&be, &r), "/sdapi/v1/txt2img");
	j = J(gen_build(&be, &r, &cause));
	CHECK_STR(str_at(j, "prompt"), "a dog");
	CHECK(num_at(j, "seed") == -1);
	CHECK(num_at(j, "steps") == 25);
	CHECK(num_at(j, "width") == 512 && num_at(j, "height") == 768);
	CHECK(num_at(j, "batch_size") == 1 && num_at(j, "n_iter") == 1);
	CHECK(at(j, "cfg_scale") == NULL && at(j, "negative_prompt") == NULL);
	CHECK(at(j, "sampler_name") == NULL && at(j, "override_settings") == NULL);
	CHECK(at(j, "init_images") == NULL && at(j, "mask") == NULL);
	CHECK(at(j, "denoising_strength") == NULL);
	cJSON_Delete(j);

	be.sampler = sampler;
	be.checkpoint = ckpt;
	be.mask_invert = 1;
	r.mode = GEN_INPAINT;
	r.steps = 30;
	r.guidance = 7;
	r.has_seed = 1;
	r.seed = 1234;
	r.negative = "ugly";
	r.strength = 1.5; /* clamped */
	r.image = png_bytes;
	r.image_len = sizeof png_bytes;
	r.mask = png_bytes;
	r.mask_len = 8;
	r.mask_blur = 4;
	r.inpainting_fill = 1;
	CHECK_STR(gen_path(&be, &r), "/sdapi/v1/img2img");
	j = J(gen_build(&be, &r, &cause));
	CHECK(num_at(j, "seed") == 1234 && num_at(j, "steps") == 30);
	CHECK(num_at(j, "cfg_scale") == 7);
	CHECK_STR(str_at(j, "negative_prompt"), "ugly");
	CHECK_STR(str_at(j, "sampler_name"), "Euler a");
	CHECK_STR(str_at(j, "override_settings.sd_model_checkpoint"), "v15.safetensors");
	s = str_at(j, "init_images.0");
	CHECK(s != NULL && strncmp(s, "data:", 5) != 0);
	if (s != NULL && b64_decode(s, strlen(s), &out, &len, NULL) == 0) {
		CHECK(len == sizeof png_bytes && memcmp(out, png_bytes, len) == 0);
		free(out);
	}
	CHECK(num_at(j, "denoising_strength") == 1);
	s = str_at(j, "mask");
	CHECK(s != NULL && b64_encoded_len(8) == strlen(s));
	CHECK(num_at(j, "mask_blur") == 4 && num_at(j, "inpainting_fill") == 1);
	CHECK(num_at(j, "inpainting_mask_invert") == 1);
	CHECK(cJSON_IsFalse(at(j, "inpaint_full_res")));
	CHECK(at(j, "image_cfg_scale") == NULL);
	cJSON_Delete(j);

	r.mode = GEN_EDIT;
	r.strength = 0;
	r.image_guidance = 1.5;
	j = J(gen_build(&be, &r, &cause));
	CHECK(num_at(j, "image_cfg_scale") == 1.5);
	CHECK(at(j, "denoising_strength") == NULL && at(j, "mask") == NULL);
	CHECK(cJSON_GetArraySize(at(j, "init_images")) == 1);
	cJSON_Delete(j);

	r.mode = GEN_IMG2IMG;
	r.strength = 0.35;
	j = J(gen_build(&be, &r, &cause));
	CHECK(num_at(j, "denoising_strength") == 0.35);
	CHECK(at(j, "image_cfg_scale") == NULL);
	cJSON_Delete(j);

	r.image = NULL;
	CHECK(gen_build(&be, &r, &cause) == NULL);
	CHECK_STR(cause, "img2img needs an input image");
	free(cause);
	cause = NULL;
	r.image = png_bytes;
	r.mode = GEN_INPAINT;
	r.mask = NULL;
	CHECK(gen_build(&be, &r, &cause) == NULL);
	CHECK_STR(cause, "inpainting needs a mask");
	free(cause);
}

static const char *
gen_err(const struct backend *be, const char *body)
{
	static char last[400];
	struct gen_reply rep;
	char *cause = NULL;

	if (gen_parse(be, body, strlen(body), &rep, &cause) == 0) {
		gen_reply_free(&rep);
		return "(parsed)";
	}
	CHECK(rep.nimages == 0 && rep.images == NULL);
	snprintf(last, sizeof last, "%s", cause != NULL ? cause : "(no cause)");
	free(cause);
	return last;
}

static void
test_gen_parse(void)
{
	struct backend be;
	struct gen_reply rep;
	char *b64 = b64_encode(png_bytes, sizeof png_bytes, NULL), *body, *cause = NULL;

	backend_default(&be, BK_IMAGES);
	body = xasprintf("{\"created\":1,\"data\":[{\"b64_json\":\"%s\",\"revised_prompt\":"
	    "\"a tabby cat\"}]}", b64);
	CHECKF(gen_parse(&be, body, strlen(body), &rep, &cause) == 0, "%s", cause);
	CHECK(rep.nimages == 1 && rep.lens[0] == sizeof png_bytes &&
	    memcmp(rep.images[0], png_bytes, sizeof png_bytes) == 0);
	CHECK_STR(rep.revised_prompt, "a tabby cat");
	CHECK(rep.has_seed == 0 && rep.id == NULL);
	gen_reply_free(&rep);
	free(body);

	CHECK_STR(gen_err(&be, "{\"data\":[{\"url\":\"https://x/y.png\",\"b64_json\":null}]}"),
	    "the server returned a URL; set quirks.response_format");
	CHECK_STR(gen_err(&be, "{\"data\":[{}]}"), "data[0] has no b64_json");
	CHECK_STR(gen_err(&be, "{\"data\":[]}"), "data is not a non-empty list");
	CHECK_STR(gen_err(&be, "{\"detail\":\"engine not initialized\"}"),
	    "the server reported an error: engine not initialized");
	CHECK_STR(gen_err(&be, "{\"data\":[{\"b64_json\":\"aGVsbG8gd29ybGQ=\"}]}"),
	    "data[0].b64_json: not a PNG, JPEG, WebP or GIF image");
	CHECK_STR(gen_err(&be, "{\"data\":[{\"b64_json\":\"iVBORw0KGgoAAAANSUhEUgAB!\"}]}"),
	    "data[0].b64_json: bad base64 byte 0x21 at offset 24");
	CHECK_STR(gen_err(&be, "{\"data\":[{\"b64_json\":\"iVBORw0KG\"}]}"),
	    "data[0].b64_json: truncated base64 (9 bytes)");
	CHECK_STR(gen_err(&be, "{\"data\":"), "malformed JSON at byte 7 of 8");

	/* a1111: raw or data: base64, and the seed inside the info string. */
	backend_default(&be, BK_A1111);
	body = xasprintf("{\"images\":[\"%s\",\"data:image/png;base64,%s\"],\"parameters\":{},"
	    "\"info\":\"{\\\"seed\\\": 3141592653, \\\"all_seeds\\\": [3141592653]}\"}", b64, b64);
	CHECKF(gen_parse(&be, body, strlen(body), &rep, &cause) == 0, "%s", cause);
	CHECK(rep.nimages == 2 && rep.lens[1] == sizeof png_bytes);
	CHECK(rep.has_seed == 1 && rep.seed == 3141592653LL);
	gen_reply_free(&rep);
	free(body);
	/* stable-diffusion.cpp sends an empty info: no seed, no error. */
	body = xasprintf("{\"images\":[\"%s\"],\"info\":\"\"}", b64);
	CHECK(gen_parse(&be, body, strlen(body), &rep, &cause) == 0);
	CHECK(rep.has_seed == 0);
	gen_reply_free(&rep);
	free(body);
	body = xasprintf("{\"images\":[\"%s\"],\"info\":\"{not json\"}", b64);
	CHECK(gen_parse(&be, body, strlen(body), &rep, &cause) == 0);
	CHECK(rep.has_seed == 0);
	gen_reply_free(&rep);
	free(body);
	CHECK_STR(gen_err(&be, "{\"images\":[1]}"), "images[0] is not a string");
	CHECK_STR(gen_err(&be,
	    "{\"error\":\"OutOfMemoryError\",\"detail\":\"CUDA out of memory\"}"),
	    "the server reported an error: OutOfMemoryError: CUDA out of memory");
	CHECK_STR(gen_err(&be, "{\"info\":\"\"}"), "no images in the reply");
	free(b64);
}

int
main(void)
{
	h_suite = "proto_gen";
	RUN(test_gen_images_json);
	RUN(test_gen_parts);
	RUN(test_gen_a1111);
	RUN(test_gen_parse);
	HARNESS_END();
}
