/* SPDX-License-Identifier: MIT */
/*
 * Reading the backends config: the fields of one backend, with the typed
 * readers of backend_read.c and the kind-specific blocks of
 * backend_quirks.c below it. Every key is checked against what
 * its place allows, and every error names the file and the JSON path
 * ("mmda.json: backends[1].quirks.max_token_field: unknown key"), so a typo
 * is reported instead of silently falling back to a default.
 *
 * The top-level "defaults" object is applied to each backend as a first
 * layer and the backend's own object as a second, field by field: a backend
 * setting timeouts.request_ms keeps the connect_ms of the defaults. Keys of
 * the defaults that belong to another kind (a chat quirk, seen by an a1111
 * backend) are skipped rather than refused, since they are meant for the
 * backends of that kind.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/models/backend_priv.h"

#define MAX_URLS 64

/* An environment variable's name, the only way a secret is referred to. */
static int
get_envname(struct pctx *c, const cJSON *it, const char *at, char **dst)
{
	const char *p;

	if (bconf_str(c, it, at, 0, dst) != 0)
		return -1;
	for (p = *dst; *p != '\0'; p++) {
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (p != *dst && *p >= '0' && *p <= '9')))
			return bconf_err(c, at, it->string, "\"%s\" is not an environment variable "
			    "name (the key itself never goes in the file)", *dst);
	}
	return 0;
}

static char *
path_join(const char *at, const char *key)
{
	return *at == '\0' ? xstrdup(key) : xasprintf("%s.%s", at, key);
}

/* ---- backend fields ---- */

static int
parse_url(struct pctx *c, const cJSON *it, const char *at, const char *key, char **out)
{
	const char *s, *host;
	size_t len;

	if (!cJSON_IsString(it))
		return bconf_err(c, at, key, "expected a URL string");
	s = it->valuestring;
	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return bconf_err(c, at, key, "\"%s\" is not an http:// or https:// URL", s);
	if (*host == '\0' || *host == '/')
		return bconf_err(c, at, key, "\"%s\" has no host", s);
	for (const char *p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return bconf_err(c, at, key, "\"%s\" contains a space or control "
			    "character", s);
	}
	len = strlen(s);
	while (len > (size_t)(host - s) && s[len - 1] == '/')
		len--;
	*out = xstrndup(s, len);
	return 0;
}

static void
urls_clear(struct backend *be)
{
	for (size_t i = 0; i < be->nurls; i++)
		free(be->urls[i]);
	free(be->urls);
	be->urls = NULL;
	be->nurls = 0;
}

static int
parse_urls(struct pctx *c, struct backend *be, const cJSON *it, const char *at)
{
	char sub[64];
	char *u;
	size_t i = 0, n;
	const cJSON *e;

	if (cJSON_IsString(it) && strcmp(it->string, "base_url") == 0) {
		if (parse_url(c, it, at, it->string, &u) != 0)
			return -1;
		urls_clear(be);
		be->urls = xmalloc(sizeof *be->urls);
		be->urls[0] = u;
		be->nurls = 1;
		return 0;
	}
	if (strcmp(it->string, "base_url") == 0)
		return bconf_err(c, at, it->string, "expected a URL string");
	if (!cJSON_IsArray(it) || (n = (size_t)cJSON_GetArraySize(it)) == 0)
		return bconf_err(c, at, it->string, "expected a non-empty array of URLs");
	if (n > MAX_URLS)
		return bconf_err(c, at, it->string, "more than %d URLs", MAX_URLS);
	urls_clear(be);
	be->urls = xcalloc(n, sizeof *be->urls);
	cJSON_ArrayForEach(e, it) {
		snprintf(sub, sizeof sub, "base_urls[%zu]", i);
		if (parse_url(c, e, at, sub, &be->urls[i]) != 0)
			return -1;
		be->nurls = ++i;
	}
	return 0;
}

static int
parse_timeouts(struct pctx *c, struct backend *be, const cJSON *obj, const char *at)
{
	const cJSON *it;
	int64_t v;

	cJSON_ArrayForEach(it, obj) {
		if (strcmp(it->string, "connect_ms") == 0) {
			if (bconf_int(c, it, at, 1, 3600000, &v) != 0)
				return -1;
			be->connect_ms = (long)v;
		} else if (strcmp(it->string, "request_ms") == 0) {
			if (bconf_int(c, it, at, 1, 86400000, &v) != 0)
				return -1;
			be->request_ms = (long)v;
		} else
			return bconf_err(c, at, it->string, "unknown key");
	}
	return 0;
}

static int
parse_retry_on(struct pctx *c, struct backend *be, const cJSON *arr, const char *at)
{
	char sub[64];
	const cJSON *e;
	int n = 0;

	if (!cJSON_IsArray(arr))
		return bconf_err(c, at, arr->string, "expected an array of HTTP statuses");
	if (cJSON_GetArraySize(arr) > (int)(sizeof be->retry.retry_on /
	    sizeof be->retry.retry_on[0]))
		return bconf_err(c, at, arr->string, "more than %zu statuses",
		    sizeof be->retry.retry_on / sizeof be->retry.retry_on[0]);
	cJSON_ArrayForEach(e, arr) {
		snprintf(sub, sizeof sub, "%s.retry_on[%d]", at, n);
		if (!cJSON_IsNumber(e))
			return bconf_err(c, sub, NULL, "expected an HTTP status");
		if (e->valuedouble != floor(e->valuedouble) || e->valuedouble < 100 ||
		    e->valuedouble > 599)
			return bconf_err(c, sub, NULL, "%g is not an HTTP status", e->valuedouble);
		be->retry.retry_on[n++] = (int)e->valuedouble;
	}
	be->retry.nretry_on = n;
	return 0;
}

static int
parse_retries(struct pctx *c, struct backend *be, const cJSON *obj, const char *at)
{
	struct backend_retry *r = &be->retry;
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		const char *k = it->string;
		int rc;

		if (strcmp(k, "max") == 0)
			rc = bconf_intv(c, it, at, 0, 20, &r->max);
		else if (strcmp(k, "base_ms") == 0)
			rc = bconf_intv(c, it, at, 0, 600000, &r->base_ms);
		else if (strcmp(k, "cap_ms") == 0)
			rc = bconf_intv(c, it, at, 0, 3600000, &r->cap_ms);
		else if (strcmp(k, "max_retry_after_s") == 0)
			rc = bconf_intv(c, it, at, 0, 86400, &r->max_retry_after_s);
		else if (strcmp(k, "retry_on") == 0)
			rc = parse_retry_on(c, be, it, at);
		else if (strcmp(k, "jitter") == 0) {
			if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= 1))
				return bconf_err(c, at, k, "expected a number from 0 to 1");
			r->jitter = it->valuedouble;
			rc = 0;
		} else
			rc = bconf_err(c, at, k, "unknown key");
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int
parse_rest(struct pctx *c, struct backend *be, const cJSON *obj, const char *at)
{
	const cJSON *it;
	int rc;

	cJSON_ArrayForEach(it, obj) {
		if (strcmp(it->string, "after_failures") == 0)
			rc = bconf_intv(c, it, at, 1, 1000, &be->rest_after);
		else if (strcmp(it->string, "ms") == 0)
			rc = bconf_intv(c, it, at, 0, 3600000, &be->rest_ms);
		else
			rc = bconf_err(c, at, it->string, "unknown key");
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* A nested object of the backend, with its kinds: 1 parsed, 0 skipped, -1 error. */
static int
parse_nested(struct pctx *c, struct backend *be, const cJSON *it, const char *at)
{
	const char *k = it->string;
	char *sub;
	int rc, ok;

	if (strcmp(k, "defaults") == 0 && (ok = bconf_kind_ok(c, K(BK_A1111), at, k)) <= 0)
		return ok;
	if (strcmp(k, "io") == 0 && (ok = bconf_kind_ok(c, K(BK_KSERVE), at, k)) <= 0)
		return ok;
	if (bconf_object(c, it, at, k) != 0)
		return -1;
	sub = path_join(at, k);
	if (strcmp(k, "timeouts") == 0)
		rc = parse_timeouts(c, be, it, sub);
	else if (strcmp(k, "retries") == 0)
		rc = parse_retries(c, be, it, sub);
	else if (strcmp(k, "rest") == 0)
		rc = parse_rest(c, be, it, sub);
	else if (strcmp(k, "defaults") == 0)
		rc = bconf_a1111(c, be, it, sub);
	else if (strcmp(k, "io") == 0)
		rc = bconf_io(c, be, it, sub);
	else {
		const cJSON *q;

		rc = 0;
		cJSON_ArrayForEach(q, it) {
			if ((rc = bconf_quirk(c, be, q, sub)) < 0)
				break;
		}
	}
	free(sub);
	return rc < 0 ? -1 : 1;
}

int
bconf_layer(struct pctx *c, struct backend *be, const cJSON *obj, const char *at, int is_defaults)
{
	const cJSON *it;
	int64_t v;
	int rc, ok;

	if (cJSON_GetObjectItemCaseSensitive(obj, "base_url") != NULL &&
	    cJSON_GetObjectItemCaseSensitive(obj, "base_urls") != NULL)
		return bconf_err(c, at, "base_url", "give base_url or base_urls, not both");
	cJSON_ArrayForEach(it, obj) {
		const char *k = it->string;

		rc = 0;
		if (strcmp(k, "name") == 0 || strcmp(k, "kind") == 0) {
			if (is_defaults)
				rc = bconf_err(c, at, k, "not allowed in defaults");
		} else if (strcmp(k, "base_url") == 0 || strcmp(k, "base_urls") == 0)
			rc = parse_urls(c, be, it, at);
		else if (strcmp(k, "model") == 0)
			rc = bconf_str(c, it, at, 1, &be->model);
		else if (strcmp(k, "api_key_env") == 0)
			rc = get_envname(c, it, at, &be->api_key_env);
		else if (strcmp(k, "basic_user_env") == 0)
			rc = get_envname(c, it, at, &be->user_env);
		else if (strcmp(k, "basic_pass_env") == 0)
			rc = get_envname(c, it, at, &be->pass_env);
		else if (strcmp(k, "auth") == 0) {
			static const char *const auth_names[] = { "none", "bearer", "basic", NULL };
			int a;

			rc = bconf_enum(c, it, at, auth_names, &a);
			if (rc == 0)
				rc = bconf_str(c, it, at, 0, &c->auth);
		} else if (strcmp(k, "max_concurrency") == 0)
			rc = bconf_intv(c, it, at, 1, 256, &be->max_concurrency);
		else if (strcmp(k, "max_response_bytes") == 0) {
			rc = bconf_int(c, it, at, 1024, (int64_t)1 << 31, &v);
			if (rc == 0)
				be->max_response = (size_t)v;
		} else if (strcmp(k, "vision") == 0) {
			if ((ok = bconf_kind_ok(c, K(BK_CHAT), at, k)) > 0)
				rc = bconf_bool(c, it, at, &be->vision);
			else
				rc = ok;
		} else if (strcmp(k, "version") == 0) {
			if ((ok = bconf_kind_ok(c, K(BK_KSERVE), at, k)) > 0)
				rc = bconf_version(c, be, it, at);
			else
				rc = ok;
		} else if (strcmp(k, "timeouts") == 0 || strcmp(k, "retries") == 0 ||
		    strcmp(k, "rest") == 0 || strcmp(k, "quirks") == 0 ||
		    strcmp(k, "defaults") == 0 || strcmp(k, "io") == 0)
			rc = parse_nested(c, be, it, at) < 0 ? -1 : 0;
		else
			rc = bconf_err(c, at, k, "unknown key");
		if (rc < 0)
			return -1;
	}
	return 0;
}

void
bconf_init(struct backend *be, enum backend_kind kind)
{
	static const int retry_on[] = { 408, 409, 429, 500, 502, 503, 504 };

	memset(be, 0, sizeof *be);
	be->kind = kind;
	be->max_concurrency = 4;
	be->connect_ms = 5000;
	be->request_ms = 600000;
	be->max_response = (size_t)64 << 20;
	be->retry.max = 4;
	be->retry.base_ms = 500;
	be->retry.cap_ms = 30000;
	be->retry.jitter = 0.25;
	be->retry.max_retry_after_s = 120;
	memcpy(be->retry.retry_on, retry_on, sizeof retry_on);
	be->retry.nretry_on = (int)(sizeof retry_on / sizeof retry_on[0]);
	be->rest_after = 3;
	be->rest_ms = 30000;
	be->max_tokens_field = xstrdup("max_tokens");
	be->structured = STRUCT_NONE;
	be->edits_image_field = xstrdup("image");
	be->mask_style = kind == BK_IMAGES ? MASK_ALPHA : MASK_WHITE;
	be->send_response_format = 1;
	be->image_style = IMG_MODALITY;
	be->max_batch = 32;
	be->normalize = 1;
	be->input_name = xstrdup("input");
	be->datatype = xstrdup("BYTES");
	be->input_size = 224;
}

void
bconf_free(struct backend *be)
{
	free(be->name);
	urls_clear(be);
	free(be->model);
	free(be->api_key_env);
	free(be->user_env);
	free(be->pass_env);
	free(be->max_tokens_field);
	free(be->image_detail);
	free(be->extra_body);
	free(be->edits_image_field);
	free(be->sampler);
	free(be->checkpoint);
	free(be->version);
	free(be->input_name);
	free(be->output_name);
	free(be->datatype);
	bconf_labels_clear(be);
}

void
backend_config_free(struct backend_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n; i++)
		bconf_free(&cfg->b[i]);
	free(cfg->b);
	for (int r = 0; r < ROLE_COUNT; r++)
		free(cfg->roles[r]);
	free(cfg->path);
	free(cfg->cache_dir);
	free(cfg->log_path);
	free(cfg);
}
