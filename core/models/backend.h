/* SPDX-License-Identifier: MIT */
/*
 * Model backends as configured: one JSON file names every server mmda may
 * call (its kind, base URLs, model, where its key lives, limits and the
 * quirks of the server behind it). The file is found by --config, then
 * $MMDA_CONFIG, then ./mmda.json, then $XDG_CONFIG_HOME/mmda/config.json
 * (~/.config/mmda/config.json). Keys are never in the file: a backend names
 * the environment variable that holds its key, and the key is read only when
 * a request is sent.
 *
 * Validation is strict: an unknown kind, key or quirk is an error naming the
 * file and the key, so a typo never silently falls back to a default.
 */
#ifndef MMDA_BACKEND_H
#define MMDA_BACKEND_H

#include <stddef.h>
#include <stdint.h>

enum backend_kind {
	BK_CHAT,   /* openai-chat: /chat/completions */
	BK_IMAGES, /* openai-images: /images/generations, /images/edits */
	BK_A1111,  /* a1111: /sdapi/v1/txt2img, /sdapi/v1/img2img */
	BK_EMBED,  /* embeddings: /embeddings (CLIP image and text vectors) */
	BK_KSERVE, /* kserve-v2: /v2/models/{m}/infer (a classifier) */
	BK_COUNT
};

/* The kind table: one row per kind, feeding validation, `mmda backends` and the docs. */
struct backend_kind_def {
	const char *name;        /* as written in the config ("openai-chat") */
	enum backend_kind kind;
	const char *health_path; /* GET'ed by `mmda backends --check`, relative to the base URL */
	const char *summary;
	const char *servers;     /* the servers this kind was written against */
};
extern const struct backend_kind_def backend_kinds[]; /* ended by a NULL name */
const struct backend_kind_def *backend_kind_find(const char *name);
const char *backend_kind_name(enum backend_kind k);

/* What an operator asks a backend to do; the config's "roles" map picks one per role. */
enum backend_role {
	ROLE_LLM,        /* text in, text out (openai-chat) */
	ROLE_VLM,        /* image in, text out (openai-chat with "vision": true) */
	ROLE_IMAGE,      /* text-to-image, img2img, inpainting (a1111 or openai-images) */
	ROLE_CLIP,       /* image and text embeddings (embeddings) */
	ROLE_CLASSIFIER, /* class probabilities of an image (kserve-v2) */
	ROLE_COUNT
};
const char *backend_role_name(enum backend_role r);

enum auth_style { AUTH_NONE, AUTH_BEARER, AUTH_BASIC };
enum structured_style { STRUCT_NONE, STRUCT_JSON_OBJECT, STRUCT_JSON_SCHEMA };
enum mask_style { MASK_WHITE, MASK_ALPHA };         /* white = edit, or transparent = edit */
enum image_style { IMG_MODALITY, IMG_MESSAGES, IMG_CONTENT_PARTS }; /* embeddings input */

struct backend_retry {
	int max;               /* retries after the first attempt */
	int base_ms, cap_ms;   /* backoff: min(cap, base * 2^attempt) */
	double jitter;         /* 0..1: the delay is reduced by up to this fraction at random */
	int max_retry_after_s; /* a longer Retry-After fails the request instead of waiting */
	int retry_on[16];      /* HTTP statuses worth retrying */
	int nretry_on;
};

struct backend {
	char *name;
	enum backend_kind kind;
	char **urls;           /* base URLs without a trailing slash (several: a fleet) */
	size_t nurls;
	char *model;           /* sent as "model"; also recorded in lineage and scores */
	enum auth_style auth;
	char *api_key_env;     /* BEARER: the variable holding the key */
	char *user_env, *pass_env; /* BASIC */
	int max_concurrency;   /* requests in flight to this backend at once */
	long connect_ms, request_ms;
	size_t max_response;   /* bytes; a larger body fails the request */
	struct backend_retry retry;
	int rest_after;        /* consecutive failures before a fleet URL is rested */
	int rest_ms;           /* how long it rests */
	int vision;            /* chat: accepts images */

	/* openai-chat quirks */
	char *max_tokens_field; /* "max_tokens" or "max_completion_tokens" */
	int supports_n;
	enum structured_style structured;
	char *image_detail;     /* "low", "high", "auto" or NULL (omitted) */
	char *extra_body;       /* a JSON object merged into every request body, or NULL */
	/* openai-images quirks */
	char *edits_image_field; /* "image" or "image[]" */
	enum mask_style mask_style;
	int send_response_format; /* send "response_format": "b64_json" */
	int prompt_extra_args;    /* stable-diffusion.cpp: <sd_cpp_extra_args>{...}</sd_cpp_extra_args> */
	/* a1111 defaults */
	char *sampler;          /* NULL: the server's */
	int steps;              /* 0: the server's */
	char *checkpoint;       /* override_settings.sd_model_checkpoint, or NULL */
	int mask_invert;        /* the server treats black as the area to edit */
	/* embeddings */
	enum image_style image_style;
	int max_batch;          /* items per request */
	int normalize;          /* L2-normalise vectors (done anyway for cosines) */
	int base64_floats;      /* ask for encoding_format "base64" */
	/* kserve-v2 */
	char *version;          /* model version, or NULL */
	char *input_name, *output_name, *datatype; /* datatype: "BYTES" (encoded image) or "UINT8" */
	int input_size;         /* UINT8: the image is resized to this square; BYTES: unused */
	char **labels;          /* class names by index (from "labels" or "labels_file") */
	size_t nlabels;
	int softmax;            /* the outputs are logits: apply softmax */
};

struct backend_config {
	char *path;            /* the file it came from */
	struct backend *b;
	size_t n;
	char *roles[ROLE_COUNT]; /* backend names from the "roles" map, or NULL */
	char *cache_dir;       /* "off", a folder, or NULL (the default folder) */
	char *log_path;        /* request log, or NULL */
};

/*
 * Finds and loads the config: explicit (a --config value) or the search
 * order above. Returns 0 with *out set (caller frees with
 * backend_config_free); 1 with *out NULL when no file exists anywhere in the
 * search order (explicit or $MMDA_CONFIG naming a missing file is an error);
 * -1 with *cause when a file is unreadable or invalid ("FILE: backends[2].kind:
 * unknown kind \"foo\"").
 */
int backend_config_load(const char *explicit_path, struct backend_config **out, char **cause);
/* Parses config text (path is used in messages only). Same returns as above, never 1. */
int backend_config_parse(const char *text, size_t len, const char *path,
    struct backend_config **out, char **cause);
void backend_config_free(struct backend_config *cfg);

/* The backend named name, or NULL. */
const struct backend *backend_find(const struct backend_config *cfg, const char *name);
/*
 * The backend serving role: name when given (it must exist and be of a kind
 * the role accepts), else the config's roles map, else the first backend of
 * an accepted kind (for ROLE_VLM, a chat backend with vision first). Returns
 * NULL with *cause ("no backend for role vlm: ...") when there is none.
 */
const struct backend *backend_for_role(const struct backend_config *cfg, enum backend_role role,
    const char *name, char **cause);

/*
 * The Authorization header line for a request ("Authorization: Bearer ..."),
 * read from the environment now. Returns NULL when the backend has no auth or
 * its variable is empty (sent without auth). The caller frees it and must
 * never log or store it.
 */
char *backend_auth_header(const struct backend *be);
/* The key's text itself (for redacting it from error messages), or NULL; caller frees. */
char *backend_secret(const struct backend *be);

#endif
