/* SPDX-License-Identifier: MIT */
/*
 * The background refit of the learned filter. One thread per session, asleep
 * until enough decisions have arrived; it opens its own connection the first
 * time it has work, because a refit reads every score and writes every
 * candidate's learned_accept, and none of that may happen on the UI thread.
 */
#include "tui/learnjob.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/metrics/learnstore.h"
#include "core/store.h"

struct learnjob {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	char *db_path;
	int pending; /* decisions since the last refit began */
	int running;
	int stop;
	int ended;   /* a refit ended and its summary is not yet polled */
	char summary[256];
};

/* One refit: the stored filter's options, a fit on every label, a line to show. */
static void
refit(struct store **st, const char *db_path, char *msg, size_t len)
{
	struct learn_opts o;
	struct learn_report r;
	char *cause = NULL;

	msg[0] = '\0';
	if (*st == NULL && (*st = store_open(db_path, 0, &cause)) == NULL) {
		snprintf(msg, len, "refit: %s", cause ? cause : "cannot open the database");
		free(cause);
		return;
	}
	/* No filter yet: mmda tune --learn makes the first one, on purpose. */
	if (learn_stored_opts(*st, &o) != 1)
		return;
	if (learn_run(*st, &o, &r, &cause) != 0) {
		snprintf(msg, len, "learned filter not refit: %s", cause ? cause : "failed");
		free(cause);
		return;
	}
	snprintf(msg, len, "learned filter v%d refit on %zu labels: CV F1 %.3f, AUC %.3f", r.version,
	    r.labelled, r.cv.f1, r.cv.auc);
	learn_report_free(&r);
}

static void *
run(void *arg)
{
	struct learnjob *j = arg;
	struct store *st = NULL;
	char msg[256];

	/* Behind the review loop for the cores: keys first. */
	thread_background();
	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->stop && j->pending < LEARNJOB_EVERY)
			pthread_cond_wait(&j->wake, &j->lock);
		if (j->stop)
			break;
		j->pending = 0;
		j->running = 1;
		pthread_mutex_unlock(&j->lock);
		refit(&st, j->db_path, msg, sizeof msg);
		pthread_mutex_lock(&j->lock);
		j->running = 0;
		if (msg[0] != '\0') {
			snprintf(j->summary, sizeof j->summary, "%s", msg);
			j->ended = 1;
		}
	}
	pthread_mutex_unlock(&j->lock);
	store_close(st);
	return NULL;
}

struct learnjob *
learnjob_start(const char *db_path, char **cause)
{
	struct learnjob *j = xcalloc(1, sizeof *j);

	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
	j->db_path = xstrdup(db_path);
	if (pthread_create(&j->thread, NULL, run, j) != 0) {
		cause_set(cause, "cannot start the learned filter's refit");
		pthread_cond_destroy(&j->wake);
		pthread_mutex_destroy(&j->lock);
		free(j->db_path);
		free(j);
		return NULL;
	}
	return j;
}

void
learnjob_decided(struct learnjob *j)
{
	pthread_mutex_lock(&j->lock);
	if (++j->pending >= LEARNJOB_EVERY)
		pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
}

int
learnjob_poll(struct learnjob *j, char *buf, size_t len)
{
	int ended;

	pthread_mutex_lock(&j->lock);
	ended = j->ended;
	if (ended)
		snprintf(buf, len, "%s", j->summary);
	j->ended = 0;
	pthread_mutex_unlock(&j->lock);
	return ended;
}

int
learnjob_busy(struct learnjob *j)
{
	int busy;

	pthread_mutex_lock(&j->lock);
	busy = j->running || j->pending >= LEARNJOB_EVERY || j->ended;
	pthread_mutex_unlock(&j->lock);
	return busy;
}

void
learnjob_free(struct learnjob *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->stop = 1;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->wake);
	pthread_mutex_destroy(&j->lock);
	free(j->db_path);
	free(j);
}
