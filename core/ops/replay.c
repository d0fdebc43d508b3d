/* SPDX-License-Identifier: MIT */
/* Replay: regenerate a derived candidate from its record, write nothing, compare. */
#include "core/ops/augment.h"
#include "core/ops/augment_priv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/augid.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"

/* Rebuilds KEY=VALUE settings from stored params, keeping only the op's own keys
 * (the values an op drew, such as a box, are results, not settings). */
static int
settings_of(const struct op_def *op, const char *params, char ***sets, size_t *n, char **cause)
{
	cJSON *doc = cJSON_Parse(params), *v;

	*sets = NULL;
	*n = 0;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return cause_set(cause, "stored parameters are not a JSON object");
	}
	cJSON_ArrayForEach(v, doc) {
		char *val;
		int seen = 0;
		for (size_t k = 0; k < *n; k++)
			seen |= strncmp((*sets)[k], v->string, strlen(v->string)) == 0 &&
			    (*sets)[k][strlen(v->string)] == '=';
		/* The first occurrence is the setting; anything else is a drawn value. */
		if (op_param_index(op, v->string) < 0 || seen)
			continue;
		if (cJSON_IsString(v))
			val = xstrdup(v->valuestring);
		else if (cJSON_IsBool(v))
			val = xstrdup(cJSON_IsTrue(v) ? "true" : "false");
		else if (cJSON_IsNumber(v))
			val = xasprintf("%.17g", v->valuedouble);
		else
			continue;
		*sets = xreallocarray(*sets, *n + 1, sizeof **sets);
		(*sets)[(*n)++] = xasprintf("%s=%s", v->string, val);
		free(val);
	}
	cJSON_Delete(doc);
	return 0;
}

int
augment_replay(struct store *st, int64_t id, struct augment_replay *rep, char **cause)
{
	struct augment_opts opts;
	struct augment_result res;
	struct candidate c;
	struct batch b;
	struct task t;
	const char *parents[2];
	char **sets = NULL, aug_id[SHA256_HEX_LEN + 1];
	size_t nsets = 0;
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	memset(&b, 0, sizeof b);
	memset(&t, 0, sizeof t);
	memset(&res, 0, sizeof res);
	memset(&opts, 0, sizeof opts);
	if (store_candidate_get(st, id, &c, cause) != 0)
		return -1;
	if (strcmp(c.op, "original") == 0) {
		cause_set(cause, "candidate %" PRId64 " is an original: nothing to replay", id);
		goto out;
	}
	if ((opts.op = op_find(c.op)) == NULL) {
		cause_set(cause, "candidate %" PRId64 ": operator %s is not in this mmda", id, c.op);
		goto out;
	}
	if (c.op_version != opts.op->version) {
		cause_set(cause, "candidate %" PRId64 ": made by %s v%d, this mmda has v%d", id,
		    c.op, c.op_version, opts.op->version);
		goto out;
	}
	if (opts.op->needs_backend) {
		cause_set(cause, "candidate %" PRId64 ": %s is model-backed: a replay would ask the"
		    " model again, and models do not promise the same reply", id, c.op);
		goto out;
	}
	/* A plan reads files (a concept map, a folder of pictures) that may have changed. */
	if (opts.op->plan != NULL) {
		cause_set(cause, "candidate %" PRId64 ": %s plans its batch from files a replay "
		    "cannot vouch for", id, c.op);
		goto out;
	}
	if (c.nparents != opts.op->nparents || (!c.has_seed && !(opts.op->flags & OP_UNSEEDED))) {
		cause_set(cause, "candidate %" PRId64 ": lineage is incomplete", id);
		goto out;
	}
	if (settings_of(opts.op, c.params, &sets, &nsets, cause) != 0)
		goto out;
	opts.seed = c.has_seed ? c.seed : 0;
	b.st = st;
	b.opts = &opts;
	b.res = &res;
	b.dry = 1;
	if (op_args_parse(opts.op, sets, nsets, &b.args, &b.canonical, cause) != 0)
		goto out;
	b.plan.nvariants = 1;
	b.vparams = &b.canonical;
	for (int k = 0; k < c.nparents; k++) {
		if (store_candidate_get(st, c.parents[k], &t.c[k], cause) != 0)
			goto out;
		parents[k] = t.c[k].aug_id;
	}
	augid_derived(parents, c.nparents, c.op, c.op_version, b.canonical, c.has_seed, opts.seed,
	    NULL, aug_id);
	rep->aug_id_match = strcmp(aug_id, c.aug_id) == 0;
	memcpy(t.aug_id, c.aug_id, sizeof t.aug_id);
	if (opts.op->needs_wordnet && (b.wn = wn_open(NULL, cause)) == NULL)
		goto out;
	augment_compute(&b, &t);
	if (t.why != NULL) {
		cause_set(cause, "candidate %" PRId64 ": %s", id, t.why);
		goto out;
	}
	rep->text_match = t.out.text != NULL && strcmp(t.out.text, c.text) == 0;
	rep->has_image = t.has_image;
	rep->image_match = t.has_image ? c.object != NULL && strcmp(t.hex, c.object) == 0 :
	    c.object == NULL || t.c[0].object == NULL || strcmp(c.object, t.c[0].object) == 0;
	/*
	 * The object's name says what was stored, not what the file holds now:
	 * a file changed on disk under its name must not pass.
	 */
	if (rep->image_match && t.has_image) {
		char *path = store_candidate_image(st, &c), hex[SHA256_HEX_LEN + 1];
		rep->image_match = path != NULL && sha256_file(path, hex) == 0 &&
		    strcmp(hex, t.hex) == 0;
		free(path);
	}
	rep->ok = rep->aug_id_match && rep->text_match && rep->image_match;
	rc = 0;
out:
	if (b.wn != NULL)
		wn_close(b.wn);
	augment_task_free(&t);
	free(b.canonical);
	if (opts.op != NULL)
		op_args_free(opts.op, &b.args);
	for (size_t i = 0; i < nsets; i++)
		free(sets[i]);
	free(sets);
	candidate_free(&c);
	return rc;
}
