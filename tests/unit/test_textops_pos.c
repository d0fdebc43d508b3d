/* SPDX-License-Identifier: MIT */
/*
 * The caption operators over a hand-tagged set (tests/data/text/
 * tagged-captions.tsv): synonym and hypernym run with 8 seeds, every
 * replacement is found by aligning output words against input words, and
 * its part of speech, number and verb form are judged against the hand tag
 * with WordNet's index and noun.exc read here, not through the operators'
 * own choice of words. Identity words must come out unchanged.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/text/tagger.h"
#include "core/text/textops.h"
#include "core/text/wordnet.h"
#include "tests/harness.h"

#define MAXW 64
#define MAXC 80

struct tagged {
	char *text;
	char *word[MAXW];
	char tag[MAXW][4]; /* "n", "n+", "vs", ... */
	int ident[MAXW];
	size_t n;
};

static struct wordnet *wn;
static struct tagged set[MAXC];
static size_t nset;
/* Captions tagged after the tagger was written: its accuracy on unseen text. */
static struct tagged held[MAXC];
static size_t nheld;

/* noun.exc read directly: irregular plural forms and their lemmas. */
static char **exc_form, **exc_lemma;
static size_t nexc;

static uint64_t
splitmix(void *ctx)
{
	uint64_t *s = ctx, z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The documented word rule, written again here: letters, inner - or '. */
static size_t
words_of(const char *s, char **w, size_t max)
{
	size_t n = 0, i = 0, len = strlen(s), st;

	while (i < len && n < max) {
		if (!letter(s[i])) {
			i++;
			continue;
		}
		st = i;
		/* Digits join the run ("H2O"), so a spelling is never cut in two. */
		while (i < len && (letter(s[i]) || isdigit((unsigned char)s[i]) || ((s[i] == '-' || s[i] == '\'') && i + 1 < len &&
		    letter(s[i + 1]))))
			i++;
		w[n] = xstrndup(s + st, i - st);
		for (char *p = w[n]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		n++;
	}
	return n;
}

static void
load_set(const char *name, struct tagged *into, size_t *ninto)
{
	char path[512], line[1024], *tab, *tok, *save;
	FILE *f;

	snprintf(path, sizeof path, "%s/../text/%s", MMDA_SAMPLE_DIR, name);
	f = fopen(path, "r");
	CHECKF(f != NULL, "%s", path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL && *ninto < MAXC) {
		struct tagged *t = &into[*ninto];
		size_t k = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		t->text = xstrdup(line);
		t->n = words_of(line, t->word, MAXW);
		for (tok = strtok_r(tab + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			size_t l = strlen(tok);
			if (k >= MAXW)
				break;
			t->ident[k] = l > 0 && tok[l - 1] == '!';
			snprintf(t->tag[k], sizeof t->tag[k], "%.*s", (int)(l - (size_t)t->ident[k]), tok);
			k++;
		}
		CHECKF(k == t->n, "%s: %zu tags for %zu words", t->text, k, t->n);
		(*ninto)++;
	}
	fclose(f);
}

static void
load(void)
{
	char line[1024], *save;
	FILE *f;

	load_set("tagged-captions.tsv", set, &nset);
	load_set("tagged-heldout.tsv", held, &nheld);
	f = fopen("/usr/share/wordnet/noun.exc", "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		char *a = strtok_r(line, " \n", &save), *b = strtok_r(NULL, " \n", &save);
		if (a == NULL || b == NULL)
			continue;
		exc_form = xreallocarray(exc_form, nexc + 1, sizeof *exc_form);
		exc_lemma = xreallocarray(exc_lemma, nexc + 1, sizeof *exc_lemma);
		exc_form[nexc] = xstrdup(a);
		exc_lemma[nexc++] = xstrdup(b);
	}
	if (f != NULL)
		fclose(f);
}

static int
tagpos(const char *tag)
{
	switch (tag[0]) {
	case 'n': return WN_NOUN;
	case 'v': return WN_VERB;
	case 'a': return WN_ADJ;
	case 'r': return WN_ADV;
	}
	return -1;
}

/* Whether the phrase w[0..n) is a WordNet lemma of pos, inflection allowed. */
static int
phrase_is(char **w, size_t n, int pos)
{
	char buf[256] = "", lem[WN_LEMMA_MAX];
	size_t i, at = 0;

	for (i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s", i ? " " : "", w[i]);
	if (wn_lemma(wn, buf, pos, lem, sizeof lem) == 0)
		return 1;
	/* "gets over", "traffic lights": the inflected word of a phrase. */
	if (n > 1 && wn_lemma(wn, pos == WN_VERB ? w[0] : w[n - 1], pos, lem, sizeof lem) == 0) {
		at = 0;
		for (i = 0; i < n; i++) {
			const char *x = w[i];
			if ((pos == WN_VERB && i == 0) || (pos != WN_VERB && i == n - 1))
				x = lem;
			at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s", i ? " " : "", x);
		}
		if (wn_lemma(wn, buf, pos, lem, sizeof lem) == 0)
			return 1;
	}
	return 0;
}

/* A correct plural: reduced by morphy, and the irregular form if one exists. */
static int
is_plural(const char *w)
{
	char lem[WN_LEMMA_MAX];
	size_t i;
	int irregular = 0;

	if (wn_lemma(wn, w, WN_NOUN, lem, sizeof lem) != 0 || strcmp(lem, w) == 0)
		return 0;
	for (i = 0; i < nexc; i++) {
		if (strcmp(exc_lemma[i], lem) == 0) {
			irregular = 1;
			if (strcmp(exc_form[i], w) == 0)
				return 1;
		}
	}
	return !irregular;
}

/*
 * Whether w has a singular: morphy reduces it, or it ends in -s and the
 * stem is a noun ("cows" is also a lemma, the herd). "people" has none
 * that WordNet knows, so any noun may replace it.
 */
static int
plural_form(const char *w)
{
	char lem[WN_LEMMA_MAX], stem[WN_LEMMA_MAX];
	size_t n = strlen(w);

	if (wn_lemma(wn, w, WN_NOUN, lem, sizeof lem) == 0 && strcmp(lem, w) != 0)
		return 1;
	if (n < 3 || w[n - 1] != 's' || n >= sizeof stem)
		return 0;
	snprintf(stem, sizeof stem, "%.*s", (int)(n - 1), w);
	return wn_senses(wn, stem, WN_NOUN, NULL, NULL) == 0;
}

static int
ends(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Whether the verb w has the form of tag ("vs", "vg", "vd"). */
static int
verb_form_kept(const char *tag, const char *w)
{
	char lem[WN_LEMMA_MAX];
	int reduced = wn_lemma(wn, w, WN_VERB, lem, sizeof lem) == 0 && strcmp(lem, w) != 0;

	if (strcmp(tag, "vs") == 0)
		return reduced && ends(w, "s");
	if (strcmp(tag, "vg") == 0)
		return reduced && ends(w, "ing");
	if (strcmp(tag, "vd") == 0)
		return reduced && !ends(w, "ing") && !ends(w, "s");
	return 1;
}

struct counts {
	int repl, pos, number, ident, lost;
};

static int
same(const char *a, const char *b)
{
	if ((strcmp(a, "a") == 0 || strcmp(a, "an") == 0) &&
	    (strcmp(b, "a") == 0 || strcmp(b, "an") == 0))
		return 1;
	return strcmp(a, b) == 0;
}

/* 0 when out[o0..o1) is a fair replacement of words i0..i1 of t; else 1 POS, 2 number, 3 lost. */
static int
verdict(const struct tagged *t, size_t i0, size_t i1, char **out, size_t o0, size_t o1)
{
	size_t i, head = i1;
	int pos, verbs = 0;

	for (i = i0; i < i1; i++) {
		if (tagpos(t->tag[i]) >= 0)
			head = i;
		verbs += t->tag[i][0] == 'v';
	}
	if (head == i1)
		head = i1 - 1;
	pos = tagpos(t->tag[head]);
	if (verbs > 0 && (pos != WN_VERB || i1 - i0 > 1))
		return 1; /* a compound across a verb: "bus stops" read as one noun */
	if (o0 == o1)
		return 3; /* a word vanished: "A bus stops" -> "A stops" */
	if (pos < 0 || !phrase_is(out + o0, o1 - o0, pos))
		return 1;
	if (strcmp(t->tag[head], "n+") == 0 && plural_form(t->word[head]) && !is_plural(out[o1 - 1]))
		return 2;
	if (t->tag[head][0] == 'v' && !verb_form_kept(t->tag[head], out[o0]))
		return 2;
	return 0;
}

/* Whether the gap splits into fair one-word-each replacements (two edits side by side). */
static int
partition_ok(const struct tagged *t, size_t i0, size_t i1, char **out, size_t o0, size_t o1)
{
	size_t k;

	if (i0 == i1)
		return o0 == o1;
	if (o1 - o0 < i1 - i0)
		return 0;
	for (k = o0 + 1; k + (i1 - i0 - 1) <= o1; k++) {
		if (verdict(t, i0, i0 + 1, out, o0, k) == 0 && partition_ok(t, i0 + 1, i1, out, k, o1))
			return 1;
	}
	return 0;
}

/*
 * Judges one gap of the alignment. A replacement that shares a word with
 * its neighbour ("stainless steel" -> "alloy steel") or two replacements
 * side by side are read the way that makes them fair, if there is one.
 */
static void
judge(const struct tagged *t, size_t i0, size_t i1, char **out, size_t no, size_t o0,
    size_t o1, struct counts *c, const char *what)
{
	size_t i;
	int v, bad = 0;

	for (i = i0; i < i1; i++) {
		if (t->ident[i])
			c->ident++, bad = 1;
	}
	c->repl++;
	v = verdict(t, i0, i1, out, o0, o1);
	if (v != 0 && i1 - i0 > 1 && partition_ok(t, i0, i1, out, o0, o1))
		v = 0;
	if (v != 0 && i1 < t->n && o1 < no && same(t->word[i1], out[o1]) &&
	    verdict(t, i0, i1 + 1, out, o0, o1 + 1) == 0)
		v = 0;
	if (v != 0 && i0 > 0 && o0 > 0 && same(t->word[i0 - 1], out[o0 - 1]) &&
	    verdict(t, i0 - 1, i1, out, o0 - 1, o1) == 0)
		v = 0;
	if (v == 1 || v == 3)
		c->pos++, bad = 1;
	if (v == 3)
		c->lost++;
	if (v == 2)
		c->number++, bad = 1;
	if (bad && getenv("MMDA_TEST_VERBOSE") != NULL) {
		fprintf(stderr, "    %s [%s]:", what, t->tag[i1 - 1]);
		for (i = i0; i < i1; i++)
			fprintf(stderr, " %s", t->word[i]);
		fprintf(stderr, " ->");
		for (i = o0; i < o1; i++)
			fprintf(stderr, " %s", out[i]);
		fprintf(stderr, "\n");
	}
}

/*
 * Aligns out against t's words (LCS, a = an) and judges every gap. An
 * insertion with nothing replaced ("frame" -> "frame in") belongs to the
 * neighbour it forms a WordNet phrase with.
 */
static void
align(const struct tagged *t, char **out, size_t no, struct counts *c, const char *what)
{
	static int L[MAXW + 1][2 * MAXW + 1];
	size_t n = t->n, i, j, pi = 0, pj = 0;

	for (i = n + 1; i-- > 0;) {
		for (j = no + 1; j-- > 0;) {
			if (i == n || j == no)
				L[i][j] = 0;
			else if (same(t->word[i], out[j]))
				L[i][j] = L[i + 1][j + 1] + 1;
			else
				L[i][j] = L[i + 1][j] > L[i][j + 1] ? L[i + 1][j] : L[i][j + 1];
		}
	}
	i = j = 0;
	for (;;) {
		int match = i < n && j < no && same(t->word[i], out[j]) &&
		    L[i][j] == L[i + 1][j + 1] + 1;
		if (match || (i == n && j == no)) {
			if (i > pi && j == pj && i < n && tagpos(t->tag[i]) >= 0) {
				/* "traffic light" -> "light": a compound replaced by its head. */
				judge(t, pi, i + 1, out, no, j, j + 1, c, what);
				if (i + 1 == n && j + 1 == no)
					break;
				i++, j++;
				pi = i, pj = j;
				continue;
			}
			if (i > pi)
				judge(t, pi, i, out, no, pj, j, c, what);
			else if (j > pj) {
				/* Pure insertion: attach to the neighbour it joins. */
				size_t o0 = pj, o1 = j, w0 = i, w1 = i, m = j - pj, q;
				int shifted;

				/*
				 * "loaf" -> "loaf of bread" aligns as "of bread" inserted
				 * after "bread": the same insertion, moved back by a repeat.
				 */
				for (q = 0; pj >= m && pi >= m && q < m && same(out[pj - m + q], out[pj + q]); q++)
					;
				shifted = q == m && pi > m && pj > m &&
				    phrase_is(out + pj - m - 1, m + 1, tagpos(t->tag[pi - m - 1]));
				if (shifted)
					o0 = pj - m - 1, o1 = pj, w0 = pi - m - 1, w1 = pi - m;
				else if (pi > 0 && phrase_is(out + pj - 1, m + 1, tagpos(t->tag[pi - 1])))
					o0 = pj - 1, w0 = pi - 1, w1 = pi;
				else if (i < n)
					o1 = j + 1, w1 = i + 1;
				else
					o0 = pj - 1, w0 = pi - 1, w1 = pi;
				judge(t, w0, w1, out, no, o0, o1, c, what);
			}
			if (i == n && j == no)
				break;
			i++, j++;
			pi = i, pj = j;
		} else if (i < n && (j == no || L[i + 1][j] >= L[i][j + 1]))
			i++;
		else
			j++;
	}
}

static void
run_op(int op, struct counts *c)
{
	size_t k, no, i;
	uint64_t seed, s;
	char *out, *cause, *w[2 * MAXW];
	int changes;

	for (k = 0; k < nset; k++) {
		for (seed = 1; seed <= 8; seed++) {
			s = seed * 7919;
			out = NULL;
			cause = NULL;
			if (op == 0)
				CHECK(textop_synonym(wn, set[k].text, 0.3, 1, 10, NULL, splitmix, &s,
				    &out, &changes, &cause) == 0);
			else
				CHECK(textop_hypernym(wn, set[k].text, 1, NULL, NULL, splitmix, &s, &out, &changes,
				    &cause) == 0);
			free(cause);
			if (out == NULL)
				continue;
			if (getenv("MMDA_TEST_VERBOSE") != NULL && strcmp(getenv("MMDA_TEST_VERBOSE"), "2") == 0)
				fprintf(stderr, "    %s -> %s\n", set[k].text, out);
			no = words_of(out, w, 2 * MAXW);
			align(&set[k], w, no, c, op == 0 ? "synonym" : "hypernym");
			for (i = 0; i < no; i++)
				free(w[i]);
			free(out);
		}
	}
}

static void
report(const char *what, const struct counts *c)
{
	fprintf(stderr, "  %s: %d replacements, %d change part of speech (%d words lost), "
	    "%d lose number or form, %d identity words changed\n", what, c->repl, c->pos, c->lost,
	    c->number, c->ident);
}

static void
replacements_keep_pos_number_identity(void)
{
	struct counts syn = { 0 }, hyp = { 0 }, all;

	run_op(0, &syn);
	run_op(1, &hyp);
	report("synonym", &syn);
	report("hypernym", &hyp);
	all.repl = syn.repl + hyp.repl;
	all.pos = syn.pos + hyp.pos;
	all.number = syn.number + hyp.number;
	all.ident = syn.ident + hyp.ident;
	all.lost = syn.lost + hyp.lost;
	CHECK(syn.repl > 100 && hyp.repl > 50);
	CHECKF(all.pos * 100 <= all.repl * 3, "%d of %d change POS", all.pos, all.repl);
	CHECKF(all.number * 100 <= all.repl * 2, "%d of %d lose number", all.number, all.repl);
	CHECKF(all.ident == 0, "%d identity words changed", all.ident);
	CHECKF(all.lost == 0, "%d words lost", all.lost);
}

/* The old choice, written again: the part of speech with most tagged senses. */
static int
most_tagged(const char *w)
{
	char lem[WN_LEMMA_MAX];
	int pos, best = -1, bt = -1, tg;

	if (textop_is_stopword(w))
		return -1;
	for (pos = 0; pos < WN_NPOS; pos++) {
		if (wn_lemma(wn, w, pos, lem, sizeof lem) == 0 &&
		    wn_senses(wn, lem, pos, NULL, &tg) == 0 && tg > bt)
			best = pos, bt = tg;
	}
	return best < 0 ? WN_NOUN : best;
}

struct accuracy {
	int words, content, ok, okc, base, basec, plural, pl_ok;
};

static void
measure(const struct tagged *ts, size_t nts, struct accuracy *a)
{
	struct tag_word *tw;
	size_t k, i, n;
	int words = 0, content = 0, ok = 0, okc = 0, base = 0, basec = 0, plural = 0, pl_ok = 0;

	for (k = 0; k < nts; k++) {
		n = tag_text(wn, ts[k].text, &tw);
		CHECKF(n == ts[k].n, "%s", ts[k].text);
		for (i = 0; i < n && i < ts[k].n; i++) {
			int gold = tagpos(ts[k].tag[i]), old = most_tagged(ts[k].word[i]);
			words++;
			ok += tw[i].pos == gold;
			base += old == gold;
			if (gold >= 0) {
				content++;
				okc += tw[i].pos == gold;
				basec += old == gold;
			}
			if (strcmp(ts[k].tag[i], "n+") == 0) {
				plural++;
				pl_ok += tw[i].pos == WN_NOUN && (tw[i].form == TF_PLURAL ||
				    !plural_form(ts[k].word[i]));
			}
			if (tw[i].pos != gold && getenv("MMDA_TEST_VERBOSE") != NULL)
				fprintf(stderr, "    tag %s: %s is %d, hand tag %s\n", ts[k].text,
				    ts[k].word[i], tw[i].pos, ts[k].tag[i]);
		}
		free(tw);
	}
	*a = (struct accuracy){ words, content, ok, okc, base, basec, plural, pl_ok };
}

static void
tagger_accuracy(void)
{
	struct accuracy a, h;

	measure(set, nset, &a);
	measure(held, nheld, &h);
	fprintf(stderr, "  tagger: %d/%d words, %d/%d content words, %d/%d plurals; "
	    "most-tagged-sense rule: %d/%d words, %d/%d content words\n", a.ok, a.words, a.okc,
	    a.content, a.pl_ok, a.plural, a.base, a.words, a.basec, a.content);
	fprintf(stderr, "  held out: %d/%d words, %d/%d content words, %d/%d plurals; "
	    "most-tagged-sense rule: %d/%d words, %d/%d content words\n", h.ok, h.words, h.okc,
	    h.content, h.pl_ok, h.plural, h.base, h.words, h.basec, h.content);
	CHECK(a.words > 300 && h.words > 80);
	CHECKF(a.okc * 100 >= a.content * 92, "%d of %d content words", a.okc, a.content);
	CHECKF(h.okc * 100 >= h.content * 85, "%d of %d held-out content words", h.okc, h.content);
	CHECK(a.pl_ok == a.plural);
}

static void
protected_words(void)
{
	char path[] = "/tmp/mmda-protect-XXXXXX", **w = NULL, *out = NULL, *cause = NULL;
	const char *list[] = { "photo", NULL };
	size_t n = 0;
	uint64_t s;
	int fd, ch;
	FILE *f;

	CHECK(textop_is_identity("Women") && textop_is_identity("muslim") &&
	    !textop_is_identity("white") && !textop_is_identity("dog"));
	for (s = 1; s <= 8; s++) {
		out = NULL;
		CHECK(textop_synonym(wn, "A white man holds a white plate.", 1, 1, -1, NULL, splitmix,
		    &s, &out, &ch, &cause) == 0);
		CHECKF(out != NULL && str_starts(out, "A white man "), "%s", out);
		free(out);
		CHECK(textop_hypernym(wn, "A black woman with a black dog.", -1, NULL, NULL, splitmix,
		    &s, &out, &ch, &cause) == 0);
		CHECKF(out != NULL && str_starts(out, "A black woman with a black "), "%s", out);
		free(out);
		CHECK(textop_synonym(wn, "A blurry photo.", 1, 1, -1, list, splitmix, &s, &out, &ch,
		    &cause) == 0);
		CHECKF(out != NULL && strstr(out, " photo.") != NULL, "%s", out);
		free(out);
	}
	fd = mkstemp(path);
	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# words of this project\nspoon\n plate , cup \n\n", f);
	fclose(f);
	CHECK(textop_read_words(path, &w, &n, &cause) == 0);
	CHECK(n == 3 && w != NULL && strcmp(w[0], "spoon") == 0 && strcmp(w[1], "plate") == 0 &&
	    strcmp(w[2], "cup") == 0 && w[3] == NULL);
	wn_free_list(w, n);
	unlink(path);
	CHECK(textop_read_words(path, &w, &n, &cause) == -1 && cause != NULL);
	free(cause);
}

int
main(void)
{
	char *cause = NULL;

	h_suite = "textops_pos";
	wn = wn_open(NULL, &cause);
	if (wn == NULL) {
		fprintf(stderr, "WordNet: %s\n", cause);
		return 1;
	}
	load();
	CHECK(nset >= 40);
	RUN(tagger_accuracy);
	RUN(replacements_keep_pos_number_identity);
	RUN(protected_words);
	wn_close(wn);
	HARNESS_END();
}
