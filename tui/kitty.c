/* SPDX-License-Identifier: MIT */
/* The kitty graphics protocol's sequences (tui/kitty.h): uploads in chunks, placements, deletions, a pane's segment. */
#include "tui/kitty.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/image/image.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
kitty_base64(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

char *
kitty_upload(uint32_t id, const uint8_t *png, size_t n, size_t *len)
{
	size_t blen = 4 * ((n + 2) / 3), chunks = blen / KITTY_CHUNK + 1;
	char *text = xmalloc(blen + 1);
	/* Per chunk: ESC _ G, the keys (the first chunk's at most 48 bytes), ';', ESC \. */
	char *out = xmalloc(blen + chunks * 64 + 1);
	size_t o = 0, at = 0;

	kitty_base64(png, n, text);
	do {
		size_t part = blen - at < KITTY_CHUNK ? blen - at : KITTY_CHUNK;
		int more = at + part < blen;
		/* Only the first chunk says what the image is; the others say whether more follow. */
		if (at == 0)
			o += (size_t)sprintf(out + o, "\033_Ga=t,f=100,t=d,i=%lu,q=2,m=%d;",
			    (unsigned long)id, more);
		else
			o += (size_t)sprintf(out + o, "\033_Gm=%d;", more);
		memcpy(out + o, text + at, part);
		o += part;
		memcpy(out + o, "\033\\", 2);
		o += 2;
		at += part;
	} while (at < blen);
	out[o] = '\0';
	free(text);
	*len = o;
	return out;
}

int
kitty_pane_upload(const struct image *pane, uint32_t id, char **out, size_t *len, char **cause)
{
	uint8_t *png = NULL;
	size_t n = 0;

	*out = NULL;
	*len = 0;
	/* PNG rather than raw RGB with o=z: its row filters made the sample photos'
	 * panes 13% smaller than zlib alone (tui/README.md has the figures). */
	if (image_encode(pane, IMAGE_PNG, 0, &png, &n, cause) != 0)
		return -1;
	*out = kitty_upload(id, png, n, len);
	free(png);
	return 0;
}

void
kitty_preview_upload(const struct image *pane, int scale, uint32_t id, char **out, size_t *len)
{
	struct image small;
	int w = pane->w / scale > 0 ? pane->w / scale : 1, h = pane->h / scale > 0 ?
	    pane->h / scale : 1;

	*out = NULL;
	*len = 0;
	if (image_resize(pane, w, h, &small, NULL) != 0)
		return;
	if (kitty_pane_upload(&small, id, out, len, NULL) != 0) {
		*out = NULL;
		*len = 0;
	}
	image_free(&small);
}

static int kitty_format(char *, size_t, const char *, ...) MMDA_PRINTF(3, 4);

static int
kitty_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (size == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return -1;
	}
	return n;
}

int
kitty_place(char *buf, size_t size, uint32_t id, uint32_t pid, int cols, int rows)
{
	if (id == 0 || pid == 0 || cols <= 0 || rows <= 0) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	return kitty_format(buf, size, "\033_Ga=p,i=%lu,p=%lu,c=%d,r=%d,C=1,q=2\033\\",
	    (unsigned long)id, (unsigned long)pid, cols, rows);
}

int
kitty_unplace(char *buf, size_t size, uint32_t id, uint32_t pid)
{
	if (id == 0 || pid == 0) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	return kitty_format(buf, size, "\033_Ga=d,d=i,i=%lu,p=%lu,q=2\033\\", (unsigned long)id,
	    (unsigned long)pid);
}

int
kitty_forget(char *buf, size_t size, uint32_t id)
{
	if (id == 0) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	return kitty_format(buf, size, "\033_Ga=d,d=I,i=%lu,q=2\033\\", (unsigned long)id);
}

void
kitty_put(struct kitty_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The longest sequence kitty_place, kitty_unplace or kitty_forget make, with room. */
#define SEQ_MAX 80

void
kitty_segment(struct kitty_buf *b, uint32_t old, uint32_t id, uint32_t pid, const char *upload,
    size_t n, int cols, int rows, size_t *up, size_t *up_end)
{
	char s[SEQ_MAX];
	int k;

	if (old != 0 && old != id && (k = kitty_unplace(s, sizeof s, old, pid)) > 0)
		kitty_put(b, s, (size_t)k);
	*up = *up_end = b->len;
	if (upload != NULL) {
		kitty_put(b, upload, n);
		*up_end = b->len;
	}
	/* The same placement id for the same image moves it: no deletion needed. */
	if ((k = kitty_place(s, sizeof s, id, pid, cols, rows)) > 0)
		kitty_put(b, s, (size_t)k);
}

void
kitty_forget_all(struct kitty_buf *b, const uint32_t *ids, int n)
{
	char s[SEQ_MAX];
	int k;

	for (int i = 0; i < n; i++)
		if ((k = kitty_forget(s, sizeof s, ids[i])) > 0)
			kitty_put(b, s, (size_t)k);
}
