/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the HTTP engine (core/models/http.h), run by tests/bench/backends.sh
 * against the loopback stub started there with a fixed latency. Submits N
 * small chat-completion POSTs to one openai-chat-shaped backend limited to C
 * requests in flight (cache off), waits for all, and compares the achieved
 * rate with the ideal C / latency: what is lost is the engine's own cost
 * (queueing, wake-ups, connection handling). Starts nothing itself.
 *
 * Usage: bench_backends URL [N [CONCURRENCY [LATENCY_MS]]]
 *   URL: the stub's root ("http://127.0.0.1:PORT"); defaults 2000, 16, 100.
 * The last line reads "RESULT ratio=R failures=F peak=P" for the script.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/models/backend.h"
#include "core/models/http.h"
#include "core/base/util.h"

static void
backend_init(struct backend *be, char **url, const char *name, int concurrency)
{
	static const int retry_on[] = { 408, 409, 429, 500, 502, 503, 504 };

	memset(be, 0, sizeof *be);
	be->name = (char *)name;
	be->kind = BK_CHAT;
	be->urls = url;
	be->nurls = 1;
	be->model = (char *)"bench-model";
	be->auth = AUTH_NONE;
	be->max_concurrency = concurrency;
	be->connect_ms = 5000;
	be->request_ms = 60000;
	be->max_response = 1 << 20;
	be->retry.max = 2;
	be->retry.base_ms = 100;
	be->retry.cap_ms = 1000;
	be->retry.jitter = 0.25;
	be->retry.max_retry_after_s = 10;
	memcpy(be->retry.retry_on, retry_on, sizeof retry_on);
	be->retry.nretry_on = (int)(sizeof retry_on / sizeof retry_on[0]);
	be->rest_after = 3;
	be->rest_ms = 1000;
	be->max_tokens_field = (char *)"max_tokens";
}

/* The stub's own count of requests in flight at once, or -1 when it cannot be read. */
static int
stub_peak(struct http_engine *eng, char *root)
{
	struct backend be;
	struct http_req req = { 0 };
	cJSON *j;
	int peak = -1;

	backend_init(&be, &root, "stub", 1);
	req.be = &be;
	req.method = "GET";
	req.path = "/_stub/stats";
	if (http_do(eng, &req) == 0 && (j = cJSON_Parse(req.resp)) != NULL) {
		cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "peak_inflight");

		if (cJSON_IsNumber(p))
			peak = p->valueint;
		cJSON_Delete(j);
	}
	http_req_clear(&req);
	return peak;
}

int
main(int argc, char **argv)
{
	int64_t n = 2000, conc = 16, latency = 100;
	struct http_engine *eng;
	struct http_req *reqs;
	struct http_stats st;
	struct backend be;
	char *v1, *root, **bodies, *cause = NULL;
	double t0, elapsed, rate, ideal, ratio, slowest = 0;
	int64_t i, failures = 0;

	if (argc < 2 || argc > 5 || (argc > 2 && parse_int64(argv[2], 1, 1000000, &n) != 0) ||
	    (argc > 3 && parse_int64(argv[3], 1, 1024, &conc) != 0) ||
	    (argc > 4 && parse_int64(argv[4], 1, 600000, &latency) != 0)) {
		fprintf(stderr, "usage: bench_backends URL [N [CONCURRENCY [LATENCY_MS]]]\n");
		return 2;
	}
	root = xstrdup(argv[1]);
	v1 = xasprintf("%s/v1", root);
	backend_init(&be, &v1, "bench", (int)conc);
	if ((eng = http_engine_new(NULL, NULL, &cause)) == NULL) {
		fprintf(stderr, "bench_backends: %s\n", cause);
		free(cause);
		return 1;
	}
	reqs = xcalloc((size_t)n, sizeof *reqs);
	bodies = xcalloc((size_t)n, sizeof *bodies);
	for (i = 0; i < n; i++) {
		bodies[i] = xasprintf("{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\","
		    "\"content\":\"Rewrite caption %" PRId64 " in other words.\"}],"
		    "\"max_tokens\":64}", i);
		reqs[i].be = &be;
		reqs[i].method = "POST";
		reqs[i].path = "/chat/completions";
		reqs[i].body = bodies[i];
		reqs[i].bodylen = strlen(bodies[i]);
	}

	t0 = now_mono_s();
	for (i = 0; i < n; i++)
		http_submit(eng, &reqs[i]);
	for (i = 0; i < n; i++) {
		if (http_wait(eng, &reqs[i]) != 0) {
			if (failures++ < 3)
				fprintf(stderr, "bench_backends: request %" PRId64 ": %s\n", i,
				    reqs[i].error);
		}
		if (reqs[i].seconds > slowest)
			slowest = reqs[i].seconds;
	}
	elapsed = now_mono_s() - t0;
	http_stats_get(eng, &st);

	rate = (double)n / elapsed;
	ideal = (double)conc / ((double)latency / 1000.0);
	ratio = rate / ideal;
	printf("requests      %" PRId64 " (POST /v1/chat/completions, cache off)\n", n);
	printf("concurrency   %" PRId64 ", stub latency %" PRId64 " ms\n", conc, latency);
	printf("elapsed       %.2f s\n", elapsed);
	printf("achieved      %.1f requests/s\n", rate);
	printf("ideal         %.1f requests/s (concurrency / latency)\n", ideal);
	printf("ratio         %.3f\n", ratio);
	printf("slowest       %.3f s from submit to done\n", slowest);
	printf("failures      %" PRId64 "\n", failures);
	printf("attempts      %" PRIu64 " (retries %" PRIu64 ")\n", st.attempts, st.retries);
	printf("peak inflight %d (engine), %d (stub)\n", st.peak_inflight, stub_peak(eng, root));
	printf("RESULT ratio=%.3f failures=%" PRId64 " peak=%d\n", ratio, failures,
	    st.peak_inflight);

	for (i = 0; i < n; i++) {
		http_req_clear(&reqs[i]);
		free(bodies[i]);
	}
	free(reqs);
	free(bodies);
	http_engine_free(eng);
	free(v1);
	free(root);
	return failures > 0 ? 1 : 0;
}
