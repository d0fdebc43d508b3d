/* SPDX-License-Identifier: MIT */
/*
 * Part of speech in context for caption words. Captions are mostly noun
 * phrases ("a red saucer on a wooden table"), often without a verb, or
 * short clauses ("a cat sleeps on a mat"); a rule tagger over WordNet's
 * lexicon reads them better than a word's most frequent part of speech:
 * which parts of speech a word can take comes from WordNet (morphy), which
 * one it takes here from its neighbours (determiner, adjective and noun
 * runs, the -s/-ed/-ing form after a subject, a verb before an object).
 * Measured by test_textops_pos on tests/data/text: 247 of 249 content words
 * of the set the rules were written against, 78 of 80 held out. CMU's link
 * grammar (Debian's liblink-grammar, tests/unit/linkgrammar_eval.c) got 212
 * and 70: its parser wants sentences and reads "a train pulling into a
 * station" with "train" as the verb, so it is not used.
 */
#ifndef MMDA_TAGGER_H
#define MMDA_TAGGER_H

#include <stddef.h>

#include "core/text/wordnet.h"

/* The form of a word relative to its lemma. */
enum tag_form {
	TF_BASE,   /* "dog", "walk", "red" */
	TF_PLURAL, /* "dogs", "women" */
	TF_3S,     /* "walks" */
	TF_PAST,   /* "walked", "ran", "eaten" */
	TF_ING,    /* "walking" */
	TF_OTHER,  /* "redder": comparatives, forms the operators leave alone */
};

struct tag_word {
	int pos;     /* WN_NOUN..WN_ADV, or -1 for a function word (article, pronoun...) */
	int form;    /* enum tag_form */
	int known;   /* 1 when lemma is in WordNet's index as pos */
	char lemma[WN_LEMMA_MAX];
};

/*
 * Tags the n words (letters only, any case) of one caption; boundary[i] is
 * nonzero when punctuation separates word i from word i - 1 (may be NULL).
 * Fills out[0..n); never fails: a word WordNet does not know is guessed a
 * noun with known 0.
 */
void tag_words(struct wordnet *, const char *const *words, const int *boundary, size_t n,
    struct tag_word *out);

/*
 * Tags text with the caption operators' tokeniser. Returns the number of
 * words, with a newly allocated array in *out (free(3) it; NULL when 0).
 */
size_t tag_text(struct wordnet *, const char *text, struct tag_word **out);

#endif
