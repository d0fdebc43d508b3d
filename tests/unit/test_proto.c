/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/base/b64.h and the openai-chat half of core/models/proto.h without a
 * server: the request parsed back and checked field by field (including
 * that the fields a quirk turns off are absent), and the reply parser on
 * good replies and on hostile ones (not JSON, wrong types, missing fields,
 * repeated indexes, an error report sent with a 2xx status).
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

/* ---- base64 ---- */

static void
test_b64(void)
{
	static const char *const vec[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" } };
	uint8_t buf[300], *out;
	size_t n, len;
	char *enc, *cause;

	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		enc = b64_encode(vec[i][0], strlen(vec[i][0]), &n);
		CHECK_STR(enc, vec[i][1]);
		CHECK(n == strlen(vec[i][1]) && n == b64_encoded_len(strlen(vec[i][0])));
		free(enc);
		CHECK(b64_decode(vec[i][1], strlen(vec[i][1]), &out, &len, NULL) == 0);
		CHECK(len == strlen(vec[i][0]) && memcmp(out, vec[i][0], len) == 0);
		free(out);
	}
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t l = 0; l <= sizeof buf; l += 7) {
		enc = b64_encode(buf, l, &n);
		CHECK(b64_decode(enc, n, &out, &len, NULL) == 0);
		CHECK(len == l && memcmp(out, buf, l) == 0);
		free(out);
		free(enc);
	}
	/* Tolerated: a data: URL prefix, line breaks, missing padding. */
	{
		const char *t = "data:image/png;base64,Zm9v\r\nYmE";

		out = NULL;
		CHECK(b64_decode(t, strlen(t), &out, &len, NULL) == 0);
		CHECK(out != NULL && len == 5 && memcmp(out, "fooba", 5) == 0);
		free(out);
	}
	CHECK(b64_decode("data:;base64,Zg", 15, &out, &len, NULL) == 0);
	CHECK(len == 1 && out[0] == 'f');
	free(out);

	cause = NULL;
	CHECK(b64_decode("Zm9v!mFy", 8, &out, &len, &cause) == -1);
	CHECK_STR(cause, "bad base64 byte 0x21 at offset 4");
	free(cause);
	cause = NULL;
	CHECK(b64_decode("Zm9vY", 5, &out, &len, &cause) == -1);
	CHECK_STR(cause, "truncated base64 (5 bytes)");
	free(cause);
	cause = NULL;
	CHECK(b64_decode("Zg==Zg==", 8, &out, &len, &cause) == -1);
	CHECK_STR(cause, "base64 data after padding at offset 4");
	free(cause);
	cause = NULL;
	CHECK(b64_decode("Zm9=", 4, &out, &len, NULL) == 0);
	free(out);
	CHECK(b64_decode("Zg=", 3, &out, &len, &cause) == -1);
	CHECK_STR(cause, "bad base64 padding at offset 2");
	free(cause);
	cause = NULL;
	CHECK(b64_decode("data:text/plain,hello", 21, &out, &len, &cause) == -1);
	CHECK_STR(cause, "a data: URL without \";base64,\"");
	free(cause);
	cause = NULL;
	CHECK(b64_decode("Zm9-", 4, &out, &len, &cause) == -1);
	free(cause);
}

/* ---- chat ---- */

static void
test_chat_build_plain(void)
{
	struct backend be;
	struct chat_turn shots[] = { { "u1", "a1" } };
	struct chat_request r = { 0 };
	cJSON *j;

	backend_default(&be, BK_CHAT);
	r.system = "sys";
	r.shots = shots;
	r.nshots = 1;
	r.user = "query";
	r.temperature = 0.25;
	r.top_p = -1;
	r.max_tokens = 100;
	r.has_seed = 1;
	r.seed = (int64_t)1 << 60 | 1; /* a double would round it */
	r.n = 3;
	j = J(chat_build(&be, &r));
	CHECK_STR(str_at(j, "model"), "m");
	CHECK(cJSON_GetArraySize(at(j, "messages")) == 4);
	CHECK_STR(str_at(j, "messages.0.role"), "system");
	CHECK_STR(str_at(j, "messages.0.content"), "sys");
	CHECK_STR(str_at(j, "messages.1.role"), "user");
	CHECK_STR(str_at(j, "messages.1.content"), "u1");
	CHECK_STR(str_at(j, "messages.2.role"), "assistant");
	CHECK_STR(str_at(j, "messages.2.content"), "a1");
	CHECK_STR(str_at(j, "messages.3.content"), "query");
	CHECK(num_at(j, "temperature") == 0.25);
	CHECK(at(j, "top_p") == NULL);
	CHECK(num_at(j, "max_tokens") == 100);
	CHECK(at(j, "max_completion_tokens") == NULL);
	CHECK(at(j, "n") == NULL);
	CHECK(cJSON_IsFalse(at(j, "stream")));
	CHECK(at(j, "response_format") == NULL);
	cJSON_Delete(j);

	/* The seed is written exactly, digit for digit. */
	{
		char *text = chat_build(&be, &r);

		CHECK(strstr(text, "\"seed\":1152921504606846977") != NULL);
		free(text);
	}
	r.temperature = -1;
	r.max_tokens = 0;
	r.has_seed = 0;
	r.system = NULL;
	r.nshots = 0;
	j = J(chat_build(&be, &r));
	CHECK(at(j, "temperature") == NULL && at(j, "max_tokens") == NULL);
	CHECK(at(j, "seed") == NULL);
	CHECK(cJSON_GetArraySize(at(j, "messages")) == 1);
	cJSON_Delete(j);
}

static void
test_chat_build_quirks(void)
{
	static char mct[] = "max_completion_tokens";
	static char extra[] = "{\"top_k\":40,\"temperature\":0.9,\"model\":\"x\",\"messages\":[]}";
	struct backend be;
	struct chat_request r = { 0 };
	cJSON *j;

	backend_default(&be, BK_CHAT);
	be.max_tokens_field = mct;
	be.supports_n = 1;
	be.structured = STRUCT_JSON_SCHEMA;
	be.extra_body = extra;
	r.user = "q";
	r.temperature = 0.1;
	r.top_p = 0.5;
	r.max_tokens = 7;
	r.n = 3;
	r.schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
	r.schema_name = "my schema!";
	j = J(chat_build(&be, &r));
	CHECK(num_at(j, "max_completion_tokens") == 7 && at(j, "max_tokens") == NULL);
	CHECK(num_at(j, "n") == 3);
	CHECK(num_at(j, "top_p") == 0.5);
	CHECK_STR(str_at(j, "response_format.type"), "json_schema");
	CHECK_STR(str_at(j, "response_format.json_schema.name"), "my_schema_");
	CHECK_STR(str_at(j, "response_format.json_schema.schema.type"), "object");
	CHECK_STR(str_at(j, "response_format.json_schema.schema.properties.a.type"), "string");
	CHECK(cJSON_IsTrue(at(j, "response_format.json_schema.strict")));
	/* extra_body: merged last, but never over the model or the messages. */
	CHECK(num_at(j, "top_k") == 40);
	CHECK(num_at(j, "temperature") == 0.9);
	CHECK_STR(str_at(j, "model"), "m");
	CHECK(cJSON_GetArraySize(at(j, "messages")) == 1);
	cJSON_Delete(j);

	be.structured = STRUCT_JSON_OBJECT;
	be.extra_body = NULL;
	j = J(chat_build(&be, &r));
	CHECK_STR(str_at(j, "response_format.type"), "json_object");
	CHECK(at(j, "response_format.json_schema") == NULL);
	CHECK(at(j, "top_k") == NULL);
	cJSON_Delete(j);

	be.structured = STRUCT_NONE;
	j = J(chat_build(&be, &r));
	CHECK(at(j, "response_format") == NULL);
	cJSON_Delete(j);

	/* A schema that is not an object falls back to JSON mode instead of a broken body. */
	be.structured = STRUCT_JSON_SCHEMA;
	r.schema = "{not json";
	j = J(chat_build(&be, &r));
	CHECK_STR(str_at(j, "response_format.type"), "json_object");
	cJSON_Delete(j);
}

static void
test_chat_build_images(void)
{
	static char detail[] = "low";
	struct backend be;
	struct chat_image im[2] = { { png_bytes, sizeof png_bytes },
		{ jpeg_bytes, sizeof jpeg_bytes } };
	struct chat_request r = { 0 };
	const char *url;
	uint8_t *out;
	size_t len;
	cJSON *j;

	backend_default(&be, BK_CHAT);
	r.user = "describe";
	r.images = im;
	r.nimages = 2;
	r.temperature = r.top_p = -1;
	j = J(chat_build(&be, &r));
	CHECK_STR(str_at(j, "messages.0.role"), "user");
	CHECK(cJSON_GetArraySize(at(j, "messages.0.content")) == 3);
	CHECK_STR(str_at(j, "messages.0.content.0.type"), "text");
	CHECK_STR(str_at(j, "messages.0.content.0.text"), "describe");
	CHECK_STR(str_at(j, "messages.0.content.1.type"), "image_url");
	url = str_at(j, "messages.0.content.1.image_url.url");
	CHECK(url != NULL && str_starts(url, "data:image/png;base64,"));
	if (url != NULL && b64_decode(url, strlen(url), &out, &len, NULL) == 0) {
		CHECK(len == sizeof png_bytes && memcmp(out, png_bytes, len) == 0);
		free(out);
	}
	url = str_at(j, "messages.0.content.2.image_url.url");
	CHECK(url != NULL && str_starts(url, "data:image/jpeg;base64,"));
	CHECK(at(j, "messages.0.content.1.image_url.detail") == NULL);
	cJSON_Delete(j);

	be.image_detail = detail;
	j = J(chat_build(&be, &r));
	CHECK_STR(str_at(j, "messages.0.content.1.image_url.detail"), "low");
	cJSON_Delete(j);
}

static const char *
chat_err(const char *body)
{
	static char last[400];
	struct chat_reply rep;
	char *cause = NULL;

	if (chat_parse(body, strlen(body), &rep, &cause) == 0) {
		chat_reply_free(&rep);
		return "(parsed)";
	}
	CHECK(rep.texts == NULL && rep.ntexts == 0);
	snprintf(last, sizeof last, "%s", cause != NULL ? cause : "(no cause)");
	free(cause);
	return last;
}

static void
test_chat_parse(void)
{
	const char *good = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"qwen\","
	    "\"choices\":[{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":"
	    "\"text\",\"text\":\"B\"},{\"type\":\"text\",\"text\":\"b\"}]},\"finish_reason\":"
	    "\"length\"},{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"A\"},"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"total_tokens\":3},\"timings\":{}}\n";
	struct chat_reply rep;
	char *cause = NULL;

	CHECKF(chat_parse(good, strlen(good), &rep, &cause) == 0, "%s", cause);
	CHECK_STR(rep.id, "c1");
	CHECK_STR(rep.model, "qwen");
	CHECK(rep.ntexts == 2);
	if (rep.ntexts == 2) {
		CHECK_STR(rep.texts[0], "A");
		CHECK_STR(rep.texts[1], "Bb");
	}
	CHECK_STR(rep.finish, "stop");
	chat_reply_free(&rep);

	CHECK_STR(chat_err("<html>502</html>"), "malformed JSON at byte 0 of 16");
	CHECK_STR(chat_err(""), "empty reply");
	CHECK_STR(chat_err("[1]"), "the reply is a JSON array, not an object");
	CHECK_STR(chat_err("{\"choices\":[]} {}"),
	    "unexpected data after the JSON reply at byte 15");
	CHECK_STR(chat_err("{\"id\":\"x\"}"), "no choices in the reply");
	CHECK_STR(chat_err("{\"error\":{\"message\":\"Loading model\",\"code\":503}}"),
	    "the server reported an error: Loading model");
	CHECK_STR(chat_err("{\"choices\":{}}"), "choices is not a list");
	CHECK_STR(chat_err("{\"choices\":[]}"), "choices is empty");
	CHECK_STR(chat_err("{\"choices\":[7]}"), "choices[0] is not an object");
	CHECK_STR(chat_err("{\"choices\":[{\"index\":0}]}"), "no choices[0].message");
	CHECK_STR(chat_err("{\"choices\":[{\"message\":{\"content\":\"a\"}},{\"message\":"
	    "{\"content\":null}}]}"), "choices[1].message.content is null");
	CHECK_STR(chat_err("{\"choices\":[{\"message\":{\"role\":\"assistant\"}}]}"),
	    "choices[0].message.content is missing");
	CHECK_STR(chat_err("{\"choices\":[{\"message\":{\"content\":5}}]}"),
	    "choices[0].message.content is neither a string nor a list of parts");
	CHECK_STR(chat_err("{\"choices\":[{\"index\":4,\"message\":{\"content\":\"a\"}}]}"),
	    "choices[0].index is not in 0..0");
	CHECK_STR(chat_err("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"a\"}},"
	    "{\"index\":0,\"message\":{\"content\":\"b\"}}]}"),
	    "choices[1]: index 0 appears twice");
	CHECK_STR(chat_err("{\"choices\":[{\"index\":\"0\",\"message\":{\"content\":\"a\"}}]}"),
	    "choices[0].index is not in 0..0");
}

/* What a server reports it serves: the text the reply cache keys on (issue 13, case 7). */
/* models_parse on a C string. */
static char *
models_parse_str(const char *body, const char *configured)
{
	return models_parse(body, strlen(body), configured);
}

static void
test_models_parse(void)
{
	char *s;

	/* llama.cpp: one entry whatever the configured name; its meta tells weights apart. */
	s = models_parse_str("{\"object\":\"list\",\"data\":[{\"id\":\"q4.gguf\",\"created\":17,"
	    "\"meta\":{\"n_params\":7}}]}", "local");
	CHECK_STR(s, "id=q4.gguf\nmeta={\"n_params\":7}");
	free(s);
	/* vLLM and OpenAI: the configured entry of several; created (the request time) is not
	 * part of it. */
	s = models_parse_str("{\"data\":[{\"id\":\"a\",\"created\":1},"
	    "{\"id\":\"m\",\"root\":\"/w/m-v2\","
	    "\"created\":2}]}", "m");
	CHECK_STR(s, "id=m\nroot=/w/m-v2");
	free(s);
	/* Several, none configured: all of them, in one order whatever the server's. */
	s = models_parse_str("{\"data\":[{\"id\":\"b\"},{\"id\":\"a\"}]}", "x");
	CHECK_STR(s, "ids=a\nb");
	free(s);
	s = models_parse_str("{\"sd_model_checkpoint\":\"sd15\",\"sd_checkpoint_hash\":\"ab12\"}",
	    NULL);
	CHECK_STR(s, "checkpoint=sd15\nhash=ab12");
	free(s);
	/* Nothing to go on: not JSON, no list, an id that is not a string, an empty list. */
	CHECK(models_parse_str("<html>", "m") == NULL);
	CHECK(models_parse_str("{}", "m") == NULL);
	CHECK(models_parse_str("{\"data\":[{\"id\":1}]}", "m") == NULL);
	CHECK(models_parse_str("{\"data\":[]}", "m") == NULL);
	CHECK(models_parse(NULL, 0, "m") == NULL);
}

int
main(void)
{
	h_suite = "proto";
	RUN(test_b64);
	RUN(test_chat_build_plain);
	RUN(test_chat_build_quirks);
	RUN(test_chat_build_images);
	RUN(test_chat_parse);
	RUN(test_models_parse);
	HARNESS_END();
}
