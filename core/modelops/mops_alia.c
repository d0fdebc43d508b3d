/* SPDX-License-Identifier: MIT */
/*
 * ALIA (NeurIPS 2023): a VLM captions a sample of the dataset, an LLM sums
 * the captions up as a handful of domains (settings, weather, viewpoints,
 * styles), and every image is edited into each domain by img2img or an
 * instruction edit. A CLIP semantic filter drops edits that look more like
 * a negative prompt ("a painting", "a black image") than like their own
 * caption, and a classifier confidence filter drops edits that changed
 * nothing or changed the class.
 *
 * The domains are planned once per batch and kept: in domains_file when one
 * is given (the user edits it and re-runs), and in the project setting
 * "alia.domains", so a second batch edits into the same domains without
 * asking the models again.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/mclient.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define PROMPT_MAX 600

/*
 * The confidence filter. ALIA drops an edit whose classifier confidence in
 * its label is above that class's cleanlab threshold (the mean confidence
 * of the training images of the class): "too easy" when the class still
 * wins, "likely mislabeled" when another wins. Those thresholds need a
 * model trained on labelled data the workbench does not have, so the label
 * is the parent's top class and the thresholds are fixed: an edit the
 * classifier still gives > 0.95 to that class added no useful variation,
 * and one where another class wins with > 0.5 no longer shows its label.
 */
#define TOO_EASY_P 0.95
#define MISLABELED_P 0.5

struct alia_plan {
	const struct backend *vlm, *llm, *image, *clip, *classifier;
	char **domains;
	int ndomains;
	int n;    /* edits per image and domain */
	int edit; /* mode=edit */
	char **negatives;
	size_t nnegatives;
};

static void
alia_plan_free(void *v)
{
	struct alia_plan *p = v;

	if (p == NULL)
		return;
	mops_strv_free(p->domains, (size_t)p->ndomains);
	mops_strv_free(p->negatives, p->nnegatives);
	free(p);
}

/* ---- plan ---- */

/* An optional backend: NULL when the role has none, unless the user named one. */
static int
optional_backend(const struct op_def *op, const struct op_args *args, struct mclient *mc,
    enum backend_role role, const struct backend **out, char **cause)
{
	char *why = NULL;

	*out = mops_backend(op, args, mc, role, &why);
	if (*out == NULL && *mops_str(op, args, backend_role_name(role)) != '\0') {
		cause_set(cause, "%s", why);
		free(why);
		return -1;
	}
	free(why);
	return 0;
}

static void
split_negatives(struct alia_plan *p, const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;

	for (tok = strtok_r(copy, "|", &save); tok != NULL; tok = strtok_r(NULL, "|", &save)) {
		char *t = mops_clean(tok, 0, MOPS_DOMAIN_MAX);
		if (*t == '\0') {
			free(t);
			continue;
		}
		p->negatives = xreallocarray(p->negatives, p->nnegatives + 1,
		    sizeof *p->negatives);
		p->negatives[p->nnegatives++] = t;
	}
	free(copy);
}

int
opplan_alia(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    struct op_plan *out, char **cause)
{
	struct alia_plan *p = xcalloc(1, sizeof *p);
	int filter = mops_num(op, args, "filter") != 0;
	char *note = NULL;

	p->n = (int)mops_num(op, args, "n");
	p->edit = strcmp(mops_str(op, args, "mode"), "edit") == 0;
	if (optional_backend(op, args, in->mc, ROLE_VLM, &p->vlm, cause) != 0 ||
	    optional_backend(op, args, in->mc, ROLE_LLM, &p->llm, cause) != 0 ||
	    (p->image = mops_backend(op, args, in->mc, ROLE_IMAGE, cause)) == NULL)
		goto fail;
	if (!p->edit && p->image->kind == BK_IMAGES) {
		cause_set(cause, "%s: mode=img2img needs a denoising strength, which backend %s "
		    "(openai-images) cannot take: use mode=edit or an a1111 backend", op->name,
		    p->image->name);
		goto fail;
	}
	if (filter && (optional_backend(op, args, in->mc, ROLE_CLIP, &p->clip, cause) != 0 ||
	    optional_backend(op, args, in->mc, ROLE_CLASSIFIER, &p->classifier, cause) != 0))
		goto fail;
	split_negatives(p, mops_str(op, args, "negatives"));
	if (mops_alia_domains(op, args, in, p->vlm, p->llm, &p->domains, &p->ndomains, &note,
	    cause) != 0)
		goto fail;
	for (int d = 0; d < p->ndomains; d++)
		for (int j = 0; j < p->n; j++) {
			cJSON *v = cJSON_CreateObject();
			char *json;
			cJSON_AddStringToObject(v, "domain", p->domains[d]);
			/* Not "sample": that key is the op's own caption-sample parameter. */
			cJSON_AddNumberToObject(v, "edit", j);
			json = mops_json_take(v);
			mops_plan_add(out, json);
			free(json);
		}
	if (filter && p->clip == NULL) {
		out->note = xasprintf("%s; semantic filter off: no clip backend", note);
		free(note);
	} else
		out->note = note;
	out->state = p;
	out->state_free = alia_plan_free;
	return 0;
fail:
	free(note);
	alia_plan_free(p);
	return -1;
}

/* ---- apply ---- */

/*
 * ALIA's semantic filter: softmax over 100 x cosine of the edit against
 * [its caption] + the negative prompts. 0 with *top (the winning index)
 * and *probs (caller frees), -1 with *cause.
 */
static int
semantic(const struct op_def *op, const struct alia_plan *p, struct mclient *mc,
    const char *caption, const struct image *img, size_t *top, double **probs, char **cause)
{
	size_t nt = p->nnegatives + 1, dt, di;
	const char **texts = xcalloc(nt, sizeof *texts);
	const struct image *imgs[1] = { img };
	float *vt = NULL, *vi = NULL;
	char *why = NULL;
	double *pr, max = -1e300, sum = 0;

	texts[0] = caption;
	for (size_t i = 0; i < p->nnegatives; i++)
		texts[i + 1] = p->negatives[i];
	if (mclient_embed(mc, p->clip, texts, NULL, nt, &vt, &dt, &why) != 0 ||
	    mclient_embed(mc, p->clip, NULL, imgs, 1, &vi, &di, &why) != 0) {
		free(texts);
		free(vt);
		cause_set(cause, "%s: semantic filter: %s", op->name, why);
		free(why);
		return -1;
	}
	free(texts);
	if (dt != di) {
		free(vt);
		free(vi);
		return cause_set(cause, "%s: semantic filter: text vectors have %zu dimensions, "
		    "image vectors %zu", op->name, dt, di);
	}
	pr = xcalloc(nt, sizeof *pr);
	for (size_t i = 0; i < nt; i++) {
		pr[i] = 100.0 * mclient_cosine(vt + i * dt, vi, dt);
		if (pr[i] > max) {
			max = pr[i];
			*top = i;
		}
	}
	for (size_t i = 0; i < nt; i++)
		sum += pr[i] = exp(pr[i] - max);
	for (size_t i = 0; i < nt; i++)
		pr[i] /= sum;
	free(vt);
	free(vi);
	*probs = pr;
	return 0;
}

static size_t
argmax(const double *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 1; i < n; i++)
		if (v[i] > v[k])
			k = i;
	return k;
}

static char *
class_name(const struct backend *be, size_t i)
{
	if (i < be->nlabels && be->labels[i] != NULL)
		return mops_clean(be->labels[i], 0, 100);
	return xasprintf("class %zu", i);
}

/*
 * The confidence filter (see TOO_EASY_P). Adds {"label","parent_p","p","top","top_p"}
 * to extra; sets *filtered when a rule fires. -1 with *cause when classifying fails.
 */
static int
confidence(const struct op_def *op, const struct alia_plan *p, struct mclient *mc,
    const struct image *parent, const struct image *edit, cJSON *extra, char **filtered,
    char **cause)
{
	double *p0 = NULL, *p1 = NULL;
	size_t n0 = 0, n1 = 0, y, t;
	char *why = NULL, *label, *top;
	cJSON *o;

	if (mclient_classify(mc, p->classifier, parent, &p0, &n0, &why) != 0 ||
	    mclient_classify(mc, p->classifier, edit, &p1, &n1, &why) != 0) {
		free(p0);
		cause_set(cause, "%s: confidence filter: %s", op->name, why);
		free(why);
		return -1;
	}
	if (n0 == 0 || n0 != n1) {
		free(p0);
		free(p1);
		return cause_set(cause, "%s: confidence filter: %zu and %zu class probabilities",
		    op->name, n0, n1);
	}
	y = argmax(p0, n0);
	t = argmax(p1, n1);
	label = class_name(p->classifier, y);
	top = class_name(p->classifier, t);
	o = cJSON_AddObjectToObject(extra, "confidence");
	cJSON_AddStringToObject(o, "label", label);
	cJSON_AddNumberToObject(o, "parent_p", p0[y]);
	cJSON_AddNumberToObject(o, "p", p1[y]);
	cJSON_AddStringToObject(o, "top", top);
	cJSON_AddNumberToObject(o, "top_p", p1[t]);
	if (t == y && p1[y] > TOO_EASY_P)
		*filtered = xasprintf("too easy: unchanged class confidence %.2f", p1[y]);
	else if (t != y && p1[t] > MISLABELED_P)
		*filtered = xasprintf("likely mislabeled: '%s' (p=%.2f) instead of '%s'", top,
		    p1[t], label);
	free(label);
	free(top);
	free(p0);
	free(p1);
	return 0;
}

/* Runs the filters on the edit; 0 with extra filled (and *filtered when one fired). */
static int
alia_filter(const struct op_def *op, const struct alia_plan *p, const struct op_input *in,
    const char *caption, const struct image *edit, cJSON *extra, char **filtered,
    char **cause)
{
	double *probs = NULL;
	size_t top = 0;

	if (p->clip != NULL) {
		const char *name;
		cJSON *o;
		if (semantic(op, p, in->mc, caption, edit, &top, &probs, cause) != 0)
			return -1;
		name = top == 0 ? caption : p->negatives[top - 1];
		o = cJSON_AddObjectToObject(extra, "semantic");
		cJSON_AddStringToObject(o, "top", top == 0 ? "caption" : name);
		cJSON_AddNumberToObject(o, "p", probs[top]);
		cJSON_AddNumberToObject(o, "caption_p", probs[0]);
		if (top > 0)
			*filtered = xasprintf("semantic filter: closest prompt is '%s' (p=%.2f)",
			    name, probs[top]);
		free(probs);
		if (*filtered != NULL)
			return 0;
	}
	if (p->classifier != NULL)
		return confidence(op, p, in->mc, in->img[0], edit, extra, filtered, cause);
	return 0;
}

int
opimpl_alia(const struct op_def *op, const struct op_args *args, const struct op_input *in,
    struct op_output *out, char **cause)
{
	const struct alia_plan *p = in->plan;
	const struct image *parent = in->img[0];
	struct gen_request r;
	const char *domain;
	char *caption, *prompt, *id = NULL;
	uint8_t *png = NULL;
	size_t len;
	int64_t seed;
	int w, h;
	cJSON *extra;

	if (p == NULL || parent == NULL || in->variant < 0 || in->variant >= p->ndomains * p->n)
		return cause_set(cause, "%s: no plan, image or variant", op->name);
	domain = p->domains[in->variant / p->n];
	caption = mops_clean(in->text[0], 0, PROMPT_MAX);
	/* The domain follows the caption after a comma: "A dog on a sofa, in a snowy forest". */
	for (size_t n = strlen(caption); n > 0 && strchr(".!;, ", caption[n - 1]) != NULL;)
		caption[--n] = '\0';
	/* img2img redraws the scene from caption and domain; an edit model takes an order. */
	prompt = p->edit ? xasprintf("put it %s", domain) :
	    xasprintf("%s, %s", *caption != '\0' ? caption : "a photo", domain);
	if (mops_encode_input(parent, MOPS_GEN_MAX_SIDE, &png, &len, &w, &h, cause) != 0)
		goto fail;
	memset(&r, 0, sizeof r);
	r.mode = p->edit ? GEN_EDIT : GEN_IMG2IMG;
	r.prompt = prompt;
	r.guidance = mops_num(op, args, "guidance");
	if (p->edit)
		r.image_guidance = mops_num(op, args, "image_guidance");
	else
		r.strength = mops_num(op, args, "strength");
	r.has_seed = 1;
	r.seed = in->seed;
	r.image = png;
	r.image_len = len;
	mops_gen_size(p->image, w, h, &r);
	if (mops_generate(op, in->mc, p->image, &r, NULL, parent->w, parent->h, &out->img, &seed,
	    &id, cause) != 0)
		goto fail;
	free(png);
	png = NULL;
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "request_seed", (double)in->seed);
	cJSON_AddNumberToObject(extra, "seed", (double)seed);
	if (alia_filter(op, p, in, *caption != '\0' ? caption : "a photo", &out->img, extra,
	    &out->filtered, cause) != 0) {
		cJSON_Delete(extra);
		free(id);
		goto fail;
	}
	out->extra = mops_json_take(extra);
	out->text = xstrdup(in->text[0] != NULL ? in->text[0] : "");
	/* The captioner and the domain writer are named when configured (they may be absent
	 * when the domains come from a file). */
	if (p->vlm != NULL)
		mops_lineage_add(out, ROLE_VLM, p->vlm);
	if (p->llm != NULL)
		mops_lineage_add(out, ROLE_LLM, p->llm);
	mops_lineage_add(out, ROLE_IMAGE, p->image);
	if (p->clip != NULL)
		mops_lineage_add(out, ROLE_CLIP, p->clip);
	if (p->classifier != NULL)
		mops_lineage_add(out, ROLE_CLASSIFIER, p->classifier);
	mops_lineage_result(out, prompt, id);
	free(prompt);
	free(caption);
	return 0;
fail:
	free(png);
	free(prompt);
	free(caption);
	return -1;
}
