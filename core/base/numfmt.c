/* SPDX-License-Identifier: MIT */
/* Shortest round-trip spelling of doubles, alone and inside JSON text. */
#include "core/base/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

void
numfmt_shortest(double v, char buf[32])
{
	/* 15 digits always survive a double; 17 always identify one. */
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, 32, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Length of the JSON number at p (0 when there is none) and whether it is an integer. */
static size_t
number_len(const char *p, int *integer)
{
	const char *s = p;

	*integer = 1;
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	/* JSON wants a digit after the point and in the exponent: "1." is not a number,
	 * and is left for the caller's own check to refuse. */
	if (*s == '.') {
		*integer = 0;
		if (*++s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		*integer = 0;
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return (size_t)(s - p);
}

char *
numfmt_json(const char *json)
{
	size_t len, cap, o = 0;
	char *out;
	int instr = 0;

	if (json == NULL)
		return NULL;
	len = strlen(json);
	/* A respelt number is at most 24 bytes: room for one is kept free below. */
	cap = len + 64;
	out = xmalloc(cap);
	for (const char *p = json; *p != '\0';) {
		int integer;
		size_t n;
		if (o + 40 > cap) {
			cap *= 2;
			out = xrealloc(out, cap);
		}
		if (instr) {
			if (*p == '\\' && p[1] != '\0') {
				out[o++] = *p++;
				out[o++] = *p++;
				continue;
			}
			instr = *p != '"';
			out[o++] = *p++;
		} else if (*p == '"') {
			instr = 1;
			out[o++] = *p++;
		} else if ((*p == '-' || (*p >= '0' && *p <= '9')) &&
		    (n = number_len(p, &integer)) > 0) {
			char num[64], buf[32];
			if (!integer && n < sizeof num) {
				memcpy(num, p, n);
				num[n] = '\0';
			}
			double v = integer || n >= sizeof num ? 0 : strtod(num, NULL);
			/* Integers keep every digit, even past what a double holds; a number
			 * out of a double's range has no shorter spelling. */
			if (integer || n >= sizeof num || !isfinite(v)) {
				if (o + n + 1 > cap) {
					cap = o + n + 64;
					out = xrealloc(out, cap);
				}
				memcpy(out + o, p, n);
				o += n;
			} else {
				numfmt_shortest(v, buf);
				memcpy(out + o, buf, strlen(buf));
				o += strlen(buf);
			}
			p += n;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}
