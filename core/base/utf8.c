/* SPDX-License-Identifier: MIT */
/* UTF-8 validation, decoding and terminal-safe sanitising. */
#include "core/base/utf8.h"

#include <stdio.h>
#include <string.h>

#include "core/base/util.h"

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t n, i;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		goto bad;
	if (len < n)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

int
utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (cp == 0xfffd && n == 1) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

static int
is_unsafe(uint32_t cp, int keep_newlines)
{
	if (cp == '\n')
		return !keep_newlines;
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 1;
	/* Bidirectional embeddings, overrides, isolates and marks reorder what
	 * follows; line and paragraph separators and the BOM break the layout. */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0xfeff)
		return 1;
	return 0;
}

char *
utf8_sanitize(const char *s, int keep_newlines)
{
	size_t len = strlen(s), i = 0, o = 0;
	/* The longest escape ("\u{202E}") is 8 bytes for a 1..3-byte input. */
	char *out = xmalloc(len * 8 + 1);
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_decode(s + i, len - i, &cp);
		int malformed = (cp == 0xfffd && n == 1 && (unsigned char)s[i] >= 0x80);
		if (malformed) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else if (!is_unsafe(cp, keep_newlines)) {
			memcpy(out + o, s + i, n);
			o += n;
		} else if (cp == 0x1b) {
			memcpy(out + o, "\\e", 2), o += 2;
		} else if (cp == '\n') {
			memcpy(out + o, "\\n", 2), o += 2;
		} else if (cp == '\t') {
			memcpy(out + o, "\\t", 2), o += 2;
		} else if (cp == '\r') {
			memcpy(out + o, "\\r", 2), o += 2;
		} else if (cp < 0x100) {
			o += (size_t)sprintf(out + o, "\\x%02X", (unsigned)cp);
		} else {
			o += (size_t)sprintf(out + o, "\\u{%04X}", (unsigned)cp);
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

int
utf8_needs_sanitize(const char *s)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_decode(s + i, len - i, &cp);
		if ((cp == 0xfffd && n == 1 && (unsigned char)s[i] >= 0x80) || is_unsafe(cp, 0))
			return 1;
		i += n;
	}
	return 0;
}

static int
is_space(uint32_t cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xa0 ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

size_t
utf8_count_words(const char *s)
{
	size_t len = strlen(s), i = 0, words = 0;
	int in_word = 0;
	uint32_t cp;

	while (i < len) {
		i += utf8_decode(s + i, len - i, &cp);
		if (is_space(cp))
			in_word = 0;
		else if (!in_word)
			in_word = 1, words++;
	}
	return words;
}
