/* SPDX-License-Identifier: MIT */
/*
 * The thresholds screen: one scored metric at a time, its histogram split by
 * what people decided, the cutoff being tried with live kept/removed counts,
 * precision, recall and F1 (from the in-memory index: no SQL per key), the
 * threshold in force, the best-F1 suggestion, and the candidates just either
 * side of the cutoff.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/metrics/tune.h"
#include "tui/screen.h"
#include "views/views.h"

#define BINS 16

static void
eval_line(int y, const char *what, const struct tune_eval *e)
{
	char buf[256];

	if (e->defined)
		snprintf(buf, sizeof buf, "%-10s kept %" PRId64 ", removed %" PRId64
		    "   precision %.3f  recall %.3f  F1 %.3f", what, e->kept, e->removed,
		    e->precision, e->recall, e->f1);
	else
		snprintf(buf, sizeof buf, "%-10s kept %" PRId64 ", removed %" PRId64
		    "   precision undefined (nothing labelled kept)", what, e->kept, e->removed);
	screen_text(y, 0, COLS, buf, theme_attr(TH_TEXT));
}

/* Bars of one bin: accepted, rejected, undecided, scaled to the widest bin. */
static void
bar(int y, int x, int w, const struct tune_bin *b, int64_t most, int marked)
{
	int64_t parts[3] = { b->accept, b->reject, b->undecided };
	static const enum theme_el el[3] = { TH_PASS, TH_FAIL, TH_DIM };
	static const char glyph[3][4] = { "\xe2\x96\x88", "\xe2\x96\x92", "\xc2\xb7" };

	for (int k = 0; k < 3; k++) {
		int n = most > 0 ? (int)(parts[k] * w / most) : 0;
		if (parts[k] > 0 && n == 0)
			n = 1;
		for (int i = 0; i < n && x < COLS; i++)
			x += screen_text(y, x, 1, glyph[k], theme_attr(el[k]) |
			    (marked ? A_BOLD : 0));
	}
}

/* Only what a threshold of the scope being tuned would judge. */
static int
in_scope(void *arg, int64_t id)
{
	return app_tune_has(arg, id);
}

static void
neighbours(struct app *a, int y, const char *metric)
{
	char buf[512];
	/* The nearest three on each side: what a small move of the cutoff decides. */
	int64_t below[3], above[3];
	double bv[3], av[3];
	int nb = store_metric_near(a->st, metric, a->cutoff, 1, in_scope, a, below, bv, 3, NULL);
	int na = store_metric_near(a->st, metric, a->cutoff, 0, in_scope, a, above, av, 3, NULL);

	size_t o = (size_t)snprintf(buf, sizeof buf, "nearest below:");
	for (int k = 0; k < nb; k++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " #%" PRId64 " (%.4g)", below[k], bv[k]);
	o += (size_t)snprintf(buf + o, sizeof buf - o, "   at or above:");
	for (int k = 0; k < na; k++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " #%" PRId64 " (%.4g)", above[k], av[k]);
	screen_text(y, 0, COLS, buf, theme_attr(TH_DIM));
}

/* The learned filter's version and its largest coefficients, from the kept model. */
static void
learned_line(struct app *a, char *buf, size_t len)
{
	char *text = NULL;
	size_t o = 0;

	if (store_setting_get(a->st, "mmda.learned_filter", &text, NULL) != 1) {
		snprintf(buf, len, "the learned filter (mmda tune --learn): no model kept");
		return;
	}
	cJSON *doc = cJSON_Parse(text);
	free(text);
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(doc, "model");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(model, "version");
	const cJSON *coef = cJSON_GetObjectItemCaseSensitive(model, "coefficients");
	o = (size_t)snprintf(buf, len, "learned filter v%d, weights per sd:",
	    cJSON_IsNumber(ver) ? ver->valueint : 0);
	/* The heaviest first: what the filter leans on. */
	for (int shown = 0; shown < 8 && o < len; shown++) {
		const cJSON *best = NULL, *c;
		cJSON_ArrayForEach(c, coef)
			if (cJSON_IsNumber(c) && c->valuedouble == c->valuedouble &&
			    (best == NULL || fabs(c->valuedouble) > fabs(best->valuedouble)))
				best = c;
		if (best == NULL || fabs(best->valuedouble) < 1e-9)
			break;
		o += (size_t)snprintf(buf + o, len - o, " %s %+.2f", best->string, best->valuedouble);
		cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)coef, best->string);
	}
	cJSON_Delete(doc);
}

static void
thresholds_draw(struct app *a)
{
	char buf[512];
	struct tune_bin bins[BINS];
	struct tune_eval cur, best;

	screen_title("");
	if (a->tune == NULL || a->nmetrics == 0) {
		screen_text(0, 0, COLS, " mmda thresholds: no scores yet (run mmda score)",
		    theme_attr(TH_TITLE));
		return;
	}
	const char *name = a->metrics[a->metric];
	const struct metric_def *m = metric_find(name);
	enum tune_side side = m && m->keep == METRIC_KEEP_BELOW ? TUNE_KEEP_BELOW :
	    TUNE_KEEP_ABOVE;
	snprintf(buf, sizeof buf, " mmda thresholds  %s (%zu/%zu)  keep %s   </> cutoff  [/] "
	    "metric  T best F1  s set  t back", name, a->metric + 1, a->nmetrics,
	    side == TUNE_KEEP_ABOVE ? "above" : "below");
	screen_text(0, 0, COLS, buf, theme_attr(TH_TITLE));
	if (m != NULL && (m->needs & METRIC_LEARNED))
		learned_line(a, buf, sizeof buf);
	else if (m != NULL)
		snprintf(buf, sizeof buf, "%s [%s]; suggested by %s%s%s", m->measures, m->scale,
		    m->source, a->metric_model ? "; model " : "",
		    a->metric_model ? a->metric_model : "");
	if (m != NULL)
		screen_text(1, 0, COLS, buf, theme_attr(TH_DIM));
	double auc = tune_auc(a->tune, side);
	char aucs[48];
	if (isnan(auc))
		snprintf(aucs, sizeof aucs, "AUC needs labels (accepts and rejects)");
	else
		snprintf(aucs, sizeof aucs, "AUC %.3f", auc);
	/* Every figure below is over the scope the threshold would be set for. */
	char *scope = metric_scope_describe(name, a->tune_scope);
	snprintf(buf, sizeof buf, "%zu scored for %s%s: %zu accepted, %zu rejected, "
	    "%zu undecided   %s", tune_size(a->tune), scope, *a->tune_scope ? "" : " (default)",
	    tune_count(a->tune, TUNE_ACCEPT), tune_count(a->tune, TUNE_REJECT),
	    tune_count(a->tune, TUNE_UNDECIDED), aucs);
	free(scope);
	screen_text(2, 0, COLS, buf, theme_attr(TH_TEXT));

	/* One row per metric: its distribution at a glance and what its threshold keeps. */
	static const char *const spark[8] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
		"\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };
	/* The overview gets the rows the histogram (BINS under its legend) leaves, at
	 * least a fifth of the screen, and no more than there are metrics. */
	int ov = LINES - 12 - BINS;
	if (ov < LINES / 5)
		ov = LINES / 5;
	if (ov > (int)a->nmetrics)
		ov = (int)a->nmetrics;
	size_t first = a->metric >= (size_t)ov / 2 ? a->metric - (size_t)ov / 2 : 0;
	if (first + (size_t)ov > a->nmetrics)
		first = a->nmetrics - (size_t)ov;
	int oy = 3;
	for (int r = 0; r < ov && a->overview != NULL; r++, oy++) {
		size_t i = first + (size_t)r;
		const struct metric_row *row = &a->overview[i];
		int64_t most = 1;
		for (int b = 0; b < OVERVIEW_BINS; b++)
			if (row->bins[b] > most)
				most = row->bins[b];
		snprintf(buf, sizeof buf, "%c %-22.22s ", i == a->metric ? '>' : ' ', a->metrics[i]);
		int x = screen_text(oy, 0, COLS, buf, theme_attr(i == a->metric ? TH_HEADER :
		    TH_TEXT));
		for (int b = 0; b < OVERVIEW_BINS; b++)
			x += screen_text(oy, x, COLS - x, spark[row->bins[b] * 7 / most],
			    theme_attr(TH_DIM));
		if (row->thresholded)
			snprintf(buf, sizeof buf, "  kept %" PRId64 ", removed %" PRId64, row->kept,
			    row->removed);
		else
			snprintf(buf, sizeof buf, "  no threshold (%" PRId64 " scored)", row->kept);
		screen_text(oy, x, COLS - x, buf, theme_attr(row->thresholded && row->removed ?
		    TH_FAIL : TH_DIM));
	}

	if (tune_size(a->tune) == 0) {
		/* Nothing to tune: say so rather than show a cutoff of NaN. */
		screen_text(oy + 1, 0, COLS, "no candidate of this scope has this score: o sets "
		    "another scope (all, op names or classes)", theme_attr(TH_DIM));
		return;
	}
	/* The histogram of the selected metric, one bin a row, the cutoff's bin marked. */
	double lo = tune_min(a->tune), hi = tune_max(a->tune);
	int rows = LINES - 12 - ov < BINS ? LINES - 12 - ov : BINS;
	if (rows >= 2 && hi > lo && tune_histogram(a->tune, rows, lo, hi, bins) == 0) {
		/* The columns and the bars' legend, as mmda tune prints them. */
		int lx = screen_text(oy, 0, COLS, "  bin                  accept reject undec  ",
		    theme_attr(TH_HEADER));
		lx += screen_text(oy, lx, COLS - lx, "\xe2\x96\x88 accepted ", theme_attr(TH_PASS));
		lx += screen_text(oy, lx, COLS - lx, "\xe2\x96\x92 rejected ", theme_attr(TH_FAIL));
		screen_text(oy, lx, COLS - lx, "\xc2\xb7 undecided", theme_attr(TH_DIM));
		int64_t most = 0;
		for (int i = 0; i < rows; i++) {
			int64_t t = bins[i].accept + bins[i].reject + bins[i].undecided;
			if (t > most)
				most = t;
		}
		for (int i = 0; i < rows; i++) {
			int marked = a->cutoff >= bins[i].lo &&
			    (a->cutoff < bins[i].hi || (i == rows - 1 && a->cutoff <= bins[i].hi));
			snprintf(buf, sizeof buf, "%c %9.4g..%-9.4g %5" PRId64 " %5" PRId64 " %5" PRId64
			    " ", marked ? '>' : ' ', bins[i].lo, bins[i].hi, bins[i].accept,
			    bins[i].reject, bins[i].undecided);
			int x = screen_text(oy + 1 + i, 0, COLS, buf,
			    theme_attr(marked ? TH_HEADER : TH_TEXT));
			bar(oy + 1 + i, x, COLS - x - 1, &bins[i], most, marked);
		}
	}
	int y = oy + 1 + (rows > 0 ? rows : 0) + 1;
	tune_eval_at(a->tune, a->cutoff, side, &cur);
	snprintf(buf, sizeof buf, "cutoff %s %g", side == TUNE_KEEP_ABOVE ? ">=" : "<=", a->cutoff);
	screen_text(y++, 0, COLS, buf, theme_attr(TH_HEADER));
	eval_line(y++, "trying", &cur);
	for (size_t i = 0; i < a->nth; i++)
		if (strcmp(a->th[i].metric, name) == 0 && strcmp(a->th[i].scope, a->tune_scope) == 0) {
			struct tune_eval inforce;
			tune_eval_range(a->tune, a->th[i].has_min ? a->th[i].min : -INFINITY,
			    a->th[i].has_max ? a->th[i].max : INFINITY, &inforce);
			eval_line(y++, a->th[i].enabled ? "in force" : "(off)", &inforce);
		}
	/* The metric's thresholds of other scopes are judged on their own candidates. */
	for (size_t i = 0; i < a->nth; i++)
		if (strcmp(a->th[i].metric, name) == 0 && strcmp(a->th[i].scope, a->tune_scope) != 0) {
			char *d = metric_scope_describe(name, a->th[i].scope);
			char lo_s[32] = "-", hi_s[32] = "-";
			if (a->th[i].has_min)
				snprintf(lo_s, sizeof lo_s, "%g", a->th[i].min);
			if (a->th[i].has_max)
				snprintf(hi_s, sizeof hi_s, "%g", a->th[i].max);
			snprintf(buf, sizeof buf, "%-10s min %s max %s for %s%s%s", "also", lo_s, hi_s, d,
			    *a->th[i].scope ? "" : " (default)", a->th[i].enabled ? "" : " (off)");
			screen_text(y++, 0, COLS, buf, theme_attr(TH_DIM));
			free(d);
		}
	if (!tune_enough_labels(a->tune, TUNE_MIN_PER_CLASS))
		screen_text(y++, 0, COLS, "best F1    too few labels to say (10 of each needed)",
		    theme_attr(TH_DIM));
	else if (tune_suggest_f1(a->tune, side, &best) == 0) {
		snprintf(buf, sizeof buf, "best F1 at %g", best.cutoff);
		eval_line(y++, buf, &best);
	}
	neighbours(a, y, name);
}

const struct view_ops view_thresholds = { "thresholds", thresholds_draw };
