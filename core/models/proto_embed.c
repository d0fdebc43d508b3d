/* SPDX-License-Identifier: MIT */
/*
 * Vectors on the wire: the embeddings request in each server's image style
 * (Infinity's modality field, vLLM's chat messages, llama.cpp's content
 * parts) and its reply as float lists or base64 float32; and the kserve-v2
 * (Open Inference Protocol) infer request and output tensor of a classifier.
 */
#include "core/models/proto.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/b64.h"
#include "core/models/proto_priv.h"
#include "core/base/util.h"

/* CLIP vectors have 512 to 1280 dimensions; far more means the reply is not embeddings. */
#define DIM_MAX 65536
/* Class scores of one classifier output at most. */
#define SCORES_MAX 1000000

/* ---- embeddings ---- */

size_t
embed_batch_max(const struct backend *be, int images)
{
	/* vLLM's chat-style embeddings pool one conversation into one vector. */
	if (images && be->image_style == IMG_MESSAGES)
		return 1;
	return be->max_batch > 0 ? (size_t)be->max_batch : 1;
}

static cJSON *
image_url_part(const char *url)
{
	cJSON *p = cJSON_CreateObject(), *iu;

	cJSON_AddStringToObject(p, "type", "image_url");
	iu = cJSON_AddObjectToObject(p, "image_url");
	proto_add_ref(iu, "url", url);
	return p;
}

char *
embed_build(const struct backend *be, const char *const *texts, const struct chat_image *images,
    size_t n)
{
	cJSON *root, *input, *msg, *content, *item;
	char **urls = NULL, *out;

	root = cJSON_CreateObject();
	if (be->model != NULL)
		cJSON_AddStringToObject(root, "model", be->model);
	if (images == NULL) {
		input = cJSON_AddArrayToObject(root, "input");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(input, cJSON_CreateString(texts[i] != NULL ?
			    texts[i] : ""));
		if (be->image_style == IMG_MODALITY)
			cJSON_AddStringToObject(root, "modality", "text");
		goto done;
	}
	urls = xcalloc(n + 1, sizeof *urls);
	for (size_t i = 0; i < n; i++)
		urls[i] = proto_data_url(images[i].data, images[i].len);
	switch (be->image_style) {
	case IMG_MESSAGES:
		/* One user message; embed_batch_max keeps it to one image. */
		msg = cJSON_CreateObject();
		cJSON_AddStringToObject(msg, "role", "user");
		content = cJSON_AddArrayToObject(msg, "content");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(content, image_url_part(urls[i]));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "messages"), msg);
		break;
	case IMG_CONTENT_PARTS:
		input = cJSON_AddArrayToObject(root, "input");
		for (size_t i = 0; i < n; i++) {
			item = cJSON_CreateObject();
			content = cJSON_AddArrayToObject(item, "content");
			cJSON_AddItemToArray(content, image_url_part(urls[i]));
			cJSON_AddItemToArray(input, item);
		}
		break;
	default:
		input = cJSON_AddArrayToObject(root, "input");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(input, cJSON_CreateStringReference(urls[i]));
		cJSON_AddStringToObject(root, "modality", "image");
		break;
	}
done:
	cJSON_AddStringToObject(root, "encoding_format", be->base64_floats ? "base64" : "float");
	out = proto_print(root);
	cJSON_Delete(root);
	for (size_t i = 0; urls != NULL && i < n; i++)
		free(urls[i]);
	free(urls);
	return out;
}

/* 1 on a little-endian host, where float32 bytes from the wire need no swapping. */
static int
host_little_endian(void)
{
	const uint16_t one = 1;
	uint8_t b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/* One vector: a list of numbers, or base64 of little-endian float32. Caller frees *v. */
static int
embed_vector(const cJSON *e, size_t i, float **v, size_t *dim, char **cause)
{
	const cJSON *x;
	uint8_t *raw, t;
	size_t len, k = 0;
	char *why = NULL;

	if (cJSON_IsString(e)) {
		if (b64_decode(e->valuestring, strlen(e->valuestring), &raw, &len, &why) != 0) {
			cause_set(cause, "data[%zu].embedding: %s", i, why);
			free(why);
			return -1;
		}
		if (len == 0 || len % 4 != 0 || len / 4 > DIM_MAX) {
			free(raw);
			return cause_set(cause, "data[%zu].embedding: %zu bytes is not a vector "
			    "of float32 (at most %d)", i, len, DIM_MAX);
		}
		if (!host_little_endian()) {
			for (k = 0; k < len; k += 4) {
				t = raw[k];
				raw[k] = raw[k + 3];
				raw[k + 3] = t;
				t = raw[k + 1];
				raw[k + 1] = raw[k + 2];
				raw[k + 2] = t;
			}
		}
		*dim = len / 4;
		*v = xmalloc(len);
		memcpy(*v, raw, len);
		free(raw);
	} else if (cJSON_IsArray(e)) {
		*dim = (size_t)cJSON_GetArraySize(e);
		if (*dim == 0 || *dim > DIM_MAX)
			return cause_set(cause, "data[%zu].embedding has %zu values (1 to %d "
			    "expected)", i, *dim, DIM_MAX);
		*v = xmalloc(*dim * sizeof **v);
		cJSON_ArrayForEach(x, e) {
			if (!cJSON_IsNumber(x)) {
				free(*v);
				return cause_set(cause, "data[%zu].embedding[%zu] is not a number",
				    i, k);
			}
			(*v)[k++] = (float)x->valuedouble;
		}
	} else
		return cause_set(cause, "data[%zu].embedding is %s", i, e == NULL ? "missing" :
		    "neither a list of numbers nor base64");
	for (k = 0; k < *dim; k++) {
		if (!isfinite((*v)[k])) {
			free(*v);
			return cause_set(cause, "data[%zu].embedding[%zu] is not a finite number",
			    i, k);
		}
	}
	return 0;
}

static int
embed_items(const cJSON *data, size_t n, float **vecs, size_t *dim, char **cause)
{
	const cJSON *d, *idx;
	float *v = NULL, *all = NULL;
	uint8_t *seen = xcalloc(n, 1);
	size_t i = 0, at, dv = 0;

	cJSON_ArrayForEach(d, data) {
		if (!cJSON_IsObject(d)) {
			cause_set(cause, "data[%zu] is not an object", i);
			goto fail;
		}
		at = i;
		idx = cJSON_GetObjectItemCaseSensitive(d, "index");
		if (idx != NULL) {
			if (!cJSON_IsNumber(idx) || idx->valuedouble < 0 ||
			    idx->valuedouble >= (double)n ||
			    idx->valuedouble != floor(idx->valuedouble)) {
				cause_set(cause, "data[%zu].index is not in 0..%zu", i, n - 1);
				goto fail;
			}
			at = (size_t)idx->valuedouble;
		}
		if (seen[at]) {
			cause_set(cause, "data[%zu]: index %zu appears twice", i, at);
			goto fail;
		}
		seen[at] = 1;
		if (embed_vector(cJSON_GetObjectItemCaseSensitive(d, "embedding"), i, &v, &dv,
		    cause) != 0)
			goto fail;
		if (all == NULL) {
			*dim = dv;
			all = xcalloc(n, dv * sizeof *all);
		} else if (dv != *dim) {
			free(v);
			cause_set(cause, "data[%zu] has %zu dimensions, the first had %zu", i, dv,
			    *dim);
			goto fail;
		}
		memcpy(all + at * dv, v, dv * sizeof *v);
		free(v);
		i++;
	}
	free(seen);
	*vecs = all;
	return 0;
fail:
	free(seen);
	free(all);
	return -1;
}

int
embed_parse(const char *body, size_t len, size_t n, float **vecs, size_t *dim, char **cause)
{
	const cJSON *data;
	cJSON *root;
	int rc;

	*vecs = NULL;
	*dim = 0;
	if (n == 0)
		return cause_set(cause, "no embeddings were asked for");
	if ((root = proto_parse(body, len, cause)) == NULL)
		return -1;
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (data == NULL)
		rc = proto_missing(root, body, len, "data", cause);
	else if (!cJSON_IsArray(data))
		rc = cause_set(cause, "data is not a list");
	else if ((size_t)cJSON_GetArraySize(data) != n)
		rc = cause_set(cause, "expected %zu embeddings, got %d", n,
		    cJSON_GetArraySize(data));
	else
		rc = embed_items(data, n, vecs, dim, cause);
	cJSON_Delete(root);
	if (rc != 0)
		*dim = 0;
	return rc;
}

/* ---- kserve-v2 ---- */

/* Percent-encodes a path segment (model names may hold '/' or spaces). */
static void
path_segment(char *dst, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			*dst++ = (char)c;
		else
			dst += sprintf(dst, "%%%02X", c);
	}
	*dst = '\0';
}

char *
kserve_path(const struct backend *be)
{
	const char *model = be->model != NULL ? be->model : "";
	char *m, *v = NULL, *out;

	m = xmalloc(strlen(model) * 3 + 1);
	path_segment(m, model);
	if (be->version != NULL) {
		v = xmalloc(strlen(be->version) * 3 + 1);
		path_segment(v, be->version);
		out = xasprintf("/v2/models/%s/versions/%s/infer", m, v);
	} else
		out = xasprintf("/v2/models/%s/infer", m);
	free(m);
	free(v);
	return out;
}

/* w*h*3 bytes as a JSON list of numbers, written directly (150k cJSON nodes would be slow). */
static char *
uint8_list(const uint8_t *rgb, int w, int h)
{
	size_t n = (size_t)w * (size_t)h * 3, o = 0;
	char *s = xmalloc(n * 4 + 3);

	s[o++] = '[';
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, i > 0 ? ",%u" : "%u", (unsigned)rgb[i]);
	s[o++] = ']';
	s[o] = '\0';
	return s;
}

char *
kserve_build(const struct backend *be, const uint8_t *encoded, size_t len, const uint8_t *rgb,
    int w, int h)
{
	cJSON *root, *in, *shape, *outs, *o;
	char *data, *out;
	int uint8 = be->datatype != NULL && strcmp(be->datatype, "UINT8") == 0 && rgb != NULL;

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "id", "mmda");
	in = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "inputs"), in);
	cJSON_AddStringToObject(in, "name", be->input_name != NULL ? be->input_name : "input");
	shape = cJSON_AddArrayToObject(in, "shape");
	cJSON_AddItemToArray(shape, cJSON_CreateNumber(1));
	if (uint8) {
		cJSON_AddItemToArray(shape, cJSON_CreateNumber(h));
		cJSON_AddItemToArray(shape, cJSON_CreateNumber(w));
		cJSON_AddItemToArray(shape, cJSON_CreateNumber(3));
		cJSON_AddStringToObject(in, "datatype", "UINT8");
		data = uint8_list(rgb, w, h);
		cJSON_AddItemToObject(in, "data", cJSON_CreateRaw(data));
	} else {
		cJSON_AddStringToObject(in, "datatype", "BYTES");
		data = b64_encode(encoded, len, NULL);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "data"),
		    cJSON_CreateStringReference(data));
	}
	if (be->output_name != NULL) {
		outs = cJSON_AddArrayToObject(root, "outputs");
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", be->output_name);
		cJSON_AddItemToArray(outs, o);
	}
	out = proto_print(root);
	cJSON_Delete(root);
	free(data);
	return out;
}

/* Appends the numbers of data (nested lists are read in row-major order). */
static int
tensor_values(const cJSON *data, double *v, size_t *n, size_t cap, char **cause)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, data) {
		if (cJSON_IsArray(x)) {
			if (tensor_values(x, v, n, cap, cause) != 0)
				return -1;
			continue;
		}
		if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble))
			return cause_set(cause, "output data[%zu] is not a finite number", *n);
		if (*n >= cap)
			return cause_set(cause, "output data has more values than its shape");
		v[(*n)++] = x->valuedouble;
	}
	return 0;
}

static const cJSON *
kserve_output(const struct backend *be, const cJSON *outputs, char **cause)
{
	const cJSON *o, *name;

	if (be->output_name == NULL)
		return cJSON_GetArrayItem(outputs, 0);
	cJSON_ArrayForEach(o, outputs) {
		name = cJSON_GetObjectItemCaseSensitive(o, "name");
		if (cJSON_IsString(name) && strcmp(name->valuestring, be->output_name) == 0)
			return o;
	}
	cause_set(cause, "no output named \"%s\" in the reply", be->output_name);
	return NULL;
}

static void
softmax(double *v, size_t n)
{
	double max = v[0], sum = 0;

	for (size_t i = 1; i < n; i++)
		max = v[i] > max ? v[i] : max;
	for (size_t i = 0; i < n; i++)
		sum += v[i] = exp(v[i] - max);
	for (size_t i = 0; i < n; i++)
		v[i] /= sum;
}

/* The output's values, checked against its shape. Caller frees *probs. */
static int
kserve_values(const cJSON *o, double **probs, size_t *n, char **cause)
{
	const cJSON *shape, *data, *s;
	double count = 1;

	if (!cJSON_IsObject(o))
		return cause_set(cause, "the output is not an object");
	shape = cJSON_GetObjectItemCaseSensitive(o, "shape");
	data = cJSON_GetObjectItemCaseSensitive(o, "data");
	if (!cJSON_IsArray(shape))
		return cause_set(cause, "the output has no shape");
	if (!cJSON_IsArray(data))
		return cause_set(cause, "the output has no data list");
	cJSON_ArrayForEach(s, shape) {
		if (!cJSON_IsNumber(s) || s->valuedouble < 0 ||
		    s->valuedouble != floor(s->valuedouble))
			return cause_set(cause, "the output's shape holds a bad dimension");
		count *= s->valuedouble;
	}
	if (count < 1 || count > SCORES_MAX)
		return cause_set(cause, "the output's shape holds %.0f values (1 to %d expected)",
		    count, SCORES_MAX);
	*probs = xmalloc((size_t)count * sizeof **probs);
	*n = 0;
	if (tensor_values(data, *probs, n, (size_t)count, cause) != 0 || *n != (size_t)count) {
		cause_set(cause, "the output has %zu values but its shape says %.0f", *n, count);
		free(*probs);
		*probs = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
kserve_parse(const struct backend *be, const char *body, size_t len, double **probs,
    size_t *n, char **cause)
{
	const cJSON *outputs, *o;
	cJSON *root;
	int rc = -1;

	*probs = NULL;
	*n = 0;
	if ((root = proto_parse(body, len, cause)) == NULL)
		return -1;
	outputs = cJSON_GetObjectItemCaseSensitive(root, "outputs");
	if (outputs == NULL)
		proto_missing(root, body, len, "outputs", cause);
	else if (!cJSON_IsArray(outputs) || cJSON_GetArraySize(outputs) == 0)
		cause_set(cause, "outputs is not a non-empty list");
	else if ((o = kserve_output(be, outputs, cause)) != NULL)
		rc = kserve_values(o, probs, n, cause);
	cJSON_Delete(root);
	if (rc == 0 && be->nlabels > 0 && *n != be->nlabels) {
		rc = cause_set(cause, "the model returned %zu scores for %zu labels", *n,
		    be->nlabels);
		free(*probs);
		*probs = NULL;
		*n = 0;
	}
	if (rc == 0 && be->softmax)
		softmax(*probs, *n);
	return rc;
}
