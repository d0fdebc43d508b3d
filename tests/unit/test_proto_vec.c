/* SPDX-License-Identifier: MIT */
/*
 * Tests for the vector half of core/models/proto.h: the embeddings body in each
 * server's image style and its reply as float lists or base64 float32 (NaN,
 * a huge dimension, the wrong count, mixed dimensions), and the kserve-v2
 * infer body and output tensor (named or first output, shape checks,
 * numerically stable softmax, labels count).
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

/* ---- embeddings ---- */

static void
test_embed_build(void)
{
	const char *texts[] = { "a cat", "a dog" };
	struct chat_image im[2] = { { png_bytes, sizeof png_bytes },
		{ jpeg_bytes, sizeof jpeg_bytes } };
	struct backend be;
	cJSON *j;

	backend_default(&be, BK_EMBED);
	j = J(embed_build(&be, texts, NULL, 2));
	CHECK_STR(str_at(j, "model"), "m");
	CHECK_STR(str_at(j, "input.0"), "a cat");
	CHECK_STR(str_at(j, "input.1"), "a dog");
	CHECK_STR(str_at(j, "modality"), "text");
	CHECK_STR(str_at(j, "encoding_format"), "float");
	cJSON_Delete(j);
	j = J(embed_build(&be, NULL, im, 2));
	CHECK_STR(str_at(j, "modality"), "image");
	CHECK(str_at(j, "input.0") != NULL && str_starts(str_at(j, "input.0"),
	    "data:image/png;base64,"));
	CHECK(str_at(j, "input.1") != NULL && str_starts(str_at(j, "input.1"),
	    "data:image/jpeg;base64,"));
	cJSON_Delete(j);
	CHECK(embed_batch_max(&be, 1) == 32 && embed_batch_max(&be, 0) == 32);

	be.image_style = IMG_MESSAGES;
	be.base64_floats = 1;
	CHECK(embed_batch_max(&be, 1) == 1 && embed_batch_max(&be, 0) == 32);
	j = J(embed_build(&be, NULL, im, 1));
	CHECK(at(j, "input") == NULL && at(j, "modality") == NULL);
	CHECK_STR(str_at(j, "messages.0.role"), "user");
	CHECK_STR(str_at(j, "messages.0.content.0.type"), "image_url");
	CHECK(str_starts(str_at(j, "messages.0.content.0.image_url.url"),
	    "data:image/png;base64,"));
	CHECK_STR(str_at(j, "encoding_format"), "base64");
	cJSON_Delete(j);
	j = J(embed_build(&be, texts, NULL, 2));
	CHECK_STR(str_at(j, "input.1"), "a dog");
	CHECK(at(j, "modality") == NULL && at(j, "messages") == NULL);
	cJSON_Delete(j);

	be.image_style = IMG_CONTENT_PARTS;
	be.base64_floats = 0;
	j = J(embed_build(&be, NULL, im, 2));
	CHECK_STR(str_at(j, "input.1.content.0.type"), "image_url");
	CHECK(str_starts(str_at(j, "input.1.content.0.image_url.url"), "data:image/jpeg;base64,"));
	CHECK(at(j, "modality") == NULL);
	cJSON_Delete(j);
	j = J(embed_build(&be, texts, NULL, 2));
	CHECK_STR(str_at(j, "input.0"), "a cat");
	cJSON_Delete(j);
}

static char *
floats_b64(const float *v, size_t n)
{
	uint8_t *le = xmalloc(n * 4 + 1);

	for (size_t i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &v[i], 4);
		le[i * 4] = (uint8_t)u;
		le[i * 4 + 1] = (uint8_t)(u >> 8);
		le[i * 4 + 2] = (uint8_t)(u >> 16);
		le[i * 4 + 3] = (uint8_t)(u >> 24);
	}
	char *s = b64_encode(le, n * 4, NULL);
	free(le);
	return s;
}

static const char *
embed_err(const char *body, size_t n)
{
	static char last[400];
	float *v = NULL;
	size_t dim = 7;
	char *cause = NULL;

	if (embed_parse(body, strlen(body), n, &v, &dim, &cause) == 0) {
		free(v);
		return "(parsed)";
	}
	CHECK(v == NULL && dim == 0);
	snprintf(last, sizeof last, "%s", cause != NULL ? cause : "(no cause)");
	free(cause);
	return last;
}

static void
test_embed_parse(void)
{
	const float a[3] = { 0.5f, -0.25f, 1e-3f }, nanv[2] = { 1, NAN };
	float *v = NULL, *big;
	size_t dim = 0;
	char *cause = NULL, *b64, *body;
	const char *good = "{\"object\":\"list\",\"data\":[{\"index\":1,\"embedding\":"
	    "[4,5,6]},{\"index\":0,\"embedding\":[1,2,3.5]}],\"model\":\"clip\"}";

	CHECKF(embed_parse(good, strlen(good), 2, &v, &dim, &cause) == 0, "%s", cause);
	CHECK(dim == 3 && v[0] == 1 && v[2] == 3.5f && v[3] == 4 && v[5] == 6);
	free(v);

	b64 = floats_b64(a, 3);
	body = xasprintf("{\"data\":[{\"embedding\":\"%s\"}]}", b64);
	CHECKF(embed_parse(body, strlen(body), 1, &v, &dim, &cause) == 0, "%s", cause);
	CHECK(dim == 3 && memcmp(v, a, sizeof a) == 0);
	free(v);
	free(body);
	free(b64);

	CHECK_STR(embed_err("{\"data\":[{\"embedding\":[1]}]}", 2), "expected 2 embeddings, got 1");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":[1,2]},{\"embedding\":[1]}]}", 2),
	    "data[1] has 1 dimensions, the first had 2");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":[1,\"2\"]}]}", 1),
	    "data[0].embedding[1] is not a number");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":[1e300]}]}", 1),
	    "data[0].embedding[0] is not a finite number");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":[NaN]}]}", 1),
	    "malformed JSON at byte 23 of 30");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":[]}]}", 1),
	    "data[0].embedding has 0 values (1 to 65536 expected)");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":{}}]}", 1),
	    "data[0].embedding is neither a list of numbers nor base64");
	CHECK_STR(embed_err("{\"data\":[{\"vector\":[1]}]}", 1), "data[0].embedding is missing");
	CHECK_STR(embed_err("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":0,"
	    "\"embedding\":[2]}]}", 2), "data[1]: index 0 appears twice");
	CHECK_STR(embed_err("{\"data\":[{\"index\":2,\"embedding\":[1]}]}", 1),
	    "data[0].index is not in 0..0");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":\"AAAAAAA\"}]}", 1),
	    "data[0].embedding: 5 bytes is not a vector of float32 (at most 65536)");
	CHECK_STR(embed_err("{\"data\":[{\"embedding\":\"AAAA*AAA\"}]}", 1),
	    "data[0].embedding: bad base64 byte 0x2a at offset 4");
	CHECK_STR(embed_err("{\"error\":{\"message\":\"model is overloaded\"}}", 1),
	    "the server reported an error: model is overloaded");
	CHECK_STR(embed_err("{\"data\":3}", 1), "data is not a list");
	CHECK_STR(embed_err("nope", 1), "malformed JSON at byte 0 of 4");
	CHECK_STR(embed_err("{\"data\":[]}", 0), "no embeddings were asked for");

	b64 = floats_b64(nanv, 2);
	body = xasprintf("{\"data\":[{\"embedding\":\"%s\"}]}", b64);
	CHECK_STR(embed_err(body, 1), "data[0].embedding[1] is not a finite number");
	free(body);
	free(b64);

	big = xcalloc(65537, sizeof *big);
	b64 = floats_b64(big, 65537);
	body = xasprintf("{\"data\":[{\"embedding\":\"%s\"}]}", b64);
	CHECK_STR(embed_err(body, 1),
	    "data[0].embedding: 262148 bytes is not a vector of float32 (at most 65536)");
	free(body);
	free(b64);
	free(big);
}

/* ---- kserve-v2 ---- */

static void
test_kserve_build(void)
{
	static char out[] = "probs", ver[] = "2", u8[] = "UINT8", model[] = "my model/v1";
	const uint8_t rgb[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255 };
	struct backend be;
	char *path;
	const char *s;
	uint8_t *dec;
	size_t len;
	cJSON *j;

	backend_default(&be, BK_KSERVE);
	path = kserve_path(&be);
	CHECK_STR(path, "/v2/models/m/infer");
	free(path);
	be.version = ver;
	be.model = model;
	path = kserve_path(&be);
	CHECK_STR(path, "/v2/models/my%20model%2Fv1/versions/2/infer");
	free(path);

	j = J(kserve_build(&be, png_bytes, sizeof png_bytes, NULL, 0, 0));
	CHECK_STR(str_at(j, "id"), "mmda");
	CHECK_STR(str_at(j, "inputs.0.name"), "input");
	CHECK_STR(str_at(j, "inputs.0.datatype"), "BYTES");
	CHECK(cJSON_GetArraySize(at(j, "inputs.0.shape")) == 1);
	CHECK(num_at(j, "inputs.0.shape.0") == 1);
	s = str_at(j, "inputs.0.data.0");
	CHECK(s != NULL && strncmp(s, "data:", 5) != 0);
	if (s != NULL && b64_decode(s, strlen(s), &dec, &len, NULL) == 0) {
		CHECK(len == sizeof png_bytes && memcmp(dec, png_bytes, len) == 0);
		free(dec);
	}
	CHECK(at(j, "outputs") == NULL);
	cJSON_Delete(j);

	be.output_name = out;
	be.datatype = u8;
	j = J(kserve_build(&be, NULL, 0, rgb, 2, 2));
	CHECK_STR(str_at(j, "inputs.0.datatype"), "UINT8");
	CHECK(num_at(j, "inputs.0.shape.0") == 1 && num_at(j, "inputs.0.shape.1") == 2 &&
	    num_at(j, "inputs.0.shape.2") == 2 && num_at(j, "inputs.0.shape.3") == 3);
	CHECK(cJSON_GetArraySize(at(j, "inputs.0.data")) == 12);
	CHECK(num_at(j, "inputs.0.data.11") == 255 && num_at(j, "inputs.0.data.1") == 1);
	CHECK_STR(str_at(j, "outputs.0.name"), "probs");
	cJSON_Delete(j);
}

static const char *
kserve_err(const struct backend *be, const char *body)
{
	static char last[400];
	double *p = NULL;
	size_t n = 9;
	char *cause = NULL;

	if (kserve_parse(be, body, strlen(body), &p, &n, &cause) == 0) {
		free(p);
		return "(parsed)";
	}
	CHECK(p == NULL && n == 0);
	snprintf(last, sizeof last, "%s", cause != NULL ? cause : "(no cause)");
	free(cause);
	return last;
}

static void
test_kserve_parse(void)
{
	static char out[] = "probs", l0[] = "cat", l1[] = "dog", l2[] = "cow";
	static char *labels[] = { l0, l1, l2 };
	const char *body = "{\"model_name\":\"m\",\"outputs\":[{\"name\":\"logits\",\"shape\":"
	    "[1,3],\"datatype\":\"FP32\",\"data\":[9,9,9]},{\"name\":\"probs\",\"shape\":[1,3],"
	    "\"datatype\":\"FP32\",\"data\":[0.1,0.7,0.2]}]}";
	struct backend be;
	double *p;
	size_t n;
	char *cause = NULL;

	backend_default(&be, BK_KSERVE);
	CHECK(kserve_parse(&be, body, strlen(body), &p, &n, &cause) == 0);
	CHECK(n == 3 && p[0] == 9);
	free(p);
	be.output_name = out;
	CHECK(kserve_parse(&be, body, strlen(body), &p, &n, &cause) == 0);
	CHECK(n == 3 && p[1] == 0.7);
	free(p);

	/* Softmax of large logits must not overflow. */
	be.output_name = NULL;
	be.softmax = 1;
	body = "{\"outputs\":[{\"name\":\"o\",\"shape\":[3],\"data\":[[1000],[1000],[999]]}]}";
	CHECK(kserve_parse(&be, body, strlen(body), &p, &n, &cause) == 0);
	CHECK(n == 3 && fabs(p[0] - p[1]) < 1e-12 && fabs(p[0] + p[1] + p[2] - 1) < 1e-12);
	CHECK(fabs(p[2] / p[0] - exp(-1)) < 1e-9);
	free(p);
	be.softmax = 0;

	be.labels = labels;
	be.nlabels = 3;
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[2],\"data\":[1,2]}]}"),
	    "the model returned 2 scores for 3 labels");
	be.nlabels = 0;
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[1,3],\"data\":[1,2]}]}"),
	    "the output has 2 values but its shape says 3");
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[2],\"data\":[1,2,3]}]}"),
	    "output data has more values than its shape");
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[1],\"data\":[\"x\"]}]}"),
	    "output data[0] is not a finite number");
	CHECK_STR(kserve_err(&be, "{\"outputs\":[{\"name\":\"o\",\"data\":[1]}]}"),
	    "the output has no shape");
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[1]}]}"),
	    "the output has no data list");
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[-1],\"data\":[1]}]}"),
	    "the output's shape holds a bad dimension");
	CHECK_STR(kserve_err(&be, "{\"outputs\":[{\"shape\":[100000,100000],\"data\":[1]}]}"),
	    "the output's shape holds 10000000000 values (1 to 1000000 expected)");
	CHECK_STR(kserve_err(&be, "{\"outputs\":[]}"), "outputs is not a non-empty list");
	CHECK_STR(kserve_err(&be, "{\"error\":\"model resnet is not ready\"}"),
	    "the server reported an error: model resnet is not ready");
	be.output_name = out;
	CHECK_STR(kserve_err(&be,
	    "{\"outputs\":[{\"name\":\"o\",\"shape\":[1],\"data\":[1]}]}"),
	    "no output named \"probs\" in the reply");
	CHECK_STR(kserve_err(&be, "{\"outputs\": [}"), "malformed JSON at byte 13 of 14");
}
int
main(void)
{
	h_suite = "proto_vec";
	RUN(test_embed_build);
	RUN(test_embed_parse);
	RUN(test_kserve_build);
	RUN(test_kserve_parse);
	HARNESS_END();
}
