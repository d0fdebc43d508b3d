/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 checks and the one sanitiser every byte of data passes through before
 * it reaches a terminal: captions and file names are kept verbatim in the
 * database, but never printed raw.
 */
#ifndef MMDA_UTF8_H
#define MMDA_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF), else 0 with *bad (when not NULL) set to the
 * offset of the first bad byte.
 */
int utf8_valid(const char *s, size_t len, size_t *bad);

/*
 * Decodes one code point at s (at most len bytes). Returns the number of
 * bytes used (1..4) and sets *cp, or returns 1 with *cp = 0xFFFD for a
 * malformed sequence, or 0 at len == 0.
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Returns a newly allocated copy of s that is safe to write to a terminal:
 * C0 and C1 controls, DEL, bidirectional controls (U+202A..202E,
 * U+2066..2069, U+200E/F, U+061C), U+2028/2029 and U+FEFF become visible escapes
 * ("\e" for ESC, "\n", "\t", "\xHH", "\u{202E}"), malformed UTF-8 becomes
 * U+FFFD. When keep_newlines is set, '\n' passes through (multi-line
 * captions in a text pane). The caller frees the result.
 */
char *utf8_sanitize(const char *s, int keep_newlines);

/* Returns 1 when s holds any byte that utf8_sanitize would change, else 0. */
int utf8_needs_sanitize(const char *s);

/* Counts words: maximal runs of non-space code points (ASCII and Unicode spaces). */
size_t utf8_count_words(const char *s);

#endif
