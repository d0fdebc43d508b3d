/* SPDX-License-Identifier: MIT */
/*
 * Image copies made beside the export run, not in it. Creating a file is most
 * of what a copy costs (the file system's journal and directory, not our
 * bytes), and the run's own work per candidate (its rows, its JSON line) is
 * about as much again: done one after the other they took 1.8 times a
 * `cp -r`, side by side about the time of the copies alone. The run opens
 * and checks each source itself (the trust boundary stays on its thread);
 * the workers get the open descriptor and only create and fill the copy.
 * A copy that fails fails the export, as it did when made inline: the run
 * learns it at its next item or at the end, and the folder is removed whole.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/export/export_priv.h"

/* Queued copies hold their source open: few enough for any descriptor limit. */
#define COPIER_QUEUE 128

struct copy_job {
	int fd;
	size_t size;
	char *src, *name, *dst;
};

struct export_copier {
	int dirfd;
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	struct copy_job q[COPIER_QUEUE];
	size_t head, len;
	int idle, full; /* workers waiting for a job; 1 while the run waits for room */
	int closing;
	char *failed; /* the first failure's cause */
	int nthreads;
	pthread_t threads[EXPORT_COPIER_MAX_THREADS];
};

static void
job_free(struct copy_job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->src);
	free(j->name);
	free(j->dst);
}

/* Makes one copy; the first failure is kept, later copies are dropped unmade. */
static void
job_run(struct export_copier *c, struct copy_job *j)
{
	char *why = NULL;
	int skip;

	pthread_mutex_lock(&c->lock);
	skip = c->failed != NULL;
	pthread_mutex_unlock(&c->lock);
	if (!skip && export_copy_fd(j->fd, j->size, j->src, c->dirfd, j->name, j->dst,
	    &why) != 0) {
		pthread_mutex_lock(&c->lock);
		if (c->failed == NULL) {
			c->failed = why;
			why = NULL;
		}
		pthread_mutex_unlock(&c->lock);
	}
	free(why);
	job_free(j);
}

static void *
copier_worker(void *arg)
{
	struct export_copier *c = arg;
	struct copy_job j;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (c->len == 0 && !c->closing) {
			c->idle++;
			pthread_cond_wait(&c->more, &c->lock);
			c->idle--;
		}
		if (c->len == 0) {
			pthread_mutex_unlock(&c->lock);
			return NULL;
		}
		j = c->q[c->head];
		c->head = (c->head + 1) % COPIER_QUEUE;
		c->len--;
		/* Wake-ups are system calls: only for someone who waits, and for room enough. */
		if (c->full && c->len <= COPIER_QUEUE / 2)
			pthread_cond_signal(&c->room);
		pthread_mutex_unlock(&c->lock);
		job_run(c, &j);
	}
}

struct export_copier *
export_copier_start(int dirfd, int threads)
{
	struct export_copier *c = xcalloc(1, sizeof *c);

	c->dirfd = dirfd;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->more, NULL);
	pthread_cond_init(&c->room, NULL);
	if (threads > EXPORT_COPIER_MAX_THREADS)
		threads = EXPORT_COPIER_MAX_THREADS;
	/* No thread at all (none asked, or none to be had): every copy is made inline. */
	while (c->nthreads < threads &&
	    pthread_create(&c->threads[c->nthreads], NULL, copier_worker, c) == 0)
		c->nthreads++;
	return c;
}

int
export_copier_add(struct export_copier *c, int fd, size_t size, const char *src,
    const char *name, const char *dst, char **cause)
{
	struct copy_job j = { fd, size, xstrdup(src), xstrdup(name), xstrdup(dst) };
	int rc = 0;

	if (c->nthreads == 0) {
		rc = export_copy_fd(fd, size, src, c->dirfd, name, dst, cause);
		job_free(&j);
		return rc;
	}
	pthread_mutex_lock(&c->lock);
	while (c->len == COPIER_QUEUE && c->failed == NULL) {
		c->full = 1;
		pthread_cond_wait(&c->room, &c->lock);
		c->full = 0;
	}
	if (c->failed != NULL)
		rc = cause_set(cause, "%s", c->failed);
	else {
		c->q[(c->head + c->len) % COPIER_QUEUE] = j;
		c->len++;
		if (c->idle > 0)
			pthread_cond_signal(&c->more);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc != 0)
		job_free(&j);
	return rc;
}

int
export_copier_check(struct export_copier *c, char **cause)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->failed != NULL)
		rc = cause_set(cause, "%s", c->failed);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
export_copier_finish(struct export_copier *c, char **cause)
{
	int rc;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	c->closing = 1;
	pthread_cond_broadcast(&c->more);
	pthread_mutex_unlock(&c->lock);
	for (int i = 0; i < c->nthreads; i++)
		pthread_join(c->threads[i], NULL);
	rc = c->failed != NULL ? cause_set(cause, "%s", c->failed) : 0;
	free(c->failed);
	pthread_cond_destroy(&c->more);
	pthread_cond_destroy(&c->room);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return rc;
}
