/* SPDX-License-Identifier: MIT */
/*
 * The model client: what operators and metrics call to use a model. It owns
 * the loaded config and the HTTP engine, and turns one call ("chat with this
 * backend", "make an image", "embed these texts") into requests, waits for
 * them (the caller is a worker thread, never the UI), and parses the reply.
 * Every call is safe from several threads at once.
 *
 * All functions return 0 on success and -1 with *cause ("backend clip:
 * http://...: 401: Invalid API Key") on failure; outputs are freed by the
 * caller as each comment says.
 */
#ifndef MMDA_MCLIENT_H
#define MMDA_MCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/models/backend.h"
#include "core/image/image.h"
#include "core/models/proto.h"

struct mclient;

/*
 * Loads the config (explicit path or the search order of backend.h) and
 * starts the engine. Returns NULL with *cause when no config exists ("no
 * backends configured: ...") or it is invalid.
 */
struct mclient *mclient_open(const char *config_path, char **cause);
/* Wraps a config already loaded (taken over: freed by mclient_close). */
struct mclient *mclient_new(struct backend_config *cfg, char **cause);
void mclient_close(struct mclient *mc);
const struct backend_config *mclient_config(const struct mclient *mc);
struct http_engine *mclient_engine(struct mclient *mc);
/* Whether replies are looked up in and kept in the disk cache (on by default). */
void mclient_set_cache(struct mclient *mc, int on);
/*
 * Sends one small real request in the backend's own shape (a short chat, with
 * a tiny image for a vision backend; a text and an image embedding; a 64x64
 * one-step image; a classification of a tiny image) and parses the reply.
 * Returns 0 with *detail (caller frees: "512 dimensions, ...") or -1 with
 * *cause saying what the server or the parser objected to.
 */
int mclient_try(struct mclient *mc, const struct backend *be, char **detail, char **cause);
/* backend_for_role on the client's config. */
const struct backend *mclient_backend(const struct mclient *mc, enum backend_role role,
    const char *name, char **cause);

/*
 * Before a batch: asks the backend's health route on each of its URLs. Any
 * HTTP answer other than 503 means the server is up (a 404 from a server
 * without that route too); 503 means it is still loading its model, and the
 * question is asked again with backoff until be->request_ms has passed. So a
 * server that is down fails the batch at once, with its reason, instead of
 * failing every item after its retries. What the answering server reports
 * it serves becomes part of the reply cache's keys (models_parse). Returns 0
 * when any URL is up.
 */
int mclient_ready(struct mclient *mc, const struct backend *be, char **cause);
/*
 * One GET of URL number i of be (path, or the kind's health route when NULL):
 * no retries, no cache, 10 s at most. On the kind's route, what the server
 * reports it serves is recorded for the cache keys (http_served_set). Returns
 * http_do's result; req holds the status, timing and error (free with
 * http_req_clear; req->be is be).
 */
int mclient_health(struct mclient *mc, const struct backend *be, size_t i, const char *path,
    struct http_req *req);

/* One chat completion; *out freed with chat_reply_free. With r->n > 1 on a backend that
 * cannot return several choices, sends n requests (seed, seed+1, ...) and joins the texts. */
int mclient_chat(struct mclient *mc, const struct backend *be, const struct chat_request *r,
    struct chat_reply *out, char **cause);

/*
 * One generated or edited image, decoded into *img (caller frees with
 * image_free). *seed receives the seed the server reports (a1111), else
 * r->seed; *id the reply's id when it has one (caller frees, may be NULL).
 * For INPAINT, mask is the canonical mask (RGB, 255 = edit, any channel),
 * converted here to the backend's style; r->mask is ignored.
 */
int mclient_generate(struct mclient *mc, const struct backend *be, const struct gen_request *r,
    const struct image *mask, struct image *img, int64_t *seed, char **id, char **cause);

/* Unit-length embeddings of n texts or n images (exactly one of texts, images is set),
 * batched to the backend's limit; *vecs holds n * *dim floats (caller frees). */
int mclient_embed(struct mclient *mc, const struct backend *be, const char *const *texts,
    const struct image *const *images, size_t n, float **vecs, size_t *dim, char **cause);

/* Class probabilities of an image from a kserve-v2 backend; caller frees *probs. */
int mclient_classify(struct mclient *mc, const struct backend *be, const struct image *img,
    double **probs, size_t *n, char **cause);

/* Encodes an image as PNG for a request body (max_side > 0: downscaled to fit first).
 * Caller frees *png. */
int mclient_png(const struct image *img, int max_side, uint8_t **png, size_t *len, char **cause);

/* Cosine of two vectors of dim floats (0 when either is zero). */
double mclient_cosine(const float *a, const float *b, size_t dim);

#endif
