/* SPDX-License-Identifier: MIT */
/*
 * GPT4Tools' side that is not a request: the tool list (a file of
 * "name: usage, arguments" lines, or the built-in visual tools), and the
 * reading of a reply's "instruction, [tool_name, arguments]" lines with
 * GPT4Tools' checks: a tool name a model misspelt is mapped back to the
 * nearest known one, an unknown tool, a missing argument or an image
 * argument other than the placeholder is rejected (and said why), extra
 * arguments are merged into the last, and exact repeats are dropped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/modelops/mops_priv.h"
#include "core/base/util.h"

#define NAME_MAX_BYTES 100
#define USAGE_MAX 400
#define ARGS_MAX 8
#define CALLS_MAX 64          /* calls read from one reply */
#define INSTRUCTION_MAX 600
#define ARG_MAX 400
#define MISSPELL_MAX 3        /* edits between a written tool name and a known one */

/*
 * The built-in tools: the visual tools of Visual ChatGPT that GPT4Tools
 * teaches (names as they spell them); the usage lines are our wording.
 */
static const char *const builtin_tools[] = {
	"Generate Image From User Input Text: makes an image from a description, text",
	"Remove Something From The Photo: removes an object from the image, image_path, object",
	"Replace Something From The Photo: replaces an object in the image by another, "
	"image_path, object, new_object",
	"Instruct Image Using Text: edits the image as an instruction says, image_path, "
	"instruction",
	"Answer Question About The Image: answers a question about the image, image_path, "
	"question",
	"Get Photo Description: describes what the image shows, image_path",
	"Edge Detection On Image: finds the Canny edges of the image, image_path",
	"Generate Image Condition On Canny Image: makes an image from an edge map and a "
	"description, image_path, text",
	"Line Detection On Image: finds the straight lines of the image, image_path",
	"Generate Image Condition On Line Image: makes an image from a line map and a "
	"description, image_path, text",
	"Hed Detection On Image: finds the soft HED boundaries of the image, image_path",
	"Generate Image Condition On Soft Hed Boundary Image: makes an image from a HED "
	"boundary map and a description, image_path, text",
	"Segmentation On Image: segments the whole image into regions, image_path",
	"Generate Image Condition On Segmentations: makes an image from a segmentation map "
	"and a description, image_path, text",
	"Predict Depth On Image: estimates the depth map of the image, image_path",
	"Generate Image Condition On Depth: makes an image from a depth map and a "
	"description, image_path, text",
	"Sketch Detection On Image: turns the image into a sketch, image_path",
	"Generate Image Condition On Sketch Image: makes an image from a sketch and a "
	"description, image_path, text",
	"Pose Detection On Image: finds the human poses in the image, image_path",
	"Generate Image Condition On Pose Image: makes an image of people in a given pose "
	"and a description, image_path, text",
	"Detect the Given Object: finds the boxes of an object in the image, image_path, object",
	"Segment the Given Object: finds the mask of an object in the image, image_path, object",
};
#define NBUILTIN (sizeof builtin_tools / sizeof builtin_tools[0])

void
mops_tools_free(struct mops_tools *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].usage);
		mops_strv_free(t->v[i].args, t->v[i].nargs);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* 1 when s is an argument name: one lowercase identifier (image_path, text, object). */
static int
arg_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && *s != '_' && !isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* One "name: usage, arg, arg" line into t; -1 with *why (caller frees). */
static int
tool_line(struct mops_tools *t, const char *line, char **why)
{
	const char *colon = strchr(line, ':');
	char *rest, *f[32];
	size_t nf = 0, nargs = 0;

	if (colon == NULL || colon == line) {
		*why = xstrdup("no \"name:\" in front");
		return -1;
	}
	rest = mops_clean(colon + 1, 0, USAGE_MAX + ARGS_MAX * NAME_MAX_BYTES);
	for (char *p = rest, *c; p != NULL && nf < 32; p = c) {
		if ((c = strchr(p, ',')) != NULL)
			*c++ = '\0';
		f[nf++] = mops_clean(p, 0, USAGE_MAX);
	}
	free(rest);
	/* The arguments are the trailing fields that are identifiers; the rest is usage. */
	while (nargs < nf - 1 && nargs < ARGS_MAX && arg_name(f[nf - 1 - nargs]))
		nargs++;
	if (nargs == 0) {
		*why = xstrdup("no arguments at the end (e.g. \", image_path, text\")");
		for (size_t i = 0; i < nf; i++)
			free(f[i]);
		return -1;
	}
	struct mops_tool *tool;
	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	tool = &t->v[t->n++];
	char *raw = xstrndup(line, (size_t)(colon - line));
	tool->name = mops_clean(raw, 0, NAME_MAX_BYTES);
	free(raw);
	tool->usage = xstrdup("");
	for (size_t i = 0; i < nf - nargs; i++) {
		char *u = xasprintf("%s%s%s", tool->usage, i ? ", " : "", f[i]);
		free(tool->usage);
		tool->usage = u;
		free(f[i]);
	}
	tool->args = xcalloc(nargs, sizeof *tool->args);
	tool->nargs = nargs;
	for (size_t i = 0; i < nargs; i++)
		tool->args[i] = f[nf - nargs + i];
	return 0;
}

int
mops_tools_parse(const char *text, const char *path, struct mops_tools *out, char **cause)
{
	char *copy = xstrdup(text), *line, *save = NULL, *why = NULL;
	long lineno = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	for (line = strtok_r(copy, "\n", &save); line != NULL && rc == 0;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (*line == ' ' || *line == '\t' || *line == '-')
			line++;
		if (*line == '\0' || *line == '#' || *line == '\r')
			continue;
		if (tool_line(out, line, &why) != 0) {
			rc = cause_set(cause, "%s:%ld: %s", path, lineno, why);
			free(why);
		}
	}
	free(copy);
	if (rc == 0 && out->n == 0)
		rc = cause_set(cause, "%s: no tools", path);
	if (rc != 0)
		mops_tools_free(out);
	return rc;
}

void
mops_tools_builtin(struct mops_tools *out)
{
	char *why = NULL;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < NBUILTIN; i++)
		if (tool_line(out, builtin_tools[i], &why) != 0)
			fatal("built-in tool %zu: %s", i, why);
}

/* Letters and digits of s, lowercased: how tool names are compared. */
static char *
fold(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *p = o;

	for (; *s; s++)
		if (isalnum((unsigned char)*s))
			*p++ = (char)tolower((unsigned char)*s);
	*p = '\0';
	return o;
}

static size_t
edits(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row = xcalloc(lb + 1, sizeof *row), d;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const struct mops_tool *
mops_tool_find(const struct mops_tools *t, const char *name, int *misspelt)
{
	char *f = fold(name);
	const struct mops_tool *best = NULL;
	size_t bestd = MISSPELL_MAX + 1;
	int ties = 0;

	*misspelt = 0;
	for (size_t i = 0; i < t->n; i++) {
		char *g = fold(t->v[i].name);
		size_t d = *f != '\0' ? edits(f, g) : bestd;
		free(g);
		if (d < bestd) {
			bestd = d;
			best = &t->v[i];
			ties = 0;
		} else if (d == bestd)
			ties++;
	}
	free(f);
	/* Two tools as near as each other: the model's intent is not clear. */
	if (best == NULL || bestd > MISSPELL_MAX || (ties > 0 && bestd > 0))
		return NULL;
	*misspelt = bestd > 0;
	return best;
}

void
mops_calls_free(struct mops_calls *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].instruction);
		mops_strv_free(c->v[i].args, c->v[i].nargs);
	}
	for (size_t i = 0; i < c->nrejected; i++)
		free(c->rejected[i]);
	free(c->v);
	free(c->rejected);
	memset(c, 0, sizeof *c);
}

/* Lists a refused line with why (taken over). */
static void
reject(struct mops_calls *c, const char *line, char *why)
{
	char *ex = mops_excerpt(line, 60);

	c->rejected = xreallocarray(c->rejected, c->nrejected + 1, sizeof *c->rejected);
	c->rejected[c->nrejected++] = xasprintf("%s: \"%s\"", why, ex);
	free(ex);
	free(why);
}

/* Checks and keeps one call; its arguments are taken over. */
static void
keep_call(struct mops_calls *c, const struct mops_tools *t, const char *line, char *instr,
    const char *name, char **args, size_t nargs, const char *image)
{
	int misspelt;
	const struct mops_tool *tool = mops_tool_find(t, name, &misspelt);

	if (tool == NULL) {
		reject(c, line, xasprintf("unknown tool \"%s\"", name));
		goto drop;
	}
	if (nargs < tool->nargs) {
		reject(c, line, xasprintf("too few arguments for \"%s\"", tool->name));
		goto drop;
	}
	/* GPT4Tools merges what is left over into the last argument. */
	while (nargs > tool->nargs) {
		char *m = xasprintf("%s, %s", args[nargs - 2], args[nargs - 1]);
		free(args[nargs - 2]);
		free(args[nargs - 1]);
		args[nargs - 2] = m;
		nargs--;
	}
	for (size_t i = 0; i < nargs; i++)
		if (strstr(tool->args[i], "image") != NULL && strcmp(args[i], image) != 0) {
			reject(c, line, xasprintf("an image argument other than %s", image));
			goto drop;
		}
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].instruction, instr) == 0) {
			c->duplicates++;
			goto drop;
		}
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	c->v[c->n].instruction = instr;
	c->v[c->n].tool = tool;
	c->v[c->n].misspelt = misspelt;
	c->v[c->n].args = args;
	c->v[c->n++].nargs = nargs;
	c->misspelt += misspelt;
	return;
drop:
	free(instr);
	mops_strv_free(args, nargs);
}

size_t
mops_calls_parse(const char *reply, const struct mops_tools *t, const char *image,
    struct mops_calls *out)
{
	char *c = mops_clean(reply, MOPS_KEEP_NL, 0), *line, *save = NULL;
	size_t seen = 0;

	memset(out, 0, sizeof *out);
	for (line = strtok_r(c, "\n", &save); line != NULL && seen < CALLS_MAX;
	    line = strtok_r(NULL, "\n", &save)) {
		char *open = strrchr(line, '['), *close, *instr, *s = line, *orig;
		if (open == NULL || (close = strchr(open, ']')) == NULL)
			continue; /* prose around the calls */
		seen++;
		orig = xstrdup(line);
		while (*s == ' ' || *s == '-' || *s == '*' || isdigit((unsigned char)*s) ||
		    ((*s == '.' || *s == ')') && s > line && isdigit((unsigned char)s[-1])))
			s++;
		*open = '\0';
		*close = '\0';
		instr = mops_clean(s, 0, INSTRUCTION_MAX);
		size_t n = strlen(instr);
		while (n > 0 && (instr[n - 1] == ',' || instr[n - 1] == ' ' || instr[n - 1] == ':'))
			instr[--n] = '\0';
		mops_unquote(instr);
		char **args = NULL, *name = NULL;
		size_t nargs = 0;
		for (char *p = open + 1, *comma; p != NULL; p = comma) {
			if ((comma = strchr(p, ',')) != NULL)
				*comma++ = '\0';
			char *a = mops_clean(p, 0, ARG_MAX);
			mops_unquote(a);
			if (name == NULL)
				name = a;
			else if (nargs < ARGS_MAX * 4) {
				args = xreallocarray(args, nargs + 1, sizeof *args);
				args[nargs++] = a;
			} else
				free(a);
		}
		if (*instr == '\0') {
			reject(out, orig, xstrdup("no instruction before the call"));
			free(instr);
			mops_strv_free(args, nargs);
		} else
			keep_call(out, t, orig, instr, name ? name : "", args, nargs, image);
		free(name);
		free(orig);
	}
	free(c);
	return out->n;
}
