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

static uint64_t
next(void *ctx)
{
	return rng_next(ctx);
}

/*
 * The NULL-terminated protect list: the words of "a,b,c", those of the
 * file (if named), and the colour words if asked. Returns NULL with *cause
 * when the file cannot be read.
 */
static char **
protect_list(const char *words, const char *file, int with_colours, char **cause)
{
	size_t n = 0, nf = 0, i;
	char **v = NULL, **fw = NULL, *copy = xstrdup(words), *tok, *save = NULL;
	const char *const *col = textop_colour_words();

	if (file != NULL && *file != '\0' && textop_read_words(file, &fw, &nf, cause) != 0) {
		free(copy);
		return NULL;
	}
	v = xreallocarray(NULL, strlen(words) + nf + 32, sizeof *v);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save))
		v[n++] = xstrdup(tok);
	for (i = 0; i < nf; i++)
		v[n++] = fw[i];
	free(fw);
	for (i = 0; with_colours && col[i] != NULL; i++)
		v[n++] = xstrdup(col[i]);
	v[n] = NULL;
	free(copy);
	return v;
}

static void
protect_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
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
	char **protect = protect_list(args->str[3], args->str[5], args->num[4] != 0, cause);
	int changes = 0, rc;

	(void)op;
	if (protect == NULL)
		return -1;
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
	char **protect = protect_list(args->str[1], args->str[2], 0, cause), **stop;
	int changes = 0, rc;

	(void)op;
	if (protect == NULL)
		return -1;
	stop = protect_list(args->str[3], NULL, 0, cause);
	rc = textop_hypernym(in->wn, in->text[0], (int)args->num[0], (const char *const *)protect,
	    (const char *const *)stop, next, in->rng, &out->text, &changes, cause);
	protect_free(protect);
	protect_free(stop);
	return finish(out, rc, changes);
}

OPIMPL(eda)
{
	char **protect = protect_list(args->str[3], args->str[4], 0, cause);
	int changes = 0, rc;

	(void)op;
	if (protect == NULL)
		return -1;
	rc = textop_eda(in->wn, in->text[0], args->num[0], args->num[1], args->num[2],
	    (const char *const *)protect, next, in->rng, &out->text, &changes, cause);
	protect_free(protect);
	return finish(out, rc, changes);
}
