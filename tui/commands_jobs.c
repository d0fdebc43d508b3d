/* SPDX-License-Identifier: MIT */
/* The augment and export screens' commands: choose, set, and run in the background. */
#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export/export.h"
#include "core/metrics/metrics.h"
#include "core/ops/ops.h"
#include "core/metrics/tune.h"
#include "core/base/util.h"
#include "tui/augjob.h"
#include "tui/commands.h"
#include "tui/commands_priv.h"
#include "tui/exportjob.h"
#include "tui/render.h"
#include "tui/screen.h"

void
cmd_augment_screen(struct app *a, const char *arg)
{
	(void)arg;
	switch_view(a, a->view == VIEW_AUGMENT ? VIEW_REVIEW : VIEW_AUGMENT);
}

static size_t
op_count(void)
{
	size_t n = 0;
	while (op_table[n].name != NULL)
		n++;
	return n;
}

static void
aug_move_op(struct app *a, int dir)
{
	size_t n = op_count();
	a->aug_op = (a->aug_op + n + (dir > 0 ? 1 : n - 1)) % n;
	a->aug_param = 0;
	a->dirty = 1;
}

void
cmd_aug_next_op(struct app *a, const char *arg)
{
	(void)arg;
	aug_move_op(a, 1);
}

void
cmd_aug_prev_op(struct app *a, const char *arg)
{
	(void)arg;
	aug_move_op(a, -1);
}

void
cmd_aug_next_param(struct app *a, const char *arg)
{
	const struct op_def *op = &op_table[a->aug_op];
	(void)arg;
	if (op->nparams > 0)
		a->aug_param = (a->aug_param + 1) % (size_t)op->nparams;
	a->dirty = 1;
}

/* Sets a parameter: "set NAME=VALUE" from a script or `:`, else a prompt for the
 * selected one. The value is checked against the table before it is kept. */
void
cmd_aug_set(struct app *a, const char *arg)
{
	const struct op_def *op = &op_table[a->aug_op];
	char line[256], *cause = NULL, *canon = NULL;
	struct op_args args;

	if (op->nparams == 0) {
		app_status(a, 1, "%s has no parameters", op->name);
		return;
	}
	if (*arg != '\0')
		snprintf(line, sizeof line, "%s", arg);
	else {
		char prompt[96];
		snprintf(prompt, sizeof prompt, "%s=", op->params[a->aug_param].name);
		char value[160];
		if (a->script != NULL || screen_prompt(a, prompt, value, sizeof value) != 0)
			return;
		/* The help says NAME=VALUE: typing the name again after the prompt's
		 * "max_angle=" (or another parameter's name) means what it says. */
		char *eq = strchr(value, '=');
		int named = 0;
		if (eq != NULL) {
			*eq = '\0';
			named = op_param_index(op, value) >= 0;
			*eq = '=';
		}
		if (named)
			snprintf(line, sizeof line, "%s", value);
		else
			snprintf(line, sizeof line, "%s=%s", op->params[a->aug_param].name, value);
	}
	char *set[1] = { line };
	if (op_args_parse(op, set, 1, &args, &canon, &cause) != 0) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	op_args_free(op, &args);
	free(canon);
	int i = op_param_index(op, strtok(line, "="));
	char *value = line + strlen(line) + 1;
	free(a->aug_vals[a->aug_op][i]);
	a->aug_vals[a->aug_op][i] = xstrdup(value);
	app_status(a, 0, "%s %s=%s", op->name, op->params[i].name, value);
}

/* Runs on every original (all), the marked candidates' originals (marked), or
 * this pair's original. */
static void
aug_run(struct app *a, int all, int marked)
{
	const struct op_def *op = &op_table[a->aug_op];
	char *sets[OP_MAX_PARAMS], *cause = NULL;
	size_t nsets = 0;
	int64_t origin;

	if (a->job != NULL) {
		app_status(a, 1, "a batch is already running");
		return;
	}
	for (int i = 0; i < op->nparams; i++)
		if (a->aug_vals[a->aug_op][i] != NULL)
			sets[nsets++] = xasprintf("%s=%s", op->params[i].name,
			    a->aug_vals[a->aug_op][i]);
	origin = a->n == 0 ? 0 : a->has_parent ? a->p.id : a->c.id;
	int64_t *only = &origin;
	size_t nonly = 1;
	if (marked) {
		if (a->nmarked == 0) {
			for (size_t i = 0; i < nsets; i++)
				free(sets[i]);
			app_status(a, 1, "nothing is marked (m marks a candidate)");
			return;
		}
		/* A derived candidate stands for its original. */
		only = xcalloc(a->nmarked, sizeof *only);
		nonly = 0;
		for (size_t i = 0; i < a->nmarked; i++) {
			struct candidate c;
			if (store_candidate_get(a->st, a->marked[i], &c, NULL) == 0) {
				only[nonly++] = c.nparents > 0 ? c.parents[0] : c.id;
				candidate_free(&c);
			}
		}
	}
	a->job = augjob_start(a->db_path, a->config, op->name, sets, nsets, all ? NULL : only,
	    all ? 0 : nonly, &cause);
	if (marked)
		free(only);
	for (size_t i = 0; i < nsets; i++)
		free(sets[i]);
	if (a->job == NULL) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	app_status(a, 0, "%s running on %s", op->name, all ? "every original" :
	    marked ? "the marked pairs" : "this pair");
}

void
cmd_aug_run(struct app *a, const char *arg)
{
	(void)arg;
	aug_run(a, 0, 0);
}

void
cmd_aug_run_all(struct app *a, const char *arg)
{
	(void)arg;
	aug_run(a, 1, 0);
}

void
cmd_aug_cancel(struct app *a, const char *arg)
{
	(void)arg;
	if (a->job == NULL) {
		app_status(a, 1, "no batch is running");
		return;
	}
	augjob_cancel(a->job);
	app_status(a, 0, "cancelling the batch; what is stored stays");
}

void
cmd_aug_run_marked(struct app *a, const char *arg)
{
	(void)arg;
	aug_run(a, 0, 1);
}

void
cmd_export_screen(struct app *a, const char *arg)
{
	(void)arg;
	switch_view(a, a->view == VIEW_EXPORT ? VIEW_REVIEW : VIEW_EXPORT);
}

static void
cmd_ex_format(struct app *a, int dir)
{
	a->ex_format = (a->ex_format + EXPORT_FORMAT_COUNT + dir) % EXPORT_FORMAT_COUNT;
	a->dirty = 1;
}

void
cmd_ex_next(struct app *a, const char *arg)
{
	(void)arg;
	cmd_ex_format(a, 1);
}

void
cmd_ex_prev(struct app *a, const char *arg)
{
	(void)arg;
	cmd_ex_format(a, -1);
}

void
cmd_ex_select(struct app *a, const char *arg)
{
	enum select_mode m;

	if (*arg != '\0') {
		if (select_mode_parse(arg, &m) != 0) {
			app_status(a, 1, "select is gold, accepted, passing or all");
			return;
		}
		a->ex_select = (int)m;
	} else
		a->ex_select = (a->ex_select + 1) % 4;
	a->dirty = 1;
}

void
cmd_export_to(struct app *a, const char *arg)
{
	char dir[512], *cause = NULL;

	if (a->exjob != NULL) {
		app_status(a, 1, "an export is already running");
		return;
	}
	if (*arg != '\0')
		snprintf(dir, sizeof dir, "%s", arg);
	else if (a->script != NULL || screen_prompt(a, "export to folder: ", dir, sizeof dir) != 0)
		return;
	/* A shell would have expanded ~ in a path typed at mmda export; so does this prompt. */
	const char *home = getenv("HOME");
	if (dir[0] == '~' && (dir[1] == '/' || dir[1] == '\0') && home != NULL && *home != '\0') {
		char full[sizeof dir];
		if ((size_t)snprintf(full, sizeof full, "%s%s", home, dir + 1) < sizeof full)
			memcpy(dir, full, sizeof dir);
	}
	a->exjob = exportjob_start(a->db_path, (enum export_format)a->ex_format,
	    (enum select_mode)a->ex_select, dir, &cause);
	if (a->exjob == NULL) {
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	app_status(a, 0, "exporting %s to %s", export_format_name((enum export_format)a->ex_format),
	    dir);
}

/* Scripts have no idle time: this waits for background work to end, or with a number,
 * lets that many milliseconds pass (so a script can act while a batch is mid-flight). */
void
cmd_wait(struct app *a, const char *arg)
{
	long ms = -1;

	if (arg != NULL && *arg != '\0') {
		char *end;
		ms = strtol(arg, &end, 10);
		if (*end != '\0' || ms < 0 || ms > 600000) {
			app_status(a, 1, "wait: not a number of milliseconds: %s", arg);
			return;
		}
	}
	int64_t until = now_mono_ms() + ms;
	while (ms >= 0 ? now_mono_ms() < until : app_busy(a)) {
		app_poll_job(a);
		napms(20);
	}
}
