/* SPDX-License-Identifier: MIT */
/*
 * Caption statistics for the review screens and the duplicate finder: word
 * and character counts, a hash of the normalised text for exact-duplicate
 * groups, Data-Juicer's word repetition ratio, and the content-word overlap
 * between an augmented caption and its parent's. Near duplicates are
 * minhash.h's business.
 *
 * None of these fail on odd input: malformed UTF-8 is read as U+FFFD per bad
 * byte, and nothing is printed.
 */
#ifndef MMDA_TEXTMETRICS_H
#define MMDA_TEXTMETRICS_H

#include <stddef.h>
#include <stdint.h>

struct wordnet;

/* Hex digest length of txm_normal_hash, without the NUL. */
#define TXM_HASH_HEX_LEN 64

/* Data-Juicer's default n for the word repetition ratio. */
#define TXM_REP_N 10

/*
 * 1 when cp is white space: ASCII \t..\r and space, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (the set
 * utf8_count_words splits on, and the one Python's str.split() uses).
 */
int txm_is_space(uint32_t cp);

/* Words: maximal runs of non-space code points (see txm_is_space). */
size_t txm_num_words(const char *s);

/* Characters: Unicode code points, not bytes; each malformed byte counts one. */
size_t txm_text_len(const char *s);

/*
 * SHA-256 (64 lower-case hex digits and a NUL into hex) of s normalised so
 * that trivially different copies of a caption collide. The rule, in order:
 *   1. ASCII punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~) is deleted, so
 *      "dog's" and "dogs" collide, as do "a dog." and "a dog";
 *   2. ASCII letters are folded to lower case; other bytes stay as they are
 *      (no Unicode case folding and no NFC: out of scope);
 *   3. each run of white space (txm_is_space) becomes one ' ', and spaces at
 *      the start and the end are dropped.
 * Punctuation goes before spaces collapse, so "a - b" becomes "a b".
 */
void txm_normal_hash(const char *s, char hex[TXM_HASH_HEX_LEN + 1]);

/*
 * Data-Juicer's word repetition ratio (WordRepetitionFilter): words are the
 * white-space separated tokens, ASCII lower-cased, with leading and trailing
 * ASCII punctuation stripped and emptied tokens dropped. Over the word
 * n-grams (n consecutive words; n < 1 means TXM_REP_N), the result is
 *	sum of the counts of the n-grams seen more than once / number of n-grams
 * in [0, 1]. A text with fewer than n words has no n-grams (Data-Juicer
 * builds none; read as one whole-text gram it would occur once) and gives 0,
 * as does the empty text.
 */
double txm_word_repetition(const char *s, int n);

/*
 * Content-word overlap of two captions (a candidate's and its parent's):
 * tokens are the maximal runs of ASCII letters, lower-cased; tokens of one
 * letter (the "s" of "dog's", the "t" of "don't") and stop words
 * (textop_is_stopword) are dropped; each is replaced by its WordNet base
 * form trying noun, verb, adjective, adverb in turn (first hit wins; an
 * unknown word stays as it is; wn NULL skips this step). *out is the
 * Jaccard index |A n B| / |A u B| of the two sets, 1.0 when both are empty.
 * "left" and "right" are one word (the side), so a correct hflip keeps its
 * caption's content. A caption mostly in letters outside ASCII (a script
 * that does not split words with spaces) is compared by its characters
 * instead. Returns 0, or -1 (with *out untouched) when a or b is NULL.
 */
int txm_word_overlap(struct wordnet *wn, const char *a, const char *b, double *out);

#endif
