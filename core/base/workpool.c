/* SPDX-License-Identifier: MIT */
/* The fork-join loop: a shared counter hands out items; threads end when it runs out. */
#include "core/base/workpool.h"

#include <pthread.h>

struct pool {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n, next;
	pthread_mutex_t lock;
};

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

void
workpool_run(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct pool p = { fn, ctx, n, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t tid[WORKPOOL_MAX_THREADS];
	int started = 0;

	if (threads > WORKPOOL_MAX_THREADS)
		threads = WORKPOOL_MAX_THREADS;
	if ((size_t)threads > n)
		threads = (int)n;
	/* A thread that cannot be started only means fewer workers. */
	for (; started < threads - 1; started++)
		if (pthread_create(&tid[started], NULL, pool_worker, &p) != 0)
			break;
	pool_worker(&p);
	for (int k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&p.lock);
}
