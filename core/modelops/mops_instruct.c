/* SPDX-License-Identifier: MIT */
/*
 * LLaVA-style visual instruction data from what is known about an image as
 * text: its caption and, for the detailed description and complex reasoning
 * types, object boxes normalised to 0..1 (as in LLaVA, the conversation type
 * sees captions only). A text-only LLM writes a conversation, a detailed
 * description or one reasoning question with its answer; the reply becomes
 * LLaVA "conversations" turns in the candidate's meta. System messages and
 * examples are our own wording of the paper's prompts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/modelops/cocoboxes.h"
#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define CAPTION_IN_MAX 2000
#define BOXES_MAX 50      /* box lines in one context */
#define LABEL_MAX 64
#define PAIRS_MAX 20      /* question-answer pairs kept from one reply */
#define QUESTION_MAX 500
#define ANSWER_MAX 6000

enum itype { T_CONVERSATION, T_DETAIL, T_REASONING, T_COUNT };

static const char *const type_names[T_COUNT] = { "conversation", "detail", "reasoning" };

static const char *const systems[T_COUNT] = {
	"You are an AI visual assistant looking at one image. You receive what is known "
	"about it as text (one or more captions) and answer as if you saw the image yourself. "
	"Write a conversation between a person asking about the image and you. Ask varied "
	"questions about what it shows: the kinds of objects, how many there are, what they "
	"are doing, where they are and how they are placed relative to each other. Ask only "
	"questions the text answers with certainty, or where something is certainly absent. "
	"Add one or two harder questions, for example about the background of the scene or "
	"the purpose of what is shown, and answer those in detail. Never mention captions or "
	"descriptions. Write each question after \"Question:\" and each answer after "
	"\"Answer:\", and put a line \"===\" between one exchange and the next.",

	"You are an AI visual assistant describing one image. You receive what is known "
	"about it as text: captions and possibly object labels with boxes, written as "
	"normalised [x1, y1, x2, y2] coordinates from 0 to 1 (left, top, right, bottom). "
	"Write a detailed description of the image, as if you were looking at it: the scene, "
	"the objects and how many of each, how they look, what they are doing and where they "
	"are relative to one another. Use the boxes only to understand counts and positions; "
	"never state coordinates, and never mention that captions or boxes were given. Do not "
	"describe anything the text does not support.",

	"You are an AI visual assistant that sees one image through text: captions and "
	"possibly object labels with boxes, written as normalised [x1, y1, x2, y2] coordinates "
	"from 0 to 1. Write one challenging question about the image that needs its content "
	"to be understood first and then calls for reasoning or background knowledge, such as "
	"why something is happening, what may happen next or what the situation implies. The "
	"question must not give away the visual details the answer relies on. Then answer it "
	"in detail, step by step, as if you were looking at the image, without mentioning "
	"captions or coordinates. Write \"Question:\" and the question, then \"Answer:\" and "
	"the answer.",
};

static const struct chat_turn conversation_shots[] = {
	{ "Captions:\nA woman in a red jacket walks two dogs along a snowy path in a park.",
	  "Question:\nWhat is the woman wearing?\nAnswer:\nShe is wearing a red jacket.\n===\n"
	  "Question:\nHow many dogs is she walking?\nAnswer:\nShe is walking two dogs.\n===\n"
	  "Question:\nWhat covers the ground?\nAnswer:\nThe path and the park around it are "
	  "covered in snow.\n===\nQuestion:\nWhat should a dog walker keep in mind in this "
	  "weather?\nAnswer:\nSnowy paths can be slippery, so it pays to walk carefully. Dogs "
	  "can get cold paws or pick up salt from treated paths, so shorter walks and wiping "
	  "their paws afterwards keep them comfortable." },
	{ "Captions:\nA plate with a sandwich and french fries next to a glass of cola on a "
	  "diner counter.",
	  "Question:\nWhat food is on the plate?\nAnswer:\nA sandwich with a side of french "
	  "fries.\n===\nQuestion:\nWhat drink is next to the plate?\nAnswer:\nA glass of "
	  "cola.\n===\nQuestion:\nWhere is the meal served?\nAnswer:\nOn the counter of a "
	  "diner." },
};

static const struct chat_turn detail_shots[] = {
	{ "Captions:\nA kitchen with white cabinets and a bowl of lemons on the counter.\n"
	  "Objects:\nbowl: [0.412, 0.583, 0.596, 0.702]\nlemon: [0.441, 0.590, 0.503, 0.640]\n"
	  "lemon: [0.512, 0.595, 0.570, 0.648]\noven: [0.050, 0.520, 0.310, 0.980]",
	  "The image shows a bright kitchen with white cabinets. In the middle of the counter "
	  "sits a bowl holding two lemons, the main spot of colour in the room. An oven stands "
	  "at the lower left, below the counter. The kitchen looks clean and orderly." },
};

static const struct chat_turn reasoning_shots[] = {
	{ "Captions:\nA man holds an umbrella over a child while they wait at a bus stop.\n"
	  "Objects:\nperson: [0.210, 0.150, 0.480, 0.950]\nperson: [0.400, 0.450, 0.560, 0.960]\n"
	  "umbrella: [0.150, 0.050, 0.620, 0.400]",
	  "Question:\nWhy might the adult be holding the umbrella mostly over the other "
	  "person?\nAnswer:\nThe adult is waiting at a bus stop with a child, and the umbrella "
	  "covers the smaller person more than himself. He is most likely sheltering the child "
	  "from rain or strong sun first, as adults caring for children usually do. Since they "
	  "are waiting for a bus and may stand there for a while, keeping the child dry or "
	  "shaded matters more to him than his own comfort." },
};

static const struct {
	const struct chat_turn *turns;
	size_t n;
} shots[T_COUNT] = {
	{ conversation_shots, sizeof conversation_shots / sizeof conversation_shots[0] },
	{ detail_shots, sizeof detail_shots / sizeof detail_shots[0] },
	{ reasoning_shots, sizeof reasoning_shots / sizeof reasoning_shots[0] },
};

/* The human turn a detailed description answers (LLaVA samples one from such a list). */
static const char *const detail_asks[] = {
	"Describe this image in detail.",
	"Give a detailed account of what the picture shows.",
	"What is happening in this image? Describe it thoroughly.",
	"Write a detailed description of the scene in the image.",
	"Explain in detail what you can see in this photo.",
	"Walk me through the contents of this image in detail.",
	"Provide a thorough description of the picture.",
	"Tell me everything you notice in this image.",
	"Describe the scene shown here as fully as you can.",
	"Can you describe the image in detail?",
};
#define NDETAIL_ASKS (sizeof detail_asks / sizeof detail_asks[0])

struct instruct_plan {
	const struct backend *be;
	struct coco_boxes *cb; /* from instances=, or NULL */
	enum itype types[T_COUNT];
	int ntypes;
};

/* ---- parsing ---- */

void
mops_qa_add(struct mops_qa *qa, const char *q, const char *a)
{
	qa->q = xreallocarray(qa->q, qa->n + 1, sizeof *qa->q);
	qa->a = xreallocarray(qa->a, qa->n + 1, sizeof *qa->a);
	qa->q[qa->n] = xstrdup(q);
	qa->a[qa->n++] = xstrdup(a);
}

void
mops_qa_free(struct mops_qa *qa)
{
	for (size_t i = 0; i < qa->n; i++) {
		free(qa->q[i]);
		free(qa->a[i]);
	}
	free(qa->q);
	free(qa->a);
	memset(qa, 0, sizeof *qa);
}

/* Turn labels: inline ones must be capitalised, the rest only count at a line's start. */
static const struct {
	const char *word;
	int answer, inline_ok;
} labels[] = {
	{ "Question", 0, 1 }, { "Answer", 1, 1 }, { "Q", 0, 0 }, { "A", 1, 0 },
	{ "Human", 0, 0 }, { "User", 0, 0 }, { "GPT", 1, 0 }, { "Assistant", 1, 0 },
};

/* When a turn label starts at p, its kind (0 question, 1 answer) and where its text begins. */
static int
label_at(const char *text, const char *p, const char **body)
{
	const char *s = p;
	int line_start;

	while (s > text && (s[-1] == '*' || s[-1] == '#' || s[-1] == ' ' || s[-1] == '_'))
		s--;
	line_start = s == text || s[-1] == '\n';
	if (!line_start && p > text && (p[-1] != ' ' && p[-1] != '*'))
		return -1;
	for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
		size_t n = strlen(labels[k].word);
		const char *e = p + n;
		if (!(line_start ? strncasecmp(p, labels[k].word, n) == 0 :
		    labels[k].inline_ok && strncmp(p, labels[k].word, n) == 0))
			continue;
		if (*e == ' ' && e[1] >= '0' && e[1] <= '9') /* "Question 2:" */
			for (e++; *e >= '0' && *e <= '9'; e++)
				;
		while (*e == '*' || *e == '_')
			e++;
		if (*e != ':')
			continue;
		for (e++; *e == '*' || *e == '_' || *e == ' '; e++)
			;
		*body = e;
		return labels[k].answer;
	}
	return -1;
}

/* One turn's text: "===" runs and emphasis markers out, blanks collapsed. */
static char *
turn_text(const char *from, const char *to, int keep_nl, size_t max)
{
	char *raw = xstrndup(from, (size_t)(to - from)), *p, *out;
	size_t n;

	for (p = raw; (p = strstr(p, "===")) != NULL;)
		while (*p == '=')
			*p++ = ' ';
	out = mops_clean(raw, keep_nl ? MOPS_KEEP_NL : 0, max);
	free(raw);
	while (out[0] == '*' || out[0] == '_' || out[0] == ' ' || out[0] == '\n')
		memmove(out, out + 1, strlen(out));
	while ((n = strlen(out)) > 0 && (out[n - 1] == '*' || out[n - 1] == '_' ||
	    out[n - 1] == ' ' || out[n - 1] == '\n'))
		out[n - 1] = '\0';
	return out;
}

size_t
mops_qa_parse(const char *reply, struct mops_qa *out)
{
	char *c = mops_clean(reply, MOPS_KEEP_NL, 0), *q = NULL;
	const char *body = NULL, *next;
	int kind = -1, k;

	memset(out, 0, sizeof *out);
	for (const char *p = c;; p++) {
		k = *p != '\0' ? label_at(c, p, &next) : 2;
		if (k < 0)
			continue;
		if (kind >= 0) {
			/* The turn that ends here runs from its body to the label's line start. */
			const char *end = p;
			while (end > body && (end[-1] == '*' || end[-1] == '#' || end[-1] == '_'))
				end--;
			char *t = turn_text(body, end, kind == 1, kind ? ANSWER_MAX : QUESTION_MAX);
			if (kind == 0 && *t != '\0') {
				free(q);
				q = t;
				t = NULL;
			} else if (kind == 1 && *t != '\0' && q != NULL && out->n < PAIRS_MAX) {
				mops_qa_add(out, q, t);
				free(q);
				q = NULL;
			}
			free(t);
		}
		if (k == 2)
			break;
		kind = k;
		body = next;
		p = next - 1;
	}
	free(q);
	free(c);
	return out->n;
}

char *
mops_qa_flatten(const struct mops_qa *qa)
{
	char *s = xstrdup(""), *next, *q, *a;

	for (size_t i = 0; i < qa->n; i++) {
		q = mops_clean(qa->q[i], 0, 0);
		a = mops_clean(qa->a[i], 0, 0);
		next = xasprintf("%s%sQ: %s A: %s", s, i ? " " : "", q, a);
		free(s);
		free(q);
		free(a);
		s = next;
	}
	return s;
}

static double
unit(double v)
{
	return !isfinite(v) || v < 0 ? 0 : v > 1 ? 1 : v;
}

char *
mops_box_lines(const struct coco_box *b, size_t n, int w, int h, size_t max)
{
	char *s = NULL, *next, *label;
	size_t kept = 0;

	if (w <= 0 || h <= 0)
		return NULL;
	for (size_t i = 0; i < n && kept < max; i++) {
		if (!isfinite(b[i].x) || !isfinite(b[i].y) || !(b[i].w > 0) || !(b[i].h > 0) ||
		    !isfinite(b[i].w) || !isfinite(b[i].h))
			continue;
		label = mops_clean(b[i].label, 0, LABEL_MAX);
		if (*label != '\0') {
			next = xasprintf("%s%s: [%.3f, %.3f, %.3f, %.3f]\n", s ? s : "", label,
			    unit(b[i].x / w), unit(b[i].y / h), unit((b[i].x + b[i].w) / w),
			    unit((b[i].y + b[i].h) / h));
			free(s);
			s = next;
			kept++;
		}
		free(label);
	}
	return s;
}

/* A detailed description: the reply without a "Here is ...:" line in front. */
static char *
detail_text(const char *reply)
{
	char *c = mops_clean(reply, MOPS_KEEP_NL, ANSWER_MAX), *nl = strchr(c, '\n');

	if (nl != NULL && nl > c && nl[-1] == ':')
		memmove(c, nl + 1, strlen(nl + 1) + 1);
	return c;
}

/* ---- the op ---- */

static void
instruct_plan_free(void *arg)
{
	struct instruct_plan *p = arg;

	coco_boxes_free(p->cb);
	free(p);
}

OPPLAN(instruct)
{
	const char *type = mops_str(op, args, "type"), *path = mops_str(op, args, "instances");
	const struct backend *be;
	struct instruct_plan *p;
	char buf[64];

	if ((be = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL)
		return -1;
	p = xcalloc(1, sizeof *p);
	p->be = be;
	if (*path != '\0' && (p->cb = coco_boxes_load(path, cause)) == NULL) {
		free(p);
		return -1;
	}
	for (int t = 0; t < T_COUNT; t++) {
		if (strcmp(type, "all") != 0 && strcmp(type, type_names[t]) != 0)
			continue;
		p->types[p->ntypes++] = (enum itype)t;
		snprintf(buf, sizeof buf, "{\"type\":\"%s\"}", type_names[t]);
		mops_plan_add(out, buf);
	}
	out->state = p;
	out->state_free = instruct_plan_free;
	return 0;
}

/*
 * The symbolic context: the caption, then the boxes for the types that use
 * them. *nboxes gets the box lines sent; *unsized the boxes left out because
 * the parent's size is unknown (an import without --verify records none).
 */
static int
context(const struct instruct_plan *p, enum itype t, const struct op_input *in,
    const char *caption, char **ctx, int *nboxes, int *unsized, char **cause)
{
	struct coco_box *b = NULL;
	char *lines = NULL, *why = NULL;
	int n = 0;

	*nboxes = *unsized = 0;
	if (t != T_CONVERSATION && in->meta[0] != NULL) {
		if ((n = coco_boxes_for(p->cb, in->meta[0], &b, &why)) < 0) {
			cause_set(cause, "instruct: the parent's boxes: %s",
			    why != NULL ? why : "unreadable");
			free(why);
			return -1;
		}
		lines = mops_box_lines(b, (size_t)n, in->width[0], in->height[0], BOXES_MAX);
		if (n > 0 && (in->width[0] <= 0 || in->height[0] <= 0))
			*unsized = n;
		coco_box_list_free(b, (size_t)n);
	}
	for (const char *l = lines; l != NULL && (l = strchr(l, '\n')) != NULL; l++)
		(*nboxes)++;
	*ctx = xasprintf("Captions:\n%s%s%s", caption, lines ? "\nObjects:\n" : "",
	    lines ? lines : "");
	/* No trailing newline: the last line of the context is content. */
	size_t len = strlen(*ctx);
	if (len > 0 && (*ctx)[len - 1] == '\n')
		(*ctx)[len - 1] = '\0';
	free(lines);
	return 0;
}

/* Reads the reply into qa; 1 when the op's filter drops it (out->filtered set), -1 when it is
 * unreadable. */
static int
read_reply(enum itype t, const char *reply, const struct op_input *in, struct mops_qa *qa,
    struct op_output *out, char **cause)
{
	char *ex, *desc;

	memset(qa, 0, sizeof *qa);
	if (t == T_DETAIL) {
		desc = detail_text(reply);
		if (*desc != '\0' && (strstr(desc, "[0.") != NULL || strstr(desc, "[1.") != NULL)) {
			out->filtered = xstrdup("the description states box coordinates");
			free(desc);
			return 1;
		}
		if (*desc != '\0')
			mops_qa_add(qa, detail_asks[rng_below(in->rng, NDETAIL_ASKS)], desc);
		free(desc);
	} else if (mops_qa_parse(reply, qa) > 1 && t == T_REASONING) {
		/* One question was asked for: keep the first. */
		while (qa->n > 1) {
			qa->n--;
			free(qa->q[qa->n]);
			free(qa->a[qa->n]);
		}
	}
	if (qa->n > 0)
		return 0;
	ex = mops_excerpt(reply, 80);
	cause_set(cause, "instruct: cannot read a %s from the reply: \"%s\"", t == T_DETAIL ?
	    "description" : t == T_REASONING ? "question and answer" : "conversation", ex);
	free(ex);
	return -1;
}

OPIMPL(instruct)
{
	const struct instruct_plan *p = in->plan;
	struct chat_request r;
	struct chat_reply reply;
	struct mops_qa qa;
	enum itype t;
	cJSON *meta, *conv;
	char *caption, *ctx, *human;
	int nboxes, unsized, rc;

	if (p == NULL || in->variant < 0 || in->variant >= p->ntypes)
		return cause_set(cause, "instruct: run without its plan");
	t = p->types[in->variant];
	caption = mops_clean(in->text[0], 0, CAPTION_IN_MAX);
	if (*caption == '\0') {
		free(caption);
		out->unchanged = 1;
		return 0;
	}
	rc = context(p, t, in, caption, &ctx, &nboxes, &unsized, cause);
	free(caption);
	if (rc != 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.system = systems[t];
	r.shots = shots[t].turns;
	r.nshots = shots[t].n;
	r.user = ctx;
	r.temperature = mops_num(op, args, "temperature");
	r.top_p = -1;
	r.max_tokens = (int)mops_num(op, args, "max_tokens");
	r.has_seed = 1;
	r.seed = in->seed;
	if (mops_chat(op, in->mc, p->be, &r, &reply, cause) != 0) {
		free(ctx);
		return -1;
	}
	mops_lineage(out, ROLE_LLM, p->be, ctx, reply.id);
	free(ctx);
	rc = read_reply(t, reply.texts[0], in, &qa, out, cause);
	chat_reply_free(&reply);
	if (rc != 0) {
		mops_qa_free(&qa);
		return rc < 0 ? -1 : 0;
	}
	meta = cJSON_CreateObject();
	conv = cJSON_AddArrayToObject(meta, "conversations");
	for (size_t i = 0; i < qa.n; i++) {
		/* LLaVA puts the image token in front of the first question only. */
		human = i == 0 ? xasprintf("<image>\n%s", qa.q[i]) : xstrdup(qa.q[i]);
		mops_add_turn(conv, "human", human);
		mops_add_turn(conv, "gpt", qa.a[i]);
		free(human);
	}
	cJSON_AddStringToObject(meta, "instruct_type", type_names[t]);
	out->meta = mops_json_take(meta);
	out->text = mops_qa_flatten(&qa);
	if (unsized > 0)
		out->extra = xasprintf("{\"request_seed\":%lld,\"boxes\":0,\"boxes_unsized\":%d}",
		    (long long)in->seed, unsized);
	else
		out->extra = xasprintf("{\"request_seed\":%lld,\"boxes\":%d}",
		    (long long)in->seed, nboxes);
	mops_qa_free(&qa);
	return 0;
}
