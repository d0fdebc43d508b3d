/* SPDX-License-Identifier: MIT */
/*
 * EDA (Wei and Zou, 2019) over a caption: random swap, random deletion and
 * random synonym insertion. The text is held as words and the separators
 * between them (n words, n + 1 separators), so words can move, vanish or
 * appear while every byte that is not a word stays where it was.
 */
#include <stdlib.h>
#include <string.h>

#include "core/text/textops.h"
#include "core/text/tagger.h"
#include "core/text/textops_priv.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"

struct eda {
	char **w; /* n words */
	char **s; /* n + 1 separators: s[i] comes before w[i] */
	size_t n;
	/* Per word, moving with it: its tag in the original caption, and protection. */
	struct tag_word *tag;
	unsigned char *keep;
};

static void
eda_free(struct eda *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->w[i]);
	for (i = 0; i <= e->n; i++)
		free(e->s[i]);
	free(e->w);
	free(e->s);
	free(e->tag);
	free(e->keep);
}

static void
eda_build(struct eda *e, struct wordnet *wn, const char *text, const char *const *protect)
{
	struct tt_caption cap;
	size_t i, k;

	tt_caption_build(wn, text, protect, &cap);
	e->n = cap.n;
	e->w = xreallocarray(NULL, e->n + 1, sizeof *e->w);
	e->s = xreallocarray(NULL, e->n + 1, sizeof *e->s);
	e->tag = xreallocarray(NULL, e->n + 1, sizeof *e->tag);
	e->keep = xcalloc(e->n + 1, 1);
	for (i = 0; i <= e->n; i++) {
		/* The separator before word i: the token before it, if not a word. */
		k = i < e->n ? cap.tok[i] : cap.ntk;
		if (k > 0 && !cap.tk[k - 1].word)
			e->s[i] = xstrndup(text + cap.tk[k - 1].off, cap.tk[k - 1].len);
		else
			e->s[i] = xstrdup("");
		if (i < e->n) {
			e->w[i] = cap.w[i];
			cap.w[i] = NULL;
			e->tag[i] = cap.tag[i];
			e->keep[i] = cap.keep[i];
		}
	}
	cap.n = 0;
	tt_caption_free(&cap);
}

static int
eda_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Punctuation that only separates, and means nothing once a neighbour is gone. */
static int
eda_soft(char c)
{
	return c == ',' || c == ';' || c == ':';
}

/* Removes word i, joining its two separators without doubled spacing. */
static void
eda_delete(struct eda *e, size_t i)
{
	char *left = e->s[i], *right = e->s[i + 1], *joined;
	size_t ll = strlen(left), rl = strlen(right);
	int lspace = ll > 0 && eda_space(left[ll - 1]), rspace = rl > 0 && eda_space(right[0]);

	if (i == 0) {
		/* Nothing before: a comma that followed the word has nothing to part. */
		while (*right != '\0' && (eda_space(*right) || eda_soft(*right)))
			right++;
	} else if (i + 1 == e->n && (rl == 0 || !eda_space(right[0]))) {
		/* The last word goes: "a bus, shuttle." loses "shuttle" -> "a bus." */
		while (ll > 0 && (eda_space(left[ll - 1]) || eda_soft(left[ll - 1])))
			ll--;
	} else if (lspace && rspace) {
		while (*right != '\0' && eda_space(*right))
			right++;
	} else if (lspace && rl > 0) {
		/* "a spoon, on" loses "spoon": the comma closes up. */
		while (ll > 0 && eda_space(left[ll - 1]))
			ll--;
		/* Two commas meet ("a, spoon, on" -> "a, on"): keep one. */
		if (ll > 0 && eda_soft(left[ll - 1]) && eda_soft(right[0]))
			ll--;
	}
	joined = xasprintf("%.*s%s", (int)ll, left, right);
	free(e->s[i]);
	free(e->s[i + 1]);
	free(e->w[i]);
	e->s[i] = joined;
	memmove(e->w + i, e->w + i + 1, (e->n - i - 1) * sizeof *e->w);
	memmove(e->tag + i, e->tag + i + 1, (e->n - i - 1) * sizeof *e->tag);
	memmove(e->keep + i, e->keep + i + 1, (e->n - i - 1) * sizeof *e->keep);
	memmove(e->s + i + 1, e->s + i + 2, (e->n - i - 1) * sizeof *e->s);
	e->n--;
}

/* Inserts word before w[k] (k == n: after the last word), spaced by " ". */
static void
eda_insert(struct eda *e, size_t k, char *word)
{
	size_t at = k < e->n ? k + 1 : e->n;

	e->w = xreallocarray(e->w, e->n + 2, sizeof *e->w);
	e->s = xreallocarray(e->s, e->n + 2, sizeof *e->s);
	e->tag = xreallocarray(e->tag, e->n + 2, sizeof *e->tag);
	e->keep = xrealloc(e->keep, e->n + 2);
	memmove(e->w + k + 1, e->w + k, (e->n - k) * sizeof *e->w);
	memmove(e->tag + k + 1, e->tag + k, (e->n - k) * sizeof *e->tag);
	memmove(e->keep + k + 1, e->keep + k, (e->n - k) * sizeof *e->keep);
	e->w[k] = word;
	e->tag[k].pos = -1;
	e->tag[k].known = 0;
	e->keep[k] = 0;
	memmove(e->s + at + 1, e->s + at, (e->n + 1 - at) * sizeof *e->s);
	e->s[at] = xstrdup(" ");
	e->n++;
}

static char *
eda_join(const struct eda *e)
{
	struct tt_buf b = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < e->n; i++) {
		tt_add(&b, e->s[i], strlen(e->s[i]));
		tt_add(&b, e->w[i], strlen(e->w[i]));
	}
	tt_add(&b, e->s[e->n], strlen(e->s[e->n]));
	return tt_finish(&b);
}

/* The positions of the words an edit may touch (not protected). */
static size_t
eda_free_words(const struct eda *e, size_t *at)
{
	size_t i, n = 0;

	for (i = 0; i < e->n; i++) {
		if (!e->keep[i])
			at[n++] = i;
	}
	return n;
}

static void
eda_exchange(struct eda *e, size_t i, size_t j)
{
	char *w = e->w[i];
	struct tag_word t = e->tag[i];

	e->w[i] = e->w[j];
	e->w[j] = w;
	e->tag[i] = e->tag[j];
	e->tag[j] = t;
}

/* Protected words stay where they are: "black" must keep describing "woman". */
static int
eda_swap(struct eda *e, struct tt_rng *r, double p)
{
	size_t *at = xcalloc(e->n + 1, sizeof *at), n, i, j;
	int changes = 0;

	n = eda_free_words(e, at);
	for (i = 0; n >= 2 && i < n; i++) {
		if (!(tt_uniform(r) < p))
			continue;
		j = (size_t)tt_below(r, n - 1);
		if (j >= i)
			j++;
		changes += strcmp(e->w[at[i]], e->w[at[j]]) != 0;
		eda_exchange(e, at[i], at[j]);
	}
	free(at);
	return changes;
}

static int
eda_remove(struct eda *e, struct tt_rng *r, double p)
{
	unsigned char *del;
	size_t *at, i, n, ndel = 0;

	if (e->n == 0)
		return 0;
	at = xcalloc(e->n + 1, sizeof *at);
	del = xcalloc(e->n, 1);
	n = eda_free_words(e, at);
	for (i = 0; i < n; i++) {
		del[at[i]] = tt_uniform(r) < p;
		ndel += del[at[i]];
	}
	/* Every word would go: one stays, so the caption is never empty. */
	if (n > 0 && ndel == e->n) {
		del[at[tt_below(r, n)]] = 0;
		ndel--;
	}
	/* From the end, so earlier indexes stay valid. */
	for (i = e->n; i-- > 0;) {
		if (del[i])
			eda_delete(e, i);
	}
	free(del);
	free(at);
	return (int)ndel;
}

static int
eda_add(struct eda *e, struct wordnet *wn, struct tt_rng *r, double p, size_t norig)
{
	char ***syn;
	size_t *nsyn, *cand, ncand = 0, i, want = 0, c, nbuilt = e->n;
	int changes = 0;

	for (i = 0; i < norig; i++)
		want += tt_uniform(r) < p;
	if (want == 0)
		return 0;
	syn = xcalloc(e->n, sizeof *syn);
	nsyn = xcalloc(e->n, sizeof *nsyn);
	cand = xcalloc(e->n, sizeof *cand);
	for (i = 0; i < e->n; i++) {
		if (!e->keep[i] && (nsyn[i] = tt_synonyms(wn, e->w[i], &e->tag[i], &syn[i])) > 0)
			cand[ncand++] = i;
	}
	/* Synonyms come from the words present before any insertion. */
	for (; want > 0 && ncand > 0; want--) {
		c = cand[tt_below(r, ncand)];
		eda_insert(e, (size_t)tt_below(r, e->n + 1),
		    xstrdup(syn[c][tt_below(r, nsyn[c])]));
		changes++;
	}
	for (i = 0; i < nbuilt; i++)
		wn_free_list(syn[i], nsyn[i]);
	free(syn);
	free(nsyn);
	free(cand);
	return changes;
}

int
textop_eda(struct wordnet *wn, const char *text, double p_swap, double p_delete,
    double p_insert, const char *const *protect, wn_rand_fn rnd, void *rctx, char **out,
    int *changes, char **cause)
{
	struct tt_rng r = { rnd, rctx };
	struct eda e;
	size_t norig;
	int n = 0;

	if (text == NULL || rnd == NULL)
		return cause_set(cause, "eda: no text or random source");
	if (tt_check_p(p_swap, "p_swap", cause) != 0 ||
	    tt_check_p(p_delete, "p_delete", cause) != 0 ||
	    tt_check_p(p_insert, "p_insert", cause) != 0)
		return -1;
	eda_build(&e, wn, text, protect);
	norig = e.n;
	if (norig > 0) {
		n += eda_swap(&e, &r, p_swap);
		n += eda_remove(&e, &r, p_delete);
		n += eda_add(&e, wn, &r, p_insert, norig);
	}
	*out = eda_join(&e);
	*changes = strcmp(*out, text) == 0 ? 0 : n;
	eda_free(&e);
	return 0;
}
