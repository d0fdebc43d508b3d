/* SPDX-License-Identifier: MIT */
/*
 * Where an export's images come from and go: the --images modes by name,
 * copying a file into the export,
 * telling its format from its bytes, giving an object-store image (named by
 * its hash, without an extension) a name a trainer's loader recognises, and
 * remembering which image contents are in the export already, so a format
 * that names each image once (COCO) writes each file once.
 */
/* copy_file_range(2). */
#define _GNU_SOURCE
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
#include "core/export/exportrun.h"
#include "core/image/image.h"

static const char *const image_modes[] = { "copy", "link", "ref" };

int
export_images_parse(const char *s, enum export_images *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, image_modes[i]) == 0) {
			*out = (enum export_images)i;
			return 0;
		}
	return -1;
}

const char *
export_images_name(enum export_images m)
{
	return (unsigned)m < 3 ? image_modes[m] : "?";
}

/* The rest of a copy the kernel would not do (another file system, an old kernel). */
static int
copy_by_reads(int in, off_t off, int out, const char *src, const char *dst, char **cause)
{
	char buf[65536];
	ssize_t n;

	while ((n = pread(in, buf, sizeof buf, off)) > 0) {
		off += n;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return cause_set(cause, "%s: %s", dst, strerror(errno));
			done += w;
		}
	}
	if (n < 0)
		return cause_set(cause, "%s: %s", src, strerror(errno));
	return 0;
}

int
export_copy_fd(int in, size_t size, const char *src, int dirfd, const char *name,
    const char *dst, char **cause)
{
	int out, rc = 0;
	off_t off = 0;

	if ((out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return cause_set(cause, "%s: %s", dst, strerror(errno));
	/*
	 * In the kernel, without a trip through a buffer of ours: one call for a
	 * small image, as cp does. The size is the one fstat gave when the file
	 * was opened; a file that shrinks since ends the copy early, as a read would.
	 */
	while ((size_t)off < size) {
		ssize_t n = copy_file_range(in, &off, out, NULL, size - (size_t)off, 0);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
		    errno == EPERM)
			rc = copy_by_reads(in, off, out, src, dst, cause);
		else
			rc = cause_set(cause, "%s: %s", dst, strerror(errno));
		break;
	}
	if (close(out) != 0 && rc == 0)
		rc = cause_set(cause, "%s: %s", dst, strerror(errno));
	return rc;
}

const char *
export_sniff_fd(int fd)
{
	unsigned char head[16];
	ssize_t n = fd < 0 ? -1 : pread(fd, head, sizeof head, 0);
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
