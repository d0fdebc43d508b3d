/* SPDX-License-Identifier: MIT */
/* The background augmentation thread of the review screen. */
#include "tui/augjob.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ops/augment.h"
#include "core/models/http.h"
#include "core/models/mclient.h"
#include "core/ops/ops.h"
#include "core/base/util.h"

struct augjob {
	pthread_t thread;
	pthread_mutex_t lock;
	char *db_path;
	char *config;      /* the backends config, or NULL for the search order */
	const struct op_def *op;
	char **sets;
	size_t nsets;
	int64_t *only;
	size_t nonly;
	int64_t done, total;
	int ended;
	char summary[256];
	atomic_int cancel;
	struct mclient *mc; /* while a model-backed batch runs (under lock), else NULL */
};

static void
progress(void *arg, int64_t done, int64_t total)
{
	struct augjob *j = arg;

	pthread_mutex_lock(&j->lock);
	j->done = done;
	j->total = total;
	pthread_mutex_unlock(&j->lock);
}

static void *
run(void *arg)
{
	struct augjob *j = arg;
	struct augment_opts o;
	struct augment_result r;
	struct store *st;
	char *cause = NULL, msg[256];

	/* Behind the review loop for the cores: keys first. */
	thread_background();
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.op = j->op;
	o.sets = j->sets;
	o.nsets = j->nsets;
	o.only = j->only;
	o.nonly = j->nonly;
	o.jobs = 2;
	o.progress = progress;
	o.arg = j;
	o.cancel = &j->cancel;
	/* The config is read here, not on the UI thread: it is disk work. */
	st = NULL;
	/* An op that only may use a model gets one when a config is named (or not at all). */
	if (j->op->needs_backend || ((j->op->flags & OP_BACKEND_OPTIONAL) && j->config != NULL)) {
		o.mc = mclient_open(j->config, &cause);
		pthread_mutex_lock(&j->lock);
		j->mc = o.mc; /* augjob_cancel reaches the engine through it */
		pthread_mutex_unlock(&j->lock);
	}
	if (o.mc == NULL && cause != NULL)
		snprintf(msg, sizeof msg, "%s: %s", j->op->name, cause);
	/* Its own connection: SQLite connections are not shared between threads here. */
	else if ((st = store_open(j->db_path, 0, &cause)) == NULL ||
	    augment_run(st, &o, &r, &cause) != 0)
		snprintf(msg, sizeof msg, "%s: %s", j->op->name, cause ? cause : "failed");
	else
		snprintf(msg, sizeof msg, "%s: %screated %zu, existing %lld, unchanged %lld, "
		    "filtered %zu, failed %zu%s%s", j->op->name, r.cancelled ? "cancelled; " : "",
		    r.ncreated, (long long)r.existing, (long long)r.unchanged, r.nfiltered, r.nfailed,
		    r.nfailed ? " (first: " : "", r.nfailed ? r.failed[0].reason : "");
	pthread_mutex_lock(&j->lock);
	j->mc = NULL;
	pthread_mutex_unlock(&j->lock);
	mclient_close(o.mc);
	if (r.nfailed && strlen(msg) + 2 < sizeof msg)
		strcat(msg, ")");
	free(cause);
	augment_result_free(&r);
	store_close(st);
	pthread_mutex_lock(&j->lock);
	snprintf(j->summary, sizeof j->summary, "%s", msg);
	j->ended = 1;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

struct augjob *
augjob_start(const char *db_path, const char *config, const char *op, char *const *sets,
    size_t nsets, const int64_t *only, size_t nonly, char **cause)
{
	struct augjob *j;

	if (op_find(op) == NULL) {
		cause_set(cause, "unknown operator %s", op);
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	pthread_mutex_init(&j->lock, NULL);
	j->db_path = xstrdup(db_path);
	j->config = config ? xstrdup(config) : NULL;
	j->op = op_find(op);
	j->sets = xcalloc(nsets ? nsets : 1, sizeof *j->sets);
	for (size_t i = 0; i < nsets; i++)
		j->sets[i] = xstrdup(sets[i]);
	j->nsets = nsets;
	if (only != NULL) {
		j->only = xcalloc(nonly ? nonly : 1, sizeof *j->only);
		memcpy(j->only, only, nonly * sizeof *only);
		j->nonly = nonly;
	}
	if (pthread_create(&j->thread, NULL, run, j) != 0) {
		cause_set(cause, "cannot start the batch");
		j->ended = 1;
		augjob_free(j);
		return NULL;
	}
	return j;
}

int
augjob_poll(struct augjob *j, int64_t *done, int64_t *total, const char **summary)
{
	int ended;

	pthread_mutex_lock(&j->lock);
	*done = j->done;
	*total = j->total;
	ended = j->ended;
	*summary = j->summary;
	pthread_mutex_unlock(&j->lock);
	return ended;
}

void
augjob_cancel(struct augjob *j)
{
	atomic_store(&j->cancel, 1);
	/* Requests in flight end now instead of after their server answers. */
	pthread_mutex_lock(&j->lock);
	if (j->mc != NULL)
		http_cancel_all(mclient_engine(j->mc));
	pthread_mutex_unlock(&j->lock);
}

void
augjob_free(struct augjob *j)
{
	if (j == NULL)
		return;
	/* A worker that checked the flag just before the cancel may still send a request:
	 * cancel again until the batch has ended. */
	while (j->thread && atomic_load(&j->cancel)) {
		int ended;
		pthread_mutex_lock(&j->lock);
		ended = j->ended;
		pthread_mutex_unlock(&j->lock);
		if (ended)
			break;
		augjob_cancel(j);
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (j->thread)
		pthread_join(j->thread, NULL);
	for (size_t i = 0; i < j->nsets; i++)
		free(j->sets[i]);
	free(j->sets);
	free(j->only);
	free(j->db_path);
	free(j->config);
	pthread_mutex_destroy(&j->lock);
	free(j);
}
