/* SPDX-License-Identifier: MIT */
/*
 * GPT4Tools: tool-use instructions from what is known about an image as
 * text. The LLM sees the caption, the object boxes and a list of tools,
 * and writes one instruction per tool with the call that solves it; the
 * calls that pass GPT4Tools' checks become a conversation in the
 * Thought / Action / Action Input / Observation format, with no-tool
 * samples (Alpaca-style instruction and output) mixed in when a file of
 * them is given. The system message is our wording of the paper's prompt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/modelops/cocoboxes.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define TOOLS_MAX_BYTES (1u << 20)
#define NEGATIVES_MAX_BYTES (256u << 20)
#define CAPTION_IN_MAX 2000
#define BOXES_MAX 50
#define NEG_TEXT_MAX 4000

static const char tool_system[] =
    "You write training data for an assistant that uses visual tools. You are told the "
    "file name of one image, what the image shows (a caption and objects with boxes, "
    "normalised [x1, y1, x2, y2] from 0 to 1) and a list of tools, each with what it is "
    "for and its arguments. For every tool, write one instruction a user could give about "
    "this image that the tool solves, related to what the image shows, followed by the "
    "tool call, on one line in the form: instruction, [tool name, argument, argument]. "
    "Use the tool names exactly as listed and no other tools; give every argument; where "
    "an argument is the image, write its file name. Make instructions varied, and where "
    "you can, complex or indirect, so the need for the tool is not spelt out.";

struct negative {
	char *instruction, *output;
};

struct tool_plan {
	const struct backend *be;
	struct mops_tools tools;
	struct coco_boxes *cb;
	struct negative *neg;
	size_t nneg;
};

static void
tool_plan_free(void *arg)
{
	struct tool_plan *p = arg;

	mops_tools_free(&p->tools);
	coco_boxes_free(p->cb);
	for (size_t i = 0; i < p->nneg; i++) {
		free(p->neg[i].instruction);
		free(p->neg[i].output);
	}
	free(p->neg);
	free(p);
}

/* One Alpaca record: instruction (+ input), output. 0 when it has both. */
static int
negative_add(struct tool_plan *p, const cJSON *rec)
{
	char *ins = mops_json_string(rec, "instruction", NEG_TEXT_MAX);
	char *in = mops_json_string(rec, "input", NEG_TEXT_MAX);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "output");
	char *out = cJSON_IsString(o) ? mops_clean(o->valuestring, MOPS_KEEP_NL, NEG_TEXT_MAX) :
	    NULL;
	int rc = -1;

	if (ins != NULL && out != NULL && *out != '\0') {
		p->neg = xreallocarray(p->neg, p->nneg + 1, sizeof *p->neg);
		p->neg[p->nneg].instruction = in != NULL ? xasprintf("%s\n%s", ins, in) : ins;
		p->neg[p->nneg++].output = out;
		if (in != NULL)
			free(ins);
		ins = out = NULL;
		rc = 0;
	}
	free(ins);
	free(in);
	free(out);
	return rc;
}

/* A JSON array of records (Alpaca's file) or JSON Lines. */
static int
negatives_load(struct tool_plan *p, const char *path, char **cause)
{
	char *text, *line, *save = NULL;
	size_t len;
	long lineno = 0;
	cJSON *doc, *rec;
	int rc = 0;

	if (file_read_all(path, NEGATIVES_MAX_BYTES, &text, &len, cause) != 0)
		return -1;
	if ((doc = cJSON_Parse(text)) != NULL && cJSON_IsArray(doc)) {
		long i = 0;
		cJSON_ArrayForEach(rec, doc) {
			if (rc == 0 && negative_add(p, rec) != 0)
				rc = cause_set(cause, "%s: record %ld: no \"instruction\" and "
				    "\"output\" strings", path, i);
			i++;
		}
	} else {
		for (line = strtok_r(text, "\n", &save); line != NULL && rc == 0;
		    line = strtok_r(NULL, "\n", &save)) {
			lineno++;
			cJSON *one = cJSON_Parse(line);
			if (line[strspn(line, " \t\r")] != '\0' && negative_add(p, one) != 0)
				rc = cause_set(cause, "%s:%ld: not a record with \"instruction\" and "
				    "\"output\" strings", path, lineno);
			cJSON_Delete(one);
		}
	}
	cJSON_Delete(doc);
	free(text);
	if (rc == 0 && p->nneg == 0)
		rc = cause_set(cause, "%s: no no-tool samples", path);
	return rc;
}

OPPLAN(tool_instruct)
{
	const char *tools = mops_str(op, args, "tools"), *inst = mops_str(op, args, "instances");
	const char *negs = mops_str(op, args, "negatives");
	struct tool_plan *p = xcalloc(1, sizeof *p);
	char *text;
	size_t len;
	int rc = 0;

	out->state = p;
	out->state_free = tool_plan_free;
	mops_plan_add(out, "{}");
	if ((p->be = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL)
		return -1;
	if (*tools == '\0')
		mops_tools_builtin(&p->tools);
	else if (file_read_all(tools, TOOLS_MAX_BYTES, &text, &len, cause) != 0)
		return -1;
	else {
		rc = mops_tools_parse(text, tools, &p->tools, cause);
		free(text);
	}
	if (rc == 0 && *inst != '\0' && (p->cb = coco_boxes_load(inst, cause)) == NULL)
		rc = -1;
	if (rc == 0 && *negs != '\0')
		rc = negatives_load(p, negs, cause);
	return rc;
}

/* The user turn: image name, caption, boxes, tools. */
static char *
tool_context(const struct tool_plan *p, const struct op_input *in, const char *image,
    const char *caption, char **cause)
{
	struct coco_box *b = NULL;
	char *why = NULL, *lines = NULL, *s, *next;
	int n = 0;

	if (in->meta[0] != NULL || p->cb != NULL) {
		if ((n = coco_boxes_for(p->cb, in->meta[0], &b, &why)) < 0) {
			cause_set(cause, "tool-instruct: the parent's boxes: %s", why ? why : "?");
			free(why);
			return NULL;
		}
		lines = mops_box_lines(b, (size_t)n, in->width[0], in->height[0], BOXES_MAX);
		coco_box_list_free(b, (size_t)n);
	}
	s = xasprintf("Image: %s\nCaption: %s\nObjects:\n%sTools:", image, caption,
	    lines != NULL ? lines : "none\n");
	free(lines);
	for (size_t i = 0; i < p->tools.n; i++) {
		const struct mops_tool *t = &p->tools.v[i];
		next = xasprintf("%s\n- %s: %s; arguments:", s, t->name, t->usage);
		free(s);
		s = next;
		for (size_t k = 0; k < t->nargs; k++) {
			next = xasprintf("%s%s %s", s, k ? "," : "", t->args[k]);
			free(s);
			s = next;
		}
	}
	return s;
}

static char *
joined(char **v, size_t n)
{
	char *s = xstrdup(""), *next;

	for (size_t i = 0; i < n; i++) {
		next = xasprintf("%s%s%s", s, i ? ", " : "", v[i]);
		free(s);
		s = next;
	}
	return s;
}

/* One exchange of the conversation: a call, or a no-tool sample when call is NULL. */
static void
exchange(cJSON *conv, const struct mops_call *call, const struct negative *neg, int first)
{
	char *human, *gpt, *a;

	human = xasprintf("%s%s", first ? "<image>\n" : "", call ? call->instruction :
	    neg->instruction);
	if (call != NULL) {
		a = joined(call->args, call->nargs);
		/* The tool's output comes from running it; the trainer's runtime fills it in. */
		gpt = xasprintf("Thought: Do I need to use a tool? Yes\nAction: %s\n"
		    "Action Input: %s\nObservation:", call->tool->name, a);
		free(a);
	} else
		gpt = xasprintf("Thought: Do I need to use a tool? No\nAI: %s", neg->output);
	mops_add_turn(conv, "human", human);
	mops_add_turn(conv, "gpt", gpt);
	free(human);
	free(gpt);
}

static char *
tool_meta(const struct tool_plan *p, const struct mops_calls *calls, size_t nneg,
    struct rng *rng)
{
	cJSON *meta = cJSON_CreateObject(), *arr, *o, *conv;
	size_t total = calls->n + nneg, *order = xcalloc(total, sizeof *order);

	arr = cJSON_AddArrayToObject(meta, "tool_calls");
	for (size_t i = 0; i < calls->n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "instruction", calls->v[i].instruction);
		cJSON_AddStringToObject(o, "tool", calls->v[i].tool->name);
		cJSON_AddItemToObject(o, "arguments", cJSON_CreateStringArray(
		    (const char *const *)calls->v[i].args, (int)calls->v[i].nargs));
		cJSON_AddBoolToObject(o, "misspelt", calls->v[i].misspelt);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddItemToObject(meta, "rejected", cJSON_CreateStringArray(
	    (const char *const *)calls->rejected, (int)calls->nrejected));
	cJSON_AddNumberToObject(meta, "duplicates", (double)calls->duplicates);
	/* Calls and no-tool samples in a seeded order, as GPT4Tools shuffles them. */
	for (size_t i = 0; i < total; i++)
		order[i] = i;
	for (size_t i = total; i > 1; i--) {
		size_t j = (size_t)rng_below(rng, i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	conv = cJSON_AddArrayToObject(meta, "conversations");
	for (size_t i = 0; i < total; i++) {
		size_t k = order[i];
		if (k < calls->n)
			exchange(conv, &calls->v[k], NULL, i == 0);
		else
			exchange(conv, NULL, &p->neg[(size_t)rng_below(rng, p->nneg)], i == 0);
	}
	cJSON_AddNumberToObject(meta, "negatives", (double)nneg);
	free(order);
	return mops_json_take(meta);
}

OPIMPL(tool_instruct)
{
	const struct tool_plan *p = in->plan;
	const char *image = mops_str(op, args, "image_name");
	struct mops_calls calls;
	char *caption, *ctx, *reply, *id = NULL, *text, *next, *a;

	if (p == NULL)
		return cause_set(cause, "tool-instruct: run without its plan");
	caption = mops_clean(in->text[0], 0, CAPTION_IN_MAX);
	if (*caption == '\0') {
		free(caption);
		out->unchanged = 1;
		return 0;
	}
	ctx = tool_context(p, in, image, caption, cause);
	free(caption);
	if (ctx == NULL)
		return -1;
	if (mops_ask(op, args, in->mc, p->be, tool_system, ctx, in->seed, &reply, &id,
	    cause) != 0) {
		free(ctx);
		return -1;
	}
	mops_lineage(out, ROLE_LLM, p->be, ctx, id);
	free(ctx);
	free(id);
	mops_calls_parse(reply, &p->tools, image, &calls);
	if (calls.n == 0) {
		char *ex = mops_excerpt(reply, 80);
		out->filtered = calls.nrejected > 0 ? xasprintf("no valid tool call (%zu refused, "
		    "the first: %s)", calls.nrejected, calls.rejected[0]) :
		    xasprintf("no \"instruction, [tool, arguments]\" line in the reply: \"%s\"", ex);
		free(ex);
		free(reply);
		mops_calls_free(&calls);
		return 0;
	}
	free(reply);
	double ratio = mops_num(op, args, "negative_ratio");
	size_t nneg = p->nneg > 0 ? (size_t)(calls.n * ratio + 0.5) : 0;
	out->meta = tool_meta(p, &calls, nneg, in->rng);
	text = xstrdup("");
	for (size_t i = 0; i < calls.n; i++) {
		a = joined(calls.v[i].args, calls.v[i].nargs);
		next = xasprintf("%s%s%s [%s: %s]", text, i ? " | " : "", calls.v[i].instruction,
		    calls.v[i].tool->name, a);
		free(a);
		free(text);
		text = next;
	}
	out->text = text;
	out->extra = xasprintf("{\"request_seed\":%lld,\"calls\":%zu,\"refused\":%zu}",
	    (long long)in->seed, calls.n, calls.nrejected);
	mops_calls_free(&calls);
	return 0;
}
