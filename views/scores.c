/* SPDX-License-Identifier: MIT */
/*
 * The review screen's scores panel and its one-line verdict. Thresholds in
 * force come first, each with its value, its cutoff and PASS or FAIL, so the
 * reason a candidate fails is read where the eye lands; a metric with no
 * score is shown as unscored, never as failing. The other scores follow in
 * columns; what does not fit is paged with `i`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/metrics.h"
#include "tui/screen.h"
#include "views/views.h"

struct cell {
	char text[112];
	int attr;
	int width; /* columns it takes, separator included */
};

/* "ssim 0.31 < 0.5" and the like: the value against the side it breaks or keeps. */
static void
describe(const struct threshold *t, enum metric_verdict v, double val, char *buf, size_t len)
{
	if (v == METRIC_UNSCORED) {
		snprintf(buf, len, "%s unscored", t->metric);
		return;
	}
	if (v == METRIC_FAIL && t->has_min && val < t->min)
		snprintf(buf, len, "%s %.4g < %.4g", t->metric, val, t->min);
	else if (v == METRIC_FAIL)
		snprintf(buf, len, "%s %.4g > %.4g", t->metric, val, t->max);
	else if (t->has_min && t->has_max)
		snprintf(buf, len, "%s %.4g in %.4g..%.4g", t->metric, val, t->min, t->max);
	else if (t->has_min)
		snprintf(buf, len, "%s %.4g >= %.4g", t->metric, val, t->min);
	else
		snprintf(buf, len, "%s %.4g <= %.4g", t->metric, val, t->max);
}

int
review_verdict(const struct app *a, char *buf, size_t len)
{
	size_t o = 0;
	int fails = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->nth; i++) {
		double val = NAN;
		char one[112];
		if (!a->th[i].enabled || metric_check(&a->th[i], a->sc, a->nsc, a->c.op,
		    &val) != METRIC_FAIL)
			continue;
		describe(&a->th[i], METRIC_FAIL, val, one, sizeof one);
		int n = snprintf(buf + o, len - o, "%s%s", fails ? ", " : "FAILS ", one);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
		fails++;
	}
	return fails;
}

/* 1 when an enabled threshold on metric judges this candidate: its score is then
 * shown among the thresholds, else among the other scores. */
static int
thresholded(const struct app *a, const char *metric)
{
	for (size_t i = 0; i < a->nth; i++)
		if (a->th[i].enabled && strcmp(a->th[i].metric, metric) == 0 &&
		    metric_in_scope(&a->th[i], a->c.op))
			return 1;
	return 0;
}

/* The panel's cells: thresholds in force, then every other score. */
static struct cell *
cells(const struct app *a, size_t *n, size_t *nfirst, int *colw)
{
	struct cell *c = calloc(a->nth + a->nsc + 1, sizeof *c);
	size_t k = 0;
	int name_w = 0;

	if (c == NULL)
		return NULL;
	/* Failures first, then passes, then what has no score yet. */
	static const enum metric_verdict order[] = { METRIC_FAIL, METRIC_PASS, METRIC_UNSCORED };
	for (size_t o = 0; o < 3; o++) {
		for (size_t i = 0; i < a->nth; i++) {
			double val = NAN;
			if (!a->th[i].enabled)
				continue;
			enum metric_verdict v = metric_check(&a->th[i], a->sc, a->nsc, a->c.op,
			    &val);
			if (v != order[o])
				continue;
			char d[96];
			describe(&a->th[i], v, val, d, sizeof d);
			snprintf(c[k].text, sizeof c[k].text, "%s %s", d,
			    v == METRIC_PASS ? "PASS" : v == METRIC_FAIL ? "FAIL" : "");
			c[k].attr = theme_attr(v == METRIC_PASS ? TH_PASS : v == METRIC_FAIL ? TH_FAIL :
			    TH_DIM);
			c[k].width = (int)strlen(c[k].text) + 2;
			k++;
		}
	}
	*nfirst = k;
	for (size_t i = 0; i < a->nsc; i++)
		if (!thresholded(a, a->sc[i].metric) && (int)strlen(a->sc[i].metric) > name_w)
			name_w = (int)strlen(a->sc[i].metric);
	*colw = 0;
	for (size_t i = 0; i < a->nsc; i++) {
		if (thresholded(a, a->sc[i].metric))
			continue;
		snprintf(c[k].text, sizeof c[k].text, "%-*s %.4g", name_w, a->sc[i].metric,
		    a->sc[i].value);
		c[k].attr = theme_attr(TH_DIM);
		if ((int)strlen(c[k].text) + 2 > *colw)
			*colw = (int)strlen(c[k].text) + 2;
		k++;
	}
	/* The columns are as wide as the widest "name value". */
	for (size_t i = *nfirst; i < k; i++)
		c[i].width = *colw;
	*n = k;
	return c;
}

int
review_scores_draw(struct app *a, int y, int w, int rows)
{
	size_t n, nfirst;
	int colw, label = 7;
	struct cell *c;

	if (rows <= 0)
		return 0;
	screen_text(y, 0, w, "scores ", theme_attr(TH_HEADER));
	if (a->nsc == 0 && a->nth == 0) {
		screen_text(y, label, w - label, "none yet (mmda score)", theme_attr(TH_DIM));
		return 1;
	}
	if ((c = cells(a, &n, &nfirst, &colw)) == NULL)
		return 0;
	/* Lay every cell out on rows of w - label columns: thresholds flow, the
	 * rest start a row of their own and sit in columns. */
	int *row_of = calloc(n + 1, sizeof *row_of), *col_of = calloc(n + 1, sizeof *col_of);
	int r = 0, x = 0, room = w - label;
	for (size_t i = 0; row_of != NULL && col_of != NULL && i < n; i++) {
		if (i == nfirst && nfirst > 0 && x > 0)
			r++, x = 0;
		if (x > 0 && x + c[i].width > room)
			r++, x = 0;
		row_of[i] = r;
		col_of[i] = x;
		x += c[i].width;
	}
	int total = n > 0 ? r + 1 : 0;
	int pages = total > rows ? (total + rows - 1) / rows : 1;
	if (a->score_page >= pages)
		a->score_page = 0;
	int first = a->score_page * rows;
	for (size_t i = 0; row_of != NULL && col_of != NULL && i < n; i++)
		if (row_of[i] >= first && row_of[i] < first + rows)
			screen_text(y + row_of[i] - first, label + col_of[i], room - col_of[i],
			    c[i].text, c[i].attr);
	if (pages > 1 && rows > 1) {
		/* The label column says which page: "i 1/3" under "scores". */
		char more[32];
		snprintf(more, sizeof more, "i %d/%d", a->score_page + 1, pages);
		screen_text(y + 1, 0, label - 1, more, theme_attr(TH_HINT));
	}
	free(row_of);
	free(col_of);
	free(c);
	return total < rows ? (total > 0 ? total : 1) : rows;
}
