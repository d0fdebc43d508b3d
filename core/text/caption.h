/* SPDX-License-Identifier: MIT */
/*
 * Caption rewriting that goes with image augmentations. A horizontal flip
 * makes "the cup on the left" false; caption_swap_lr turns it into "the cup
 * on the right" so that the flipped pair stays consistent.
 */
#ifndef MMDA_CAPTION_H
#define MMDA_CAPTION_H

/*
 * Returns a new string (the caller frees it) in which the whole words left
 * and right, leftmost and rightmost, left-hand and right-hand, lefthand and
 * righthand are swapped, matched without regard to case and written back in
 * the case of the original (left -> right, Left -> Right, LEFT -> RIGHT; the
 * suffix is kept as written). A word boundary is anything but an ASCII
 * letter or digit, '_' or a Latin letter beyond ASCII, so "leftover",
 * "bright" and "copyright" stay, while "top-left" and "左边left" change. Other
 * bytes, including CJK, emoji and malformed UTF-8, pass through untouched.
 * *swaps (when not NULL) gets the number of words swapped. NULL gives NULL.
 */
char *caption_swap_lr(const char *text, int *swaps);

#endif
