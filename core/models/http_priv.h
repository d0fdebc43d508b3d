/* SPDX-License-Identifier: MIT */
/*
 * What the HTTP engine's files share: core/models/http.c (the loop),
 * core/models/http_submit.c (the callers' side: submit, wait, cancel, pause),
 * core/models/http_attempt.c (one attempt: setup, callbacks, classification)
 * and core/models/http_cache.c (the reply cache and the request log). Not
 * part of the engine's interface.
 */
#ifndef MMDA_HTTP_PRIV_H
#define MMDA_HTTP_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <curl/curl.h>

#include "core/models/backend.h"
#include "core/models/http.h"
#include "core/base/rng.h"
#include "core/base/sha256.h"

/* ---- the engine's per-backend and per-request state (core/models/http.c owns the lists) ---- */

struct url_state {
	int inflight;
	int fails;          /* failures in a row */
	int64_t rest_until; /* monotonic ms; the URL rests until then */
	uint64_t sent, failed, rests;
};

/* A backend's queue and URL health; its struct is reached through a job's request only. */
struct be_state {
	char *ident;        /* name and URLs */
	int inflight;
	struct url_state *urls;
	size_t nurls;       /* as many as the backend has URLs */
	size_t rr;          /* where the next tie-break starts */
	TAILQ_HEAD(, http_job) queue;
};

enum job_state { JOB_QUEUED, JOB_WAITING, JOB_INFLIGHT };

struct http_job {
	struct http_req *req;
	struct be_state *bs;
	enum job_state state;
	int cancelled;
	double t0;
	int64_t due;        /* JOB_WAITING: monotonic ms of the next attempt */
	size_t url;         /* the URL index of the current attempt */
	char *urlstr;
	CURL *easy;
	struct curl_slist *hdrs;
	curl_mime *mime;
	char *buf;          /* the reply body of the current attempt */
	size_t len, cap, max;
	int oversize;
	long status;        /* of the last reply; 0 before any */
	double hint_ms;     /* retry-after-ms, else Retry-After, of the last reply; -1: none */
	int hint_is_ms;
	char errbuf[CURL_ERROR_SIZE];
	char key[SHA256_HEX_LEN + 1];
	TAILQ_ENTRY(http_job) qentry; /* its backend's queue or the engine's waiting list */
	TAILQ_ENTRY(http_job) aentry; /* every job not yet done */
};

/* What one attempt came to, worked out without the lock. */
struct outcome {
	long status;
	int ok;
	int retry;       /* send again after delay_ms */
	int permanent;
	int url_failed;  /* counts towards resting the URL */
	double delay_ms;
	char *error;
};

/* What the engine knows a backend by: its name and URLs, one a line. Caller frees. */
char *http_backend_ident(const struct backend *be);
/* The URL index for the next attempt of a job of bs (fleet choice). */
size_t http_pick_url(struct be_state *bs, int64_t now);
/* Sets job->easy up for one attempt (URL, options, headers with the key, the body). Returns
 * 0, or -1 with *cause; what it built is freed with the attempt either way. */
int http_attempt_setup(struct http_job *job, char **cause);
/* Classifies a finished attempt (u: uniform 0..1 for the jitter); o->error is malloc'd. */
void http_classify(struct http_job *job, CURLcode rc, double u, struct outcome *o);
/*
 * Removes the backend's key and the credential of its Authorization header
 * from *text: *len bytes, or a NUL-terminated string when len is NULL. *text
 * may be reallocated (still NUL-terminated) and *len shrinks to match.
 */
void http_redact_backend(const struct backend *be, char **text, size_t *len);
/* Overwrites a string that held a key, then frees it; NULL is fine. */
void http_wipe_free(char *s);

/* Creates dir and any missing parents. Returns 0, or -1 with *cause naming the folder. */
int http_mkdirs(const char *dir, char **cause);

/*
 * Looks a reply up in the cache under key (from http_cache_key). Returns 1
 * on a hit with *body (malloc'd, NUL-terminated, caller frees) and *len; 0
 * on a miss, which includes a file that is unreadable, truncated, corrupt or
 * larger than max bytes (max 0: no limit).
 */
int http_cache_get(const char *dir, const char *key, size_t max, char **body, size_t *len);
/* Stores a reply under key through a temp file and a rename. A failure is silent: the cache
 * only saves time, so a full disk must not fail the request that succeeded. */
void http_cache_put(const char *dir, const char *key, const char *body, size_t len);
/* Removes the reply stored under key, if any. */
void http_cache_drop(const char *dir, const char *key);

/* What each server said it serves (models_parse), by base URL; the engine's lock guards it. */
struct served_table {
	char **url, **model;
	size_t n;
};
/* Records a copy of model for url, replacing what was there; model NULL forgets it. */
void served_put(struct served_table *t, const char *url, const char *model);
/* What be's URLs serve, one block per URL ("-" where nothing was reported), or NULL when no
 * URL of be reported anything; caller frees. */
char *served_describe(const struct served_table *t, const struct backend *be);
void served_free(struct served_table *t);

/* One finished request, as the request log records it (never a header or a body). */
struct http_log_entry {
	const char *backend;
	const char *method;
	const char *url;    /* NULL when nothing was sent */
	long status;
	int attempts;
	double seconds;
	int hit;
	const char *error;  /* NULL on success; already redacted */
};
/* Appends one line to the log open on fd (O_APPEND, one write per line); fd < 0: nothing. */
void http_log_write(int fd, const struct http_log_entry *e);

/* Replaces every occurrence of secret in *text by "***" (*text may be reallocated). */
void http_redact(char **text, const char *secret);
/* The same over len bytes that may hold NULs; *len is updated, the result NUL-terminated. */
void http_redact_mem(char **text, size_t *len, const char *secret);

/* ---- the engine (core/models/http.c runs it; http_submit.c queues into it under its lock) ---- */

#define POOL_MAX 64     /* idle easy handles kept for reuse */

struct http_engine {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	CURLM *multi;
	char *cache_dir;
	int logfd;
	int stop, stopped;
	int nwaiters;       /* threads inside http_wait or http_cancel_all */
	uint64_t cancel_ticket, cancel_done;
	struct be_state **bes;
	size_t nbes;
	TAILQ_HEAD(, http_job) waiting; /* ordered by due time */
	TAILQ_HEAD(, http_job) jobs;
	CURL *pool[POOL_MAX];
	int npool;
	int inflight;
	struct http_stats stats;
	struct rng rng;
	struct served_table served;
};


/* The state of the backend named by ident (taken), made on first use. Lock held. */
struct be_state *http_be_state(struct http_engine *eng, char *ident, size_t nurls);

#endif
