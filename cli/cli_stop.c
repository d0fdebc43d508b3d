/* SPDX-License-Identifier: MIT */
/*
 * Ctrl-C (or SIGTERM) during a batch: the first one stops it cleanly (no
 * new candidate starts, requests waiting on a model server are cut short,
 * what is stored stays and the job is marked cancelled, so a re-run
 * finishes it); a second one ends the process at once, as usual.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/models/http.h"
#include "core/models/mclient.h"
#include "core/base/util.h"
#include "cli/cli.h"

struct cli_stop {
	struct mclient *mc;
	pthread_t watcher;
	int watching;
	atomic_int done;
	struct sigaction old_int, old_term;
};

/* One batch at a time per process: the handler needs a global to reach. */
static atomic_int stop_flag;

static void
on_signal(int sig)
{
	if (atomic_exchange(&stop_flag, 1) != 0) {
		/* The second signal: the default action, now. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/* The engine cannot be touched from a signal handler; this thread does it for it. */
static void *
watch(void *arg)
{
	struct cli_stop *s = arg;
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	while (!atomic_load(&s->done)) {
		if (atomic_load(&stop_flag))
			http_cancel_all(mclient_engine(s->mc));
		nanosleep(&ts, NULL);
	}
	return NULL;
}

struct cli_stop *
cli_stop_start(struct mclient *mc)
{
	struct cli_stop *s = xcalloc(1, sizeof *s);
	struct sigaction sa;

	atomic_store(&stop_flag, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	s->mc = mc;
	if (mc != NULL)
		s->watching = pthread_create(&s->watcher, NULL, watch, s) == 0;
	return s;
}

atomic_int *
cli_stop_flag(struct cli_stop *s)
{
	(void)s;
	return &stop_flag;
}

void
cli_stop_end(struct cli_stop *s)
{
	if (s == NULL)
		return;
	atomic_store(&s->done, 1);
	if (s->watching)
		pthread_join(s->watcher, NULL);
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	free(s);
}
