/* SPDX-License-Identifier: MIT */
/*
 * A small deterministic random number generator for augmentations:
 * xoshiro256** seeded through splitmix64. There is no global state; every
 * stream lives in its caller's struct rng, so the same seed gives the same
 * numbers on any run, in any thread, whatever else runs alongside.
 */
#ifndef MMDA_RNG_H
#define MMDA_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Expands seed with splitmix64 into the four state words (never all zero). */
void rng_seed(struct rng *r, uint64_t seed);
/* The next 64 random bits (xoshiro256**). */
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1): the top 53 bits of rng_next over 2^53. */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n) without modulo bias; n must be > 0 (0 gives 0). */
uint64_t rng_below(struct rng *r, uint64_t n);
/*
 * Standard normal by the Marsaglia polar method. Each call draws fresh
 * pairs and keeps no spare value, so the stream depends only on the state.
 */
double rng_normal(struct rng *r);

/*
 * Mixes a seed with a label (FNV-1a of the bytes, through splitmix64) so
 * that each candidate, op or image gets an independent stream from one
 * run seed: rng_seed(&r, rng_derive(seed, "cutmix/17")).
 */
uint64_t rng_derive(uint64_t seed, const char *label);

/* One step of splitmix64: advances *state and returns the mixed output. */
uint64_t rng_splitmix64(uint64_t *state);

#endif
