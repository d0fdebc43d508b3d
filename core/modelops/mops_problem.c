/* SPDX-License-Identifier: MIT */
/*
 * The T-SciQ side of the text ops that is not a request: reading a
 * question-answer problem out of a candidate (a ScienceQA import, a vqa-gen
 * pair, a LLaVA conversation), writing its problem block the way T-SciQ
 * lays one out (question, context, lettered options, correct answer), and
 * reading what the model wrote back: a rationale with its final answer, a
 * lecture, a numbered plan. Replies are hostile: each parser cleans first
 * and says why when it cannot use a reply.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/modelops/mops_priv.h"
#include "core/base/util.h"

#define FIELD_MAX 2000     /* bytes of a question, hint or choice put in a prompt */
#define RATIONALE_MAX 8000 /* bytes kept of a rationale */
#define FINAL_MAX 300      /* bytes kept of a stated final answer */
#define LECTURE_MAX 600
#define PLAN_STEPS_MAX 12
#define STEP_MAX 400
#define CHOICES_MAX 26     /* letters */

void
mops_problem_free(struct mops_problem *p)
{
	free(p->question);
	mops_strv_free(p->choices, p->nchoices);
	free(p->answer);
	free(p->hint);
	free(p->skill);
	memset(p, 0, sizeof *p);
}

/* The first human and gpt turns of a LLaVA conversation, or -1. */
static int
conversation_qa(const cJSON *conv, char **q, char **a)
{
	const cJSON *turn;
	char *human = NULL, *gpt = NULL;

	cJSON_ArrayForEach(turn, conv) {
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(turn, "from");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(turn, "value");
		if (!cJSON_IsString(from) || !cJSON_IsString(value))
			continue;
		if (human == NULL && (strcmp(from->valuestring, "human") == 0 ||
		    strcmp(from->valuestring, "user") == 0))
			human = value->valuestring;
		else if (human != NULL && (strcmp(from->valuestring, "gpt") == 0 ||
		    strcmp(from->valuestring, "assistant") == 0)) {
			gpt = value->valuestring;
			break;
		}
	}
	if (human == NULL || gpt == NULL)
		return -1;
	/* LLaVA's image token is markup, not part of the question. */
	char *raw = xstrdup(human), *tok;
	while ((tok = strstr(raw, "<image>")) != NULL)
		memset(tok, ' ', 7);
	*q = mops_clean(raw, 0, FIELD_MAX);
	*a = mops_clean(gpt, 0, FIELD_MAX);
	free(raw);
	return **q != '\0' && **a != '\0' ? 0 : -1;
}

int
mops_problem_read(const char *meta, struct mops_problem *p, char **why)
{
	cJSON *m = meta != NULL ? cJSON_Parse(meta) : NULL, *v;
	const cJSON *choices, *answer, *conv;
	int rc = 1;

	memset(p, 0, sizeof *p);
	p->gold = -1;
	*why = NULL;
	/* A rationale's own output carries its problem too: never explain an explanation. */
	if (!cJSON_IsObject(m) || cJSON_GetObjectItemCaseSensitive(m, "rationale") != NULL)
		goto out;
	p->question = mops_json_string(m, "question", FIELD_MAX);
	choices = cJSON_GetObjectItemCaseSensitive(m, "choices");
	answer = cJSON_GetObjectItemCaseSensitive(m, "answer");
	conv = cJSON_GetObjectItemCaseSensitive(m, "conversations");
	if (p->question != NULL && cJSON_IsArray(choices)) {
		cJSON_ArrayForEach(v, choices) {
			char *c = cJSON_IsString(v) ? mops_clean(v->valuestring, 0, FIELD_MAX) : NULL;
			if (c == NULL || *c == '\0' || p->nchoices == CHOICES_MAX) {
				free(c);
				*why = xstrdup("a choice is empty, not a string, or past Z");
				rc = -1;
				goto out;
			}
			p->choices = xreallocarray(p->choices, p->nchoices + 1, sizeof *p->choices);
			p->choices[p->nchoices++] = c;
		}
		if (!cJSON_IsNumber(answer) || answer->valuedouble != (double)answer->valueint ||
		    answer->valueint < 0 || (size_t)answer->valueint >= p->nchoices) {
			*why = xasprintf("the answer is not the index of one of its %zu choices",
			    p->nchoices);
			rc = -1;
			goto out;
		}
		p->gold = answer->valueint;
		p->answer = xstrdup(p->choices[p->gold]);
	} else if (p->question != NULL) {
		if ((p->answer = mops_json_string(m, "answer", FIELD_MAX)) == NULL)
			goto out;
	} else if (!cJSON_IsArray(conv) || conversation_qa(conv, &p->question, &p->answer) != 0)
		goto out;
	p->hint = mops_json_string(m, "hint", FIELD_MAX);
	/* vqa-gen records no skill; its answer type is the nearest thing to one. */
	if ((p->skill = mops_json_string(m, "skill", 200)) == NULL &&
	    (p->skill = mops_json_string(m, "answer_type", 200)) == NULL)
		p->skill = xstrdup("general");
	rc = 0;
out:
	cJSON_Delete(m);
	if (rc != 0) {
		char *w = *why;
		mops_problem_free(p);
		*why = w;
	}
	return rc;
}

char *
mops_problem_block(const struct mops_problem *p, int with_answer)
{
	char *s = xasprintf("Question: %s\nContext: %s", p->question,
	    p->hint != NULL && *p->hint != '\0' ? p->hint : "N/A"), *next;

	if (p->nchoices > 0) {
		next = xasprintf("%s\nOptions:", s);
		free(s);
		s = next;
		for (size_t i = 0; i < p->nchoices; i++) {
			next = xasprintf("%s (%c) %s", s, 'A' + (int)i, p->choices[i]);
			free(s);
			s = next;
		}
	}
	if (with_answer) {
		if (p->gold >= 0)
			next = xasprintf("%s\nCorrect Answer: (%c) %s", s, 'A' + p->gold, p->answer);
		else
			next = xasprintf("%s\nCorrect Answer: %s", s, p->answer);
		free(s);
		s = next;
	}
	return s;
}

/* Where the last final-answer label of c starts (at a line start), and its text. */
static const char *
final_label(const char *c, const char **text)
{
	static const char *const labels[] = { "final answer:", "correct answer:", "answer:",
		"the answer is", "therefore, the answer is", "so the answer is" };
	const char *best = NULL;

	for (const char *line = c; line != NULL && *line != '\0';) {
		const char *l = line;
		while (*l == '*' || *l == '#' || *l == ' ' || *l == '_')
			l++;
		for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
			if (strncasecmp(l, labels[k], strlen(labels[k])) == 0) {
				best = line;
				*text = l + strlen(labels[k]);
				break;
			}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return best;
}

int
mops_rationale_parse(const char *reply, char **rationale, char **final, char **why)
{
	char *c = mops_clean(reply, MOPS_KEEP_NL, RATIONALE_MAX), *body;
	const char *text = NULL, *at = final_label(c, &text);

	*rationale = *final = *why = NULL;
	if (at != NULL) {
		const char *e = strchr(text, '\n');
		char *f = xstrndup(text, e ? (size_t)(e - text) : strlen(text)), *g;
		for (char *s = f; *s; s++)
			if (*s == '*' || *s == '_')
				*s = ' ';
		g = mops_clean(f, 0, FINAL_MAX);
		free(f);
		size_t n = strlen(g);
		while (n > 0 && (g[n - 1] == '.' || g[n - 1] == ' '))
			g[--n] = '\0';
		mops_unquote(g);
		if (*g != '\0')
			*final = g;
		else
			free(g);
	}
	body = xstrndup(c, at != NULL ? (size_t)(at - c) : strlen(c));
	if (mops_words(body) < 3) {
		char *ex = mops_excerpt(reply, 80);
		*why = xasprintf("the reply holds no reasoning: \"%s\"", ex);
		free(ex);
		free(body);
		free(*final);
		*final = NULL;
		free(c);
		return -1;
	}
	free(body);
	*rationale = c;
	return 0;
}

/* 1 when needle occurs in hay as whole words (ASCII case ignored). */
static int
has_words(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = hay; n > 0 && *p != '\0'; p++) {
		long at = mops_find_ci(p, needle);
		if (at < 0)
			return 0;
		p += at;
		int before = p == hay || !isalnum((unsigned char)p[-1]);
		int after = !isalnum((unsigned char)p[n]);
		if (before && after)
			return 1;
	}
	return 0;
}

int
mops_answer_consistent(const struct mops_problem *p, const char *final)
{
	const char *f = final;

	if (f == NULL || *f == '\0')
		return 0;
	if (p->gold < 0)
		return mops_same_text(f, p->answer) || has_words(f, p->answer);
	/* "(B)", "B", "B)", "B." or "(B) text": the letter decides. */
	while (*f == ' ' || *f == '(' || *f == '[')
		f++;
	if (isupper((unsigned char)f[0]) && (f[1] == '\0' || f[1] == ')' || f[1] == ']' ||
	    f[1] == '.' || f[1] == ':' || (f[1] == ' ' && f > final)))
		return f[0] - 'A' == p->gold;
	for (size_t i = 0; i < p->nchoices; i++)
		if (mops_same_text(final, p->choices[i]))
			return (int)i == p->gold;
	/* A sentence naming the gold choice and no other one. */
	int hits = 0, gold_hit = 0;
	for (size_t i = 0; i < p->nchoices; i++)
		if (has_words(final, p->choices[i])) {
			hits++;
			gold_hit |= (int)i == p->gold;
		}
	return hits == 1 && gold_hit;
}

char *
mops_lecture_clean(const char *reply, char **why)
{
	char *l = mops_first_line(reply, LECTURE_MAX);

	*why = NULL;
	if (mops_words(l) < 3) {
		char *ex = mops_excerpt(reply, 80);
		*why = xasprintf("no lecture in the reply: \"%s\"", ex);
		free(ex);
		free(l);
		return NULL;
	}
	return l;
}

char *
mops_plan_parse(const char *reply, char **why)
{
	char *c = mops_clean(reply, MOPS_KEEP_NL, 0), *out = xstrdup(""), *next;
	int steps = 0;

	*why = NULL;
	for (char *line = strtok(c, "\n"); line != NULL && steps < PLAN_STEPS_MAX;
	    line = strtok(NULL, "\n")) {
		char *s = line;
		while (*s == ' ' || *s == '*' || *s == '#')
			s++;
		if (strncasecmp(s, "step ", 5) == 0)
			s += 5;
		if (!isdigit((unsigned char)*s))
			continue;
		while (isdigit((unsigned char)*s))
			s++;
		if (*s != '.' && *s != ')' && *s != ':')
			continue;
		char *step = mops_clean(s + 1, 0, STEP_MAX);
		while (*step == '*' || *step == ' ')
			memmove(step, step + 1, strlen(step));
		if (*step != '\0') {
			next = xasprintf("%s%s%d. %s", out, steps ? "\n" : "", steps + 1, step);
			free(out);
			out = next;
			steps++;
		}
		free(step);
	}
	free(c);
	if (steps == 0) {
		char *ex = mops_excerpt(reply, 80);
		*why = xasprintf("no numbered steps in the plan reply: \"%s\"", ex);
		free(ex);
		free(out);
		return NULL;
	}
	return out;
}
