/* SPDX-License-Identifier: MIT */
/*
 * Unit-test helper for the loopback model-server stub (tests/http/stub.py):
 * starts it on an ephemeral port, talks to its /_stub/ control routes and
 * stops it. Header-only so each test binary takes what it uses; every function
 * is static inline, so unused ones cost nothing and do not warn. Control calls
 * use libcurl's easy interface on the calling thread (tests already link it).
 *
 * Unit tests run from the repository root, so the stub is found at
 * tests/http/stub.py; MMDA_STUB_PY overrides the path.
 *
 *	struct stub s;
 *	if (stub_start(&s, 0) == -1) ...;
 *	stub_rules(&s, "[{\"path\":\"/v1/chat/completions\",\"times\":1,\"status\":503}]");
 *	... point a backend at s.url ...
 *	char *log = stub_log(&s);  (JSON array; free it)
 *	stub_stop(&s);
 */
#ifndef MMDA_TESTS_HTTP_STUB_H
#define MMDA_TESTS_HTTP_STUB_H

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

struct stub {
	pid_t pid;
	int port;
	char url[64];   /* "http://127.0.0.1:PORT", no trailing slash */
	char log[512];  /* the JSONL request log the stub appends to */
	char dir[512];  /* private temporary folder: port file and log */
};

struct stub_buf {
	char *data;
	size_t len;
};

static inline size_t
stub_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct stub_buf *b = arg;
	size_t add = size * n;
	char *nd;

	nd = realloc(b->data, b->len + add + 1);
	if (nd == NULL)
		return 0; /* curl fails the transfer */
	memcpy(nd + b->len, p, add);
	b->len += add;
	nd[b->len] = '\0';
	b->data = nd;
	return add;
}

static inline void
stub_nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * One control call: method "GET" or "POST" (body may be NULL). Returns the
 * HTTP status, or 0 when no reply arrived. When out is not NULL, *out is the
 * malloc'd NUL-terminated reply body (caller frees), or NULL without a reply.
 */
static inline long
stub_call(const struct stub *s, const char *method, const char *path, const char *body,
    char **out)
{
	struct stub_buf b = { NULL, 0 };
	struct curl_slist *hdr = NULL;
	char url[1024];
	long status = 0;
	CURL *c;

	if (out != NULL)
		*out = NULL;
	if (snprintf(url, sizeof url, "%s%s", s->url, path) >= (int)sizeof url)
		return 0;
	if ((c = curl_easy_init()) == NULL)
		return 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stub_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (strcmp(method, "POST") == 0) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	if (out != NULL && status != 0)
		*out = b.data != NULL ? b.data : calloc(1, 1);
	else
		free(b.data);
	return status;
}

/* Removes the stub's files and its folder (best effort). */
static inline void
stub_cleanup_dir(struct stub *s)
{
	char path[600];

	if (s->dir[0] == '\0')
		return;
	if (snprintf(path, sizeof path, "%s/port", s->dir) < (int)sizeof path)
		unlink(path);
	unlink(s->log);
	rmdir(s->dir);
	s->dir[0] = '\0';
}

/* Waits up to ms for the child to exit; returns 1 when it was reaped. */
static inline int
stub_reap(struct stub *s, long ms)
{
	int status;

	for (; ms >= 0; ms -= 10) {
		if (waitpid(s->pid, &status, WNOHANG) != 0)
			return 1;
		stub_nap_ms(10);
	}
	return 0;
}

/*
 * Starts the stub (default replies after latency_ms) and waits up to 10 s for
 * it to listen. Returns 0 with s filled in, or -1 after saying why on stderr
 * (nothing is left running then).
 */
static inline int
stub_start(struct stub *s, int latency_ms)
{
	const char *tmp = getenv("TMPDIR"), *py = getenv("MMDA_STUB_PY");
	char portf[600], lat[32], buf[32];
	char *argv[10];
	FILE *f;
	int i, port, devnull;

	memset(s, 0, sizeof *s);
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (py == NULL || *py == '\0')
		py = "tests/http/stub.py";
	if (snprintf(s->dir, sizeof s->dir, "%s/mmda-stub.XXXXXX", tmp) >= (int)sizeof s->dir ||
	    mkdtemp(s->dir) == NULL) {
		fprintf(stderr, "stub_start: cannot make a folder under %s\n", tmp);
		s->dir[0] = '\0';
		return -1;
	}
	if (snprintf(portf, sizeof portf, "%s/port", s->dir) >= (int)sizeof portf ||
	    snprintf(s->log, sizeof s->log, "%s/log.jsonl", s->dir) >= (int)sizeof s->log) {
		fprintf(stderr, "stub_start: %s: path too long\n", s->dir);
		stub_cleanup_dir(s);
		return -1;
	}
	snprintf(lat, sizeof lat, "%d", latency_ms);
	argv[0] = (char *)"python3";
	argv[1] = (char *)py;
	argv[2] = (char *)"--port-file";
	argv[3] = portf;
	argv[4] = (char *)"--log";
	argv[5] = s->log;
	argv[6] = (char *)"--latency-ms";
	argv[7] = lat;
	argv[8] = NULL;
	fflush(NULL);
	if ((s->pid = fork()) == -1) {
		fprintf(stderr, "stub_start: fork: %s\n", strerror(errno));
		stub_cleanup_dir(s);
		return -1;
	}
	if (s->pid == 0) {
		/* stdout carries the PASS/FAIL lines: keep the stub off it. */
		if ((devnull = open("/dev/null", O_WRONLY)) != -1)
			dup2(devnull, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if ((f = fopen(portf, "r")) != NULL) {
			port = 0;
			if (fgets(buf, sizeof buf, f) != NULL)
				port = atoi(buf);
			fclose(f);
			if (port > 0 && port < 65536) {
				s->port = port;
				snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", port);
				return 0;
			}
		}
		if (stub_reap(s, 0)) {
			fprintf(stderr, "stub_start: python3 %s exited before listening\n", py);
			s->pid = 0;
			stub_cleanup_dir(s);
			return -1;
		}
		stub_nap_ms(10);
	}
	fprintf(stderr, "stub_start: python3 %s did not listen within 10 s\n", py);
	kill(s->pid, SIGKILL);
	stub_reap(s, 2000);
	s->pid = 0;
	stub_cleanup_dir(s);
	return -1;
}

/* Stops the stub (POST /_stub/quit, then SIGTERM, then SIGKILL), reaps it, removes its files. */
static inline void
stub_stop(struct stub *s)
{
	if (s->pid > 0) {
		if (stub_call(s, "POST", "/_stub/quit", NULL, NULL) != 200 || !stub_reap(s, 3000)) {
			kill(s->pid, SIGTERM);
			if (!stub_reap(s, 2000)) {
				kill(s->pid, SIGKILL);
				stub_reap(s, 2000);
			}
		}
		s->pid = 0;
	}
	stub_cleanup_dir(s);
}

/* Replaces the rules with a JSON array. Returns 0, or -1 (the stub's reason on stderr). */
static inline int
stub_rules(struct stub *s, const char *json_array)
{
	char *out;
	long st = stub_call(s, "POST", "/_stub/rules", json_array, &out);

	if (st != 200)
		fprintf(stderr, "stub_rules: HTTP %ld: %s\n", st, out != NULL ? out : "no reply");
	free(out);
	return st == 200 ? 0 : -1;
}

/* Clears rules, request log and counters. Returns 0 or -1. */
static inline int
stub_reset(struct stub *s)
{
	return stub_call(s, "POST", "/_stub/reset", NULL, NULL) == 200 ? 0 : -1;
}

/* GETs a control route ("/_stub/stats"). Returns the malloc'd body (caller frees), or NULL. */
static inline char *
stub_get(struct stub *s, const char *path)
{
	char *out;

	if (stub_call(s, "GET", path, NULL, &out) != 200) {
		free(out);
		return NULL;
	}
	return out;
}

/* The request log as a JSON array (caller frees), or NULL. */
static inline char *
stub_log(struct stub *s)
{
	return stub_get(s, "/_stub/log");
}

/* One counter of /_stub/stats: "requests", "peak_inflight" or "inflight"; -1 on failure. */
static inline long
stub_stat(struct stub *s, const char *key)
{
	char *st = stub_get(s, "/_stub/stats"), needle[64], *p;
	long v = -1;

	if (st == NULL)
		return -1;
	if (snprintf(needle, sizeof needle, "\"%s\":", key) < (int)sizeof needle &&
	    (p = strstr(st, needle)) != NULL)
		v = strtol(p + strlen(needle), NULL, 10);
	free(st);
	return v;
}

/* Number of requests logged since the start or the last reset; -1 on failure. */
static inline int
stub_count(struct stub *s)
{
	return (int)stub_stat(s, "requests");
}

#endif
