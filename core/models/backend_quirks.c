/* SPDX-License-Identifier: MIT */
/*
 * The config keys that belong to one kind: the "quirks" of each server
 * family, the a1111 generation defaults and the kserve-v2 tensor layout with
 * its class labels. A key used on a backend of another kind is an error
 * (it would otherwise do nothing, silently).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/backend_priv.h"

#define MAX_LABELS 100000
#define LABELS_FILE_MAX (16 * 1024 * 1024)

static const char *const tokens_names[] = { "max_tokens", "max_completion_tokens", NULL };
static const char *const structured_names[] = { "none", "json_object", "json_schema", NULL };
static const char *const detail_names[] = { "low", "high", "auto", NULL };
static const char *const field_names[] = { "image", "image[]", NULL };
static const char *const mask_names[] = { "white", "alpha", NULL }; /* in enum mask_style order */
static const char *const style_names[] = { "modality-field", "chat-messages", "content-parts",
	NULL };
static const char *const encoding_names[] = { "float", "base64", NULL };
static const char *const datatype_names[] = { "BYTES", "UINT8", NULL };

int
bconf_quirk(struct pctx *c, struct backend *be, const cJSON *it, const char *at)
{
	const char *k = it->string;
	int v, ok;

	if (strcmp(k, "max_tokens_field") == 0 || strcmp(k, "structured") == 0 ||
	    strcmp(k, "supports_n") == 0 || strcmp(k, "image_detail") == 0) {
		if ((ok = bconf_kind_ok(c, K(BK_CHAT), at, k)) <= 0)
			return ok;
		if (strcmp(k, "supports_n") == 0)
			return bconf_bool(c, it, at, &be->supports_n);
		if (strcmp(k, "structured") == 0) {
			if (bconf_enum(c, it, at, structured_names, &v) != 0)
				return -1;
			be->structured = (enum structured_style)v;
			return 0;
		}
		if (strcmp(k, "image_detail") == 0) {
			if (!cJSON_IsNull(it) && bconf_enum(c, it, at, detail_names, &v) != 0)
				return -1;
			return bconf_str(c, it, at, 1, &be->image_detail);
		}
		if (bconf_enum(c, it, at, tokens_names, &v) != 0)
			return -1;
		return bconf_str(c, it, at, 0, &be->max_tokens_field);
	}
	if (strcmp(k, "extra_body") == 0) {
		if ((ok = bconf_kind_ok(c, K(BK_CHAT) | K(BK_IMAGES) | K(BK_A1111), at, k)) <= 0)
			return ok;
		free(be->extra_body);
		be->extra_body = NULL;
		if (cJSON_IsNull(it))
			return 0;
		if (!cJSON_IsObject(it))
			return bconf_err(c, at, k, "expected an object");
		be->extra_body = cJSON_PrintUnformatted(it);
		if (be->extra_body == NULL)
			fatal("cJSON_PrintUnformatted: out of memory");
		return 0;
	}
	if (strcmp(k, "edits_image_field") == 0 || strcmp(k, "mask_style") == 0 ||
	    strcmp(k, "response_format") == 0 || strcmp(k, "prompt_extra_args") == 0) {
		if ((ok = bconf_kind_ok(c, K(BK_IMAGES), at, k)) <= 0)
			return ok;
		if (strcmp(k, "prompt_extra_args") == 0)
			return bconf_bool(c, it, at, &be->prompt_extra_args);
		if (strcmp(k, "response_format") == 0) {
			/* null, as in "do not send it", reads naturally in a config. */
			if (cJSON_IsNull(it)) {
				be->send_response_format = 0;
				return 0;
			}
			return bconf_bool(c, it, at, &be->send_response_format);
		}
		if (strcmp(k, "mask_style") == 0) {
			if (bconf_enum(c, it, at, mask_names, &v) != 0)
				return -1;
			be->mask_style = (enum mask_style)v;
			return 0;
		}
		if (bconf_enum(c, it, at, field_names, &v) != 0)
			return -1;
		return bconf_str(c, it, at, 0, &be->edits_image_field);
	}
	if (strcmp(k, "image_style") == 0 || strcmp(k, "max_batch_images") == 0 ||
	    strcmp(k, "normalize") == 0 || strcmp(k, "encoding_format") == 0) {
		if ((ok = bconf_kind_ok(c, K(BK_EMBED), at, k)) <= 0)
			return ok;
		if (strcmp(k, "normalize") == 0)
			return bconf_bool(c, it, at, &be->normalize);
		if (strcmp(k, "max_batch_images") == 0)
			return bconf_intv(c, it, at, 1, 4096, &be->max_batch);
		if (strcmp(k, "encoding_format") == 0)
			return bconf_enum(c, it, at, encoding_names, &be->base64_floats);
		if (bconf_enum(c, it, at, style_names, &v) != 0)
			return -1;
		be->image_style = (enum image_style)v;
		return 0;
	}
	return bconf_err(c, at, k, "unknown key");
}

int
bconf_a1111(struct pctx *c, struct backend *be, const cJSON *obj, const char *at)
{
	const cJSON *it;
	int rc;

	cJSON_ArrayForEach(it, obj) {
		const char *k = it->string;

		if (strcmp(k, "sampler_name") == 0)
			rc = bconf_str(c, it, at, 1, &be->sampler);
		else if (strcmp(k, "checkpoint") == 0)
			rc = bconf_str(c, it, at, 1, &be->checkpoint);
		else if (strcmp(k, "mask_invert") == 0)
			rc = bconf_bool(c, it, at, &be->mask_invert);
		else if (strcmp(k, "steps") == 0) {
			be->steps = 0;
			rc = cJSON_IsNull(it) ? 0 : bconf_intv(c, it, at, 1, 1000, &be->steps);
		} else if (strcmp(k, "cfg_scale") == 0)
			rc = bconf_err(c, at, k, "set per request (the operator's guidance), "
			    "not here");
		else
			rc = bconf_err(c, at, k, "unknown key");
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
bconf_version(struct pctx *c, struct backend *be, const cJSON *it, const char *at)
{
	int64_t v;

	/* Versions are usually numbers in model repositories; both spellings are fine. */
	if (cJSON_IsNumber(it)) {
		if (bconf_int(c, it, at, 0, INT32_MAX, &v) != 0)
			return -1;
		free(be->version);
		be->version = xasprintf("%lld", (long long)v);
		return 0;
	}
	if (bconf_str(c, it, at, 1, &be->version) != 0)
		return -1;
	if (be->version != NULL && strpbrk(be->version, "/?#% ") != NULL)
		return bconf_err(c, at, it->string, "\"%s\" cannot be part of a URL path",
		    be->version);
	return 0;
}

void
bconf_labels_clear(struct backend *be)
{
	for (size_t i = 0; i < be->nlabels; i++)
		free(be->labels[i]);
	free(be->labels);
	be->labels = NULL;
	be->nlabels = 0;
}

static int
parse_labels(struct pctx *c, struct backend *be, const cJSON *arr, const char *at)
{
	char sub[64];
	const cJSON *e;
	size_t i = 0, n;

	if (!cJSON_IsArray(arr))
		return bconf_err(c, at, arr->string, "expected an array of class names");
	if ((n = (size_t)cJSON_GetArraySize(arr)) > MAX_LABELS)
		return bconf_err(c, at, arr->string, "more than %d labels", MAX_LABELS);
	bconf_labels_clear(be);
	be->labels = xcalloc(n + 1, sizeof *be->labels);
	cJSON_ArrayForEach(e, arr) {
		snprintf(sub, sizeof sub, "labels[%zu]", i);
		if (!cJSON_IsString(e))
			return bconf_err(c, at, sub, "expected a string");
		be->labels[i] = xstrdup(e->valuestring);
		be->nlabels = ++i;
	}
	return 0;
}

int
bconf_io(struct pctx *c, struct backend *be, const cJSON *obj, const char *at)
{
	const cJSON *it;
	int rc, v;

	if (cJSON_GetObjectItemCaseSensitive(obj, "labels") != NULL &&
	    cJSON_GetObjectItemCaseSensitive(obj, "labels_file") != NULL)
		return bconf_err(c, at, "labels", "give labels or labels_file, not both");
	cJSON_ArrayForEach(it, obj) {
		const char *k = it->string;

		if (strcmp(k, "input_name") == 0)
			rc = bconf_str(c, it, at, 0, &be->input_name);
		else if (strcmp(k, "output_name") == 0)
			rc = bconf_str(c, it, at, 1, &be->output_name);
		else if (strcmp(k, "datatype") == 0) {
			rc = bconf_enum(c, it, at, datatype_names, &v);
			if (rc == 0)
				rc = bconf_str(c, it, at, 0, &be->datatype);
		} else if (strcmp(k, "input_size") == 0)
			rc = bconf_intv(c, it, at, 1, 4096, &be->input_size);
		else if (strcmp(k, "softmax") == 0)
			rc = bconf_bool(c, it, at, &be->softmax);
		else if (strcmp(k, "version") == 0)
			rc = bconf_version(c, be, it, at);
		else if (strcmp(k, "labels") == 0) {
			free(c->labels_file);
			c->labels_file = NULL;
			rc = parse_labels(c, be, it, at);
		} else if (strcmp(k, "labels_file") == 0) {
			bconf_labels_clear(be);
			rc = bconf_str(c, it, at, 0, &c->labels_file);
		} else
			rc = bconf_err(c, at, k, "unknown key");
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
bconf_labels_file(struct pctx *c, struct backend *be, const char *at)
{
	char *path, *text, *line, *end, *why = NULL;
	size_t len, n = 0, lineno = 0;
	int rc = 0;

	if (c->labels_file[0] == '/' || c->dir == NULL)
		path = xstrdup(c->labels_file);
	else
		path = xasprintf("%s/%s", c->dir, c->labels_file);
	if (file_read_all(path, LABELS_FILE_MAX, &text, &len, &why) != 0) {
		bconf_err(c, at, "labels_file", "%s", why);
		free(why);
		free(path);
		return -1;
	}
	bconf_labels_clear(be);
	/* One class name per line, in index order; trailing blank lines are ignored. */
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	be->labels = xcalloc(1, sizeof *be->labels);
	for (line = text; len > 0 && line != NULL; line = end) {
		size_t l;

		lineno++;
		end = strchr(line, '\n');
		if (end != NULL)
			*end++ = '\0';
		l = strlen(line);
		if (l > 0 && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l == 0 || n >= MAX_LABELS) {
			rc = bconf_err(c, at, "labels_file", "%s: line %zu: %s", path, lineno,
			    l == 0 ? "empty class name" : "too many labels");
			break;
		}
		be->labels = xreallocarray(be->labels, n + 2, sizeof *be->labels);
		be->labels[n++] = xstrdup(line);
		be->nlabels = n;
	}
	if (rc == 0 && n == 0)
		rc = bconf_err(c, at, "labels_file", "%s: no labels", path);
	free(text);
	free(path);
	return rc;
}
