/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/models/backend.h: a config with every kind read into the struct,
 * the defaults layer, every validation error with its exact message, the
 * kind table, role resolution and the Authorization header from the
 * environment. Finding the file is in test_backend_files.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/backend.h"
#include "core/base/util.h"
#include "tests/harness.h"

static struct backend_config *
parse_ok(const char *json)
{
	struct backend_config *cfg = NULL;
	char *cause = NULL;

	if (backend_config_parse(json, strlen(json), "t.json", &cfg, &cause) != 0) {
		CHECKF(0, "parse failed: %s", cause);
		free(cause);
		return NULL;
	}
	return cfg;
}

/* The cause of a config that must fail (static: compared at once). */
static const char *
parse_err(const char *json)
{
	static char last[512];
	struct backend_config *cfg = NULL;
	char *cause = NULL;

	if (backend_config_parse(json, strlen(json), "t.json", &cfg, &cause) == 0) {
		backend_config_free(cfg);
		return "(parsed)";
	}
	CHECK(cfg == NULL);
	snprintf(last, sizeof last, "%s", cause != NULL ? cause : "(no cause)");
	free(cause);
	return last;
}

static const char full_config[] =
    "{\"defaults\": {\"timeouts\": {\"connect_ms\": 1234}, \"max_concurrency\": 3},\n"
    " \"backends\": [\n"
    "  {\"name\": \"chat\", \"kind\": \"openai-chat\", \"base_url\": \"http://h:8080/v1//\",\n"
    "   \"model\": \"m1\", \"api_key_env\": \"K1\", \"vision\": true,\n"
    "   \"timeouts\": {\"request_ms\": 999},\n"
    "   \"retries\": {\"max\": 2, \"base_ms\": 10, \"cap_ms\": 20, \"jitter\": 0.5,\n"
    "     \"max_retry_after_s\": 7, \"retry_on\": [429, 503]},\n"
    "   \"max_response_bytes\": 2048, \"rest\": {\"after_failures\": 5, \"ms\": 100},\n"
    "   \"quirks\": {\"max_tokens_field\": \"max_completion_tokens\", \"supports_n\": true,\n"
    "     \"structured\": \"json_schema\", \"image_detail\": \"low\",\n"
    "     \"extra_body\": {\"top_k\": 40}}},\n"
    "  {\"name\": \"img\", \"kind\": \"openai-images\",\n"
    "   \"base_urls\": [\"https://a:1/v1\", \"https://b:2/v1/\"],\n"
    "   \"quirks\": {\"edits_image_field\": \"image[]\", \"mask_style\": \"white\",\n"
    "     \"response_format\": false, \"prompt_extra_args\": true}},\n"
    "  {\"name\": \"sd\", \"kind\": \"a1111\", \"base_url\": \"http://h:7860\",\n"
    "   \"auth\": \"basic\", \"basic_user_env\": \"U\", \"basic_pass_env\": \"P\",\n"
    "   \"defaults\": {\"sampler_name\": \"Euler a\", \"steps\": 25, \"checkpoint\": \"x.ckpt\",\n"
    "     \"mask_invert\": true}},\n"
    "  {\"name\": \"clip\", \"kind\": \"embeddings\", \"base_url\": \"http://h:7997\",\n"
    "   \"model\": \"clip-b32\", \"quirks\": {\"image_style\": \"chat-messages\",\n"
    "   \"max_batch_images\": 8, \"normalize\": false, \"encoding_format\": \"base64\"}},\n"
    "  {\"name\": \"cls\", \"kind\": \"kserve-v2\", \"base_url\": \"http://h:8001\",\n"
    "   \"model\": \"resnet\", \"io\": {\"input_name\": \"in0\", \"output_name\": \"probs\",\n"
    "   \"datatype\": \"UINT8\", \"input_size\": 96, \"labels\": [\"a\", \"b\"],\n"
    "   \"softmax\": true, \"version\": 3}}\n"
    " ],\n"
    " \"roles\": {\"clip\": \"clip\", \"llm\": null},\n"
    " \"cache_dir\": \"off\", \"log\": \"/tmp/x.log\"}\n";

static void
test_full_config(void)
{
	struct backend_config *cfg = parse_ok(full_config);
	const struct backend *b;

	if (cfg == NULL)
		return;
	CHECK(cfg->n == 5);
	CHECK_STR(cfg->path, "t.json");
	CHECK_STR(cfg->cache_dir, "off");
	CHECK_STR(cfg->log_path, "/tmp/x.log");
	CHECK_STR(cfg->roles[ROLE_CLIP], "clip");
	CHECK(cfg->roles[ROLE_LLM] == NULL);

	b = backend_find(cfg, "chat");
	CHECK(b != NULL && b->kind == BK_CHAT);
	CHECK(b->nurls == 1);
	CHECK_STR(b->urls[0], "http://h:8080/v1");
	CHECK_STR(b->model, "m1");
	CHECK(b->auth == AUTH_BEARER);
	CHECK_STR(b->api_key_env, "K1");
	CHECK(b->vision == 1);
	CHECK(b->connect_ms == 1234 && b->request_ms == 999);
	CHECK(b->max_concurrency == 3);
	CHECK(b->retry.max == 2 && b->retry.base_ms == 10 && b->retry.cap_ms == 20);
	CHECK(b->retry.jitter == 0.5 && b->retry.max_retry_after_s == 7);
	CHECK(b->retry.nretry_on == 2 && b->retry.retry_on[0] == 429 &&
	    b->retry.retry_on[1] == 503);
	CHECK(b->max_response == 2048);
	CHECK(b->rest_after == 5 && b->rest_ms == 100);
	CHECK_STR(b->max_tokens_field, "max_completion_tokens");
	CHECK(b->supports_n == 1);
	CHECK(b->structured == STRUCT_JSON_SCHEMA);
	CHECK_STR(b->image_detail, "low");
	CHECK_STR(b->extra_body, "{\"top_k\":40}");

	b = backend_find(cfg, "img");
	CHECK(b != NULL && b->kind == BK_IMAGES);
	CHECK(b->nurls == 2);
	CHECK_STR(b->urls[0], "https://a:1/v1");
	CHECK_STR(b->urls[1], "https://b:2/v1");
	CHECK(b->model == NULL);
	CHECK(b->auth == AUTH_NONE);
	CHECK_STR(b->edits_image_field, "image[]");
	CHECK(b->mask_style == MASK_WHITE);
	CHECK(b->send_response_format == 0);
	CHECK(b->prompt_extra_args == 1);

	b = backend_find(cfg, "sd");
	CHECK(b != NULL && b->kind == BK_A1111);
	CHECK(b->auth == AUTH_BASIC);
	CHECK_STR(b->user_env, "U");
	CHECK_STR(b->pass_env, "P");
	CHECK_STR(b->sampler, "Euler a");
	CHECK(b->steps == 25);
	CHECK_STR(b->checkpoint, "x.ckpt");
	CHECK(b->mask_invert == 1);

	b = backend_find(cfg, "clip");
	CHECK(b != NULL && b->kind == BK_EMBED);
	CHECK(b->image_style == IMG_MESSAGES);
	CHECK(b->max_batch == 8);
	CHECK(b->normalize == 0);
	CHECK(b->base64_floats == 1);

	b = backend_find(cfg, "cls");
	CHECK(b != NULL && b->kind == BK_KSERVE);
	CHECK_STR(b->input_name, "in0");
	CHECK_STR(b->output_name, "probs");
	CHECK_STR(b->datatype, "UINT8");
	CHECK(b->input_size == 96);
	CHECK(b->nlabels == 2);
	if (b->nlabels == 2) {
		CHECK_STR(b->labels[0], "a");
		CHECK_STR(b->labels[1], "b");
	}
	CHECK(b->softmax == 1);
	CHECK_STR(b->version, "3");
	CHECK(backend_find(cfg, "nope") == NULL);
	backend_config_free(cfg);
}

static void
test_builtin_defaults(void)
{
	struct backend_config *cfg = parse_ok("{\"backends\": ["
	    "{\"name\": \"c\", \"kind\": \"openai-chat\", \"base_url\": \"http://h\", "
	    "\"model\": \"m\"},"
	    "{\"name\": \"i\", \"kind\": \"openai-images\", \"base_url\": \"http://h\"},"
	    "{\"name\": \"k\", \"kind\": \"kserve-v2\", \"base_url\": \"http://h\", "
	    "\"model\": \"m\"}]}");
	const struct backend *b;

	if (cfg == NULL)
		return;
	b = &cfg->b[0];
	CHECK(b->max_concurrency == 4 && b->connect_ms == 5000 && b->request_ms == 600000);
	CHECK(b->retry.max == 4 && b->retry.base_ms == 500 && b->retry.cap_ms == 30000);
	CHECK(b->retry.jitter == 0.25 && b->retry.max_retry_after_s == 120);
	CHECK(b->retry.nretry_on == 7 && b->retry.retry_on[0] == 408 &&
	    b->retry.retry_on[6] == 504);
	CHECK(b->max_response == (size_t)64 << 20);
	CHECK(b->rest_after == 3 && b->rest_ms == 30000);
	CHECK(b->auth == AUTH_NONE && b->vision == 0);
	CHECK_STR(b->max_tokens_field, "max_tokens");
	CHECK(b->supports_n == 0 && b->structured == STRUCT_NONE);
	CHECK(b->image_detail == NULL && b->extra_body == NULL);
	b = &cfg->b[1];
	CHECK(b->mask_style == MASK_ALPHA);
	CHECK(b->send_response_format == 1 && b->prompt_extra_args == 0);
	CHECK_STR(b->edits_image_field, "image");
	b = &cfg->b[2];
	CHECK_STR(b->input_name, "input");
	CHECK(b->output_name == NULL);
	CHECK_STR(b->datatype, "BYTES");
	CHECK(b->input_size == 224 && b->softmax == 0 && b->nlabels == 0);
	CHECK(b->version == NULL);
	CHECK(cfg->cache_dir == NULL && cfg->log_path == NULL);
	backend_config_free(cfg);
}

static void
test_defaults_layer(void)
{
	struct backend_config *cfg = parse_ok("{\"defaults\": {"
	    "\"timeouts\": {\"connect_ms\": 111, \"request_ms\": 222},"
	    "\"retries\": {\"max\": 1}, \"api_key_env\": \"SHARED_KEY\","
	    "\"quirks\": {\"supports_n\": true, \"image_style\": \"content-parts\"},"
	    "\"vision\": true},"
	    "\"backends\": ["
	    "{\"name\": \"c\", \"kind\": \"openai-chat\", \"base_url\": \"http://h\", "
	    "\"model\": \"m\", \"timeouts\": {\"request_ms\": 333}},"
	    "{\"name\": \"e\", \"kind\": \"embeddings\", \"base_url\": \"http://h\", "
	    "\"model\": \"m\", \"retries\": {\"max\": 0}, \"auth\": \"none\"},"
	    "{\"name\": \"s\", \"kind\": \"a1111\", \"base_url\": \"http://h\"}]}");

	if (cfg == NULL)
		return;
	/* Nested objects merge key by key; the backend's own value wins. */
	CHECK(cfg->b[0].connect_ms == 111 && cfg->b[0].request_ms == 333);
	CHECK(cfg->b[0].retry.max == 1);
	CHECK(cfg->b[0].supports_n == 1 && cfg->b[0].vision == 1);
	CHECK(cfg->b[0].auth == AUTH_BEARER);
	CHECK_STR(cfg->b[0].api_key_env, "SHARED_KEY");
	/* Kind-specific defaults reach only their kind. */
	CHECK(cfg->b[1].image_style == IMG_CONTENT_PARTS);
	CHECK(cfg->b[1].supports_n == 0 && cfg->b[1].vision == 0);
	CHECK(cfg->b[1].retry.max == 0);
	CHECK(cfg->b[1].auth == AUTH_NONE);
	CHECK(cfg->b[2].connect_ms == 111 && cfg->b[2].request_ms == 222);
	CHECK(cfg->b[2].image_style == IMG_MODALITY && cfg->b[2].vision == 0);
	backend_config_free(cfg);
}

#define CHAT "\"kind\": \"openai-chat\", \"base_url\": \"http://h\", \"model\": \"m\""

static void
test_errors(void)
{
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"foo\"}]}"),
	    "t.json: backends[0].kind: unknown kind \"foo\" (known: openai-chat, "
	    "openai-images, a1111, embeddings, kserve-v2)");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT "}, {\"name\": \"b\", "
	    CHAT ", \"quirks\": {\"max_token_field\": \"max_tokens\"}}]}"),
	    "t.json: backends[1].quirks.max_token_field: unknown key");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"color\": 1}]}"),
	    "t.json: backends[0].color: unknown key");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"a1111\", "
	    "\"base_url\": \"http://h\", \"quirks\": {\"supports_n\": true}}]}"),
	    "t.json: backends[0].quirks.supports_n: only for kind openai-chat, not a1111");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"openai-chat\", "
	    "\"base_url\": \"http://h\", \"model\": \"m\", \"io\": {}}]}"),
	    "t.json: backends[0].io: only for kind kserve-v2, not openai-chat");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"embeddings\", "
	    "\"base_url\": \"http://h\", \"model\": \"m\", \"vision\": true}]}"),
	    "t.json: backends[0].vision: only for kind openai-chat, not embeddings");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"openai-chat\", "
	    "\"model\": \"m\"}]}"), "t.json: backends[0]: no base_url");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"openai-chat\", "
	    "\"base_url\": \"ftp://h\", \"model\": \"m\"}]}"),
	    "t.json: backends[0].base_url: \"ftp://h\" is not an http:// or https:// URL");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"openai-chat\", "
	    "\"base_urls\": [\"http://h\", \"h:80\"], \"model\": \"m\"}]}"),
	    "t.json: backends[0].base_urls[1]: \"h:80\" is not an http:// or https:// URL");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"openai-chat\", "
	    "\"base_urls\": [], \"model\": \"m\"}]}"),
	    "t.json: backends[0].base_urls: expected a non-empty array of URLs");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"openai-chat\", "
	    "\"base_url\": \"http://\", \"model\": \"m\"}]}"),
	    "t.json: backends[0].base_url: \"http://\" has no host");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT "}, {\"name\": \"a\", "
	    CHAT "}]}"), "t.json: backends[1].name: \"a\" is used by another backend");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a b\", " CHAT "}]}"),
	    "t.json: backends[0].name: \"a b\": use only letters, digits, '_', '.' and '-'");
	CHECK_STR(parse_err("{\"backends\": [{" CHAT "}]}"), "t.json: backends[0].name: missing");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"embeddings\", "
	    "\"base_url\": \"http://h\"}]}"), "t.json: backends[0]: kind embeddings needs a model");
	CHECK_STR(parse_err("{\n  \"backends\": [,]\n}"),
	    "t.json: malformed JSON at byte 17 (line 2, column 16)");
	CHECK_STR(parse_err("{} x"),
	    "t.json: unexpected data after the JSON value at byte 3 (line 1, column 4)");
	CHECK_STR(parse_err("[]"), "t.json: expected a JSON object at the top");
	CHECK_STR(parse_err("{\"backend\": []}"), "t.json: backend: unknown key");
	CHECK_STR(parse_err("{}"), "t.json: backends: missing");
	CHECK_STR(parse_err("{\"backends\": []}"), "t.json: backends: expected a non-empty array");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"max_concurrency\": "
	    "0}]}"), "t.json: backends[0].max_concurrency: 0 is out of range 1..256");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"max_concurrency\": "
	    "1.5}]}"), "t.json: backends[0].max_concurrency: expected a whole number");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"quirks\": "
	    "{\"structured\": \"yaml\"}}]}"), "t.json: backends[0].quirks.structured: expected "
	    "one of \"none\", \"json_object\", \"json_schema\"");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"api_key_env\": "
	    "\"sk-123\"}]}"), "t.json: backends[0].api_key_env: \"sk-123\" is not an environment "
	    "variable name (the key itself never goes in the file)");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"auth\": "
	    "\"basic\"}]}"), "t.json: backends[0].auth: \"basic\" needs basic_user_env and "
	    "basic_pass_env");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"retries\": "
	    "{\"retry_on\": [429, 42]}}]}"),
	    "t.json: backends[0].retries.retry_on[1]: 42 is not an HTTP status");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"a1111\", "
	    "\"base_url\": \"http://h\", \"defaults\": {\"cfg_scale\": 7}}]}"),
	    "t.json: backends[0].defaults.cfg_scale: set per request (the operator's "
	    "guidance), not here");
	CHECK_STR(parse_err("{\"defaults\": {\"name\": \"x\"}, \"backends\": [{\"name\": \"a\", "
	    CHAT "}]}"), "t.json: defaults.name: not allowed in defaults");
	CHECK_STR(parse_err("{\"defaults\": {\"quirks\": {\"bogus\": 1}}, \"backends\": "
	    "[{\"name\": \"a\", " CHAT "}]}"), "t.json: defaults.quirks.bogus: unknown key");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"model\": \"n\"}]}"),
	    "t.json: backends[0]: key \"model\" appears twice");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT "}], \"roles\": "
	    "{\"clip\": \"a\"}}"), "t.json: roles.clip: backend a is openai-chat; role clip "
	    "needs a backend of kind embeddings");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT "}], \"roles\": "
	    "{\"llm\": \"b\"}}"), "t.json: roles.llm: no backend named \"b\"");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT "}], \"roles\": "
	    "{\"painter\": \"a\"}}"), "t.json: roles.painter: unknown role (known: llm, vlm, "
	    "image, clip, classifier)");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", \"kind\": \"kserve-v2\", "
	    "\"base_url\": \"http://h\", \"model\": \"m\", \"io\": {\"labels\": [\"x\"], "
	    "\"labels_file\": \"l.txt\"}}]}"),
	    "t.json: backends[0].io.labels: give labels or labels_file, not both");
	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"retries\": "
	    "{\"base_ms\": 100, \"cap_ms\": 50}}]}"),
	    "t.json: backends[0].retries.cap_ms: 50 is below base_ms 100");
}

static void
test_kinds(void)
{
	size_t n = 0;

	for (const struct backend_kind_def *k = backend_kinds; k->name != NULL; k++) {
		CHECK(backend_kind_find(k->name) == k);
		CHECK_STR(backend_kind_name(k->kind), k->name);
		CHECK(k->health_path[0] == '/' && k->summary[0] != '\0' && k->servers[0] != '\0');
		n++;
	}
	CHECK(n == BK_COUNT);
	CHECK(backend_kind_find("ollama") == NULL);
	CHECK_STR(backend_kind_find("kserve-v2")->health_path, "/v2/health/ready");
	CHECK_STR(backend_kind_find("a1111")->health_path, "/sdapi/v1/options");
	CHECK(strstr(backend_kind_find("openai-chat")->servers, "llama.cpp") != NULL);
	CHECK_STR(backend_role_name(ROLE_CLASSIFIER), "classifier");
}

/* ---- roles ---- */

static void
test_roles(void)
{
	struct backend_config *cfg = parse_ok("{\"backends\": ["
	    "{\"name\": \"text\", " CHAT "},"
	    "{\"name\": \"eyes\", " CHAT ", \"vision\": true},"
	    "{\"name\": \"sd\", \"kind\": \"a1111\", \"base_url\": \"http://h\"},"
	    "{\"name\": \"oi\", \"kind\": \"openai-images\", \"base_url\": \"http://h\"}],"
	    "\"roles\": {\"image\": \"oi\"}}");
	const struct backend *b;
	char *cause = NULL;

	if (cfg == NULL)
		return;
	CHECK(backend_for_role(cfg, ROLE_LLM, NULL, NULL) == &cfg->b[0]);
	CHECK(backend_for_role(cfg, ROLE_VLM, NULL, NULL) == &cfg->b[1]);
	CHECK(backend_for_role(cfg, ROLE_VLM, "text", NULL) == &cfg->b[0]);
	CHECK(backend_for_role(cfg, ROLE_IMAGE, NULL, NULL) == &cfg->b[3]);
	CHECK(backend_for_role(cfg, ROLE_IMAGE, "sd", NULL) == &cfg->b[2]);
	b = backend_for_role(cfg, ROLE_CLIP, NULL, &cause);
	CHECK(b == NULL);
	CHECK_STR(cause, "no backend for role clip (the config has no embeddings backend)");
	free(cause);
	cause = NULL;
	CHECK(backend_for_role(cfg, ROLE_LLM, "ghost", &cause) == NULL);
	CHECK_STR(cause, "no backend named \"ghost\"");
	free(cause);
	cause = NULL;
	CHECK(backend_for_role(cfg, ROLE_IMAGE, "text", &cause) == NULL);
	CHECK_STR(cause, "backend text is openai-chat; role image needs a backend of kind a1111 "
	    "or openai-images");
	free(cause);
	cause = NULL;
	CHECK(backend_for_role(cfg, ROLE_CLASSIFIER, NULL, &cause) == NULL);
	CHECK_STR(cause, "no backend for role classifier (the config has no kserve-v2 backend)");
	free(cause);
	backend_config_free(cfg);

	/* Without a vision backend, a VLM job still goes to the first chat backend. */
	cfg = parse_ok("{\"backends\": [{\"name\": \"sd\", \"kind\": \"a1111\", \"base_url\": "
	    "\"http://h\"}, {\"name\": \"t\", " CHAT "}]}");
	if (cfg != NULL)
		CHECK(backend_for_role(cfg, ROLE_VLM, NULL, NULL) == &cfg->b[1]);
	backend_config_free(cfg);
}

/* ---- auth ---- */

static void
test_auth(void)
{
	struct backend_config *cfg = parse_ok("{\"backends\": ["
	    "{\"name\": \"b\", " CHAT ", \"api_key_env\": \"MMDA_T_KEY\"},"
	    "{\"name\": \"s\", \"kind\": \"a1111\", \"base_url\": \"http://h\", "
	    "\"basic_user_env\": \"MMDA_T_USER\", \"basic_pass_env\": \"MMDA_T_PASS\"},"
	    "{\"name\": \"n\", " CHAT "},"
	    "{\"name\": \"x\", " CHAT ", \"api_key_env\": \"MMDA_T_KEY\", \"auth\": \"none\"}]}");
	char *h, *s;

	if (cfg == NULL)
		return;
	CHECK(cfg->b[1].auth == AUTH_BASIC);
	unsetenv("MMDA_T_KEY");
	CHECK(backend_auth_header(&cfg->b[0]) == NULL);
	CHECK(backend_secret(&cfg->b[0]) == NULL);
	setenv("MMDA_T_KEY", "", 1);
	CHECK(backend_auth_header(&cfg->b[0]) == NULL);
	setenv("MMDA_T_KEY", "sk-abc\n", 1);
	h = backend_auth_header(&cfg->b[0]);
	CHECK_STR(h, "Authorization: Bearer sk-abc");
	free(h);
	s = backend_secret(&cfg->b[0]);
	CHECK_STR(s, "sk-abc");
	free(s);
	/* A value that would split the header line is never sent. */
	setenv("MMDA_T_KEY", "sk\r\nX-Evil: 1", 1);
	CHECK(backend_auth_header(&cfg->b[0]) == NULL);

	setenv("MMDA_T_USER", "Aladdin", 1);
	unsetenv("MMDA_T_PASS");
	CHECK(backend_auth_header(&cfg->b[1]) == NULL);
	setenv("MMDA_T_PASS", "open sesame", 1);
	h = backend_auth_header(&cfg->b[1]);
	CHECK_STR(h, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	free(h);
	s = backend_secret(&cfg->b[1]);
	CHECK_STR(s, "open sesame");
	free(s);

	CHECK(backend_auth_header(&cfg->b[2]) == NULL);
	CHECK(backend_secret(&cfg->b[2]) == NULL);
	CHECK(cfg->b[3].auth == AUTH_NONE);
	setenv("MMDA_T_KEY", "sk-abc", 1);
	CHECK(backend_auth_header(&cfg->b[3]) == NULL);
	unsetenv("MMDA_T_KEY");
	unsetenv("MMDA_T_USER");
	unsetenv("MMDA_T_PASS");
	backend_config_free(cfg);

	CHECK_STR(parse_err("{\"backends\": [{\"name\": \"a\", " CHAT ", \"api_key_env\": \"K\", "
	    "\"basic_user_env\": \"U\", \"basic_pass_env\": \"P\"}]}"),
	    "t.json: backends[0].auth: missing: api_key_env and basic_*_env are both set; say "
	    "\"bearer\" or \"basic\"");
}

int
main(void)
{
	h_suite = "backend";
	RUN(test_full_config);
	RUN(test_builtin_defaults);
	RUN(test_defaults_layer);
	RUN(test_errors);
	RUN(test_kinds);
	RUN(test_roles);
	RUN(test_auth);
	HARNESS_END();
}

