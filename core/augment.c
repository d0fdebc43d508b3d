/* SPDX-License-Identifier: MIT */
/* The augment batch: name, skip what exists, compute (in parallel), store in order. */
#include "core/augment.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/augid.h"
#include "core/objects.h"
#include "core/util.h"
#include "core/wordnet.h"
#include "core/workpool.h"

/* Candidates computed between two commits; bounds memory to CHUNK decoded images. */
#define CHUNK 32

struct task {
	int64_t origin;      /* the original it is made from */
	struct candidate c[2];
	char aug_id[SHA256_HEX_LEN + 1];
	int skip;            /* exists already, or failed while preparing */
	/* Filled by compute(). */
	char hex[SHA256_HEX_LEN + 1];
	int has_image, width, height;
	size_t bytes;        /* of the object file */
	struct op_output out;
	char *why;           /* the item failed */
	char *fatal;         /* the object store failed */
};

struct batch {
	struct store *st;
	const struct augment_opts *opts;
	struct op_args args;
	char *canonical;
	int64_t *originals;
	size_t noriginals;
	int64_t partner; /* a named partner, or 0 */
	struct wordnet *wn;
	int64_t job;     /* the jobs row of this batch */
	int dry;         /* replay: hash the result, write nothing */
	struct augment_result *res;
	/* The chunk being computed by workers. */
	struct task *tasks;
	size_t ntasks;
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

static void
task_free(struct task *t)
{
	candidate_free(&t->c[0]);
	candidate_free(&t->c[1]);
	op_output_free(&t->out);
	free(t->why);
	free(t->fatal);
	memset(t, 0, sizeof *t);
}

/* Main thread: loads the parents' records and names the candidate. -1 on a store failure. */
static int
prepare(struct batch *b, size_t i, struct task *t, char **fatal)
{
	const struct op_def *op = b->opts->op;
	const char *parents[2];
	int64_t ids[2] = { b->originals[i], 0 }, id;

	memset(t, 0, sizeof *t);
	t->origin = ids[0];
	for (int k = 0; k < op->nparents; k++) {
		if (k == 1) {
			ids[1] = pick_partner(b, i, t->c[0].aug_id);
			if (ids[1] == 0 || ids[1] == ids[0]) {
				t->why = xstrdup(ids[1] == 0 ?
				    "no partner: the project has a single original" :
				    "a pair cannot be mixed with itself");
				t->skip = 1;
				return 0;
			}
		}
		if (store_candidate_get(b->st, ids[k], &t->c[k], &t->why) != 0) {
			t->skip = 1;
			return 0;
		}
		parents[k] = t->c[k].aug_id;
	}
	augid_derived(parents, op->nparents, op->name, op->version, b->canonical, 1,
	    b->opts->seed, NULL, t->aug_id);
	switch (store_augid_exists(b->st, t->aug_id, &id, fatal)) {
	case 1:
		b->res->existing++;
		t->skip = 1;
		return 0;
	case 0:
		return 0;
	}
	return -1;
}

/* Any thread: decode, transform, encode and store the image file. Touches no database. */
static void
compute(struct batch *b, struct task *t)
{
	const struct op_def *op = b->opts->op;
	struct image_opts io = { b->opts->max_pixels, 0, 0, 0 };
	struct image img[2];
	struct op_input in;
	struct rng rng;
	uint8_t *png = NULL;
	size_t pnglen;

	memset(img, 0, sizeof img);
	memset(&in, 0, sizeof in);
	for (int k = 0; k < op->nparents; k++) {
		in.text[k] = t->c[k].text;
		if (op->kind == OP_TEXT)
			continue; /* caption-only ops never need the pixels */
		char *path = store_candidate_image(b->st, &t->c[k]);
		int rc = path ? image_load_file(path, &io, &img[k], &t->why) : -1;
		if (path == NULL)
			t->why = xasprintf("candidate %" PRId64 " has no image", t->c[k].id);
		free(path);
		if (rc != 0)
			goto out;
		in.img[k] = &img[k];
	}
	rng_seed(&rng, rng_derive((uint64_t)b->opts->seed, t->aug_id));
	in.rng = &rng;
	in.wn = b->wn;
	if (op->apply(op, &b->args, &in, &t->out, &t->why) != 0 || t->out.unchanged ||
	    t->out.img.px == NULL)
		goto out;
	/* PNG is lossless and its encoder deterministic, so a replay can compare bytes. */
	if (image_encode(&t->out.img, IMAGE_PNG, 0, &png, &pnglen, &t->why) != 0)
		goto out;
	if (b->dry)
		sha256_hex(png, pnglen, t->hex);
	else if (objects_put(store_objects_dir(b->st), png, pnglen, t->hex, &t->fatal) != 0)
		goto out;
	t->has_image = 1;
	t->width = t->out.img.w;
	t->height = t->out.img.h;
	t->bytes = pnglen;
	image_free(&t->out.img); /* the file holds it now; keep memory to one chunk of files */
out:
	free(png);
	image_free(&img[0]);
	image_free(&img[1]);
}

static void
work(void *arg, size_t i)
{
	struct batch *b = arg;

	if (!b->tasks[i].skip)
		compute(b, &b->tasks[i]);
}

/* Main thread: adds the row. -1 on a store failure. */
static int
store(struct batch *b, struct task *t, char **fatal)
{
	const struct op_def *op = b->opts->op;
	struct store_derived d;
	int64_t id;
	char *params;
	int rc;

	if (t->fatal != NULL) {
		*fatal = t->fatal;
		t->fatal = NULL;
		return -1;
	}
	if (t->why != NULL) {
		failed(b->res, t->origin, t->why);
		t->why = NULL;
		return 0;
	}
	if (t->skip)
		return 0;
	if (t->out.unchanged) {
		b->res->unchanged++;
		return 0;
	}
	memset(&d, 0, sizeof d);
	memcpy(d.aug_id, t->aug_id, sizeof d.aug_id);
	if (t->has_image) {
		if (store_add_object(b->st, t->hex, "png", t->width, t->height,
		    (int64_t)t->bytes, fatal) != 0)
			return -1;
		d.object = t->hex;
		d.width = t->width;
		d.height = t->height;
	} else {
		/* The caption changed, the image did not: keep the parent's by reference. */
		d.object = t->c[0].object;
		d.root_id = t->c[0].root_id;
		d.image_path = t->c[0].image_path;
		d.width = t->c[0].width;
		d.height = t->c[0].height;
	}
	d.nparents = op->nparents;
	for (int k = 0; k < op->nparents; k++)
		d.parents[k] = t->c[k].id;
	d.op = op->name;
	d.op_version = op->version;
	d.params = params = json_merge(b->canonical, t->out.extra);
	d.has_seed = 1;
	d.seed = b->opts->seed;
	d.text = t->out.text;
	d.job_id = b->job;
	rc = store_add_derived(b->st, &d, &id, fatal);
	free(params);
	if (rc == 1) {
		b->res->created = xreallocarray(b->res->created, b->res->ncreated + 1,
		    sizeof *b->res->created);
		b->res->created[b->res->ncreated++] = id;
	} else if (rc == 0)
		b->res->existing++;
	return rc < 0 ? -1 : 0;
}

/* Runs the originals at positions pos[0..n) of b->originals. */
static int
run_chunk(struct batch *b, const size_t *pos, size_t n, char **fatal)
{
	int threads = b->opts->jobs > 1 && b->opts->op->kind != OP_TEXT ? b->opts->jobs : 1;
	int rc = 0;

	b->ntasks = n;
	for (size_t i = 0; i < n; i++)
		if (prepare(b, pos[i], &b->tasks[i], fatal) != 0) {
			b->ntasks = i;
			rc = -1;
			break;
		}
	if (rc == 0)
		workpool_run(threads, b->ntasks, work, b);
	for (size_t i = 0; i < b->ntasks; i++) {
		if (rc == 0 && store(b, &b->tasks[i], fatal) != 0)
			rc = -1;
		task_free(&b->tasks[i]);
	}
	return rc;
}

int
augment_run(struct store *st, const struct augment_opts *opts, struct augment_result *res,
    char **cause)
{
	size_t *pos = NULL;
	struct batch b;
	char *fatal = NULL;
	int rc = 0;

	memset(&b, 0, sizeof b);
	memset(res, 0, sizeof *res);
	b.st = st;
	b.opts = opts;
	b.res = res;
	if (opts->op->apply == NULL || opts->op->needs_backend) {
		rc = cause_set(cause, "%s: needs a model backend, which is not configured",
		    opts->op->name);
		goto out;
	}
	if (op_args_parse(opts->op, opts->sets, opts->nsets, &b.args, &b.canonical, cause) != 0) {
		rc = -1;
		goto out;
	}
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
	/* The positions to run: all originals (up to --limit), or the chosen ones. */
	size_t total = 0;
	pos = xcalloc(b.noriginals ? b.noriginals : 1, sizeof *pos);
	for (size_t i = 0; i < b.noriginals; i++) {
		int take = opts->only == NULL;
		for (size_t k = 0; !take && k < opts->nonly; k++)
			take = opts->only[k] == b.originals[i];
		if (take)
			pos[total++] = i;
	}
	if (opts->limit > 0 && (size_t)opts->limit < total)
		total = (size_t)opts->limit;
	/* A run on chosen originals is its own job: its spec names them. */
	char *only = xstrdup("");
	for (size_t k = 0; opts->only != NULL && k < opts->nonly; k++) {
		char *next = xasprintf("%s%s%lld", only, k ? "," : "", (long long)opts->only[k]);
		free(only);
		only = next;
	}
	char *spec = xasprintf("{\"op\":\"%s\",\"version\":%d,\"params\":%s,\"seed\":%lld,"
	    "\"limit\":%lld,\"only\":[%s]}", opts->op->name, opts->op->version, b.canonical,
	    (long long)opts->seed, (long long)opts->limit, only);
	free(only);
	rc = store_job_start(st, "augment", spec, (int64_t)total, &b.job, cause);
	free(spec);
	if (rc != 0)
		goto out;
	b.tasks = xcalloc(CHUNK, sizeof *b.tasks);
	for (size_t i = 0; i < total; i += CHUNK) {
		size_t to = i + CHUNK < total ? i + CHUNK : total;
		if (run_chunk(&b, pos + i, to - i, &fatal) != 0) {
			cause_set(cause, "%s", fatal ? fatal : "the store failed");
			store_job_finish(st, b.job, "failed", NULL);
			rc = -1;
			goto out;
		}
		if (store_job_progress(st, b.job, (int64_t)to, (int64_t)res->nfailed, cause) != 0) {
			rc = -1;
			goto out;
		}
		if (opts->progress != NULL)
			opts->progress(opts->arg, (int64_t)to, (int64_t)total);
	}
	rc = store_job_finish(st, b.job, "done", cause);
out:
	free(pos);
	if (b.wn != NULL)
		wn_close(b.wn);
	free(fatal);
	free(b.tasks);
	free(b.originals);
	free(b.canonical);
	op_args_free(opts->op, &b.args);
	return rc;
}

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
	if (c.nparents != opts.op->nparents || !c.has_seed) {
		cause_set(cause, "candidate %" PRId64 ": lineage is incomplete", id);
		goto out;
	}
	if (settings_of(opts.op, c.params, &sets, &nsets, cause) != 0)
		goto out;
	opts.seed = c.seed;
	b.st = st;
	b.opts = &opts;
	b.res = &res;
	b.dry = 1;
	if (op_args_parse(opts.op, sets, nsets, &b.args, &b.canonical, cause) != 0)
		goto out;
	for (int k = 0; k < c.nparents; k++) {
		if (store_candidate_get(st, c.parents[k], &t.c[k], cause) != 0)
			goto out;
		parents[k] = t.c[k].aug_id;
	}
	augid_derived(parents, c.nparents, c.op, c.op_version, b.canonical, 1, c.seed, NULL,
	    aug_id);
	rep->aug_id_match = strcmp(aug_id, c.aug_id) == 0;
	memcpy(t.aug_id, c.aug_id, sizeof t.aug_id);
	if (opts.op->needs_wordnet && (b.wn = wn_open(NULL, cause)) == NULL)
		goto out;
	compute(&b, &t);
	if (t.why != NULL) {
		cause_set(cause, "candidate %" PRId64 ": %s", id, t.why);
		goto out;
	}
	rep->text_match = t.out.text != NULL && strcmp(t.out.text, c.text) == 0;
	rep->has_image = t.has_image;
	rep->image_match = t.has_image ? c.object != NULL && strcmp(t.hex, c.object) == 0 :
	    c.object == NULL || t.c[0].object == NULL || strcmp(c.object, t.c[0].object) == 0;
	rep->ok = rep->aug_id_match && rep->text_match && rep->image_match;
	rc = 0;
out:
	if (b.wn != NULL)
		wn_close(b.wn);
	task_free(&t);
	free(b.canonical);
	if (opts.op != NULL)
		op_args_free(opts.op, &b.args);
	for (size_t i = 0; i < nsets; i++)
		free(sets[i]);
	free(sets);
	candidate_free(&c);
	return rc;
}
