/* SPDX-License-Identifier: MIT */
/* Unit tests of the small core pieces: SHA-256, aug_id, UTF-8, path resolution, numbers. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/augid.h"
#include "core/base/numfmt.h"
#include "core/ingest/ingest.h"
#include "core/base/sha256.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "tests/harness.h"

static void
sha256_vectors_once(void)
{
	char hex[65];
	struct sha256 s;

	/* FIPS 180-4 examples. */
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a's fed in uneven pieces exercises the buffering. */
	sha256_init(&s);
	char a[1000];
	memset(a, 'a', sizeof a);
	size_t left = 1000000, step = 1;
	while (left > 0) {
		size_t n = step < left ? step : left;
		if (n > sizeof a)
			n = sizeof a;
		sha256_update(&s, a, n);
		left -= n;
		step = step * 3 + 1;
	}
	sha256_final_hex(&s, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Lengths either side of where the padding spills into a second block. */
	static const struct { size_t n; const char *hex; } pads[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	};
	for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++) {
		sha256_hex(a, pads[i].n, hex);
		CHECK_STR(hex, pads[i].hex);
	}
}

/* The portable block function and the SHA-instruction one must give the same digests. */
static void
sha256_vectors(void)
{
	unsigned char buf[300];
	char slow[65], fast[65];
	uint32_t x = 1;

	sha256_use_fast(0);
	sha256_vectors_once();
	if (!sha256_use_fast(1)) {
		printf("# sha256: no SHA instructions here, the portable block function only\n");
		return;
	}
	sha256_vectors_once();
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof buf; n++) {
		sha256_use_fast(0);
		sha256_hex(buf, n, slow);
		sha256_use_fast(1);
		sha256_hex(buf, n, fast);
		CHECK_STR(fast, slow);
	}
}

static void
augid_contract(void)
{
	char a[65], b[65], c[65], d[65];
	const char *parents[2];

	augid_original("images/cat.png", "a cat", a);
	augid_original("images/cat.png", "a cat", b);
	CHECK_STR(a, b);
	augid_original("images/cat.pn", "ga cat", c);
	CHECK(strcmp(a, c) != 0); /* length prefixes keep field boundaries */
	augid_original("images/cat.png", "a cat.", c);
	CHECK(strcmp(a, c) != 0);
	/* Pinned (computed independently with Python hashlib over the same
	 * length-prefixed fields): aug_ids are shared across hosts and must never drift. */
	CHECK_STR(a, "49e6e3a03d5c1053e38bab9c75009687414aca007ac363957810c4ea2c25bbcb");

	parents[0] = a;
	parents[1] = b;
	augid_derived(parents, 1, "hflip", 1, "{}", 1, 7, NULL, c);
	augid_derived(parents, 1, "hflip", 1, "{}", 1, 8, NULL, d);
	CHECK(strcmp(c, d) != 0);
	augid_derived(parents, 1, "hflip", 1, "{}", 0, 0, NULL, d);
	CHECK(strcmp(c, d) != 0); /* "no seed" differs from any seed */
	augid_derived(parents, 1, "hflip", 2, "{}", 1, 7, NULL, d);
	CHECK(strcmp(c, d) != 0);
	augid_derived(parents, 2, "mixgen", 1, "{}", 1, 7, NULL, d);
	CHECK(strcmp(c, d) != 0);
	augid_derived(parents, 1, "hflip", 1, "{}", 1, 7, "m", d);
	CHECK(strcmp(c, d) != 0);
	augid_derived(parents, 1, "hflip", 1, "{}", 1, 7, NULL, d);
	CHECK_STR(c, d);
}

static void
utf8_validation(void)
{
	size_t bad = 99;

	CHECK(utf8_valid("plain", 5, NULL));
	CHECK(utf8_valid("一只猫 🐱", strlen("一只猫 🐱"), NULL));
	CHECK(!utf8_valid("caf\xe9", 4, &bad) && bad == 3);         /* Latin-1 */
	CHECK(!utf8_valid("\xc0\xaf", 2, &bad) && bad == 0);        /* overlong '/' */
	CHECK(!utf8_valid("a\xed\xa0\x80", 4, &bad) && bad == 1);   /* surrogate */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4, NULL));            /* past U+10FFFF */
	CHECK(!utf8_valid("\xe4\xb8", 2, NULL));                    /* truncated */
	CHECK(utf8_count_words("  two\twords ") == 2);
	CHECK(utf8_count_words("一只猫\u3000和狗") == 2); /* ideographic space */
}

static void
utf8_sanitizing(void)
{
	char *s;

	s = utf8_sanitize("red\x1b[2J\x1b]0;pwned\x07 cat", 0);
	CHECK(strchr(s, 0x1b) == NULL && strchr(s, 0x07) == NULL);
	CHECK_STR(s, "red\\e[2J\\e]0;pwned\\x07 cat");
	free(s);
	s = utf8_sanitize("a\xc2\x9b" "31m b", 0); /* C1 CSI */
	CHECK_STR(s, "a\\x9B31m b");
	free(s);
	s = utf8_sanitize("x\xe2\x80\xaey", 0); /* RIGHT-TO-LEFT OVERRIDE */
	CHECK_STR(s, "x\\u{202E}y");
	free(s);
	/* Marks and isolates reorder text too; separators and the BOM break lines. */
	s = utf8_sanitize("a\xe2\x80\x8e" "b\xe2\x80\x8f" "c\xd8\x9c" "d\xe2\x81\xa6" "e\xef\xbb\xbf"
	    "f\xe2\x80\xa8g", 0);
	CHECK_STR(s, "a\\u{200E}b\\u{200F}c\\u{061C}d\\u{2066}e\\u{FEFF}f\\u{2028}g");
	free(s);
	s = utf8_sanitize("line1\nline2\t\x7f", 0);
	CHECK_STR(s, "line1\\nline2\\t\\x7F");
	free(s);
	s = utf8_sanitize("line1\nline2", 1);
	CHECK_STR(s, "line1\nline2");
	free(s);
	s = utf8_sanitize("caf\xe9 ok", 0);
	CHECK_STR(s, "caf\xef\xbf\xbd ok");
	free(s);
	s = utf8_sanitize("一只绿眼睛的虎斑猫 🐱", 0);
	CHECK_STR(s, "一只绿眼睛的虎斑猫 🐱");
	CHECK(!utf8_needs_sanitize(s));
	free(s);
	CHECK(utf8_needs_sanitize("\x1b"));
}

static void
path_resolution(void)
{
	char *rel = NULL, *cause = NULL;

	CHECK(ingest_path_relative("/data", "images/a.jpg", &rel, &cause) == 0);
	CHECK_STR(rel, "images/a.jpg");
	free(rel);
	CHECK(ingest_path_relative("/data", "./images//x/../a.jpg", &rel, &cause) == 0);
	CHECK_STR(rel, "images/a.jpg");
	free(rel);
	CHECK(ingest_path_relative("/data", "/data/images/a.jpg", &rel, &cause) == 0);
	CHECK_STR(rel, "images/a.jpg");
	free(rel);
	CHECK(ingest_path_relative("/data", "../../etc/passwd", &rel, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "outside") != NULL);
	free(cause);
	cause = NULL;
	CHECK(ingest_path_relative("/data", "images/../../etc/passwd", &rel, &cause) == -1);
	free(cause);
	cause = NULL;
	CHECK(ingest_path_relative("/data", "/etc/passwd", &rel, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "outside") != NULL);
	free(cause);
	cause = NULL;
	CHECK(ingest_path_relative("/data", "/database/x.jpg", &rel, &cause) == -1);
	free(cause);
	cause = NULL;
	CHECK(ingest_path_relative("/data", "https://example.org/a.jpg", &rel, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "remote") != NULL);
	free(cause);
	cause = NULL;
	CHECK(ingest_path_relative("/data", "", &rel, &cause) == -1);
	free(cause);
	cause = NULL;
	CHECK(ingest_path_relative("/data", "./", &rel, &cause) == -1);
	free(cause);
}

/* Each spelling reads back exactly, and none is longer than it has to be. */
static void
shortest_numbers(void)
{
	static const double v[] = { 0.3, 0.1 + 0.2, 1.0 / 3.0, 5e-324, 1e21, -2.5, 0.5,
		123456789.123, 0.07, 1.7976931348623157e308 };
	static const char *const want[] = { "0.3", "0.30000000000000004", "0.3333333333333333",
		"4.94065645841247e-324", "1e+21", "-2.5", "0.5", "123456789.123", "0.07",
		"1.7976931348623157e+308" };
	char buf[32];

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		numfmt_shortest(v[i], buf);
		CHECKF(strcmp(buf, want[i]) == 0, "%s, want %s", buf, want[i]);
		CHECK(strtod(buf, NULL) == v[i]);
	}
	/* 1/3 needs 16 digits: %.15g does not read back, %.17g is one digit too many. */
	numfmt_shortest(1.0 / 3.0, buf);
	CHECK(strlen(buf) == 18);

	char *j = numfmt_json("{\"aug_p\":0.29999999999999999,\"s\":\"0.29999999999999999\","
	    "\"big\":123456789012345678901234567890,\"e\":1.0e-1,\"a\":[ 2.5 , -0.10000000000000001 ],"
	    "\"q\":\"a\\\"0.29999999999999999\",\"inf\":1e999}");
	CHECKF(strcmp(j, "{\"aug_p\":0.3,\"s\":\"0.29999999999999999\","
	    "\"big\":123456789012345678901234567890,\"e\":0.1,\"a\":[ 2.5 , -0.1 ],"
	    "\"q\":\"a\\\"0.29999999999999999\",\"inf\":1e999}") == 0, "%s", j);
	free(j);
	/* Not JSON numbers: copied as they are, for the caller's check to refuse. */
	j = numfmt_json("[1., 2.5e, -.5]");
	CHECKF(strcmp(j, "[1., 2.5e, -.5]") == 0, "%s", j);
	free(j);
	CHECK(numfmt_json(NULL) == NULL);
}

static int
own_nice(void)
{
	return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

static void *
background_thread(void *arg)
{
	int *nice = arg;

	nice[0] = own_nice();
	nice[1] = thread_background();
	nice[2] = own_nice();
	return NULL;
}

/* A background thread yields the cores to the review loop's, and only it. */
static void
thread_priorities(void)
{
	int nice[3] = { 0, 0, 0 }, before = own_nice();
	pthread_t t;

	CHECK(pthread_create(&t, NULL, background_thread, nice) == 0);
	pthread_join(t, NULL);
	CHECK(nice[1] == 0);
	/* Capped at 19, the lowest priority there is. */
	CHECKF(nice[2] == (nice[0] + THREAD_BACKGROUND_NICE > 19 ? 19 :
	    nice[0] + THREAD_BACKGROUND_NICE), "nice %d then %d", nice[0], nice[2]);
	CHECK(own_nice() == before);
}

int
main(void)
{
	h_suite = "core";
	RUN(sha256_vectors);
	RUN(augid_contract);
	RUN(utf8_validation);
	RUN(utf8_sanitizing);
	RUN(path_resolution);
	RUN(shortest_numbers);
	RUN(thread_priorities);
	HARNESS_END();
}
