/* SPDX-License-Identifier: MIT */
/* Tuning data from the store: a metric's scores joined with the decisions' labels. */
#include "core/metrics/tunestore.h"

#include <stdlib.h>

#include "core/base/util.h"

/* Scores joined with labels: candidates without a decision are undecided. */
struct tune_index *
tune_build_metric(struct store *st, const char *metric, char **cause)
{
	int64_t *sid = NULL, *lid = NULL;
	double *val = NULL;
	signed char *lab = NULL, *joined;
	size_t ns = 0, nl = 0, j = 0;
	struct tune_index *idx;

	if (store_metric_values(st, metric, &sid, &val, &ns, cause) != 0)
		return NULL;
	if (store_labels(st, &lid, &lab, &nl, cause) != 0) {
		free(sid);
		free(val);
		return NULL;
	}
	joined = xmalloc(ns ? ns : 1);
	/* Both lists are in candidate order: one merge pass. */
	for (size_t i = 0; i < ns; i++) {
		while (j < nl && lid[j] < sid[i])
			j++;
		joined[i] = j < nl && lid[j] == sid[i] ? lab[j] : TUNE_UNDECIDED;
	}
	idx = tune_build(val, joined, ns, cause);
	free(sid);
	free(val);
	free(lid);
	free(lab);
	free(joined);
	return idx;
}

