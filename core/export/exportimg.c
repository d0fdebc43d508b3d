/* SPDX-License-Identifier: MIT */
/*
 * Where an export's images come from and go: copying a file into the export,
 * telling its format from its bytes, giving an object-store image (named by
 * its hash, without an extension) a name a trainer's loader recognises, and
 * remembering which image contents are in the export already, so a format
 * that names each image once (COCO) writes each file once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/safefile.h"
#include "core/base/sha256.h"
#include "core/export/export_priv.h"
#include "core/image/image.h"

int
export_copy_file(const char *src, const char *dst, char **cause)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	/* Streamed, so no size cap; but a FIFO or device must not hang the export. */
	if ((in = file_open_regular(src, SIZE_MAX, NULL, cause)) < 0)
		return -1;
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0) {
		close(in);
		return cause_set(cause, "%s: %s", dst, strerror(errno));
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = cause_set(cause, "%s: %s", dst, strerror(errno));
				goto out;
			}
			off += w;
		}
	}
	if (n < 0)
		rc = cause_set(cause, "%s: %s", src, strerror(errno));
out:
	close(in);
	if (close(out) != 0 && rc == 0)
		rc = cause_set(cause, "%s: %s", dst, strerror(errno));
	return rc;
}

const char *
export_sniff_ext(const char *path)
{
	unsigned char head[16];
	int fd = file_open_regular(path, SIZE_MAX, NULL, NULL);
	ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof head);

	if (fd >= 0)
		close(fd);
	enum image_format f = n > 0 ? image_sniff(head, (size_t)n) : IMAGE_UNKNOWN;

	/* Trainers' loaders and file browsers know JPEG by .jpg. */
	if (f == IMAGE_UNKNOWN)
		return NULL;
	return f == IMAGE_JPEG ? "jpg" : image_format_name(f);
}

char *
export_object_named(const char *src, const char *ext, char **cause)
{
	char *named = xasprintf("%s.%s", src, ext);
	struct stat a, b;

	/* The object's name is its hash, so a link made once is right for every export. */
	if (link(src, named) == 0 || (errno == EEXIST && stat(src, &a) == 0 &&
	    stat(named, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev))
		return named;
	if (errno == EEXIST) {
		/* Something else holds the name: a copy of our bytes is as good as a link. */
		char hex[SHA256_HEX_LEN + 1];
		const char *slash = strrchr(src, '/');
		if (sha256_file(named, hex) == 0 && slash != NULL && strlen(slash + 1) == 62 &&
		    strncmp(hex + 2, slash + 1, 62) == 0)
			return named;
		cause_set(cause, "%s: exists and is not a copy of %s", named, src);
	} else if (errno == EACCES || errno == EPERM || errno == EROFS) {
		/* Someone else's object store: the bare path still opens, by content. */
		free(named);
		return xstrdup(src);
	} else
		cause_set(cause, "%s: %s", named, strerror(errno));
	free(named);
	return NULL;
}

struct export_seen_slot {
	char *content; /* NULL when free */
	char *name;
};

struct export_seen {
	struct export_seen_slot *slots; /* open addressing, at most half full */
	size_t cap, n;
};

struct export_seen *
export_seen_new(void)
{
	struct export_seen *s = xcalloc(1, sizeof *s);

	s->cap = 64;
	s->slots = xcalloc(s->cap, sizeof *s->slots);
	return s;
}

void
export_seen_free(struct export_seen *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->cap; i++) {
		free(s->slots[i].content);
		free(s->slots[i].name);
	}
	free(s->slots);
	free(s);
}

/* The content strings are hex digests already: their first digits spread well. */
static struct export_seen_slot *
seen_slot(struct export_seen_slot *slots, size_t cap, const char *content)
{
	size_t i = 0;

	for (int k = 0; k < 16 && content[k] != '\0'; k++)
		i = i * 31 + (unsigned char)content[k];
	i &= cap - 1;
	while (slots[i].content != NULL && strcmp(slots[i].content, content) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

const char *
export_seen_find(const struct export_seen *s, const char *content)
{
	const struct export_seen_slot *x = seen_slot(s->slots, s->cap, content);

	return x->content != NULL ? x->name : NULL;
}

void
export_seen_add(struct export_seen *s, const char *content, const char *name)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap * 2;
		struct export_seen_slot *ns = xcalloc(ncap, sizeof *ns);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i].content != NULL)
				*seen_slot(ns, ncap, s->slots[i].content) = s->slots[i];
		free(s->slots);
		s->slots = ns;
		s->cap = ncap;
	}
	struct export_seen_slot *x = seen_slot(s->slots, s->cap, content);
	if (x->content != NULL)
		return;
	x->content = xstrdup(content);
	x->name = xstrdup(name);
	s->n++;
}
