/* SPDX-License-Identifier: MIT */
/*
 * Backends at run time: the kind table, finding and reading the config file
 * (its top level and the checks that need a whole backend; the fields of one
 * backend are read by backend_parse.c and backend_quirks.c), choosing the
 * backend for a role and building the Authorization header from the
 * environment.
 */
#include "core/models/backend.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "core/base/b64.h"
#include "core/models/backend_priv.h"

/* Config files are small; anything larger is a mistake (a dataset passed as --config). */
#define CONFIG_MAX (4 * 1024 * 1024)

static const struct backend *role_named(const struct backend_config *, enum backend_role,
    const char *, const char *, char **);

static const char *const role_names[ROLE_COUNT] = {
	"llm", "vlm", "image", "clip", "classifier",
};

const char *
backend_role_name(enum backend_role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		return "unknown";
	return role_names[r];
}

/* ---- finding the file ---- */

/* 1 when path names something (even unreadable: reading it will say why), else 0. */
static int
config_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || errno != ENOENT;
}

static int
config_load_file(const char *path, struct backend_config **out, char **cause)
{
	char *text;
	size_t len;
	int rc;

	if (file_read_all(path, CONFIG_MAX, &text, &len, cause) != 0)
		return -1;
	rc = backend_config_parse(text, len, path, out, cause);
	free(text);
	return rc;
}

int
backend_config_load(const char *explicit_path, struct backend_config **out, char **cause)
{
	const char *env, *home;
	char *path;
	int rc;

	*out = NULL;
	if (explicit_path != NULL) {
		if (!config_exists(explicit_path))
			return cause_set(cause, "%s: no such config file", explicit_path);
		return config_load_file(explicit_path, out, cause);
	}
	env = getenv("MMDA_CONFIG");
	if (env != NULL && *env != '\0') {
		if (!config_exists(env))
			return cause_set(cause, "%s: no such config file (from $MMDA_CONFIG)", env);
		return config_load_file(env, out, cause);
	}
	if (config_exists("mmda.json"))
		return config_load_file("mmda.json", out, cause);

	/* XDG: when XDG_CONFIG_HOME is set, it replaces ~/.config entirely. */
	env = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (env != NULL && *env != '\0')
		path = xasprintf("%s/mmda/config.json", env);
	else if (home != NULL && *home != '\0')
		path = xasprintf("%s/.config/mmda/config.json", home);
	else
		return 1;
	if (!config_exists(path)) {
		free(path);
		return 1;
	}
	rc = config_load_file(path, out, cause);
	free(path);
	return rc;
}

/* ---- reading the file ---- */

/* Resolves the auth style once both layers are known. */
static int
config_auth(struct pctx *c, struct backend *be, const char *at)
{
	const char *a = c->auth;
	int basic = be->user_env != NULL || be->pass_env != NULL;

	if (a == NULL) {
		if (be->api_key_env != NULL && basic)
			return bconf_err(c, at, "auth", "missing: api_key_env and basic_*_env "
			    "are both set; say \"bearer\" or \"basic\"");
		a = be->api_key_env != NULL ? "bearer" : basic ? "basic" : "none";
	}
	if (strcmp(a, "bearer") == 0) {
		if (be->api_key_env == NULL)
			return bconf_err(c, at, "auth", "\"bearer\" needs api_key_env");
		be->auth = AUTH_BEARER;
	} else if (strcmp(a, "basic") == 0) {
		if (be->user_env == NULL || be->pass_env == NULL)
			return bconf_err(c, at, "auth", "\"basic\" needs basic_user_env and "
			    "basic_pass_env");
		be->auth = AUTH_BASIC;
	} else
		be->auth = AUTH_NONE;
	return 0;
}

/* The checks that need the whole backend, after both layers. */
static int
config_finish(struct pctx *c, struct backend *be, const char *at)
{
	if (be->nurls == 0)
		return bconf_err(c, at, NULL, "no base_url");
	if (be->model == NULL && (be->kind == BK_CHAT || be->kind == BK_EMBED ||
	    be->kind == BK_KSERVE))
		return bconf_err(c, at, NULL, "kind %s needs a model", backend_kind_name(be->kind));
	if (be->retry.cap_ms < be->retry.base_ms)
		return bconf_err(c, at, "retries.cap_ms", "%d is below base_ms %d",
		    be->retry.cap_ms, be->retry.base_ms);
	if (config_auth(c, be, at) != 0)
		return -1;
	if (c->labels_file != NULL && bconf_labels_file(c, be, at) != 0)
		return -1;
	return 0;
}

static int
config_name(struct pctx *c, const struct backend_config *cfg, const cJSON *obj, const char *at,
    char **name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "name");
	const char *s;

	if (it == NULL)
		return bconf_err(c, at, "name", "missing");
	if (!cJSON_IsString(it) || (s = it->valuestring)[0] == '\0')
		return bconf_err(c, at, "name", "expected a non-empty string");
	if (strlen(s) > 64)
		return bconf_err(c, at, "name", "longer than 64 bytes");
	for (const char *p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return bconf_err(c, at, "name", "\"%s\": use only letters, digits, '_', "
			    "'.' and '-'", s);
	}
	if (backend_find(cfg, s) != NULL)
		return bconf_err(c, at, "name", "\"%s\" is used by another backend", s);
	*name = xstrdup(s);
	return 0;
}

static int
config_backend(struct pctx *c, struct backend_config *cfg, const cJSON *defaults,
    const cJSON *obj, size_t i)
{
	const struct backend_kind_def *kd;
	const cJSON *kind;
	struct backend *be;
	char at[32], *name = NULL;

	snprintf(at, sizeof at, "backends[%zu]", i);
	if (bconf_object(c, obj, at, NULL) != 0 || config_name(c, cfg, obj, at, &name) != 0)
		return -1;
	kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	if (kind == NULL || !cJSON_IsString(kind)) {
		free(name);
		return bconf_err(c, at, "kind", kind == NULL ? "missing" : "expected a string");
	}
	if ((kd = backend_kind_find(kind->valuestring)) == NULL) {
		free(name);
		return bconf_err(c, at, "kind", "unknown kind \"%s\" (known: openai-chat, "
		    "openai-images, a1111, embeddings, kserve-v2)", kind->valuestring);
	}
	/* Added before parsing so that bconf_free releases it on any error. */
	be = &cfg->b[cfg->n++];
	bconf_init(be, kd->kind);
	be->name = name;
	c->kind = kd->kind;
	c->skip_foreign = 1;
	if (defaults != NULL && bconf_layer(c, be, defaults, "defaults", 1) != 0)
		return -1;
	c->skip_foreign = 0;
	if (bconf_layer(c, be, obj, at, 0) != 0)
		return -1;
	return config_finish(c, be, at);
}

/* The defaults are checked once on their own, so that their errors name them. */
static int
config_defaults(struct pctx *c, const cJSON *defaults)
{
	struct backend dummy;
	int rc;

	if (bconf_object(c, defaults, "", "defaults") != 0)
		return -1;
	bconf_init(&dummy, BK_CHAT);
	c->kind = BK_COUNT;
	rc = bconf_layer(c, &dummy, defaults, "defaults", 1);
	bconf_free(&dummy);
	return rc;
}

static int
config_roles(struct pctx *c, struct backend_config *cfg, const cJSON *roles)
{
	const cJSON *it;
	char *why = NULL;
	int r;

	if (bconf_object(c, roles, "", "roles") != 0)
		return -1;
	cJSON_ArrayForEach(it, roles) {
		for (r = 0; r < ROLE_COUNT; r++) {
			if (strcmp(it->string, backend_role_name((enum backend_role)r)) == 0)
				break;
		}
		if (r == ROLE_COUNT)
			return bconf_err(c, "roles", it->string, "unknown role (known: llm, vlm, "
			    "image, clip, classifier)");
		if (bconf_str(c, it, "roles", 1, &cfg->roles[r]) != 0)
			return -1;
		if (cfg->roles[r] != NULL &&
		    role_named(cfg, (enum backend_role)r, cfg->roles[r], "", &why) == NULL) {
			bconf_err(c, "roles", it->string, "%s", why);
			free(why);
			return -1;
		}
	}
	return 0;
}

static int
config_top(struct pctx *c, struct backend_config *cfg, const cJSON *root)
{
	const cJSON *it, *defaults, *backends;
	size_t i = 0;

	if (!cJSON_IsObject(root))
		return cause_set(c->cause, "%s: expected a JSON object at the top", c->file);
	if (bconf_object(c, root, "", "(top level)") != 0)
		return -1;
	cJSON_ArrayForEach(it, root) {
		if (strcmp(it->string, "defaults") != 0 && strcmp(it->string, "backends") != 0 &&
		    strcmp(it->string, "roles") != 0 && strcmp(it->string, "cache_dir") != 0 &&
		    strcmp(it->string, "log") != 0)
			return bconf_err(c, "", it->string, "unknown key");
	}
	defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
	if (defaults != NULL && config_defaults(c, defaults) != 0)
		return -1;
	backends = cJSON_GetObjectItemCaseSensitive(root, "backends");
	if (backends == NULL)
		return bconf_err(c, "", "backends", "missing");
	if (!cJSON_IsArray(backends) || cJSON_GetArraySize(backends) == 0)
		return bconf_err(c, "", "backends", "expected a non-empty array");
	cfg->b = xcalloc((size_t)cJSON_GetArraySize(backends), sizeof *cfg->b);
	cJSON_ArrayForEach(it, backends) {
		free(c->auth);
		free(c->labels_file);
		c->auth = c->labels_file = NULL;
		if (config_backend(c, cfg, defaults, it, i++) != 0)
			return -1;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "roles")) != NULL &&
	    config_roles(c, cfg, it) != 0)
		return -1;
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "cache_dir")) != NULL &&
	    bconf_str(c, it, "", 1, &cfg->cache_dir) != 0)
		return -1;
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "log")) != NULL &&
	    bconf_str(c, it, "", 1, &cfg->log_path) != 0)
		return -1;
	return 0;
}

int
backend_config_parse(const char *text, size_t len, const char *path,
    struct backend_config **out, char **cause)
{
	struct backend_config *cfg;
	struct pctx c;
	const char *slash;
	char *dir;
	cJSON *root;
	int rc;

	*out = NULL;
	if (path == NULL)
		path = "config";
	if ((root = bconf_json(text, len, path, cause)) == NULL)
		return -1;
	/* labels_file is relative to the config's own folder, not the working directory. */
	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrdup(".");
	else
		dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	memset(&c, 0, sizeof c);
	c.file = path;
	c.dir = dir;
	c.cause = cause;
	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	rc = config_top(&c, cfg, root);
	free(c.auth);
	free(c.labels_file);
	free(dir);
	cJSON_Delete(root);
	if (rc != 0) {
		backend_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

/* ---- roles ---- */

const struct backend *
backend_find(const struct backend_config *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n; i++) {
		if (strcmp(cfg->b[i].name, name) == 0)
			return &cfg->b[i];
	}
	return NULL;
}

/* 1 when a backend of kind k can serve role r. */
static int
role_fits(enum backend_role r, enum backend_kind k)
{
	switch (r) {
	case ROLE_LLM:
	case ROLE_VLM:
		return k == BK_CHAT;
	case ROLE_IMAGE:
		return k == BK_A1111 || k == BK_IMAGES;
	case ROLE_CLIP:
		return k == BK_EMBED;
	case ROLE_CLASSIFIER:
		return k == BK_KSERVE;
	default:
		return 0;
	}
}

/* The kinds a role accepts, in words, for causes. */
static const char *
role_kinds(enum backend_role r)
{
	switch (r) {
	case ROLE_LLM:
	case ROLE_VLM:
		return "openai-chat";
	case ROLE_IMAGE:
		return "a1111 or openai-images";
	case ROLE_CLIP:
		return "embeddings";
	case ROLE_CLASSIFIER:
		return "kserve-v2";
	default:
		return "known";
	}
}

static const struct backend *
role_named(const struct backend_config *cfg, enum backend_role role, const char *name,
    const char *from, char **cause)
{
	const struct backend *be = backend_find(cfg, name);

	if (be == NULL) {
		cause_set(cause, "no backend named \"%s\"%s", name, from);
		return NULL;
	}
	if (!role_fits(role, be->kind)) {
		cause_set(cause, "backend %s is %s; role %s needs a backend of kind %s%s", be->name,
		    backend_kind_name(be->kind), backend_role_name(role), role_kinds(role), from);
		return NULL;
	}
	return be;
}

const struct backend *
backend_for_role(const struct backend_config *cfg, enum backend_role role, const char *name,
    char **cause)
{
	if ((int)role < 0 || role >= ROLE_COUNT) {
		cause_set(cause, "unknown role %d", (int)role);
		return NULL;
	}
	if (cfg == NULL) {
		cause_set(cause, "no backend for role %s (no config loaded)",
		    backend_role_name(role));
		return NULL;
	}
	if (name != NULL && *name != '\0')
		return role_named(cfg, role, name, "", cause);
	if (cfg->roles[role] != NULL)
		return role_named(cfg, role, cfg->roles[role], " (from the roles map)", cause);

	/* A VLM job on a text-only model fails on every item: prefer one that says it sees. */
	if (role == ROLE_VLM) {
		for (size_t i = 0; i < cfg->n; i++) {
			if (cfg->b[i].kind == BK_CHAT && cfg->b[i].vision)
				return &cfg->b[i];
		}
	}
	for (size_t i = 0; i < cfg->n; i++) {
		if (role_fits(role, cfg->b[i].kind))
			return &cfg->b[i];
	}
	cause_set(cause, "no backend for role %s (the config has no %s backend)",
	    backend_role_name(role), role_kinds(role));
	return NULL;
}

/* ---- keys ---- */

/*
 * The value of variable name with surrounding blanks removed (a key pasted
 * from a file often ends in a newline), or NULL when unset, empty, or
 * holding control bytes that would break the header line.
 */
static char *
env_value(const char *name)
{
	const char *v, *end;

	if (name == NULL || (v = getenv(name)) == NULL)
		return NULL;
	while (isspace((unsigned char)*v))
		v++;
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	if (end == v)
		return NULL;
	for (const char *p = v; p < end; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	}
	return xstrndup(v, (size_t)(end - v));
}

char *
backend_auth_header(const struct backend *be)
{
	char *key, *user, *pass, *pair, *enc, *line;

	switch (be->auth) {
	case AUTH_BEARER:
		if ((key = env_value(be->api_key_env)) == NULL)
			return NULL;
		line = xasprintf("Authorization: Bearer %s", key);
		free(key);
		return line;
	case AUTH_BASIC:
		user = env_value(be->user_env);
		pass = env_value(be->pass_env);
		if (user == NULL || pass == NULL) {
			free(user);
			free(pass);
			return NULL;
		}
		pair = xasprintf("%s:%s", user, pass);
		enc = b64_encode(pair, strlen(pair), NULL);
		line = xasprintf("Authorization: Basic %s", enc);
		/* Scrub: these buffers held the secret. */
		memset(pair, 0, strlen(pair));
		memset(pass, 0, strlen(pass));
		free(pair);
		free(enc);
		free(user);
		free(pass);
		return line;
	default:
		return NULL;
	}
}

char *
backend_secret(const struct backend *be)
{
	switch (be->auth) {
	case AUTH_BEARER:
		return env_value(be->api_key_env);
	case AUTH_BASIC:
		return env_value(be->pass_env);
	default:
		return NULL;
	}
}
