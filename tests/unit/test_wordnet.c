/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the WordNet reader against the real WordNet 3.0 files
 * (Debian's wordnet-base; $MMDA_WORDNET points elsewhere). Expected values
 * were read off index.* and data.* with grep and dd, not from this code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/text/wordnet.h"
#include "tests/harness.h"

static struct wordnet *wn;

static int
has(char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i], s) == 0)
			return 1;
	}
	return 0;
}

static void
lemma_exceptions(void)
{
	char out[WN_LEMMA_MAX];

	CHECK(wn_lemma(wn, "mice", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "mouse");
	CHECK(wn_lemma(wn, "geese", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "goose");
	CHECK(wn_lemma(wn, "went", WN_VERB, out, sizeof out) == 0);
	CHECK_STR(out, "go");
	/* Case folds before the look-up. */
	CHECK(wn_lemma(wn, "Mice", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "mouse");
	/* "went" is no noun: the exception list is per part of speech. */
	CHECK(wn_lemma(wn, "went", WN_NOUN, out, sizeof out) == -1);
}

static void
lemma_rules(void)
{
	char out[WN_LEMMA_MAX], tiny[3];

	CHECK(wn_lemma(wn, "cats", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "cat");
	CHECK(wn_lemma(wn, "boxes", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "box");
	CHECK(wn_lemma(wn, "churches", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "church");
	CHECK(wn_lemma(wn, "smiles", WN_VERB, out, sizeof out) == 0);
	CHECK_STR(out, "smile");
	CHECK(wn_lemma(wn, "looking", WN_VERB, out, sizeof out) == 0);
	CHECK_STR(out, "look");
	/* A form that is itself in the index wins over the rules. */
	CHECK(wn_lemma(wn, "flies", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "flies");
	/* Spaces become '_' and the rules apply to the last word. */
	CHECK(wn_lemma(wn, "Tabby cats", WN_NOUN, out, sizeof out) == 0);
	CHECK_STR(out, "tabby_cat");
	CHECK(wn_lemma(wn, "xyzzyqq", WN_NOUN, out, sizeof out) == -1);
	CHECK(wn_lemma(wn, "", WN_NOUN, out, sizeof out) == -1);
	CHECK(wn_lemma(wn, "cats", WN_NPOS, out, sizeof out) == -1);
	CHECK(wn_lemma(wn, "cats", WN_NOUN, tiny, sizeof tiny) == -1);
}

static void
synonyms_dog(void)
{
	char **l;
	size_t n;

	CHECK(wn_synonyms_first_sense(wn, "dog", WN_NOUN, &l, &n) == 0);
	CHECK(n == 2);
	CHECK(has(l, n, "domestic dog"));
	CHECK(has(l, n, "Canis familiaris"));
	/* Other senses of "dog" (02084071 is the first in index.noun). */
	CHECK(!has(l, n, "frump"));
	CHECK(!has(l, n, "cad"));
	CHECK(!has(l, n, "dog"));
	wn_free_list(l, n);

	/* Data words may carry adjective markers: "outback(a) 0 remote 0". */
	CHECK(wn_synonyms_first_sense(wn, "outback", WN_ADJ, &l, &n) == 0);
	CHECK(n == 1 && strcmp(l[0], "remote") == 0);
	wn_free_list(l, n);
	CHECK(wn_synonyms_first_sense(wn, "astronaut", WN_NOUN, &l, &n) == 0);
	CHECK(n == 2 && strcmp(l[0], "spaceman") == 0 && strcmp(l[1], "cosmonaut") == 0);
	wn_free_list(l, n);
	/* A synset of one: success with nothing. */
	CHECK(wn_synonyms_first_sense(wn, "espresso", WN_NOUN, &l, &n) == 0);
	CHECK(n == 0 && l == NULL);
	CHECK(wn_synonyms_first_sense(wn, "xyzzyqq", WN_NOUN, &l, &n) == -1);
	CHECK(n == 0 && l == NULL);
}

static void
hypernyms(void)
{
	char *h;

	CHECK(wn_hypernym_first_sense(wn, "espresso", &h) == 0);
	CHECK_STR(h, "coffee");
	free(h);
	CHECK(wn_hypernym_first_sense(wn, "cat", &h) == 0);
	CHECK_STR(h, "feline");
	free(h);
	CHECK(wn_hypernym_first_sense(wn, "dog", &h) == 0);
	CHECK_STR(h, "canine");
	free(h);
	CHECK(wn_hypernym_first_sense(wn, "tabby", &h) == 0);
	CHECK_STR(h, "domestic cat");
	free(h);
	CHECK(wn_hypernym_first_sense(wn, "tabby cat", &h) == 0);
	CHECK_STR(h, "domestic cat");
	free(h);
	CHECK(wn_hypernym_first_sense(wn, "wall_clock", &h) == 0);
	CHECK_STR(h, "clock");
	free(h);
	/* An instance has only '@i': "Paris" is an instance of a capital. */
	CHECK(wn_hypernym_first_sense(wn, "Paris", &h) == 0);
	CHECK_STR(h, "national capital");
	free(h);
	CHECK(wn_hypernym_first_sense(wn, "quickly", &h) == -1);
	CHECK(h == NULL);
}

static void
senses(void)
{
	int s = -1, t = -1;

	CHECK(wn_senses(wn, "dog", WN_NOUN, &s, &t) == 0);
	CHECK(s == 7 && t == 1);
	CHECK(wn_senses(wn, "look", WN_VERB, &s, &t) == 0);
	CHECK(s == 10 && t == 8);
	CHECK(wn_senses(wn, "look", WN_ADV, NULL, NULL) == -1);
}

static void
missing_folder(void)
{
	char *cause = NULL, dir[] = "/tmp/mmda-wn-XXXXXX", *old, *path;
	struct wordnet *w;

	w = wn_open("/nonexistent/wordnet-dir", &cause);
	CHECK(w == NULL);
	CHECK(cause != NULL && strstr(cause, "/nonexistent/wordnet-dir") != NULL);
	free(cause);
	cause = NULL;

	/* The folder exists but holds no database: the first file is named. */
	CHECK(mkdtemp(dir) != NULL);
	w = wn_open(dir, &cause);
	CHECK(w == NULL);
	path = xasprintf("%s/index.noun", dir);
	CHECK(cause != NULL && strstr(cause, path) != NULL);
	free(path);
	free(cause);
	cause = NULL;

	/* $MMDA_WORDNET is honoured when dir is NULL. */
	old = getenv("MMDA_WORDNET") ? xstrdup(getenv("MMDA_WORDNET")) : NULL;
	setenv("MMDA_WORDNET", dir, 1);
	w = wn_open(NULL, &cause);
	CHECK(w == NULL);
	CHECK(cause != NULL && strstr(cause, dir) != NULL);
	free(cause);
	if (old != NULL) {
		setenv("MMDA_WORDNET", old, 1);
		free(old);
	} else
		unsetenv("MMDA_WORDNET");
	rmdir(dir);
	wn_close(NULL);
}

int
main(void)
{
	char *cause = NULL;
	double t0;

	h_suite = "wordnet";
	t0 = now_mono_s();
	wn = wn_open(NULL, &cause);
	if (wn == NULL) {
		fprintf(stderr, "wordnet: %s\n", cause);
		printf("FAIL: wordnet/open\n");
		free(cause);
		return 1;
	}
	fprintf(stderr, "  wn_open: %.1f ms\n", (now_mono_s() - t0) * 1000.0);
	RUN(lemma_exceptions);
	RUN(lemma_rules);
	RUN(synonyms_dog);
	RUN(hypernyms);
	RUN(senses);
	RUN(missing_folder);
	wn_close(wn);
	HARNESS_END();
}
