/* SPDX-License-Identifier: MIT */
/*
 * The review application's state, shared by the runtime (tui/) and the
 * screens (views/). The runtime owns the loop: commands change this state
 * and mark it dirty; only the draw step paints.
 */
#ifndef MMDA_APP_H
#define MMDA_APP_H

#include <stdint.h>
#include <stdio.h>

#include "core/ops/ops.h"
#include "core/store.h"
#include "tui/probe.h"

enum renderer {
	RENDER_AUTO,
	RENDER_SIXEL,
	RENDER_BLOCKS,
	RENDER_NONE,
	RENDER_KITTY,
};

enum view_id {
	VIEW_REVIEW,
	VIEW_LIST,
	VIEW_THRESHOLDS,
	VIEW_STATS,
	VIEW_AUGMENT,
	VIEW_EXPORT,
	VIEW_HELP,
	VIEW_TEXT,
	VIEW_COUNT
};

struct pane_job;
struct tune_index;
struct augjob;

/* The thresholds screen's overview of one metric. */
#define OVERVIEW_BINS 16
struct metric_row {
	int64_t bins[OVERVIEW_BINS];
	int64_t kept, removed;
	int thresholded;
};
struct exportjob;
struct learnjob;

struct app {
	struct store *st;
	const char *db_path;
	const char *config;  /* backends config for model-backed ops, or NULL (search order) */
	char annotator[256];
	enum renderer renderer;
	struct term_caps caps;
	int colors; /* has_colors() and not NO_COLOR */

	/* The queue (tui/queue.c): the candidates of a->queue in review order;
	 * cur indexes it. left counts the ones this annotator has not decided. */
	struct queue_spec queue;
	char queue_op[64];
	int64_t *ids;
	size_t n, cur;
	int64_t *decided;  /* this annotator's decided candidates, id order */
	size_t ndecided;
	int64_t *qsorted;  /* ids in id order, to know what the queue holds */
	int64_t left;
	char boundary_metric[64]; /* the metric a boundary page was made for */
	int64_t *full_ids; /* the whole queue while a boundary page is shown */
	size_t full_n, full_cur;
	int64_t *marked;   /* candidates marked (m) for the augment screen's M */
	size_t nmarked;
	char filter[128];  /* the list's filter ("" none) and sort key */
	char sort[64];

	/* The candidate on screen and what is shown beside it. */
	struct candidate c, p;
	int has_parent;
	struct decision *dec;
	size_t ndec;
	struct score *sc;
	size_t nsc;
	struct threshold *th;
	size_t nth;
	int64_t mine[ANSWER_COUNT]; /* this annotator's decisions in force */
	int64_t shown_ms;           /* when the candidate appeared: lead time of a decision */

	enum view_id view;
	char status[512];
	int status_error;
	int quit;
	int dirty;
	int images_dirty; /* panes must be re-sent (moved, overlay closed, resized) */
	FILE *script;     /* MMDA_SCRIPT: commands instead of keys */
	int overlap;      /* > 0: work is handed out by leases (several annotators) */
	int budget_ms;    /* a pair should be readable within this over the link measured */
	int zoom;         /* review: one image over the whole screen */
	int score_page;   /* review: the page of the scores panel (i) */
	int cap_scroll;   /* review: caption rows scrolled away (c) */
	int cap_scroll_more; /* the draw step left words below the caption box */
	int help_top;     /* help: the first line shown */
	int text_top;     /* full text: the first line shown */
	enum view_id help_from; /* the screen help returns to */
	char last_search[256];  /* what / looked for, for n */
	int64_t last_id;  /* the candidate those two belong to */
	int second;       /* review: the left pane shows a two-parent op's second parent */
	int dither, low_bandwidth; /* sixel options (render_options) */

	/* The thresholds screen: the metric being tuned and the cutoff being tried,
	 * over an in-memory index built once per metric (no SQL per keystroke). */
	char **metrics;
	size_t nmetrics, metric;
	struct tune_index *tune;
	double cutoff;
	char *metric_model; /* the model behind the chosen metric's scores, or NULL */
	struct metric_row *overview; /* one row per metric, computed when the screen opens */
	/* The scope s and A set a threshold for ("" the metric's default); the index
	 * holds the candidates of that scope only, so the figures are the threshold's. */
	char tune_scope[512];
	int64_t *tune_ids; /* the candidates of that scope with a score, in id order */
	size_t ntune_ids;

	/* The augment screen: the operator picked, its parameter being edited, the
	 * values typed (NULL: the default), and the batch running in the background. */
	size_t aug_op, aug_param;
	char *aug_vals[OP_TABLE_MAX][OP_MAX_PARAMS];
	struct augjob *job;

	/* The export screen: format and selection picked, and the export running. */
	int ex_format, ex_select;
	struct exportjob *exjob;

	/* The learned filter's refit in the background (tui/learnjob.c); made at the
	 * first decision of the session. */
	struct learnjob *learn;

	/* Images: drawn by the renderer after doupdate(). */
	struct pane_job *panes;
};

/* Sets the status line (printf-style); error marks it with the error colour. */
void app_status(struct app *a, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Loads the candidate at a->cur and what goes with it; failures go to the status line. */
void app_load(struct app *a);
/* Loads the scored metrics and builds the index of the selected one (thresholds screen). */
void app_tune_load(struct app *a);
/* Computes the overview rows of every scored metric (one index at a time, then freed). */
void app_tune_overview(struct app *a);
/*
 * Frees the state. Background jobs are cancelled and given APP_STOP_MS to
 * end; one that has not (blocked on another process's lock, a server, a
 * disk) is left running and not freed. Returns 0, or -1 when a job was left:
 * the caller must then end the process with _exit, since atexit handlers
 * and frees would run under that job's thread.
 */
#define APP_STOP_MS 500
int app_free(struct app *a);
/* Follows a background batch: progress on the status line, the queue reloaded at
 * its end. Returns 1 when the screen must be redrawn. */
int app_poll_job(struct app *a);
/* 1 when candidate id is among the thresholds screen's scope (a->tune_ids). */
int app_tune_has(const struct app *a, int64_t id);
/* Counts a decision (or undo) toward the learned filter's next background refit. */
void app_learn_decided(struct app *a);
/* 1 while background work (augment, export, a refit) is under way. */
int app_busy(const struct app *a);
/* The review queues, ended by a NULL name: feeds --queue, its help and the help screen. */
struct queue_def {
	const char *name;
	enum queue_kind kind;
	const char *help;
};
extern const struct queue_def app_queues[];
/* Sets *q from a --queue name (an op= name is copied to op, oplen bytes); -1 for
 * an unknown one. app_queue_parse does it for the session's queue. */
int queue_parse(const char *s, struct queue_spec *q, char *op, size_t oplen);
int app_queue_parse(const char *s, struct app *a);
/* The queue's name for the title bar (static storage). */
const char *app_queue_name(const struct app *a);
/* Loads a->queue into a->ids, staying on the candidate shown when it is still
 * there, and counts what is left. 0, or -1 with *cause. */
int app_queue_load(struct app *a, char **cause);
/* a->ids changed (a filter, a boundary page): counts what is left again. */
void app_queue_changed(struct app *a);
/* Moves to the first candidate of the queue this annotator has not decided. */
void app_queue_first_undecided(struct app *a);
/* Records whether this annotator has a decision in force on id (and the count left). */
void app_decided_set(struct app *a, int64_t id, int decided);
int app_is_decided(const struct app *a, int64_t id);
void app_queue_free(struct app *a);
/* 1 when candidate id is marked (tui/commands_list.c). */
int app_is_marked(const struct app *a, int64_t id);

#endif
