/* SPDX-License-Identifier: MIT */
/*
 * What the config reader's files share (core/models/backend*.c, not for
 * callers): the parsing context and the typed value readers that turn every
 * mistake into "FILE: JSON.PATH: why". Calls go one way: backend.c (the
 * file's top level) -> backend_parse.c (one backend's fields) ->
 * backend_quirks.c (kind-specific blocks) -> backend_read.c (the kind table,
 * the JSON text and the typed readers).
 */
#ifndef MMDA_BACKEND_PRIV_H
#define MMDA_BACKEND_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/models/backend.h"
#include "core/base/util.h"

/* Kind masks for keys that only some kinds understand. */
#define K(k) (1u << (k))

struct pctx {
	const char *file;  /* the config's name in messages */
	const char *dir;   /* its folder, for labels_file */
	char **cause;
	int kind;          /* the backend's kind, or BK_COUNT while validating the defaults */
	int skip_foreign;  /* applying the defaults: keys of other kinds are skipped */
	/* Settings resolved once both layers are read. */
	char *auth;        /* "bearer", "basic", "none", or NULL (inferred) */
	char *labels_file; /* pending: read after both layers */
};

/* backend_read.c. Sets *cause to "FILE: AT.KEY: message" (key may be NULL). Returns -1. */
int bconf_err(struct pctx *c, const char *at, const char *key, const char *fmt, ...)
    MMDA_PRINTF(4, 5);
/* Whether key may be used by this backend's kind (mask of K(kind)): 1 yes, 0 skip it (a
 * defaults key meant for other kinds), -1 error. */
int bconf_kind_ok(struct pctx *c, unsigned mask, const char *at, const char *key);

/* Typed readers of it (named it->string under at): 0, or -1 with the cause set. */
int bconf_int(struct pctx *c, const cJSON *it, const char *at, int64_t min, int64_t max,
    int64_t *out);
int bconf_intv(struct pctx *c, const cJSON *it, const char *at, int64_t min, int64_t max,
    int *out);
int bconf_bool(struct pctx *c, const cJSON *it, const char *at, int *out);
/* A non-empty string without control bytes replacing *dst; null clears it when nullable. */
int bconf_str(struct pctx *c, const cJSON *it, const char *at, int nullable, char **dst);
/* One of names (NULL-ended); *out gets its index. */
int bconf_enum(struct pctx *c, const cJSON *it, const char *at, const char *const *names,
    int *out);
/* An object without repeated keys. */
int bconf_object(struct pctx *c, const cJSON *obj, const char *at, const char *key);

/* Kind-specific blocks (backend_quirks.c): one quirk; the a1111 "defaults"; the kserve
 * "io"; a model version. bconf_quirk returns 0 when the key was skipped. */
int bconf_quirk(struct pctx *c, struct backend *be, const cJSON *it, const char *at);
int bconf_a1111(struct pctx *c, struct backend *be, const cJSON *obj, const char *at);
int bconf_io(struct pctx *c, struct backend *be, const cJSON *obj, const char *at);
int bconf_version(struct pctx *c, struct backend *be, const cJSON *it, const char *at);
/* Reads c->labels_file (relative to the config's folder) into be->labels. */
int bconf_labels_file(struct pctx *c, struct backend *be, const char *at);
void bconf_labels_clear(struct backend *be);

/*
 * Parses the whole file text, which must hold exactly one JSON value.
 * Returns the tree, or NULL with *cause giving the byte offset, line and
 * column of a syntax error.
 */
cJSON *bconf_json(const char *text, size_t len, const char *file, char **cause);
/* One layer of backend fields at JSON path at; is_defaults refuses name and kind. */
int bconf_layer(struct pctx *c, struct backend *be, const cJSON *obj, const char *at,
    int is_defaults);
/* Built-in values of a backend of this kind; what it holds is freed by bconf_free. */
void bconf_init(struct backend *be, enum backend_kind kind);
void bconf_free(struct backend *be);

#endif
