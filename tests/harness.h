/* SPDX-License-Identifier: MIT */
/*
 * The unit-test harness: each test is a function; CHECK records a failure
 * with its line and goes on; RUN prints one "PASS: suite/name" or
 * "FAIL: suite/name" line, which tests/run.sh counts. main() returns the
 * number of failed tests (capped), so a crash is a failure too.
 */
#ifndef MMDA_HARNESS_H
#define MMDA_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_failures;     /* failed checks in the running test */
static int h_tests_failed; /* failed tests so far */
static const char *h_suite = "unit";

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			h_failures++;                                                      \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, \
			    #cond);                                                        \
		}                                                                          \
	} while (0)

#define CHECKF(cond, ...)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			h_failures++;                                                      \
			fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, \
			    #cond);                                                        \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *h_a = (a), *h_b = (b);                                         \
		if (h_a == NULL || h_b == NULL || strcmp(h_a, h_b) != 0) {                 \
			h_failures++;                                                      \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,   \
			    h_a ? h_a : "(null)", h_b ? h_b : "(null)");                   \
		}                                                                          \
	} while (0)

#define RUN(fn)                                                                            \
	do {                                                                               \
		h_failures = 0;                                                            \
		fn();                                                                      \
		fflush(stderr);                                                            \
		printf("%s: %s/%s\n", h_failures ? "FAIL" : "PASS", h_suite, #fn);          \
		fflush(stdout);                                                            \
		if (h_failures)                                                            \
			h_tests_failed++;                                                  \
	} while (0)

#define HARNESS_END() return h_tests_failed > 100 ? 100 : h_tests_failed

#endif
