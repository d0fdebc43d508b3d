/* SPDX-License-Identifier: MIT */
/*
 * The bottom of the config reader: the kind table, the JSON text itself and
 * the typed value readers that every layer above (backend_parse.c for one
 * backend's fields, backend_quirks.c for kind-specific blocks, backend.c for
 * the file's top level) uses, so each mistake reads "FILE: JSON.PATH: why".
 * It calls nothing of the files above it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/backend_priv.h"

const struct backend_kind_def backend_kinds[] = {
	{ "openai-chat", BK_CHAT, "/models",
	    "chat completions: text and image in, text out (LLM and VLM roles)",
	    "llama.cpp llama-server, vLLM, Ollama /v1, LM Studio, LocalAI, OpenAI" },
	{ "openai-images", BK_IMAGES, "/models",
	    "image generation and edits (text-to-image, instruction edit, inpainting)",
	    "OpenAI, stable-diffusion.cpp sd-server, vLLM-Omni, LocalAI (generations only)" },
	{ "a1111", BK_A1111, "/sdapi/v1/options",
	    "sdapi txt2img and img2img (strength, inpainting with a mask)",
	    "AUTOMATIC1111, Forge, SD.Next, stable-diffusion.cpp sd-server" },
	{ "embeddings", BK_EMBED, "/models",
	    "CLIP image and text embeddings (CLIPScore)",
	    "Infinity, vLLM (CLIPModel, SiglipModel), llama.cpp (multimodal embeddings)" },
	{ "kserve-v2", BK_KSERVE, "/v2/health/ready",
	    "Open Inference Protocol v2 tensors (an image classifier)",
	    "Triton, OpenVINO Model Server, KServe runtimes, Seldon MLServer" },
	{ NULL, BK_COUNT, NULL, NULL, NULL },
};

const struct backend_kind_def *
backend_kind_find(const char *name)
{
	for (const struct backend_kind_def *k = backend_kinds; k->name != NULL; k++) {
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

const char *
backend_kind_name(enum backend_kind k)
{
	for (const struct backend_kind_def *d = backend_kinds; d->name != NULL; d++) {
		if (d->kind == k)
			return d->name;
	}
	return "unknown";
}

int
bconf_err(struct pctx *c, const char *at, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int rc;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rc = cause_set(c->cause, "%s: %s%s%s: %s", c->file, at,
	    key != NULL && *at != '\0' ? "." : "", key != NULL ? key : "", msg);
	free(msg);
	return rc;
}

int
bconf_kind_ok(struct pctx *c, unsigned mask, const char *at, const char *key)
{
	char names[128] = "";

	if (c->kind == BK_COUNT || (mask & K(c->kind)))
		return 1;
	if (c->skip_foreign)
		return 0;
	for (const struct backend_kind_def *d = backend_kinds; d->name != NULL; d++) {
		if (!(mask & K(d->kind)))
			continue;
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
		    names[0] != '\0' ? ", " : "", d->name);
	}
	return bconf_err(c, at, key, "only for kind %s, not %s", names,
	    backend_kind_name((enum backend_kind)c->kind));
}

/* ---- typed values ---- */

int
bconf_int(struct pctx *c, const cJSON *it, const char *at, int64_t min, int64_t max, int64_t *out)
{
	double v;

	if (!cJSON_IsNumber(it))
		return bconf_err(c, at, it->string, "expected a number");
	v = it->valuedouble;
	if (!isfinite(v) || v != floor(v))
		return bconf_err(c, at, it->string, "expected a whole number");
	if (v < (double)min || v > (double)max)
		return bconf_err(c, at, it->string, "%.0f is out of range %lld..%lld", v,
		    (long long)min, (long long)max);
	*out = (int64_t)v;
	return 0;
}

int
bconf_intv(struct pctx *c, const cJSON *it, const char *at, int64_t min, int64_t max, int *out)
{
	int64_t v;

	if (bconf_int(c, it, at, min, max, &v) != 0)
		return -1;
	*out = (int)v;
	return 0;
}

int
bconf_bool(struct pctx *c, const cJSON *it, const char *at, int *out)
{
	if (!cJSON_IsBool(it))
		return bconf_err(c, at, it->string, "expected true or false");
	*out = cJSON_IsTrue(it);
	return 0;
}

int
bconf_str(struct pctx *c, const cJSON *it, const char *at, int nullable, char **dst)
{
	if (nullable && cJSON_IsNull(it)) {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if (!cJSON_IsString(it))
		return bconf_err(c, at, it->string, nullable ? "expected a string or null" :
		    "expected a string");
	if (it->valuestring[0] == '\0')
		return bconf_err(c, at, it->string, "empty");
	for (const char *p = it->valuestring; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20)
			return bconf_err(c, at, it->string, "control character in the value");
	}
	free(*dst);
	*dst = xstrdup(it->valuestring);
	return 0;
}

int
bconf_enum(struct pctx *c, const cJSON *it, const char *at, const char *const *names, int *out)
{
	char list[160] = "";

	if (cJSON_IsString(it)) {
		for (int i = 0; names[i] != NULL; i++) {
			if (strcmp(it->valuestring, names[i]) == 0) {
				*out = i;
				return 0;
			}
		}
	}
	for (int i = 0; names[i] != NULL; i++) {
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"",
		    i > 0 ? ", " : "", names[i]);
	}
	return bconf_err(c, at, it->string, "expected one of %s", list);
}

/* Repeated keys are refused: cJSON would keep both and the second would be ignored. */
int
bconf_object(struct pctx *c, const cJSON *obj, const char *at, const char *key)
{
	if (!cJSON_IsObject(obj))
		return bconf_err(c, at, key, "expected an object");
	for (const cJSON *a = obj->child; a != NULL; a = a->next) {
		for (const cJSON *b = obj->child; b != a; b = b->next) {
			if (strcmp(a->string, b->string) == 0)
				return bconf_err(c, at, key, "key \"%s\" appears twice", a->string);
		}
	}
	return 0;
}

/* Line and column of byte off, for syntax errors in a hand-edited file. */
static void
text_position(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

cJSON *
bconf_json(const char *text, size_t len, const char *file, char **cause)
{
	const char *end = NULL;
	size_t off, line, col;
	cJSON *root;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root != NULL) {
		off = (size_t)(end - text);
		while (off < len && strchr(" \t\r\n", text[off]) != NULL && text[off] != '\0')
			off++;
		if (off == len)
			return root;
		cJSON_Delete(root);
		text_position(text, off, &line, &col);
		cause_set(cause, "%s: unexpected data after the JSON value at byte %zu (line %zu, "
		    "column %zu)", file, off, line, col);
		return NULL;
	}
	off = end != NULL && end >= text && end <= text + len ? (size_t)(end - text) : 0;
	text_position(text, off, &line, &col);
	cause_set(cause, "%s: malformed JSON at byte %zu (line %zu, column %zu)", file, off, line,
	    col);
	return NULL;
}
