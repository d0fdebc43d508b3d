/* SPDX-License-Identifier: MIT */
/*
 * The full-text screen (v): what a caption box cannot hold. A rationale is
 * shown under its problem (question, options, gold answer, the answer the
 * rationale reached, and a PCoT rationale's lecture and plan); tool-use
 * data as its calls, each parsed into instruction, tool and arguments,
 * then what was refused; a code-switch as its mappings; anything else as
 * its conversation turns or its text. Lines are wrapped to the screen and
 * scrolled with j/k and PgUp/PgDn. Every text is sanitised by screen_text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/util.h"
#include "tui/screen.h"
#include "views/views.h"

/* The lines to show, built from the candidate's meta; each may be long (wrapped later). */
struct tlines {
	char **v;
	size_t n;
};

static void
add(struct tlines *t, const char *label, const char *text)
{
	/* One line per line of the text: rationales and plans keep their steps. */
	const char *p = text != NULL ? text : "";
	int first = 1;

	do {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
		t->v[t->n++] = xasprintf("%s%.*s", first && label ? label : first ? "" : "  ",
		    (int)len, p);
		first = 0;
		p = nl != NULL ? nl + 1 : NULL;
	} while (p != NULL);
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
rationale_lines(struct tlines *t, const cJSON *m)
{
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(m, "choices"), *v;
	const cJSON *gold = cJSON_GetObjectItemCaseSensitive(m, "answer_index");
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(m, "answer_consistent");
	char buf[64], *opts = xstrdup(""), *next;
	int i = 0;

	add(t, "Question: ", str(m, "question"));
	if (str(m, "hint") != NULL && *str(m, "hint") != '\0')
		add(t, "Context:  ", str(m, "hint"));
	cJSON_ArrayForEach(v, choices) {
		next = xasprintf("%s%s(%c) %s", opts, i ? "  " : "", 'A' + i,
		    cJSON_IsString(v) ? v->valuestring : "?");
		free(opts);
		opts = next;
		i++;
	}
	if (i > 0)
		add(t, "Options:  ", opts);
	free(opts);
	if (cJSON_IsNumber(gold))
		snprintf(buf, sizeof buf, "Gold:     (%c) ", 'A' + gold->valueint);
	else
		snprintf(buf, sizeof buf, "Gold:     ");
	add(t, buf, str(m, "answer"));
	add(t, cJSON_IsTrue(ok) ? "Reached:  (consistent) " : "Reached:  (DIFFERS from gold) ",
	    str(m, "final_answer") != NULL ? str(m, "final_answer") : "no final answer");
	add(t, "Skill:    ", str(m, "skill"));
	if (str(m, "lecture") != NULL) {
		add(t, "Lecture:  ", str(m, "lecture"));
		add(t, "Plan:", "");
		add(t, "  ", str(m, "plan"));
	}
	add(t, "", "");
	snprintf(buf, sizeof buf, "Rationale (%s):", str(m, "mode") ? str(m, "mode") : "?");
	add(t, buf, "");
	add(t, "  ", str(m, "rationale"));
}

static void
tool_lines(struct tlines *t, const cJSON *m)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls"), *c, *a;
	const cJSON *refused = cJSON_GetObjectItemCaseSensitive(m, "rejected");
	char buf[32];
	int i = 0;

	cJSON_ArrayForEach(c, calls) {
		char *args = xstrdup(""), *next;
		int k = 0;
		snprintf(buf, sizeof buf, "%d. ", ++i);
		add(t, buf, str(c, "instruction"));
		add(t, "   Tool:      ", str(c, "tool"));
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(c, "arguments")) {
			next = xasprintf("%s%s%s", args, k++ ? " | " : "",
			    cJSON_IsString(a) ? a->valuestring : "?");
			free(args);
			args = next;
		}
		add(t, "   Arguments: ", args);
		free(args);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "misspelt")))
			add(t, "   ", "(the reply misspelt the tool's name)");
	}
	if (cJSON_GetArraySize(refused) > 0) {
		add(t, "", "");
		add(t, "Refused:", "");
		cJSON_ArrayForEach(c, refused)
			add(t, "  ", cJSON_IsString(c) ? c->valuestring : "?");
	}
}

static void
build(const struct app *a, struct tlines *t)
{
	cJSON *m = a->c.meta != NULL ? cJSON_Parse(a->c.meta) : NULL, *turn;
	const cJSON *conv = cJSON_GetObjectItemCaseSensitive(m, "conversations");

	memset(t, 0, sizeof *t);
	if (str(m, "rationale") != NULL)
		rationale_lines(t, m);
	else if (cJSON_GetObjectItemCaseSensitive(m, "tool_calls") != NULL)
		tool_lines(t, m);
	else {
		if (str(m, "switches") != NULL)
			add(t, "Switched: ", str(m, "switches"));
		add(t, "Text: ", a->c.text);
		cJSON_ArrayForEach(turn, conv) {
			add(t, "", "");
			add(t, str(turn, "from") != NULL && strcmp(str(turn, "from"), "human") == 0 ?
			    "human: " : "gpt:   ", str(turn, "value"));
		}
	}
	cJSON_Delete(m);
}

static void
text_draw(struct app *a)
{
	struct tlines t;
	int rows = LINES - 4, y = 2;
	size_t i, last;
	char title[200];

	build(a, &t);
	/* Scrolled by whole lines: a wrapped line is never cut at the top. */
	if (a->text_top > (int)t.n - 1)
		a->text_top = t.n > 0 ? (int)t.n - 1 : 0;
	for (i = (size_t)a->text_top; i < t.n && y < 2 + rows; i++) {
		int bad = strncmp(t.v[i], "Reached:  (DIFFERS", 18) == 0;
		int used = screen_wrap(y, 1, COLS - 2, 2 + rows - y, t.v[i],
		    theme_attr(bad ? TH_FAIL : TH_TEXT));
		y += used > 0 ? used : 1;
	}
	last = i;
	snprintf(title, sizeof title, " mmda  #%lld %s, full text   lines %d-%zu of %zu%s   "
	    "j/k PgUp/PgDn scroll, v or q back ", (long long)a->c.id, a->c.op,
	    t.n ? a->text_top + 1 : 0, last, t.n, last < t.n ? " (more below)" : "");
	screen_title(title);
	for (i = 0; i < t.n; i++)
		free(t.v[i]);
	free(t.v);
}

const struct view_ops view_text = { "text", text_draw };
