/* SPDX-License-Identifier: MIT */
/*
 * Shared by the HTTP engine's unit tests (test_http.c, test_http_retry.c):
 * one stub for the binary, a chat backend on it with fast retries and a
 * known key, a temp folder per test for the cache and the request log, and
 * small readers of the stub's log.
 */
#ifndef MMDA_TESTS_HTTP_FIXTURES_H
#define MMDA_TESTS_HTTP_FIXTURES_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../harness.h"
#include "../http/stub.h"
#include "core/models/backend.h"
#include "core/models/http.h"
#include "core/base/util.h"

#define KEY_ENV "MMDA_TEST_HTTP_KEY"
#define KEY "sk-test-4f8a1c9e77d2"

static struct stub S;
static char base_v1[128];
static char dir[256]; /* the running test's temp folder */

static const int retry_on[] = { 408, 409, 429, 500, 502, 503, 504 };

/* A chat backend on the stub with fast retries; tests adjust fields. */
static inline void
be_init(struct backend *be, char **urls, size_t nurls)
{
	memset(be, 0, sizeof *be);
	be->name = (char *)"tb";
	be->kind = BK_CHAT;
	be->urls = urls;
	be->nurls = nurls;
	be->model = (char *)"test-model";
	be->auth = AUTH_BEARER;
	be->api_key_env = (char *)KEY_ENV;
	be->max_concurrency = 4;
	be->connect_ms = 2000;
	be->request_ms = 5000;
	be->max_response = 1 << 20;
	be->retry.max = 2;
	be->retry.base_ms = 50;
	be->retry.cap_ms = 200;
	be->retry.jitter = 0.25;
	be->retry.max_retry_after_s = 5;
	memcpy(be->retry.retry_on, retry_on, sizeof retry_on);
	be->retry.nretry_on = (int)(sizeof retry_on / sizeof retry_on[0]);
	be->rest_after = 2;
	be->rest_ms = 5000;
}

static inline int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void
dir_new(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/mmda-test-http.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static inline void
dir_done(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline struct http_engine *
engine(int cache)
{
	char *cache_dir = xasprintf("%s/cache", dir), *log = xasprintf("%s/req.log", dir);
	char *cause = NULL;
	struct http_engine *eng = http_engine_new(cache ? cache_dir : NULL, log, &cause);

	if (eng == NULL) {
		fprintf(stderr, "http_engine_new: %s\n", cause);
		exit(1);
	}
	free(cache_dir);
	free(log);
	return eng;
}

static inline void
req_init(struct http_req *r, const struct backend *be, const char *method, const char *path,
    const char *body)
{
	memset(r, 0, sizeof *r);
	r->be = be;
	r->method = method;
	r->path = path;
	r->body = body;
	r->bodylen = body != NULL ? strlen(body) : 0;
}

static const char CHAT[] = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\","
    "\"content\":\"hello \\u00e9 world\"}]}";

/* The stub's request log, parsed (caller deletes). */
static inline cJSON *
stub_entries(void)
{
	char *text = stub_log(&S);
	cJSON *j = text != NULL ? cJSON_Parse(text) : NULL;

	free(text);
	return j;
}

static inline const char *
entry_str(const cJSON *e, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline void
rules(const char *json)
{
	stub_reset(&S);
	if (json != NULL && stub_rules(&S, json) != 0)
		exit(1);
}

static inline char *
read_log(void)
{
	char *path = xasprintf("%s/req.log", dir), *data = NULL;
	size_t len;

	if (file_read_all(path, 1 << 20, &data, &len, NULL) != 0)
		data = xstrdup("");
	free(path);
	return data;
}

/* Runs one chat request against the current rules; returns http_do's value. */
static inline int
one(struct backend *be, struct http_req *r, double *secs)
{
	struct http_engine *eng = engine(0);
	double t0 = now_mono_s();
	int rc;

	req_init(r, be, "POST", "/chat/completions", CHAT);
	rc = http_do(eng, r);
	*secs = now_mono_s() - t0;
	http_engine_free(eng);
	return rc;
}

/* Sets the key, starts the stub and names its /v1 base. Returns 0, or -1 after a FAIL line. */
static inline int
fixtures_start(void)
{
	setenv(KEY_ENV, KEY, 1);
	if (stub_start(&S, 0) != 0) {
		printf("FAIL: %s/stub_start\n", h_suite);
		return -1;
	}
	snprintf(base_v1, sizeof base_v1, "%s/v1", S.url);
	return 0;
}

#endif
