/* SPDX-License-Identifier: MIT */
/*
 * The CLIP metrics: image_text_similarity (the cosine of a candidate's image
 * and caption embeddings) and clip_score (2.5 * max(cos, 0), Hessel et al.
 * 2021), from an embeddings backend. Both come from one pair of embeddings,
 * are stored with the backend's model beside the value, and are recomputed
 * only when the image, the caption or the model changed.
 *
 * Work is cut into groups of the backend's batch size; groups run on as
 * many workers as the backend takes requests at once (decoding on the same
 * workers), and the calling thread stores the results in candidate order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mclient.h"
#include "core/metrics.h"
#include "core/score.h"
#include "core/score_priv.h"
#include "core/sha256.h"
#include "core/store.h"
#include "core/util.h"
#include "core/workpool.h"

#define CLIPSCORE_W 2.5

struct citem {
	struct candidate c;
	char hash[SHA256_HEX_LEN + 1];
	double cos;
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

/* What a CLIP score depends on: the model, the caption and which image. */
static void
clip_input(const struct backend *be, const struct candidate *c, char hex[SHA256_HEX_LEN + 1])
{
	const char *parts[5] = { "clip v1", be->model ? be->model : be->name, c->text, c->object,
		c->image_path };
	struct sha256 s;

	sha256_init(&s);
	for (int i = 0; i < 5; i++) {
		sha256_update(&s, parts[i] ? parts[i] : "-", parts[i] ? strlen(parts[i]) : 1);
		sha256_update(&s, "\n", 1);
	}
	if (c->root != NULL)
		sha256_update(&s, c->root, strlen(c->root));
	sha256_final_hex(&s, hex);
}

/* A worker: decode the group's images, embed images and captions, take cosines. */
static void
group_work(void *arg, size_t gi)
{
	struct crun *r = arg;
	struct cgroup *g = &r->groups[gi];
	struct image_opts io = { r->max_pixels, 0, 0, 0 };
	struct image *img = xcalloc(g->n, sizeof *img);
	const struct image **iv = xcalloc(g->n, sizeof *iv);
	const char **tv = xcalloc(g->n, sizeof *tv);
	size_t m = 0, dim = 0, dim2 = 0;
	size_t *at = xcalloc(g->n, sizeof *at);
	float *ve = NULL, *te = NULL;
	char *cause = NULL;

	for (size_t i = 0; i < g->n; i++) {
		struct citem *it = &g->items[i];
		char *path = store_candidate_image(r->st, &it->c);
		/* Half the CLIP input size is plenty for a decoder that can shrink while decoding. */
		io.min_w = io.min_h = 336;
		if (path == NULL)
			it->why = xstrdup("the candidate has no image");
		else if (image_load_file(path, &io, &img[m], &it->why) == 0) {
			iv[m] = &img[m];
			tv[m] = it->c.text;
			at[m++] = i;
		}
		free(path);
	}
	if (m > 0 && (mclient_embed(r->mc, r->be, NULL, iv, m, &ve, &dim, &cause) != 0 ||
	    mclient_embed(r->mc, r->be, tv, NULL, m, &te, &dim2, &cause) != 0 || dim != dim2)) {
		if (cause == NULL)
			cause = xasprintf("image and text vectors differ in size (%zu, %zu)", dim,
			    dim2);
		for (size_t k = 0; k < m; k++)
			g->items[at[k]].why = xstrdup(cause);
	} else
		for (size_t k = 0; k < m; k++)
			g->items[at[k]].cos = mclient_cosine(ve + k * dim, te + k * dim, dim);
	for (size_t k = 0; k < m; k++)
		image_free(&img[k]);
	free(cause);
	free(ve);
	free(te);
	free(img);
	free(iv);
	free(tv);
	free(at);
}

static void
citems_free(struct citem *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		candidate_free(&v[i].c);
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
			double val = strcmp(m[k]->name, "clip_score") == 0 ?
			    CLIPSCORE_W * fmax(v[i].cos, 0) : v[i].cos;
			if (store_score_put_model(r->st, v[i].c.id, m[k]->name, model, val,
			    v[i].hash, cause) != 0) {
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
			int have = 1;
			for (size_t q = 0; have && q < nm; q++) {
				int got = store_score_hash(st, v[k].c.id, m[q]->name, old, cause);
				if (got < 0) {
					citems_free(v, k + 1);
					goto out;
				}
				have = got == 1 && strcmp(old, v[k].hash) == 0;
			}
			if (have) {
				res->unchanged += (int64_t)nm;
				candidate_free(&v[k].c);
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
