/* SPDX-License-Identifier: MIT */
/*
 * Base64 for images and float vectors inside JSON bodies. The decoder is
 * lenient where servers differ harmlessly (a data: URL prefix, line breaks,
 * missing padding) and strict about anything else, because a stray byte
 * usually means the reply was cut or is not base64 at all.
 */
#include "core/base/b64.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

char *
b64_encode(const void *data, size_t len, size_t *outlen)
{
	const uint8_t *p = data;
	size_t n = b64_encoded_len(len), i, o = 0;
	char *out;
	uint32_t v;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		fatal("b64_encode: %zu bytes is too large", len);
	out = xmalloc(n + 1);
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

/* The value of one alphabet character, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
b64_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Where the base64 of a data: URL starts, or 0 for plain text. -1 when the
 * text is a data: URL that does not carry base64 (a percent-encoded one).
 */
static long
b64_data_prefix(const char *text, size_t len)
{
	const char *comma;

	if (len < 5 || strncmp(text, "data:", 5) != 0)
		return 0;
	comma = memchr(text, ',', len);
	if (comma == NULL || comma - text < 12 || strncmp(comma - 7, ";base64", 7) != 0)
		return -1;
	return (long)(comma - text) + 1;
}

int
b64_decode(const char *text, size_t len, uint8_t **out, size_t *outlen, char **cause)
{
	size_t i, o = 0, npad = 0, pad_at = 0;
	long start;
	uint32_t acc = 0;
	int nacc = 0, v;
	uint8_t *buf;

	start = b64_data_prefix(text, len);
	if (start < 0)
		return cause_set(cause, "a data: URL without \";base64,\"");
	buf = xmalloc(len / 4 * 3 + 3);
	for (i = (size_t)start; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (b64_space(c))
			continue;
		if (c == '=') {
			if (npad++ == 0)
				pad_at = i;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || npad > 0) {
			free(buf);
			if (v < 0)
				return cause_set(cause, "bad base64 byte 0x%02x at offset %zu",
				    c, i);
			return cause_set(cause, "base64 data after padding at offset %zu", i);
		}
		acc = acc << 6 | (uint32_t)v;
		if (++nacc == 4) {
			buf[o++] = (uint8_t)(acc >> 16);
			buf[o++] = (uint8_t)(acc >> 8);
			buf[o++] = (uint8_t)acc;
			acc = 0;
			nacc = 0;
		}
	}
	/* Padding is optional, but when present it must complete the last quantum. */
	if (nacc == 1 || (npad > 0 && (size_t)nacc + npad != 4)) {
		free(buf);
		if (nacc == 1)
			return cause_set(cause, "truncated base64 (%zu bytes)",
			    len - (size_t)start);
		return cause_set(cause, "bad base64 padding at offset %zu", pad_at);
	}
	if (nacc == 2) {
		buf[o++] = (uint8_t)(acc >> 4);
	} else if (nacc == 3) {
		buf[o++] = (uint8_t)(acc >> 10);
		buf[o++] = (uint8_t)(acc >> 2);
	}
	*out = buf;
	*outlen = o;
	return 0;
}
