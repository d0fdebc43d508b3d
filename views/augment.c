/* SPDX-License-Identifier: MIT */
/*
 * The augment screen: the operator table on the left, the chosen operator's
 * parameters (type, range, default, the value to use) on the right. r runs it
 * on this pair's original, R on every original, in the background; new
 * candidates join the queue when the batch ends. Generated from the operator
 * table, like `mmda ops`.
 */
#include <stdio.h>
#include <string.h>

#include "core/models/backend.h"
#include "core/ops/ops.h"
#include "tui/screen.h"
#include "views/views.h"

static const char *const kinds[] = { "image", "text", "pair" };

static void
augment_draw(struct app *a)
{
	const struct op_def *op;
	char buf[256];
	int y = 2, half = COLS / 3;

	snprintf(buf, sizeof buf, " mmda augment   j/k operator  Tab parameter  e set  r this pair"
	    "  R every original  X stop  g back");
	screen_title(buf);
	/* The table is longer than a short terminal: keep the chosen operator in view. */
	size_t rows = LINES - 3 > y ? (size_t)(LINES - 3 - y) : 1;
	size_t first = a->aug_op >= rows ? a->aug_op - rows + 1 : 0;
	for (size_t i = first; op_table[i].name != NULL && y < LINES - 3; i++, y++) {
		int sel = i == a->aug_op;
		snprintf(buf, sizeof buf, "%c %-14s %-5s", sel ? '>' : ' ', op_table[i].name,
		    kinds[op_table[i].kind]);
		screen_text(y, 0, half, buf, theme_attr(sel ? TH_HEADER : TH_TEXT) |
		    (sel ? A_REVERSE : 0));
	}
	op = &op_table[a->aug_op];
	y = 2;
	screen_text(y++, half + 1, COLS - half - 1, op->summary, theme_attr(TH_TEXT));
	snprintf(buf, sizeof buf, "version %d, %s, %d parent%s", op->version, kinds[op->kind],
	    op->nparents, op->nparents > 1 ? "s" : "");
	for (int r = 0, n = 0; r < ROLE_COUNT; r++)
		if (op->needs_backend & (1 << r)) {
			size_t len = strlen(buf);
			snprintf(buf + len, sizeof buf - len, "%s%s", n++ ? ", " : "; needs ",
			    backend_role_name((enum backend_role)r));
		}
	screen_text(y++, half + 1, COLS - half - 1, buf, theme_attr(TH_DIM));
	y++;
	if (op->nparams == 0)
		screen_text(y++, half + 1, COLS - half - 1, "no parameters", theme_attr(TH_DIM));
	for (int i = 0; i < op->nparams && y < LINES - 4; i++) {
		const struct op_param *p = &op->params[i];
		const char *v = a->aug_vals[a->aug_op][i];
		int sel = (size_t)i == a->aug_param;
		char range[64] = "";
		if (p->type == PARAM_INT || p->type == PARAM_FLOAT)
			snprintf(range, sizeof range, "%g..%g", p->min, p->max);
		else if (p->choices != NULL)
			snprintf(range, sizeof range, "%s", p->choices);
		snprintf(buf, sizeof buf, "%c %-14s = %-10s %-16s default %s", sel ? '>' : ' ',
		    p->name, v ? v : (*p->def ? p->def : "none"), range, *p->def ? p->def : "none");
		screen_text(y++, half + 1, COLS - half - 1, buf,
		    theme_attr(v ? TH_ADDED : TH_TEXT) | (sel ? A_REVERSE : 0));
		screen_text(y++, half + 3, COLS - half - 3, p->help, theme_attr(TH_DIM));
	}
	y++;
	if (a->n > 0) {
		snprintf(buf, sizeof buf, "this pair: original #%lld", (long long)(a->has_parent ?
		    a->p.id : a->c.id));
		screen_text(y, half + 1, COLS - half - 1, buf, theme_attr(TH_DIM));
	}
}

const struct view_ops view_augment = { "augment", augment_draw };
