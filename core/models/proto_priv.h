/* SPDX-License-Identifier: MIT */
/*
 * What the wire-format files share (core/models/proto_*.c, not for callers):
 * images as data: URLs, reading a reply into a cJSON tree with a precise
 * cause, and the small cJSON helpers every builder uses.
 */
#ifndef MMDA_PROTO_PRIV_H
#define MMDA_PROTO_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The media type of an encoded image from its first bytes ("image/png"), or NULL. */
const char *proto_sniff(const uint8_t *data, size_t len);
/* "data:<type>;base64,<data>" in one allocation (PNG assumed when unrecognised); caller frees. */
char *proto_data_url(const uint8_t *data, size_t len);
/*
 * Parses a reply that must be a JSON object. Returns the tree (caller
 * cJSON_Deletes it) or NULL with *cause ("malformed JSON at byte 12", "the
 * reply is a JSON array, not an object").
 */
cJSON *proto_parse(const char *body, size_t len, char **cause);
/*
 * Sets *cause for a reply without the member what: the server's own message
 * when the body is an error report sent with a 2xx status, else "no WHAT in
 * the reply". Returns -1.
 */
int proto_missing(const cJSON *root, const char *body, size_t len, const char *what,
    char **cause);
/* Prints a tree without spaces; aborts when memory runs out. Caller frees. */
char *proto_print(const cJSON *root);
/* Adds a whole number exactly (cJSON numbers are doubles, which round above 2^53). */
void proto_add_int64(cJSON *obj, const char *name, int64_t v);
/* Adds a string that the tree only borrows (a large base64 text is not copied again). */
void proto_add_ref(cJSON *obj, const char *name, const char *s);
/* Merges the keys of extra (JSON object text, or NULL) into obj, replacing what is there
 * except the keys listed in keep (NULL-ended), which the request itself owns. */
void proto_merge_extra(cJSON *obj, const char *extra, const char *const *keep);

#endif
