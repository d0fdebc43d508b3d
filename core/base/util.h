/* SPDX-License-Identifier: MIT */
/*
 * Small helpers every module uses: allocation that aborts on exhaustion (so
 * callers never test for NULL), error causes, and string utilities.
 */
#ifndef MMDA_UTIL_H
#define MMDA_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define MMDA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define MMDA_NORETURN __attribute__((noreturn))
#else
#define MMDA_PRINTF(a, b)
#define MMDA_NORETURN
#endif

/*
 * Hot pixel loops built twice, for AVX2 and for the baseline, the loader picking
 * one at start: the binary still runs on any x86-64. No FMA, so every sum is
 * rounded exactly as in the baseline build and results are bit-identical.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__) && \
    (defined(__clang__) ? __clang_major__ >= 14 : __GNUC__ >= 6)
#define MMDA_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MMDA_VECTOR_CLONES
#endif

/* Allocation wrappers: never return NULL; print and abort when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array of nmemb elements of size bytes, failing on overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) MMDA_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) MMDA_PRINTF(1, 0);

/*
 * Stores a newly allocated message in *cause (when cause is not NULL and
 * *cause is still NULL, so the first, most specific reason wins). Always
 * returns -1 so that `return cause_set(cause, ...)` reads naturally.
 */
int cause_set(char **cause, const char *fmt, ...) MMDA_PRINTF(2, 3);

/* Prints "mmda: msg" to stderr and exits with status 1. */
void fatal(const char *fmt, ...) MMDA_PRINTF(1, 2) MMDA_NORETURN;

/* Seconds since the epoch in UTC; milliseconds of a monotonic clock. */
int64_t now_unix(void);
int64_t now_mono_ms(void);
double now_mono_s(void);

/*
 * Lowers the calling thread's CPU priority by THREAD_BACKGROUND_NICE (on
 * Linux nice is per thread, and threads it creates inherit it), so that on a
 * busy machine the review loop's thread preempts pane encoding and background
 * jobs when a key arrives: it is acted on at once. Mild, so that those
 * threads still get their share beside other processes. Returns 0, or -1
 * where the system cannot (nothing changed).
 */
#define THREAD_BACKGROUND_NICE 5
int thread_background(void);

/*
 * Parses a whole decimal integer in [min, max]. Returns 0 and sets *out, or
 * -1 (with *out untouched) when s is empty, has trailing junk or is out of range.
 */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Reads a whole file into memory, refusing files over max bytes. Returns 0 and
 * a malloc'd buffer (NUL-terminated, *len excludes the NUL) or -1 with *cause. */
int file_read_all(const char *path, size_t max, char **data, size_t *len, char **cause);

/* Returns 1 when s starts with prefix / ends with suffix, else 0. */
int str_starts(const char *s, const char *prefix);
int str_ends(const char *s, const char *suffix);

#endif
