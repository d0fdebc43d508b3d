/* SPDX-License-Identifier: MIT */
/*
 * Caption statistics: word and character counts, the normalised-text hash,
 * the word repetition ratio and the content-word overlap. See textmetrics.h
 * for the exact rules; the comments here say why the code is shaped so.
 */
#include "core/metrics/textmetrics.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/sha256.h"
#include "core/text/textops.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"

/* One word of a caption: a byte range of a lower-cased copy. */
struct txm_word {
	const char *p;
	size_t len;
};

/* A growable list of words. */
struct txm_words {
	struct txm_word *v;
	size_t n, cap;
};

int
txm_is_space(uint32_t cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xa0 ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

size_t
txm_num_words(const char *s)
{
	return utf8_count_words(s);
}

size_t
txm_text_len(const char *s)
{
	size_t len = strlen(s), i = 0, n = 0;
	uint32_t cp;

	while (i < len) {
		i += utf8_decode(s + i, len - i, &cp);
		n++;
	}
	return n;
}

/*
 * ASCII classes by hand: the TUI calls setlocale(), and <ctype.h> must not
 * make a caption hash differently from one locale to the next.
 */
static int
txm_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
txm_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ispunct() in the C locale. */
static int
txm_is_punct(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !txm_is_alpha(c) && !(c >= '0' && c <= '9');
}

void
txm_normal_hash(const char *s, char hex[TXM_HASH_HEX_LEN + 1])
{
	struct sha256 ctx;
	size_t len = strlen(s), i = 0, k, n;
	uint32_t cp;
	int pending = 0, any = 0;
	char c;

	sha256_init(&ctx);
	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (txm_is_space(cp)) {
			/* Written only once a later word shows up: this trims the end. */
			pending = any;
		} else if (cp >= 0x80) {
			if (pending)
				sha256_update(&ctx, " ", 1);
			pending = 0;
			any = 1;
			/* The original bytes, even when malformed: no two texts merge. */
			for (k = 0; k < n; k++)
				sha256_update(&ctx, s + i + k, 1);
		} else if (!txm_is_punct((unsigned char)cp)) {
			if (pending)
				sha256_update(&ctx, " ", 1);
			pending = 0;
			any = 1;
			c = txm_lower((char)cp);
			sha256_update(&ctx, &c, 1);
		}
		i += n;
	}
	sha256_final_hex(&ctx, hex);
}

static void
txm_words_add(struct txm_words *w, const char *p, size_t len)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n].p = p;
	w->v[w->n].len = len;
	w->n++;
}

/*
 * Splits low (already lower-cased) on white space, strips ASCII punctuation
 * from both ends of each token and keeps the non-empty ones: Data-Juicer's
 * words_refinement(lower_case=True, strip_chars=...).
 */
static void
txm_split_rep(const char *low, struct txm_words *w)
{
	size_t len = strlen(low), i = 0, n, b, e;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(low + i, len - i, &cp);
		if (txm_is_space(cp)) {
			i += n;
			continue;
		}
		b = i;
		while (i < len) {
			n = utf8_decode(low + i, len - i, &cp);
			if (txm_is_space(cp))
				break;
			i += n;
		}
		e = i;
		while (b < e && txm_is_punct((unsigned char)low[b]))
			b++;
		while (e > b && txm_is_punct((unsigned char)low[e - 1]))
			e--;
		if (e > b)
			txm_words_add(w, low + b, e - b);
	}
}

/* FNV-1a: enough to spread n-grams over a table whose hits are then compared. */
static uint64_t
txm_fnv(const char *p, size_t len, uint64_t h)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
txm_gram_eq(const struct txm_word *a, const struct txm_word *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i].len != b[i].len || memcmp(a[i].p, b[i].p, a[i].len) != 0)
			return 0;
	}
	return 1;
}

double
txm_word_repetition(const char *s, int n)
{
	struct txm_words w = { NULL, 0, 0 };
	char *low;
	size_t i, k, m, mask, size, slot, gn, *first, *count, repeated = 0;
	uint64_t h;

	gn = n < 1 ? TXM_REP_N : (size_t)n;
	low = xstrdup(s);
	for (i = 0; low[i] != '\0'; i++)
		low[i] = txm_lower(low[i]);
	txm_split_rep(low, &w);
	if (w.n < gn) {
		free(w.v);
		free(low);
		return 0.0;
	}
	m = w.n - gn + 1;

	/*
	 * Open addressing keyed by the gram's first word: first[slot] is that
	 * index + 1 (0 = empty), count[slot] how often the gram occurs. Twice
	 * as many slots as grams keeps probes short.
	 */
	for (size = 16; size < 2 * m; size *= 2)
		;
	mask = size - 1;
	first = xcalloc(size, sizeof *first);
	count = xcalloc(size, sizeof *count);
	for (i = 0; i < m; i++) {
		h = 0xcbf29ce484222325ULL;
		for (k = 0; k < gn; k++) {
			h = txm_fnv(w.v[i + k].p, w.v[i + k].len, h);
			h = txm_fnv(" ", 1, h);
		}
		for (slot = (size_t)(h ^ (h >> 29)) & mask; first[slot] != 0;
		    slot = (slot + 1) & mask) {
			if (txm_gram_eq(&w.v[first[slot] - 1], &w.v[i], gn))
				break;
		}
		if (first[slot] == 0)
			first[slot] = i + 1;
		count[slot]++;
	}
	for (slot = 0; slot < size; slot++) {
		if (count[slot] > 1)
			repeated += count[slot];
	}
	free(count);
	free(first);
	free(w.v);
	free(low);
	return (double)repeated / (double)m;
}

static int
txm_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The sorted set of content-word lemmas of s: *out is a newly allocated
 * array of *n newly allocated strings, without repeats.
 */
static void
txm_content_set(struct wordnet *wn, const char *s, char ***out, size_t *n)
{
	char **v = NULL, *word, lemma[WN_LEMMA_MAX];
	size_t nv = 0, cap = 0, b, e, i, k;
	int pos;

	for (i = 0; s[i] != '\0';) {
		if (!txm_is_alpha((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (b = i; txm_is_alpha((unsigned char)s[i]); i++)
			;
		e = i;
		if (e - b < 2)
			continue;
		word = xstrndup(s + b, e - b);
		for (k = 0; word[k] != '\0'; k++)
			word[k] = txm_lower(word[k]);
		if (textop_is_stopword(word)) {
			free(word);
			continue;
		}
		/* hflip swaps left and right on purpose: the side is one content word. */
		if (strcmp(word, "left") == 0 || strcmp(word, "right") == 0 ||
		    strcmp(word, "leftmost") == 0 || strcmp(word, "rightmost") == 0) {
			int most = strlen(word) > 5;
			free(word);
			word = xstrdup(most ? "<side>most" : "<side>");
		}
		for (pos = 0; wn != NULL && pos < WN_NPOS; pos++) {
			if (wn_lemma(wn, word, pos, lemma, sizeof lemma) == 0) {
				free(word);
				word = xstrdup(lemma);
				break;
			}
		}
		if (nv == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[nv++] = word;
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, txm_strcmp);
	for (i = k = 0; i < nv; i++) {
		if (k > 0 && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	*out = v;
	*n = k;
}

static void
txm_free_set(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* 1 when s is mostly letters outside ASCII (Chinese, Japanese, Thai...): no
 * spaces split its words, so words cannot be compared. */
static int
txm_non_latin(const char *s)
{
	size_t len = strlen(s), ascii = 0, other = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);
		if (k == 0)
			break;
		if (cp < 0x80)
			ascii += txm_is_alpha((unsigned char)cp) != 0;
		else if (cp > 0x2000 && !(cp >= 0x3000 && cp <= 0x303f) &&
		    !(cp >= 0xff00 && cp <= 0xff20))
			other++; /* past general punctuation and CJK/fullwidth marks */
		i += k;
	}
	return other > ascii;
}

/* The set of characters of s that are neither blank nor punctuation, sorted. */
static void
txm_char_set(const char *s, uint32_t **out, size_t *n)
{
	size_t len = strlen(s), m = 0;
	uint32_t *v = xcalloc(len + 1, sizeof *v);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);
		if (k == 0)
			break;
		i += k;
		if (cp < 0x80 ? !txm_is_alpha((unsigned char)cp) && !(cp >= '0' && cp <= '9') :
		    cp <= 0x2000 || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xff20))
			continue;
		v[m++] = cp < 0x80 ? (uint32_t)txm_lower((char)cp) : cp;
	}
	for (size_t i = 1; i < m; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	size_t k = 0;
	for (size_t i = 0; i < m; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	*out = v;
	*n = k;
}

int
txm_word_overlap(struct wordnet *wn, const char *a, const char *b, double *out)
{
	char **sa, **sb;
	size_t na, nb, i = 0, j = 0, common = 0;
	int c;

	if (a == NULL || b == NULL)
		return -1;
	if (txm_non_latin(a) || txm_non_latin(b)) {
		/* Characters instead of words: each carries meaning in these scripts. */
		uint32_t *ca, *cb;
		txm_char_set(a, &ca, &na);
		txm_char_set(b, &cb, &nb);
		while (i < na && j < nb) {
			if (ca[i] == cb[j])
				common++, i++, j++;
			else if (ca[i] < cb[j])
				i++;
			else
				j++;
		}
		*out = na + nb == 0 ? 1.0 : (double)common / (double)(na + nb - common);
		free(ca);
		free(cb);
		return 0;
	}
	txm_content_set(wn, a, &sa, &na);
	txm_content_set(wn, b, &sb, &nb);
	while (i < na && j < nb) {
		c = strcmp(sa[i], sb[j]);
		if (c == 0)
			common++, i++, j++;
		else if (c < 0)
			i++;
		else
			j++;
	}
	if (na + nb == 0)
		*out = 1.0;
	else
		*out = (double)common / (double)(na + nb - common);
	txm_free_set(sa, na);
	txm_free_set(sb, nb);
	return 0;
}
