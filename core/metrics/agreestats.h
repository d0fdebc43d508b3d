/* SPDX-License-Identifier: MIT */
/*
 * Agreement between annotators over the decisions in force: Cohen's kappa
 * when the project has exactly two annotators, Fleiss' kappa when it has
 * more; overall and per operator. Categories are accept, reject and skip.
 */
#ifndef MMDA_AGREESTATS_H
#define MMDA_AGREESTATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

struct agree_row {
	char *op;          /* NULL for the overall row */
	int64_t items;     /* candidates rated by at least two annotators */
	double kappa;      /* NaN when undefined */
	double observed;   /* observed agreement, 0..1 (NaN when undefined) */
	/* Every rating fell in one category: kappa's 0/0 is defined as 1 (see
	 * agreement.h), which says nothing about how well raters agree. The
	 * category is in `only` (an enum answer). */
	int degenerate, only;
};

struct agree_report {
	int annotators;
	const char *method; /* "cohen", "fleiss" or "none" (fewer than two annotators) */
	struct agree_row overall;
	struct agree_row *by_op;
	size_t nops;
};

/* Computes the report. Returns 0, or -1 with *cause; free with agree_report_free. */
int agree_report(struct store *st, struct agree_report *r, char **cause);
void agree_report_free(struct agree_report *r);

#endif
