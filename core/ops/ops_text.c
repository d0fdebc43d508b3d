/* SPDX-License-Identifier: MIT */
/*
 * The built-in caption operators over WordNet (core/text/textops.h). The image is
 * the parent's, kept by reference; a caption the op cannot change is
 * reported as unchanged rather than stored as a fake augmentation.
 */
#include <stdlib.h>
#include <string.h>

#include "core/ops/ops_impl.h"
#include "core/text/textops.h"
#include "core/base/util.h"

/* Colour words people ask to keep: a recolouring would contradict the image. */
static const char *const colours[] = {
	"red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "brown",
	"black", "white", "grey", "gray", "silver", "gold", "golden", "beige", "cyan",
	"magenta", "turquoise", "maroon", "navy", "tan", "teal", NULL,
};

static uint64_t
next(void *ctx)
{
	return rng_next(ctx);
}

/* Builds the NULL-terminated protect list from "a,b,c" and, if asked, the colours. */
static char **
protect_list(const char *words, int with_colours)
{
	size_t n = 0, cap = 8;
	char **v = xmalloc(cap * sizeof *v), *copy = xstrdup(words), *tok, *save = NULL;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (n + 1 >= cap)
			v = xreallocarray(v, cap *= 2, sizeof *v);
		v[n++] = xstrdup(tok);
	}
	for (int i = 0; with_colours && colours[i] != NULL; i++) {
		if (n + 1 >= cap)
			v = xreallocarray(v, cap *= 2, sizeof *v);
		v[n++] = xstrdup(colours[i]);
	}
	v[n] = NULL;
	free(copy);
	return v;
}

static void
protect_free(char **v)
{
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
finish(struct op_output *out, int rc, int changes)
{
	if (rc == 0)
		out->unchanged = changes == 0;
	if (rc == 0)
		out->extra = xasprintf("{\"changes\":%d}", changes);
	return rc;
}

OPIMPL(synonym)
{
	char **protect = protect_list(args->str[3], args->num[4] != 0);
	int changes = 0, rc;

	(void)op;
	if (args->num[1] > args->num[2]) {
		protect_free(protect);
		return cause_set(cause, "synonym: aug_min is larger than aug_max");
	}
	rc = textop_synonym(in->wn, in->text[0], args->num[0], (int)args->num[1],
	    (int)args->num[2], (const char *const *)protect, next, in->rng, &out->text,
	    &changes, cause);
	protect_free(protect);
	return finish(out, rc, changes);
}

OPIMPL(hypernym)
{
	int changes = 0, rc;

	(void)op;
	rc = textop_hypernym(in->wn, in->text[0], (int)args->num[0], next, in->rng, &out->text,
	    &changes, cause);
	return finish(out, rc, changes);
}

OPIMPL(eda)
{
	int changes = 0, rc;

	(void)op;
	rc = textop_eda(in->wn, in->text[0], args->num[0], args->num[1], args->num[2], next,
	    in->rng, &out->text, &changes, cause);
	return finish(out, rc, changes);
}
