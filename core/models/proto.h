/* SPDX-License-Identifier: MIT */
/*
 * The wire formats of the backend kinds: builders that turn a request into
 * the exact JSON (or multipart parts) a server expects, honouring the
 * backend's quirks, and parsers that read replies and error bodies of every
 * dialect the servers use. Pure functions: no I/O, so each shape is tested
 * byte for byte without a server.
 *
 * Builders return a malloc'd NUL-terminated JSON text (caller frees) and
 * never fail on valid input. Parsers return 0 with the output filled (free
 * with its *_free) or -1 with *cause naming what was wrong ("no choices[0].
 * message.content", "malformed JSON at byte 12").
 */
#ifndef MMDA_PROTO_H
#define MMDA_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/models/backend.h"
#include "core/models/http.h"

/* ---- errors (every kind) ---- */

/*
 * The server's own message from an error body: error.message, error (a
 * string), detail (a string, or the first msg of a list), message, else the
 * body itself; control bytes removed and cut to 300 bytes. Caller frees;
 * never NULL.
 */
char *proto_error_message(const char *body, size_t len);
/*
 * 1 when a failed reply must not be retried: the status is not in retry_on,
 * or the body says the request can never succeed (insufficient_quota, "image
 * input is not supported", "does not support images", a context-size error,
 * status 501). 0 when a retry may help.
 */
int proto_is_permanent(const struct backend *be, long status, const char *body, size_t len);

/* ---- openai-chat ---- */

struct chat_image {
	const uint8_t *data; /* an encoded image (PNG, JPEG or WebP) */
	size_t len;
};

struct chat_turn {
	const char *user, *assistant; /* a few-shot example exchange */
};

struct chat_request {
	const char *system;            /* or NULL */
	const struct chat_turn *shots; /* few-shot exchanges before the query */
	size_t nshots;
	const char *user;              /* the query */
	const struct chat_image *images; /* attached to the query as data: URLs */
	size_t nimages;
	double temperature, top_p;     /* < 0: omitted */
	int max_tokens;                /* 0: omitted; else sent under be->max_tokens_field */
	int has_seed;
	int64_t seed;
	int n;                         /* choices; > 1 only when be->supports_n */
	const char *schema;            /* a JSON schema (text) for the reply, or NULL */
	const char *schema_name;
};

struct chat_reply {
	char *id;         /* the response's id, or NULL */
	char *model;
	char **texts;     /* choices[i].message.content, in index order */
	size_t ntexts;
	char *finish;     /* finish_reason of the first choice, or NULL */
};

char *chat_build(const struct backend *be, const struct chat_request *r);
int chat_parse(const char *body, size_t len, struct chat_reply *out, char **cause);
void chat_reply_free(struct chat_reply *r);

/*
 * What a server says it serves, from the reply of its readiness route (GET
 * /models of the OpenAI-style kinds, /sdapi/v1/options of a1111), as one
 * text that changes when the model does: the entry of the configured model,
 * else the only entry, with its id and what tells its weights apart (vLLM's
 * root, llama.cpp's meta); else every id; a1111's checkpoint and its hash.
 * Returns it (caller frees), or NULL when the body names no model (not JSON,
 * another route's answer): then only the configured name is known.
 */
char *models_parse(const char *body, size_t len, const char *configured);

/* ---- image generation (openai-images and a1111) ---- */

enum gen_mode {
	GEN_TXT2IMG, /* prompt -> image */
	GEN_IMG2IMG, /* image + prompt + strength -> image (a1111 only: openai-images has no strength) */
	GEN_INPAINT, /* image + mask + prompt -> image */
	GEN_EDIT,    /* image + instruction -> image (openai-images edits; a1111 img2img) */
};

struct gen_request {
	enum gen_mode mode;
	const char *prompt;
	const char *negative;     /* or NULL */
	int width, height;        /* 0: the server's default */
	double strength;          /* IMG2IMG and INPAINT: denoising strength, 0..1 */
	double guidance;          /* cfg scale; <= 0: the server's */
	double image_guidance;    /* EDIT on a1111 (image_cfg_scale); <= 0: omitted */
	int steps;                /* 0: be->steps, then the server's */
	int has_seed;
	int64_t seed;
	const uint8_t *image;     /* PNG of the input image (IMG2IMG, INPAINT, EDIT) */
	size_t image_len;
	const uint8_t *mask;      /* INPAINT: PNG already in the backend's mask style */
	size_t mask_len;
	int mask_blur;            /* a1111 */
	int inpainting_fill;      /* a1111: 0 fill, 1 original, 2 latent noise, 3 latent nothing */
};

struct gen_reply {
	uint8_t **images;  /* decoded bytes of each returned image (PNG, JPEG or WebP) */
	size_t *lens;
	size_t nimages;
	int has_seed;      /* a1111: the seed read back from "info" */
	int64_t seed;
	char *id;          /* an id from the reply when there is one, or NULL */
	char *revised_prompt;
};

/* The path to POST to for a request ("/images/generations", "/sdapi/v1/img2img"). Static. */
const char *gen_path(const struct backend *be, const struct gen_request *r);
/* JSON body for a1111 (any mode) and openai-images generations; NULL for an openai-images
 * EDIT/INPAINT (multipart: use gen_parts) or IMG2IMG (not expressible; *cause says so). */
char *gen_build(const struct backend *be, const struct gen_request *r, char **cause);
/*
 * Multipart parts for openai-images edits: image (under be->edits_image_field),
 * mask, prompt, model, n, size, response_format when asked. The parts borrow
 * r's buffers; *text holds the formatted scalars (free it with the parts).
 * Returns the array (caller frees) and its length in *n.
 */
struct http_part *gen_parts(const struct backend *be, const struct gen_request *r, size_t *n,
    char **text);
int gen_parse(const struct backend *be, const char *body, size_t len, struct gen_reply *out,
    char **cause);
void gen_reply_free(struct gen_reply *r);

/* ---- embeddings ---- */

/* Body embedding n texts (image == NULL) or one batch of encoded images, in be->image_style. */
char *embed_build(const struct backend *be, const char *const *texts,
    const struct chat_image *images, size_t n);
/* How many items one request may carry for this style (vLLM messages: 1 image). */
size_t embed_batch_max(const struct backend *be, int images);
/*
 * Reads data[i].embedding (float lists, or base64 little-endian float32),
 * placed by "index". Returns 0 with *vecs (n * *dim floats, caller frees)
 * when exactly n vectors of one dimension came back.
 */
int embed_parse(const char *body, size_t len, size_t n, float **vecs, size_t *dim, char **cause);

/* ---- kserve-v2 ---- */

/* Path of the infer route ("/v2/models/M[/versions/V]/infer"); caller frees. */
char *kserve_path(const struct backend *be);
/* Body for one image: BYTES carries the encoded file in base64; UINT8 carries
 * rgb (w*h*3, already resized to input_size) as numbers. */
char *kserve_build(const struct backend *be, const uint8_t *encoded, size_t len,
    const uint8_t *rgb, int w, int h);
/* The output tensor named be->output_name (or the first) as probabilities (softmax applied
 * when be->softmax); caller frees *probs. */
int kserve_parse(const struct backend *be, const char *body, size_t len, double **probs,
    size_t *n, char **cause);

#endif
