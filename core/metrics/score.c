/* SPDX-License-Identifier: MIT */
/* The scoring batch: per-candidate metrics in chunks, then the duplicate groups. */
#include "core/metrics/score.h"
#include "core/metrics/score_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/metrics/imgmetrics.h"
#include "core/metrics/minhash.h"
#include "core/base/sha256.h"
#include "core/metrics/textmetrics.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"
#include "core/base/workpool.h"

#define CHUNK 64
#define MAX_METRICS 32

struct item {
	struct candidate c, p; /* p: the first parent, when there is one */
	int has_parent;
	char *path, *ppath;    /* image files */
	/* Per requested metric: 1 when it must be computed, and the input hash. */
	int todo[MAX_METRICS];
	char input[MAX_METRICS][SHA256_HEX_LEN + 1];
	int need_img, need_pimg;
	int hashes_known, phashes_known, hashes_new, phashes_new;
	struct image_hashes h, ph;
	/* Results. */
	double value[MAX_METRICS];
	int status[MAX_METRICS]; /* 0 computed, 1 not applicable */
	char *why;
};

struct run {
	struct store *st;
	const struct score_opts *opts;
	const struct metric_def *m[MAX_METRICS];
	size_t nm;
	int want_hashes;
	struct wordnet *wn;
	struct item *items;
	struct score_result *res;
};

void
score_result_free(struct score_result *res)
{
	for (size_t i = 0; i < res->nfailed; i++)
		free(res->failed[i].reason);
	free(res->failed);
	for (size_t i = 0; i < res->ngroups; i++)
		free(res->groups[i].members);
	free(res->groups);
	memset(res, 0, sizeof *res);
}

/* What a candidate's image is, for input hashes: the object, or root and path. */
static void
hash_image_ref(struct sha256 *s, const struct candidate *c)
{
	const char *parts[3] = { c->object, c->root, c->image_path };
	for (int i = 0; i < 3; i++) {
		sha256_update(s, parts[i] ? parts[i] : "-", parts[i] ? strlen(parts[i]) : 1);
		sha256_update(s, "\n", 1);
	}
}

static void
input_hash(const struct metric_def *m, const struct item *it, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 s;
	char ver[32];

	sha256_init(&s);
	snprintf(ver, sizeof ver, "%s v%d\n", m->name, m->version);
	sha256_update(&s, ver, strlen(ver));
	sha256_update(&s, it->c.aug_id, strlen(it->c.aug_id));
	sha256_update(&s, it->c.text, strlen(it->c.text) + 1);
	hash_image_ref(&s, &it->c);
	if ((m->needs & METRIC_PARENT) && it->has_parent) {
		sha256_update(&s, it->p.aug_id, strlen(it->p.aug_id));
		sha256_update(&s, it->p.text, strlen(it->p.text) + 1);
		hash_image_ref(&s, &it->p);
	}
	sha256_final_hex(&s, hex);
}

static void
hashes_input(const struct candidate *c, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 s;

	sha256_init(&s);
	/* v2: imagehash's algorithms; v1 hashes are computed again. */
	sha256_update(&s, "image hashes v2\n", 16);
	hash_image_ref(&s, c);
	sha256_final_hex(&s, hex);
}

static void
item_free(struct item *it)
{
	candidate_free(&it->c);
	candidate_free(&it->p);
	free(it->path);
	free(it->ppath);
	free(it->why);
	memset(it, 0, sizeof *it);
}

/* Main thread: loads records and decides what must be computed. */
static int
prepare(struct run *r, int64_t id, struct item *it, char **cause)
{
	char old[SHA256_HEX_LEN + 1], hin[SHA256_HEX_LEN + 1];

	memset(it, 0, sizeof *it);
	if (store_candidate_get(r->st, id, &it->c, cause) != 0)
		return -1;
	if (it->c.nparents > 0) {
		if (store_candidate_get(r->st, it->c.parents[0], &it->p, cause) != 0)
			return -1;
		it->has_parent = 1;
		it->ppath = store_candidate_image(r->st, &it->p);
	}
	it->path = store_candidate_image(r->st, &it->c);
	if (r->want_hashes) {
		hashes_input(&it->c, hin);
		int k = store_hashes_get(r->st, id, &it->h, cause);
		if (k < 0)
			return -1;
		it->hashes_known = k == 1 && strcmp(it->h.input_hash, hin) == 0;
		if (!it->hashes_known) {
			memcpy(it->h.input_hash, hin, sizeof hin);
			it->need_img = 1;
		}
		if (it->has_parent) {
			hashes_input(&it->p, hin);
			k = store_hashes_get(r->st, it->p.id, &it->ph, cause);
			if (k < 0)
				return -1;
			it->phashes_known = k == 1 && strcmp(it->ph.input_hash, hin) == 0;
			if (!it->phashes_known) {
				memcpy(it->ph.input_hash, hin, sizeof hin);
				it->need_pimg = 1;
			}
		}
	}
	for (size_t k = 0; k < r->nm; k++) {
		const struct metric_def *m = r->m[k];
		if (m->needs & (METRIC_SET | METRIC_BACKEND))
			continue;
		if ((m->needs & METRIC_PARENT) && !it->has_parent) {
			r->res->skipped++;
			continue;
		}
		input_hash(m, it, it->input[k]);
		int got = store_score_hash(r->st, id, m->name, old, cause);
		if (got < 0)
			return -1;
		if (got == 1 && strcmp(old, it->input[k]) == 0) {
			r->res->unchanged++;
			continue;
		}
		it->todo[k] = 1;
		if (m->needs & METRIC_IMAGE)
			it->need_img = 1;
		if ((m->needs & METRIC_IMAGE) && (m->needs & METRIC_PARENT))
			it->need_pimg = 1;
		/* Geometry comes from the header when the size was not recorded at import. */
		if ((strcmp(m->name, "aspect_ratios") == 0 || strcmp(m->name, "width") == 0 ||
		    strcmp(m->name, "height") == 0) && it->c.width <= 0)
			it->need_img = 1;
	}
	return 0;
}

static void
set_hashes(struct image_hashes *h, const struct image *img)
{
	imgm_hashes(img, &h->ahash, &h->dhash, &h->phash);
}

/* Any thread: decodes what is needed and computes. Touches no database. */
static void
compute(void *arg, size_t i)
{
	struct run *r = arg;
	struct item *it = &r->items[i];
	struct image_opts io = { r->opts->max_pixels, 0, 0, 0 };
	struct image img = { 0, 0, 0, NULL }, pimg = { 0, 0, 0, NULL };
	struct metric_inputs in;
	uint64_t hv[3], phv[3];
	struct stat sb;
	int any = 0;

	for (size_t k = 0; k < r->nm; k++)
		any |= it->todo[k];
	if (!any && !it->need_img && !it->need_pimg)
		return;
	if (it->need_img && (it->path == NULL ||
	    image_load_file(it->path, &io, &img, &it->why) != 0)) {
		if (it->why == NULL)
			it->why = xstrdup("no image");
		goto out;
	}
	if (it->need_pimg && (it->ppath == NULL ||
	    image_load_file(it->ppath, &io, &pimg, &it->why) != 0)) {
		if (it->why == NULL)
			it->why = xstrdup("the parent has no image");
		goto out;
	}
	if (r->want_hashes && !it->hashes_known && img.px != NULL) {
		set_hashes(&it->h, &img);
		it->hashes_new = 1;
	}
	if (r->want_hashes && it->has_parent && !it->phashes_known && pimg.px != NULL) {
		set_hashes(&it->ph, &pimg);
		it->phashes_new = 1;
	}
	memset(&in, 0, sizeof in);
	in.img = img.px ? &img : NULL;
	in.parent_img = pimg.px ? &pimg : NULL;
	in.text = it->c.text;
	in.parent_text = it->has_parent ? it->p.text : NULL;
	in.meta = it->c.meta;
	in.wn = r->wn;
	in.width = it->c.width;
	in.height = it->c.height;
	in.file_bytes = it->path != NULL && stat(it->path, &sb) == 0 ? (int64_t)sb.st_size : 0;
	if (r->want_hashes) {
		hv[0] = it->h.ahash, hv[1] = it->h.dhash, hv[2] = it->h.phash;
		phv[0] = it->ph.ahash, phv[1] = it->ph.dhash, phv[2] = it->ph.phash;
		in.hashes = hv;
		in.parent_hashes = it->has_parent ? phv : NULL;
	}
	for (size_t k = 0; k < r->nm; k++) {
		if (!it->todo[k])
			continue;
		int rc = metric_compute(r->m[k], &in, &it->value[k], &it->why);
		if (rc < 0)
			goto out;
		it->status[k] = rc;
	}
out:
	image_free(&img);
	image_free(&pimg);
}

/* Main thread: writes what the workers computed. */
static int
store_item(struct run *r, struct item *it, char **cause)
{
	if (it->why != NULL) {
		score_failed(r->res, it->c.id, it->why);
		it->why = NULL;
		return 0;
	}
	if (it->hashes_new && store_hashes_put(r->st, it->c.id, &it->h, cause) != 0)
		return -1;
	if (it->phashes_new && store_hashes_put(r->st, it->p.id, &it->ph, cause) != 0)
		return -1;
	for (size_t k = 0; k < r->nm; k++) {
		if (!it->todo[k])
			continue;
		if (it->status[k] == 1) {
			r->res->skipped++;
			continue;
		}
		if (store_score_put(r->st, it->c.id, r->m[k]->name, it->value[k], it->input[k],
		    cause) != 0)
			return -1;
		r->res->computed++;
	}
	return 0;
}

static int
chunk(struct run *r, const int64_t *ids, size_t n, char **cause)
{
	size_t prepared = 0;
	int rc = 0;

	for (; prepared < n; prepared++)
		if (prepare(r, ids[prepared], &r->items[prepared], cause) != 0) {
			item_free(&r->items[prepared]);
			rc = -1;
			break;
		}
	if (rc == 0)
		workpool_run(r->opts->jobs > 1 ? r->opts->jobs : 1, n, compute, r);
	if (rc == 0 && store_begin(r->st, cause) != 0)
		rc = -1;
	for (size_t i = 0; i < prepared; i++) {
		if (rc == 0 && store_item(r, &r->items[i], cause) != 0) {
			store_rollback(r->st);
			rc = -1;
		}
		item_free(&r->items[i]);
	}
	if (rc == 0 && store_commit(r->st, cause) != 0)
		rc = -1;
	return rc;
}

/* Adds a group and writes each member's value: 0 for the first, else the first's id. */
static int
emit_groups(struct run *r, const char *metric, const int64_t *ids, const size_t *rep, size_t n,
    char **cause)
{
	for (size_t i = 0; i < n; i++) {
		double v = rep[i] == i ? 0 : (double)ids[rep[i]];
		if (store_score_put(r->st, ids[i], metric, v, "set", cause) != 0)
			return -1;
		r->res->computed++;
		if (rep[i] != i)
			continue;
		size_t cnt = 0;
		for (size_t j = i; j < n; j++)
			cnt += rep[j] == i;
		if (cnt < 2)
			continue;
		struct score_group *g;
		r->res->groups = xreallocarray(r->res->groups, r->res->ngroups + 1,
		    sizeof *r->res->groups);
		g = &r->res->groups[r->res->ngroups++];
		g->metric = metric;
		g->members = xreallocarray(NULL, cnt, sizeof *g->members);
		g->n = 0;
		for (size_t j = i; j < n; j++)
			if (rep[j] == i)
				g->members[g->n++] = ids[j];
	}
	return 0;
}

static size_t
find(size_t *parent, size_t x)
{
	while (parent[x] != x)
		x = parent[x] = parent[parent[x]];
	return x;
}

/* Joins two sets keeping the smaller index (the earlier candidate) as the root. */
static void
join(size_t *parent, size_t a, size_t b)
{
	a = find(parent, a);
	b = find(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

struct keyed {
	char hex[SHA256_HEX_LEN + 1];
	size_t index;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->hex, y->hex);
	return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static int
text_groups(struct run *r, int exact, char **cause)
{
	int64_t *ids;
	char **texts;
	size_t n, *rep;
	int rc = -1;

	if (store_texts(r->st, &ids, &texts, &n, cause) != 0)
		return -1;
	rep = xcalloc(n ? n : 1, sizeof *rep);
	if (exact) {
		struct keyed *k = xcalloc(n ? n : 1, sizeof *k);
		for (size_t i = 0; i < n; i++) {
			txm_normal_hash(texts[i], k[i].hex);
			k[i].index = i;
			rep[i] = i;
		}
		/* Equal hashes end up next to each other, earliest candidate first. */
		qsort(k, n, sizeof *k, keyed_cmp);
		for (size_t i = 1; i < n; i++)
			if (strcmp(k[i].hex, k[i - 1].hex) == 0)
				join(rep, k[i].index, k[i - 1].index);
		free(k);
	} else {
		struct minhash *sig = xcalloc(n ? n : 1, sizeof *sig);
		size_t *group = xcalloc(n ? n : 1, sizeof *group);
		for (size_t i = 0; i < n; i++)
			minhash_compute(texts[i], 5, &sig[i]);
		if (minhash_group(sig, n, METRIC_MINHASH_JACCARD, group, cause) != 0) {
			free(sig);
			free(group);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			rep[i] = group[i];
		free(sig);
		free(group);
	}
	for (size_t i = 0; i < n; i++)
		rep[i] = find(rep, i);
	rc = emit_groups(r, exact ? "text_dup" : "text_near_dup", ids, rep, n, cause);
out:
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(ids);
	free(rep);
	return rc;
}

/* Hamming <= 4 over 64 bits means one of five bit blocks matches exactly
 * (pigeonhole), so only pairs sharing a block value are compared. */
struct block_key {
	uint32_t value;
	size_t index;
};

static int
block_cmp(const void *a, const void *b)
{
	const struct block_key *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int
image_groups(struct run *r, char **cause)
{
	static const int shift[5] = { 0, 13, 26, 39, 52 }, width[5] = { 13, 13, 13, 13, 12 };
	int64_t *ids;
	uint64_t *ph;
	size_t n, *rep;
	int rc;

	if (store_phashes(r->st, &ids, &ph, &n, cause) != 0)
		return -1;
	rep = xcalloc(n ? n : 1, sizeof *rep);
	for (size_t i = 0; i < n; i++)
		rep[i] = i;
	struct block_key *k = xcalloc(n ? n : 1, sizeof *k);
	for (int b = 0; b < 5; b++) {
		for (size_t i = 0; i < n; i++) {
			k[i].value = (uint32_t)((ph[i] >> shift[b]) & ((1u << width[b]) - 1));
			k[i].index = i;
		}
		qsort(k, n, sizeof *k, block_cmp);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n && k[j].value == k[i].value; j++)
				if (imgm_hamming(ph[k[i].index], ph[k[j].index]) <=
				    METRIC_PHASH_RADIUS)
					join(rep, k[i].index, k[j].index);
	}
	free(k);
	for (size_t i = 0; i < n; i++)
		rep[i] = find(rep, i);
	rc = emit_groups(r, "image_near_dup", ids, rep, n, cause);
	free(ids);
	free(ph);
	free(rep);
	return rc;
}

static int
want(const struct run *r, const char *name)
{
	for (size_t k = 0; k < r->nm; k++)
		if (strcmp(r->m[k]->name, name) == 0)
			return 1;
	return 0;
}

int
score_run(struct store *st, const struct score_opts *opts, struct score_result *res,
    char **cause)
{
	struct run r;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = -1;

	memset(&r, 0, sizeof r);
	memset(res, 0, sizeof *res);
	r.st = st;
	r.opts = opts;
	r.res = res;
	/* Model-backed metrics run apart: named, or all of them when a client is given. */
	const struct metric_def *bm[MAX_METRICS];
	size_t nbm = 0;
	if (opts->metrics != NULL) {
		for (size_t k = 0; k < opts->nmetrics && r.nm < MAX_METRICS; k++) {
			if (opts->metrics[k]->needs & METRIC_BACKEND)
				bm[nbm++] = opts->metrics[k];
			else
				r.m[r.nm++] = opts->metrics[k];
		}
	} else {
		for (const struct metric_def *m = metric_table; m->name && r.nm < MAX_METRICS; m++)
			if (m->needs & METRIC_LEARNED)
				continue;
			else if (!(m->needs & METRIC_BACKEND))
				r.m[r.nm++] = m;
			else if (opts->mc != NULL)
				bm[nbm++] = m;
	}
	if (nbm > 0 && score_clip_run(st, opts, bm, nbm, res, cause) != 0)
		return -1;
	if (r.nm == 0)
		return 0;
	for (size_t k = 0; k < r.nm; k++) {
		r.want_hashes |= (r.m[k]->needs & METRIC_HASHES) != 0;
		if ((r.m[k]->needs & METRIC_WORDNET) && r.wn == NULL &&
		    (r.wn = wn_open(NULL, cause)) == NULL)
			return -1;
	}
	if (store_candidate_ids(st, &ids, &n, cause) != 0)
		goto out;
	r.items = xcalloc(CHUNK, sizeof *r.items);
	for (size_t i = 0; i < n; i += CHUNK) {
		size_t m = n - i < CHUNK ? n - i : CHUNK;
		if (chunk(&r, ids + i, m, cause) != 0)
			goto out;
		if (opts->progress != NULL)
			opts->progress(opts->arg, (int64_t)(i + m), (int64_t)n);
	}
	if (store_begin(st, cause) != 0)
		goto out;
	if ((want(&r, "text_dup") && text_groups(&r, 1, cause) != 0) ||
	    (want(&r, "text_near_dup") && text_groups(&r, 0, cause) != 0) ||
	    (want(&r, "image_near_dup") && image_groups(&r, cause) != 0)) {
		store_rollback(st);
		goto out;
	}
	rc = store_commit(st, cause);
out:
	if (r.wn != NULL)
		wn_close(r.wn);
	free(r.items);
	free(ids);
	return rc;
}
