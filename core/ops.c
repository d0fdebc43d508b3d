/* SPDX-License-Identifier: MIT */
/* The operator table and parameter parsing into canonical JSON. */
#include "core/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ops_impl.h"
#include "core/util.h"

#define P(n) (sizeof(n) / sizeof((n)[0]))

static const struct op_param mixgen_params[] = {
	{ "lambda", PARAM_FLOAT, 0, 1, "0.5", NULL, "weight of the candidate's own image" },
	{ "partner", PARAM_ID, 0, 0, "", NULL, "the second pair (default: a seeded choice)" },
};
static const struct op_param cutmix_params[] = {
	{ "caption", PARAM_ENUM, 0, 0, "concat", "concat|dominant",
	    "join both captions, or keep the one covering the larger area" },
	{ "partner", PARAM_ID, 0, 0, "", NULL, "the second pair (default: a seeded choice)" },
};
static const struct op_param rotate_params[] = {
	{ "max_angle", PARAM_FLOAT, 0, 180, "15", NULL, "angle drawn from U(-max, max) degrees" },
};
static const struct op_param crop_params[] = {
	{ "scale_min", PARAM_FLOAT, 0.05, 1, "0.5", NULL, "smallest area fraction kept" },
	{ "scale_max", PARAM_FLOAT, 0.05, 1, "1.0", NULL, "largest area fraction kept" },
};
static const struct op_param color_params[] = {
	{ "brightness", PARAM_FLOAT, 0, 1, "0.2", NULL, "factor drawn from U(1-b, 1+b)" },
	{ "contrast", PARAM_FLOAT, 0, 1, "0.2", NULL, "factor drawn from U(1-c, 1+c)" },
	{ "saturation", PARAM_FLOAT, 0, 1, "0.2", NULL, "factor drawn from U(1-s, 1+s)" },
	{ "hue", PARAM_FLOAT, 0, 0.5, "0.05", NULL, "shift drawn from U(-h, h) turns" },
};
static const struct op_param blur_params[] = {
	{ "sigma_min", PARAM_FLOAT, 0.1, 20, "0.1", NULL, "smallest Gaussian sigma (pixels)" },
	{ "sigma_max", PARAM_FLOAT, 0.1, 20, "2.0", NULL, "largest Gaussian sigma (pixels)" },
};
static const struct op_param noise_params[] = {
	{ "sigma", PARAM_FLOAT, 0, 128, "8", NULL, "standard deviation of the added noise" },
};
static const struct op_param jpeg_params[] = {
	{ "quality", PARAM_INT, 1, 100, "30", NULL, "JPEG quality of the re-encoding" },
};

static const struct op_param synonym_params[] = {
	{ "aug_p", PARAM_FLOAT, 0, 1, "0.3", NULL, "fraction of candidate words to replace" },
	{ "aug_min", PARAM_INT, 0, 100, "1", NULL, "replace at least this many" },
	{ "aug_max", PARAM_INT, 1, 100, "10", NULL, "replace at most this many" },
	{ "protect", PARAM_WORDS, 0, 0, "", NULL, "comma-separated words never replaced" },
	{ "protect_colours", PARAM_BOOL, 0, 1, "false", NULL,
	    "never replace colour words (red, green, ...)" },
};
static const struct op_param hypernym_params[] = {
	{ "max_changes", PARAM_INT, 1, 100, "1", NULL, "nouns to generalise at most" },
};
static const struct op_param eda_params[] = {
	{ "p_swap", PARAM_FLOAT, 0, 1, "0.1", NULL, "per-word chance of a swap" },
	{ "p_delete", PARAM_FLOAT, 0, 1, "0.1", NULL, "per-word chance of deletion" },
	{ "p_insert", PARAM_FLOAT, 0, 1, "0.1", NULL, "per-word chance of inserting a synonym" },
};

const struct op_def op_table[] = {
	{ "mixgen", 1, OP_PAIR, 2, 0, 0, "MixGen: blend two images, join their captions",
	    mixgen_params, P(mixgen_params), opimpl_mixgen },
	{ "cutmix", 1, OP_PAIR, 2, 0, 0, "CutMix / Cut-Switch: paste a box of a second image",
	    cutmix_params, P(cutmix_params), opimpl_cutmix },
	{ "hflip", 1, OP_IMAGE, 1, 0, 0, "mirror the image; swap left/right in the caption",
	    NULL, 0, opimpl_hflip },
	{ "rotate", 1, OP_IMAGE, 1, 0, 0, "rotate about the centre by a random angle",
	    rotate_params, P(rotate_params), opimpl_rotate },
	{ "crop", 1, OP_IMAGE, 1, 0, 0, "random resized crop back to the original size",
	    crop_params, P(crop_params), opimpl_crop },
	{ "color", 1, OP_IMAGE, 1, 0, 0, "random brightness, contrast, saturation and hue",
	    color_params, P(color_params), opimpl_color },
	{ "grayscale", 1, OP_IMAGE, 1, 0, 0, "ITU-R 601 luma", NULL, 0, opimpl_grayscale },
	{ "blur", 1, OP_IMAGE, 1, 0, 0, "Gaussian blur with a random sigma",
	    blur_params, P(blur_params), opimpl_blur },
	{ "noise", 1, OP_IMAGE, 1, 0, 0, "additive Gaussian noise", noise_params, P(noise_params),
	    opimpl_noise },
	{ "jpeg", 1, OP_IMAGE, 1, 0, 0, "re-encode as a low-quality JPEG", jpeg_params,
	    P(jpeg_params), opimpl_jpeg },
	{ "synonym", 1, OP_TEXT, 1, 0, 1,
	    "replace content words by WordNet synonyms of their most frequent sense",
	    synonym_params, P(synonym_params), opimpl_synonym },
	{ "hypernym", 1, OP_TEXT, 1, 0, 1,
	    "generalise nouns one step up WordNet (espresso -> coffee)",
	    hypernym_params, P(hypernym_params), opimpl_hypernym },
	{ "eda", 1, OP_TEXT, 1, 0, 1, "EDA: random swap, deletion and synonym insertion",
	    eda_params, P(eda_params), opimpl_eda },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL },
};

const struct op_def *
op_find(const char *name)
{
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		if (strcmp(op->name, name) == 0)
			return op;
	return NULL;
}

int
op_param_index(const struct op_def *op, const char *name)
{
	for (int i = 0; i < op->nparams; i++)
		if (strcmp(op->params[i].name, name) == 0)
			return i;
	return -1;
}

static int
choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p += len + (bar != NULL);
	}
	return 0;
}

static int
set_value(const struct op_def *op, int i, const char *v, struct op_args *args, char **cause)
{
	const struct op_param *p = &op->params[i];
	char *end;
	double d;

	switch (p->type) {
	case PARAM_INT:
	case PARAM_FLOAT:
	case PARAM_BOOL:
		if (p->type == PARAM_BOOL) {
			if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
				d = 1;
			else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
			    strcmp(v, "no") == 0)
				d = 0;
			else
				return cause_set(cause, "%s: %s=%s: want true or false", op->name,
				    p->name, v);
			args->num[i] = d;
			return 0;
		}
		d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || !isfinite(d))
			return cause_set(cause, "%s: %s=%s: not a number", op->name, p->name, v);
		if (p->type == PARAM_INT && d != floor(d))
			return cause_set(cause, "%s: %s=%s: want a whole number", op->name, p->name,
			    v);
		if (d < p->min || d > p->max)
			return cause_set(cause, "%s: %s=%s: out of range %g..%g", op->name, p->name,
			    v, p->min, p->max);
		args->num[i] = d;
		return 0;
	case PARAM_ENUM:
		if (!choice_ok(p->choices, v))
			return cause_set(cause, "%s: %s=%s: want one of %s", op->name, p->name, v,
			    p->choices);
		/* FALLTHROUGH */
	case PARAM_ID:
	case PARAM_WORDS:
		free(args->str[i]);
		args->str[i] = xstrdup(v);
		return 0;
	}
	return cause_set(cause, "%s: %s: unknown parameter type", op->name, p->name);
}

/* Appends a JSON string with the few escapes parameter text can need. */
static void
json_str(char **buf, const char *s)
{
	char *out = xmalloc(strlen(s) * 6 + 3), *o = out;

	*o++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			*o++ = '\\', *o++ = (char)c;
		else if (c < 0x20)
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	*o = '\0';
	char *joined = xasprintf("%s%s", *buf, out);
	free(*buf);
	free(out);
	*buf = joined;
}

int
op_args_parse(const struct op_def *op, char *const *sets, size_t nsets, struct op_args *args,
    char **canonical, char **cause)
{
	char *json;

	memset(args, 0, sizeof *args);
	for (int i = 0; i < op->nparams; i++)
		if (set_value(op, i, op->params[i].def, args, cause) != 0)
			goto fail;
	for (size_t k = 0; k < nsets; k++) {
		const char *eq = strchr(sets[k], '=');
		if (eq == NULL) {
			cause_set(cause, "%s: %s: want KEY=VALUE", op->name, sets[k]);
			goto fail;
		}
		char *key = xstrndup(sets[k], (size_t)(eq - sets[k]));
		int i = op_param_index(op, key);
		if (i < 0) {
			cause_set(cause, "%s: unknown parameter %s (mmda ops lists them)", op->name,
			    key);
			free(key);
			goto fail;
		}
		free(key);
		if (set_value(op, i, eq + 1, args, cause) != 0)
			goto fail;
	}
	json = xstrdup("{");
	for (int i = 0; i < op->nparams; i++) {
		const struct op_param *p = &op->params[i];
		char *next = xasprintf("%s%s", json, i ? "," : "");
		free(json);
		json = next;
		json_str(&json, p->name);
		next = xasprintf("%s:", json);
		free(json);
		json = next;
		if (p->type == PARAM_ENUM || p->type == PARAM_ID || p->type == PARAM_WORDS)
			json_str(&json, args->str[i]);
		else if (p->type == PARAM_BOOL)
			next = xasprintf("%s%s", json, args->num[i] != 0 ? "true" : "false");
		else
			/* %.17g round-trips a double, so one value has one spelling. */
			next = xasprintf("%s%.17g", json, args->num[i]);
		if (p->type != PARAM_ENUM && p->type != PARAM_ID && p->type != PARAM_WORDS) {
			free(json);
			json = next;
		}
	}
	*canonical = xasprintf("%s}", json);
	free(json);
	return 0;
fail:
	op_args_free(op, args);
	return -1;
}

void
op_args_free(const struct op_def *op, struct op_args *args)
{
	for (int i = 0; i < op->nparams && i < OP_MAX_PARAMS; i++) {
		free(args->str[i]);
		args->str[i] = NULL;
	}
}

void
op_output_free(struct op_output *out)
{
	image_free(&out->img);
	free(out->text);
	free(out->extra);
	memset(out, 0, sizeof *out);
}
