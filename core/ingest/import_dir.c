/* SPDX-License-Identifier: MIT */
/*
 * A folder of images with caption sidecars (photo.jpg + photo.txt), the
 * layout of kohya-style fine-tuning sets. Images are found recursively and
 * read in strcmp order of their relative paths, so an import is repeatable.
 * Each non-empty line of a sidecar is one caption: a file with three lines
 * gives three pairs keyed "a/photo.jpg", "a/photo.jpg#2", "a/photo.jpg#3".
 * Hidden entries are skipped, and symlinked folders are not entered so a
 * link cannot make the walk loop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ingest/import_priv.h"

#define DIR_DEPTH_MAX 64

struct dir_walk {
	struct imp *im;
	char **paths; /* relative paths of the images found */
	size_t n, cap;
};

static void
dir_add(struct dir_walk *dw, char *rel)
{
	if (dw->n == dw->cap) {
		dw->cap = dw->cap ? dw->cap * 2 : 64;
		dw->paths = xreallocarray(dw->paths, dw->cap, sizeof *dw->paths);
	}
	dw->paths[dw->n++] = rel;
}

/* Collects the images under the open folder dfd (which it closes). -1 to stop. */
static int
dir_scan(struct dir_walk *dw, int dfd, const char *rel, int depth)
{
	DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return imp_error(dw->im, 0, rel[0] != '\0' ? rel : NULL, "cannot read folder: %s",
		    strerror(errno));
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *child = rel[0] != '\0' ? xasprintf("%s/%s", rel, de->d_name) :
		    xstrdup(de->d_name);
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			rc = imp_error(dw->im, 0, child, "cannot stat: %s", strerror(errno));
		else if (S_ISDIR(st.st_mode) && depth >= DIR_DEPTH_MAX)
			rc = imp_error(dw->im, 0, child, "folders nested too deep (over %d)",
			    DIR_DEPTH_MAX);
		else if (S_ISDIR(st.st_mode)) {
			int cfd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd == -1)
				rc = imp_error(dw->im, 0, child, "cannot open folder: %s",
				    strerror(errno));
			else
				rc = dir_scan(dw, cfd, child, depth + 1);
		} else if (imp_is_image_name(de->d_name) && (S_ISREG(st.st_mode) ||
		    (S_ISLNK(st.st_mode) && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode)))) {
			/* A link to an image file is fine; only linked folders can loop. */
			dir_add(dw, child);
			child = NULL;
		}
		free(child);
	}
	closedir(d);
	return rc;
}

static int
dir_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
dir_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Reads rel's sidecar and delivers one pair per non-empty line. */
static int
dir_image(struct imp *im, const char *rel)
{
	const char *dot = strrchr(rel, '.');
	char *side = xasprintf("%.*s.txt", (int)(dot - rel), rel);
	char *full = xasprintf("%s/%s", im->path, side);
	char *shown = imp_printable(side, strlen(side));
	char *data = NULL, *cause = NULL;
	size_t len;
	struct stat st;
	int rc = 0;
	if (stat(full, &st) != 0 && errno == ENOENT)
		rc = imp_error(im, 0, rel, "no caption file %s", shown);
	else if (file_read_all(full, IMPORT_LINE_MAX, &data, &len, &cause) != 0)
		rc = imp_error(im, 0, rel, "cannot read the caption file: %s", cause);
	else if (memchr(data, '\0', len) != NULL)
		rc = imp_error(im, 0, rel, "caption file %s contains a NUL byte", shown);
	else {
		char *p = data;
		if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		int k = 0;
		while (rc == 0 && *p != '\0') {
			char *nl = strchr(p, '\n'), *next = nl != NULL ? nl + 1 : p + strlen(p);
			char *e = nl != NULL ? nl : next;
			while (p < e && dir_space(*p))
				p++;
			while (e > p && dir_space(e[-1]))
				e--;
			if (e > p) {
				*e = '\0';
				char *key = imp_key(rel, ++k);
				struct import_record r = { .line = 0, .key = key, .key_is_id = 0,
					.image = rel, .text = p };
				rc = imp_pair(im, &r);
				free(key);
			}
			p = next;
		}
		if (rc == 0 && k == 0)
			rc = imp_error(im, 0, rel, "empty caption file %s", shown);
	}
	free(cause);
	free(data);
	free(shown);
	free(full);
	free(side);
	return rc;
}

int
import_dir(struct imp *im)
{
	int fd = open(im->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return cause_set(im->cause, "%s: %s", im->path, strerror(errno));
	struct dir_walk dw = { .im = im };
	int rc = dir_scan(&dw, fd, "", 0);
	if (dw.n > 0)
		qsort(dw.paths, dw.n, sizeof *dw.paths, dir_cmp);
	for (size_t i = 0; i < dw.n && rc == 0; i++)
		rc = dir_image(im, dw.paths[i]);
	for (size_t i = 0; i < dw.n; i++)
		free(dw.paths[i]);
	free(dw.paths);
	return rc;
}
