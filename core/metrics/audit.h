/* SPDX-License-Identifier: MIT */
/*
 * The audit of a gold subset's unreviewed part: a uniform random sample of
 * the candidates an export would take without a person (passing every
 * enabled threshold, undecided), kept as a project setting and reviewed
 * through review --queue audit; once reviewed, the share accepted estimates
 * the precision of everything auto-selected, with a Wilson interval.
 */
#ifndef MMDA_AUDIT_H
#define MMDA_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* The setting the sample is kept in ({"seed", "population", "drawn_at", "ids"}). */
#define AUDIT_SETTING "mmda.audit"

/*
 * The Wilson score interval for k successes in n trials at 95% (z = 1.96):
 * *lo and *hi within [0, 1]. Both NaN when n is 0.
 */
void audit_wilson(int64_t k, int64_t n, double *lo, double *hi);

/*
 * Draws a sample of up to want candidates, uniformly without replacement
 * (seeded), from those an export would take without review, and keeps it
 * (replacing an earlier one). *population and *drawn get the sizes. Returns
 * 0, or -1 with *cause.
 */
int audit_draw(struct store *st, const struct metric_scope *defaults, int64_t want, uint64_t seed,
    int64_t *population, int64_t *drawn, char **cause);

/* What the reviewed part of the sample says. */
struct audit_estimate {
	int64_t sample, reviewed, accepted, population;
	double value, lo, hi; /* NaN until something is reviewed */
};
/* Returns 1 with *e when a sample exists, 0 when none was drawn, -1 with *cause. */
int audit_estimate(struct store *st, struct audit_estimate *e, char **cause);
/* {"value", "ci95": [lo, hi], "sample", "reviewed", "population", "method": "wilson"},
 * nulls until something is reviewed; the caller deletes it. */
struct cJSON;
struct cJSON *audit_estimate_json(const struct audit_estimate *e);
/* The same as text, for an export manifest; NULL when no sample was drawn (or on a
 * store error). The caller frees. */
char *audit_estimate_text(struct store *st);

#endif
