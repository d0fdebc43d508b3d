/* SPDX-License-Identifier: MIT */
/*
 * Tests of the HTTP engine's failure rules (core/models/http.h) against the
 * loopback stub: Retry-After in seconds, milliseconds and as a date, capped
 * backoff, statuses and bodies that must not be retried, timeouts, cut and
 * dropped replies, oversized bodies; cache keys that follow what a server
 * reports it serves, and pauses a cancel ends. Also the error-body reader and
 * the permanence rules of core/models/proto.h on every dialect.
 */
#include <pthread.h>
#include <time.h>

#include "core/models/proto.h"
#include "http_fixtures.h"

/* ---- the error-body reader ---- */

static void
msg_is(const char *body, const char *want)
{
	char *m = proto_error_message(body, body != NULL ? strlen(body) : 0);

	CHECK_STR(m, want);
	free(m);
}

static void
test_proto_error_message(void)
{
	char big[1000], *m;

	msg_is("{\"error\":{\"message\":\"Invalid API Key\",\"type\":\"authentication_error\","
	    "\"code\":401}}", "Invalid API Key");
	msg_is("{\"error\":{\"message\":\"\",\"type\":\"server_error\"}}", "server_error");
	msg_is("{\"error\":\"Unauthorized\"}", "Unauthorized");
	msg_is("{\"detail\":\"Not authenticated\"}", "Not authenticated");
	msg_is("{\"detail\":[{\"loc\":[\"body\",\"steps\"],\"msg\":\"field required\","
	    "\"type\":\"missing\"},{\"msg\":\"second\"}]}", "field required");
	msg_is("{\"object\":\"error\",\"message\":\"old vLLM\",\"type\":\"BadRequestError\"}",
	    "old vLLM");
	msg_is("{\"error\":\"HTTPException\",\"detail\":\"Sampler not found\",\"body\":\"\","
	    "\"errors\":\"\"}", "HTTPException: Sampler not found");
	msg_is("{\"error\":\"OutOfMemoryError\",\"detail\":\"\",\"errors\":\"CUDA out of memory\"}",
	    "OutOfMemoryError: CUDA out of memory");
	msg_is("<html><body>502 Bad\r\n\tGateway</body></html>\n",
	    "<html><body>502 Bad Gateway</body></html>");
	msg_is("{\"unrelated\":1}", "{\"unrelated\":1}");
	msg_is("\"just a string\"", "just a string");
	msg_is("", "(no message)");
	msg_is(NULL, "(no message)");
	msg_is("{\"error\":{\"message\":\"line\\none\\u0001\\u0007two\"}}", "line onetwo");

	/* Cut to 300 bytes, never inside a UTF-8 character. */
	memset(big, 'a', sizeof big);
	memcpy(big + 299, "\xc3\xa9", 2);
	big[sizeof big - 1] = '\0';
	m = proto_error_message(big, strlen(big));
	CHECK(strlen(m) == 299);
	free(m);
	m = proto_error_message("{\"error\":{\"mess", 15);
	CHECK_STR(m, "{\"error\":{\"mess");
	free(m);
}

static int
perm(const struct backend *be, long status, const char *body)
{
	return proto_is_permanent(be, status, body, body != NULL ? strlen(body) : 0);
}

static void
test_proto_is_permanent(void)
{
	struct backend be;
	char *urls[] = { (char *)"http://x" };
	const char *q = "{\"error\":{\"message\":\"You exceeded your current quota\","
	    "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}";
	const char *img = "{\"error\":{\"code\":500,\"message\":\"image input is not supported - "
	    "hint: start the server with --mmproj\",\"type\":\"server_error\"}}";

	be_init(&be, urls, 1);
	CHECK(perm(&be, 503, "{\"error\":\"Loading model\"}") == 0);
	CHECK(perm(&be, 429, "{\"error\":{\"code\":\"rate_limit_exceeded\"}}") == 0);
	CHECK(perm(&be, 429, q) == 1);
	CHECK(perm(&be, 500, img) == 1);
	CHECK(perm(&be, 500, "{\"error\":\"Model does not support images. Please use a model "
	    "that does.\"}") == 1);
	CHECK(perm(&be, 500, "{\"error\":{\"type\":\"exceed_context_size_error\"}}") == 1);
	CHECK(perm(&be, 503, "This model's maximum context length is 8192 tokens") == 1);
	CHECK(perm(&be, 400, "{\"error\":{\"code\":\"context_length_exceeded\"}}") == 1);
	CHECK(perm(&be, 501, "") == 1);
	CHECK(perm(&be, 400, "") == 1);
	CHECK(perm(&be, 401, NULL) == 1);
	CHECK(perm(&be, 403, "") == 1);
	CHECK(perm(&be, 404, "") == 1);
	CHECK(perm(&be, 413, "") == 1);
	CHECK(perm(&be, 422, "") == 1);
	CHECK(perm(&be, 502, NULL) == 0);
	CHECK(perm(&be, 408, "") == 0);
	/* Only len bytes are searched: the marker lies beyond them. */
	CHECK(proto_is_permanent(&be, 429, q, 20) == 0);
	be.retry.nretry_on = 1; /* only 408 */
	CHECK(perm(&be, 503, "") == 1);
	CHECK(perm(NULL, 503, "") == 0); /* the default list */
}

/* ---- retries and failures against the stub ---- */

static void
test_retry_after(void)
{
	struct backend be;
	char *urls[] = { base_v1 }, date[64], *rule;
	struct http_req r;
	double secs;
	time_t when;
	struct tm tm;

	dir_new();
	be_init(&be, urls, 1);
	rules("[{\"path\":\"/v1/chat/completions\",\"times\":1,\"status\":429,"
	    "\"headers\":{\"Retry-After\":\"1\"}}]");
	CHECK(one(&be, &r, &secs) == 0);
	CHECKF(secs >= 1.0 && secs < 3.0, "%.3f s", secs);
	CHECK(r.attempts == 2 && r.status == 200);
	http_req_clear(&r);

	/* retry-after-ms wins over Retry-After. */
	rules("[{\"path\":\"/v1/chat/completions\",\"times\":1,\"status\":503,"
	    "\"headers\":{\"retry-after-ms\":\"150\",\"Retry-After\":\"4\"}}]");
	CHECK(one(&be, &r, &secs) == 0);
	CHECKF(secs >= 0.15 && secs < 1.0, "%.3f s", secs);
	CHECK(r.attempts == 2);
	http_req_clear(&r);

	/* A wait over max_retry_after_s fails at once and says so. */
	rules("[{\"path\":\"/v1/chat/completions\",\"status\":429,"
	    "\"headers\":{\"Retry-After\":\"3600\"}}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECKF(secs < 1.0, "%.3f s", secs);
	CHECK(r.attempts == 1 && r.permanent && r.status == 429);
	CHECK(r.error != NULL && strstr(r.error, "max_retry_after_s") != NULL);
	http_req_clear(&r);

	/* Retry-After as an HTTP date an hour ahead: read as about 3600 s, so too long too. */
	when = time(NULL) + 3600;
	gmtime_r(&when, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	rule = xasprintf("[{\"path\":\"/v1/chat/completions\",\"status\":503,"
	    "\"headers\":{\"Retry-After\":\"%s\"}}]", date);
	rules(rule);
	free(rule);
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.attempts == 1 && r.permanent && secs < 1.0);
	CHECKF(r.error != NULL && (strstr(r.error, "after 3600 s") != NULL ||
	    strstr(r.error, "after 3599 s") != NULL), "%s", r.error);
	http_req_clear(&r);
	dir_done();
}

static void
test_backoff(void)
{
	struct backend be;
	char *urls[] = { base_v1 };
	struct http_req r;
	double secs;

	dir_new();
	be_init(&be, urls, 1);
	rules("[{\"path\":\"/v1/chat/completions\",\"times\":2,\"status\":503,"
	    "\"body\":{\"error\":{\"message\":\"Loading model\"}}}]");
	CHECK(one(&be, &r, &secs) == 0);
	CHECK(r.attempts == 3 && r.status == 200);
	/* 50 ms then 100 ms, each less up to 25 %. */
	CHECKF(secs >= 0.11 && secs < 1.5, "%.3f s", secs);
	http_req_clear(&r);

	/* Out of retries: the last error, not permanent. */
	rules("[{\"path\":\"/v1/chat/completions\",\"status\":503,"
	    "\"body\":{\"error\":{\"message\":\"Loading model\"}}}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.attempts == 3 && !r.permanent && r.status == 503);
	CHECK(r.error != NULL && strstr(r.error, "503: Loading model") != NULL);
	http_req_clear(&r);
	dir_done();
}

static void
test_permanent(void)
{
	struct backend be;
	char *urls[] = { base_v1 }, *want;
	struct http_req r;
	double secs;

	dir_new();
	be_init(&be, urls, 1);
	rules("[{\"path\":\"/v1/chat/completions\",\"status\":401,\"body\":{\"error\":{"
	    "\"code\":401,\"message\":\"Invalid API Key\",\"type\":\"authentication_error\"}}}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.attempts == 1 && r.permanent && r.status == 401 && r.resp == NULL);
	want = xasprintf("backend tb: %s/chat/completions: 401: Invalid API Key", base_v1);
	CHECK_STR(r.error, want);
	free(want);
	http_req_clear(&r);

	rules("[{\"path\":\"/v1/chat/completions\",\"status\":500,\"body\":{\"error\":{"
	    "\"code\":500,\"message\":\"image input is not supported - hint: if this is "
	    "unexpected, you may need to provide the mmproj\",\"type\":\"server_error\"}}}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.attempts == 1 && r.permanent);
	CHECK(r.error != NULL && strstr(r.error, "image input is not supported") != NULL);
	http_req_clear(&r);

	rules("[{\"path\":\"/v1/chat/completions\",\"status\":429,\"body\":{\"error\":{"
	    "\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
	    "\"code\":\"insufficient_quota\"}}}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.attempts == 1 && r.permanent);
	http_req_clear(&r);
	CHECK(stub_count(&S) == 1);
	dir_done();
}

static void
test_broken_replies(void)
{
	struct backend be;
	char *urls[] = { base_v1 }, *want;
	struct http_req r;
	double secs;

	dir_new();
	be_init(&be, urls, 1);
	be.request_ms = 300;
	rules("[{\"path\":\"/v1/chat/completions\",\"delay_ms\":700}]");
	CHECK(one(&be, &r, &secs) == -1);
	CHECK(r.error != NULL && strstr(r.error, "timed out") != NULL);
	CHECK(r.attempts == 3 && !r.permanent && r.status == 0);
	CHECKF(secs >= 0.9 && secs < 3.0, "%.3f s", secs);
	http_req_clear(&r);

	be.request_ms = 5000;
	be.max_response = 1000;
	rules("[{\"path\":\"/v1/chat/completions\",\"oversize\":50000}]");
	CHECK(one(&be, &r, &secs) == -1);
	want = xasprintf("backend tb: %s/chat/completions: reply larger than 1000 bytes", base_v1);
	CHECK_STR(r.error, want);
	free(want);
	CHECK(r.attempts == 1 && r.permanent);
	http_req_clear(&r);

	be.max_response = 1 << 20;
	rules("[{\"path\":\"/v1/chat/completions\",\"times\":1,\"truncate\":true},"
	    "{\"path\":\"/v1/chat/completions\",\"times\":1,\"drop\":true}]");
	CHECK(one(&be, &r, &secs) == 0);
	CHECK(r.attempts == 3 && r.status == 200 && strstr(r.resp, "\"choices\"") != NULL);
	http_req_clear(&r);

	/* A 200 whose body is not JSON is the caller's to judge: the engine hands it over. */
	rules("[{\"path\":\"/v1/chat/completions\",\"malformed\":true}]");
	CHECK(one(&be, &r, &secs) == 0);
	CHECK(r.attempts == 1 && r.resp != NULL);
	http_req_clear(&r);
	dir_done();
}

/* ---- what the server serves, and pauses a cancel ends ---- */

/* One cacheable chat; 1 when it came from the cache. Keeps the reply when it is fresh. */
static int
cached_chat(struct http_engine *eng, const struct backend *be)
{
	struct http_req r;
	int hit;

	req_init(&r, be, "POST", "/chat/completions", CHAT);
	r.cacheable = 1;
	CHECK(http_do(eng, &r) == 0);
	hit = r.from_cache;
	http_reply_parsed(eng, &r, 1);
	http_req_clear(&r);
	return hit;
}

/* The same URL and configured name serving other weights share no replies (issue 13, 7). */
static void
test_served_model_keys(void)
{
	struct backend be;
	char *urls[] = { base_v1 };
	struct http_engine *eng;

	dir_new();
	rules(NULL);
	be_init(&be, urls, 1);
	eng = engine(1);
	CHECK(cached_chat(eng, &be) == 0);
	CHECK(cached_chat(eng, &be) == 1);
	http_served_set(eng, base_v1, "id=weights-a");
	CHECK(cached_chat(eng, &be) == 0);
	CHECK(cached_chat(eng, &be) == 1);
	http_served_set(eng, base_v1, "id=weights-b");
	CHECK(cached_chat(eng, &be) == 0);
	http_served_set(eng, base_v1, "id=weights-a");
	CHECK(cached_chat(eng, &be) == 1);
	/* Another URL's report does not change this backend's keys. */
	http_served_set(eng, "http://127.0.0.1:9/v1", "id=weights-c");
	CHECK(cached_chat(eng, &be) == 1);
	/* Forgotten: only the URL and the configured name again, as at the start. */
	http_served_set(eng, base_v1, NULL);
	CHECK(cached_chat(eng, &be) == 1);
	CHECK(stub_count(&S) == 3);
	http_engine_free(eng);
	dir_done();
}

static void *
cancel_later(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	http_cancel_all(arg);
	return NULL;
}

static void
test_pause(void)
{
	struct http_engine *eng;
	uint64_t mark;
	pthread_t t;
	double t0;

	dir_new();
	eng = engine(0);
	mark = http_cancels(eng);
	t0 = now_mono_s();
	CHECK(http_pause(eng, 100, mark) == 0);
	CHECK(now_mono_s() - t0 >= 0.09);
	/* A cancel during a long pause ends it at once. */
	CHECK(pthread_create(&t, NULL, cancel_later, eng) == 0);
	t0 = now_mono_s();
	CHECK(http_pause(eng, 5000, mark) == -1);
	CHECKF(now_mono_s() - t0 < 1.0, "%.2f s", now_mono_s() - t0);
	pthread_join(t, NULL);
	/* So does one that came before the pause, after the mark. */
	t0 = now_mono_s();
	CHECK(http_pause(eng, 5000, mark) == -1 && now_mono_s() - t0 < 0.1);
	CHECK(http_pause(eng, 10, http_cancels(eng)) == 0);
	http_engine_free(eng);
	dir_done();
}

int
main(void)
{
	h_suite = "http_retry";
	RUN(test_proto_error_message);
	RUN(test_proto_is_permanent);
	if (fixtures_start() != 0)
		return 1;
	RUN(test_retry_after);
	RUN(test_backoff);
	RUN(test_permanent);
	RUN(test_broken_replies);
	RUN(test_served_model_keys);
	RUN(test_pause);
	stub_stop(&S);
	HARNESS_END();
}
