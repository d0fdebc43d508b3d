/* SPDX-License-Identifier: MIT */
/*
 * Left/right swapping in captions (see core/text/caption.h). Each swappable word
 * is "left" or "right" followed by one of a few suffixes that do not change
 * ("", "most", "hand"), so only the left/right part is rewritten and the
 * suffix is copied as written, which keeps "LeftHand" and "Left-Hand" in
 * their case.
 */
#include "core/text/caption.h"

#include <stdint.h>
#include <string.h>

#include "core/base/utf8.h"
#include "core/base/util.h"

/*
 * "left-hand" needs no entry: '-' ends a word, so its "left" matches alone
 * and "-hand" is copied through like any other text.
 */
static const char *const suffixes[] = { "hand", "most", "" };

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Compares n bytes of s with lower-case ASCII word, ignoring the case of s. */
static int
prefix_ci(const char *s, const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || ascii_lower((unsigned char)s[i]) != word[i])
			return 0;
	}
	return 1;
}

/* Letters, digits and '_' in ASCII, and the Latin letters of U+00C0..U+024F. */
static int
is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= '0' && cp <= '9') || cp == '_';
	return cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7;
}

/* Whether the code point ending just before text + i is part of a word. */
static int
word_before(const char *text, size_t i)
{
	size_t start = i;
	uint32_t cp;

	if (i == 0)
		return 0;
	/* Step back over at most three continuation bytes to the lead byte. */
	start--;
	while (start > 0 && i - start < 4 && ((unsigned char)text[start] & 0xc0) == 0x80)
		start--;
	if (utf8_decode(text + start, i - start, &cp) != i - start)
		return 0;
	return is_word_cp(cp);
}

static int
word_at(const char *s)
{
	uint32_t cp;

	if (*s == '\0')
		return 0;
	utf8_decode(s, strnlen(s, 4), &cp);
	return is_word_cp(cp);
}

/*
 * Matches a swappable word at text + i. Returns the length of the whole
 * word (0 for none) and sets *stem to 4 for left or 5 for right.
 */
static size_t
match_word(const char *text, size_t i, size_t *stem)
{
	const char *s = text + i;
	size_t k, sl, n;

	if (prefix_ci(s, "left", 4))
		*stem = 4;
	else if (prefix_ci(s, "right", 5))
		*stem = 5;
	else
		return 0;
	if (word_before(text, i))
		return 0;
	for (k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
		sl = strlen(suffixes[k]);
		if (!prefix_ci(s + *stem, suffixes[k], sl))
			continue;
		n = *stem + sl;
		if (!word_at(s + n))
			return n;
	}
	return 0;
}

/* Writes the other stem in the case pattern of the matched one. */
static size_t
put_stem(char *d, const char *src, size_t stem)
{
	const char *repl = stem == 4 ? "right" : "left";
	size_t i, n = strlen(repl);
	int upper_all = 1, upper_first;

	for (i = 0; i < stem; i++) {
		if (src[i] < 'A' || src[i] > 'Z')
			upper_all = 0;
	}
	upper_first = src[0] >= 'A' && src[0] <= 'Z';
	for (i = 0; i < n; i++) {
		if (upper_all || (i == 0 && upper_first))
			d[i] = (char)(repl[i] - ('a' - 'A'));
		else
			d[i] = repl[i];
	}
	return n;
}

char *
caption_swap_lr(const char *text, int *swaps)
{
	size_t len, i, o, n, stem;
	char *res;
	int count = 0;

	if (swaps != NULL)
		*swaps = 0;
	if (text == NULL)
		return NULL;
	len = strlen(text);
	/* Each swap grows at most one byte per four ("left" -> "right"). */
	res = xmalloc(len + len / 4 + 1);
	for (i = 0, o = 0; i < len;) {
		n = match_word(text, i, &stem);
		if (n == 0) {
			res[o++] = text[i++];
			continue;
		}
		o += put_stem(res + o, text + i, stem);
		memcpy(res + o, text + i + stem, n - stem);
		o += n - stem;
		i += n;
		count++;
	}
	res[o] = '\0';
	if (swaps != NULL)
		*swaps = count;
	return res;
}
