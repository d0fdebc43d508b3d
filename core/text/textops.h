/* SPDX-License-Identifier: MIT */
/*
 * Caption augmentation operators over WordNet: nlpaug-style synonym
 * replacement, a CultureMixup-style hypernym step ("espresso" -> "coffee")
 * and EDA (swap, delete, insert). All randomness comes from a caller's
 * callback, so an operator is a pure function of (text, parameters, random
 * stream) and an augmentation can be replayed from its seed.
 *
 * Tokens: a word is a maximal run of ASCII letters, with single hyphens or
 * apostrophes inside ("close-up", "cat's"). A run touching a digit, '_' or
 * a non-ASCII byte ("mp3", "café", "虎斑猫") is not a word and, like all
 * punctuation, spacing, CJK text and emoji, is copied byte for byte.
 * Replacements keep the case pattern of the word they replace ("Dog" ->
 * "Domestic dog", "DOG" -> "DOMESTIC DOG"; a lower-case word takes the
 * WordNet spelling, so "dog" may become "Canis familiaris"), and an article
 * directly before a replaced word is fixed ("an espresso" -> "a coffee").
 *
 * Every operator returns 0 with a newly allocated *out (free(3) it) and
 * *changes, the number of edits made. When nothing can be changed, *out is
 * an exact copy of text and *changes is 0, so a caller can record "no
 * change" instead of a fake augmentation. -1 with *cause means bad
 * arguments (NULL text, a probability outside [0, 1], aug_min > aug_max).
 */
#ifndef MMDA_TEXTOPS_H
#define MMDA_TEXTOPS_H

#include <stddef.h>
#include <stdint.h>

struct wordnet;

/* A source of uniformly distributed 64-bit values; ctx is passed through. */
typedef uint64_t (*wn_rand_fn)(void *ctx);

/*
 * Synonym replacement (nlpaug SynonymAug). Candidates are the words that
 * are not stop words, not in protect (a NULL-terminated list compared
 * ignoring case; protect may be NULL), and have a usable synonym in the
 * most frequent sense of their part of speech: the part of speech is the
 * one whose index holds the word's lemma with the most tagged senses (ties
 * go noun, verb, adjective, adverb), so "looks" is a verb, "dog" a noun.
 * A word in base form may take any synonym of that sense, multi-word ones
 * included. An inflected noun ("cats") takes only single-word synonyms,
 * made plural by rule ("+s", "+es", "y" -> "ies"); inflected verbs and
 * adjectives are left alone rather than re-inflected wrongly. Words with
 * an apostrophe are never candidates.
 *
 * The number changed is ceil(aug_p * candidates), raised to aug_min,
 * lowered to aug_max (aug_max < 0: no upper bound), never more than the
 * candidates. Which words (a uniform subset) and which synonym each takes
 * (uniform among its synonyms) come from rnd.
 */
int textop_synonym(struct wordnet *, const char *text, double aug_p, int aug_min,
    int aug_max, const char *const *protect, wn_rand_fn rnd, void *rctx, char **out,
    int *changes, char **cause);

/*
 * Hypernym step: up to max_changes noun phrases (max_changes < 0: all),
 * chosen uniformly by rnd, become the first lemma of the first hypernym of
 * their most frequent noun sense. Two-word compounds known to WordNet are
 * tried first and replaced whole ("tabby cat" -> "domestic cat"); then
 * single words whose preferred part of speech is noun and which head their
 * phrase (a word directly followed by another noun is a modifier, so the
 * "orange" of "orange spacesuit" never becomes "citrus"). A plural keeps
 * its number by pluralising the last word of the hypernym.
 */
int textop_hypernym(struct wordnet *, const char *text, int max_changes, wn_rand_fn rnd,
    void *rctx, char **out, int *changes, char **cause);

/*
 * EDA, in this order, each with its own probability per word:
 *  1. swap: for each word position i in turn, with probability p_swap the
 *     word there is exchanged with a uniformly chosen other word (needs two
 *     words); words move, punctuation and spacing stay in place;
 *  2. delete: each word is removed independently with probability
 *     p_delete, together with the whitespace it leaves doubled; if every
 *     word would go, a uniformly chosen one stays, so the output is never
 *     empty when the text has a word;
 *  3. insert: for each original word, with probability p_insert, a
 *     synonym (as textop_synonym would choose it) of a uniformly chosen
 *     remaining candidate word is inserted, lower case as WordNet spells
 *     it, at a uniformly chosen word gap (start and end included).
 * *changes counts swaps that changed the text, deletions and insertions,
 * and is 0 whenever the output equals the input.
 */
int textop_eda(struct wordnet *, const char *text, double p_swap, double p_delete,
    double p_insert, wn_rand_fn rnd, void *rctx, char **out, int *changes, char **cause);

/*
 * The replacements textop_synonym may use for word as it appears in text
 * (case ignored, plural rule applied, protect not consulted). Returns the
 * count, with a newly allocated list in *out (free with wn_free_list), or
 * 0 with *out NULL when word is not a candidate.
 */
size_t textop_word_synonyms(struct wordnet *, const char *word, char ***out);

/* Returns 1 when word (any case) is on the built-in English stop list. */
int textop_is_stopword(const char *word);

#endif
