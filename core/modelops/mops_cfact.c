/* SPDX-License-Identifier: MIT */
/*
 * CFT-CLIP counterfactual captions: entities of the asked types (people by
 * default) are replaced with other plausible entities of the same type,
 * making a hard negative for the image. The paper tags names with spaCy and
 * refills them with BERT; an LLM does both here, asked for JSON (a schema
 * when the backend supports structured output). Like the paper, a result is
 * kept only when CLIP finds it less similar to the image than the original,
 * retrying with a new seed a few times.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/mclient.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define CAPTION_IN_MAX 2000 /* bytes of the parent caption put in the prompt */
#define CAPTION_OUT_MAX 2000
#define ENTITY_MAX 200      /* bytes of one entity */
#define SWAPS_MAX 16        /* replacements read from one reply */

static const char cfact_system[] =
    "You write counterfactual image captions. You get a caption and a list of entity "
    "types. Find every mention in the caption of an entity of one of those types (for "
    "\"person\": the name of a specific person; for \"location\": a named place; and so "
    "on). Replace each with a different, plausible entity of the same type, and leave every "
    "other word of the caption exactly as it is. Answer with a JSON object only, of the "
    "form {\"replacements\": [{\"from\": \"the mention as written in the caption\", "
    "\"to\": \"what replaces it\"}], \"caption\": \"the caption with the replacements "
    "made\"}. When the caption mentions no entity of those types, answer "
    "{\"replacements\": [], \"caption\": \"\"}.";

static const char cfact_schema[] =
    "{\"type\":\"object\",\"properties\":{\"replacements\":{\"type\":\"array\",\"items\":"
    "{\"type\":\"object\",\"properties\":{\"from\":{\"type\":\"string\"},\"to\":{\"type\":"
    "\"string\"}},\"required\":[\"from\",\"to\"],\"additionalProperties\":false}},"
    "\"caption\":{\"type\":\"string\"}},\"required\":[\"replacements\",\"caption\"],"
    "\"additionalProperties\":false}";

/* Two examples: one replacement among other names that must stay, and nothing to do. */
static const struct chat_turn cfact_shots[] = {
	{ "Entity types: person\nCaption: Serena Williams waves to the crowd after her match "
	  "in London.",
	  "{\"replacements\": [{\"from\": \"Serena Williams\", \"to\": \"Naomi Osaka\"}], "
	  "\"caption\": \"Naomi Osaka waves to the crowd after her match in London.\"}" },
	{ "Entity types: person\nCaption: A red kite flies over an empty beach.",
	  "{\"replacements\": [], \"caption\": \"\"}" },
};

struct cfact_plan {
	const struct backend *llm, *clip; /* clip: NULL when the check is off */
	char *types;
};

void
mops_swap_free(struct mops_swap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->from[i]);
		free(s->to[i]);
	}
	free(s->from);
	free(s->to);
	free(s->caption);
	memset(s, 0, sizeof *s);
}

/* Reads the replacements; MOPS_BAD_FORMAT with *why when one is not {"from","to"} strings. */
static enum mops_verdict
read_swaps(const cJSON *list, struct mops_swap *out, char **why)
{
	const cJSON *it;
	size_t i = 0;

	cJSON_ArrayForEach(it, list) {
		size_t at = i++;
		char *from = mops_json_string(it, "from", ENTITY_MAX), *to = mops_json_string(it, "to", ENTITY_MAX);
		if (from == NULL || to == NULL) {
			free(from);
			free(to);
			cause_set(why, "replacements[%zu] is not {\"from\": ..., \"to\": ...}", at);
			return MOPS_BAD_FORMAT;
		}
		if (out->n == SWAPS_MAX || *from == '\0') {
			free(from);
			free(to);
			continue;
		}
		out->from = xreallocarray(out->from, out->n + 1, sizeof *out->from);
		out->to = xreallocarray(out->to, out->n + 1, sizeof *out->to);
		out->from[out->n] = from;
		out->to[out->n++] = to;
	}
	return MOPS_OK;
}

enum mops_verdict
mops_cfact_parse(const char *reply, const char *source, struct mops_swap *out, char **why)
{
	cJSON *doc = mops_json_object(reply);
	const cJSON *list;
	enum mops_verdict v;

	memset(out, 0, sizeof *out);
	if (doc == NULL) {
		char *ex = mops_excerpt(reply, 80);
		cause_set(why, "the reply holds no JSON object: \"%s\"", ex);
		free(ex);
		return MOPS_BAD_FORMAT;
	}
	list = cJSON_GetObjectItemCaseSensitive(doc, "replacements");
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(doc);
		cause_set(why, "the reply has no \"replacements\" list");
		return MOPS_BAD_FORMAT;
	}
	if ((v = read_swaps(list, out, why)) != MOPS_OK) {
		cJSON_Delete(doc);
		return v;
	}
	if (out->n == 0) {
		cJSON_Delete(doc);
		return MOPS_NONE;
	}
	out->caption = mops_json_string(doc, "caption", CAPTION_OUT_MAX);
	cJSON_Delete(doc);
	if (out->caption == NULL) {
		cause_set(why, "the reply has no \"caption\" string");
		return MOPS_BAD_FORMAT;
	}
	for (size_t i = 0; i < out->n; i++) {
		if (mops_find_ci(source, out->from[i]) < 0) {
			cause_set(why, "\"%s\" is not in the caption", out->from[i]);
			return MOPS_REJECTED;
		}
		if (*out->to[i] == '\0' || mops_same_text(out->to[i], out->from[i])) {
			cause_set(why, "\"%s\" is not replaced by anything else", out->from[i]);
			return MOPS_REJECTED;
		}
		if (mops_find_ci(out->caption, out->to[i]) < 0) {
			cause_set(why, "\"%s\" is not in the new caption", out->to[i]);
			return MOPS_REJECTED;
		}
	}
	if (*out->caption == '\0' || mops_same_text(out->caption, source)) {
		cause_set(why, "the new caption is %s", *out->caption == '\0' ? "empty" :
		    "the same as the original");
		return MOPS_REJECTED;
	}
	return MOPS_OK;
}

static void
cfact_plan_free(void *arg)
{
	struct cfact_plan *p = arg;

	free(p->types);
	free(p);
}

OPPLAN(counterfactual)
{
	const char *check = mops_str(op, args, "check");
	const struct backend *llm, *clip = NULL;
	struct cfact_plan *p;
	char *types, *why = NULL;

	if ((llm = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL)
		return -1;
	types = mops_clean(mops_str(op, args, "entities"), 0, 200);
	if (strspn(types, ", ") == strlen(types)) {
		free(types);
		return cause_set(cause, "counterfactual: entities is empty (e.g. entities=person)");
	}
	if (strcmp(check, "off") != 0) {
		clip = mops_backend(op, args, in->mc, ROLE_CLIP, &why);
		/* auto checks when it can; a clip backend named outright must exist. */
		if (clip == NULL && (strcmp(check, "on") == 0 ||
		    *mops_str(op, args, "clip") != '\0')) {
			cause_set(cause, "%s (check=on needs a clip backend)", why);
			free(why);
			free(types);
			return -1;
		}
		if (clip == NULL)
			out->note = xstrdup("counterfactual: no clip backend: results are kept "
			    "without the CLIP similarity check");
		free(why);
	}
	p = xcalloc(1, sizeof *p);
	p->llm = llm;
	p->clip = clip;
	p->types = types;
	mops_plan_add(out, "{}");
	out->state = p;
	out->state_free = cfact_plan_free;
	return 0;
}

/* Embeds texts or one image with the clip backend; -1 with *cause prefixed. */
static int
embed(const struct backend *be, struct mclient *mc, const char *text, const struct image *img,
    float **v, size_t *dim, char **cause)
{
	char *why = NULL;
	int rc;

	rc = mclient_embed(mc, be, text != NULL ? &text : NULL,
	    img != NULL ? &img : NULL, 1, v, dim, &why);
	if (rc != 0) {
		cause_set(cause, "counterfactual: %s", why != NULL ? why : "embedding failed");
		free(why);
	}
	return rc;
}

/* Cosines need one dimension: a backend changing it mid-batch is a protocol failure. */
static int
cosine(const float *a, size_t da, const float *b, size_t db, double *out, char **cause)
{
	if (da != db)
		return cause_set(cause, "counterfactual: image and text vectors differ in size "
		    "(%zu and %zu)", da, db);
	*out = mclient_cosine(a, b, da);
	return 0;
}

static double
round4(double x)
{
	return round(x * 1e4) / 1e4;
}

static void
finish(const struct cfact_plan *p, const struct op_input *in, struct op_output *out,
    struct mops_swap *s, int attempt, double before, double after)
{
	cJSON *meta = cJSON_CreateObject(), *list, *one;

	cJSON_AddBoolToObject(meta, "negative", 1);
	list = cJSON_AddArrayToObject(meta, "replaced");
	for (size_t i = 0; i < s->n; i++) {
		one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "from", s->from[i]);
		cJSON_AddStringToObject(one, "to", s->to[i]);
		cJSON_AddItemToArray(list, one);
	}
	if (p->clip != NULL) {
		cJSON_AddNumberToObject(meta, "clip_before", round4(before));
		cJSON_AddNumberToObject(meta, "clip_after", round4(after));
		mops_lineage_add(out, ROLE_CLIP, p->clip);
	}
	out->meta = mops_json_take(meta);
	out->text = s->caption;
	s->caption = NULL;
	out->extra = xasprintf("{\"request_seed\":%lld,\"attempts_used\":%d}",
	    (long long)((in->seed + attempt) & 0x7fffffff), attempt + 1);
}

OPIMPL(counterfactual)
{
	const struct cfact_plan *p = in->plan;
	int attempts = (int)mops_num(op, args, "attempts"), bad = 0, rc = -1;
	float *vimg = NULL, *vsrc = NULL, *vnew = NULL;
	size_t dimg = 0, dsrc = 0, dnew = 0;
	double before = 0, after = 0;
	struct chat_request r;
	struct chat_reply reply;
	struct mops_swap s;
	char *source, *prompt, *why = NULL;

	if (p == NULL)
		return cause_set(cause, "counterfactual: run without its plan");
	if (p->clip != NULL && in->img[0] == NULL)
		return cause_set(cause, "counterfactual: the image was not loaded");
	source = mops_clean(in->text[0], 0, CAPTION_IN_MAX);
	if (*source == '\0') {
		free(source);
		out->unchanged = 1;
		return 0;
	}
	prompt = xasprintf("Entity types: %s\nCaption: %s", p->types, source);
	memset(&r, 0, sizeof r);
	memset(&s, 0, sizeof s);
	r.system = cfact_system;
	r.shots = cfact_shots;
	r.nshots = sizeof cfact_shots / sizeof cfact_shots[0];
	r.user = prompt;
	r.temperature = mops_num(op, args, "temperature");
	r.top_p = -1;
	r.has_seed = 1;
	r.schema = cfact_schema;
	r.schema_name = "counterfactual";
	for (int attempt = 0; attempt < attempts; attempt++) {
		/* Kept to 31 bits like the candidate's seed: some servers store it in an int32. */
		r.seed = (in->seed + attempt) & 0x7fffffff;
		if (mops_chat(op, in->mc, p->llm, &r, &reply, cause) != 0)
			goto out;
		mops_lineage(out, ROLE_LLM, p->llm, prompt, reply.id);
		mops_swap_free(&s);
		free(why);
		why = NULL;
		enum mops_verdict v = mops_cfact_parse(reply.texts[0], source, &s, &why);
		chat_reply_free(&reply);
		if (v == MOPS_NONE) {
			out->unchanged = 1;
			rc = 0;
			goto out;
		}
		bad = v == MOPS_BAD_FORMAT;
		if (v != MOPS_OK)
			continue;
		if (p->clip == NULL) {
			finish(p, in, out, &s, attempt, 0, 0);
			rc = 0;
			goto out;
		}
		/* The image and the original are embedded once, and only when needed. */
		if (vimg == NULL && (embed(p->clip, in->mc, NULL, in->img[0], &vimg, &dimg,
		    cause) != 0 || embed(p->clip, in->mc, source, NULL, &vsrc, &dsrc, cause) != 0 ||
		    cosine(vimg, dimg, vsrc, dsrc, &before, cause) != 0))
			goto out;
		free(vnew);
		vnew = NULL;
		if (embed(p->clip, in->mc, s.caption, NULL, &vnew, &dnew, cause) != 0 ||
		    cosine(vimg, dimg, vnew, dnew, &after, cause) != 0)
			goto out;
		if (after < before) {
			finish(p, in, out, &s, attempt, before, after);
			rc = 0;
			goto out;
		}
		why = xasprintf("CLIP similarity did not drop (%.2f -> %.2f)", before, after);
	}
	/* Every attempt failed: a reply in the wrong shape is a failure, a poor one a filter. */
	if (bad) {
		cause_set(cause, "counterfactual: %s", why);
		goto out;
	}
	out->filtered = why;
	why = NULL;
	if (p->clip != NULL && vimg != NULL)
		mops_lineage_add(out, ROLE_CLIP, p->clip);
	rc = 0;
out:
	mops_swap_free(&s);
	free(why);
	free(vimg);
	free(vsrc);
	free(vnew);
	free(prompt);
	free(source);
	return rc;
}
