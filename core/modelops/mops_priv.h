/* SPDX-License-Identifier: MIT */
/*
 * Private to the model-backed operators (core/modelops/mops_*.c): reading an op's
 * arguments by name, picking its backends, cleaning what a model wrote and
 * recording the lineage. Model output is hostile, so every text a server
 * returns passes through mops_clean (or a parser built on it) before it is
 * stored. Shared by the text ops (mops_text.c, mops_cfact.c,
 * mops_instruct.c) and the image ops (mops_image.c and its siblings).
 */
#ifndef MMDA_MOPS_PRIV_H
#define MMDA_MOPS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/models/backend.h"
#include "core/ops/ops.h"
#include "core/models/proto.h"

struct mclient;

/* ---- arguments ---- */

/* A parameter's value by name. A name the op does not have is a bug: fatal(). */
double mops_num(const struct op_def *op, const struct op_args *args, const char *name);
/* Never NULL ("" when unset). */
const char *mops_str(const struct op_def *op, const struct op_args *args, const char *name);

/*
 * The backend serving role for op: the one its PARAM_BACKEND parameter of
 * the role's name ("llm", "vlm", "clip") names, else the role's default. For
 * ROLE_VLM the backend must accept images. Returns NULL with *cause
 * ("caption: no backend for role vlm: ...") when there is none or mc is NULL.
 */
const struct backend *mops_backend(const struct op_def *op, const struct op_args *args,
    struct mclient *mc, enum backend_role role, char **cause);

/* ---- plans ---- */

/* Sets out to k variants {"sample":0} .. {"sample":k-1}. */
void mops_plan_samples(struct op_plan *out, int k);
/* Adds one variant (a JSON object text, copied) to out. */
void mops_plan_add(struct op_plan *out, const char *json);

/* ---- cleaning model output ---- */

#define MOPS_KEEP_NL 0x01 /* keep line breaks (at most one blank line in a row) */

/*
 * A cleaned copy of s: malformed UTF-8, C0/C1 controls, DEL, zero-width and
 * bidirectional marks removed, every run of blanks (tabs, Unicode spaces,
 * and line breaks unless MOPS_KEEP_NL) turned into one space, ends trimmed,
 * and cut to at most max bytes (at a word boundary when one is near; 0: no
 * cap). Never NULL; the caller frees.
 */
char *mops_clean(const char *s, int flags, size_t max);
/*
 * The first line of a reply that holds content, cleaned to one line: skips
 * preambles ("Sure! Here is the caption:"), strips list markers, a leading
 * "=>" or a label ("Rewrite:", "Caption:"), and wrapping quotes. "" when
 * nothing is left. The caller frees.
 */
char *mops_first_line(const char *s, size_t max);
/* Strips wrapping quotes (ASCII and typographic) from s in place; returns s. */
char *mops_unquote(char *s);
/* Words in s (runs of non-blank characters). */
size_t mops_words(const char *s);
/* 1 when a and b hold the same letters and digits, ignoring ASCII case and the rest. */
int mops_same_text(const char *a, const char *b);
/* Offset of needle in hay ignoring ASCII case, or -1 (an empty needle is never found). */
long mops_find_ci(const char *hay, const char *needle);
/* A cleaned one-line excerpt of s of at most max bytes, "..." appended when cut, for causes
 * ("the reply was \"%s\""). Never NULL; the caller frees. */
char *mops_excerpt(const char *s, size_t max);
/* The first JSON object found in s (a reply may wrap it in prose or ``` fences), or NULL.
 * The caller frees with cJSON_Delete. */
cJSON *mops_json_object(const char *s);

/* ---- requests and lineage ---- */

/* The text a backend records as its model: its configured model, else its name. Static. */
const char *mops_model_name(const struct backend *be);
/*
 * mclient_chat and a first choice that is a string. Returns 0 with *reply
 * filled (free with chat_reply_free), or -1 with *cause prefixed by the op's
 * name.
 */
int mops_chat(const struct op_def *op, struct mclient *mc, const struct backend *be,
    const struct chat_request *r, struct chat_reply *reply, char **cause);
/*
 * One text request: system and user messages, the op's "temperature" and
 * "max_tokens" parameters, no top_p, and seed. Returns 0 with *text (and,
 * when id is not NULL, *id: the reply's id or NULL; the caller frees both),
 * or -1 with *cause prefixed by the op's name.
 */
int mops_ask(const struct op_def *op, const struct op_args *args, struct mclient *mc,
    const struct backend *be, const char *system, const char *user, int64_t seed,
    char **text, char **id, char **cause);
/*
 * Records the first backend used in the lineage columns: backend "ROLE=NAME",
 * model, prompt (copied; may be NULL) and the reply's id (may be NULL).
 * Replaces what out held.
 */
void mops_lineage(struct op_output *out, enum backend_role role, const struct backend *be,
    const char *prompt, const char *response_id);
/* Adds another backend: backend "llm=a,clip=b"; model "llm=m1,clip=m2". */
void mops_lineage_add(struct op_output *out, enum backend_role role, const struct backend *be);
/* Appends one LLaVA turn {"from": from, "value": value} to the array conv. */
void mops_add_turn(cJSON *conv, const char *from, const char *value);
/* Prints a cJSON tree unformatted into a malloc'd string (xmalloc'd; the caller frees) and
 * deletes the tree. */
char *mops_json_take(cJSON *root);

/* ---- image ops (H5: core/modelops/mops_image.c, mops_inpaint.c, mops_alia*.c, cocoboxes.c) ---- */

struct coco_boxes;
/* Annotations a loaded instances file holds, and how many unusable ones it skipped. */
size_t coco_boxes_count(const struct coco_boxes *cb);
size_t coco_boxes_skipped(const struct coco_boxes *cb);

struct image;
/* Longest side of an image sent for editing: Stable Diffusion works at 512-768 pixels. */
#define MOPS_GEN_MAX_SIDE 768
/*
 * Encodes an op's input image as PNG, downscaled to fit max_side; *w, *h get
 * the size encoded (a mask must match it). Caller frees *png; -1 with *cause.
 */
int mops_encode_input(const struct image *img, int max_side, uint8_t **png, size_t *len,
    int *w, int *h, char **cause);
/* Sets r's width and height for an input of w x h: a1111 renders at the size it is given
 * (rounded to its grid of 8); other kinds get 0 (the server follows the input). */
void mops_gen_size(const struct backend *be, int w, int h, struct gen_request *r);
/*
 * mclient_generate with the op's name on the cause, the image resized to
 * want_w x want_h when both are > 0 and it came back another size. Returns 0
 * with *img (caller frees with image_free), *seed and *id (caller frees, may
 * be NULL), or -1 with *cause.
 */
int mops_generate(const struct op_def *op, struct mclient *mc, const struct backend *be,
    const struct gen_request *r, const struct image *mask, int want_w, int want_h,
    struct image *img, int64_t *seed, char **id, char **cause);
/* Sets the lineage's prompt (copied) and response id (taken over and cleaned; may be NULL)
 * after mops_lineage / mops_lineage_add named the backends. */
void mops_lineage_result(struct op_output *out, const char *prompt, char *id);

/* "x,y,w,h" in pixels into b: finite, x,y >= 0, w,h > 0. -1 with *cause "OPNAME: box=...". */
int mops_box_parse(const char *opname, const char *s, double b[4], char **cause);
/* A box in whole pixels, [x0, x1) x [y0, y1). */
struct mops_ibox {
	int x0, y0, x1, y1;
};
/* The box b (x, y, w, h) clipped to a w x h image; -1 when nothing of it is inside. */
int mops_box_clip(const double b[4], int w, int h, struct mops_ibox *o);

/* Bytes of one ALIA domain description at most. */
#define MOPS_DOMAIN_MAX 200
/*
 * ALIA's domains for a batch (core/modelops/mops_alia_domains.c): read from the
 * domains_file argument when it exists, else the project setting
 * "alia.domains", else captioned by vlm and summarised by llm (then stored
 * in the setting and written to domains_file). Returns 0 with *domains (n
 * strings; caller frees each and the array) and *note (where they came
 * from; caller frees), or -1 with *cause.
 */
int mops_alia_domains(const struct op_def *op, const struct op_args *args,
    const struct op_plan_in *in, const struct backend *vlm, const struct backend *llm,
    char ***domains, int *n, char **note, char **cause);

/* ---- the text ops' parsers (core/modelops/mops_text.c, mops_cfact.c, mops_instruct.c) ---- */

/*
 * Reads LaCLIP example pairs, one "source => target" a line; blank lines and
 * lines starting with '#' are skipped. Returns 0 with *src and *tgt (n
 * strings each; free with mops_pairs_free), or -1 with *cause "PATH:LINE:
 * why" (path names the text in messages only).
 */
int mops_examples_parse(const char *text, const char *path, char ***src, char ***tgt,
    size_t *n, char **cause);
void mops_pairs_free(char **src, char **tgt, size_t n);
/* The rewrite in an LLM reply: its first content line, after any "=>" it repeats. Never NULL;
 * "" when there is none; the caller frees. */
char *mops_rewrite_clean(const char *reply);

/*
 * Reads a "Question: ... ? Answer: ..." reply (SelTDA): the question runs up
 * to its '?', the answer follows "Answer:". Returns 0 with *question and
 * *answer (caller frees), or -1 with *why (caller frees) saying what was
 * missing.
 */
int mops_vqa_parse(const char *reply, char **question, char **answer, char **why);
/* "yes/no", "number" or "other" (VQA answer types). Static. */
const char *mops_answer_type(const char *answer);
/* 1 when the answer holds both the words "yes" and "no" (SelTDA drops those). */
int mops_yes_and_no(const char *answer);

/* Question-answer turns read from a reply. */
struct mops_qa {
	char **q, **a;
	size_t n;
};
/* Reads alternating Question:/Answer: blocks (separated by "===" or not). Returns the number
 * of complete pairs (0: unparsable); free with mops_qa_free either way. */
size_t mops_qa_parse(const char *reply, struct mops_qa *out);
void mops_qa_add(struct mops_qa *qa, const char *q, const char *a);
void mops_qa_free(struct mops_qa *qa);
/* "Q: ... A: ... Q: ..." on one line; the caller frees. */
char *mops_qa_flatten(const struct mops_qa *qa);

struct coco_box;
/* "label: [x1, y1, x2, y2]" lines (normalised to 0..1 by w x h, 3 decimals, at most max
 * lines), or NULL when there are none or the size is unknown. The caller frees. */
char *mops_box_lines(const struct coco_box *b, size_t n, int w, int h, size_t max);

enum mops_verdict {
	MOPS_OK,
	MOPS_NONE,       /* nothing to replace: the op does not apply */
	MOPS_BAD_FORMAT, /* the reply is not the JSON asked for */
	MOPS_REJECTED,   /* well-formed, but the replacement is not acceptable */
};
/* Entity replacements an LLM proposed, and the caption it made. */
struct mops_swap {
	char **from, **to;
	size_t n;
	char *caption;
};
/*
 * Reads and checks a counterfactual reply against the source caption: every
 * "from" must occur in it, every "to" differ from its "from" and occur in the
 * new caption, and the new caption must differ from the source. Returns the
 * verdict; *why (caller frees) is set unless MOPS_OK or MOPS_NONE. Free *out
 * with mops_swap_free either way.
 */
enum mops_verdict mops_cfact_parse(const char *reply, const char *source, struct mops_swap *out,
    char **why);
void mops_swap_free(struct mops_swap *s);

/* Frees n strings and the array; NULL is allowed. */
void mops_strv_free(char **v, size_t n);
/* The string member name of obj, cleaned to one line of at most max bytes and unquoted;
 * NULL when missing, not a string or empty. The caller frees. */
char *mops_json_string(const cJSON *obj, const char *name, size_t max);

/* ---- T-SciQ problems and rationales (core/modelops/mops_problem.c) ---- */

/* A question-answer problem as a rationale sees it. */
struct mops_problem {
	char *question;
	char **choices;  /* ScienceQA options (lettered A, B, ...), or none for an open answer */
	size_t nchoices;
	int gold;        /* index of the right choice, or -1 for an open answer */
	char *answer;    /* the gold answer's text */
	char *hint;      /* ScienceQA's context, or NULL */
	char *skill;     /* meta "skill", else "answer_type" (vqa-gen), else "general" */
};
/*
 * Reads the problem from a candidate's meta: ScienceQA fields (question,
 * choices, answer index, hint, skill), a vqa-gen pair (question, answer) or
 * a LLaVA conversation (the first human and gpt turns). Returns 0 with *p
 * filled (free with mops_problem_free), 1 when the candidate holds no
 * problem (or is a rationale already), -1 with *why (caller frees) when its
 * fields are malformed (an answer index out of range).
 */
int mops_problem_read(const char *meta, struct mops_problem *p, char **why);
void mops_problem_free(struct mops_problem *p);
/* "Question: ...\nContext: ...\nOptions: (A) ... [\nCorrect Answer: (B) ...]". Caller frees. */
char *mops_problem_block(const struct mops_problem *p, int with_answer);
/*
 * Reads a rationale reply: the cleaned text (line breaks kept) and the final
 * answer its last "Answer:" / "The answer is" line states (NULL when none).
 * Returns 0 with both set (caller frees), or -1 with *why (caller frees)
 * when the reply holds fewer than 3 words of reasoning.
 */
int mops_rationale_parse(const char *reply, char **rationale, char **final, char **why);
/* 1 when final names the gold answer: its letter, its choice text, or (open answers) the
 * gold text as whole words; 0 otherwise or when final is NULL. */
int mops_answer_consistent(const struct mops_problem *p, const char *final);
/* A lecture: the reply's first content line, or NULL with *why (caller frees both). */
char *mops_lecture_clean(const char *reply, char **why);
/* A plan: the reply's numbered steps renumbered "1. ...\n2. ...", or NULL with *why
 * (caller frees both) when it has none. */
char *mops_plan_parse(const char *reply, char **why);

/* ---- CultureMixup code-switching (core/modelops/mops_cswitch.c) ---- */

#define MOPS_LEVELS 3 /* concept, phrase, word */
extern const char *const mops_level_names[MOPS_LEVELS];
struct mops_centry {
	char *source, *target;
	int distance; /* ConceptNet path length (CultureMixup's maps); 1 for LLM analogies */
	int level;    /* index into mops_level_names */
	int from_llm;
};
struct mops_cmap {
	struct mops_centry *e;
	size_t n;
};
/*
 * Reads a concept map: "source, target, distance[, level]" rows (comma or,
 * when a line holds a tab, tab separated; a "...,distance" header row and
 * '#' lines skipped; level defaults to concept). Returns 0 with *out (free
 * with mops_cmap_free), or -1 with *cause "PATH:LINE: why".
 */
int mops_cmap_parse(const char *text, const char *path, struct mops_cmap *out, char **cause);
/* Appends a copy of one row. */
void mops_cmap_add(struct mops_cmap *m, const char *source, const char *target, int distance,
    int level, int from_llm);
void mops_cmap_free(struct mops_cmap *m);
/*
 * The analogous concepts of an LLM reply: one per line, list markers and
 * numbering stripped, preambles, sentences (more than 4 words), the source
 * itself and repeats left out, at most 10. Returns the count with *out
 * (free with mops_strv_free); 0 with *why (caller frees) when none is left.
 */
size_t mops_analogies_parse(const char *reply, const char *source, char ***out, char **why);
struct rng;
/*
 * Switches caption's occurrences of the map's sources of one level (whole
 * words, case ignored, longest first) to a target within maxd: the nearest
 * (ties drawn from rng) or, with pick_random, any. *text gets the new
 * caption (caller frees); *done the substitutions made, one per source
 * (free with mops_cmap_free). Returns their count (0: nothing matched).
 */
size_t mops_code_switch(const struct mops_cmap *m, int level, int maxd, int pick_random,
    struct rng *rng, const char *caption, char **text, struct mops_cmap *done);

/* ---- GPT4Tools tool calls (core/modelops/mops_tools.c) ---- */

struct mops_tool {
	char *name, *usage;
	char **args;  /* argument names; one holding "image" must be the image placeholder */
	size_t nargs;
};
struct mops_tools {
	struct mops_tool *v;
	size_t n;
};
/*
 * Reads a tool list: one "name: usage, arg, arg" line per tool (the
 * trailing lowercase identifiers are the arguments), '#' lines and blank
 * ones skipped. Returns 0 with *out (free with mops_tools_free), or -1
 * with *cause "PATH:LINE: why".
 */
int mops_tools_parse(const char *text, const char *path, struct mops_tools *out, char **cause);
/* The built-in list of 22 visual tools. Free with mops_tools_free. */
void mops_tools_builtin(struct mops_tools *out);
void mops_tools_free(struct mops_tools *t);
/* The tool a written name means: the same letters and digits ignoring case, or the one
 * nearest within 3 edits (*misspelt set); NULL when none, or two are as near. */
const struct mops_tool *mops_tool_find(const struct mops_tools *t, const char *name,
    int *misspelt);

struct mops_call {
	char *instruction;
	const struct mops_tool *tool; /* borrowed from the list */
	char **args;
	size_t nargs;                 /* tool->nargs */
	int misspelt;                 /* the reply wrote the tool's name another way */
};
struct mops_calls {
	struct mops_call *v;
	size_t n;
	char **rejected;  /* "why: \"line\"" per refused line */
	size_t nrejected;
	size_t duplicates, misspelt;
};
/*
 * Reads "instruction, [tool_name, arguments]" lines of a reply: unknown
 * tools, too few arguments and image arguments other than image are
 * refused (listed in out->rejected), extra arguments merged into the last,
 * exact repeats of an instruction dropped. Returns the calls kept; free
 * *out with mops_calls_free either way.
 */
size_t mops_calls_parse(const char *reply, const struct mops_tools *t, const char *image,
    struct mops_calls *out);
void mops_calls_free(struct mops_calls *c);

#endif
