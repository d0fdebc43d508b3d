/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the caption statistics: counts on ASCII, CJK and emoji, the
 * normalised-text hash, the word repetition ratio on hand-computed cases and
 * the content-word overlap against the real WordNet 3.0 files. Expected
 * values were worked out by hand (and for WordNet by grep in index.* and
 * *.exc), not taken from this code.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sha256.h"
#include "core/metrics/textmetrics.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"
#include "tests/harness.h"

static struct wordnet *wn;

#define NEAR(x, y) (fabs((x) - (y)) < 1e-9)

static void
num_words(void)
{
	CHECK(txm_num_words("") == 0);
	CHECK(txm_num_words("   \t\n ") == 0);
	CHECK(txm_num_words("a cat") == 2);
	CHECK(txm_num_words("  a   cat \t on\n\nthe  mat  ") == 5);
	/* CJK has no spaces between words: a run is one word. */
	CHECK(txm_num_words("猫が座る") == 1);
	CHECK(txm_num_words("猫が 座る") == 2);
	/* Ideographic space, no-break space and em space split words too. */
	CHECK(txm_num_words("a\xe3\x80\x80" "b\xc2\xa0" "c\xe2\x80\x83" "d") == 4);
	/* Emoji are words; a ZWJ sequence is one. */
	CHECK(txm_num_words("🐈 cat 🐕\xe2\x80\x8d🦺") == 3);
	CHECK(txm_num_words("cat🐈dog") == 1);
}

static void
text_len(void)
{
	CHECK(txm_text_len("") == 0);
	CHECK(txm_text_len("abc") == 3);
	CHECK(txm_text_len("a  b") == 4);
	/* Twelve bytes, four characters. */
	CHECK(strlen("猫が座る") == 12);
	CHECK(txm_text_len("猫が座る") == 4);
	CHECK(txm_text_len("🐈") == 1);
	/* U+1F415 U+200D U+1F9BA: three code points, one glyph. */
	CHECK(txm_text_len("🐕\xe2\x80\x8d🦺") == 3);
	/* Precomposed e-acute is one code point, e + combining acute two. */
	CHECK(txm_text_len("caf\xc3\xa9") == 4);
	CHECK(txm_text_len("cafe\xcc\x81") == 5);
	/* Each malformed byte counts as one U+FFFD. */
	CHECK(txm_text_len("a\xff\xfe" "b") == 4);
}

/* The hash of exactly the string s, for comparing against the normal form. */
static void
raw_hash(const char *s, char hex[65])
{
	sha256_hex(s, strlen(s), hex);
}

static void
normal_hash(void)
{
	char h1[65], h2[65], want[65];
	static const char *const same[] = { "a dog running", "A Dog Running",
		"  a   dog\trunning \n", "a dog, running!", "\"A dog\" running...",
		("a\xe3\x80\x80" "dog\xc2\xa0running"), "a dog - running" };
	static const char *const other[] = { "a dog walking", "adog running", "a dog runnin",
		"a dog running too", "a dóg running" };
	size_t i;

	/* The normal form is exactly "a dog running": pin the rule, not just collisions. */
	raw_hash("a dog running", want);
	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		txm_normal_hash(same[i], h1);
		CHECKF(strcmp(h1, want) == 0, "\"%s\"", same[i]);
	}
	for (i = 0; i < sizeof other / sizeof other[0]; i++) {
		txm_normal_hash(other[i], h1);
		CHECKF(strcmp(h1, want) != 0, "\"%s\"", other[i]);
	}
	/* Punctuation inside a word is deleted, not turned into a space. */
	txm_normal_hash("dog's", h1);
	raw_hash("dogs", want);
	CHECK_STR(h1, want);
	txm_normal_hash("co-op", h1);
	raw_hash("coop", want);
	CHECK_STR(h1, want);
	/* Digits are kept. */
	txm_normal_hash("2 dogs", h1);
	txm_normal_hash("3 dogs", h2);
	CHECK(strcmp(h1, h2) != 0);
	/* Only ASCII folds: no Unicode case mapping. */
	txm_normal_hash("CAFÉ", h1);
	raw_hash("café", want);
	CHECK(strcmp(h1, want) != 0);
	raw_hash("caf\xc3\x89", want);
	CHECK_STR(h1, want);
	/* Nothing left: the hash of the empty string. */
	txm_normal_hash("  ?!  ...", h1);
	raw_hash("", want);
	CHECK_STR(h1, want);
	CHECK(strlen(h1) == 64);
}

static void
word_repetition(void)
{
	/* Bigrams ab ba ab ba ab: both occur more than once, 5 of 5. */
	CHECK(NEAR(txm_word_repetition("a b a b a b", 2), 1.0));
	CHECK(NEAR(txm_word_repetition("a b c d e", 2), 0.0));
	/* ab bc ca ab bd: ab twice, 2 of 5. */
	CHECK(NEAR(txm_word_repetition("a b c a b d", 2), 0.4));
	/* Case and edge punctuation fold: "a b", "b a", "a b" -> 2 of 3. */
	CHECK(NEAR(txm_word_repetition("A b, a B.", 2), 2.0 / 3.0));
	/* Inner punctuation stays: "a-b" is not "ab". */
	CHECK(NEAR(txm_word_repetition("a-b c ab c", 2), 0.0));
	/* A token of punctuation alone vanishes: the bigrams are "x y" "y x" "x y". */
	CHECK(NEAR(txm_word_repetition("x y -- x y", 2), 2.0 / 3.0));
	/* Unigrams: a a b -> a twice, 2 of 3. */
	CHECK(NEAR(txm_word_repetition("a a b", 1), 2.0 / 3.0));
	/* Fewer words than n: no n-grams at all. */
	CHECK(NEAR(txm_word_repetition("a a a", 4), 0.0));
	CHECK(NEAR(txm_word_repetition("", 2), 0.0));
	CHECK(NEAR(txm_word_repetition("w w w w w w w w w", 0), 0.0));
	/*
	 * w0..w9 twice: eleven 10-grams; the one at 0 equals the one at 10 and
	 * the nine in between are distinct: 2 of 11. n < 1 means 10.
	 */
	CHECK(NEAR(txm_word_repetition("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w0 w1 w2 w3 w4 w5 w6 w7 "
	    "w8 w9", 10), 2.0 / 11.0));
	CHECK(NEAR(txm_word_repetition("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w0 w1 w2 w3 w4 w5 w6 w7 "
	    "w8 w9", 0), 2.0 / 11.0));
	/* Ten identical words: one 10-gram occurring once. */
	CHECK(NEAR(txm_word_repetition("z z z z z z z z z z", 10), 0.0));
	CHECK(NEAR(txm_word_repetition("z z z z z z z z z z z", 10), 1.0));
}

/* A text of n words where the gram table must grow and collide. */
static void
word_repetition_long(void)
{
	char *s, *p;
	size_t i, n = 5000;

	s = xmalloc(n * 8 + 1);
	p = s;
	/* 2500 distinct words, then the same 2500 again: bigram i and i + 2500 match. */
	for (i = 0; i < n; i++)
		p += sprintf(p, "w%zu ", i % (n / 2));
	/* 4999 bigrams: 2499 pairs repeated (x2), the one across the seam unique. */
	CHECK(NEAR(txm_word_repetition(s, 2), 4998.0 / 4999.0));
	free(s);
}

static double
overlap(struct wordnet *w, const char *a, const char *b)
{
	double v = -1.0;

	CHECK(txm_word_overlap(w, a, b, &v) == 0);
	return v;
}

static void
word_overlap(void)
{
	double v = 42.0;

	/*
	 * "two" and "a" are stop words. Nouns are tried first, and WordNet has
	 * the noun "sat" (Saturday, index.noun), so "sat" stays "sat", while
	 * "sits" is no noun and becomes the verb "sit": {cat, sat} and
	 * {cat, sit} share one of three.
	 */
	CHECK(NEAR(overlap(wn, "two cats sat", "a cat sits"), 1.0 / 3.0));
	/* Without WordNet nothing is lemmatised: {cats, sat} vs {cat, sits}. */
	CHECK(NEAR(overlap(NULL, "two cats sat", "a cat sits"), 0.0));
	/* Exception list: mice -> mouse, geese -> goose; went -> go (verb). */
	CHECK(NEAR(overlap(wn, "Mice and geese", "a mouse, a goose"), 1.0));
	/* "went" is no noun but the verb "go"; "go" is first a noun (the game). */
	CHECK(NEAR(overlap(wn, "The boy went home", "boys go home"), 1.0));
	CHECK(NEAR(overlap(wn, "A dog on the grass.", "A dog on the grass."), 1.0));
	CHECK(NEAR(overlap(wn, "a red car", "the blue sky"), 0.0));
	/* Stop words and one-letter fragments do not count. */
	CHECK(NEAR(overlap(wn, "the dog is on the mat", "dog mat"), 1.0));
	CHECK(NEAR(overlap(wn, "the dog's mat", "dog mat"), 1.0));
	/* Repeats collapse: {dog} vs {dog, cat}. */
	CHECK(NEAR(overlap(wn, "dog dog dog", "dog cat"), 0.5));
	/* Words WordNet lacks stay as they are. */
	CHECK(NEAR(overlap(wn, "zxqv blorps", "zxqv blorp"), 1.0 / 3.0));
	/* Digits and non-ASCII letters split words and are not words. */
	CHECK(NEAR(overlap(wn, "3 dogs in caf\xc3\xa9", "dog caf"), 1.0));
	/* Both empty after filtering: identical. One empty: nothing shared. */
	CHECK(NEAR(overlap(wn, "the a of", ""), 1.0));
	CHECK(NEAR(overlap(wn, "", "dog"), 0.0));
	CHECK(txm_word_overlap(wn, NULL, "dog", &v) == -1);
	CHECK(v == 42.0);
	/* A correct hflip swaps the side: the content is the same. */
	CHECK(NEAR(overlap(wn, "A cat on the left of a red car", "A cat on the right of a red car"),
	    1.0));
	CHECK(NEAR(overlap(wn, "the leftmost boat", "the rightmost boat"), 1.0));
	/* Another script is compared by characters, not as no words at all. */
	CHECK(NEAR(overlap(wn, "\xe4\xb8\x80\xe5\x8f\xaa\xe7\x8c\xab\xe3\x80\x82",
	    "\xe4\xb8\x80\xe5\x8f\xaa\xe7\x8c\xab\xe3\x80\x82"), 1.0));
	/* 一只猫 vs 一只狗: two of four characters shared. */
	CHECK(NEAR(overlap(wn, "\xe4\xb8\x80\xe5\x8f\xaa\xe7\x8c\xab",
	    "\xe4\xb8\x80\xe5\x8f\xaa\xe7\x8b\x97"), 0.5));
}

int
main(void)
{
	char *cause = NULL;

	h_suite = "textmetrics";
	RUN(num_words);
	RUN(text_len);
	RUN(normal_hash);
	RUN(word_repetition);
	RUN(word_repetition_long);
	wn = wn_open(NULL, &cause);
	if (wn == NULL) {
		fprintf(stderr, "textmetrics: %s\n", cause);
		printf("FAIL: textmetrics/wordnet_open\n");
		free(cause);
		return 1;
	}
	RUN(word_overlap);
	wn_close(wn);
	HARNESS_END();
}
