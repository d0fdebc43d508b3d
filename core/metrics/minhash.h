/* SPDX-License-Identifier: MIT */
/*
 * Near-duplicate captions: MinHash signatures over word shingles (after
 * Data-Juicer's DocumentMinhashDeduplicator with tokenization "space") and
 * LSH banding to group texts whose estimated Jaccard index reaches a
 * threshold, fast enough for 100,000 captions in about a second.
 *
 * Signatures depend only on the text: the hash family is fixed (seeded, not
 * random per run), so they can be stored and compared across runs and
 * machines. The functions are thread-safe.
 */
#ifndef MMDA_MINHASH_H
#define MMDA_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#define MINHASH_SLOTS 256
/* Default shingle width in words and grouping threshold (Data-Juicer's). */
#define MINHASH_SHINGLE_WORDS 5
#define MINHASH_THRESHOLD 0.7
/*
 * LSH layout: MINHASH_BANDS bands of MINHASH_ROWS slots each. Two texts of
 * true Jaccard s share at least one band with probability
 *	P(s) = 1 - (1 - s^8)^32
 * whose steep part sits at (1/32)^(1/8) = 0.65, a little under 0.7 so that
 * the band step loses few pairs above the threshold: P(0.6) = 0.42,
 * P(0.7) = 0.85, P(0.75) = 0.97, P(0.8) = 0.997, while P(0.3) = 0.002 keeps
 * the candidates that the Jaccard check must reject rare. 16 x 16 would put
 * the step at 0.84 (P(0.8) = 0.37); 64 x 4 finds nearly every pair above
 * 0.6 but makes twice the buckets and 200 times the candidates at 0.3.
 */
#define MINHASH_BANDS 32
#define MINHASH_ROWS 8

struct minhash {
	uint32_t v[MINHASH_SLOTS];
};

/*
 * The signature of text. Tokens are the white-space separated words (the
 * spaces of txm_is_space), ASCII lower-cased; shingles are the runs of
 * shingle_words consecutive tokens, as a sequence (the whole text is
 * one shingle when it has fewer tokens; shingle_words < 1 means 5). Each
 * word is hashed once (FNV-1a 64 of its bytes), a shingle's key x is its
 * words' hashes chained in order through the splitmix64 mixer, top 32 bits,
 * and slot i keeps the minimum over shingles of the top 32 bits of
 * (a_i * x + b_i) mod 2^64, with a_i, b_i drawn once from splitmix64 at a
 * fixed seed (Dietzfelbinger's multiply-add-shift family). A text
 * without words has no shingles: every slot is UINT32_MAX, so empty texts
 * all match each other and nothing else. Cannot fail.
 */
void minhash_compute(const char *text, int shingle_words, struct minhash *out);

/* The estimated Jaccard index: the fraction of the slots that are equal. */
double minhash_jaccard(const struct minhash *, const struct minhash *);

/*
 * Groups n signatures: each band of every signature goes into a hash table;
 * texts found in the same bucket are a candidate pair, joined (union-find)
 * when minhash_jaccard >= threshold. Groups are transitive, so a chain of
 * near duplicates is one group. group_of (n entries, the caller's) gets for
 * each text the smallest index in its group, so a text alone in its group
 * has group_of[i] == i. The result depends only on the signatures and their
 * order.
 *
 * A bucket keeps at most 64 texts that matched no earlier one in it, which
 * bounds the work when many texts share a band yet differ (can then miss a
 * pair that only that band would have found). Returns 0, or -1 with *cause
 * when threshold is not in (0, 1] or n does not fit 32 bits.
 */
int minhash_group(const struct minhash *sigs, size_t n, double threshold, size_t *group_of,
    char **cause);

#endif
