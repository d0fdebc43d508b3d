/* SPDX-License-Identifier: MIT */
/*
 * Image comparison measures for reviewing augmented pairs: perceptual hashes
 * (aHash, dHash, pHash) to spot near-duplicates, SSIM and PSNR to say how far
 * an augmentation moved an image, the share of visibly changed pixels, and
 * luma statistics to catch blank outputs (diffusion servers answer a
 * filtered prompt with a black image).
 *
 * Luma: SSIM and the statistics work on grey luma
 * Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601) in doubles, computed as
 * (299 R + 587 G + 114 B) * 0.001 so that a grey pixel's luma is exactly its
 * value. RGBA is composited over white first, without rounding to 8 bits:
 * Y' = (Y a + 255 (255 - a)) / 255. PSNR and imgm_changed_frac compare the
 * R, G, B channels, composited over white the same way.
 *
 * Nothing here modifies its inputs or keeps state, so every function may be
 * called from several threads at once. Nothing allocates what the caller
 * must free except *cause on failure.
 */
#ifndef MMDA_IMGMETRICS_H
#define MMDA_IMGMETRICS_H

#include <stdint.h>

#include "core/image/image.h"

/* PSNR of identical images (instead of infinity); also the cap for tiny errors. */
#define IMGM_PSNR_MAX 100.0
/* Suggested imgm_changed_frac threshold: smaller differences are JPEG noise. */
#define IMGM_CHANGED_THRESHOLD 16
/* SSIM window side (Gaussian sigma 1.5 truncated at 3.5 sigma, as scikit-image). */
#define IMGM_SSIM_WIN 11

/*
 * Perceptual hashes, 64 bits each, bit for bit those of the imagehash
 * package (4.3) under Pillow: grey by Pillow's convert("L") (ITU-R 601-2 in
 * fixed point, rounded to 8 bits; alpha not used), shrunk with Pillow's
 * Lanczos resize (its fixed-point two-pass arithmetic, 8 bits after each
 * pass), bits row-major with the most significant first (bit 63 is the
 * top-left cell), as imagehash prints them in hex. mmda decodes a
 * transparent image over white, so an RGBA file is hashed as it is shown.
 * An unusable image (NULL, no pixels, bad size or channels) hashes to 0.
 */

/* aHash (average_hash): 8x8 grid; a bit is set when its cell is above the mean. */
uint64_t imgm_ahash(const struct image *img);
/* dHash (dhash): 9x8 grid (9 wide); bit c of a row is set when cell c + 1 is brighter than c. */
uint64_t imgm_dhash(const struct image *img);
/*
 * pHash (phash): 32x32 grid, 2-D DCT-II (scipy's unnormalised type II up to
 * a uniform scale), the top-left 8x8 block with the DC term; a bit is set
 * when C(u, v) (u the row) is above the median of those 64. Where the exact
 * coefficient is 0 imagehash sees its FFT's rounding noise; here a
 * coefficient smaller than 1e-9 times the grid's sum is 0, so a constant
 * image hashes to 0x8000000000000000 and a black one to 0.
 */
uint64_t imgm_phash(const struct image *img);
/* All three at once, sharing one grey conversion; each as its own function gives it. */
void imgm_hashes(const struct image *img, uint64_t *ahash, uint64_t *dhash, uint64_t *phash);
/* Number of differing bits, 0..64. */
int imgm_hamming(uint64_t a, uint64_t b);

/*
 * Mean SSIM (Wang et al. 2004) of the luma of a and b: Gaussian window of
 * IMGM_SSIM_WIN x IMGM_SSIM_WIN, sigma 1.5, K1 0.01, K2 0.03, L 255,
 * population (not sample) covariances, averaged over the valid region only
 * (pixels at least 5 from every edge; no padding). This is scikit-image's
 * structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255) and agrees with it to
 * rounding. When the sizes differ, b is first resized to a's size with
 * image_resize. Identical images give exactly 1.
 *
 * These three comparisons return 0 and store the value in *out, or -1 with
 * *cause set (the caller frees it) and *out set to 0 when an image is
 * unusable, too small (SSIM needs at least 11x11) or a parameter is out of
 * range.
 */
int imgm_ssim(const struct image *a, const struct image *b, double *out, char **cause);
/*
 * PSNR in dB: 10 log10(255^2 / MSE), the MSE taken over the R, G and B
 * channels of every pixel (alpha composited over white). b is resized as
 * for SSIM. Identical images, and any MSE whose PSNR would exceed it, give
 * IMGM_PSNR_MAX.
 */
int imgm_psnr(const struct image *a, const struct image *b, double *out, char **cause);
/*
 * Fraction (0..1) of pixels whose largest absolute R, G or B difference is
 * above threshold (0..255; IMGM_CHANGED_THRESHOLD is a good default). b is
 * resized as for SSIM.
 */
int imgm_changed_frac(const struct image *a, const struct image *b, int threshold,
    double *out, char **cause);

/*
 * Mean and population standard deviation of the luma over every pixel
 * (0..255). A low standard deviation marks a blank image. An unusable
 * image gives 0.
 */
double imgm_luma_mean(const struct image *img);
double imgm_luma_std(const struct image *img);

#endif
