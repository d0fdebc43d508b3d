/* SPDX-License-Identifier: MIT */
/*
 * The kitty graphics sequences (tui/kitty.c) against the protocol's
 * documented form: ESC _ G keys ; base64 ESC \, base64 in chunks of at most
 * 4096 bytes and a multiple of 4 but the last, m=1 on every chunk but the
 * last, only the first naming the image; the payload decodes to the PNG it
 * was made from and that PNG to the pane's pixels; a pane's segment is the
 * old placement's deletion, the upload, the placement. Then the paced queue's
 * cut of a kitty upload (tui/outq.c): the chunk in flight is finished, the
 * transfer ended with an empty last chunk, the placement dropped.
 *
 * Unit tests link only core/ and db/, so the tui modules are compiled in.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/kitty.c"
#include "tui/outq.c"

#include "tests/harness.h"

static void
test_base64(void)
{
	char out[16];

	/* RFC 4648's test vectors. */
	CHECK(kitty_base64((const uint8_t *)"", 0, out) == 0 && strcmp(out, "") == 0);
	CHECK(kitty_base64((const uint8_t *)"f", 1, out) == 4 && strcmp(out, "Zg==") == 0);
	CHECK(kitty_base64((const uint8_t *)"fo", 2, out) == 4 && strcmp(out, "Zm8=") == 0);
	CHECK(kitty_base64((const uint8_t *)"foo", 3, out) == 4 && strcmp(out, "Zm9v") == 0);
	CHECK(kitty_base64((const uint8_t *)"foob", 4, out) == 8 && strcmp(out, "Zm9vYg==") == 0);
	CHECK(kitty_base64((const uint8_t *)"fooba", 5, out) == 8 && strcmp(out, "Zm9vYmE=") == 0);
	CHECK(kitty_base64((const uint8_t *)"foobar", 6, out) == 8 && strcmp(out, "Zm9vYmFy") == 0);
	CHECK(kitty_base64((const uint8_t *)"\xff\xfe\x00", 3, out) == 4 && strcmp(out, "//4A") == 0);
}

static int
b64val(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

/* Decodes standard base64; returns the bytes, or -1 on a bad character or length. */
static long
unbase64(const char *s, size_t n, uint8_t *out)
{
	long o = 0;

	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : b64val(s[i + k]);
		if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
			return -1;
		uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		    (uint32_t)v[3];
		out[o++] = (uint8_t)(x >> 16);
		if (s[i + 2] != '=')
			out[o++] = (uint8_t)(x >> 8);
		if (s[i + 3] != '=')
			out[o++] = (uint8_t)x;
	}
	return o;
}

/*
 * Walks an upload as the protocol documents it; returns the decoded payload
 * (malloc'd, *n bytes) or NULL with a failed check. *chunks counts the APCs.
 */
static uint8_t *
parse_upload(const char *s, size_t len, uint32_t id, size_t *n, int *chunks)
{
	char *b = xmalloc(len + 1);
	size_t bl = 0, i = 0;
	int last = 0;
	char first[64];

	*chunks = 0;
	snprintf(first, sizeof first, "a=t,f=100,t=d,i=%lu,q=2,", (unsigned long)id);
	while (i < len) {
		CHECK(!last);
		CHECK(len - i > 3 && memcmp(s + i, "\033_G", 3) == 0);
		const char *semi = memchr(s + i, ';', len - i);
		const char *st = semi != NULL ? strstr(semi, "\033\\") : NULL;
		if (semi == NULL || st == NULL || last) {
			free(b);
			CHECK(0);
			return NULL;
		}
		char keys[80];
		size_t kl = (size_t)(semi - s) - i - 3;
		CHECK(kl < sizeof keys);
		snprintf(keys, sizeof keys, "%.*s", (int)kl, s + i + 3);
		const char *m = strstr(keys, "m=");
		/* Only the first chunk says what the image is; the rest say m alone. */
		if (*chunks == 0)
			CHECKF(strncmp(keys, first, strlen(first)) == 0, "%s", keys);
		else
			CHECKF(strcmp(keys, "m=0") == 0 || strcmp(keys, "m=1") == 0, "%s", keys);
		CHECK(m != NULL && (m[2] == '0' || m[2] == '1') && m[3] == '\0');
		size_t pl = (size_t)(st - semi) - 1;
		CHECKF(pl <= KITTY_CHUNK, "chunk of %zu", pl);
		last = m == NULL || m[2] == '0';
		/* All chunks but the last are whole base64 quanta (multiples of 4). */
		if (!last)
			CHECKF(pl % 4 == 0 && pl == KITTY_CHUNK, "chunk of %zu", pl);
		memcpy(b + bl, semi + 1, pl);
		bl += pl;
		(*chunks)++;
		i = (size_t)(st - s) + 2;
	}
	CHECK(last);
	uint8_t *out = xmalloc(bl + 1);
	long got = unbase64(b, bl, out);
	free(b);
	CHECK(got >= 0);
	*n = got >= 0 ? (size_t)got : 0;
	return out;
}

static void
test_chunks(void)
{
	/* Sizes around the chunk edge: 3072 bytes are exactly one 4096-byte chunk. */
	static const size_t sizes[] = { 0, 1, 2, 3, 3071, 3072, 3073, 6144, 6145, 100000 };
	uint8_t *data = xmalloc(100000);

	for (size_t i = 0; i < 100000; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 7));
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t len, n;
		int chunks;
		char *up = kitty_upload(77, data, sizes[k], &len);
		CHECK(strlen(up) == len);
		uint8_t *back = parse_upload(up, len, 77, &n, &chunks);
		CHECKF(back != NULL && n == sizes[k] && memcmp(back, data, n) == 0, "size %zu",
		    sizes[k]);
		size_t want = (4 * ((sizes[k] + 2) / 3) + KITTY_CHUNK - 1) / KITTY_CHUNK;
		CHECKF((size_t)chunks == (want > 0 ? want : 1), "size %zu: %d chunks", sizes[k],
		    chunks);
		free(back);
		free(up);
	}
	free(data);
}

static void
test_pane_png(void)
{
	struct image pane, back;
	size_t len, n;
	char *up = NULL, *cause = NULL;
	int chunks;

	CHECK(image_alloc(&pane, 97, 61, 3, 0, NULL) == 0);
	for (size_t i = 0; i < (size_t)97 * 61 * 3; i++)
		pane.px[i] = (uint8_t)(i * 7 ^ i >> 5);
	CHECK(kitty_pane_upload(&pane, 5, &up, &len, &cause) == 0 && cause == NULL);
	uint8_t *png = parse_upload(up, len, 5, &n, &chunks);
	CHECK(chunks > 1);
	memset(&back, 0, sizeof back);
	/* Lossless: the terminal gets the pane's pixels exactly. */
	CHECK(png != NULL && image_load_mem(png, n, "pane.png", NULL, &back, NULL) == 0);
	CHECK(back.w == 97 && back.h == 61 && back.channels == 3 &&
	    memcmp(back.px, pane.px, (size_t)97 * 61 * 3) == 0);
	free(png);
	free(up);
	image_free(&back);
	image_free(&pane);
}

static void
test_place_delete(void)
{
	char buf[128], tiny[8];

	CHECK(kitty_place(buf, sizeof buf, 12, 2, 79, 33) > 0);
	CHECK_STR(buf, "\033_Ga=p,i=12,p=2,c=79,r=33,C=1,q=2\033\\");
	CHECK(kitty_unplace(buf, sizeof buf, 12, 2) > 0);
	CHECK_STR(buf, "\033_Ga=d,d=i,i=12,p=2,q=2\033\\");
	CHECK(kitty_forget(buf, sizeof buf, 4294967295u) > 0);
	CHECK_STR(buf, "\033_Ga=d,d=I,i=4294967295,q=2\033\\");
	CHECK_STR(KITTY_DELETE_ALL, "\033_Ga=d,d=a,q=2\033\\");
	/* Id 0 means "none" to the protocol; nothing is written for it. */
	CHECK(kitty_place(buf, sizeof buf, 0, 1, 1, 1) == -1 && buf[0] == '\0');
	CHECK(kitty_place(buf, sizeof buf, 1, 1, 0, 1) == -1 && buf[0] == '\0');
	CHECK(kitty_unplace(buf, sizeof buf, 1, 0) == -1 && buf[0] == '\0');
	CHECK(kitty_forget(buf, sizeof buf, 0) == -1 && buf[0] == '\0');
	/* Too small a buffer: nothing half-written. */
	CHECK(kitty_place(tiny, sizeof tiny, 1, 1, 1, 1) == -1 && tiny[0] == '\0');
}

static void
test_segment(void)
{
	struct kitty_buf b = { NULL, 0, 0 };
	size_t up, up_end, ulen;
	uint32_t ids[] = { 3, 8 };
	char *upload = kitty_upload(7, (const uint8_t *)"pane", 4, &ulen);

	/* Another image was in the pane: its placement goes, then the upload, then the new one. */
	kitty_segment(&b, 5, 7, 2, upload, ulen, 79, 33, &up, &up_end);
	const char *del = "\033_Ga=d,d=i,i=5,p=2,q=2\033\\";
	const char *place = "\033_Ga=p,i=7,p=2,c=79,r=33,C=1,q=2\033\\";
	CHECK(up == strlen(del) && up_end == up + ulen && b.len == up_end + strlen(place));
	CHECK(memcmp(b.p, del, up) == 0 && memcmp(b.p + up, upload, ulen) == 0);
	CHECK(strcmp(b.p + up_end, place) == 0);
	/* Back to an image the terminal has, in the same pane: the placement alone. */
	b.len = 0;
	kitty_segment(&b, 7, 7, 2, NULL, 0, 79, 33, &up, &up_end);
	CHECK(up == 0 && up_end == 0 && strcmp(b.p, place) == 0);
	/* Nothing was shown there: no deletion. */
	b.len = 0;
	kitty_segment(&b, 0, 7, 2, NULL, 0, 79, 33, &up, &up_end);
	CHECK(strcmp(b.p, place) == 0);
	b.len = 0;
	kitty_forget_all(&b, ids, 2);
	CHECK_STR(b.p, "\033_Ga=d,d=I,i=3,q=2\033\\\033_Ga=d,d=I,i=8,q=2\033\\");
	free(b.p);
	free(upload);
}

/* Everything the (non-blocking) read end holds now, appended at *have. */
static void
slurp(int fd, char *buf, size_t cap, size_t *have)
{
	ssize_t r;

	while (*have < cap && (r = read(fd, buf + *have, cap - *have)) > 0)
		*have += (size_t)r;
}

static void
test_cut_upload(void)
{
	uint8_t *data = xmalloc(30000);
	size_t ulen, have = 0, cap = 1 << 20;
	char place[64], *buf = xmalloc(cap);
	int p[2];

	for (size_t i = 0; i < 30000; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	char *up = kitty_upload(9, data, 30000, &ulen);
	int pl = kitty_place(place, sizeof place, 9, 1, 10, 5);
	char *seg = xmalloc(ulen + (size_t)pl);
	memcpy(seg, up, ulen);
	memcpy(seg + ulen, place, (size_t)pl);
	CHECK(pipe2(p, O_NONBLOCK) == 0);
	fcntl(p[1], F_SETFL, 0);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	struct outq *q = outq_new(p[1]);
	CHECK(outq_put_kitty(q, 1, 2, 3, seg, ulen + (size_t)pl, 0, ulen) == 0);
	/* A page goes out: the cut lands inside the first or second chunk. */
	CHECK(outq_pump(q) > 0);
	slurp(p[0], buf, cap, &have);
	CHECK(have > 0 && have <= 4096);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	CHECK(outq_cut(q) == 2);
	slurp(p[0], buf, cap, &have);
	const char *tail = "\033_Gm=0\033\\\0338";
	size_t tl = strlen(tail), pre = strlen("\0337\033[3;4H");
	CHECK(have > 4096 + tl && memcmp(buf, "\0337\033[3;4H", pre) == 0);
	CHECK(memcmp(buf + have - tl, tail, tl) == 0);
	/* The chunks before the end are the upload's own, whole, and the placement never went. */
	size_t body = have - tl - pre;
	CHECK(memcmp(buf + pre, up, body) == 0 && memcmp(buf + pre + body - 2, "\033\\", 2) == 0);
	CHECK(memmem(buf, have, "a=p", 3) == NULL);
	/* A cut when the upload is out sends the short rest: the placement. */
	have = 0;
	CHECK(outq_put_kitty(q, 0, 0, 0, seg, ulen + (size_t)pl, 0, ulen) == 0);
	q->seg[0].off = q->seg[0].body_end;
	CHECK(outq_cut(q) == 0);
	slurp(p[0], buf, cap, &have);
	CHECK(have == (size_t)pl + 2 && memcmp(buf, place, (size_t)pl) == 0);
	/* A segment with no upload (a placement by id) is never cut short. */
	have = 0;
	CHECK(outq_put_kitty(q, 0, 0, 0, place, (size_t)pl, 0, 0) == 0);
	q->seg[0].off = 3;
	CHECK(outq_cut(q) == 0);
	slurp(p[0], buf, cap, &have);
	CHECK(have == 8 + (size_t)pl + 2 - 3);
	CHECK(outq_put_kitty(q, 0, 0, 0, place, 4, 3, 2) == -1);
	outq_free(q);
	close(p[0]);
	close(p[1]);
	free(seg);
	free(up);
	free(buf);
	free(data);
}

int
main(void)
{
	h_suite = "kitty";
	RUN(test_base64);
	RUN(test_chunks);
	RUN(test_pane_png);
	RUN(test_place_delete);
	RUN(test_segment);
	RUN(test_cut_upload);
	HARNESS_END();
}
