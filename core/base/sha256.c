/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 of our own: content ids must not depend on an optional crypto
 * library. A portable block function, and the x86 SHA instructions where
 * the processor has them (the same digests; the portable one is the reference).
 */
#include "core/base/sha256.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/* Hashes one 64-byte block p into the state h (the eight words A..H). */
typedef void block_fn_t(uint32_t h[8], const uint8_t *p);

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
block_portable(uint32_t hs[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = hs[0], b = hs[1], c = hs[2], d = hs[3];
	e = hs[4], f = hs[5], g = hs[6], h = hs[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
		    k[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	hs[0] += a, hs[1] += b, hs[2] += c, hs[3] += d;
	hs[4] += e, hs[5] += f, hs[6] += g, hs[7] += h;
}

#if defined(__x86_64__) && defined(__GNUC__)

/*
 * The block function on the x86 SHA extensions, when the processor has them:
 * every import hashes each pair's path and caption into its aug_id, and the
 * portable loop was the largest single cost of ours in an import (8% of it).
 * The portable one stays the reference; tests/unit/test_core.c checks both.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
block_ni(uint32_t h[8], const uint8_t *p)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i st0, st1, tmp, save0, save1, m[4];

	/* The instructions keep the state as ABEF and CDGH. */
	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
	st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);
	st0 = _mm_alignr_epi8(tmp, st1, 8);
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);
	save0 = st0;
	save1 = st1;
	for (int i = 0; i < 4; i++)
		m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), swap);
	/* Four rounds a step; m[g % 4] then becomes the words four steps on. */
	for (int g = 0; g < 16; g++) {
		__m128i w = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&k[4 * g]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, w);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(w, 0x0E));
		if (g < 12) {
			__m128i a = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
			a = _mm_add_epi32(a, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
			m[g & 3] = _mm_sha256msg2_epu32(a, m[(g + 3) & 3]);
		}
	}
	st0 = _mm_add_epi32(st0, save0);
	st1 = _mm_add_epi32(st1, save1);
	tmp = _mm_shuffle_epi32(st0, 0x1B);
	st1 = _mm_shuffle_epi32(st1, 0xB1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(tmp, st1, 0xF0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(st1, tmp, 8));
}

static block_fn_t *
block_fast(void)
{
	unsigned a, b, c, d;

	/* SHA (leaf 7: EBX bit 29), SSE4.1 and SSSE3 (leaf 1: ECX bits 19 and 9). */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
		return NULL;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29)))
		return NULL;
	return block_ni;
}

#else

static block_fn_t *
block_fast(void)
{
	return NULL;
}

#endif

/* The processor's SHA instructions where it has them, chosen once. */
static _Atomic(block_fn_t *) block_fn;
static pthread_once_t block_once = PTHREAD_ONCE_INIT;

static void
block_choose(void)
{
	block_fn_t *fast = block_fast();

	atomic_store(&block_fn, fast != NULL ? fast : block_portable);
}

static void
block(struct sha256 *s, const uint8_t *p)
{
	pthread_once(&block_once, block_choose);
	atomic_load_explicit(&block_fn, memory_order_relaxed)(s->h, p);
}

int
sha256_use_fast(int on)
{
	block_fn_t *fast = on ? block_fast() : NULL;

	pthread_once(&block_once, block_choose);
	atomic_store(&block_fn, fast != NULL ? fast : block_portable);
	return fast != NULL;
}

void
sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
	s->nbuf = 0;
}

void
sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->len += len;
	if (s->nbuf > 0) {
		size_t take = 64 - s->nbuf < len ? 64 - s->nbuf : len;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take, p += take, len -= take;
		if (s->nbuf < 64)
			return;
		block(s, s->buf);
		s->nbuf = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		block(s, p);
	memcpy(s->buf, p, len);
	s->nbuf = len;
}

void
sha256_final(struct sha256 *s, uint8_t out[32])
{
	static const uint8_t pad[64] = { 0x80 };
	uint64_t bits = s->len * 8;
	uint8_t lenb[8];
	int i;

	/* 0x80, then zeros up to 56 bytes into a block, in one update. */
	sha256_update(s, pad, s->nbuf < 56 ? 56 - s->nbuf : 120 - s->nbuf);
	for (i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, lenb, 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void
sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[32];

	sha256_final(s, d);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

void
sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final_hex(&s, hex);
}

int
sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 s;
	unsigned char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");
	int bad;

	if (f == NULL)
		return -1;
	sha256_init(&s);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sha256_update(&s, buf, n);
	bad = ferror(f);
	fclose(f);
	if (bad)
		return -1;
	sha256_final_hex(&s, hex);
	return 0;
}
