/* SPDX-License-Identifier: MIT */
/* The model client: one call of an operator or metric -> requests on the engine -> a parsed reply. */
#include "core/models/mclient.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/http.h"
#include "core/base/util.h"

/* CLIP models see 224-336 pixels; sending more only costs bandwidth. */
#define EMBED_MAX_SIDE 336

struct mclient {
	struct backend_config *cfg;
	struct http_engine *eng;
	int no_cache;
};

/* The cache folder: the config's, else $XDG_CACHE_HOME/mmda/http, else ~/.cache/mmda/http. */
static char *
cache_dir(const struct backend_config *cfg)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (cfg->cache_dir != NULL)
		return strcmp(cfg->cache_dir, "off") == 0 ? NULL : xstrdup(cfg->cache_dir);
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/mmda/http", xdg);
	if (home != NULL && *home != '\0')
		return xasprintf("%s/.cache/mmda/http", home);
	return NULL;
}

struct mclient *
mclient_new(struct backend_config *cfg, char **cause)
{
	struct mclient *mc = xcalloc(1, sizeof *mc);
	const char *log = cfg->log_path ? cfg->log_path : getenv("MMDA_HTTP_LOG");
	char *dir = cache_dir(cfg);

	mc->cfg = cfg;
	mc->eng = http_engine_new(dir, log != NULL && *log != '\0' ? log : NULL, cause);
	free(dir);
	if (mc->eng == NULL) {
		backend_config_free(cfg);
		free(mc);
		return NULL;
	}
	return mc;
}

struct mclient *
mclient_open(const char *config_path, char **cause)
{
	struct backend_config *cfg;

	switch (backend_config_load(config_path, &cfg, cause)) {
	case 0:
		return mclient_new(cfg, cause);
	case 1:
		cause_set(cause, "no backends configured (--config FILE, $MMDA_CONFIG, ./mmda.json"
		    " or ~/.config/mmda/config.json; mmda.example.json shows the format)");
		return NULL;
	}
	return NULL;
}

void
mclient_close(struct mclient *mc)
{
	if (mc == NULL)
		return;
	http_engine_free(mc->eng);
	backend_config_free(mc->cfg);
	free(mc);
}

void
mclient_set_cache(struct mclient *mc, int on)
{
	mc->no_cache = !on;
}

const struct backend_config *
mclient_config(const struct mclient *mc)
{
	return mc->cfg;
}

struct http_engine *
mclient_engine(struct mclient *mc)
{
	return mc->eng;
}

const struct backend *
mclient_backend(const struct mclient *mc, enum backend_role role, const char *name, char **cause)
{
	return backend_for_role(mc->cfg, role, name != NULL && *name != '\0' ? name : NULL, cause);
}

int
mclient_health(struct mclient *mc, const struct backend *be, size_t i, const char *path,
    struct http_req *req)
{
	const struct backend_kind_def *k = backend_kind_find(backend_kind_name(be->kind));
	/* A probe asks once and soon: no retries, 10 s at most, this URL only. */
	struct backend one = *be;
	int rc;

	one.urls = &be->urls[i];
	one.nurls = 1;
	one.retry.max = 0;
	if (one.request_ms > 10000)
		one.request_ms = 10000;
	memset(req, 0, sizeof *req);
	req->be = &one;
	req->method = "GET";
	req->path = path != NULL ? path : k != NULL ? k->health_path : "/";
	rc = http_do(mc->eng, req);
	req->be = be; /* the copy dies here */
	/* The kind's own route says what the server serves; the cache keys on it from now on,
	 * and an answer that names nothing leaves only the configured name. */
	if (path == NULL && req->status > 0) {
		char *served = rc == 0 ? models_parse(req->resp, req->resplen, be->model) : NULL;
		http_served_set(mc->eng, be->urls[i], served);
		free(served);
	}
	return rc;
}

/* One GET of the health route of url i: 1 up, 0 loading (503), -1 down (*why set). */
static int
ready_once(struct mclient *mc, const struct backend *be, size_t i, char **why)
{
	struct http_req req;
	int rc;

	mclient_health(mc, be, i, NULL, &req);
	rc = req.status == 503 ? 0 : req.status > 0 ? 1 : -1;
	if (rc < 0) {
		free(*why);
		*why = xstrdup(req.error ? req.error : "no answer");
	}
	http_req_clear(&req);
	return rc;
}

int
mclient_ready(struct mclient *mc, const struct backend *be, char **cause)
{
	int64_t deadline = now_mono_ms() + be->request_ms, wait = 500;
	uint64_t mark = http_cancels(mc->eng);
	char *why = NULL;

	for (;;) {
		int loading = 0;
		for (size_t i = 0; i < be->nurls; i++) {
			int rc = ready_once(mc, be, i, &why);
			if (rc == 1) {
				free(why);
				return 0;
			}
			loading |= rc == 0;
		}
		if (!loading || now_mono_ms() + wait > deadline)
			break;
		/* Still loading its model: ask again, less and less often; a cancel (Ctrl-C,
		 * the review screen's stop or quit) ends the wait at once, not after it. */
		if (http_pause(mc->eng, wait, mark) != 0) {
			free(why);
			return cause_set(cause, "backend %s: cancelled", be->name);
		}
		wait = wait * 2 > 5000 ? 5000 : wait * 2;
	}
	if (why != NULL)
		cause_set(cause, "backend %s is not answering: %s", be->name, why);
	else
		cause_set(cause, "backend %s is still loading its model (503) after %ld s",
		    be->name, be->request_ms / 1000);
	free(why);
	return -1;
}

/* A reply that would not parse: the backend and URL it came from, then why (freed). */
static int
bad_reply(const struct backend *be, const struct http_req *req, char *why, char **cause)
{
	cause_set(cause, "backend %s: %s: %s", be->name, req->url ? req->url : "?",
	    why ? why : "bad reply");
	free(why);
	return -1;
}

/* POSTs a JSON body (cached) and hands back the reply; -1 with the engine's cause. */
static int
post(struct mclient *mc, const struct backend *be, const char *path, const char *body,
    struct http_req *req, char **cause)
{
	memset(req, 0, sizeof *req);
	req->be = be;
	req->method = "POST";
	req->path = path;
	req->body = body;
	req->bodylen = strlen(body);
	req->cacheable = !mc->no_cache;
	if (http_do(mc->eng, req) != 0) {
		cause_set(cause, "%s", req->error);
		http_req_clear(req);
		return -1;
	}
	return 0;
}

static int
chat_once(struct mclient *mc, const struct backend *be, const struct chat_request *r,
    struct chat_reply *out, char **cause)
{
	struct http_req req;
	char *body = chat_build(be, r), *why = NULL;
	int rc;

	rc = post(mc, be, "/chat/completions", body, &req, cause);
	free(body);
	if (rc != 0)
		return -1;
	rc = chat_parse(req.resp, req.resplen, out, &why);
	http_reply_parsed(mc->eng, &req, rc == 0);
	if (rc != 0)
		bad_reply(be, &req, why, cause);
	http_req_clear(&req);
	return rc;
}

int
mclient_chat(struct mclient *mc, const struct backend *be, const struct chat_request *r,
    struct chat_reply *out, char **cause)
{
	struct chat_request one;

	memset(out, 0, sizeof *out);
	if (be->kind != BK_CHAT)
		return cause_set(cause, "backend %s is %s, not openai-chat", be->name,
		    backend_kind_name(be->kind));
	if (r->n <= 1 || be->supports_n)
		return chat_once(mc, be, r, out, cause);
	/* No n on this server: one request per choice, each with its own seed. */
	one = *r;
	one.n = 1;
	for (int i = 0; i < r->n; i++) {
		struct chat_reply part;
		one.seed = r->seed + i;
		if (chat_once(mc, be, &one, &part, cause) != 0) {
			chat_reply_free(out);
			return -1;
		}
		if (out->id == NULL) {
			out->id = part.id;
			out->model = part.model;
			out->finish = part.finish;
			part.id = part.model = part.finish = NULL;
		}
		out->texts = xreallocarray(out->texts, out->ntexts + part.ntexts,
		    sizeof *out->texts);
		for (size_t k = 0; k < part.ntexts; k++) {
			out->texts[out->ntexts++] = part.texts[k];
			part.texts[k] = NULL;
		}
		chat_reply_free(&part);
	}
	return 0;
}

int
mclient_png(const struct image *img, int max_side, uint8_t **png, size_t *len, char **cause)
{
	struct image small;
	int w, h, rc;

	*png = NULL;
	if (max_side <= 0 || (img->w <= max_side && img->h <= max_side))
		return image_encode(img, IMAGE_PNG, 0, png, len, cause);
	image_fit(img->w, img->h, max_side, max_side, &w, &h);
	if (image_resize(img, w, h, &small, cause) != 0)
		return -1;
	rc = image_encode(&small, IMAGE_PNG, 0, png, len, cause);
	image_free(&small);
	return rc;
}

/*
 * The canonical mask (any channel > 127 = edit) in the backend's style:
 * openai-images alpha: transparent = edit; white: white = edit; a1111 with
 * mask_invert: the server edits black, so the mask is inverted.
 */
static int
mask_png(const struct backend *be, const struct image *mask, uint8_t **png, size_t *len,
    char **cause)
{
	int alpha = be->kind == BK_IMAGES && be->mask_style == MASK_ALPHA;
	int invert = be->kind == BK_A1111 && be->mask_invert;
	struct image m;
	int rc;

	if (image_alloc(&m, mask->w, mask->h, alpha ? 4 : 3, 0, cause) != 0)
		return -1;
	for (size_t i = 0; i < (size_t)mask->w * (size_t)mask->h; i++) {
		const uint8_t *p = mask->px + i * (size_t)mask->channels;
		int edit = (p[0] > 127) != invert;
		uint8_t *q = m.px + i * (size_t)m.channels;
		if (alpha) {
			q[0] = q[1] = q[2] = 0;
			q[3] = edit ? 0 : 255;
		} else
			q[0] = q[1] = q[2] = edit ? 255 : 0;
	}
	rc = image_encode(&m, IMAGE_PNG, 0, png, len, cause);
	image_free(&m);
	return rc;
}

int
mclient_generate(struct mclient *mc, const struct backend *be, const struct gen_request *r,
    const struct image *mask, struct image *img, int64_t *seed, char **id, char **cause)
{
	struct gen_request q = *r;
	struct gen_reply rep;
	struct http_req req;
	struct http_part *parts = NULL;
	struct image_opts io = { 0, 0, 0, 0 };
	uint8_t *mpng = NULL;
	char *body = NULL, *text = NULL, *why = NULL;
	size_t mlen = 0, nparts = 0;
	int rc = -1;

	memset(img, 0, sizeof *img);
	memset(&rep, 0, sizeof rep);
	*seed = r->seed;
	if (id != NULL)
		*id = NULL;
	if (be->kind != BK_A1111 && be->kind != BK_IMAGES)
		return cause_set(cause, "backend %s is %s, not an image generator", be->name,
		    backend_kind_name(be->kind));
	if (r->mode == GEN_INPAINT) {
		if (mask == NULL)
			return cause_set(cause, "inpainting needs a mask");
		if (mask_png(be, mask, &mpng, &mlen, cause) != 0)
			return -1;
		q.mask = mpng;
		q.mask_len = mlen;
	}
	memset(&req, 0, sizeof req);
	req.be = be;
	req.method = "POST";
	req.path = gen_path(be, &q);
	req.cacheable = !mc->no_cache;
	if (be->kind == BK_IMAGES && (q.mode == GEN_EDIT || q.mode == GEN_INPAINT)) {
		parts = gen_parts(be, &q, &nparts, &text);
		req.parts = parts;
		req.nparts = nparts;
	} else {
		if ((body = gen_build(be, &q, cause)) == NULL)
			goto out;
		req.body = body;
		req.bodylen = strlen(body);
	}
	if (http_do(mc->eng, &req) != 0) {
		cause_set(cause, "%s", req.error);
		goto out;
	}
	if (gen_parse(be, req.resp, req.resplen, &rep, &why) != 0 || rep.nimages == 0) {
		http_reply_parsed(mc->eng, &req, 0);
		bad_reply(be, &req, why ? why : xstrdup("no image in the reply"), cause);
		why = NULL;
		goto out;
	}
	/* The image is part of the reply: one that does not decode is not kept either. */
	if (image_load_mem(rep.images[0], rep.lens[0], "the generated image", &io, img,
	    cause) != 0) {
		http_reply_parsed(mc->eng, &req, 0);
		goto out;
	}
	http_reply_parsed(mc->eng, &req, 1);
	if (rep.has_seed)
		*seed = rep.seed;
	if (id != NULL && rep.id != NULL)
		*id = xstrdup(rep.id);
	rc = 0;
out:
	free(why);
	gen_reply_free(&rep);
	http_req_clear(&req);
	free(parts);
	free(text);
	free(body);
	free(mpng);
	return rc;
}

static void
normalise(float *v, size_t dim)
{
	double s = 0;

	for (size_t i = 0; i < dim; i++)
		s += (double)v[i] * v[i];
	if (s <= 0)
		return;
	s = sqrt(s);
	for (size_t i = 0; i < dim; i++)
		v[i] = (float)(v[i] / s);
}

int
mclient_embed(struct mclient *mc, const struct backend *be, const char *const *texts,
    const struct image *const *images, size_t n, float **vecs, size_t *dim, char **cause)
{
	size_t batch, d = 0;
	float *all = NULL;
	int rc = -1;

	*vecs = NULL;
	*dim = 0;
	if (be->kind != BK_EMBED)
		return cause_set(cause, "backend %s is %s, not embeddings", be->name,
		    backend_kind_name(be->kind));
	if ((texts == NULL) == (images == NULL))
		return cause_set(cause, "embed: texts or images, not both");
	batch = embed_batch_max(be, images != NULL);
	if (batch == 0)
		batch = 1;
	for (size_t at = 0; at < n; at += batch) {
		size_t m = n - at < batch ? n - at : batch, got;
		struct chat_image *ci = NULL;
		uint8_t **pngs = NULL;
		struct http_req req;
		float *v = NULL;
		char *body, *why = NULL;
		int ok = 1;

		if (images != NULL) {
			ci = xcalloc(m, sizeof *ci);
			pngs = xcalloc(m, sizeof *pngs);
			for (size_t k = 0; ok && k < m; k++) {
				ok = mclient_png(images[at + k], EMBED_MAX_SIDE, &pngs[k], &ci[k].len,
				    cause) == 0;
				ci[k].data = pngs[k];
			}
		}
		body = ok ? embed_build(be, images ? NULL : texts + at, ci, m) : NULL;
		for (size_t k = 0; pngs != NULL && k < m; k++)
			free(pngs[k]);
		free(pngs);
		free(ci);
		if (body == NULL)
			goto out;
		ok = post(mc, be, "/embeddings", body, &req, cause) == 0;
		free(body);
		if (!ok)
			goto out;
		if (embed_parse(req.resp, req.resplen, m, &v, &got, &why) != 0) {
			http_reply_parsed(mc->eng, &req, 0);
			bad_reply(be, &req, why, cause);
			http_req_clear(&req);
			goto out;
		}
		http_reply_parsed(mc->eng, &req, 1);
		http_req_clear(&req);
		if (d != 0 && got != d) {
			free(v);
			cause_set(cause, "backend %s: vectors of %zu and %zu dimensions", be->name, d,
			    got);
			goto out;
		}
		if (d == 0) {
			d = got;
			all = xreallocarray(NULL, n, d * sizeof *all);
		}
		memcpy(all + at * d, v, m * d * sizeof *v);
		free(v);
	}
	/* Cosines need unit vectors; some servers do not normalise. */
	for (size_t i = 0; i < n; i++)
		normalise(all + i * d, d);
	*vecs = all;
	*dim = d;
	all = NULL;
	rc = 0;
out:
	free(all);
	return rc;
}

int
mclient_classify(struct mclient *mc, const struct backend *be, const struct image *img,
    double **probs, size_t *n, char **cause)
{
	struct http_req req;
	struct image sq;
	uint8_t *png = NULL;
	size_t len = 0;
	char *body, *path, *why = NULL;
	int rc;

	*probs = NULL;
	*n = 0;
	if (be->kind != BK_KSERVE)
		return cause_set(cause, "backend %s is %s, not kserve-v2", be->name,
		    backend_kind_name(be->kind));
	memset(&sq, 0, sizeof sq);
	if (be->datatype != NULL && strcmp(be->datatype, "UINT8") == 0) {
		struct image rgb = *img;
		if (img->channels != 3)
			return cause_set(cause, "classify: UINT8 input wants an RGB image");
		if (image_resize(&rgb, be->input_size, be->input_size, &sq, cause) != 0)
			return -1;
		body = kserve_build(be, NULL, 0, sq.px, sq.w, sq.h);
	} else {
		if (mclient_png(img, 512, &png, &len, cause) != 0)
			return -1;
		body = kserve_build(be, png, len, NULL, 0, 0);
	}
	image_free(&sq);
	free(png);
	path = kserve_path(be);
	rc = post(mc, be, path, body, &req, cause);
	free(path);
	free(body);
	if (rc != 0)
		return -1;
	rc = kserve_parse(be, req.resp, req.resplen, probs, n, &why);
	http_reply_parsed(mc->eng, &req, rc == 0);
	if (rc != 0)
		bad_reply(be, &req, why, cause);
	http_req_clear(&req);
	return rc;
}

double
mclient_cosine(const float *a, const float *b, size_t dim)
{
	double ab = 0, aa = 0, bb = 0;

	for (size_t i = 0; i < dim; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	if (aa <= 0 || bb <= 0)
		return 0;
	return ab / (sqrt(aa) * sqrt(bb));
}
