/* SPDX-License-Identifier: MIT */
/* The augment batch: name, skip what exists, compute, store. */
#include "core/augment.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/augid.h"
#include "core/objects.h"
#include "core/util.h"
#include "core/wordnet.h"

struct batch {
	struct store *st;
	const struct augment_opts *opts;
	struct op_args args;
	char *canonical;
	int64_t *originals;
	size_t noriginals;
	int64_t partner; /* a named partner, or 0 */
	struct wordnet *wn;
	struct augment_result *res;
};

void
augment_result_free(struct augment_result *res)
{
	free(res->created);
	for (size_t i = 0; i < res->nfailed; i++)
		free(res->failed[i].reason);
	free(res->failed);
	memset(res, 0, sizeof *res);
}

static void
failed(struct augment_result *res, int64_t id, char *reason)
{
	res->failed = xreallocarray(res->failed, res->nfailed + 1, sizeof *res->failed);
	res->failed[res->nfailed].id = id;
	res->failed[res->nfailed++].reason = reason ? reason : xstrdup("failed");
}

/* The seeded partner of original i: any other original, never itself. */
static int64_t
pick_partner(struct batch *b, size_t i, const char *aug_id)
{
	struct rng r;
	uint64_t k;

	if (b->partner != 0)
		return b->partner;
	if (b->noriginals < 2)
		return 0;
	rng_seed(&r, rng_derive((uint64_t)b->opts->seed, aug_id));
	k = rng_below(&r, b->noriginals - 1);
	return b->originals[k >= i ? k + 1 : k];
}

/* Merges two JSON objects given as text: {a...} + {b...} -> {a..., b...}. */
static char *
json_merge(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (b == NULL || strcmp(b, "{}") == 0)
		return xstrdup(a);
	if (strcmp(a, "{}") == 0)
		return xstrdup(b);
	return xasprintf("%.*s,%s", (int)(la - 1), a, b + 1);
}

static int
load(struct store *st, int64_t id, struct candidate *c, struct image *img, uint64_t max_pixels,
    char **cause)
{
	struct image_opts io = { max_pixels, 0, 0, 0 };
	char *path;
	int rc;

	if (store_candidate_get(st, id, c, cause) != 0)
		return -1;
	if ((path = store_candidate_image(st, c)) == NULL) {
		candidate_free(c);
		return cause_set(cause, "candidate %" PRId64 " has no image", id);
	}
	rc = image_load_file(path, &io, img, cause);
	free(path);
	if (rc != 0)
		candidate_free(c);
	return rc;
}

/* One original: 1 created, 0 existed or unchanged, -1 failed (listed), -2 store failure. */
static int
one(struct batch *b, size_t i, char **fatal)
{
	const struct op_def *op = b->opts->op;
	int64_t self = b->originals[i], ids[2] = { self, 0 }, id;
	struct candidate c[2];
	struct image img[2];
	struct op_input in;
	struct op_output out;
	struct store_derived d;
	struct rng rng;
	char *why = NULL, *params = NULL, hex[SHA256_HEX_LEN + 1];
	const char *parents[2];
	uint8_t *png = NULL;
	size_t pnglen;
	int n = op->nparents, rc = -1, got = 0;

	memset(c, 0, sizeof c);
	memset(img, 0, sizeof img);
	memset(&out, 0, sizeof out);
	for (; got < n; got++) {
		if (got == 1 && (ids[1] = pick_partner(b, i, c[0].aug_id)) == 0) {
			why = xstrdup("no partner: the project has a single original");
			goto done;
		}
		if (got == 1 && ids[1] == self) {
			why = xstrdup("a pair cannot be mixed with itself");
			goto done;
		}
		if (store_candidate_get(b->st, ids[got], &c[got], &why) != 0)
			goto done;
		parents[got] = c[got].aug_id;
	}
	augid_derived(parents, n, op->name, op->version, b->canonical, 1, b->opts->seed, NULL,
	    d.aug_id);
	switch (store_augid_exists(b->st, d.aug_id, &id, fatal)) {
	case 1:
		b->res->existing++;
		rc = 0;
		goto done;
	case -1:
		rc = -2;
		goto done;
	}
	memset(&in, 0, sizeof in);
	for (int k = 0; k < n; k++) {
		/* Caption-only ops never need the pixels. */
		if (op->kind != OP_TEXT) {
			candidate_free(&c[k]);
			if (load(b->st, ids[k], &c[k], &img[k], b->opts->max_pixels, &why) != 0)
				goto done;
			in.img[k] = &img[k];
		}
		in.text[k] = c[k].text;
	}
	rng_seed(&rng, rng_derive((uint64_t)b->opts->seed, d.aug_id));
	in.rng = &rng;
	in.wn = b->wn;
	if (op->apply(op, &b->args, &in, &out, &why) != 0)
		goto done;
	if (out.unchanged) {
		b->res->unchanged++;
		rc = 0;
		goto done;
	}
	memset(&d.parents, 0, sizeof d.parents);
	d.object = NULL;
	d.root_id = 0;
	d.image_path = NULL;
	if (out.img.px == NULL) {
		/* The caption changed, the image did not: keep the parent's by reference. */
		d.object = c[0].object;
		d.image_path = c[0].image_path;
		d.root_id = c[0].root_id;
		d.width = c[0].width;
		d.height = c[0].height;
	} else {
		/* PNG is lossless and its encoder deterministic, so replay can compare bytes. */
		if (image_encode(&out.img, IMAGE_PNG, 0, &png, &pnglen, &why) != 0)
			goto done;
		if (objects_put(store_objects_dir(b->st), png, pnglen, hex, fatal) != 0 ||
		    store_add_object(b->st, hex, "png", out.img.w, out.img.h, (int64_t)pnglen,
		    fatal) != 0) {
			rc = -2;
			goto done;
		}
		d.object = hex;
		d.width = out.img.w;
		d.height = out.img.h;
	}
	params = json_merge(b->canonical, out.extra);
	d.parents[0] = ids[0];
	d.parents[1] = ids[1];
	d.nparents = n;
	d.op = op->name;
	d.op_version = op->version;
	d.params = params;
	d.has_seed = 1;
	d.seed = b->opts->seed;
	d.backend = d.model = d.prompt = d.response_id = NULL;
	d.text = out.text;
	d.meta = NULL;
	d.job_id = 0;
	switch (store_add_derived(b->st, &d, &id, fatal)) {
	case 1:
		b->res->created = xreallocarray(b->res->created, b->res->ncreated + 1,
		    sizeof *b->res->created);
		b->res->created[b->res->ncreated++] = id;
		rc = 1;
		break;
	case 0:
		b->res->existing++;
		rc = 0;
		break;
	default:
		rc = -2;
	}
done:
	if (rc == -1)
		failed(b->res, self, why);
	else
		free(why);
	free(params);
	free(png);
	op_output_free(&out);
	for (int k = 0; k < 2; k++) {
		candidate_free(&c[k]);
		image_free(&img[k]);
	}
	return rc;
}

int
augment_run(struct store *st, const struct augment_opts *opts, struct augment_result *res,
    char **cause)
{
	struct batch b;
	char *fatal = NULL;
	int rc = 0;

	memset(&b, 0, sizeof b);
	memset(res, 0, sizeof *res);
	b.st = st;
	b.opts = opts;
	b.res = res;
	if (opts->op->apply == NULL || opts->op->needs_backend)
		return cause_set(cause, "%s: needs a model backend, which is not configured",
		    opts->op->name);
	if (op_args_parse(opts->op, opts->sets, opts->nsets, &b.args, &b.canonical, cause) != 0)
		return -1;
	int pi = op_param_index(opts->op, "partner");
	if (pi >= 0 && b.args.str[pi] != NULL && *b.args.str[pi] != '\0' &&
	    store_candidate_find(st, b.args.str[pi], &b.partner, cause) != 0) {
		rc = -1;
		goto out;
	}
	if (opts->op->needs_wordnet && (b.wn = wn_open(NULL, cause)) == NULL) {
		rc = -1;
		goto out;
	}
	if (store_originals(st, &b.originals, &b.noriginals, cause) != 0) {
		rc = -1;
		goto out;
	}
	size_t total = b.noriginals;
	if (opts->limit > 0 && (size_t)opts->limit < total)
		total = (size_t)opts->limit;
	for (size_t i = 0; i < total; i++) {
		if (one(&b, i, &fatal) == -2) {
			cause_set(cause, "%s", fatal ? fatal : "the store failed");
			rc = -1;
			break;
		}
		if (opts->progress != NULL)
			opts->progress(opts->arg, (int64_t)i + 1, (int64_t)total);
	}
out:
	if (b.wn != NULL)
		wn_close(b.wn);
	free(fatal);
	free(b.originals);
	free(b.canonical);
	op_args_free(opts->op, &b.args);
	return rc;
}
