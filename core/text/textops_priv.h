/* SPDX-License-Identifier: MIT */
/*
 * Pieces shared by the caption operators in textops.c and textops_eda.c:
 * the tokeniser, the random helpers and a growable output buffer.
 */
#ifndef MMDA_TEXTOPS_PRIV_H
#define MMDA_TEXTOPS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "core/text/tagger.h"
#include "core/text/textops.h"

/* Tokens strictly alternate between words and the bytes in between. */
struct tt_tok {
	size_t off;
	size_t len;
	int word;
};

struct tt_rng {
	wn_rand_fn fn;
	void *ctx;
};

struct tt_buf {
	char *s;
	size_t len;
	size_t cap;
};

/* A caption split, tagged and marked: what every caption operator starts from. */
struct tt_caption {
	struct tt_tok *tk;
	size_t ntk;
	char **w;             /* the n words as written */
	size_t *tok;          /* the token of each word */
	struct tag_word *tag; /* each word's part of speech in context */
	unsigned char *keep;  /* protected words (identity, the user's list) */
	size_t n;
};

/* Splits, tags and marks text; extra is the user's protect list (may be NULL). */
void tt_caption_build(struct wordnet *, const char *text, const char *const *extra,
    struct tt_caption *);
void tt_caption_free(struct tt_caption *);

/*
 * The replacements for word as tagged by t: the synonyms of its caption
 * sense (wn_caption_sense), inflected like the word, without identity words.
 * Returns the count with a newly allocated list (free with wn_free_list),
 * or 0 with *out NULL.
 */
size_t tt_synonyms(struct wordnet *, const char *word, const struct tag_word *t, char ***out);

/* Splits s into tokens; *toks is allocated (free it), *n is the count. */
void tt_split(const char *s, struct tt_tok **toks, size_t *n);
/* Whether a separator token ends a phrase (punctuation other than '-' or quotes). */
int tt_sep_breaks(const char *p, size_t len);
uint64_t tt_below(struct tt_rng *, uint64_t n);
double tt_uniform(struct tt_rng *);
void tt_add(struct tt_buf *, const char *p, size_t n);
/* Returns the buffer's string (NUL-terminated, owned by the caller). */
char *tt_finish(struct tt_buf *);
int tt_check_p(double p, const char *what, char **cause);

/* Whether w is in the NULL-terminated list (may be NULL), case ignored. */
int tt_in_list(const char *w, const char *const *list);

/* Whether any word of phrase is an identity word ("White person"). */
int tt_phrase_has_identity(const char *phrase);

/*
 * Sets keep[i] for the n words w (tagged t) no operator may touch: identity
 * words, words of extra (NULL-terminated, may be NULL) and colour words
 * describing a person.
 */
void tt_mark_protected(struct wordnet *, const char *const *w, const struct tag_word *t,
    size_t n, const char *const *extra, unsigned char *keep);

/*
 * lemma (one word) in form (enum tag_form) as part of speech pos: the
 * irregular form from the exception list, else the regular spelling if
 * morphy maps it back. Returns a newly allocated string, or NULL when no
 * form can be made with confidence (the caller skips that replacement).
 */
char *tt_inflect_word(struct wordnet *, const char *lemma, int pos, int form);
/* As tt_inflect_word for a phrase: a noun's last word, a verb's first. */
char *tt_inflect(struct wordnet *, const char *phrase, int pos, int form);

#endif
