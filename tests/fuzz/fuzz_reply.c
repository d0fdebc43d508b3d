/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for model-server replies: the bytes a server sends after a
 * 200 go to the chat and the embeddings parsers (what the cache keeps only
 * once they parse). Built by `make fuzz` only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	/* The engine hands parsers a NUL-terminated body; so does this. */
	char *body = malloc(len + 1), *cause = NULL;
	struct chat_reply r;
	float *vecs = NULL;
	size_t dim = 0;

	if (body == NULL)
		return 0;
	memcpy(body, data, len);
	body[len] = '\0';
	memset(&r, 0, sizeof r);
	if (chat_parse(body, len, &r, &cause) == 0)
		chat_reply_free(&r);
	free(cause);
	cause = NULL;
	for (size_t n = 1; n <= 2; n++) {
		if (embed_parse(body, len, n, &vecs, &dim, &cause) == 0)
			free(vecs);
		free(cause);
		cause = NULL;
	}
	free(body);
	return 0;
}
