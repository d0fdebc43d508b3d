/* SPDX-License-Identifier: MIT */
/*
 * CultureMixup's text side: code-switching a caption's culture-specific
 * concepts into mapped counterparts. The map is what CultureMixup released
 * (source, target, distance rows, the distance being the length of the
 * ConceptNet path between them) with an optional fourth column naming the
 * tier of a row: concept (the default: a whole cultural concept), phrase or
 * word (code-switch dictionary entries). A concept the map lacks can be
 * mapped by the LLM, as CultureMixup's fallback does: up to ten analogous
 * concepts of the target culture, each at distance 1. Every substitution is
 * kept with its mapping and distance so the review screen can show it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define MAP_MAX_BYTES (64u << 20)
#define ENTRY_MAX 200       /* bytes of a source or target */
#define ANALOGIES_MAX 10    /* CultureMixup asks for at most 10 */
#define CAPTION_MAX 4000
#define CONCEPTS_MAX 100    /* concepts= names at most */

const char *const mops_level_names[MOPS_LEVELS] = { "concept", "phrase", "word" };

void
mops_cmap_free(struct mops_cmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].source);
		free(m->e[i].target);
	}
	free(m->e);
	memset(m, 0, sizeof *m);
}

void
mops_cmap_add(struct mops_cmap *m, const char *source, const char *target, int distance,
    int level, int from_llm)
{
	m->e = xreallocarray(m->e, m->n + 1, sizeof *m->e);
	m->e[m->n].source = xstrdup(source);
	m->e[m->n].target = xstrdup(target);
	m->e[m->n].distance = distance;
	m->e[m->n].level = level;
	m->e[m->n++].from_llm = from_llm;
}

/* The next field of a CSV or TSV line: trimmed, wrapping quotes removed. */
static char *
field(char **p, char sep)
{
	char *s = *p, *e;

	if (s == NULL)
		return NULL;
	e = strchr(s, sep);
	*p = e != NULL ? e + 1 : NULL;
	if (e != NULL)
		*e = '\0';
	char *f = mops_clean(s, 0, ENTRY_MAX);
	size_t n = strlen(f);
	if (n >= 2 && f[0] == '"' && f[n - 1] == '"') {
		memmove(f, f + 1, n - 2);
		f[n - 2] = '\0';
	}
	return f;
}

int
mops_cmap_parse(const char *text, const char *path, struct mops_cmap *out, char **cause)
{
	char *copy = xstrdup(text), *line, *save = NULL;
	long lineno = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	for (line = strtok_r(copy, "\n", &save); line != NULL && rc == 0;
	    line = strtok_r(NULL, "\n", &save)) {
		char sep = strchr(line, '\t') != NULL ? '\t' : ',', *p = line, *end;
		char *f[4] = { NULL, NULL, NULL, NULL };
		lineno++;
		for (int k = 0; k < 4; k++)
			f[k] = field(&p, sep);
		long d = f[2] != NULL ? strtol(f[2], &end, 10) : -1;
		int level = 0, ok_level = 1;
		if (f[3] != NULL && *f[3] != '\0') {
			ok_level = 0;
			for (int l = 0; l < MOPS_LEVELS; l++)
				if (strcasecmp(f[3], mops_level_names[l]) == 0)
					level = l, ok_level = 1;
		}
		if (f[0] == NULL || *f[0] == '\0' || f[0][0] == '#')
			; /* blank or a comment */
		else if (lineno == 1 && f[2] != NULL && strcasecmp(f[2], "distance") == 0)
			; /* the spreadsheets' header row */
		else if (f[1] == NULL || *f[1] == '\0')
			rc = cause_set(cause, "%s:%ld: no target (source, target, distance)", path,
			    lineno);
		else if (f[2] == NULL || *f[2] == '\0' || *end != '\0' || d < 0 || d > 1000)
			rc = cause_set(cause, "%s:%ld: the distance is not a whole number 0..1000",
			    path, lineno);
		else if (!ok_level)
			rc = cause_set(cause, "%s:%ld: the level is not concept, phrase or word",
			    path, lineno);
		else if (strcasecmp(f[0], f[1]) != 0)
			mops_cmap_add(out, f[0], f[1], (int)d, level, 0);
		for (int k = 0; k < 4; k++)
			free(f[k]);
	}
	free(copy);
	if (rc != 0)
		mops_cmap_free(out);
	return rc;
}

/* 1 when s reads as a concept's name: letters (any script), digits, spaces, - ' & . only,
 * and at least one letter; what is left of an escape sequence ("[31m") is not one. */
static int
concept_like(const char *s)
{
	int letters = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80 || isalpha(*p))
			letters++;
		else if (!isdigit(*p) && strchr(" -'&.", *p) == NULL)
			return 0;
	}
	return letters > 0;
}

size_t
mops_analogies_parse(const char *reply, const char *source, char ***out, char **why)
{
	char *c = mops_clean(reply, MOPS_KEEP_NL, 0), *line, *save = NULL;
	size_t n = 0;

	*out = NULL;
	*why = NULL;
	for (line = strtok_r(c, "\n", &save); line != NULL && n < ANALOGIES_MAX;
	    line = strtok_r(NULL, "\n", &save)) {
		char *s = line, *a;
		while (*s == ' ' || *s == '-' || *s == '*' || *s == '#')
			s++;
		if (isdigit((unsigned char)*s)) {
			while (isdigit((unsigned char)*s))
				s++;
			if (*s == '.' || *s == ')')
				s++;
		}
		a = mops_clean(s, 0, ENTRY_MAX);
		mops_unquote(a);
		size_t len = strlen(a);
		while (len > 0 && (a[len - 1] == '.' || a[len - 1] == ','))
			a[--len] = '\0';
		/* A preamble or an explanation is not a concept: "Here are ...:", sentences. */
		int keep = len > 0 && mops_words(a) <= 4 && concept_like(a) &&
		    strcasecmp(a, source) != 0;
		for (size_t k = 0; keep && k < n; k++)
			keep = strcasecmp((*out)[k], a) != 0;
		if (keep) {
			*out = xreallocarray(*out, n + 1, sizeof **out);
			(*out)[n++] = a;
		} else
			free(a);
	}
	free(c);
	if (n == 0) {
		char *ex = mops_excerpt(reply, 80);
		*why = xasprintf("no analogous concepts for \"%s\" in the reply: \"%s\"", source, ex);
		free(ex);
	}
	return n;
}

/* 1 when the len bytes at s are a whole-word occurrence inside text (ASCII edges only). */
static int
word_edges(const char *text, const char *s, size_t len)
{
	int before = s == text || !isalnum((unsigned char)s[-1]) || !isalnum((unsigned char)s[0]);
	int after = s[len] == '\0' || !isalnum((unsigned char)s[len]) ||
	    !isalnum((unsigned char)s[len - 1]);
	return before && after;
}

/* The target for source at level: the nearest (ties drawn) or any in range. */
static const struct mops_centry *
choose(const struct mops_cmap *m, const char *source, int level, int maxd, int pick_random,
    struct rng *rng)
{
	size_t n = 0, best = (size_t)-1;
	int bestd = maxd + 1;

	for (size_t i = 0; i < m->n; i++) {
		const struct mops_centry *e = &m->e[i];
		if (e->level != level || e->distance > maxd || strcasecmp(e->source, source) != 0)
			continue;
		if (pick_random || e->distance < bestd) {
			n = pick_random ? n : 0;
			bestd = pick_random ? bestd : e->distance;
		}
		if (pick_random || e->distance == bestd)
			if (rng_below(rng, ++n) == 0)
				best = i; /* reservoir draw: each tied entry equally likely */
	}
	return best == (size_t)-1 ? NULL : &m->e[best];
}

static int
by_length(const void *a, const void *b)
{
	size_t la = strlen((*(const struct mops_centry *const *)a)->source);
	size_t lb = strlen((*(const struct mops_centry *const *)b)->source);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

size_t
mops_code_switch(const struct mops_cmap *m, int level, int maxd, int pick_random,
    struct rng *rng, const char *caption, char **text, struct mops_cmap *done)
{
	const struct mops_centry **srcs = xcalloc(m->n ? m->n : 1, sizeof *srcs);
	size_t ns = 0, o = 0, cap = strlen(caption) + 1;
	char *out = xmalloc(cap);

	memset(done, 0, sizeof *done);
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].level == level && m->e[i].distance <= maxd)
			srcs[ns++] = &m->e[i];
	/* Longest first, so "red bean paste" wins over "bean". */
	qsort(srcs, ns, sizeof *srcs, by_length);
	for (const char *p = caption; *p != '\0';) {
		const struct mops_centry *hit = NULL;
		size_t len = 0;
		for (size_t k = 0; k < ns && hit == NULL; k++) {
			len = strlen(srcs[k]->source);
			if (strncasecmp(p, srcs[k]->source, len) == 0 && word_edges(caption, p, len))
				hit = srcs[k];
		}
		if (hit == NULL) {
			out[o++] = *p++;
			continue;
		}
		/* One source, one counterpart: a concept named twice is switched alike. */
		const struct mops_centry *to = NULL;
		for (size_t k = 0; k < done->n && to == NULL; k++)
			if (strcasecmp(done->e[k].source, hit->source) == 0)
				to = &done->e[k];
		if (to == NULL) {
			const struct mops_centry *c = choose(m, hit->source, level, maxd, pick_random,
			    rng);
			mops_cmap_add(done, hit->source, c->target, c->distance, level, c->from_llm);
			to = &done->e[done->n - 1];
		}
		size_t tl = strlen(to->target);
		cap += tl;
		out = xrealloc(out, cap);
		memcpy(out + o, to->target, tl);
		if (isupper((unsigned char)p[0]) && islower((unsigned char)out[o]))
			out[o] = (char)toupper((unsigned char)out[o]);
		o += tl;
		p += len;
	}
	out[o] = '\0';
	free(srcs);
	*text = out;
	return done->n;
}

/* ---- the op ---- */

struct cswitch_plan {
	struct mops_cmap map;
	int levels[MOPS_LEVELS];
	int nlevels;
};

static void
cswitch_plan_free(void *arg)
{
	struct cswitch_plan *p = arg;

	mops_cmap_free(&p->map);
	free(p);
}

static const char analogy_system[] = "You are a helpful assistant.";

/* CultureMixup's fallback for one concept the map lacks: analogies at distance 1. */
static int
map_by_llm(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    const struct backend *be, const char *concept, struct mops_cmap *map, char **cause)
{
	char *user, *why, *reply, **got;
	size_t n;
	int rc;

	user = xasprintf("List up to %d common concepts of %s culture that explain \"%s\" by "
	    "analogy to someone who does not know it. Write one concept per line, with no "
	    "numbering and no explanations.", ANALOGIES_MAX, mops_str(op, args, "culture"),
	    concept);
	rc = mops_ask(op, args, in->mc, be, analogy_system, user,
	    (int64_t)(rng_derive((uint64_t)in->seed, concept) >> 33), &reply, NULL, cause);
	free(user);
	if (rc != 0)
		return -1;
	n = mops_analogies_parse(reply, concept, &got, &why);
	free(reply);
	if (n == 0) {
		cause_set(cause, "code-switch: %s", why);
		free(why);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		mops_cmap_add(map, concept, got[i], 1, 0, 1);
	mops_strv_free(got, n);
	return 0;
}

/* The concepts= names the map has no row for: those go to the LLM. */
static int
fallback(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    struct mops_cmap *map, char **cause)
{
	char *list = xstrdup(mops_str(op, args, "concepts")), *save = NULL, *c;
	const struct backend *be = NULL;
	int rc = 0, count = 0;

	for (c = strtok_r(list, ",", &save); c != NULL && rc == 0; c = strtok_r(NULL, ",", &save)) {
		char *name = mops_clean(c, 0, ENTRY_MAX);
		int known = 0;
		for (size_t i = 0; i < map->n && !known; i++)
			known = strcasecmp(map->e[i].source, name) == 0;
		if (*name != '\0' && !known && ++count > CONCEPTS_MAX)
			rc = cause_set(cause, "code-switch: more than %d concepts", CONCEPTS_MAX);
		else if (*name != '\0' && !known) {
			if (be == NULL && (be = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL) {
				/* Say what to do about it rather than which role is missing. */
				free(*cause);
				*cause = NULL;
				rc = cause_set(cause, "code-switch: \"%s\" is not in the map, and mapping "
				    "it needs an llm backend (--config FILE)", name);
			} else
				rc = map_by_llm(op, args, in, be, name, map, cause);
		}
		free(name);
	}
	free(list);
	return rc;
}

OPPLAN(code_switch)
{
	const char *path = mops_str(op, args, "map"), *level = mops_str(op, args, "level");
	struct cswitch_plan *p = xcalloc(1, sizeof *p);
	char buf[64], *text;
	size_t len;

	if (*path == '\0' && *mops_str(op, args, "concepts") == '\0') {
		free(p);
		return cause_set(cause, "code-switch: needs map=FILE (source, target, distance "
		    "rows) or concepts=a,b for the LLM to map");
	}
	if (*path != '\0') {
		if (file_read_all(path, MAP_MAX_BYTES, &text, &len, cause) != 0) {
			free(p);
			return -1;
		}
		int rc = mops_cmap_parse(text, path, &p->map, cause);
		free(text);
		if (rc != 0) {
			free(p);
			return -1;
		}
	}
	if (fallback(op, args, in, &p->map, cause) != 0) {
		cswitch_plan_free(p);
		return -1;
	}
	for (int l = 0; l < MOPS_LEVELS; l++) {
		if (strcmp(level, "all") != 0 && strcmp(level, mops_level_names[l]) != 0)
			continue;
		p->levels[p->nlevels++] = l;
		snprintf(buf, sizeof buf, "{\"level\":\"%s\"}", mops_level_names[l]);
		mops_plan_add(out, buf);
	}
	out->state = p;
	out->state_free = cswitch_plan_free;
	return 0;
}

OPIMPL(code_switch)
{
	const struct cswitch_plan *p = in->plan;
	struct mops_cmap done;
	cJSON *meta, *arr, *o;
	char *caption, *text, *note, *next;
	int level;

	if (p == NULL || in->variant < 0 || in->variant >= p->nlevels)
		return cause_set(cause, "code-switch: run without its plan");
	note = xstrdup("");
	level = p->levels[in->variant];
	caption = mops_clean(in->text[0], 0, CAPTION_MAX);
	size_t n = mops_code_switch(&p->map, level, (int)mops_num(op, args, "max_distance"),
	    strcmp(mops_str(op, args, "pick"), "random") == 0, in->rng, caption, &text, &done);
	free(caption);
	if (n == 0) {
		free(text);
		free(note);
		out->unchanged = 1;
		return 0;
	}
	meta = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(meta, "code_switch");
	for (size_t i = 0; i < done.n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "from", done.e[i].source);
		cJSON_AddStringToObject(o, "to", done.e[i].target);
		cJSON_AddNumberToObject(o, "distance", done.e[i].distance);
		cJSON_AddStringToObject(o, "level", mops_level_names[level]);
		cJSON_AddStringToObject(o, "mapped_by", done.e[i].from_llm ? "llm" : "map");
		cJSON_AddItemToArray(arr, o);
		next = xasprintf("%s%s%s -> %s (%s, distance %d)", note, i ? "; " : "",
		    done.e[i].source, done.e[i].target, mops_level_names[level],
		    done.e[i].distance);
		free(note);
		note = next;
	}
	/* The review screen prints this line under the caption. */
	cJSON_AddStringToObject(meta, "switches", note);
	out->meta = mops_json_take(meta);
	out->text = text;
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < done.n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(done.e[i].distance));
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "distances", arr);
	out->extra = mops_json_take(o);
	free(note);
	mops_cmap_free(&done);
	return 0;
}
