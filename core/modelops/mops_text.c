/* SPDX-License-Identifier: MIT */
/*
 * Model-backed caption operators that ask for one short text: LaCLIP
 * rewrites (an LLM rewrites the caption after a few example pairs), VLM
 * captioning, and SelTDA question-answer generation (a VLM asks and answers
 * one question about the image). The few-shot pairs and prompts below are
 * our own wording of each paper's setup (see the method notes).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/models/mclient.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/utf8.h"
#include "core/base/util.h"

#define EXAMPLES_MAX_BYTES (4u << 20)
#define SHOTS_MAX 16          /* the shots parameter's own maximum */
#define CAPTION_IN_MAX 2000   /* bytes of a parent caption put in a prompt */
#define REWRITE_MAX 1000      /* bytes kept of a rewrite or a generated caption */
#define QUESTION_MAX 300
#define ANSWER_MAX 200

/*
 * Built-in example pairs: captions of everyday scenes and rewrites that
 * change the words and the sentence structure but keep every object,
 * count, attribute and action (LaCLIP's ChatGPT pairs add details; ours
 * deliberately do not, so the model is not taught to embellish).
 */
static const char *const rewrite_pairs[][2] = {
	{ "A brown dog runs across a grassy park with a red ball in its mouth.",
	  "Carrying a red ball in its mouth, a brown dog dashes over the grass of a park." },
	{ "Two people ride bicycles along a wet city street at night.",
	  "At night, a pair of cyclists pedal down a rain-slicked street in the city." },
	{ "A bowl of ramen with a boiled egg and green onions on a wooden table.",
	  "On a wooden table sits a bowl of ramen topped with green onions and a boiled egg." },
	{ "An old lighthouse stands on a rocky shore under a cloudy sky.",
	  "Beneath a cloudy sky, an aging lighthouse rises from the rocks along the shore." },
	{ "A little girl in a yellow raincoat jumps into a puddle.",
	  "Wearing a yellow raincoat, a small girl leaps into a puddle." },
	{ "Three sheep graze on a hillside next to a stone wall.",
	  "Beside a stone wall, three sheep are grazing on the slope of a hill." },
	{ "A man in a suit talks on his phone while waiting for a train.",
	  "Waiting for his train, a man dressed in a suit is speaking on the phone." },
	{ "A plate of sliced oranges and strawberries on a white counter.",
	  "Orange slices and strawberries are arranged on a plate on a white countertop." },
	{ "A black cat sleeps curled up on a stack of books.",
	  "Curled into a ball, a black cat naps on top of a pile of books." },
	{ "Surfers wait for waves in the ocean at sunset.",
	  "As the sun goes down, surfers sit out in the sea waiting for waves." },
	{ "A red double-decker bus drives past a row of shops.",
	  "A row of shops lines the street as a red double-decker bus goes by." },
	{ "A chef sprinkles salt over a steak in a busy kitchen.",
	  "In a bustling kitchen, a cook seasons a steak with a sprinkle of salt." },
	{ "A snowy mountain reflected in a calm lake.",
	  "The still water of a lake mirrors a mountain covered in snow." },
	{ "Children play soccer on a dirt field behind a school.",
	  "Behind a school building, kids kick a soccer ball around a dirt pitch." },
	{ "A vase of sunflowers sits on a windowsill in the morning light.",
	  "Morning light falls on sunflowers standing in a vase on the windowsill." },
	{ "An elderly woman knits a blue scarf in a rocking chair.",
	  "Seated in a rocking chair, an older woman is knitting a blue scarf." },
	{ "A laptop, a notebook and a cup of coffee on a desk.",
	  "A desk holds a cup of coffee alongside a notebook and a laptop." },
	{ "A giraffe eats leaves from the top of a tall tree.",
	  "Stretching up to the top of a tall tree, a giraffe feeds on its leaves." },
};
#define NREWRITE_PAIRS (sizeof rewrite_pairs / sizeof rewrite_pairs[0])

static const char rewrite_system[] =
    "You rewrite image captions. For each caption you receive, write one new caption of "
    "the same image that uses different words and a different sentence structure, but "
    "keeps every object, count, colour, attribute and action the original states. Do not "
    "add anything the original does not say. Reply with the new caption only, on one line.";

static const char caption_prompt[] =
    "Write one factual sentence that describes this image. Mention only what is clearly "
    "visible and do not guess names, places or intentions. Reply with the sentence alone.";

static const char vqa_prompt[] =
    "Look at the image and write one question about it that the image alone answers, then "
    "the short answer to it (a word or a short phrase). Use exactly this form:\n"
    "Question: <the question>? Answer: <the answer>";

/* ---- rewrite (LaCLIP) ---- */

struct rewrite_plan {
	const struct backend *be;
	char **src, **tgt;
	size_t n;
	int shots;
};

void
mops_pairs_free(char **src, char **tgt, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(src[i]);
		free(tgt[i]);
	}
	free(src);
	free(tgt);
}

int
mops_examples_parse(const char *text, const char *path, char ***src, char ***tgt,
    size_t *n, char **cause)
{
	const char *p = text, *eol;
	size_t lineno = 0, len;
	char *line, *arrow;

	*src = *tgt = NULL;
	*n = 0;
	for (; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		len = (size_t)(eol - p);
		lineno++;
		if (!utf8_valid(p, len, NULL)) {
			cause_set(cause, "%s:%zu: not UTF-8 text", path, lineno);
			goto fail;
		}
		line = xstrndup(p, len);
		char *t = mops_clean(line, 0, 0);
		free(line);
		if (*t == '\0' || *t == '#') {
			free(t);
			continue;
		}
		if ((arrow = strstr(t, "=>")) == NULL) {
			cause_set(cause, "%s:%zu: want \"source => target\"", path, lineno);
			free(t);
			goto fail;
		}
		*arrow = '\0';
		char *a = mops_clean(t, 0, 0);
		char *b = mops_clean(arrow + 2, 0, 0);
		free(t);
		if (*a == '\0' || *b == '\0' || strstr(b, "=>") != NULL) {
			cause_set(cause, "%s:%zu: %s", path, lineno, *a == '\0' ?
			    "the source is empty" : *b == '\0' ? "the target is empty" :
			    "more than one \"=>\"");
			free(a);
			free(b);
			goto fail;
		}
		*src = xreallocarray(*src, *n + 1, sizeof **src);
		*tgt = xreallocarray(*tgt, *n + 1, sizeof **tgt);
		(*src)[*n] = a;
		(*tgt)[(*n)++] = b;
	}
	return 0;
fail:
	mops_pairs_free(*src, *tgt, *n);
	*src = *tgt = NULL;
	*n = 0;
	return -1;
}

char *
mops_rewrite_clean(const char *reply)
{
	char *line = mops_first_line(reply, 0), *arrow, *out;

	/* A completion-style model may echo the whole "source => target" line. */
	if ((arrow = strstr(line, "=>")) != NULL) {
		char *last;
		while ((last = strstr(arrow + 2, "=>")) != NULL)
			arrow = last;
		out = mops_first_line(arrow + 2, REWRITE_MAX);
	} else
		out = mops_clean(line, 0, REWRITE_MAX);
	free(line);
	return out;
}

static void
rewrite_plan_free(void *arg)
{
	struct rewrite_plan *p = arg;

	mops_pairs_free(p->src, p->tgt, p->n);
	free(p);
}

OPPLAN(rewrite)
{
	const char *path = mops_str(op, args, "examples");
	struct rewrite_plan *p;
	const struct backend *be;
	char *text;
	size_t len;

	if ((be = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL)
		return -1;
	p = xcalloc(1, sizeof *p);
	p->be = be;
	p->shots = (int)mops_num(op, args, "shots");
	if (*path != '\0') {
		if (file_read_all(path, EXAMPLES_MAX_BYTES, &text, &len, cause) != 0)
			goto fail;
		int rc = mops_examples_parse(text, path, &p->src, &p->tgt, &p->n, cause);
		free(text);
		if (rc != 0)
			goto fail;
		if (p->n == 0 && p->shots > 0) {
			cause_set(cause, "%s: no \"source => target\" lines", path);
			goto fail;
		}
	} else {
		p->src = xcalloc(NREWRITE_PAIRS, sizeof *p->src);
		p->tgt = xcalloc(NREWRITE_PAIRS, sizeof *p->tgt);
		for (p->n = 0; p->n < NREWRITE_PAIRS; p->n++) {
			p->src[p->n] = xstrdup(rewrite_pairs[p->n][0]);
			p->tgt[p->n] = xstrdup(rewrite_pairs[p->n][1]);
		}
	}
	if ((size_t)p->shots > p->n) {
		out->note = xasprintf("rewrite: %s has %zu example pairs; each prompt uses them "
		    "all instead of shots=%d", *path ? path : "the built-in table", p->n, p->shots);
		p->shots = (int)p->n;
	}
	mops_plan_samples(out, (int)mops_num(op, args, "k"));
	out->state = p;
	out->state_free = rewrite_plan_free;
	return 0;
fail:
	rewrite_plan_free(p);
	return -1;
}

OPIMPL(rewrite)
{
	const struct rewrite_plan *p = in->plan;
	struct chat_turn turns[SHOTS_MAX];
	size_t pick[SHOTS_MAX];
	struct chat_request r;
	struct chat_reply reply;
	cJSON *extra, *ex;
	char *source, *text;
	int shots, min_words = (int)mops_num(op, args, "min_words");

	if (p == NULL)
		return cause_set(cause, "rewrite: run without its plan");
	source = mops_clean(in->text[0], 0, CAPTION_IN_MAX);
	if (*source == '\0') {
		free(source);
		out->unchanged = 1;
		return 0;
	}
	/* Examples drawn without replacement, from the candidate's own stream. */
	shots = p->shots < SHOTS_MAX ? p->shots : SHOTS_MAX;
	for (int i = 0; i < shots; i++) {
		size_t k;
		int seen;
		do {
			k = (size_t)rng_below(in->rng, p->n);
			seen = 0;
			for (int j = 0; j < i; j++)
				seen |= pick[j] == k;
		} while (seen);
		pick[i] = k;
		turns[i].user = p->src[k];
		turns[i].assistant = p->tgt[k];
	}
	memset(&r, 0, sizeof r);
	r.system = rewrite_system;
	r.shots = turns;
	r.nshots = (size_t)shots;
	r.user = source;
	r.temperature = mops_num(op, args, "temperature");
	r.top_p = mops_num(op, args, "top_p");
	r.max_tokens = (int)mops_num(op, args, "max_tokens");
	r.has_seed = 1;
	r.seed = in->seed;
	if (mops_chat(op, in->mc, p->be, &r, &reply, cause) != 0) {
		free(source);
		return -1;
	}
	mops_lineage(out, ROLE_LLM, p->be, source, reply.id);
	text = mops_rewrite_clean(reply.texts[0]);
	chat_reply_free(&reply);
	if (*text == '\0')
		out->filtered = xstrdup("rewrite is empty");
	else if (mops_words(text) < (size_t)min_words)
		out->filtered = xasprintf("rewrite has fewer than %d words", min_words);
	else if (mops_same_text(text, source))
		out->filtered = xstrdup("rewrite is identical to the caption");
	free(source);
	if (out->filtered != NULL) {
		free(text);
		return 0;
	}
	out->text = text;
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "request_seed", (double)in->seed);
	/* Not "examples": that is the name of the parameter naming the pairs file. */
	ex = cJSON_AddArrayToObject(extra, "examples_used");
	for (int i = 0; i < shots; i++)
		cJSON_AddItemToArray(ex, cJSON_CreateNumber((double)pick[i]));
	out->extra = mops_json_take(extra);
	return 0;
}

/* ---- image-to-text (caption, vqa-gen) ---- */

/* Checks the vlm backend once for the batch; the state is the backend. */
static int
vlm_plan(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    struct op_plan *out, char **cause)
{
	const struct backend *be = mops_backend(op, args, in->mc, ROLE_VLM, cause);

	if (be == NULL)
		return -1;
	mops_plan_samples(out, (int)mops_num(op, args, "k"));
	out->state = (void *)(uintptr_t)be;
	return 0;
}

/* Sends the image and an instruction; on success *reply holds the answer. */
static int
vlm_ask(const struct op_def *op, const struct op_args *args, const struct op_input *in,
    struct chat_request *r, const char *prompt, struct chat_reply *reply, char **cause)
{
	const struct backend *be = in->plan;
	struct chat_image ci;
	uint8_t *png;
	size_t len;
	int rc;

	if (be == NULL)
		return cause_set(cause, "%s: run without its plan", op->name);
	if (in->img[0] == NULL)
		return cause_set(cause, "%s: the image was not loaded", op->name);
	if (mclient_png(in->img[0], (int)mops_num(op, args, "max_side"), &png, &len, cause) != 0)
		return -1;
	ci.data = png;
	ci.len = len;
	r->user = prompt;
	r->images = &ci;
	r->nimages = 1;
	r->temperature = mops_num(op, args, "temperature");
	r->max_tokens = (int)mops_num(op, args, "max_tokens");
	r->has_seed = 1;
	r->seed = in->seed;
	rc = mops_chat(op, in->mc, be, r, reply, cause);
	free(png);
	return rc;
}

OPPLAN(caption)
{
	return vlm_plan(op, args, in, out, cause);
}

OPIMPL(caption)
{
	const char *prompt = mops_str(op, args, "prompt");
	struct chat_request r;
	struct chat_reply reply;

	memset(&r, 0, sizeof r);
	r.top_p = -1;
	if (*prompt == '\0')
		prompt = caption_prompt;
	if (vlm_ask(op, args, in, &r, prompt, &reply, cause) != 0)
		return -1;
	mops_lineage(out, ROLE_VLM, in->plan, prompt, reply.id);
	out->text = mops_first_line(reply.texts[0], REWRITE_MAX);
	chat_reply_free(&reply);
	if (*out->text == '\0') {
		free(out->text);
		out->text = NULL;
		out->filtered = xstrdup("caption is empty");
		return 0;
	}
	out->extra = xasprintf("{\"request_seed\":%lld}", (long long)in->seed);
	return 0;
}

/* ---- vqa-gen (SelTDA) ---- */

/* Where a "Question:" or "Answer:" label (or "Q:" / "A:") starting at s ends, or NULL. */
static char *
after_label(char *s, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(s, word, n) == 0 && s[n] == ':')
		return s + n + 1;
	if (strncasecmp(s, word, 1) == 0 && s[1] == ':')
		return s + 2;
	return NULL;
}

/* Trims, unquotes and drops markdown emphasis; returns s. */
static char *
tidy(char *s)
{
	size_t n;

	mops_unquote(s);
	while (s[0] == '*' || s[0] == '_') {
		memmove(s, s + 1, strlen(s));
		mops_unquote(s);
	}
	while ((n = strlen(s)) > 0 && (s[n - 1] == '*' || s[n - 1] == '_')) {
		s[n - 1] = '\0';
		mops_unquote(s);
	}
	return s;
}

int
mops_vqa_parse(const char *reply, char **question, char **answer, char **why)
{
	char *c = mops_clean(reply, 0, 0), *start = c, *q, *qmark, *a, *end, *at;
	long k;

	*question = *answer = NULL;
	tidy(c);
	if ((k = mops_find_ci(c, "question:")) >= 0)
		start = c + k + 9;
	else if ((at = after_label(c, "question")) != NULL)
		start = at;
	if ((qmark = strchr(start, '?')) == NULL) {
		free(c);
		return cause_set(why, "no question (nothing ends in \"?\")");
	}
	q = xstrndup(start, (size_t)(qmark - start + 1));
	tidy(q);
	a = NULL;
	if ((k = mops_find_ci(qmark + 1, "answer:")) >= 0)
		a = qmark + 1 + k + 7;
	else {
		char *p = qmark + 1;
		while (*p == ' ' || *p == '*')
			p++;
		if ((at = after_label(p, "answer")) != NULL)
			a = at;
	}
	if (a == NULL || strspn(q, "? *_\"'") == strlen(q)) {
		free(q);
		free(c);
		return cause_set(why, a == NULL ? "no \"Answer:\" after the question" :
		    "the question is empty");
	}
	/* A model that goes on to a second pair: keep the first. */
	if ((k = mops_find_ci(a, "question:")) >= 0)
		a[k] = '\0';
	end = tidy(a) + strlen(a);
	while (end > a && (end[-1] == '.' || end[-1] == ' '))
		*--end = '\0';
	tidy(a);
	if (*a == '\0') {
		free(q);
		free(c);
		return cause_set(why, "the answer is empty");
	}
	*question = mops_clean(q, 0, QUESTION_MAX);
	*answer = mops_clean(a, 0, ANSWER_MAX);
	free(q);
	free(c);
	return 0;
}

/* 1 when word occurs in s as a whole word, ignoring ASCII case. */
static int
has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; *p != '\0'; p++) {
		if ((p == s || !isalnum((unsigned char)p[-1])) && strncasecmp(p, word, n) == 0 &&
		    !isalnum((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

int
mops_yes_and_no(const char *answer)
{
	return has_word(answer, "yes") && has_word(answer, "no");
}

const char *
mops_answer_type(const char *answer)
{
	static const char *const numbers[] = { "zero", "one", "two", "three", "four", "five",
		"six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
		"fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
		"forty", "fifty", "hundred", NULL };
	size_t n = strcspn(answer, " ,.!;");
	int digits = n > 0;

	if ((n == 3 && strncasecmp(answer, "yes", 3) == 0) ||
	    (n == 2 && strncasecmp(answer, "no", 2) == 0))
		return "yes/no";
	if (answer[n] != '\0' && answer[n + strspn(answer + n, " .!")] != '\0')
		return "other"; /* more than one word */
	for (size_t i = 0; i < n; i++)
		digits &= isdigit((unsigned char)answer[i]) != 0;
	for (size_t k = 0; !digits && numbers[k] != NULL; k++)
		digits = strlen(numbers[k]) == n && strncasecmp(answer, numbers[k], n) == 0;
	return digits ? "number" : "other";
}

OPPLAN(vqa_gen)
{
	return vlm_plan(op, args, in, out, cause);
}

OPIMPL(vqa_gen)
{
	struct chat_request r;
	struct chat_reply reply;
	char *q, *a, *why = NULL;
	cJSON *meta, *conv;

	memset(&r, 0, sizeof r);
	r.top_p = mops_num(op, args, "top_p");
	if (vlm_ask(op, args, in, &r, vqa_prompt, &reply, cause) != 0)
		return -1;
	mops_lineage(out, ROLE_VLM, in->plan, vqa_prompt, reply.id);
	if (mops_vqa_parse(reply.texts[0], &q, &a, &why) != 0) {
		char *ex = mops_excerpt(reply.texts[0], 80);
		out->filtered = xasprintf("unparsable reply: %s: \"%s\"", why, ex);
		free(ex);
		free(why);
		chat_reply_free(&reply);
		return 0;
	}
	chat_reply_free(&reply);
	if (mops_yes_and_no(a)) {
		out->filtered = xasprintf("the answer holds both yes and no: \"%s\"", a);
		free(q);
		free(a);
		return 0;
	}
	out->text = xasprintf("%s %s", q, a);
	meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "question", q);
	cJSON_AddStringToObject(meta, "answer", a);
	cJSON_AddStringToObject(meta, "answer_type", mops_answer_type(a));
	conv = cJSON_AddArrayToObject(meta, "conversations");
	char *human = xasprintf("<image>\n%s", q);
	mops_add_turn(conv, "human", human);
	mops_add_turn(conv, "gpt", a);
	out->meta = mops_json_take(meta);
	out->extra = xasprintf("{\"request_seed\":%lld}", (long long)in->seed);
	free(human);
	free(q);
	free(a);
	return 0;
}
