/* SPDX-License-Identifier: MIT */
/*
 * A rule tagger for captions over WordNet's lexicon. Each word first gets
 * the parts of speech morphy finds it under (with the form: plural, -s,
 * -ed, -ing), then one is chosen from its neighbours, left to right, with
 * a look at the next word. The rules were written against the way captions
 * are phrased (noun phrases with or without a verb) and are measured in
 * tests/unit/test_textops_pos.c; a word no rule settles takes the part of
 * speech with the most tagged senses, which is what the operators did
 * before there was a tagger.
 */
#include "core/text/tagger.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/text/textops.h"
#include "core/text/textops_priv.h"

/* Closed-class kinds: what a function word tells about the next word. */
enum tg_kind {
	K_CONTENT,
	K_DET,   /* a, the, this, two, several: a noun phrase starts */
	K_PREP,  /* in, on, with: a noun phrase follows */
	K_BE,    /* is, are: a participle or an adjective follows */
	K_HAVE,  /* has, had */
	K_MODAL, /* to, can, will: a base verb follows */
	K_PRON,  /* he, they, it */
	K_CONJ,  /* and, or */
	K_OTHER,
};

static const char *const tg_det_sing[] = { "a", "an", "another", "each", "every", "one",
	"that", "this", NULL };
static const char *const tg_det_plur[] = { "both", "eight", "eighty", "eleven", "few",
	"fifty", "five", "forty", "four", "hundreds", "many", "nine", "ninety", "seven",
	"seventy", "several", "six", "sixty", "ten", "these", "thirty", "those", "thousands",
	"three", "twelve", "twenty", "two", NULL };
static const char *const tg_det_any[] = { "all", "any", "her", "his", "its", "my", "no",
	"our", "some", "the", "their", "your", NULL };
static const char *const tg_be[] = { "am", "are", "be", "been", "being", "is", "was", "were",
	NULL };
static const char *const tg_have[] = { "had", "has", "have", "having", NULL };
static const char *const tg_modal[] = { "can", "could", "did", "do", "does", "may", "might",
	"must", "shall", "should", "to", "will", "would", NULL };
static const char *const tg_pron[] = { "he", "i", "it", "me", "she", "them", "they", "us",
	"we", "you", "him", NULL };
static const char *const tg_conj[] = { "and", "but", "nor", "or", "while", NULL };

static int
tg_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(w, *list) == 0)
			return 1;
	}
	return 0;
}

/* A word's closed-class kind and, for a determiner, its number (1 plural). */
static int
tg_kind(const char *w, int *plural)
{
	*plural = -1;
	if (tg_in(w, tg_det_sing))
		return *plural = 0, K_DET;
	if (tg_in(w, tg_det_plur))
		return *plural = 1, K_DET;
	if (tg_in(w, tg_det_any))
		return K_DET;
	if (tg_in(w, tg_be))
		return K_BE;
	if (tg_in(w, tg_have))
		return K_HAVE;
	if (tg_in(w, tg_modal))
		return K_MODAL;
	if (tg_in(w, tg_pron))
		return K_PRON;
	if (tg_in(w, tg_conj))
		return K_CONJ;
	if (textop_is_stopword(w))
		return K_PREP; /* the rest of the stop list: prepositions, adverbs of place */
	return K_CONTENT;
}

/* What WordNet says word i can be. */
struct tg_cand {
	int can[WN_NPOS];
	int tagged[WN_NPOS];
	int form[WN_NPOS];
	char lemma[WN_NPOS][WN_LEMMA_MAX];
	int kind;
	int plural; /* determiners only */
};

static int
tg_ends(const char *w, const char *suf)
{
	size_t a = strlen(w), b = strlen(suf);

	return a > b && strcmp(w + a - b, suf) == 0;
}

/*
 * "cows" and "glasses" are lemmas of their own (the herd, the spectacles)
 * but in a caption mostly plurals: the singular wins when the tagged
 * corpora used it more. "gas" stays "gas", not the plural of "Ga".
 */
static void
tg_plural_lemma(struct wordnet *wn, const char *w, struct tg_cand *c)
{
	static const char *const rules[][2] = { { "ies", "y" }, { "es", "" }, { "s", "" } };
	char cand[WN_LEMMA_MAX];
	size_t n = strlen(w), i, fl;
	int tagged;

	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		fl = strlen(rules[i][0]);
		if (n <= fl + 1 || strcmp(w + n - fl, rules[i][0]) != 0 || n - fl + 3 > sizeof cand)
			continue;
		snprintf(cand, sizeof cand, "%.*s%s", (int)(n - fl), w, rules[i][1]);
		if (wn_senses(wn, cand, WN_NOUN, NULL, &tagged) == 0 &&
		    tagged > c->tagged[WN_NOUN]) {
			memcpy(c->lemma[WN_NOUN], cand, strlen(cand) + 1);
			c->tagged[WN_NOUN] = tagged;
			c->form[WN_NOUN] = TF_PLURAL;
			return;
		}
	}
}

static void
tg_lookup(struct wordnet *wn, const char *w, struct tg_cand *c)
{
	int pos, tagged;

	memset(c, 0, sizeof *c);
	c->kind = tg_kind(w, &c->plural);
	if (c->kind != K_CONTENT)
		return;
	for (pos = 0; pos < WN_NPOS; pos++) {
		if (wn_lemma(wn, w, pos, c->lemma[pos], sizeof c->lemma[pos]) != 0)
			continue;
		c->can[pos] = 1;
		c->tagged[pos] = wn_senses(wn, c->lemma[pos], pos, NULL, &tagged) == 0 ? tagged : 0;
		if (strcmp(c->lemma[pos], w) == 0)
			c->form[pos] = TF_BASE;
		else if (pos == WN_NOUN)
			c->form[pos] = TF_PLURAL;
		else if (pos == WN_VERB)
			c->form[pos] = tg_ends(w, "ing") ? TF_ING : tg_ends(w, "s") ? TF_3S : TF_PAST;
		else
			c->form[pos] = TF_OTHER;
	}
	if (c->can[WN_NOUN] && c->form[WN_NOUN] == TF_BASE && tg_ends(w, "s"))
		tg_plural_lemma(wn, w, c);
	/* "teenager" is a noun, not the comparative of "teenage". */
	if (c->can[WN_ADJ] && c->form[WN_ADJ] == TF_OTHER && c->can[WN_NOUN])
		c->can[WN_ADJ] = 0;
	/* "stopping" is a verb form; the noun "stopping" would be a gerund. */
	if (c->can[WN_VERB] && c->form[WN_VERB] == TF_ING && c->can[WN_NOUN] &&
	    c->tagged[WN_NOUN] == 0)
		c->can[WN_NOUN] = 0;
}

static int
tg_ncan(const struct tg_cand *c)
{
	return c->can[0] + c->can[1] + c->can[2] + c->can[3];
}

/* The part of speech with the most tagged senses (ties: noun, verb, adj, adv). */
static int
tg_default(const struct tg_cand *c)
{
	int pos, best = -1;

	for (pos = 0; pos < WN_NPOS; pos++) {
		if (c->can[pos] && (best < 0 || c->tagged[pos] > c->tagged[best]))
			best = pos;
	}
	return best;
}

/* A word before a noun: an adjective if it can be one WordNet ever saw used. */
static int
tg_modifier(const struct tg_cand *c)
{
	if (c->can[WN_ADJ] && (!c->can[WN_NOUN] || c->tagged[WN_ADJ] > 0 ||
	    c->tagged[WN_NOUN] == 0))
		return WN_ADJ;
	if (c->can[WN_NOUN])
		return WN_NOUN;
	return tg_default(c);
}

/* Whether the next word can continue a noun phrase. */
static int
tg_nounish(const struct tg_cand *next)
{
	return next != NULL && next->kind == K_CONTENT && (next->can[WN_NOUN] ||
	    (next->can[WN_ADJ] && !next->can[WN_VERB]) || tg_ncan(next) == 0);
}

/* Whether the next word opens an object: a determiner, a pronoun or a noun. */
static int
tg_object_next(const struct tg_cand *next)
{
	return next != NULL && (next->kind == K_DET || next->kind == K_PRON);
}

struct tg_state {
	int prev;      /* tag of the previous word (-1 function word) */
	int prevkind;  /* its closed-class kind */
	int in_np;     /* inside a noun phrase after its determiner or first word */
	int np_plural; /* the phrase's number from its determiner or noun, -1 unknown */
};

static int
tg_choose(const struct tg_cand *c, const struct tg_cand *next, int bnext, const struct tg_state *s)
{
	const struct tg_cand *nx = bnext ? NULL : next;
	int v = c->can[WN_VERB], vf = c->form[WN_VERB];

	if (tg_ncan(c) <= 1)
		return tg_default(c);
	if (c->can[WN_ADV] && c->form[WN_ADV] == TF_BASE && c->lemma[WN_ADV][0] != '\0' &&
	    tg_ends(c->lemma[WN_ADV], "ly"))
		return WN_ADV;
	if (s->prevkind == K_MODAL && v)
		return WN_VERB;
	if (s->prevkind == K_BE || s->prevkind == K_HAVE) {
		if (v && (vf == TF_ING || vf == TF_PAST))
			return WN_VERB;
		if (c->can[WN_ADJ] && !tg_nounish(nx))
			return WN_ADJ;
	}
	/* After a noun: a verb form ends the subject ("a man riding", "a cat sleeps"). */
	if (s->prev == WN_NOUN && s->in_np && v) {
		if (vf == TF_ING || vf == TF_PAST)
			return WN_VERB;
		if (vf == TF_3S && s->np_plural != 1)
			return WN_VERB;
		if (vf == TF_BASE && (s->np_plural == 1 || tg_object_next(nx)))
			return WN_VERB;
	}
	if (v && tg_object_next(nx) && s->prevkind != K_DET && s->prev != WN_ADJ)
		return WN_VERB;
	if (c->can[WN_ADV] && !c->can[WN_ADJ] && !c->can[WN_NOUN])
		return WN_ADV;
	/* Otherwise a noun phrase: modifiers, then the head before what is not a noun. */
	if (tg_nounish(nx))
		return tg_modifier(c);
	if (c->can[WN_NOUN])
		return WN_NOUN;
	if (c->can[WN_ADJ])
		return WN_ADJ;
	return tg_default(c);
}

static int
tg_is(const char *w, const char *s)
{
	return strcasecmp(w, s) == 0;
}

/*
 * Prepositions of several words: "in front of", "on top of", "on the
 * left": "front" there is no noun to replace ("in front end of").
 */
static void
tg_fixed_phrases(struct tg_cand *c, const char *const *w, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (i + 1 < n && tg_is(w[i + 1], "of") && ((tg_is(w[i - 1], "in") &&
		    (tg_is(w[i], "front") || tg_is(w[i], "middle"))) ||
		    (tg_is(w[i - 1], "on") && tg_is(w[i], "top"))))
			c[i].kind = K_PREP;
		if (i >= 2 && tg_is(w[i - 1], "the") && (tg_is(w[i - 2], "on") ||
		    tg_is(w[i - 2], "to")) && (tg_is(w[i], "left") || tg_is(w[i], "right")))
			c[i].kind = K_PREP;
	}
}

void
tag_words(struct wordnet *wn, const char *const *words, const int *boundary, size_t n,
    struct tag_word *out)
{
	struct tg_cand *c = xcalloc(n + 1, sizeof *c);
	struct tg_state s = { -2, K_OTHER, 0, -1 };
	char low[WN_LEMMA_MAX];
	size_t i, k;
	int pos;

	for (i = 0; i < n; i++) {
		for (k = 0; words[i][k] != '\0' && k + 1 < sizeof low; k++)
			low[k] = (char)tolower((unsigned char)words[i][k]);
		low[k] = '\0';
		tg_lookup(wn, low, &c[i]);
	}
	tg_fixed_phrases(c, words, n);
	for (i = 0; i < n; i++) {
		struct tag_word *t = &out[i];
		int bnext = boundary != NULL && i + 1 < n && boundary[i + 1];

		memset(t, 0, sizeof *t);
		if (boundary != NULL && boundary[i] && i > 0) {
			/* After punctuation a new phrase starts, as at the beginning. */
			s.prev = -2;
			s.prevkind = K_OTHER;
			s.in_np = 0;
			s.np_plural = -1;
		}
		if (c[i].kind != K_CONTENT) {
			t->pos = -1;
			s.prev = -1;
			s.prevkind = c[i].kind;
			s.in_np = c[i].kind == K_DET;
			s.np_plural = c[i].kind == K_DET ? c[i].plural : -1;
			continue;
		}
		pos = tg_choose(&c[i], i + 1 < n ? &c[i + 1] : NULL, bnext, &s);
		if (pos < 0) {
			t->pos = WN_NOUN; /* unknown to WordNet: captions are mostly nouns */
			t->form = TF_BASE;
			snprintf(t->lemma, sizeof t->lemma, "%s", words[i]);
		} else {
			t->pos = pos;
			t->known = 1;
			t->form = c[i].form[pos];
			memcpy(t->lemma, c[i].lemma[pos], sizeof t->lemma);
		}
		if (t->pos == WN_NOUN || t->pos == WN_ADJ) {
			if (!s.in_np)
				s.np_plural = -1;
			s.in_np = 1;
			if (t->pos == WN_NOUN && t->form == TF_PLURAL)
				s.np_plural = 1;
		} else
			s.in_np = 0;
		s.prev = t->pos;
		s.prevkind = K_CONTENT;
	}
	free(c);
}

size_t
tag_text(struct wordnet *wn, const char *text, struct tag_word **out)
{
	struct tt_caption cap;
	size_t n;

	tt_caption_build(wn, text, NULL, &cap);
	n = cap.n;
	*out = NULL;
	if (n > 0) {
		*out = xcalloc(n, sizeof **out);
		memcpy(*out, cap.tag, n * sizeof **out);
	}
	tt_caption_free(&cap);
	return n;
}
