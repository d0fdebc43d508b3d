/* SPDX-License-Identifier: MIT */
/*
 * The tokeniser and small helpers shared by the caption operators: words
 * are found here once, so synonym, hypernym and EDA agree on what a word is.
 */
#include <stdlib.h>
#include <string.h>

#include "core/text/textops_priv.h"
#include "core/base/util.h"
#include "core/text/tagger.h"

static int
tt_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes that glue into one run; only all-letter runs count as words. */
static int
tt_runbyte(unsigned char c)
{
	return tt_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static void
tt_push(struct tt_tok **toks, size_t *n, size_t *cap, size_t off, size_t len, int word)
{
	if (!word && *n > 0 && !(*toks)[*n - 1].word) {
		(*toks)[*n - 1].len += len;
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*toks = xreallocarray(*toks, *cap, sizeof **toks);
	}
	(*toks)[*n].off = off;
	(*toks)[*n].len = len;
	(*toks)[*n].word = word;
	(*n)++;
}

void
tt_split(const char *s, struct tt_tok **toks, size_t *n)
{
	size_t len = strlen(s), i = 0, start, cap = 0;
	int alpha;

	*toks = NULL;
	*n = 0;
	while (i < len) {
		if (!tt_runbyte((unsigned char)s[i])) {
			tt_push(toks, n, &cap, i, 1, 0);
			i++;
			continue;
		}
		start = i;
		alpha = 1;
		while (i < len) {
			unsigned char c = (unsigned char)s[i];
			if (tt_runbyte(c)) {
				if (!tt_alpha(c))
					alpha = 0;
				i++;
			} else if ((c == '-' || c == '\'') && i + 1 < len &&
			    tt_runbyte((unsigned char)s[i + 1]))
				i++;
			else
				break;
		}
		tt_push(toks, n, &cap, start, i - start, alpha);
	}
}

int
tt_sep_breaks(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (strchr(",.;:!?()[]{}/|", p[i]) != NULL && p[i] != '\0')
			return 1;
	}
	return 0;
}

uint64_t
tt_below(struct tt_rng *r, uint64_t n)
{
	uint64_t x, floor;

	if (n <= 1)
		return 0;
	/* Rejection keeps small n exactly uniform. */
	floor = (0 - n) % n;
	do
		x = r->fn(r->ctx);
	while (x < floor);
	return x % n;
}

double
tt_uniform(struct tt_rng *r)
{
	return (double)(r->fn(r->ctx) >> 11) * (1.0 / 9007199254740992.0);
}

void
tt_add(struct tt_buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *
tt_finish(struct tt_buf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

int
tt_check_p(double p, const char *what, char **cause)
{
	if (!(p >= 0.0 && p <= 1.0))
		return cause_set(cause, "%s must be between 0 and 1", what);
	return 0;
}


void
tt_caption_build(struct wordnet *wn, const char *text, const char *const *extra,
    struct tt_caption *c)
{
	int *brk;
	size_t i;

	memset(c, 0, sizeof *c);
	tt_split(text, &c->tk, &c->ntk);
	c->w = xcalloc(c->ntk + 1, sizeof *c->w);
	c->tok = xcalloc(c->ntk + 1, sizeof *c->tok);
	brk = xcalloc(c->ntk + 1, sizeof *brk);
	for (i = 0; i < c->ntk; i++) {
		if (!c->tk[i].word)
			continue;
		brk[c->n] = i > 0 && tt_sep_breaks(text + c->tk[i - 1].off, c->tk[i - 1].len);
		c->tok[c->n] = i;
		c->w[c->n++] = xstrndup(text + c->tk[i].off, c->tk[i].len);
	}
	c->tag = xcalloc(c->n + 1, sizeof *c->tag);
	c->keep = xcalloc(c->n + 1, 1);
	tag_words(wn, (const char *const *)c->w, brk, c->n, c->tag);
	tt_mark_protected(wn, (const char *const *)c->w, c->tag, c->n, extra, c->keep);
	free(brk);
}

void
tt_caption_free(struct tt_caption *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->w[i]);
	free(c->w);
	free(c->tok);
	free(c->tag);
	free(c->keep);
	free(c->tk);
	memset(c, 0, sizeof *c);
}
