/* SPDX-License-Identifier: MIT */
/*
 * One small real request per backend, for `mmda backends --try`: a health
 * route only says a server is up, while a request in the backend's own shape
 * shows that its quirks are right (the length field's name, the way an
 * embeddings server wants images, a model without vision) before a batch
 * spends hundreds of requests learning it.
 */
#include "core/models/mclient.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* An 8x8 mid-grey square: the smallest image every server decodes. */
static int
grey(struct image *img, char **cause)
{
	if (image_alloc(img, 8, 8, 3, 0, cause) != 0)
		return -1;
	memset(img->px, 128, 8 * 8 * 3);
	return 0;
}

/* The start of a reply, on one line, for the report. */
static char *
excerpt(const char *s)
{
	char *out = xstrndup(s, 40);

	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

static int
try_chat(struct mclient *mc, const struct backend *be, char **detail, char **cause)
{
	struct chat_request r;
	struct chat_reply rep;
	struct chat_image ci;
	struct image img;
	uint8_t *png = NULL;
	int rc;

	memset(&r, 0, sizeof r);
	r.user = be->vision ? "What colour is this image? Answer with one word." :
	    "Reply with the single word OK.";
	r.temperature = 0;
	r.top_p = -1;
	r.max_tokens = 16;
	r.n = 1;
	if (be->vision) {
		/* A vision backend gets an image: a model without a projector says so now. */
		if (grey(&img, cause) != 0)
			return -1;
		rc = mclient_png(&img, 0, &png, &ci.len, cause);
		image_free(&img);
		if (rc != 0)
			return -1;
		ci.data = png;
		r.images = &ci;
		r.nimages = 1;
	}
	rc = mclient_chat(mc, be, &r, &rep, cause);
	free(png);
	if (rc != 0)
		return -1;
	if (rep.ntexts == 0 || rep.texts[0] == NULL) {
		chat_reply_free(&rep);
		return cause_set(cause, "backend %s: the reply has no text", be->name);
	}
	char *ex = excerpt(rep.texts[0]);
	*detail = xasprintf("%s replied \"%s\"", rep.model ? rep.model : be->model, ex);
	free(ex);
	chat_reply_free(&rep);
	return 0;
}

static int
try_embed(struct mclient *mc, const struct backend *be, char **detail, char **cause)
{
	static const char *const texts[] = { "a photo of a grey square" };
	const struct image *imgs[1];
	struct image img;
	float *tv = NULL, *iv = NULL;
	size_t td = 0, id = 0;
	int rc = -1;

	if (grey(&img, cause) != 0)
		return -1;
	imgs[0] = &img;
	/* Both sides: CLIP scores need the text and the image in one space. */
	if (mclient_embed(mc, be, texts, NULL, 1, &tv, &td, cause) == 0 &&
	    mclient_embed(mc, be, NULL, imgs, 1, &iv, &id, cause) == 0) {
		if (td != id)
			cause_set(cause, "backend %s: text vectors have %zu dimensions, image vectors %zu",
			    be->name, td, id);
		else {
			*detail = xasprintf("%zu dimensions, image-text cosine %.3f", td,
			    mclient_cosine(tv, iv, td));
			rc = 0;
		}
	}
	image_free(&img);
	free(tv);
	free(iv);
	return rc;
}

static int
try_generate(struct mclient *mc, const struct backend *be, char **detail, char **cause)
{
	struct gen_request r;
	struct image img;
	int64_t seed;

	memset(&r, 0, sizeof r);
	r.mode = GEN_TXT2IMG;
	r.prompt = "a plain grey square";
	r.width = r.height = 64;
	r.steps = 1;
	r.has_seed = 1;
	r.seed = 1;
	if (mclient_generate(mc, be, &r, NULL, &img, &seed, NULL, cause) != 0)
		return -1;
	*detail = xasprintf("a %dx%d image (seed %lld)", img.w, img.h, (long long)seed);
	image_free(&img);
	return 0;
}

static int
try_classify(struct mclient *mc, const struct backend *be, char **detail, char **cause)
{
	struct image img;
	double *p = NULL;
	size_t n = 0, top = 0;
	int rc;

	if (grey(&img, cause) != 0)
		return -1;
	rc = mclient_classify(mc, be, &img, &p, &n, cause);
	image_free(&img);
	if (rc != 0)
		return -1;
	for (size_t i = 1; i < n; i++)
		if (p[i] > p[top])
			top = i;
	if (n == 0)
		*detail = xstrdup("no classes");
	else if (top < be->nlabels)
		*detail = xasprintf("%zu classes, top %s (%.2f)", n, be->labels[top], p[top]);
	else
		*detail = xasprintf("%zu classes, top #%zu (%.2f)", n, top, p[top]);
	free(p);
	return 0;
}

int
mclient_try(struct mclient *mc, const struct backend *be, char **detail, char **cause)
{
	*detail = NULL;
	switch (be->kind) {
	case BK_CHAT:
		return try_chat(mc, be, detail, cause);
	case BK_EMBED:
		return try_embed(mc, be, detail, cause);
	case BK_A1111:
	case BK_IMAGES:
		return try_generate(mc, be, detail, cause);
	case BK_KSERVE:
		return try_classify(mc, be, detail, cause);
	case BK_COUNT:
		break;
	}
	return cause_set(cause, "backend %s: unknown kind", be->name);
}
