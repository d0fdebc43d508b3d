/* SPDX-License-Identifier: MIT */
/*
 * The CLIP metrics: image_text_similarity (the cosine of a candidate's image
 * and caption embeddings), clip_score (2.5 * max(cos, 0), Hessel et al.
 * 2021) and image_pair_similarity (the cosine of its image and its first
 * parent's image: near 1 a minimal edit, low an unrelated generation), from
 * an embeddings backend. They are stored with the backend's model beside the
 * value and recomputed only when their inputs or the model changed. A
 * candidate that kept its parent's image (a caption op) has a pair
 * similarity of 1 without asking the server.
 *
 * Work is cut into groups of the backend's batch size; groups run on as
 * many workers as the backend takes requests at once (decoding on the same
 * workers), and the calling thread stores the results in candidate order.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/mclient.h"
#include "core/metrics/metrics.h"
#include "core/metrics/score.h"
#include "core/metrics/score_priv.h"
#include "core/base/sha256.h"
#include "core/store.h"
#include "core/base/util.h"
#include "core/base/workpool.h"

#define CLIPSCORE_W 2.5

struct citem {
	struct candidate c, p;      /* the candidate, and its first parent when pair is wanted */
	char hash[SHA256_HEX_LEN + 1], phash[SHA256_HEX_LEN + 1];
	int text, pair;             /* which scores this item still needs */
	int same;                   /* it shows its parent's very image */
	double cos, pcos;
	char *why;
};

struct cgroup {
	struct citem *items;
	size_t n;
};

struct crun {
	struct store *st;
	struct mclient *mc;
	const struct backend *be;
	uint64_t max_pixels;
	struct cgroup *groups;
};

static void
hash_fields(struct sha256 *s, const char *const *parts, int n)
{
	for (int i = 0; i < n; i++) {
		sha256_update(s, parts[i] ? parts[i] : "-", parts[i] ? strlen(parts[i]) : 1);
		sha256_update(s, "\n", 1);
	}
}

/* What a text score depends on: the model, the caption and which image. */
static void
clip_input(const struct backend *be, const struct candidate *c, char hex[SHA256_HEX_LEN + 1])
{
	const char *parts[6] = { "clip v1", be->model ? be->model : be->name, c->text, c->object,
		c->image_path, c->root };
	struct sha256 s;

	sha256_init(&s);
	hash_fields(&s, parts, 6);
	sha256_final_hex(&s, hex);
}

/* What a pair score depends on: the model and both images. */
static void
pair_input(const struct backend *be, const struct candidate *c, const struct candidate *p,
    char hex[SHA256_HEX_LEN + 1])
{
	const char *parts[8] = { "clip pair v1", be->model ? be->model : be->name, c->object,
		c->image_path, c->root, p->object, p->image_path, p->root };
	struct sha256 s;

	sha256_init(&s);
	hash_fields(&s, parts, 8);
	sha256_final_hex(&s, hex);
}

static int
same_image(const struct candidate *a, const struct candidate *b)
{
	if (a->object != NULL || b->object != NULL)
		return a->object != NULL && b->object != NULL && strcmp(a->object, b->object) == 0;
	return a->image_path != NULL && b->image_path != NULL && a->root_id == b->root_id &&
	    strcmp(a->image_path, b->image_path) == 0;
}

/* Decodes the image of c into *img; 0, or -1 with *why. */
static int
load(const struct crun *r, const struct candidate *c, struct image *img, char **why)
{
	/* CLIP sees 224-336 pixels: a decoder that can shrink while decoding may. */
	struct image_opts io = { r->max_pixels, 336, 336, 0 };
	char *path = store_candidate_image(r->st, c);
	int rc;

	if (path == NULL) {
		*why = xstrdup("the candidate has no image");
		return -1;
	}
	rc = image_load_file(path, &io, img, why);
	free(path);
	return rc;
}

/* A worker: decode the group's images, embed images and captions, take cosines. */
static void
group_work(void *arg, size_t gi)
{
	struct crun *r = arg;
	struct cgroup *g = &r->groups[gi];
	/* Up to two images per item: its own, and its parent's for the pair score. */
	struct image *img = xcalloc(2 * g->n, sizeof *img);
	const struct image **iv = xcalloc(2 * g->n, sizeof *iv);
	const char **tv = xcalloc(g->n, sizeof *tv);
	size_t *own = xcalloc(g->n, sizeof *own), *par = xcalloc(g->n, sizeof *par);
	size_t ni = 0, nt = 0, dim = 0, dim2 = 0;
	size_t *tat = xcalloc(g->n, sizeof *tat);
	float *ve = NULL, *te = NULL;
	char *cause = NULL;

	for (size_t i = 0; i < g->n; i++) {
		struct citem *it = &g->items[i];
		own[i] = par[i] = SIZE_MAX;
		if (!it->text && (!it->pair || it->same))
			continue;
		if (load(r, &it->c, &img[ni], &it->why) != 0)
			continue;
		iv[ni] = &img[ni];
		own[i] = ni++;
		if (it->pair && !it->same) {
			if (load(r, &it->p, &img[ni], &it->why) != 0)
				continue;
			iv[ni] = &img[ni];
			par[i] = ni++;
		}
		if (it->text) {
			tv[nt] = it->c.text;
			tat[nt++] = i;
		}
	}
	if ((ni > 0 && mclient_embed(r->mc, r->be, NULL, iv, ni, &ve, &dim, &cause) != 0) ||
	    (nt > 0 && mclient_embed(r->mc, r->be, tv, NULL, nt, &te, &dim2, &cause) != 0) ||
	    (ni > 0 && nt > 0 && dim != dim2)) {
		if (cause == NULL)
			cause = xasprintf("image and text vectors differ in size (%zu, %zu)", dim,
			    dim2);
		for (size_t i = 0; i < g->n; i++)
			if (g->items[i].why == NULL && own[i] != SIZE_MAX)
				g->items[i].why = xstrdup(cause);
	} else {
		for (size_t k = 0; k < nt; k++) {
			size_t i = tat[k];
			g->items[i].cos = mclient_cosine(ve + own[i] * dim, te + k * dim, dim);
		}
		for (size_t i = 0; i < g->n; i++)
			if (par[i] != SIZE_MAX && g->items[i].why == NULL)
				g->items[i].pcos = mclient_cosine(ve + own[i] * dim, ve + par[i] * dim,
				    dim);
	}
	for (size_t k = 0; k < ni; k++)
		image_free(&img[k]);
	free(cause);
	free(ve);
	free(te);
	free(img);
	free(iv);
	free(tv);
	free(tat);
	free(own);
	free(par);
}

static void
citems_free(struct citem *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		candidate_free(&v[i].c);
		candidate_free(&v[i].p);
		free(v[i].why);
	}
	free(v);
}

/* Stores the scores of a chunk in one transaction, and lists its failures. */
static int
chunk_store(struct crun *r, const struct metric_def *const *m, size_t nm, struct citem *v,
    size_t n, struct score_result *res, char **cause)
{
	const char *model = r->be->model ? r->be->model : r->be->name;

	if (store_begin(r->st, cause) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].why != NULL) {
			score_failed(res, v[i].c.id, v[i].why);
			v[i].why = NULL;
			continue;
		}
		for (size_t k = 0; k < nm; k++) {
			int pair = (m[k]->needs & METRIC_PARENT) != 0;
			double val = pair ? (v[i].same ? 1.0 : v[i].pcos) :
			    strcmp(m[k]->name, "clip_score") == 0 ? CLIPSCORE_W * fmax(v[i].cos, 0) :
			    v[i].cos;
			if (pair ? !v[i].pair : !v[i].text)
				continue;
			if (store_score_put_model(r->st, v[i].c.id, m[k]->name, model, val,
			    pair ? v[i].phash : v[i].hash, cause) != 0) {
				store_rollback(r->st);
				return -1;
			}
			res->computed++;
		}
	}
	return store_commit(r->st, cause);
}

int
score_clip_run(struct store *st, const struct score_opts *opts,
    const struct metric_def *const *m, size_t nm, struct score_result *res, char **cause)
{
	struct crun r;
	int64_t *ids = NULL;
	size_t n = 0, batch, per, chunk;
	int rc = -1, threads;

	int want_pair = 0;
	for (size_t q = 0; q < nm; q++)
		want_pair |= (m[q]->needs & METRIC_PARENT) != 0;
	memset(&r, 0, sizeof r);
	r.st = st;
	r.mc = opts->mc;
	r.max_pixels = opts->max_pixels;
	if (r.mc == NULL)
		return cause_set(cause, "%s needs a clip backend and no config was found"
		    " (--config, $MMDA_CONFIG, ./mmda.json, ~/.config/mmda/config.json)", m[0]->name);
	if ((r.be = mclient_backend(r.mc, ROLE_CLIP, opts->clip, cause)) == NULL ||
	    mclient_ready(r.mc, r.be, cause) != 0)
		return -1;
	batch = embed_batch_max(r.be, 1);
	per = batch < 1 ? 1 : batch > 32 ? 32 : batch;
	threads = r.be->max_concurrency < 1 ? 1 : r.be->max_concurrency;
	if (threads > WORKPOOL_MAX_THREADS)
		threads = WORKPOOL_MAX_THREADS;
	chunk = per * (size_t)threads * 2;
	if (store_candidate_ids(st, &ids, &n, cause) != 0)
		return -1;
	for (size_t i = 0; i < n; i += chunk) {
		size_t want = n - i < chunk ? n - i : chunk, k = 0, ng;
		struct citem *v = xcalloc(want, sizeof *v);
		char old[SHA256_HEX_LEN + 1];
		for (size_t j = 0; j < want; j++) {
			if (store_candidate_get(st, ids[i + j], &v[k].c, cause) != 0) {
				citems_free(v, k);
				goto out;
			}
			clip_input(r.be, &v[k].c, v[k].hash);
			if (want_pair && v[k].c.nparents > 0) {
				if (store_candidate_get(st, v[k].c.parents[0], &v[k].p, cause) != 0) {
					citems_free(v, k + 1);
					goto out;
				}
				pair_input(r.be, &v[k].c, &v[k].p, v[k].phash);
				v[k].same = same_image(&v[k].c, &v[k].p);
			}
			for (size_t q = 0; q < nm; q++) {
				int pair = (m[q]->needs & METRIC_PARENT) != 0;
				if (pair && v[k].c.nparents == 0) {
					res->skipped++; /* an original has no parent to compare with */
					continue;
				}
				int got = store_score_hash(st, v[k].c.id, m[q]->name, old, cause);
				if (got < 0) {
					citems_free(v, k + 1);
					goto out;
				}
				if (got == 1 && strcmp(old, pair ? v[k].phash : v[k].hash) == 0)
					res->unchanged++;
				else if (pair)
					v[k].pair = 1;
				else
					v[k].text = 1;
			}
			if (!v[k].text && !v[k].pair) {
				candidate_free(&v[k].c);
				candidate_free(&v[k].p);
				memset(&v[k], 0, sizeof v[k]);
				continue;
			}
			k++;
		}
		ng = (k + per - 1) / per;
		r.groups = xcalloc(ng ? ng : 1, sizeof *r.groups);
		for (size_t g = 0; g < ng; g++) {
			r.groups[g].items = v + g * per;
			r.groups[g].n = k - g * per < per ? k - g * per : per;
		}
		workpool_run(threads, ng, group_work, &r);
		free(r.groups);
		r.groups = NULL;
		rc = chunk_store(&r, m, nm, v, k, res, cause);
		citems_free(v, k);
		if (rc != 0)
			goto out;
		rc = -1;
		if (opts->progress != NULL)
			opts->progress(opts->arg, (int64_t)(i + want), (int64_t)n);
	}
	rc = 0;
out:
	free(ids);
	return rc;
}
