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

#include "core/text/tagger.h"
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

/* Replacements a caption cannot carry: "H2O", "Dr", initials. */
static int
tt_printable(const char *r)
{
	size_t i, letters = 0;

	for (i = 0; r[i] != '\0'; i++) {
		if (tt_alpha((unsigned char)r[i]))
			letters++;
		else if (r[i] != ' ' && r[i] != '-' && r[i] != '\'')
			return 0;
	}
	return letters > 2;
}

static int
tt_attested(struct wordnet *wn, const char *lemma, int pos)
{
	int tagged = 0;

	return wn_senses(wn, lemma, pos, NULL, &tagged) == 0 && tagged > 0;
}

size_t
tt_synonyms(struct wordnet *wn, const char *word, const struct tag_word *t, char ***out)
{
	char **syn, *f;
	size_t n, i, kept = 0;
	long off;
	int rare_ok;

	*out = NULL;
	if (strlen(word) < 2 || strchr(word, '\'') != NULL || textop_is_stopword(word))
		return 0;
	if (t->pos < 0 || !t->known || t->form == TF_OTHER)
		return 0;
	if (wn_caption_sense(wn, t->lemma, t->pos, &off) != 0 ||
	    wn_sense_synonyms(wn, t->lemma, t->pos, off, &syn, &n) != 0)
		return 0;
	/* A word the corpora never saw ("astronaut") may take one as rare. */
	rare_ok = !tt_attested(wn, t->lemma, t->pos);
	for (i = 0; i < n; i++) {
		f = NULL;
		/*
		 * A synonym that names a race, gender or age adds what the image may
		 * not show; a single word no tagged corpus ever used ("xanthous",
		 * "hymeneals") reads as a typo next to a common one.
		 */
		if (tt_printable(syn[i]) && !tt_phrase_has_identity(syn[i]) &&
		    (rare_ok || strchr(syn[i], ' ') != NULL || tt_attested(wn, syn[i], t->pos)))
			f = tt_inflect(wn, syn[i], t->pos, t->form);
		free(syn[i]);
		if (f != NULL)
			syn[kept++] = f;
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

/*
 * Drops replacements that repeat a neighbour: "teddy" -> "teddy bear" in
 * "teddy bear" would print "teddy bear bear". Returns the count kept.
 */
static size_t
tt_drop_echoes(const struct tt_caption *cap, size_t i, char **syn, size_t n)
{
	size_t k, kept = 0;
	const char *sp, *first_end;

	/* A modifier ("jet" of "jet airplane") takes one word: "jet plane airplane" is not. */
	int modifier = cap->tag[i].pos == WN_NOUN && i + 1 < cap->n &&
	    cap->tag[i + 1].pos == WN_NOUN;

	for (k = 0; k < n; k++) {
		sp = strrchr(syn[k], ' ');
		first_end = strchr(syn[k], ' ');
		sp = sp != NULL ? sp + 1 : syn[k];
		if (first_end == NULL)
			first_end = syn[k] + strlen(syn[k]);
		if ((modifier && strchr(syn[k], ' ') != NULL) ||
		    (i + 1 < cap->n && strcasecmp(sp, cap->w[i + 1]) == 0) ||
		    (i > 0 && (size_t)(first_end - syn[k]) == strlen(cap->w[i - 1]) &&
		    strncasecmp(syn[k], cap->w[i - 1], (size_t)(first_end - syn[k])) == 0)) {
			free(syn[k]);
			continue;
		}
		syn[kept++] = syn[k];
	}
	return kept;
}

size_t
textop_caption_synonyms(struct wordnet *wn, const char *text, size_t word,
    const char *const *protect, char ***out)
{
	struct tt_caption cap;
	size_t n = 0;

	*out = NULL;
	tt_caption_build(wn, text, protect, &cap);
	if (word < cap.n && !cap.keep[word] &&
	    (n = tt_synonyms(wn, cap.w[word], &cap.tag[word], out)) > 0 &&
	    (n = tt_drop_echoes(&cap, word, *out, n)) == 0) {
		free(*out);
		*out = NULL;
	}
	tt_caption_free(&cap);
	return n;
}

int
textop_synonym(struct wordnet *wn, const char *text, double aug_p, int aug_min,
    int aug_max, const char *const *protect, wn_rand_fn rnd, void *rctx, char **out,
    int *changes, char **cause)
{
	struct tt_rng r = { rnd, rctx };
	struct tt_caption cap;
	struct tt_cand *c = NULL;
	size_t nc = 0, i, k;
	char **syn;
	size_t nsyn;
	double want;

	if (text == NULL || rnd == NULL)
		return cause_set(cause, "synonym: no text or random source");
	if (tt_check_p(aug_p, "aug_p", cause) != 0)
		return -1;
	if (aug_min < 0 || (aug_max >= 0 && aug_min > aug_max))
		return cause_set(cause, "aug_min %d does not fit aug_max %d", aug_min, aug_max);
	tt_caption_build(wn, text, protect, &cap);
	for (i = 0; i < cap.n; i++) {
		if (cap.keep[i] || (nsyn = tt_synonyms(wn, cap.w[i], &cap.tag[i], &syn)) == 0)
			continue;
		if ((nsyn = tt_drop_echoes(&cap, i, syn, nsyn)) == 0) {
			free(syn);
			continue;
		}
		c = xreallocarray(c, nc + 1, sizeof *c);
		c[nc].tok = cap.tok[i];
		c[nc].ntok = 1;
		c[nc].syn = syn;
		c[nc].nsyn = nsyn;
		nc++;
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
	*out = tt_replace(text, cap.tk, c, k, &r);
	*changes = (int)k;
	tt_cands_free(c, nc);
	tt_caption_free(&cap);
	return 0;
}

/*
 * Hypernyms a caption would never use: the top of WordNet's noun tree and
 * the near-top classes ("entity", "whole", "physical object", "artifact").
 */
static const char *const tt_too_general[] = { "abstract entity", "abstraction", "act",
	"activity", "amount", "animate thing", "artefact", "artifact", "attribute", "being",
	"causal agency", "causal agent", "cause", "communication", "entity", "event", "group",
	"grouping", "human action", "human activity", "instrumentality", "instrumentation",
	"living thing", "location", "matter", "measure", "natural object", "natural phenomenon",
	"object", "organism", "part", "people", "person", "phenomenon", "physical entity",
	"physical object", "physical phenomenon", "physical process", "portion", "process",
	"psychological feature", "quantity", "region", "relation", "state", "substance",
	"thing", "unit", "whole", NULL };

/*
 * The hypernym of lemma's caption sense in form (plural or base), or 0
 * when it is too general, names an identity, or cannot be inflected.
 */
static int
tt_hyper_of(struct wordnet *wn, const char *lemma, int form, const char *const *stop,
    char ***out)
{
	char *h, *f;
	long off, hyper;

	if (wn_caption_sense(wn, lemma, WN_NOUN, &off) != 0 ||
	    wn_sense_hypernym(wn, off, &hyper, &h) != 0)
		return 0;
	f = NULL;
	if (!tt_in_list(h, tt_too_general) && !tt_in_list(h, stop) && !tt_phrase_has_identity(h) &&
	    tt_printable(h))
		f = tt_inflect(wn, h, WN_NOUN, form == TF_PLURAL ? TF_PLURAL : TF_BASE);
	free(h);
	if (f == NULL)
		return 0;
	*out = xmalloc(sizeof **out);
	(*out)[0] = f;
	return 1;
}

/* Whether words i and i + 1 are joined by a single space. */
static int
tt_adjacent(const char *text, const struct tt_caption *cap, size_t i)
{
	size_t t = cap->tok[i];

	return i + 1 < cap->n && cap->tok[i + 1] == t + 2 && cap->tk[t + 1].len == 1 &&
	    text[cap->tk[t + 1].off] == ' ';
}

int
textop_hypernym(struct wordnet *wn, const char *text, int max_changes,
    const char *const *protect, const char *const *stop, wn_rand_fn rnd, void *rctx,
    char **out, int *changes, char **cause)
{
	struct tt_rng r = { rnd, rctx };
	struct tt_caption cap;
	struct tt_cand *c = NULL;
	const struct tag_word *t;
	size_t nc = 0, i, k, step;
	char lemma[WN_LEMMA_MAX], *pair, **h;

	if (text == NULL || rnd == NULL)
		return cause_set(cause, "hypernym: no text or random source");
	tt_caption_build(wn, text, protect, &cap);
	for (i = 0; i < cap.n; i += step) {
		step = 1;
		h = NULL;
		t = &cap.tag[i];
		if (cap.keep[i] || t->pos < 0 || textop_is_stopword(cap.w[i]))
			continue;
		/* "tabby cat" whole, but never across a verb ("a bus stops"). */
		if (tt_adjacent(text, &cap, i) && !cap.keep[i + 1] && cap.tag[i + 1].pos == WN_NOUN &&
		    (t->pos == WN_NOUN || t->pos == WN_ADJ)) {
			pair = xasprintf("%s %s", cap.w[i], cap.w[i + 1]);
			if (wn_lemma(wn, pair, WN_NOUN, lemma, sizeof lemma) == 0 &&
			    tt_hyper_of(wn, lemma, cap.tag[i + 1].form, stop, &h))
				step = 2;
			free(pair);
		}
		/* A noun directly followed by a noun is a modifier, not the head. */
		if (h == NULL && t->pos == WN_NOUN && t->known && strlen(cap.w[i]) > 1 &&
		    strchr(cap.w[i], '\'') == NULL &&
		    !(tt_adjacent(text, &cap, i) && cap.tag[i + 1].pos == WN_NOUN))
			tt_hyper_of(wn, t->lemma, t->form, stop, &h);
		if (h != NULL) {
			c = xreallocarray(c, nc + 1, sizeof *c);
			c[nc].tok = cap.tok[i];
			c[nc].ntok = step == 2 ? 3 : 1;
			c[nc].syn = h;
			c[nc].nsyn = 1;
			nc++;
		}
	}
	k = max_changes < 0 || (size_t)max_changes > nc ? nc : (size_t)max_changes;
	tt_choose(&r, c, nc, k);
	*out = tt_replace(text, cap.tk, c, k, &r);
	*changes = (int)k;
	tt_cands_free(c, nc);
	tt_caption_free(&cap);
	return 0;
}
