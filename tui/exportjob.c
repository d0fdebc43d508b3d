/* SPDX-License-Identifier: MIT */
/* The background export thread of the review screen. */
#include "tui/exportjob.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export/exportrun.h"
#include "core/metrics/audit.h"
#include "core/metrics/metrics.h"
#include "core/base/util.h"

#ifndef MMDA_VERSION
#define MMDA_VERSION "0.1.0"
#endif

struct exportjob {
	pthread_t thread;
	pthread_mutex_t lock;
	char *db_path, *out;
	enum export_format format;
	enum select_mode mode;
	volatile sig_atomic_t stop;
	int64_t done;
	int ended;
	char summary[512];
};

static void
progress(void *arg, int64_t done)
{
	struct exportjob *j = arg;

	pthread_mutex_lock(&j->lock);
	j->done = done;
	pthread_mutex_unlock(&j->lock);
}

static void *
run(void *arg)
{
	struct exportjob *j = arg;
	struct exportrun_opts o;
	struct exportrun_result r;
	struct store *st;
	char *cause = NULL, msg[512];

	/* Behind the review loop for the cores: keys first. */
	thread_background();
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.format = j->format;
	o.out = j->out;
	o.select.mode = j->mode;
	o.select.consensus = "majority";
	o.select.defaults = metric_default_scopes();
	o.shard_size = 10000;
	o.version = MMDA_VERSION;
	o.database = j->db_path;
	o.stop = &j->stop;
	o.progress = progress;
	o.arg = j;
	st = store_open(j->db_path, 0, &cause);
	char *est_text = st != NULL ? audit_estimate_text(st) : NULL;
	o.estimate_json = est_text;
	if (st == NULL || exportrun(st, &o, &r, &cause) != 0)
		snprintf(msg, sizeof msg, "export: %s", cause ? cause : "failed");
	else
		snprintf(msg, sizeof msg, "exported %lld candidates to %s as %s (%lld left out)",
		    (long long)r.exported, j->out, export_format_name(j->format),
		    (long long)r.skipped);
	free(cause);
	free(est_text);
	exportrun_result_free(&r);
	store_close(st);
	pthread_mutex_lock(&j->lock);
	snprintf(j->summary, sizeof j->summary, "%s", msg);
	j->ended = 1;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

struct exportjob *
exportjob_start(const char *db_path, enum export_format f, enum select_mode m, const char *out,
    char **cause)
{
	struct exportjob *j = xcalloc(1, sizeof *j);

	pthread_mutex_init(&j->lock, NULL);
	j->db_path = xstrdup(db_path);
	j->out = xstrdup(out);
	j->format = f;
	j->mode = m;
	if (pthread_create(&j->thread, NULL, run, j) != 0) {
		cause_set(cause, "cannot start the export");
		free(j->db_path);
		free(j->out);
		pthread_mutex_destroy(&j->lock);
		free(j);
		return NULL;
	}
	return j;
}

int
exportjob_poll(struct exportjob *j, int64_t *done, const char **summary)
{
	int ended;

	pthread_mutex_lock(&j->lock);
	*done = j->done;
	ended = j->ended;
	*summary = j->summary;
	pthread_mutex_unlock(&j->lock);
	return ended;
}

void
exportjob_cancel(struct exportjob *j)
{
	j->stop = 1;
}

void
exportjob_free(struct exportjob *j)
{
	if (j == NULL)
		return;
	j->stop = 1;
	pthread_join(j->thread, NULL);
	free(j->db_path);
	free(j->out);
	pthread_mutex_destroy(&j->lock);
	free(j);
}
