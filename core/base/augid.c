/* SPDX-License-Identifier: MIT */
/* aug_id: length-prefixed fields hashed with SHA-256. */
#include "core/base/augid.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void
field(struct sha256 *s, const char *v)
{
	char len[32];
	int n;

	if (v == NULL) {
		sha256_update(s, "-;", 2);
		return;
	}
	n = snprintf(len, sizeof len, "%zu:", strlen(v));
	sha256_update(s, len, (size_t)n);
	sha256_update(s, v, strlen(v));
	sha256_update(s, ";", 1);
}

void
augid_original(const char *rel_image, const char *text, char out[SHA256_HEX_LEN + 1])
{
	struct sha256 s;

	sha256_init(&s);
	field(&s, "mmda-original-v1");
	field(&s, rel_image);
	field(&s, text);
	sha256_final_hex(&s, out);
}

void
augid_original_content(const char *content, const char *where, const char *text,
    char out[SHA256_HEX_LEN + 1])
{
	struct sha256 s;

	sha256_init(&s);
	field(&s, "mmda-original-v2");
	field(&s, content);
	field(&s, content == NULL ? where : NULL);
	field(&s, text);
	sha256_final_hex(&s, out);
}

void
augid_derived(const char *const *parents, int nparents, const char *op, int op_version,
    const char *params, int has_seed, int64_t seed, const char *model,
    char out[SHA256_HEX_LEN + 1])
{
	struct sha256 s;
	char num[32];

	sha256_init(&s);
	field(&s, "mmda-derived-v1");
	snprintf(num, sizeof num, "%d", nparents);
	field(&s, num);
	for (int i = 0; i < nparents; i++)
		field(&s, parents[i]);
	field(&s, op);
	snprintf(num, sizeof num, "%d", op_version);
	field(&s, num);
	field(&s, params);
	if (has_seed) {
		snprintf(num, sizeof num, "%" PRId64, seed);
		field(&s, num);
	} else
		field(&s, NULL);
	field(&s, model);
	sha256_final_hex(&s, out);
}
