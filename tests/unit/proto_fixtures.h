/* SPDX-License-Identifier: MIT */
/*
 * What the wire-format tests share: image bytes the type sniffer
 * recognises, a backend with the built-in defaults of a kind, and reading a
 * builder's JSON back by a dotted path ("messages.0.content").
 */
#ifndef MMDA_TEST_PROTO_FIXTURES_H
#define MMDA_TEST_PROTO_FIXTURES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/models/backend.h"
#include "tests/harness.h"

/* A PNG and a JPEG as far as the sniffer cares: the signature and a few bytes. */
static const uint8_t png_bytes[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
	'I', 'H', 'D', 'R', 1, 2, 3 };
static const uint8_t jpeg_bytes[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F' };

/* Parses a builder's output and frees it. */
static inline cJSON *
J(char *text)
{
	cJSON *root;

	CHECK(text != NULL);
	if (text == NULL)
		return cJSON_CreateObject();
	root = cJSON_Parse(text);
	CHECKF(root != NULL, "not JSON: %.200s", text);
	free(text);
	return root != NULL ? root : cJSON_CreateObject();
}

/* The item at a dotted path ("messages.1.content"); numbers index arrays. */
static inline const cJSON *
at(const cJSON *root, const char *path)
{
	char buf[256], *tok, *save = NULL;
	const cJSON *it = root;

	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && it != NULL;
	    tok = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(it))
			it = cJSON_GetArrayItem(it, atoi(tok));
		else
			it = cJSON_GetObjectItemCaseSensitive(it, tok);
	}
	return it;
}

static inline const char *
str_at(const cJSON *root, const char *path)
{
	const cJSON *it = at(root, path);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static inline double
num_at(const cJSON *root, const char *path)
{
	const cJSON *it = at(root, path);

	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static inline void
backend_default(struct backend *be, enum backend_kind kind)
{
	static char name[] = "t", model[] = "m", mtf[] = "max_tokens", field[] = "image";
	static char in[] = "input", dt[] = "BYTES";

	memset(be, 0, sizeof *be);
	be->name = name;
	be->kind = kind;
	be->model = model;
	be->max_tokens_field = mtf;
	be->edits_image_field = field;
	be->mask_style = kind == BK_IMAGES ? MASK_ALPHA : MASK_WHITE;
	be->send_response_format = 1;
	be->max_batch = 32;
	be->normalize = 1;
	be->input_name = in;
	be->datatype = dt;
	be->input_size = 224;
}

#endif
