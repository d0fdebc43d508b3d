/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/text/caption.h: which words swap, in which case, where word
 * boundaries fall, and that other text (CJK, emoji, malformed UTF-8)
 * passes through byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text/caption.h"
#include "tests/harness.h"

/* Swaps in and checks the result and the count. */
static void
expect_swap(const char *in, const char *want, int want_swaps, int line)
{
	char *got;
	int swaps = -1;

	got = caption_swap_lr(in, &swaps);
	if (got == NULL || strcmp(got, want) != 0 || swaps != want_swaps) {
		h_failures++;
		fprintf(stderr, "  line %d: \"%s\" -> \"%s\" (%d swaps), expected \"%s\" (%d)\n",
		    line, in, got ? got : "(null)", swaps, want, want_swaps);
	}
	free(got);
}

#define SWAP(in, want, n) expect_swap(in, want, n, __LINE__)

static void
test_basic(void)
{
	SWAP("the dog on the left", "the dog on the right", 1);
	SWAP("the dog on the right", "the dog on the left", 1);
	SWAP("left and right", "right and left", 2);
	SWAP("left", "right", 1);
	SWAP("right", "left", 1);
	SWAP("", "", 0);
	SWAP("a cat", "a cat", 0);
}

static void
test_variants(void)
{
	SWAP("the leftmost cup", "the rightmost cup", 1);
	SWAP("the rightmost cup", "the leftmost cup", 1);
	SWAP("his left-hand glove", "his right-hand glove", 1);
	SWAP("right-hand drive", "left-hand drive", 1);
	SWAP("lefthand side", "righthand side", 1);
	SWAP("righthand side", "lefthand side", 1);
	/* "-handed" is not a listed suffix, but "left" before "-" is a word. */
	SWAP("a left-handed player", "a right-handed player", 1);
}

static void
test_case(void)
{
	SWAP("Left side", "Right side", 1);
	SWAP("LEFT SIDE", "RIGHT SIDE", 1);
	SWAP("Right", "Left", 1);
	SWAP("RIGHT", "LEFT", 1);
	SWAP("Left-hand", "Right-hand", 1);
	SWAP("Left-Hand", "Right-Hand", 1);
	SWAP("LEFTMOST", "RIGHTMOST", 1);
	SWAP("Rightmost", "Leftmost", 1);
	/* Mixed case follows the first letter. */
	SWAP("lEFT", "right", 1);
}

static void
test_not_inside_words(void)
{
	SWAP("leftover pizza", "leftover pizza", 0);
	SWAP("a bright light", "a bright light", 0);
	SWAP("copyright 2024", "copyright 2024", 0);
	SWAP("rightly so", "rightly so", 0);
	SWAP("lefty", "lefty", 0);
	SWAP("left2", "left2", 0);
	SWAP("_left", "_left", 0);
	SWAP("lefthanded", "lefthanded", 0);
	SWAP("leftmostly", "leftmostly", 0);
	SWAP("aright", "aright", 0);
	/* Latin letters beyond ASCII are word characters too. */
	SWAP("\xc3\xa9left", "\xc3\xa9left", 0);
	SWAP("left\xc3\xa9", "left\xc3\xa9", 0);
}

static void
test_boundaries(void)
{
	SWAP("top-left corner", "top-right corner", 1);
	SWAP("(left)", "(right)", 1);
	SWAP("left, right.", "right, left.", 2);
	SWAP("left's", "right's", 1);
	SWAP("\"Right\"", "\"Left\"", 1);
	SWAP("left\nright", "right\nleft", 2);
	SWAP("leftleft", "leftleft", 0);
	SWAP("left/right", "right/left", 2);
}

static void
test_utf8(void)
{
	const char *zh = "\xe4\xb8\x80\xe5\x8f\xaa\xe7\x8b\x97\xe5\x9d\x90\xe5\x9c\xa8"
	    "\xe5\xb7\xa6\xe8\xbe\xb9"; /* 一只狗坐在左边 */
	const char *emoji = "\xf0\x9f\x90\xb6 left \xf0\x9f\x90\xb1";
	char *got;
	int swaps = -1;

	got = caption_swap_lr(zh, &swaps);
	CHECK_STR(got, zh);
	CHECK(swaps == 0);
	free(got);
	SWAP(emoji, "\xf0\x9f\x90\xb6 right \xf0\x9f\x90\xb1", 1);
	/* CJK and emoji right against the word are boundaries. */
	SWAP("\xe5\x9c\xa8left\xe8\xbe\xb9", "\xe5\x9c\xa8right\xe8\xbe\xb9", 1);
	SWAP("\xf0\x9f\x91\x88left", "\xf0\x9f\x91\x88right", 1);
	/* Malformed bytes pass through and do not join words. */
	SWAP("\xff" "left\x80", "\xff" "right\x80", 1);
	SWAP("\x80\x80\x80\x80left", "\x80\x80\x80\x80right", 1);
}

static void
test_null_and_many(void)
{
	char *in, *got, *want;
	int swaps = 7, i;
	size_t n = 1000;

	CHECK(caption_swap_lr(NULL, &swaps) == NULL);
	CHECK(swaps == 0);
	got = caption_swap_lr("left", NULL);
	CHECK_STR(got, "right");
	free(got);
	/* The worst case for growth: every word a "left". */
	in = malloc(5 * n + 1);
	want = malloc(6 * n + 1);
	in[0] = want[0] = '\0';
	for (i = 0; i < (int)n; i++) {
		strcat(in, "left ");
		strcat(want, "right ");
	}
	got = caption_swap_lr(in, &swaps);
	CHECK_STR(got, want);
	CHECK(swaps == (int)n);
	free(got);
	/* Without separators: "leftleft..." is one word and never swaps. */
	memset(in, 0, 5 * n + 1);
	for (i = 0; i < (int)n; i++)
		memcpy(in + 4 * i, "left", 4);
	got = caption_swap_lr(in, &swaps);
	CHECK_STR(got, in);
	CHECK(swaps == 0);
	free(got);
	free(in);
	free(want);
}

int
main(void)
{
	h_suite = "caption";
	RUN(test_basic);
	RUN(test_variants);
	RUN(test_case);
	RUN(test_not_inside_words);
	RUN(test_boundaries);
	RUN(test_utf8);
	RUN(test_null_and_many);
	HARNESS_END();
}
