/* SPDX-License-Identifier: MIT */
/*
 * The HTTP engine: one thread runs a libcurl multi loop for every request.
 * Callers queue under the engine's lock and wake the loop; the loop admits
 * jobs up to each backend's concurrency, picks a fleet URL, classifies each
 * reply, schedules retries on a due-time list and completes requests. curl
 * itself (perform, poll, callbacks) runs with the lock released.
 */
#include "core/models/http.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/models/http_priv.h"
#include "core/base/rng.h"
#include "core/base/util.h"

#define POLL_MAX_MS 1000

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- bookkeeping (lock held) ---- */

struct be_state *
http_be_state(struct http_engine *eng, char *ident, size_t nurls)
{
	struct be_state *bs;

	for (size_t i = 0; i < eng->nbes; i++) {
		if (strcmp(eng->bes[i]->ident, ident) == 0) {
			free(ident);
			return eng->bes[i];
		}
	}
	bs = xcalloc(1, sizeof *bs);
	bs->ident = ident;
	bs->nurls = nurls;
	bs->urls = xcalloc(nurls, sizeof *bs->urls);
	TAILQ_INIT(&bs->queue);
	eng->bes = xreallocarray(eng->bes, eng->nbes + 1, sizeof *eng->bes);
	eng->bes[eng->nbes++] = bs;
	return bs;
}

/* Frees what one attempt used; the easy handle goes back to the pool. */
static void
attempt_release(struct http_engine *eng, struct http_job *job)
{
	struct curl_slist *h;

	if (job->easy != NULL) {
		if (eng->npool < POOL_MAX)
			eng->pool[eng->npool++] = job->easy;
		else
			curl_easy_cleanup(job->easy);
		job->easy = NULL;
	}
	/* The list holds a copy of the Authorization line: clear it before it goes. */
	for (h = job->hdrs; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(job->hdrs);
	job->hdrs = NULL;
	curl_mime_free(job->mime);
	job->mime = NULL;
}

/* Completes a job: fills the request (error: NULL on success; taken), logs, frees, wakes. */
static void
job_finish(struct http_engine *eng, struct http_job *job, long status, char *error,
    int permanent)
{
	struct http_req *req = job->req;

	req->status = status;
	if (error == NULL) {
		req->resp = job->buf != NULL ? job->buf : xstrdup("");
		req->resplen = job->len;
		job->buf = NULL;
	} else {
		http_redact_backend(req->be, &error, NULL);
		req->error = error;
		req->permanent = permanent;
		eng->stats.failed++;
	}
	req->url = job->urlstr;
	job->urlstr = NULL;
	req->seconds = now_mono_s() - job->t0;
	eng->stats.requests++;

	http_log_write(eng->logfd, &(struct http_log_entry){ .backend = req->be->name,
	    .method = req->method, .url = req->url, .status = status, .attempts = req->attempts,
	    .seconds = req->seconds, .error = req->error });

	TAILQ_REMOVE(&eng->jobs, job, aentry);
	free(job->buf);
	free(job);
	req->job = NULL;
	pthread_cond_broadcast(&eng->cond);
}

static void
waiting_insert(struct http_engine *eng, struct http_job *job)
{
	struct http_job *w;

	job->state = JOB_WAITING;
	TAILQ_FOREACH(w, &eng->waiting, qentry) {
		if (w->due > job->due) {
			TAILQ_INSERT_BEFORE(w, job, qentry);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&eng->waiting, job, qentry);
}

/* Takes a job out of whatever list or transfer it is in, undoing its counts. */
static void
job_detach(struct http_engine *eng, struct http_job *job)
{
	struct be_state *bs = job->bs;

	switch (job->state) {
	case JOB_QUEUED:
		TAILQ_REMOVE(&bs->queue, job, qentry);
		break;
	case JOB_WAITING:
		TAILQ_REMOVE(&eng->waiting, job, qentry);
		break;
	case JOB_INFLIGHT:
		curl_multi_remove_handle(eng->multi, job->easy);
		attempt_release(eng, job);
		bs->inflight--;
		bs->urls[job->url].inflight--;
		eng->inflight--;
		break;
	}
}

static void
cancel_marked(struct http_engine *eng, int all)
{
	struct http_job *job, *next;

	for (job = TAILQ_FIRST(&eng->jobs); job != NULL; job = next) {
		next = TAILQ_NEXT(job, aentry);
		if (!all && !job->cancelled)
			continue;
		job_detach(eng, job);
		job_finish(eng, job, job->status, xstrdup("cancelled"), 1);
	}
}

/* Sends the next attempt of a job (lock held); a job that cannot even start fails here. */
static void
job_start(struct http_engine *eng, struct http_job *job, int64_t now)
{
	struct be_state *bs = job->bs;
	const struct backend *be = job->req->be;
	char *cause = NULL;
	struct url_state *u;

	job->url = http_pick_url(bs, now);
	u = &bs->urls[job->url];
	free(job->urlstr);
	job->urlstr = xasprintf("%s%s", be->urls[job->url], job->req->path);
	job->len = 0;
	job->oversize = 0;
	job->hint_ms = -1;
	job->hint_is_ms = 0;
	job->errbuf[0] = '\0';
	job->max = be->max_response;
	if (eng->npool > 0) {
		job->easy = eng->pool[--eng->npool];
		curl_easy_reset(job->easy);
	} else
		job->easy = curl_easy_init();
	if (job->easy == NULL)
		cause_set(&cause, "cannot create a curl handle");
	else if (http_attempt_setup(job, &cause) == 0 &&
	    curl_multi_add_handle(eng->multi, job->easy) != CURLM_OK)
		cause_set(&cause, "cannot add the transfer to the loop");
	if (cause != NULL) {
		char *msg = xasprintf("backend %s: %s: %s", be->name, job->urlstr, cause);

		free(cause);
		attempt_release(eng, job);
		job_finish(eng, job, job->status, msg, 1);
		return;
	}
	job->state = JOB_INFLIGHT;
	job->req->attempts++;
	eng->stats.attempts++;
	u->inflight++;
	u->sent++;
	bs->inflight++;
	if (++eng->inflight > eng->stats.peak_inflight)
		eng->stats.peak_inflight = eng->inflight;
}

/* Moves retries that are due to the head of their queue and starts what the limits allow. */
static void
admit(struct http_engine *eng, int64_t now)
{
	struct http_job *job;
	struct be_state *bs;
	int cap;

	while ((job = TAILQ_FIRST(&eng->waiting)) != NULL && job->due <= now) {
		TAILQ_REMOVE(&eng->waiting, job, qentry);
		job->state = JOB_QUEUED;
		/* It was admitted once already: it goes before the jobs that never ran. */
		TAILQ_INSERT_HEAD(&job->bs->queue, job, qentry);
	}
	for (size_t i = 0; i < eng->nbes; i++) {
		bs = eng->bes[i];
		/* Only a queued job's backend is sure to be alive: its limit is the one used. */
		while ((job = TAILQ_FIRST(&bs->queue)) != NULL) {
			cap = job->req->be->max_concurrency > 0 ? job->req->be->max_concurrency : 1;
			if (bs->inflight >= cap)
				break;
			TAILQ_REMOVE(&bs->queue, job, qentry);
			job_start(eng, job, now);
		}
	}
}

/* Books the end of an attempt (lock held): counts, URL health, then a retry or the end. */
static void
attempt_end(struct http_engine *eng, struct http_job *job, struct outcome *o, int64_t now)
{
	struct be_state *bs = job->bs;
	struct url_state *u = &bs->urls[job->url];
	const struct backend *be = job->req->be;

	attempt_release(eng, job);
	bs->inflight--;
	u->inflight--;
	eng->inflight--;
	job->status = o->status;
	if (!o->url_failed)
		u->fails = 0;
	else {
		u->failed++;
		if (be->rest_after > 0 && ++u->fails >= be->rest_after && bs->nurls > 1) {
			u->rest_until = now + (be->rest_ms > 0 ? be->rest_ms : 0);
			u->rests++;
		}
	}
	if (o->retry && job->cancelled) {
		free(o->error);
		o->error = xstrdup("cancelled");
		o->permanent = 1;
	} else if (o->retry) {
		free(o->error);
		eng->stats.retries++;
		job->due = now + (int64_t)(o->delay_ms + 0.5);
		waiting_insert(eng, job);
		return;
	}
	job_finish(eng, job, o->status, o->error, o->permanent);
}

/* Handles every finished transfer. Returns how many there were. */
static int
drain(struct http_engine *eng)
{
	struct http_job *job;
	struct outcome o;
	CURLMsg *m;
	CURL *easy;
	CURLcode rc;
	int left, n = 0;
	double u;

	while ((m = curl_multi_info_read(eng->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		easy = m->easy_handle;
		rc = m->data.result;
		curl_multi_remove_handle(eng->multi, easy);
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&job);
		u = rng_uniform(&eng->rng); /* only this thread draws: no lock needed */
		http_classify(job, rc, u, &o);
		/*
		 * A server may echo the key (in a caption, an id): whatever is parsed,
		 * stored, cached or exported from a reply starts from this redacted copy.
		 * Caching waits for the caller to say the reply parsed (http_reply_parsed).
		 */
		if (o.ok && job->buf != NULL) {
			http_redact_backend(job->req->be, &job->buf, &job->len);
			job->cap = job->len + 1;
		}
		pthread_mutex_lock(&eng->lock);
		attempt_end(eng, job, &o, now_mono_ms());
		pthread_mutex_unlock(&eng->lock);
		n++;
	}
	return n;
}

/* ---- the loop ---- */

static int
poll_timeout(struct http_engine *eng, int64_t now)
{
	struct http_job *job = TAILQ_FIRST(&eng->waiting);
	int64_t d;

	if (job == NULL)
		return POLL_MAX_MS;
	d = job->due - now;
	return d <= 0 ? 0 : d > POLL_MAX_MS ? POLL_MAX_MS : (int)d;
}

static void *
engine_main(void *arg)
{
	struct http_engine *eng = arg;
	int running, timeout;

	pthread_mutex_lock(&eng->lock);
	while (!eng->stop) {
		if (eng->cancel_done != eng->cancel_ticket) {
			cancel_marked(eng, 0);
			eng->cancel_done = eng->cancel_ticket;
			pthread_cond_broadcast(&eng->cond);
		}
		admit(eng, now_mono_ms());
		pthread_mutex_unlock(&eng->lock);

		curl_multi_perform(eng->multi, &running);
		/*
		 * A finished transfer frees a slot: go round again at once to fill it.
		 * The waiting list changes only on this thread, so it is read unlocked.
		 */
		timeout = drain(eng) > 0 ? 0 : poll_timeout(eng, now_mono_ms());
		if (timeout > 0)
			curl_multi_poll(eng->multi, NULL, 0, timeout, NULL);
		pthread_mutex_lock(&eng->lock);
	}
	cancel_marked(eng, 1);
	eng->stopped = 1;
	eng->cancel_done = eng->cancel_ticket;
	pthread_cond_broadcast(&eng->cond);
	pthread_mutex_unlock(&eng->lock);
	return NULL;
}

/* ---- the interface ---- */

struct http_engine *
http_engine_new(const char *cache_dir, const char *log_path, char **cause)
{
	struct http_engine *eng;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		cause_set(cause, "curl: %s", curl_easy_strerror(curl_init_rc));
		return NULL;
	}
	eng = xcalloc(1, sizeof *eng);
	eng->logfd = -1;
	TAILQ_INIT(&eng->waiting);
	TAILQ_INIT(&eng->jobs);
	rng_seed(&eng->rng, (uint64_t)now_mono_ms() ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)(uintptr_t)eng);
	if (cache_dir != NULL) {
		if (http_mkdirs(cache_dir, cause) != 0)
			goto fail;
		eng->cache_dir = xstrdup(cache_dir);
	}
	if (log_path != NULL &&
	    (eng->logfd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		cause_set(cause, "%s: %s", log_path, strerror(errno));
		goto fail;
	}
	if ((eng->multi = curl_multi_init()) == NULL) {
		cause_set(cause, "curl: cannot create a multi handle");
		goto fail;
	}
	/* Enough idle connections that every backend's slots stay warm (keep-alive). */
	curl_multi_setopt(eng->multi, CURLMOPT_MAXCONNECTS, 256L);
	pthread_mutex_init(&eng->lock, NULL);
	pthread_cond_init(&eng->cond, NULL);
	if (pthread_create(&eng->thread, NULL, engine_main, eng) != 0) {
		cause_set(cause, "cannot start the HTTP thread: %s", strerror(errno));
		pthread_cond_destroy(&eng->cond);
		pthread_mutex_destroy(&eng->lock);
		goto fail;
	}
	return eng;
fail:
	if (eng->multi != NULL)
		curl_multi_cleanup(eng->multi);
	if (eng->logfd >= 0)
		close(eng->logfd);
	served_free(&eng->served);
	free(eng->cache_dir);
	free(eng);
	return NULL;
}

void
http_engine_free(struct http_engine *eng)
{
	if (eng == NULL)
		return;
	pthread_mutex_lock(&eng->lock);
	eng->stop = 1;
	pthread_mutex_unlock(&eng->lock);
	curl_multi_wakeup(eng->multi);
	pthread_join(eng->thread, NULL);
	/* Every request is done now; let the threads woken in http_wait leave before it goes. */
	pthread_mutex_lock(&eng->lock);
	while (eng->nwaiters > 0)
		pthread_cond_wait(&eng->cond, &eng->lock);
	pthread_mutex_unlock(&eng->lock);

	while (eng->npool > 0)
		curl_easy_cleanup(eng->pool[--eng->npool]);
	curl_multi_cleanup(eng->multi);
	for (size_t i = 0; i < eng->nbes; i++) {
		free(eng->bes[i]->ident);
		free(eng->bes[i]->urls);
		free(eng->bes[i]);
	}
	free(eng->bes);
	if (eng->logfd >= 0)
		close(eng->logfd);
	served_free(&eng->served);
	free(eng->cache_dir);
	pthread_cond_destroy(&eng->cond);
	pthread_mutex_destroy(&eng->lock);
	free(eng);
}
