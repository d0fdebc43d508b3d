/* SPDX-License-Identifier: MIT */
/* The augment batch: name, skip what exists, compute (in parallel), store in order. */
#include "core/ops/augment.h"
#include "core/ops/augment_priv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/augid.h"
#include "core/models/backend.h"
#include "core/models/mclient.h"
#include "core/base/objects.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"
#include "core/base/workpool.h"

/* Candidates computed between two commits; bounds memory to CHUNK decoded images. */
#define CHUNK 32
/* Workers of a model-backed op: they mostly wait on the HTTP engine. */
#define MODEL_THREADS_MAX 64

void
augment_result_free(struct augment_result *res)
{
	free(res->created);
	for (size_t i = 0; i < res->nfailed; i++)
		free(res->failed[i].reason);
	free(res->failed);
	for (size_t i = 0; i < res->nfiltered; i++)
		free(res->filtered[i].reason);
	free(res->filtered);
	for (size_t i = 0; i < res->npartner_skips; i++)
		free(res->partner_skips[i].reason);
	free(res->partner_skips);
	free(res->note);
	memset(res, 0, sizeof *res);
}

static void
listed(struct augment_failure **list, size_t *n, int64_t id, char *reason)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n].id = id;
	(*list)[(*n)++].reason = reason ? reason : xstrdup("failed");
}

static void
failed(struct augment_result *res, int64_t id, char *reason)
{
	listed(&res->failed, &res->nfailed, id, reason);
}

/*
 * Merges two JSON objects given as text: {a...} + {b...} -> {a..., b...}.
 * A key of b that a has already replaces a's value in place (a variant's
 * {"type":"detail"} over the setting "type":"all"), so no object carries a
 * key twice. Without such a key the texts are joined as they are, keeping
 * a's exact spelling of numbers.
 */
static char *
json_merge(const char *a, const char *b)
{
	size_t la = strlen(a);
	cJSON *ja, *jb, *v;
	char *out, *p;
	int clash = 0;

	if (b == NULL || strcmp(b, "{}") == 0)
		return xstrdup(a);
	if (strcmp(a, "{}") == 0)
		return xstrdup(b);
	ja = cJSON_Parse(a);
	jb = cJSON_Parse(b);
	cJSON_ArrayForEach(v, jb)
		clash |= cJSON_GetObjectItemCaseSensitive(ja, v->string) != NULL;
	if (!clash || !cJSON_IsObject(ja) || !cJSON_IsObject(jb)) {
		cJSON_Delete(ja);
		cJSON_Delete(jb);
		return xasprintf("%.*s,%s", (int)(la - 1), a, b + 1);
	}
	cJSON_ArrayForEach(v, jb) {
		cJSON *copy = cJSON_Duplicate(v, 1);
		if (cJSON_GetObjectItemCaseSensitive(ja, v->string) != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(ja, v->string, copy);
		else
			cJSON_AddItemToObject(ja, v->string, copy);
	}
	p = cJSON_PrintUnformatted(ja);
	out = xstrdup(p);
	cJSON_free(p);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return out;
}

static int
cancelled(const struct batch *b)
{
	return b->opts->cancel != NULL && atomic_load(b->opts->cancel) != 0;
}

void
augment_task_free(struct task *t)
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
prepare(struct batch *b, size_t i, int variant, struct task *t, char **fatal)
{
	const struct op_def *op = b->opts->op;
	const char *parents[2];
	int64_t ids[2] = { b->originals[i], 0 }, id;

	memset(t, 0, sizeof *t);
	t->origin = ids[0];
	t->variant = variant;
	for (int k = 0; k < op->nparents; k++) {
		if (k == 1) {
			ids[1] = augment_pick_partner(b, i, t->c[0].aug_id);
			if (ids[1] == 0 || ids[1] == ids[0]) {
				t->why = xstrdup(ids[1] == ids[0] ? "a pair cannot be mixed with itself" :
				    b->noriginals < 2 ? "no partner: the project has a single original" :
				    "no partner: every other original shows the same image");
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
	/* A partner named by --set partner= may still show the same image. */
	if (op->nparents == 2 && b->partner != 0 && augment_same_image(b, i, &t->c[1])) {
		t->why = xstrdup("the partner shows the same image: mixing changes nothing");
		t->skip = 1;
		return 0;
	}
	/* An op that draws nothing makes one candidate per parent, whatever the seed. */
	augid_derived(parents, op->nparents, op->name, op->version, b->vparams[variant],
	    !(op->flags & OP_UNSEEDED), op->flags & OP_UNSEEDED ? 0 : b->opts->seed, b->model,
	    t->aug_id);
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

void
augment_compute(struct batch *b, struct task *t)
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
	if (cancelled(b)) {
		t->skip = 1;
		t->undone = 1;
		return;
	}
	for (int k = 0; k < op->nparents; k++) {
		in.text[k] = t->c[k].text;
		in.meta[k] = t->c[k].meta;
		in.width[k] = t->c[k].width;
		in.height[k] = t->c[k].height;
		/* Model ops normalise boxes by the size; imports without --verify leave it unset. */
		if (op->needs_backend && in.width[k] <= 0) {
			struct image_info info;
			char *path = store_candidate_image(b->st, &t->c[k]);
			if (path != NULL && image_probe_file(path, &info, NULL) == 0) {
				in.width[k] = info.w;
				in.height[k] = info.h;
			}
			free(path);
		}
		if (op->kind == OP_TEXT && !(op->flags & OP_NEEDS_PIXELS))
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
	/* 31 bits: some servers keep seeds in a signed 32-bit integer. */
	in.seed = (int64_t)(rng_derive((uint64_t)b->opts->seed, t->aug_id) >> 33);
	in.wn = b->wn;
	in.mc = b->opts->mc;
	in.variant = t->variant;
	in.plan = b->plan.state;
	if (op->apply(op, &b->args, &in, &t->out, &t->why) != 0 || t->out.unchanged ||
	    t->out.filtered != NULL || t->out.img.px == NULL)
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
		augment_compute(b, &b->tasks[i]);
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
		/* Requests cut short by a cancel are not failures of the item, nor done. */
		if (cancelled(b) && str_ends(t->why, "cancelled")) {
			free(t->why);
			t->why = NULL;
			t->undone = 1;
			return 0;
		}
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
	if (t->out.filtered != NULL) {
		listed(&b->res->filtered, &b->res->nfiltered, t->origin, t->out.filtered);
		t->out.filtered = NULL;
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
	d.params = params = json_merge(b->vparams[t->variant], t->out.extra);
	d.has_seed = !(b->opts->op->flags & OP_UNSEEDED);
	d.seed = d.has_seed ? b->opts->seed : 0;
	d.text = t->out.text;
	d.job_id = b->job;
	d.backend = t->out.backend;
	d.model = t->out.model;
	d.prompt = t->out.prompt;
	d.response_id = t->out.response_id;
	d.meta = t->out.meta;
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

/* Runs the candidates at task numbers [from, to): original pos[k / nvariants], variant
 * k % nvariants. */
static int
run_chunk(struct batch *b, const size_t *pos, size_t from, size_t to, char **fatal)
{
	size_t nv = (size_t)b->plan.nvariants;
	int rc = 0;

	b->ntasks = to - from;
	for (size_t k = from; k < to; k++)
		if (prepare(b, pos[k / nv], (int)(k % nv), &b->tasks[k - from], fatal) != 0) {
			b->ntasks = k - from;
			rc = -1;
			break;
		}
	if (rc == 0)
		workpool_run(b->threads, b->ntasks, work, b);
	for (size_t i = 0; i < b->ntasks; i++) {
		if (rc == 0 && store(b, &b->tasks[i], fatal) != 0)
			rc = -1;
		else if (rc == 0 && !b->tasks[i].undone)
			b->settled++;
		augment_task_free(&b->tasks[i]);
	}
	return rc;
}

/*
 * The models of the backends a model-backed op cannot run without,
 * "llm=qwen2.5,image=sd15", in parameter order: they name the candidate (a
 * different model makes a different candidate), the server's address does
 * not. NULL for built-in ops. -1 with *cause when a needed backend is missing.
 */
static int
needed_models(struct batch *b, char **model, char **cause)
{
	const struct op_def *op = b->opts->op;
	int sum = 0;

	*model = NULL;
	if (!op->needs_backend)
		return 0;
	if (b->opts->mc == NULL)
		return cause_set(cause, "%s needs a model backend and no config was found"
		    " (--config, $MMDA_CONFIG, ./mmda.json, ~/.config/mmda/config.json)", op->name);
	for (int i = 0; i < op->nparams; i++) {
		const struct op_param *p = &op->params[i];
		const struct backend *be;
		int role;
		if (p->type != PARAM_BACKEND)
			continue;
		for (role = 0; role < ROLE_COUNT; role++)
			if (strcmp(backend_role_name((enum backend_role)role), p->name) == 0)
				break;
		if (role == ROLE_COUNT)
			continue;
		const char *name = b->args.str[i] != NULL && *b->args.str[i] ? b->args.str[i] : NULL;
		char *why = NULL;
		be = mclient_backend(b->opts->mc, (enum backend_role)role, name, &why);
		if (be == NULL) {
			if ((op->needs_backend & (1 << role)) || name != NULL) {
				free(*model);
				*model = NULL;
				cause_set(cause, "%s: %s", op->name, why);
				free(why);
				return -1;
			}
			free(why);
			continue;
		}
		sum += be->max_concurrency;
		if (!(op->needs_backend & (1 << role)))
			continue;
		if (mclient_ready(b->opts->mc, be, cause) != 0) {
			free(*model);
			*model = NULL;
			return -1;
		}
		char *next = xasprintf("%s%s%s=%s", *model ? *model : "", *model ? "," : "",
		    p->name, be->model ? be->model : be->name);
		free(*model);
		*model = next;
	}
	b->threads = sum < 1 ? 1 : sum > MODEL_THREADS_MAX ? MODEL_THREADS_MAX : sum;
	if (b->opts->jobs > b->threads)
		b->threads = b->opts->jobs;
	return 0;
}

/* Plans the batch: the op's own plan, or one variant; then each variant's params. */
static int
plan_batch(struct batch *b, char **cause)
{
	const struct op_def *op = b->opts->op;

	if (op->plan != NULL) {
		struct op_plan_in in = { b->opts->mc, b->st, b->originals, b->noriginals,
			b->opts->seed, b->opts->max_pixels };
		if (op->plan(op, &b->args, &in, &b->plan, cause) != 0)
			return -1;
		if (b->plan.nvariants < 0 || (b->plan.nvariants > 0 && b->plan.variants == NULL))
			return cause_set(cause, "%s: the plan is inconsistent", op->name);
	} else
		b->plan.nvariants = 1;
	b->vparams = xcalloc((size_t)(b->plan.nvariants ? b->plan.nvariants : 1),
	    sizeof *b->vparams);
	for (int v = 0; v < b->plan.nvariants; v++)
		b->vparams[v] = json_merge(b->canonical, b->plan.variants ? b->plan.variants[v] :
		    NULL);
	if (b->plan.note != NULL)
		b->res->note = xstrdup(b->plan.note);
	return 0;
}

/* The job's identity: the same op, parameters, seed, limit and chosen originals make the
 * same job, so a rerun continues it. A run on chosen originals is its own job. Caller frees. */
static char *
job_spec(const struct batch *b)
{
	const struct augment_opts *opts = b->opts;
	char *only = xstrdup(""), *spec;

	for (size_t k = 0; opts->only != NULL && k < opts->nonly; k++) {
		char *next = xasprintf("%s%s%lld", only, k ? "," : "", (long long)opts->only[k]);
		free(only);
		only = next;
	}
	spec = xasprintf("{\"op\":\"%s\",\"version\":%d,\"params\":%s,\"seed\":%lld,"
	    "\"limit\":%lld,\"only\":[%s]}", opts->op->name, opts->op->version, b->canonical,
	    (long long)opts->seed, (long long)opts->limit, only);
	free(only);
	return spec;
}

/* A job cancelled before its tasks were counted. -1 when the store cannot record it. */
static int
record_cancelled(struct batch *b)
{
	char *spec = job_spec(b), *why = NULL;
	int rc = store_job_start(b->st, "augment", spec, 0, &b->job, &why);

	free(spec);
	if (rc == 0)
		rc = store_job_finish(b->st, b->job, "cancelled", &why);
	free(why);
	return rc;
}

int
augment_run(struct store *st, const struct augment_opts *opts, struct augment_result *res,
    char **cause)
{
	size_t *pos = NULL, chunk = CHUNK;
	struct batch b;
	char *fatal = NULL;
	int rc = 0;

	memset(&b, 0, sizeof b);
	memset(res, 0, sizeof *res);
	b.st = st;
	b.opts = opts;
	b.res = res;
	b.threads = opts->jobs > 1 && opts->op->kind != OP_TEXT ? opts->jobs : 1;
	if (opts->op->apply == NULL) {
		rc = cause_set(cause, "%s: this operator cannot run here", opts->op->name);
		goto out;
	}
	if (op_args_parse(opts->op, opts->sets, opts->nsets, &b.args, &b.canonical, cause) != 0) {
		rc = -1;
		goto out;
	}
	if (needed_models(&b, &b.model, cause) != 0) {
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
	/* An op over question-answer candidates takes derived ones too (vqa-gen's pairs). */
	if ((opts->op->flags & OP_ANY_PARENT ? store_candidate_ids(st, &b.originals,
	    &b.noriginals, cause) : store_originals(st, &b.originals, &b.noriginals,
	    cause)) != 0) {
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
	if (plan_batch(&b, cause) != 0) {
		rc = -1;
		goto out;
	}
	size_t ntasks = total * (size_t)b.plan.nvariants;
	char *spec = job_spec(&b);
	rc = store_job_start(st, "augment", spec, (int64_t)ntasks, &b.job, cause);
	free(spec);
	if (rc != 0)
		goto out;
	/* Enough tasks per chunk that every model worker has several to wait on. */
	if (opts->op->needs_backend && chunk < (size_t)b.threads * 4)
		chunk = (size_t)b.threads * 4;
	b.tasks = xcalloc(chunk, sizeof *b.tasks);
	for (size_t i = 0; i < ntasks; i += chunk) {
		size_t to = i + chunk < ntasks ? i + chunk : ntasks;
		if (cancelled(&b)) {
			res->cancelled = 1;
			break;
		}
		if (run_chunk(&b, pos, i, to, &fatal) != 0) {
			cause_set(cause, "%s", fatal ? fatal : "the store failed");
			store_job_finish(st, b.job, "failed", NULL);
			rc = -1;
			goto out;
		}
		/* What came to an end, not the chunk's bound: a cancel leaves tasks undone. */
		if (store_job_progress(st, b.job, b.settled,
		    (int64_t)(res->nfailed + res->nfiltered), cause) != 0) {
			rc = -1;
			goto out;
		}
		if (opts->progress != NULL)
			opts->progress(opts->arg, (int64_t)to, (int64_t)ntasks);
	}
	if (cancelled(&b))
		res->cancelled = 1;
	rc = store_job_finish(st, b.job, res->cancelled ? "cancelled" : "done", cause);
out:
	/* A cancel while the batch was still getting ready (a readiness probe cut short, say)
	 * is a cancel, not a failure: recorded like one, so a rerun resumes the same job. */
	if (rc != 0 && b.job == 0 && b.canonical != NULL && cancelled(&b) &&
	    record_cancelled(&b) == 0) {
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		res->cancelled = 1;
		rc = 0;
	}
	free(pos);
	if (b.wn != NULL)
		wn_close(b.wn);
	free(fatal);
	free(b.tasks);
	for (size_t k = 0; b.imgkey != NULL && k < b.noriginals; k++)
		free(b.imgkey[k]);
	free(b.imgkey);
	for (size_t k = 0; b.unreadable != NULL && k < b.noriginals; k++)
		free(b.unreadable[k]);
	free(b.unreadable);
	free(b.originals);
	for (int v = 0; b.vparams != NULL && v < (b.plan.nvariants ? b.plan.nvariants : 1); v++)
		free(b.vparams[v]);
	free(b.vparams);
	op_plan_free(&b.plan);
	free(b.model);
	free(b.canonical);
	op_args_free(opts->op, &b.args);
	return rc;
}
