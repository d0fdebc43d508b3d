/* SPDX-License-Identifier: MIT */
/*
 * The list screen: the queue as a table around the current candidate (id,
 * op, your decision, pass/fail, caption). j/k move, Enter opens the
 * candidate in review, / searches captions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/metrics.h"
#include "core/store.h"
#include "tui/screen.h"
#include "views/views.h"

static const char *
my_answer(struct store *st, int64_t id, const char *me, enum theme_el *el)
{
	struct decision *d;
	size_t n;
	const char *ans = "-";

	*el = TH_DIM;
	if (store_decisions_current(st, id, &d, &n, NULL) != 0)
		return ans;
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].annotator, me) == 0) {
			ans = answer_name(d[i].answer);
			*el = d[i].answer == ANSWER_ACCEPT ? TH_ACCEPT :
			    d[i].answer == ANSWER_REJECT ? TH_REJECT : TH_SKIP;
		}
	decisions_free(d, n);
	return ans;
}

static void
list_draw(struct app *a)
{
	int rows = LINES - 4, top;
	char buf[512];

	snprintf(buf, sizeof buf, " mmda list  %zu/%zu%s%s%s%s   Enter open  / search  f filter  o sort"
	    "  m mark  l back", a->n ? a->cur + 1 : 0, a->n, *a->filter ? "  filter " : "",
	    a->filter, *a->sort ? "  sort " : "", a->sort);
	screen_title(buf);
	snprintf(buf, sizeof buf, "%8s  %-10s %-7s %-8s %s", "id", "op", "yours", "filters",
	    "caption");
	screen_text(1, 0, COLS, buf, theme_attr(TH_HEADER));
	if (rows < 1 || a->n == 0)
		return;
	/* Keep the current row in the middle third of the table. */
	top = (int)a->cur - rows / 3;
	if (top > (int)a->n - rows)
		top = (int)a->n - rows;
	if (top < 0)
		top = 0;
	for (int r = 0; r < rows && (size_t)(top + r) < a->n; r++) {
		size_t i = (size_t)(top + r);
		struct candidate c;
		struct score *sc = NULL;
		size_t nsc = 0;
		enum theme_el el;
		int y = 2 + r, x, sel = i == a->cur;
		if (store_candidate_get(a->st, a->ids[i], &c, NULL) != 0)
			continue;
		store_scores_of(a->st, c.id, &sc, &nsc, NULL);
		/* A missing score is not a failure on screen: say it is missing. */
		enum metric_verdict v = metric_overall(a->th, a->nth, sc, nsc, c.op);
		scores_free(sc, nsc);
		int base = sel ? A_REVERSE : 0;
		snprintf(buf, sizeof buf, "%c%7" PRId64 "  %-10.10s ",
		    app_is_marked(a, c.id) ? '*' : ' ', c.id, c.op);
		x = screen_text(y, 0, COLS, buf, theme_attr(TH_TEXT) | base);
		const char *ans = my_answer(a->st, c.id, a->annotator, &el);
		snprintf(buf, sizeof buf, "%-7s", ans);
		x += screen_text(y, x, COLS - x, buf, theme_attr(el) | base);
		snprintf(buf, sizeof buf, " %-8s ", v == METRIC_PASS ? "pass" : v == METRIC_FAIL ?
		    "FAIL" : "unscored");
		x += screen_text(y, x, COLS - x, buf, theme_attr(v == METRIC_PASS ? TH_PASS :
		    v == METRIC_FAIL ? TH_FAIL : TH_DIM) | base);
		screen_text(y, x, COLS - x, c.text, theme_attr(TH_TEXT) | base);
		candidate_free(&c);
	}
}

const struct view_ops view_list = { "list", list_draw };
