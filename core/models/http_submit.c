/* SPDX-License-Identifier: MIT */
/*
 * The HTTP engine, the callers' side: a request is answered from the reply
 * cache or queued under the engine's lock for its loop (core/models/http.c),
 * and waited for; cancels, pauses that a cancel ends, the served-model table
 * and the counters. Any thread.
 */
#include "core/models/http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/models/http_priv.h"
#include "core/base/util.h"

/* A request that ends before reaching the loop: bad input, a stopped engine, a cache hit. */
static void
submit_done(struct http_engine *eng, struct http_req *req, char *error, int hit, double t0)
{
	if (error != NULL) {
		req->error = error;
		req->permanent = 1;
	}
	req->seconds = now_mono_s() - t0;
	pthread_mutex_lock(&eng->lock);
	eng->stats.requests++;
	if (hit)
		eng->stats.cache_hits++;
	if (error != NULL)
		eng->stats.failed++;
	pthread_mutex_unlock(&eng->lock);
	http_log_write(eng->logfd, &(struct http_log_entry){ .backend = req->be != NULL ?
	    req->be->name : NULL, .method = req->method, .url = req->url, .status = req->status,
	    .seconds = req->seconds, .hit = hit, .error = error });
}

void
http_submit(struct http_engine *eng, struct http_req *req)
{
	const struct backend *be = req->be;
	struct http_job *job;
	double t0 = now_mono_s();
	char key[SHA256_HEX_LEN + 1], *ident;

	/* Reset, not freed: the caller frees a previous reply with http_req_clear. */
	req->status = 0;
	req->resp = req->error = req->url = NULL;
	req->resplen = 0;
	req->permanent = req->attempts = req->from_cache = 0;
	req->seconds = 0;
	req->job = NULL;
	req->cache_key[0] = '\0';
	if (be == NULL || be->nurls == 0 || req->method == NULL || req->path == NULL) {
		submit_done(eng, req, xasprintf("backend %s: %s", be != NULL ? be->name : "(none)",
		    be == NULL ? "no backend given" : be->nurls == 0 ? "no base URL" :
		    "request without a method or path"), 0, t0);
		return;
	}
	if (req->cacheable && eng->cache_dir != NULL) {
		pthread_mutex_lock(&eng->lock);
		char *served = served_describe(&eng->served, be);
		pthread_mutex_unlock(&eng->lock);
		http_cache_key(req, served, key);
		free(served);
		if (http_cache_get(eng->cache_dir, key, be->max_response, &req->resp,
		    &req->resplen)) {
			req->status = 200;
			req->from_cache = 1;
			memcpy(req->cache_key, key, sizeof key);
			req->url = xasprintf("%s%s", be->urls[0], req->path);
			submit_done(eng, req, NULL, 1, t0);
			return;
		}
	}
	ident = http_backend_ident(be);
	job = xcalloc(1, sizeof *job);
	job->req = req;
	job->t0 = t0;
	if (req->cacheable && eng->cache_dir != NULL) {
		memcpy(job->key, key, sizeof key);
		memcpy(req->cache_key, key, sizeof key);
	}

	pthread_mutex_lock(&eng->lock);
	if (eng->stop) {
		pthread_mutex_unlock(&eng->lock);
		free(ident);
		free(job);
		submit_done(eng, req, xstrdup("cancelled"), 0, t0);
		return;
	}
	job->bs = http_be_state(eng, ident, be->nurls);
	job->state = JOB_QUEUED;
	TAILQ_INSERT_TAIL(&job->bs->queue, job, qentry);
	TAILQ_INSERT_TAIL(&eng->jobs, job, aentry);
	req->job = job;
	pthread_mutex_unlock(&eng->lock);
	curl_multi_wakeup(eng->multi);
}

int
http_wait(struct http_engine *eng, struct http_req *req)
{
	pthread_mutex_lock(&eng->lock);
	eng->nwaiters++;
	while (req->job != NULL)
		pthread_cond_wait(&eng->cond, &eng->lock);
	if (--eng->nwaiters == 0)
		pthread_cond_broadcast(&eng->cond); /* http_engine_free may be waiting for us */
	pthread_mutex_unlock(&eng->lock);
	return req->error != NULL ? -1 : 0;
}

void
http_reply_parsed(struct http_engine *eng, const struct http_req *req, int parsed)
{
	if (eng->cache_dir == NULL || !req->cacheable || req->cache_key[0] == '\0' ||
	    req->resp == NULL)
		return;
	if (parsed && !req->from_cache)
		http_cache_put(eng->cache_dir, req->cache_key, req->resp, req->resplen);
	else if (!parsed && req->from_cache)
		http_cache_drop(eng->cache_dir, req->cache_key);
}

uint64_t
http_cancels(struct http_engine *eng)
{
	uint64_t n;

	pthread_mutex_lock(&eng->lock);
	n = eng->cancel_ticket;
	pthread_mutex_unlock(&eng->lock);
	return n;
}

int
http_pause(struct http_engine *eng, int64_t ms, uint64_t since)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&eng->lock);
	/* Counted as a waiter, so http_engine_free does not take the condition from under us. */
	eng->nwaiters++;
	/* The engine thread broadcasts when it has handled a cancel, which wakes this. */
	while (eng->cancel_ticket == since && !eng->stopped && rc == 0)
		rc = pthread_cond_timedwait(&eng->cond, &eng->lock, &until);
	rc = eng->cancel_ticket != since || eng->stopped ? -1 : 0;
	if (--eng->nwaiters == 0)
		pthread_cond_broadcast(&eng->cond);
	pthread_mutex_unlock(&eng->lock);
	return rc;
}

void
http_served_set(struct http_engine *eng, const char *url, const char *served)
{
	pthread_mutex_lock(&eng->lock);
	served_put(&eng->served, url, served);
	pthread_mutex_unlock(&eng->lock);
}

int
http_do(struct http_engine *eng, struct http_req *req)
{
	http_submit(eng, req);
	return http_wait(eng, req);
}

void
http_req_clear(struct http_req *req)
{
	free(req->resp);
	free(req->error);
	free(req->url);
	req->resp = req->error = req->url = NULL;
	req->resplen = 0;
	req->status = 0;
	req->permanent = req->attempts = req->from_cache = 0;
	req->seconds = 0;
}

void
http_cancel_all(struct http_engine *eng)
{
	struct http_job *job;
	uint64_t ticket;

	pthread_mutex_lock(&eng->lock);
	TAILQ_FOREACH(job, &eng->jobs, aentry)
		job->cancelled = 1;
	ticket = ++eng->cancel_ticket;
	pthread_mutex_unlock(&eng->lock);
	curl_multi_wakeup(eng->multi);
	pthread_mutex_lock(&eng->lock);
	eng->nwaiters++;
	while (eng->cancel_done < ticket && !eng->stopped)
		pthread_cond_wait(&eng->cond, &eng->lock);
	if (--eng->nwaiters == 0)
		pthread_cond_broadcast(&eng->cond);
	pthread_mutex_unlock(&eng->lock);
}

void
http_stats_get(struct http_engine *eng, struct http_stats *out)
{
	pthread_mutex_lock(&eng->lock);
	*out = eng->stats;
	pthread_mutex_unlock(&eng->lock);
}
