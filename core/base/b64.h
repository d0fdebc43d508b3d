/* SPDX-License-Identifier: MIT */
/*
 * Base64 (RFC 4648, standard alphabet, padded): images travel to model
 * servers inside JSON and come back the same way. Neither libcurl nor cJSON
 * exports a codec.
 */
#ifndef MMDA_B64_H
#define MMDA_B64_H

#include <stddef.h>
#include <stdint.h>

/* Encodes len bytes; returns a malloc'd NUL-terminated text (caller frees), length in *outlen
 * when not NULL. Never fails. */
char *b64_encode(const void *data, size_t len, size_t *outlen);
/* Length of the encoding of len bytes, without the NUL. */
size_t b64_encoded_len(size_t len);
/*
 * Decodes text of length len, skipping a leading "data:...;base64," and any
 * whitespace. Returns 0 with *out (malloc'd, caller frees) and *outlen, or -1
 * with *cause naming the first bad byte's offset.
 */
int b64_decode(const char *text, size_t len, uint8_t **out, size_t *outlen, char **cause);

#endif
