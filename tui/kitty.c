/* SPDX-License-Identifier: MIT */
/* The kitty graphics protocol's sequences (tui/kitty.h): uploads in chunks, placements, deletions. */
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
