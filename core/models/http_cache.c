/* SPDX-License-Identifier: MIT */
/*
 * The HTTP engine's disk side: the reply cache (one file per request hash,
 * checked on read so a damaged file is only a miss), the request log, and
 * the redaction of keys from error texts.
 */
#include "core/models/http_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/models/backend.h"
#include "core/base/sha256.h"
#include "core/base/util.h"

/*
 * A cache file is this line, the body's length and sha256 on the next two
 * lines, then the body. The header lets a reader tell a file cut short by a
 * crash or a full disk from a real reply.
 */
#define CACHE_MAGIC "mmda-http-cache 1\n"

/* Hashes one field with its length first, so "ab"+"c" and "a"+"bc" differ. NULL differs from "". */
static void
key_field(struct sha256 *s, const void *data, size_t len)
{
	char n[32];

	if (data == NULL) {
		sha256_update(s, "-;", 2);
		return;
	}
	snprintf(n, sizeof n, "%zu:", len);
	sha256_update(s, n, strlen(n));
	sha256_update(s, data, len);
}

static void
key_str(struct sha256 *s, const char *str)
{
	key_field(s, str, str != NULL ? strlen(str) : 0);
}

void
http_cache_key(const struct http_req *req, const char *served, char hex[65])
{
	const struct backend *be = req->be;
	struct sha256 s;

	sha256_init(&s);
	/* 3: what the server reports it serves is part of the key, beside its URLs and the
	 * configured name (which a server such as llama.cpp ignores). */
	key_str(&s, "mmda-http-key 3");
	key_str(&s, be != NULL ? backend_kind_name(be->kind) : NULL);
	for (size_t i = 0; be != NULL && i < be->nurls; i++)
		key_str(&s, be->urls[i]);
	key_str(&s, be != NULL ? be->model : NULL);
	key_str(&s, served);
	key_str(&s, req->method);
	key_str(&s, req->path);
	if (req->parts != NULL) {
		key_str(&s, "parts");
		for (size_t i = 0; i < req->nparts; i++) {
			const struct http_part *p = &req->parts[i];

			key_str(&s, p->name);
			key_str(&s, p->filename);
			key_str(&s, p->type);
			key_field(&s, p->data != NULL ? p->data : "", p->len);
		}
	} else {
		key_str(&s, "body");
		key_field(&s, req->body, req->body != NULL ? req->bodylen : 0);
	}
	sha256_final_hex(&s, hex);
}

void
served_put(struct served_table *t, const char *url, const char *model)
{
	size_t i;

	for (i = 0; i < t->n && strcmp(t->url[i], url) != 0; i++)
		;
	if (i == t->n) {
		if (model == NULL)
			return;
		t->url = xreallocarray(t->url, t->n + 1, sizeof *t->url);
		t->model = xreallocarray(t->model, t->n + 1, sizeof *t->model);
		t->url[t->n] = xstrdup(url);
		t->model[t->n++] = NULL;
	}
	free(t->model[i]);
	t->model[i] = model != NULL ? xstrdup(model) : NULL;
}

char *
served_describe(const struct served_table *t, const struct backend *be)
{
	char *s = xstrdup(""), *next;
	int known = 0;

	for (size_t u = 0; u < be->nurls; u++) {
		const char *m = NULL;
		for (size_t i = 0; i < t->n && m == NULL; i++)
			if (strcmp(t->url[i], be->urls[u]) == 0)
				m = t->model[i];
		known |= m != NULL;
		/* Lengths first, as in the key, so no model text can pass for two. */
		next = xasprintf("%s%zu:%s;", s, m != NULL ? strlen(m) : 0, m != NULL ? m : "-");
		free(s);
		s = next;
	}
	if (!known) {
		free(s);
		return NULL;
	}
	return s;
}

void
served_free(struct served_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->url[i]);
		free(t->model[i]);
	}
	free(t->url);
	free(t->model);
	memset(t, 0, sizeof *t);
}

int
http_mkdirs(const char *dir, char **cause)
{
	char *p, *q;
	struct stat sb;
	int rc = 0;

	if (*dir == '\0')
		return cause_set(cause, "an empty folder name");
	p = xstrdup(dir);
	/* Each parent in turn; EEXIST covers a folder made by another process meanwhile. */
	for (q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			rc = cause_set(cause, "%s: %s", p, strerror(errno));
			break;
		}
		*q = c;
		if (c == '\0')
			break;
	}
	if (rc == 0 && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		rc = cause_set(cause, "%s: not a folder", dir);
	free(p);
	return rc;
}

static char *
cache_path(const char *dir, const char *key)
{
	return xasprintf("%s/%.2s/%s", dir, key, key + 2);
}

int
http_cache_get(const char *dir, const char *key, size_t max, char **body, size_t *len)
{
	char *path, *data = NULL, *p, *end, hex[SHA256_HEX_LEN + 1];
	size_t n, head, limit;
	uint64_t want;
	int hit = 0;

	*body = NULL;
	*len = 0;
	path = cache_path(dir, key);
	limit = max > 0 && max < SIZE_MAX / 4 ? max + 256 : SIZE_MAX / 4;
	/* Any read error (missing file included) is a miss: the cause is not wanted. */
	if (file_read_all(path, limit, &data, &n, NULL) != 0)
		goto out;
	if (n < strlen(CACHE_MAGIC) || memcmp(data, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0)
		goto out;
	p = data + strlen(CACHE_MAGIC);
	errno = 0;
	want = strtoull(p, &end, 10);
	if (end == p || *end != '\n' || errno != 0)
		goto out;
	p = end + 1;
	if ((size_t)(data + n - p) < SHA256_HEX_LEN + 1 || p[SHA256_HEX_LEN] != '\n')
		goto out;
	head = (size_t)(p - data) + SHA256_HEX_LEN + 1;
	if (want != n - head || (max > 0 && want > max))
		goto out;
	sha256_hex(data + head, (size_t)want, hex);
	if (memcmp(hex, p, SHA256_HEX_LEN) != 0)
		goto out;
	memmove(data, data + head, (size_t)want);
	data[want] = '\0';
	*body = data;
	*len = (size_t)want;
	data = NULL;
	hit = 1;
out:
	free(data);
	free(path);
	return hit;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

void
http_cache_put(const char *dir, const char *key, const char *body, size_t len)
{
	char *sub, *tmp, *path, *head, hex[SHA256_HEX_LEN + 1];
	int fd, ok;

	sub = xasprintf("%s/%.2s", dir, key);
	tmp = xasprintf("%s/.tmp.%s.XXXXXX", sub, key + 2);
	path = cache_path(dir, key);
	sha256_hex(body, len, hex);
	head = xasprintf("%s%zu\n%s\n", CACHE_MAGIC, len, hex);
	if ((mkdir(sub, 0777) == 0 || errno == EEXIST) && (fd = mkstemp(tmp)) >= 0) {
		ok = write_all(fd, head, strlen(head)) == 0 && write_all(fd, body, len) == 0;
		if (close(fd) != 0)
			ok = 0;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(head);
	free(path);
	free(tmp);
	free(sub);
}

void
http_log_write(int fd, const struct http_log_entry *e)
{
	struct timespec ts;
	struct tm tm;
	char when[32], *line;

	if (fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	line = xasprintf("%s.%03ldZ %s %s %s status=%ld attempts=%d ms=%.0f cache=%s%s%s\n", when,
	    ts.tv_nsec / 1000000, e->backend != NULL ? e->backend : "-",
	    e->method != NULL ? e->method : "-", e->url != NULL ? e->url : "-", e->status,
	    e->attempts, e->seconds * 1000.0, e->hit ? "hit" : "miss",
	    e->error != NULL ? " error=" : "", e->error != NULL ? e->error : "");
	/* One write per line: O_APPEND keeps lines of several processes whole. */
	(void)write_all(fd, line, strlen(line));
	free(line);
}

void
http_cache_drop(const char *dir, const char *key)
{
	char *path = cache_path(dir, key);

	unlink(path);
	free(path);
}

void
http_redact(char **text, const char *secret)
{
	size_t len;

	if (*text == NULL)
		return;
	len = strlen(*text);
	http_redact_mem(text, &len, secret);
}

/* memmem is a GNU extension: the first n-byte match of needle in hay, or NULL. */
static const char *
find(const char *hay, size_t len, const char *needle, size_t n)
{
	const char *p = hay, *end = hay + len;

	while ((size_t)(end - p) >= n && (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) !=
	    NULL) {
		if (memcmp(p, needle, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

void
http_redact_mem(char **text, size_t *len, const char *secret)
{
	size_t slen, n = 0, left;
	const char *p, *hit, *end;
	char *out, *o;

	if (*text == NULL || secret == NULL || (slen = strlen(secret)) == 0)
		return;
	end = *text + *len;
	for (p = *text; (hit = find(p, (size_t)(end - p), secret, slen)) != NULL; p = hit + slen)
		n++;
	if (n == 0)
		return;
	out = o = xmalloc(*len - n * slen + n * 3 + 1);
	for (p = *text; (hit = find(p, (size_t)(end - p), secret, slen)) != NULL;
	    p = hit + slen) {
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, "***", 3);
		o += 3;
	}
	left = (size_t)(end - p);
	memcpy(o, p, left);
	o[left] = '\0';
	*len = (size_t)(o - out) + left;
	explicit_bzero(*text, (size_t)(end - *text));
	free(*text);
	*text = out;
}
