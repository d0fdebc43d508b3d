/* SPDX-License-Identifier: MIT */
/*
 * The HTTP engine: every request to a model server runs on one libcurl multi
 * loop in one engine thread, so callers (the augment workers, the TUI's
 * background jobs) only queue requests and wait; nothing here ever blocks a
 * UI thread.
 *
 * Per backend the engine keeps at most max_concurrency requests in flight;
 * the rest wait in FIFO order. A backend with several base URLs (a fleet)
 * sends each request to the URL with the fewest requests in flight; a URL
 * that failed rest_after times in a row rests for rest_ms and is then tried
 * again. Transport errors and the statuses in retry_on are retried with
 * capped, jittered exponential backoff, or after the server's Retry-After
 * (retry-after-ms first); permanent failures (401, 403, 404, 400, 413, 422,
 * quota errors, a model without vision, an oversized body) fail at once and
 * say why. Successful replies of cacheable requests that the caller could
 * parse are kept on disk under the hash of the backend's base URLs, its
 * configured model, what its servers last reported they serve
 * (http_served_set) and the request (never of its headers), so a re-run costs
 * nothing, two servers that share a model name never share replies, and a
 * server that now serves other weights under the same name is asked again.
 *
 * Keys: the Authorization header is built when the request starts and freed
 * when it ends. Error texts and reply bodies have the key's value replaced
 * by "***" in case a server echoes it. The request log (one line per request: time, backend,
 * method, URL, status, attempts, milliseconds, cache hit, error) never holds a
 * header or a body.
 */
#ifndef MMDA_HTTP_H
#define MMDA_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct backend;
struct http_engine;
struct http_job; /* private to the engine */

/* One part of a multipart/form-data body. data is borrowed until the request is done. */
struct http_part {
	const char *name;     /* "image[]", "mask", "prompt" */
	const char *filename; /* NULL for a text field */
	const char *type;     /* "image/png", or NULL */
	const void *data;
	size_t len;
};

struct http_req {
	/* Set by the caller; borrowed until the request is done. */
	const struct backend *be;
	const char *method;       /* "GET" or "POST" */
	const char *path;         /* appended to the chosen base URL: "/chat/completions" */
	const char *body;         /* POST body (JSON), or NULL */
	size_t bodylen;
	const struct http_part *parts; /* multipart body instead of body, or NULL */
	size_t nparts;
	int cacheable;            /* look up and keep the reply in the disk cache */

	/* Filled when done; freed by http_req_clear. */
	long status;              /* the last HTTP status; 0 when no response arrived */
	char *resp;               /* body of a 2xx reply, NUL-terminated; NULL otherwise */
	size_t resplen;
	char *error;              /* NULL on success, else why (with the server's message) */
	int permanent;            /* the failure was not retried: it cannot succeed */
	int attempts;             /* sent this many times (0 when served from the cache) */
	int from_cache;
	char *url;                /* the full URL of the last attempt */
	double seconds;           /* from submit to done, waits included */

	struct http_job *job;     /* engine-private */
	char cache_key[65];       /* engine-private: "" when not cached */
};

/*
 * Starts the engine thread. cache_dir: a folder for the reply cache
 * (created when missing), or NULL for none. log_path: the request log
 * (appended), or NULL. Returns NULL with *cause when curl or the thread
 * cannot start. Free with http_engine_free.
 */
struct http_engine *http_engine_new(const char *cache_dir, const char *log_path, char **cause);
/* Cancels what is still queued or in flight (those fail with "cancelled"), stops the thread, frees. */
void http_engine_free(struct http_engine *eng);

/* Queues a request (any thread). The request's output fields are reset first. */
void http_submit(struct http_engine *eng, struct http_req *req);
/* Blocks until req is done. Returns 0 when it got a 2xx reply, -1 when req->error is set. */
int http_wait(struct http_engine *eng, struct http_req *req);
/* Submit and wait. Same return. */
int http_do(struct http_engine *eng, struct http_req *req);
/*
 * Says whether the caller could parse a 2xx reply of a cacheable request.
 * Only a reply that parsed is kept in the disk cache (a malformed 200 would
 * otherwise be served forever); a cached one that no longer parses is
 * dropped, so the next run asks the server again. Never fails.
 */
void http_reply_parsed(struct http_engine *eng, const struct http_req *req, int parsed);
/* Frees the output fields of req (not the caller's inputs). */
void http_req_clear(struct http_req *req);
/* Cancels every request of the engine that is not done; they fail with "cancelled". */
void http_cancel_all(struct http_engine *eng);
/* How many times http_cancel_all has been called on eng: a mark for http_pause. */
uint64_t http_cancels(struct http_engine *eng);
/*
 * Waits ms milliseconds between requests (a backoff) in a way a cancel ends:
 * returns 0 after the whole wait, or -1 at once when http_cancel_all has been
 * called since the mark `since` (from http_cancels), before or during the
 * wait, or the engine is stopping.
 */
int http_pause(struct http_engine *eng, int64_t ms, uint64_t since);

/* Counters per engine since it started (for `mmda backends` and the bench). */
struct http_stats {
	uint64_t requests;   /* finished requests */
	uint64_t attempts;   /* HTTP exchanges, retries included */
	uint64_t retries;
	uint64_t cache_hits;
	uint64_t failed;
	int peak_inflight;   /* most requests in flight at once, over all backends */
};
void http_stats_get(struct http_engine *eng, struct http_stats *out);

/*
 * Records what the server at base URL url reports it serves (a text from
 * models_parse, copied), or forgets it (served NULL), for the cache keys of
 * every later request to a backend with that URL. Never fails.
 */
void http_served_set(struct http_engine *eng, const char *url, const char *served);

/* The cache key of a request: sha256 hex of kind, base URLs, configured model, served (what
 * the servers reported, NULL when nothing), method, path and body or parts. */
void http_cache_key(const struct http_req *req, const char *served, char hex[65]);

#endif
