/* SPDX-License-Identifier: MIT */
/*
 * xoshiro256** and splitmix64 (Blackman and Vigna, https://prng.di.unimi.it/)
 * behind core/base/rng.h. Everything here is integer arithmetic apart from the
 * conversions to double, so results are bit-identical across platforms.
 */
#include "core/base/rng.h"

#include <math.h>
#include <stddef.h>

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_splitmix64(uint64_t *state)
{
	uint64_t z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t st = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&st);
	/*
	 * splitmix64 is a bijection of its counter, so four consecutive
	 * outputs cannot all be zero; the guard only documents the invariant
	 * xoshiro needs.
	 */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result, t;

	result = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	uint64_t threshold, x;

	if (n == 0)
		return 0;
	/*
	 * Reject the lowest (2^64 mod n) values so that what remains is a
	 * whole number of copies of [0, n); at most half of the draws are
	 * rejected, usually almost none.
	 */
	threshold = (0 - n) % n;
	do {
		x = rng_next(r);
	} while (x < threshold);
	return x % n;
}

double
rng_normal(struct rng *r)
{
	double u, v, s;

	do {
		u = 2.0 * rng_uniform(r) - 1.0;
		v = 2.0 * rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}

uint64_t
rng_derive(uint64_t seed, const char *label)
{
	uint64_t h = 0xcbf29ce484222325ULL, st;
	const unsigned char *p;

	if (label != NULL) {
		for (p = (const unsigned char *)label; *p != '\0'; p++) {
			h ^= *p;
			h *= 0x100000001b3ULL;
		}
	}
	/*
	 * Mix the seed first so that nearby seeds with the same label, and
	 * the same seed with nearby labels, land far apart; then mix again so
	 * the label's hash is spread over every bit.
	 */
	st = seed;
	st = rng_splitmix64(&st) ^ h;
	return rng_splitmix64(&st);
}
