/* SPDX-License-Identifier: MIT */
/*
 * mmda backends: the model servers the config names, the role each serves,
 * with --check whether each URL answers, and with --try whether one small
 * real request in each backend's shape comes back parsed. It says which
 * environment variable holds a key and whether it is set, never the key.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/backend.h"
#include "core/models/http.h"
#include "core/models/mclient.h"
#include "cli/cli.h"

struct probe {
	char *url;
	long status;
	int ok;
	double ms;
	char *error;
};

/* The outcome of --try for one backend. */
struct attempt {
	int ok;
	double ms;
	char *detail, *error;
};

static void
try_backend(struct mclient *mc, const struct backend *be, struct attempt *t)
{
	double start = now_mono_s();

	t->ok = mclient_try(mc, be, &t->detail, &t->error) == 0;
	t->ms = (now_mono_s() - start) * 1000;
}

/* One GET of the kind's health route per URL: no retries, no cache, a short timeout. */
static void
probe_backend(struct mclient *mc, const struct backend *be, struct probe *out)
{
	for (size_t i = 0; i < be->nurls; i++) {
		struct http_req req;
		char *path = NULL;
		/* A classifier's metadata route also proves the model is loaded. */
		if (be->kind == BK_KSERVE && be->model != NULL)
			path = xasprintf("/v2/models/%s", be->model);
		out[i].ok = mclient_health(mc, be, i, path, &req) == 0;
		out[i].url = xasprintf("%s%s", be->urls[i], req.path);
		out[i].status = req.status;
		out[i].ms = req.seconds * 1000;
		out[i].error = req.error ? xstrdup(req.error) : NULL;
		http_req_clear(&req);
		free(path);
	}
}

/* Whether be serves role r: the config's choice, and for vlm it must take images
 * (the operators refuse a vlm without "vision": true). */
static int
serves(const struct backend_config *cfg, const struct backend *be, int r)
{
	return backend_for_role(cfg, (enum backend_role)r, NULL, NULL) == be &&
	    (r != ROLE_VLM || be->vision);
}

static const char *
auth_name(const struct backend *be)
{
	return be->auth == AUTH_BEARER ? "bearer" : be->auth == AUTH_BASIC ? "basic" : "none";
}

/* The variable that holds the secret, and whether it is set (its value is never read out). */
static const char *
key_env(const struct backend *be, int *set)
{
	const char *env = be->auth == AUTH_BEARER ? be->api_key_env :
	    be->auth == AUTH_BASIC ? be->pass_env : NULL;
	const char *v = env ? getenv(env) : NULL;

	*set = v != NULL && *v != '\0';
	return env;
}

static cJSON *
backend_json(const struct backend_config *cfg, const struct backend *be, const struct probe *p,
    int check, const struct attempt *t)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	const char *env;
	int set;

	cJSON_AddStringToObject(o, "name", be->name);
	cJSON_AddStringToObject(o, "kind", backend_kind_name(be->kind));
	arr = cJSON_AddArrayToObject(o, "urls");
	for (size_t i = 0; i < be->nurls; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(be->urls[i]));
	if (be->model != NULL)
		cJSON_AddStringToObject(o, "model", be->model);
	else
		cJSON_AddNullToObject(o, "model");
	cJSON_AddStringToObject(o, "auth", auth_name(be));
	if ((env = key_env(be, &set)) != NULL) {
		cJSON_AddStringToObject(o, "key_env", env);
		cJSON_AddBoolToObject(o, "key_set", set);
	}
	cli_json_int(o, "max_concurrency", be->max_concurrency);
	arr = cJSON_AddArrayToObject(o, "roles");
	for (int r = 0; r < ROLE_COUNT; r++)
		if (serves(cfg, be, r))
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(backend_role_name((enum backend_role)r)));
	if (t != NULL) {
		cJSON *tj = cJSON_AddObjectToObject(o, "try");
		cJSON_AddBoolToObject(tj, "ok", t->ok);
		cJSON_AddNumberToObject(tj, "ms", (double)(long)(t->ms * 10) / 10);
		if (t->detail != NULL)
			cJSON_AddStringToObject(tj, "detail", t->detail);
		if (t->error != NULL)
			cJSON_AddStringToObject(tj, "error", t->error);
	}
	if (!check)
		return o;
	arr = cJSON_AddArrayToObject(o, "check");
	for (size_t i = 0; i < be->nurls; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "url", p[i].url);
		cJSON_AddBoolToObject(c, "ok", p[i].ok);
		cli_json_int(c, "status", p[i].status);
		cJSON_AddNumberToObject(c, "ms", (double)(long)(p[i].ms * 10) / 10);
		if (p[i].error != NULL)
			cJSON_AddStringToObject(c, "error", p[i].error);
		cJSON_AddItemToArray(arr, c);
	}
	return o;
}

static void
backend_print(const struct backend_config *cfg, const struct backend *be, const struct probe *p,
    int check, const struct attempt *t)
{
	const char *env;
	int set, first = 1;

	printf("%s  %s  model ", be->name, backend_kind_name(be->kind));
	cli_put_safe(stdout, be->model ? be->model : "(none)");
	printf("  auth %s", auth_name(be));
	if ((env = key_env(be, &set)) != NULL)
		printf(" ($%s %s)", env, set ? "set" : "NOT SET");
	printf("  max %d", be->max_concurrency);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (serves(cfg, be, r)) {
			printf("%s%s", first ? "  roles " : ",",
			    backend_role_name((enum backend_role)r));
			first = 0;
		}
	putchar('\n');
	for (size_t i = 0; i < be->nurls; i++) {
		printf("  ");
		cli_put_safe(stdout, be->urls[i]);
		if (check) {
			printf("  %s", p[i].ok ? "ok" : "FAILED");
			if (p[i].status > 0)
				printf(" %ld", p[i].status);
			printf(" %.0f ms", p[i].ms);
			if (p[i].error != NULL) {
				printf(": ");
				cli_put_safe(stdout, p[i].error);
			}
		}
		putchar('\n');
	}
	if (t != NULL) {
		printf("  try: %s %.0f ms: ", t->ok ? "ok" : "FAILED", t->ms);
		cli_put_safe(stdout, t->ok ? t->detail : t->error);
		putchar('\n');
	}
}

int
cmd_backends(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "try", no_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	const struct backend_config *cfg;
	struct mclient *mc;
	cJSON *doc = NULL, *arr = NULL;
	char *cause = NULL;
	int ch, json = 0, check = 0, try = 0, bad = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			check = 1;
			break;
		case 't':
			try = 1;
			break;
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("backends"));
			return CLI_OK;
		default:
			return cli_usage("backends", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 0)
		return cli_usage("backends", "no arguments are taken");
	if ((mc = mclient_open(config, &cause)) == NULL)
		return cli_fail("backends", cause);
	cfg = mclient_config(mc);
	/* A try is about the server now, not about a reply kept from an earlier run. */
	mclient_set_cache(mc, 0);
	if (json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "config", cfg->path);
		arr = cJSON_AddArrayToObject(doc, "backends");
	} else {
		printf("config ");
		cli_put_safe(stdout, cfg->path);
		printf(": %zu backend%s\n", cfg->n, cfg->n == 1 ? "" : "s");
	}
	for (size_t i = 0; i < cfg->n; i++) {
		const struct backend *be = &cfg->b[i];
		struct probe *p = xcalloc(be->nurls, sizeof *p);
		struct attempt t;
		memset(&t, 0, sizeof t);
		if (check)
			probe_backend(mc, be, p);
		for (size_t k = 0; check && k < be->nurls; k++)
			bad += !p[k].ok;
		if (try) {
			try_backend(mc, be, &t);
			bad += !t.ok;
		}
		if (json)
			cJSON_AddItemToArray(arr, backend_json(cfg, be, p, check, try ? &t : NULL));
		else
			backend_print(cfg, be, p, check, try ? &t : NULL);
		free(t.detail);
		free(t.error);
		for (size_t k = 0; k < be->nurls; k++) {
			free(p[k].url);
			free(p[k].error);
		}
		free(p);
	}
	if (json)
		cli_print_json(doc);
	mclient_close(mc);
	if (bad > 0 && !json)
		cli_error("backends", "%d check%s failed", bad, bad == 1 ? "" : "s");
	return bad > 0 ? CLI_ERROR : CLI_OK;
}
