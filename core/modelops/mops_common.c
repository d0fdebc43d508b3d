/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the model-backed operators (core/modelops/mops_priv.h): argument
 * lookup by name, backend choice, the cleaning every model reply goes
 * through before it may be stored, and the lineage columns.
 */
#include "core/modelops/mops_priv.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/models/mclient.h"
#include "core/base/utf8.h"
#include "core/base/util.h"

/* '{' positions mops_json_object tries before giving up (bounds the work on hostile text). */
#define JSON_STARTS_MAX 64

/* ---- arguments ---- */

/* Index of a parameter; searched here rather than with op_param_index so the helpers (and
 * their unit test) do not pull in the whole operator table. */
static int
param_find(const struct op_def *op, const char *name)
{
	for (int i = 0; i < op->nparams; i++)
		if (strcmp(op->params[i].name, name) == 0)
			return i;
	return -1;
}

static int
param_at(const struct op_def *op, const char *name)
{
	int i = param_find(op, name);

	if (i < 0)
		fatal("%s: no parameter %s", op->name, name);
	return i;
}

double
mops_num(const struct op_def *op, const struct op_args *args, const char *name)
{
	return args->num[param_at(op, name)];
}

const char *
mops_str(const struct op_def *op, const struct op_args *args, const char *name)
{
	const char *s = args->str[param_at(op, name)];

	return s != NULL ? s : "";
}

const struct backend *
mops_backend(const struct op_def *op, const struct op_args *args, struct mclient *mc,
    enum backend_role role, char **cause)
{
	const char *rname = backend_role_name(role), *name = "";
	const struct backend *be;
	char *why = NULL;
	int i = param_find(op, rname);

	if (i >= 0 && args->str[i] != NULL)
		name = args->str[i];
	if (mc == NULL) {
		cause_set(cause, "%s needs a %s backend and no config is loaded", op->name, rname);
		return NULL;
	}
	if ((be = mclient_backend(mc, role, name, &why)) == NULL) {
		cause_set(cause, "%s: %s", op->name, why != NULL ? why : "no backend");
		free(why);
		return NULL;
	}
	if (role == ROLE_VLM && !be->vision) {
		cause_set(cause, "%s: backend %s does not take images (\"vision\": true in the "
		    "config says it does)", op->name, be->name);
		return NULL;
	}
	return be;
}

/* ---- plans ---- */

void
mops_plan_add(struct op_plan *out, const char *json)
{
	out->variants = xreallocarray(out->variants, (size_t)out->nvariants + 1,
	    sizeof *out->variants);
	out->variants[out->nvariants++] = xstrdup(json);
}

void
mops_plan_samples(struct op_plan *out, int k)
{
	char buf[32];

	for (int i = 0; i < k; i++) {
		snprintf(buf, sizeof buf, "{\"sample\":%d}", i);
		mops_plan_add(out, buf);
	}
}

/* ---- cleaning ---- */

static int
blank_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f' || cp == 0xa0 ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* Controls and invisible marks that only ever hide or reorder text. */
static int
dropped_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* Cuts s (of length len) to at most max bytes, at a blank in the last half when there is one. */
static void
cut(char *s, size_t len, size_t max)
{
	size_t at = max;

	if (max == 0 || len <= max)
		return;
	while (at > 0 && ((unsigned char)s[at] & 0xc0) == 0x80)
		at--;
	for (size_t k = at; k > max / 2; k--) {
		if (s[k] == ' ' || s[k] == '\n') {
			at = k;
			break;
		}
	}
	while (at > 0 && (s[at - 1] == ' ' || s[at - 1] == '\n'))
		at--;
	s[at] = '\0';
}

char *
mops_clean(const char *s, int flags, size_t max)
{
	size_t len = s != NULL ? strlen(s) : 0, o = 0, n;
	char *out = xmalloc(len + 1);
	int space = 0, nl = 0;
	uint32_t cp;

	/* Separators are only written before a visible character, so out never outgrows s. */
	for (size_t i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (cp == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (cp == '\r' || cp == '\n') {
			if (flags & MOPS_KEEP_NL)
				nl++;
			else
				space = 1;
			continue;
		}
		if (blank_cp(cp)) {
			space = 1;
			continue;
		}
		if ((n == 1 && cp == 0xfffd) || dropped_cp(cp))
			continue;
		if (o > 0 && nl > 0) {
			out[o++] = '\n';
			if (nl > 1)
				out[o++] = '\n';
		} else if (o > 0 && space)
			out[o++] = ' ';
		nl = space = 0;
		memcpy(out + o, s + i, n);
		o += n;
	}
	out[o] = '\0';
	cut(out, o, max);
	return out;
}

/* Opening and closing quote pairs; the first three may also stand alone at one end. */
static const char *const quotes[][2] = {
	{ "\"", "\"" }, { "\xe2\x80\x9c", "\xe2\x80\x9d" }, { "\xc2\xab", "\xc2\xbb" },
	{ "'", "'" }, { "\xe2\x80\x98", "\xe2\x80\x99" }, { "`", "`" },
};
#define NQUOTES (sizeof quotes / sizeof quotes[0])
#define LONE_QUOTES 3

static void
trim(char *s)
{
	size_t len = strlen(s), k = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)s[k]))
		k++;
	memmove(s, s + k, len - k + 1);
}

/* Removes n bytes at s + at. */
static void
drop(char *s, size_t at, size_t n)
{
	memmove(s + at, s + at + n, strlen(s + at + n) + 1);
}

/* 1 when the n bytes at s hold the string q. */
static int
holds(const char *s, size_t n, const char *q)
{
	size_t lq = strlen(q);

	for (size_t i = 0; i + lq <= n; i++) {
		if (memcmp(s + i, q, lq) == 0)
			return 1;
	}
	return 0;
}

char *
mops_unquote(char *s)
{
	for (int changed = 1; changed;) {
		changed = 0;
		trim(s);
		for (size_t q = 0; q < NQUOTES && !changed; q++) {
			const char *o = quotes[q][0], *c = quotes[q][1];
			size_t len = strlen(s), lo = strlen(o), lc = strlen(c);
			int starts = strncmp(s, o, lo) == 0;
			/* "A dog runs". keeps its full stop when the quotes go. */
			int dot = len > lc && s[len - 1] == '.' &&
			    strncmp(s + len - 1 - lc, c, lc) == 0;
			int ends = len >= lc && strncmp(s + len - lc, c, lc) == 0;

			/* A quote inside means several quoted parts: leave them alone. */
			int inner = len >= lo + lc + (size_t)dot &&
			    holds(s + lo, len - lo - lc - (size_t)dot, c);

			if (starts && (ends || dot) && len >= lo + lc + (size_t)dot && !inner) {
				if (dot)
					drop(s, len - 1 - lc, lc);
				else
					s[len - lc] = '\0';
				drop(s, 0, lo);
				changed = 1;
			} else if (q < LONE_QUOTES && starts && strstr(s + lo, c) == NULL) {
				drop(s, 0, lo);
				changed = 1;
			} else if (q < LONE_QUOTES && ends && !starts && len > lc) {
				s[len - lc] = '\0';
				/* Put back a quote that closes one opened inside. */
				if (strstr(s, o) != NULL)
					memcpy(s + len - lc, c, lc + 1);
				else
					changed = 1;
			}
		}
	}
	return s;
}

/* Words that mark "Label:" at the start of a reply as a label, not content. */
static const char *const label_words[] = {
	"caption", "rewrite", "rewritten", "output", "answer", "target", "paraphrase",
	"paraphrased", "description", "assistant", "result", "sentence", "version", "response",
	"text", "new", "revised", NULL,
};

/* Length of a leading "Rewritten caption:" label (with the blank after it), or 0. */
static size_t
label_len(const char *s)
{
	const char *colon = strchr(s, ':');
	char word[32];
	size_t n = 0, words = 0, hit = 0;

	if (colon == NULL || colon - s > 40)
		return 0;
	for (const char *p = s; p <= colon; p++) {
		if (p < colon && isalpha((unsigned char)*p)) {
			if (n + 1 < sizeof word)
				word[n++] = (char)tolower((unsigned char)*p);
			continue;
		}
		if (p < colon && *p != ' ' && *p != '*' && *p != '_' && *p != '#' &&
		    !isdigit((unsigned char)*p))
			return 0;
		if (n > 0) {
			word[n] = '\0';
			words++;
			for (size_t k = 0; label_words[k] != NULL; k++)
				hit += strcmp(word, label_words[k]) == 0;
			n = 0;
		}
	}
	if (words == 0 || words > 6 || hit == 0)
		return 0;
	return (size_t)(colon - s) + 1;
}

/* A line that introduces the content rather than holding it. */
static int
preamble(const char *s)
{
	static const char *const openers[] = { "sure", "certainly", "of course", "okay", "ok",
		NULL };
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == ':')
		return 1;
	for (size_t k = 0; openers[k] != NULL; k++) {
		size_t n = strlen(openers[k]);
		if (strncasecmp(s, openers[k], n) == 0 && (s[n] == '!' || s[n] == ',' ||
		    s[n] == '.' || s[n] == '\0'))
			return 1;
	}
	return 0;
}

/* Strips markers, a leading "=>", a label and quotes from one line, in place. */
static void
strip_line(char *s)
{
	for (int changed = 1; changed;) {
		size_t n;
		changed = 0;
		trim(s);
		if (strncmp(s, "**", 2) == 0 || strncmp(s, "__", 2) == 0 ||
		    strncmp(s, "=>", 2) == 0 || strncmp(s, "->", 2) == 0 ||
		    strncmp(s, "- ", 2) == 0 || strncmp(s, "* ", 2) == 0 ||
		    strncmp(s, "> ", 2) == 0 || s[0] == '#')
			n = s[0] == '#' ? strspn(s, "#") : 2;
		else if (strncmp(s, "\xe2\x80\xa2", 3) == 0) /* a bullet */
			n = 3;
		else
			n = label_len(s);
		if (n > 0) {
			drop(s, 0, n);
			changed = 1;
		}
		n = strlen(s);
		if (n >= 2 && (strcmp(s + n - 2, "**") == 0 || strcmp(s + n - 2, "__") == 0)) {
			s[n - 2] = '\0';
			changed = 1;
		}
	}
	mops_unquote(s);
}

char *
mops_first_line(const char *s, size_t max)
{
	char *all = mops_clean(s, MOPS_KEEP_NL, 0), *line, *save = NULL, *res = NULL, *out;

	for (line = strtok_r(all, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (preamble(line))
			continue;
		strip_line(line);
		if (*line != '\0' && !preamble(line)) {
			res = line;
			break;
		}
	}
	out = mops_clean(res != NULL ? res : "", 0, max);
	free(all);
	return out;
}

size_t
mops_words(const char *s)
{
	return utf8_count_words(s);
}

/* The next byte of s at or after *i that is a letter, a digit or non-ASCII, or 0 at the end. */
static int
next_alnum(const char *s, size_t *i)
{
	while (s[*i] != '\0' && (unsigned char)s[*i] < 0x80 && !isalnum((unsigned char)s[*i]))
		(*i)++;
	return (unsigned char)s[*i];
}

int
mops_same_text(const char *a, const char *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		int x = next_alnum(a, &i), y = next_alnum(b, &j);
		if (x == 0 || y == 0)
			return x == y;
		if (tolower(x) != tolower(y))
			return 0;
		i++;
		j++;
	}
}

long
mops_find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return -1;
	for (const char *p = hay; *p != '\0'; p++) {
		if (strncasecmp(p, needle, n) == 0)
			return (long)(p - hay);
	}
	return -1;
}

char *
mops_excerpt(const char *s, size_t max)
{
	char *c = mops_clean(s, 0, 0), *out;
	size_t at = max;

	if (strlen(c) <= max)
		return c;
	while (at > 0 && ((unsigned char)c[at] & 0xc0) == 0x80)
		at--;
	out = xasprintf("%.*s...", (int)at, c);
	free(c);
	return out;
}

/* Where the object opening at s ends (the byte after its '}'), or NULL when it does not. */
static const char *
object_end(const char *s)
{
	int depth = 0, str = 0;

	for (; *s != '\0'; s++) {
		if (str) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				str = 0;
		} else if (*s == '"')
			str = 1;
		else if (*s == '{' || *s == '[')
			depth++;
		else if ((*s == '}' || *s == ']') && --depth == 0)
			return s + 1;
	}
	return NULL;
}

cJSON *
mops_json_object(const char *s)
{
	const char *p = s, *end;
	cJSON *doc;

	for (int tries = 0; tries < JSON_STARTS_MAX && (p = strchr(p, '{')) != NULL; tries++) {
		if ((end = object_end(p)) != NULL) {
			doc = cJSON_ParseWithLength(p, (size_t)(end - p));
			if (cJSON_IsObject(doc))
				return doc;
			cJSON_Delete(doc);
		}
		p++;
	}
	return NULL;
}

/* ---- requests and lineage ---- */

const char *
mops_model_name(const struct backend *be)
{
	return be->model != NULL && *be->model != '\0' ? be->model : be->name;
}

int
mops_chat(const struct op_def *op, struct mclient *mc, const struct backend *be,
    const struct chat_request *r, struct chat_reply *reply, char **cause)
{
	char *why = NULL;

	if (mclient_chat(mc, be, r, reply, &why) != 0) {
		cause_set(cause, "%s: %s", op->name, why != NULL ? why : "the request failed");
		free(why);
		return -1;
	}
	if (reply->ntexts == 0 || reply->texts[0] == NULL) {
		chat_reply_free(reply);
		return cause_set(cause, "%s: backend %s: the reply has no text", op->name,
		    be->name);
	}
	return 0;
}

void
mops_lineage(struct op_output *out, enum backend_role role, const struct backend *be,
    const char *prompt, const char *response_id)
{
	free(out->backend);
	free(out->model);
	free(out->prompt);
	free(out->response_id);
	out->backend = xasprintf("%s=%s", backend_role_name(role), be->name);
	out->model = xstrdup(mops_model_name(be));
	out->prompt = prompt != NULL ? xstrdup(prompt) : NULL;
	out->response_id = response_id != NULL ? mops_clean(response_id, 0, 200) : NULL;
}

void
mops_lineage_add(struct op_output *out, enum backend_role role, const struct backend *be)
{
	const char *rname = backend_role_name(role);
	char *backend, *model;

	if (out->backend == NULL || out->model == NULL) {
		mops_lineage(out, role, be, NULL, NULL);
		return;
	}
	backend = xasprintf("%s,%s=%s", out->backend, rname, be->name);
	if (strchr(out->backend, ',') == NULL) {
		/* One model was written bare; with two, each is named by its role. */
		size_t n = strcspn(out->backend, "=");
		model = xasprintf("%.*s=%s,%s=%s", (int)n, out->backend, out->model, rname,
		    mops_model_name(be));
	} else
		model = xasprintf("%s,%s=%s", out->model, rname, mops_model_name(be));
	free(out->backend);
	free(out->model);
	out->backend = backend;
	out->model = model;
}

char *
mops_json_take(cJSON *root)
{
	char *s = cJSON_PrintUnformatted(root), *out;

	if (s == NULL)
		fatal("cJSON_PrintUnformatted: out of memory");
	out = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(root);
	return out;
}

void
mops_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

char *
mops_json_string(const cJSON *obj, const char *name, size_t max)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	char *s;

	if (!cJSON_IsString(it))
		return NULL;
	s = mops_unquote(mops_clean(it->valuestring, 0, max));
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

void
mops_add_turn(cJSON *conv, const char *from, const char *value)
{
	cJSON *turn = cJSON_CreateObject();

	cJSON_AddStringToObject(turn, "from", from);
	cJSON_AddStringToObject(turn, "value", value);
	cJSON_AddItemToArray(conv, turn);
}

int
mops_ask(const struct op_def *op, const struct op_args *args, struct mclient *mc,
    const struct backend *be, const char *system, const char *user, int64_t seed,
    char **text, char **id, char **cause)
{
	struct chat_request r;
	struct chat_reply reply;

	memset(&r, 0, sizeof r);
	r.system = system;
	r.user = user;
	r.temperature = mops_num(op, args, "temperature");
	r.top_p = -1;
	r.max_tokens = (int)mops_num(op, args, "max_tokens");
	r.has_seed = 1;
	r.seed = seed;
	if (mops_chat(op, mc, be, &r, &reply, cause) != 0)
		return -1;
	*text = xstrdup(reply.texts[0]);
	if (id != NULL)
		*id = reply.id != NULL ? xstrdup(reply.id) : NULL;
	chat_reply_free(&reply);
	return 0;
}

int
mops_box_parse(const char *opname, const char *s, double b[4], char **cause)
{
	const char *p = s;
	char *end;

	char *ex;

	for (int i = 0; i < 4; i++) {
		while (*p == ' ')
			p++;
		b[i] = strtod(p, &end);
		if (end == p || !isfinite(b[i]) || b[i] < 0 || b[i] > 1e6 || (i >= 2 && b[i] <= 0))
			break;
		p = end;
		while (*p == ' ')
			p++;
		if (*p != (i < 3 ? ',' : '\0'))
			break;
		if (i == 3)
			return 0;
		p++;
	}
	ex = mops_excerpt(s, 60);
	cause_set(cause, "%s: box=%s: want x,y,w,h in pixels (x,y >= 0; w,h > 0)", opname, ex);
	free(ex);
	return -1;
}

int
mops_box_clip(const double b[4], int w, int h, struct mops_ibox *o)
{
	double x0 = floor(b[0]), y0 = floor(b[1]), x1 = ceil(b[0] + b[2]), y1 = ceil(b[1] + b[3]);

	o->x0 = x0 < 0 ? 0 : x0 > w ? w : (int)x0;
	o->y0 = y0 < 0 ? 0 : y0 > h ? h : (int)y0;
	o->x1 = x1 > w ? w : x1 < 0 ? 0 : (int)x1;
	o->y1 = y1 > h ? h : y1 < 0 ? 0 : (int)y1;
	return o->x1 > o->x0 && o->y1 > o->y0 ? 0 : -1;
}
