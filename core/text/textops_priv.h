/* SPDX-License-Identifier: MIT */
/*
 * Pieces shared by the caption operators in textops.c and textops_eda.c:
 * the tokeniser, the random helpers and a growable output buffer.
 */
#ifndef MMDA_TEXTOPS_PRIV_H
#define MMDA_TEXTOPS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "core/text/textops.h"

/* Tokens strictly alternate between words and the bytes in between. */
struct tt_tok {
	size_t off;
	size_t len;
	int word;
};

struct tt_rng {
	wn_rand_fn fn;
	void *ctx;
};

struct tt_buf {
	char *s;
	size_t len;
	size_t cap;
};

/* Splits s into tokens; *toks is allocated (free it), *n is the count. */
void tt_split(const char *s, struct tt_tok **toks, size_t *n);
uint64_t tt_below(struct tt_rng *, uint64_t n);
double tt_uniform(struct tt_rng *);
void tt_add(struct tt_buf *, const char *p, size_t n);
/* Returns the buffer's string (NUL-terminated, owned by the caller). */
char *tt_finish(struct tt_buf *);
int tt_check_p(double p, const char *what, char **cause);

#endif
