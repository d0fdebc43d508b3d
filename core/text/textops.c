/* SPDX-License-Identifier: MIT */
/*
 * Synonym replacement and the hypernym step over WordNet, plus the
 * tokeniser and helpers the EDA operator in textops_eda.c shares. Edits are
 * collected as (byte range, replacement) pairs and applied in one pass, so
 * every byte outside a replaced word is copied unchanged.
 */
#include "core/text/textops.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text/textops_priv.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"

/* Sorted, so bsearch works; number words are here as "numbers" to skip. */
static const char *const tt_stop[] = { "a", "about", "above", "across", "after", "again",
	"against", "all", "along", "also", "am", "among", "an", "and", "any", "are", "around",
	"as", "at", "be", "because", "been", "before", "behind", "being", "below", "beneath",
	"beside", "between", "beyond", "both", "but", "by", "can", "could", "did", "do",
	"does", "doing", "down", "during", "each", "eight", "eighty", "either", "eleven",
	"fifty", "five", "for", "forty", "four", "from", "further", "had", "has", "have",
	"having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
	"hundred", "hundreds", "i", "if", "in", "inside", "into", "is", "it", "its", "itself",
	"just", "many", "me", "might", "million", "millions", "more", "most", "much", "must",
	"my", "myself", "near", "nine", "ninety", "no", "nor", "not", "now", "of", "off", "on",
	"once", "one", "only", "onto", "or", "other", "our", "ours", "out", "outside", "over",
	"own", "same", "seven", "seventy", "shall", "she", "should", "six", "sixty", "so",
	"some", "such", "ten", "than", "that", "the", "their", "theirs", "them", "then",
	"there", "these", "they", "thirty", "this", "those", "thousand", "thousands", "three",
	"through", "throughout", "to", "too", "toward", "towards", "twelve", "twenty", "two",
	"under", "until", "up", "upon", "us", "very", "via", "was", "we", "were", "what",
	"when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with",
	"within", "without", "would", "you", "your", "yours" };

static int
tt_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
textop_is_stopword(const char *word)
{
	char low[32];
	const char *key = low;
	size_t i;

	for (i = 0; word[i] != '\0'; i++) {
		if (i + 1 >= sizeof low)
			return 0;
		low[i] = (char)tolower((unsigned char)word[i]);
	}
	low[i] = '\0';
	return bsearch(&key, tt_stop, sizeof tt_stop / sizeof tt_stop[0], sizeof tt_stop[0],
	    tt_strcmp) != NULL;
}

static int
tt_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Makes repl follow the case pattern of orig[0..olen). */
static char *
tt_case_like(const char *orig, size_t olen, const char *repl)
{
	char *s = xstrdup(repl);
	size_t i, letters = 0, upper = 0;

	for (i = 0; i < olen; i++) {
		if (tt_alpha((unsigned char)orig[i])) {
			letters++;
			upper += isupper((unsigned char)orig[i]) != 0;
		}
	}
	if (letters > 1 && upper == letters) {
		for (i = 0; s[i] != '\0'; i++)
			s[i] = (char)toupper((unsigned char)s[i]);
	} else if (olen > 0 && isupper((unsigned char)orig[0]))
		s[0] = (char)toupper((unsigned char)s[0]);
	return s;
}

/* English plural by rule, for a lemma known to be a count noun. */
static char *
tt_plural(const char *w)
{
	size_t n = strlen(w);

	if (n > 1 && w[n - 1] == 'y' && strchr("aeiou", w[n - 2]) == NULL)
		return xasprintf("%.*sies", (int)(n - 1), w);
	if (str_ends(w, "s") || str_ends(w, "x") || str_ends(w, "z") || str_ends(w, "ch") ||
	    str_ends(w, "sh"))
		return xasprintf("%ses", w);
	return xasprintf("%ss", w);
}

/*
 * Picks the part of speech of word: the index holding its lemma with the
 * most tagged senses. Returns the pos or -1, with the lemma in lemma.
 */
static int
tt_pick_pos(struct wordnet *wn, const char *word, char *lemma, size_t lemmalen)
{
	char cand[WN_LEMMA_MAX];
	int pos, best = -1, besttag = -1, tagged;

	for (pos = 0; pos < WN_NPOS; pos++) {
		if (wn_lemma(wn, word, pos, cand, sizeof cand) != 0)
			continue;
		if (wn_senses(wn, cand, pos, NULL, &tagged) != 0)
			continue;
		if (tagged > besttag) {
			best = pos;
			besttag = tagged;
			if (strlen(cand) >= lemmalen)
				return -1;
			strcpy(lemma, cand);
		}
	}
	return best;
}

static int
tt_lower_is(const char *word, const char *lemma)
{
	for (; *word != '\0' && *lemma != '\0'; word++, lemma++) {
		if (tolower((unsigned char)*word) != *lemma)
			return 0;
	}
	return *word == *lemma;
}

size_t
textop_word_synonyms(struct wordnet *wn, const char *word, char ***out)
{
	char lemma[WN_LEMMA_MAX], **syn, *p;
	size_t n, i, kept = 0;
	int pos, inflected;

	*out = NULL;
	if (strlen(word) < 2 || strchr(word, '\'') != NULL || textop_is_stopword(word))
		return 0;
	if ((pos = tt_pick_pos(wn, word, lemma, sizeof lemma)) < 0)
		return 0;
	if (wn_synonyms_first_sense(wn, lemma, pos, &syn, &n) != 0)
		return 0;
	inflected = !tt_lower_is(word, lemma);
	if (inflected && pos != WN_NOUN) {
		wn_free_list(syn, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (inflected && strchr(syn[i], ' ') != NULL) {
			free(syn[i]);
			continue;
		}
		if (inflected) {
			p = tt_plural(syn[i]);
			free(syn[i]);
			syn[i] = p;
		}
		syn[kept++] = syn[i];
	}
	if (kept == 0) {
		free(syn);
		return 0;
	}
	*out = syn;
	return kept;
}

struct tt_edit {
	size_t off;
	size_t len;
	char *repl;
};

struct tt_edits {
	struct tt_edit *e;
	size_t n;
};

static void
tt_edit_add(struct tt_edits *ed, size_t off, size_t len, char *repl)
{
	ed->e = xreallocarray(ed->e, ed->n + 1, sizeof *ed->e);
	ed->e[ed->n].off = off;
	ed->e[ed->n].len = len;
	ed->e[ed->n].repl = repl;
	ed->n++;
}

static int
tt_edit_cmp(const void *a, const void *b)
{
	const struct tt_edit *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Applies the (non-overlapping) edits to text and frees them. */
static char *
tt_edit_apply(const char *text, struct tt_edits *ed)
{
	struct tt_buf b = { NULL, 0, 0 };
	size_t at = 0, i;

	if (ed->n > 1)
		qsort(ed->e, ed->n, sizeof *ed->e, tt_edit_cmp);
	for (i = 0; i < ed->n; i++) {
		tt_add(&b, text + at, ed->e[i].off - at);
		tt_add(&b, ed->e[i].repl, strlen(ed->e[i].repl));
		at = ed->e[i].off + ed->e[i].len;
		free(ed->e[i].repl);
	}
	tt_add(&b, text + at, strlen(text + at));
	free(ed->e);
	ed->e = NULL;
	ed->n = 0;
	return tt_finish(&b);
}

/* Whether w takes "an": by its first letter, minus the common exceptions. */
static int
tt_wants_an(const char *w)
{
	static const char *const a_words[] = { "uni", "use", "usu", "uti", "ura", "ure", "eu",
		"one", "once", NULL };
	static const char *const an_words[] = { "hour", "honest", "honor", "honour", "heir",
		NULL };
	char low[8];
	size_t i;

	for (i = 0; i + 1 < sizeof low && w[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)w[i]);
	low[i] = '\0';
	for (i = 0; a_words[i] != NULL; i++) {
		if (str_starts(low, a_words[i]))
			return 0;
	}
	for (i = 0; an_words[i] != NULL; i++) {
		if (str_starts(low, an_words[i]))
			return 1;
	}
	return strchr("aeiou", low[0]) != NULL && low[0] != '\0';
}

/* A bare "a"/"an" right before token t is made to fit its new word. */
static void
tt_fix_article(const char *text, const struct tt_tok *tk, size_t t, const char *repl,
    struct tt_edits *ed)
{
	const struct tt_tok *art;
	int want_an, is_an;

	if (t < 2 || tk[t - 1].len != 1 || text[tk[t - 1].off] != ' ')
		return;
	art = &tk[t - 2];
	if (art->len == 1 && tolower((unsigned char)text[art->off]) == 'a')
		is_an = 0;
	else if (art->len == 2 && strncasecmp(text + art->off, "an", 2) == 0)
		is_an = 1;
	else
		return;
	want_an = tt_wants_an(repl);
	if (want_an == is_an)
		return;
	tt_edit_add(ed, art->off, art->len,
	    tt_case_like(text + art->off, art->len, want_an ? "an" : "a"));
}

static char *
tt_word(const char *text, const struct tt_tok *t)
{
	return xstrndup(text + t->off, t->len);
}

static int
tt_protected(const char *word, const char *const *protect)
{
	for (; protect != NULL && *protect != NULL; protect++) {
		if (strcasecmp(word, *protect) == 0)
			return 1;
	}
	return 0;
}

struct tt_cand {
	size_t tok;   /* first token */
	size_t ntok;  /* tokens covered: 1, or 3 for a compound */
	char **syn;   /* replacements */
	size_t nsyn;
};

static void
tt_cands_free(struct tt_cand *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		wn_free_list(c[i].syn, c[i].nsyn);
	free(c);
}

/* Moves k uniformly chosen candidates to the front (partial Fisher-Yates). */
static void
tt_choose(struct tt_rng *r, struct tt_cand *c, size_t n, size_t k)
{
	struct tt_cand tmp;
	size_t i, j;

	for (i = 0; i < k && i < n; i++) {
		j = i + (size_t)tt_below(r, n - i);
		tmp = c[i];
		c[i] = c[j];
		c[j] = tmp;
	}
}

static int
tt_all_upper(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (islower((unsigned char)w[i]))
			return 0;
	}
	return len > 1;
}

/* Whether token t opens the text or follows '.', '!' or '?'. */
static int
tt_sentence_start(const char *text, const struct tt_tok *tk, size_t t)
{
	size_t i;

	if (t == 0)
		return 1;
	for (i = 0; i < tk[t - 1].len; i++) {
		if (strchr(".!?", text[tk[t - 1].off + i]) != NULL)
			return 1;
	}
	return t == 1 && !tk[0].word && strspn(text, " \t\n\"'(") == tk[0].len;
}

/* Replaces the k first candidates, each by a random one of its list. */
static char *
tt_replace(const char *text, struct tt_tok *tk, struct tt_cand *c, size_t k,
    struct tt_rng *r)
{
	struct tt_edits ed = { NULL, 0 };
	const struct tt_tok *first, *last, *model;
	const char *pick;
	size_t i;

	for (i = 0; i < k; i++) {
		first = &tk[c[i].tok];
		last = &tk[c[i].tok + c[i].ntok - 1];
		pick = c[i].syn[tt_below(r, c[i].nsyn)];
		tt_fix_article(text, tk, c[i].tok, pick, &ed);
		/*
		 * "American flag" -> "flag": a capital on the first word of a
		 * compound is the modifier's own unless it starts a sentence.
		 */
		model = first;
		if (c[i].ntok > 1 && !tt_sentence_start(text, tk, c[i].tok))
			model = last;
		if (c[i].ntok > 1 && tt_all_upper(text + first->off, first->len))
			model = first;
		tt_edit_add(&ed, first->off, last->off + last->len - first->off,
		    tt_case_like(text + model->off, model->len, pick));
	}
	return tt_edit_apply(text, &ed);
}

int
textop_synonym(struct wordnet *wn, const char *text, double aug_p, int aug_min,
    int aug_max, const char *const *protect, wn_rand_fn rnd, void *rctx, char **out,
    int *changes, char **cause)
{
	struct tt_rng r = { rnd, rctx };
	struct tt_tok *tk;
	struct tt_cand *c = NULL;
	size_t ntk, nc = 0, i, k;
	char *w, **syn;
	size_t nsyn;
	double want;

	if (text == NULL || rnd == NULL)
		return cause_set(cause, "synonym: no text or random source");
	if (tt_check_p(aug_p, "aug_p", cause) != 0)
		return -1;
	if (aug_min < 0 || (aug_max >= 0 && aug_min > aug_max))
		return cause_set(cause, "aug_min %d does not fit aug_max %d", aug_min, aug_max);
	tt_split(text, &tk, &ntk);
	for (i = 0; i < ntk; i++) {
		if (!tk[i].word)
			continue;
		w = tt_word(text, &tk[i]);
		if (!tt_protected(w, protect) &&
		    (nsyn = textop_word_synonyms(wn, w, &syn)) > 0) {
			c = xreallocarray(c, nc + 1, sizeof *c);
			c[nc].tok = i;
			c[nc].ntok = 1;
			c[nc].syn = syn;
			c[nc].nsyn = nsyn;
			nc++;
		}
		free(w);
	}
	want = ceil(aug_p * (double)nc);
	k = (size_t)want;
	if (k < (size_t)aug_min)
		k = (size_t)aug_min;
	if (aug_max >= 0 && k > (size_t)aug_max)
		k = (size_t)aug_max;
	if (k > nc)
		k = nc;
	tt_choose(&r, c, nc, k);
	*out = tt_replace(text, tk, c, k, &r);
	*changes = (int)k;
	tt_cands_free(c, nc);
	free(tk);
	return 0;
}

/* Returns 1 when tokens t and t+2 are words joined by a single space. */
static int
tt_pair(const char *text, const struct tt_tok *tk, size_t ntk, size_t t)
{
	return t + 2 < ntk && tk[t].word && tk[t + 2].word && tk[t + 1].len == 1 &&
	    text[tk[t + 1].off] == ' ';
}

/* The hypernym of lemma, pluralised when the text's word was inflected. */
static int
tt_hyper_of(struct wordnet *wn, const char *lemma, int plural, char ***out)
{
	char *h, *p, *sp;

	if (wn_hypernym_first_sense(wn, lemma, &h) != 0)
		return 0;
	if (plural) {
		sp = strrchr(h, ' ');
		p = tt_plural(sp != NULL ? sp + 1 : h);
		if (sp != NULL) {
			char *full = xasprintf("%.*s %s", (int)(sp - h), h, p);
			free(p);
			p = full;
		}
		free(h);
		h = p;
	}
	*out = xmalloc(sizeof **out);
	(*out)[0] = h;
	return 1;
}

int
textop_hypernym(struct wordnet *wn, const char *text, int max_changes, wn_rand_fn rnd,
    void *rctx, char **out, int *changes, char **cause)
{
	struct tt_rng r = { rnd, rctx };
	struct tt_tok *tk;
	struct tt_cand *c = NULL;
	size_t ntk, nc = 0, i, k, step;
	char lemma[WN_LEMMA_MAX], next[WN_LEMMA_MAX], *w, *w2, *pair, **h;

	if (text == NULL || rnd == NULL)
		return cause_set(cause, "hypernym: no text or random source");
	tt_split(text, &tk, &ntk);
	for (i = 0; i < ntk; i += step) {
		step = 1;
		if (!tk[i].word)
			continue;
		w = tt_word(text, &tk[i]);
		h = NULL;
		if (tt_pair(text, tk, ntk, i) && !textop_is_stopword(w)) {
			w2 = tt_word(text, &tk[i + 2]);
			pair = xasprintf("%s %s", w, w2);
			/* "looking at" is a noun in WordNet, but not in a caption. */
			if (!textop_is_stopword(w2) && wn_lemma(wn, pair, WN_NOUN, lemma, sizeof lemma) == 0 &&
			    tt_hyper_of(wn, lemma, !tt_lower_is(w2, strchr(lemma, '_') ?
			    strchr(lemma, '_') + 1 : lemma), &h))
				step = 3;
			free(pair);
			free(w2);
		}
		if (h == NULL && strlen(w) > 1 && strchr(w, '\'') == NULL &&
		    !textop_is_stopword(w) &&
		    tt_pick_pos(wn, w, lemma, sizeof lemma) == WN_NOUN) {
			/* A noun followed by a noun is a modifier, not the head. */
			w2 = tt_pair(text, tk, ntk, i) ? tt_word(text, &tk[i + 2]) : NULL;
			if (w2 == NULL || textop_is_stopword(w2) ||
			    wn_lemma(wn, w2, WN_NOUN, next, sizeof next) != 0)
				tt_hyper_of(wn, lemma, !tt_lower_is(w, lemma), &h);
			free(w2);
		}
		if (h != NULL) {
			c = xreallocarray(c, nc + 1, sizeof *c);
			c[nc].tok = i;
			c[nc].ntok = step;
			c[nc].syn = h;
			c[nc].nsyn = 1;
			nc++;
		}
		free(w);
	}
	k = max_changes < 0 || (size_t)max_changes > nc ? nc : (size_t)max_changes;
	tt_choose(&r, c, nc, k);
	*out = tt_replace(text, tk, c, k, &r);
	*changes = (int)k;
	tt_cands_free(c, nc);
	free(tk);
	return 0;
}
