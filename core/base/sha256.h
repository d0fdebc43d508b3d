/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), for content addresses: aug_ids and the object store. */
#ifndef MMDA_SHA256_H
#define MMDA_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

#define SHA256_HEX_LEN 64

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the 32-byte digest; the state must be initialised again before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* Writes 64 lower-case hex digits and a NUL into hex. */
void sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX_LEN + 1]);
/* One-shot helper: hex digest of data. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);
/* Hex digest of the file at path, read in blocks. Returns 0, or -1 (errno set) when it cannot be read. */
int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1]);
/*
 * Selects the portable block function (on 0) or the processor's SHA
 * instructions where it has them (on 1), for tests that compare the two;
 * returns 1 when the instructions are in use. The default is the fast one.
 */
int sha256_use_fast(int on);

#endif
