/* SPDX-License-Identifier: MIT */
/*
 * Tests of the HTTP engine (core/models/http.h) against the loopback stub
 * (tests/http/stub.py): what reaches the server byte for byte, concurrency
 * limits, fleets, the disk cache, keeping the key out of errors and the log,
 * cancelling and shutting down with work in flight. Retries and failures are
 * in test_http_retry.c.
 */
#include <pthread.h>

#include "core/base/sha256.h"
#include "http_fixtures.h"

static char base_local_v1[128]; /* the same stub as base_v1, by another name */

static void
test_cache_key(void)
{
	struct backend be, be2;
	char *urls[] = { (char *)"http://x" }, k1[65], k2[65], k3[65];
	struct http_req r;
	struct http_part p[2] = {
		{ "image[]", "a.png", "image/png", "\x89PNG\0\1", 6 },
		{ "prompt", NULL, NULL, "a cat", 5 },
	};

	be_init(&be, urls, 1);
	be2 = be;
	be2.model = (char *)"other-model";
	req_init(&r, &be, "POST", "/chat/completions", "{\"a\":1}");
	http_cache_key(&r, NULL, k1);
	CHECK(strlen(k1) == 64);
	http_cache_key(&r, NULL, k2);
	CHECK_STR(k1, k2);
	/* The same URL and name serving other weights is another key (issue 13, case 7). */
	http_cache_key(&r, "8:id=new-a;", k2);
	CHECK(strcmp(k1, k2) != 0);
	memcpy(k3, k2, sizeof k3);
	http_cache_key(&r, "8:id=new-b;", k2);
	CHECK(strcmp(k3, k2) != 0 && strcmp(k1, k2) != 0);
	r.body = "{\"a\":2}";
	http_cache_key(&r, NULL, k2);
	CHECK(strcmp(k1, k2) != 0);
	r.body = "{\"a\":1}";
	r.be = &be2;
	http_cache_key(&r, NULL, k2);
	CHECK(strcmp(k1, k2) != 0);
	r.be = &be;
	r.path = "/completions";
	http_cache_key(&r, NULL, k2);
	CHECK(strcmp(k1, k2) != 0);
	r.body = NULL;
	r.parts = p;
	r.nparts = 2;
	http_cache_key(&r, NULL, k1);
	p[0].data = "\x89PNG\0\2";
	http_cache_key(&r, NULL, k2);
	CHECK(strcmp(k1, k2) != 0);
	p[0].data = "\x89PNG\0\1";
	p[1].name = "mask";
	http_cache_key(&r, NULL, k2);
	CHECK(strcmp(k1, k2) != 0);
}

/* ---- the engine against the stub ---- */

static void
test_get_post(void)
{
	struct backend be;
	char *urls[] = { base_v1 };
	struct http_engine *eng;
	struct http_req r;
	cJSON *log, *e;
	char *want;

	dir_new();
	rules(NULL);
	be_init(&be, urls, 1);
	eng = engine(0);
	req_init(&r, &be, "GET", "/models", NULL);
	CHECK(http_do(eng, &r) == 0);
	CHECK(r.status == 200 && r.attempts == 1 && !r.from_cache && r.error == NULL);
	CHECK(r.resp != NULL && strstr(r.resp, "\"data\"") != NULL && r.resplen == strlen(r.resp));
	want = xasprintf("%s/models", base_v1);
	CHECK_STR(r.url, want);
	free(want);
	http_req_clear(&r);

	req_init(&r, &be, "POST", "/chat/completions", CHAT);
	CHECK(http_do(eng, &r) == 0);
	CHECK(r.status == 200 && r.resp != NULL && strstr(r.resp, "\"choices\"") != NULL);
	http_req_clear(&r);
	http_engine_free(eng);

	log = stub_entries();
	CHECK(cJSON_GetArraySize(log) == 2);
	e = cJSON_GetArrayItem(log, 0);
	CHECK_STR(entry_str(e, "method", NULL), "GET");
	CHECK_STR(entry_str(e, "path", NULL), "/v1/models");
	CHECK_STR(entry_str(e, "headers", "authorization"), "Bearer " KEY);
	CHECK_STR(entry_str(e, "headers", "user-agent"), "mmda");
	e = cJSON_GetArrayItem(log, 1);
	CHECK_STR(entry_str(e, "method", NULL), "POST");
	CHECK_STR(entry_str(e, "path", NULL), "/v1/chat/completions");
	CHECK_STR(entry_str(e, "body", NULL), "{\"model\":\"test-model\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"hello \\u00e9 world\"}]}");
	CHECK_STR(entry_str(e, "headers", "content-type"), "application/json");
	CHECK(entry_str(e, "headers", "expect") == NULL);
	cJSON_Delete(log);
	dir_done();
}

static void
test_multipart(void)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,
		0, 13, 'I', 'H', 'D', 'R', 0xff, 0 };
	struct http_part parts[3] = {
		{ "image[]", "in.png", "image/png", png, sizeof png },
		{ "mask", "mask.png", "image/png", png, 8 },
		{ "prompt", NULL, NULL, "paint it blue", 13 },
	};
	struct backend be;
	char *urls[] = { base_v1 }, hex[65];
	struct http_engine *eng;
	struct http_req r;
	cJSON *log, *ps, *p;

	dir_new();
	rules("[{\"path\":\"/v1/images/edits\",\"status\":200,\"body\":{\"ok\":true}}]");
	be_init(&be, urls, 1);
	eng = engine(0);
	req_init(&r, &be, "POST", "/images/edits", NULL);
	r.parts = parts;
	r.nparts = 3;
	CHECK(http_do(eng, &r) == 0);
	CHECK_STR(r.resp, "{\"ok\":true}");
	http_req_clear(&r);
	http_engine_free(eng);

	log = stub_entries();
	ps = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, 0), "parts");
	CHECK(cJSON_GetArraySize(ps) == 3);
	p = cJSON_GetArrayItem(ps, 0);
	CHECK_STR(entry_str(p, "name", NULL), "image[]");
	CHECK_STR(entry_str(p, "filename", NULL), "in.png");
	CHECK_STR(entry_str(p, "type", NULL), "image/png");
	sha256_hex(png, sizeof png, hex);
	CHECK_STR(entry_str(p, "sha256", NULL), hex);
	p = cJSON_GetArrayItem(ps, 1);
	CHECK_STR(entry_str(p, "name", NULL), "mask");
	CHECK(cJSON_GetObjectItemCaseSensitive(p, "size")->valueint == 8);
	p = cJSON_GetArrayItem(ps, 2);
	CHECK_STR(entry_str(p, "name", NULL), "prompt");
	CHECK_STR(entry_str(p, "text", NULL), "paint it blue");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(p, "filename")));
	cJSON_Delete(log);
	dir_done();
}

static void
test_concurrency(void)
{
	struct backend be;
	char *urls[] = { base_v1 };
	struct http_engine *eng;
	struct http_req r[20];
	struct http_stats st;
	double t0;
	int ok = 0;

	dir_new();
	rules("[{\"path\":\"/v1/chat/completions\",\"delay_ms\":100}]");
	be_init(&be, urls, 1);
	be.max_concurrency = 4;
	eng = engine(0);
	t0 = now_mono_s();
	for (int i = 0; i < 20; i++) {
		req_init(&r[i], &be, "POST", "/chat/completions", CHAT);
		http_submit(eng, &r[i]);
	}
	for (int i = 0; i < 20; i++)
		ok += http_wait(eng, &r[i]) == 0;
	CHECK(ok == 20);
	CHECK(now_mono_s() - t0 >= 0.45); /* 5 rounds of 100 ms at most 4 at once */
	http_stats_get(eng, &st);
	CHECKF(st.peak_inflight == 4, "peak %d", st.peak_inflight);
	CHECK(st.requests == 20 && st.attempts == 20 && st.failed == 0);
	CHECKF(stub_stat(&S, "peak_inflight") <= 4, "stub peak %ld",
	    stub_stat(&S, "peak_inflight"));
	for (int i = 0; i < 20; i++)
		http_req_clear(&r[i]);
	http_engine_free(eng);
	dir_done();
}

static void
test_fleet_spread(void)
{
	struct backend be;
	char *urls[] = { base_v1, base_local_v1 };
	struct http_engine *eng;
	struct http_req r[12];
	cJSON *log, *e;
	int ok = 0, local = 0, ip = 0;

	dir_new();
	rules("[{\"path\":\"/v1/chat/completions\",\"delay_ms\":50}]");
	be_init(&be, urls, 2);
	eng = engine(0);
	for (int i = 0; i < 12; i++) {
		req_init(&r[i], &be, "POST", "/chat/completions", CHAT);
		http_submit(eng, &r[i]);
	}
	for (int i = 0; i < 12; i++) {
		ok += http_wait(eng, &r[i]) == 0;
		http_req_clear(&r[i]);
	}
	CHECK(ok == 12);
	/* Short-lived copies with one URL each, as `mmda backends --check` probes a fleet. */
	for (int i = 0; i < 2; i++) {
		struct backend one = be;

		one.urls = &urls[i];
		one.nurls = 1;
		req_init(&r[i], &one, "GET", "/models", NULL);
		CHECK(http_do(eng, &r[i]) == 0);
		http_req_clear(&r[i]);
	}
	http_engine_free(eng);
	log = stub_entries();
	cJSON_ArrayForEach(e, log) {
		const char *host = entry_str(e, "headers", "host");

		local += host != NULL && str_starts(host, "localhost");
		ip += host != NULL && str_starts(host, "127.0.0.1");
	}
	CHECKF(local >= 5 && ip >= 5, "localhost %d, 127.0.0.1 %d", local, ip);
	cJSON_Delete(log);
	dir_done();
}

static void
test_fleet_dead_url(void)
{
	struct backend be;
	char *urls[] = { (char *)"http://127.0.0.1:1/v1", base_v1 };
	struct http_engine *eng;
	struct http_req r[10];
	struct http_stats st;
	int ok = 0;

	dir_new();
	rules(NULL);
	be_init(&be, urls, 2);
	be.rest_after = 1;
	be.max_concurrency = 2;
	eng = engine(0);
	for (int i = 0; i < 10; i++) {
		req_init(&r[i], &be, "POST", "/chat/completions", CHAT);
		http_submit(eng, &r[i]);
	}
	for (int i = 0; i < 10; i++) {
		ok += http_wait(eng, &r[i]) == 0;
		http_req_clear(&r[i]);
	}
	CHECK(ok == 10);
	http_stats_get(eng, &st);
	/* The dead URL is tried until it rests, at most once per slot; then only the live one. */
	CHECKF(st.retries >= 1 && st.retries <= 2, "retries %llu", (unsigned long long)st.retries);
	CHECK(stub_count(&S) == 10);

	/* Every URL resting: the one whose rest ends first is used, so requests still end. */
	urls[1] = (char *)"http://127.0.0.1:2/v1";
	req_init(&r[0], &be, "GET", "/models", NULL);
	CHECK(http_do(eng, &r[0]) == -1);
	CHECK(r[0].attempts == 3 && !r[0].permanent && r[0].status == 0);
	CHECKF(r[0].error != NULL && strstr(r[0].error, "connect") != NULL, "%s", r[0].error);
	http_req_clear(&r[0]);
	http_engine_free(eng);
	dir_done();
}

static void
test_cache(void)
{
	struct backend be;
	char *urls[] = { base_v1 }, key[65], *path, *first, *log;
	struct http_engine *eng;
	struct http_req r;
	struct http_stats st;
	FILE *f;

	dir_new();
	rules(NULL);
	be_init(&be, urls, 1);
	eng = engine(1);
	req_init(&r, &be, "POST", "/chat/completions", CHAT);
	r.cacheable = 1;
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 0 && r.attempts == 1);
	/* Nothing is kept until the caller says the reply parsed. */
	http_cache_key(&r, NULL, key);
	path = xasprintf("%s/cache/%.2s/%s", dir, key, key + 2);
	CHECK(access(path, F_OK) != 0);
	http_reply_parsed(eng, &r, 1);
	CHECK(access(path, F_OK) == 0);
	first = r.resp;
	r.resp = NULL;
	http_req_clear(&r);

	req_init(&r, &be, "POST", "/chat/completions", CHAT);
	r.cacheable = 1;
	CHECK(http_do(eng, &r) == 0);
	CHECK(r.from_cache == 1 && r.attempts == 0 && r.status == 200);
	CHECK_STR(r.resp, first);
	CHECK(stub_count(&S) == 1);
	http_req_clear(&r);

	/* Another body is another key. */
	req_init(&r, &be, "POST", "/chat/completions", "{\"model\":\"test-model\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"other\"}]}");
	r.cacheable = 1;
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 0);
	CHECK(stub_count(&S) == 2);
	http_reply_parsed(eng, &r, 1);
	http_req_clear(&r);

	/* A damaged file is a miss, and the fresh reply replaces it. */
	CHECK((f = fopen(path, "r+")) != NULL);
	if (f != NULL) {
		fseek(f, -3, SEEK_END);
		fputs("XYZ", f);
		fclose(f);
	}
	req_init(&r, &be, "POST", "/chat/completions", CHAT);
	r.cacheable = 1;
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 0);
	CHECK(stub_count(&S) == 3);
	http_reply_parsed(eng, &r, 1);
	http_req_clear(&r);
	CHECK(truncate(path, 10) == 0);
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 0);
	http_reply_parsed(eng, &r, 1);
	http_req_clear(&r);
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 1);
	CHECK(stub_count(&S) == 4);
	/* A cached reply the caller cannot parse is dropped, not served again. */
	http_reply_parsed(eng, &r, 0);
	CHECK(access(path, F_OK) != 0);
	http_req_clear(&r);
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 0);
	CHECK(stub_count(&S) == 5);
	http_req_clear(&r);

	/* Not cacheable: always sent. */
	req_init(&r, &be, "POST", "/chat/completions", CHAT);
	CHECK(http_do(eng, &r) == 0 && r.from_cache == 0);
	http_req_clear(&r);
	CHECK(stub_count(&S) == 6);
	http_stats_get(eng, &st);
	CHECK(st.cache_hits == 2 && st.requests == 8);
	http_engine_free(eng);

	log = read_log();
	CHECK(strstr(log, " tb POST ") != NULL && strstr(log, "cache=hit") != NULL);
	CHECK(strstr(log, "status=200 attempts=1 ms=") != NULL);
	CHECK(strstr(log, "hello") == NULL); /* never a body */
	free(log);
	free(path);
	free(first);
	dir_done();
}

static void
test_secret_redacted(void)
{
	struct backend be;
	char *urls[] = { base_v1 }, *log;
	struct http_req r;
	double secs;
	cJSON *entries;

	dir_new();
	be_init(&be, urls, 1);
	/* The server echoes the key in its error, as some proxies do. */
	rules("[{\"path\":\"/v1/chat/completions\",\"status\":401,\"body\":{\"error\":{"
	    "\"message\":\"Incorrect API key provided: " KEY " (Bearer " KEY ")\"}}}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.error != NULL && strstr(r.error, KEY) == NULL);
	CHECK(r.error != NULL && strstr(r.error, "Incorrect API key provided: *** (Bearer ***)")
	    != NULL);
	http_req_clear(&r);
	entries = stub_entries();
	CHECK_STR(entry_str(cJSON_GetArrayItem(entries, 0), "headers", "authorization"),
	    "Bearer " KEY);
	cJSON_Delete(entries);

	/* The same through a retried status and a transport error. */
	rules("[{\"path\":\"/v1/chat/completions\",\"status\":503,\"body\":\"" KEY "\"}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.error != NULL && strstr(r.error, KEY) == NULL && strstr(r.error, "***") != NULL);
	http_req_clear(&r);

	log = read_log();
	CHECK(log[0] != '\0');
	CHECK(strstr(log, KEY) == NULL);
	CHECK(strstr(log, "uthorization") == NULL);
	CHECK(strstr(log, "error=backend tb: ") != NULL);
	free(log);
	dir_done();
}

static void
test_log_line(void)
{
	struct backend be;
	char *urls[] = { base_v1 }, *log, *want;
	struct http_req r;
	double secs;
	int y, mo, d, h, mi, s, ms;

	dir_new();
	be_init(&be, urls, 1);
	rules(NULL);
	CHECK(one(&be, &r, &secs) == 0);
	http_req_clear(&r);
	log = read_log();
	CHECK(sscanf(log, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ ", &y, &mo, &d, &h, &mi, &s, &ms) == 7);
	want = xasprintf("Z tb POST %s/chat/completions status=200 attempts=1 ms=", base_v1);
	CHECK(strstr(log, want) != NULL);
	CHECK(str_ends(log, " cache=miss\n"));
	CHECK(strchr(log, '\n') == log + strlen(log) - 1);
	free(want);
	free(log);
	dir_done();
}

struct waiter_arg {
	struct http_engine *eng;
	struct http_req *req;
	int rc;
};

static void *
waiter(void *arg)
{
	struct waiter_arg *w = arg;

	w->rc = http_wait(w->eng, w->req);
	return NULL;
}

static void
test_cancel_and_free(void)
{
	struct waiter_arg w;
	pthread_t tid;
	struct backend be;
	char *urls[] = { base_v1 };
	struct http_engine *eng;
	struct http_req r[10];
	double t0;
	int cancelled = 0;

	dir_new();
	be_init(&be, urls, 1);
	rules("[{\"path\":\"/v1/chat/completions\",\"delay_ms\":3000}]");

	/* http_cancel_all: every request ends as cancelled; the engine still works after. */
	eng = engine(0);
	for (int i = 0; i < 10; i++) {
		req_init(&r[i], &be, "POST", "/chat/completions", CHAT);
		http_submit(eng, &r[i]);
	}
	stub_nap_ms(100);
	t0 = now_mono_s();
	http_cancel_all(eng);
	for (int i = 0; i < 10; i++) {
		cancelled += http_wait(eng, &r[i]) == -1 && strcmp(r[i].error, "cancelled") == 0;
		http_req_clear(&r[i]);
	}
	CHECK(cancelled == 10);
	CHECKF(now_mono_s() - t0 < 1.0, "%.3f s", now_mono_s() - t0);
	rules(NULL);
	req_init(&r[0], &be, "GET", "/models", NULL);
	CHECK(http_do(eng, &r[0]) == 0);
	http_req_clear(&r[0]);

	/* http_engine_free with requests in flight, queued and waiting to retry. */
	rules("[{\"path\":\"/v1/chat/completions\",\"delay_ms\":3000},"
	    "{\"path\":\"/v1/models\",\"status\":503}]");
	for (int i = 0; i < 10; i++) {
		if (i < 8)
			req_init(&r[i], &be, "POST", "/chat/completions", CHAT);
		else
			req_init(&r[i], &be, "GET", "/models", NULL);
		http_submit(eng, &r[i]);
	}
	/* A thread blocked in http_wait while the engine goes must wake up and leave first. */
	w.eng = eng;
	w.req = &r[0];
	CHECK(pthread_create(&tid, NULL, waiter, &w) == 0);
	stub_nap_ms(200);
	t0 = now_mono_s();
	http_engine_free(eng);
	pthread_join(tid, NULL);
	CHECK(w.rc == -1);
	CHECKF(now_mono_s() - t0 < 1.0, "%.3f s", now_mono_s() - t0);
	cancelled = 0;
	for (int i = 0; i < 10; i++) {
		cancelled += r[i].job == NULL && r[i].error != NULL &&
		    strcmp(r[i].error, "cancelled") == 0;
		http_req_clear(&r[i]);
	}
	CHECK(cancelled == 10);
	dir_done();
}

static void
test_bad_input(void)
{
	struct backend be;
	char *urls[] = { base_v1 };
	struct http_engine *eng;
	struct http_req r;
	char *cause = NULL;

	dir_new();
	be_init(&be, urls, 1);
	be.nurls = 0;
	eng = engine(1);
	req_init(&r, &be, "GET", "/models", NULL);
	CHECK(http_do(eng, &r) == -1 && r.permanent && strstr(r.error, "no base URL") != NULL);
	http_req_clear(&r);
	http_engine_free(eng);
	CHECK(http_engine_new("/proc/no/such/cache", NULL, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "/proc/no") != NULL);
	free(cause);
	dir_done();
}

int
main(void)
{
	h_suite = "http";
	RUN(test_cache_key);
	if (fixtures_start() != 0)
		return 1;
	snprintf(base_local_v1, sizeof base_local_v1, "http://localhost:%d/v1", S.port);
	RUN(test_get_post);
	RUN(test_multipart);
	RUN(test_concurrency);
	RUN(test_fleet_spread);
	RUN(test_fleet_dead_url);
	RUN(test_cache);
	RUN(test_secret_redacted);
	RUN(test_log_line);
	RUN(test_cancel_and_free);
	RUN(test_bad_input);
	stub_stop(&S);
	HARNESS_END();
}
