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
 * WordNet spelling, so "dog" may become "Canis familiaris"), a multi-word
 * replacement goes in whole, and an article directly before a replaced
 * word is fixed ("an espresso" -> "a coffee").
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
 * Synonym replacement (nlpaug SynonymAug). Each word's part of speech and
 * form come from the caption tagger (core/text/tagger.h), so "red" in "a
 * red saucer" is an adjective and "walks" in "a woman walks" a verb.
 * Candidates are the words that are not stop words, not protected (the
 * identity words of textop_is_identity, colour words before a person, and
 * protect: a NULL-terminated list compared ignoring case, may be NULL), and
 * have a usable synonym in their caption sense (wn_caption_sense: for a
 * noun, the first visual sense). A synonym is usable when it names no
 * identity, is spelt in letters, was seen in the tagged corpora if the word
 * was (no "xanthous" for "yellow"), does not repeat a neighbour ("teddy" ->
 * "teddy bear" in "teddy bear"), is one word when the word modifies a noun,
 * and can take the word's form: plural nouns stay plural ("women", "leaves"
 * from WordNet's exception lists), verbs keep -s, -ed and -ing ("gets
 * over"); a form that cannot be made with confidence drops the synonym.
 * Comparatives and words with an apostrophe are never candidates.
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
 * their caption sense (wn_caption_sense). Two-word compounds known to
 * WordNet whose second word is tagged a noun are tried first and replaced
 * whole ("tabby cat" -> "domestic cat", never "a bus stops" -> "a stops");
 * then single words tagged noun that head their phrase (a noun directly
 * followed by another noun is a modifier). Protected words (as for
 * textop_synonym) are never replaced nor part of a replaced compound. A
 * hypernym that is too general ("entity", "whole", "artifact", "organism",
 * ... or a word of stop, a NULL-terminated list that may be NULL), names an
 * identity, or cannot take the plural of a plural noun is not used.
 */
int textop_hypernym(struct wordnet *, const char *text, int max_changes,
    const char *const *protect, const char *const *stop, wn_rand_fn rnd, void *rctx,
    char **out, int *changes, char **cause);

/*
 * EDA, in this order, each with its own probability per word; protected
 * words (as for textop_synonym, protect may be NULL) are never swapped,
 * deleted or chosen for an insertion:
 *  1. swap: for each unprotected word in turn, with probability p_swap it
 *     is exchanged with a uniformly chosen other unprotected word (needs
 *     two); words move, punctuation and spacing stay in place;
 *  2. delete: each unprotected word is removed independently with
 *     probability p_delete, with the spacing it leaves doubled and a comma,
 *     semicolon or colon left with nothing to separate ("a bus, a
 *     shuttle." never becomes ", shuttle."); if every word would go, a
 *     uniformly chosen one stays, so the output is never empty;
 *  3. insert: for each original word, with probability p_insert, a
 *     synonym (as textop_synonym would choose it in the original caption)
 *     of a uniformly chosen remaining candidate word is inserted, lower
 *     case as WordNet spells it, at a uniformly chosen word gap.
 * *changes counts swaps that changed the text, deletions and insertions,
 * and is 0 whenever the output equals the input.
 */
int textop_eda(struct wordnet *, const char *text, double p_swap, double p_delete,
    double p_insert, const char *const *protect, wn_rand_fn rnd, void *rctx, char **out,
    int *changes, char **cause);

/*
 * The replacements textop_synonym may use for word number word (0-based,
 * words as the tokeniser counts them) of text, read in context: its part
 * of speech and form from the tagger, protected words and the user's
 * protect list (may be NULL) left out. Returns the count with a newly
 * allocated list in *out (free with wn_free_list), or 0 with *out NULL.
 */
size_t textop_caption_synonyms(struct wordnet *, const char *text, size_t word,
    const char *const *protect, char ***out);

/* Returns 1 when word (any case) is on the built-in English stop list. */
int textop_is_stopword(const char *word);

/*
 * Returns 1 when word (any case) is on the built-in identity list: race,
 * ethnicity, nationality, religion, gender and age words ("black" and
 * "white" are colour words, protected only before a person).
 */
int textop_is_identity(const char *word);

/* The basic colour words, lower case, NULL-terminated (static storage). */
const char *const *textop_colour_words(void);

/*
 * Reads a protect file: one word or phrase a line (or several separated by
 * commas), '#' starts a comment. Returns 0 with a newly allocated
 * NULL-terminated list in *out of *n words (free with wn_free_list(*out,
 * *n); NULL when the file has none), or -1 with *cause when it cannot be
 * read.
 */
int textop_read_words(const char *path, char ***out, size_t *n, char **cause);

#endif
