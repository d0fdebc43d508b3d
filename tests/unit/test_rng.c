/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/base/rng.h: splitmix64 against its published outputs,
 * xoshiro256** against the reference algorithm written out again here, and
 * the derived draws (uniform, bounded, normal, derived seeds) for range,
 * distribution and determinism.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/base/rng.h"
#include "tests/harness.h"

/* ---- the reference, transcribed from prng.di.unimi.it/xoshiro256starstar.c ---- */

static uint64_t ref_s[4];

static inline uint64_t
ref_rotl(const uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
ref_next(void)
{
	const uint64_t result = ref_rotl(ref_s[1] * 5, 7) * 9;
	const uint64_t t = ref_s[1] << 17;

	ref_s[2] ^= ref_s[0];
	ref_s[3] ^= ref_s[1];
	ref_s[1] ^= ref_s[2];
	ref_s[0] ^= ref_s[3];
	ref_s[2] ^= t;
	ref_s[3] = ref_rotl(ref_s[3], 45);
	return result;
}

/* From prng.di.unimi.it/splitmix64.c. */
static uint64_t ref_x;

static uint64_t
ref_splitmix(void)
{
	uint64_t z = (ref_x += 0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
	return z ^ (z >> 31);
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_splitmix_published(void)
{
	uint64_t st = 0;

	CHECK(rng_splitmix64(&st) == 0xe220a8397b1dcdafULL);
	CHECK(rng_splitmix64(&st) == 0x6e789e6aa1b965f4ULL);
	CHECK(rng_splitmix64(&st) == 0x06c45d188009454fULL);
}

static void
test_seed_is_splitmix(void)
{
	struct rng r;

	rng_seed(&r, 0);
	CHECK(r.s[0] == 0xe220a8397b1dcdafULL);
	CHECK(r.s[1] == 0x6e789e6aa1b965f4ULL);
	CHECK(r.s[2] == 0x06c45d188009454fULL);
	ref_x = 12345;
	rng_seed(&r, 12345);
	CHECK(r.s[0] == ref_splitmix());
	CHECK(r.s[1] == ref_splitmix());
	CHECK(r.s[2] == ref_splitmix());
	CHECK(r.s[3] == ref_splitmix());
}

static void
test_xoshiro_reference(void)
{
	static const uint64_t seeds[] = { 0, 1, 42, 0xdeadbeefcafef00dULL, UINT64_MAX };
	struct rng r;
	size_t k;
	int i, bad;

	for (k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
		rng_seed(&r, seeds[k]);
		memcpy(ref_s, r.s, sizeof ref_s);
		bad = 0;
		for (i = 0; i < 10000; i++) {
			if (rng_next(&r) != ref_next())
				bad++;
		}
		CHECKF(bad == 0, "seed %zu: %d mismatches", k, bad);
	}
	/* A value fixed by hand from the reference with state {1, 2, 3, 4}. */
	r.s[0] = 1, r.s[1] = 2, r.s[2] = 3, r.s[3] = 4;
	CHECK(rng_next(&r) == 11520);
	CHECK(rng_next(&r) == 0);
	CHECK(rng_next(&r) == 1509978240);
}

static void
test_uniform(void)
{
	struct rng r, r2;
	double u, sum = 0.0, mn = 1.0, mx = 0.0;
	uint64_t bits;
	int i, n = 200000;

	rng_seed(&r, 7);
	r2 = r;
	bits = rng_next(&r2);
	u = rng_uniform(&r);
	CHECK(u == (double)(bits >> 11) / 9007199254740992.0);
	for (i = 0; i < n; i++) {
		u = rng_uniform(&r);
		CHECK(u >= 0.0 && u < 1.0);
		sum += u;
		mn = u < mn ? u : mn;
		mx = u > mx ? u : mx;
	}
	CHECKF(fabs(sum / n - 0.5) < 0.005, "mean %f", sum / n);
	CHECK(mn < 0.001 && mx > 0.999);
}

static void
test_below(void)
{
	struct rng r;
	int counts[7] = { 0 }, i, n = 70000, bad = 0;
	uint64_t v;

	rng_seed(&r, 99);
	for (i = 0; i < n; i++) {
		v = rng_below(&r, 7);
		if (v >= 7) {
			bad++;
			continue;
		}
		counts[v]++;
	}
	CHECK(bad == 0);
	for (i = 0; i < 7; i++)
		CHECKF(counts[i] > 9400 && counts[i] < 10600, "value %d: %d", i, counts[i]);
	for (i = 0; i < 1000; i++)
		CHECK(rng_below(&r, 1) == 0);
	/* A bound just past half of 2^64 rejects nearly half the draws: must still end. */
	for (i = 0; i < 1000; i++)
		CHECK(rng_below(&r, (UINT64_MAX / 2) + 2) <= UINT64_MAX / 2 + 1);
	/*
	 * Where bias would show: n = 3 * 2^62 leaves 2^62 values over, so a
	 * plain modulo would put half the draws below 2^62 instead of a third.
	 */
	for (i = 0, bad = 0; i < 30000; i++) {
		if (rng_below(&r, 3ULL << 62) < (1ULL << 62))
			bad++;
	}
	CHECKF(bad > 9500 && bad < 10500, "%d of 30000 below 2^62", bad);
	/* Large bounds reach the upper half. */
	v = 0;
	for (i = 0; i < 100; i++) {
		uint64_t x = rng_below(&r, UINT64_MAX);
		v = x > v ? x : v;
	}
	CHECK(v > UINT64_MAX / 2);
}

static void
test_normal(void)
{
	struct rng r;
	double x, sum = 0.0, sq = 0.0, mean, var;
	int i, n = 200000, tail = 0;

	rng_seed(&r, 2024);
	for (i = 0; i < n; i++) {
		x = rng_normal(&r);
		sum += x;
		sq += x * x;
		if (fabs(x) > 1.96)
			tail++;
	}
	mean = sum / n;
	var = sq / n - mean * mean;
	CHECKF(fabs(mean) < 0.01, "mean %f", mean);
	CHECKF(fabs(var - 1.0) < 0.02, "var %f", var);
	/* About 5% beyond 1.96 sigma. */
	CHECKF(tail > n * 0.045 && tail < n * 0.055, "tail %d", tail);
}

static void
test_determinism(void)
{
	struct rng a, b, c;
	int i, same = 1, differ = 0;

	rng_seed(&a, 5);
	rng_seed(&b, 5);
	rng_seed(&c, 6);
	for (i = 0; i < 1000; i++) {
		double na = rng_normal(&a), nb = rng_normal(&b), nc = rng_normal(&c);

		if (memcmp(&na, &nb, sizeof na) != 0)
			same = 0;
		if (na != nc)
			differ++;
	}
	CHECK(same);
	CHECK(differ > 990);
}

static void
test_derive(void)
{
	uint64_t a, b, c, d, e;
	struct rng ra, rb;

	a = rng_derive(1, "cutmix/1");
	b = rng_derive(1, "cutmix/2");
	c = rng_derive(2, "cutmix/1");
	d = rng_derive(1, "cutmix/1");
	e = rng_derive(1, "");
	CHECK(a == d);
	CHECK(a != b && a != c && b != c && a != e);
	CHECK(rng_derive(1, NULL) == e);
	/* Nearby inputs land far apart: at least a quarter of the bits differ. */
	CHECK(__builtin_popcountll(a ^ b) > 16);
	CHECK(__builtin_popcountll(a ^ c) > 16);
	rng_seed(&ra, a);
	rng_seed(&rb, b);
	CHECK(rng_next(&ra) != rng_next(&rb));
}

int
main(void)
{
	h_suite = "rng";
	RUN(test_splitmix_published);
	RUN(test_seed_is_splitmix);
	RUN(test_xoshiro_reference);
	RUN(test_uniform);
	RUN(test_below);
	RUN(test_normal);
	RUN(test_determinism);
	RUN(test_derive);
	HARNESS_END();
}
