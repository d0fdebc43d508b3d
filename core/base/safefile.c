/* SPDX-License-Identifier: MIT */
/*
 * Regular files only, and real paths only: see safefile.h for why. A textual
 * check of "root/x/../y" cannot see that x is a symlink to /, so containment
 * compares what realpath(3) says about both sides.
 */
#include "core/base/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/util.h"

static const char *
kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "is a directory, not a regular file";
	if (S_ISFIFO(m))
		return "is a FIFO, not a regular file";
	if (S_ISSOCK(m))
		return "is a socket, not a regular file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "is a device, not a regular file";
	return "is not a regular file";
}

int
file_open_regular(const char *path, size_t max, size_t *size, char **cause)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return cause_set(cause, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cause_set(cause, "%s: %s", path, kind_of(st.st_mode));
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > (uintmax_t)max) {
		close(fd);
		return cause_set(cause, "%s: larger than %zu bytes", path, max);
	}
	/* A regular file never blocks, but callers expect ordinary reads. */
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if (size != NULL)
		*size = (size_t)st.st_size;
	return fd;
}

/* Does path have a ".." component? */
static int
has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

/* Is real (a resolved path) root itself or below it? */
static int
under(const char *rroot, const char *real)
{
	size_t n = strlen(rroot);
	if (n == 1 && rroot[0] == '/')
		return real[0] == '/';
	return strncmp(real, rroot, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

/*
 * realpath of the deepest existing ancestor of path (path itself when it
 * exists); *whole says whether that was path itself.
 */
static char *
resolve_existing(const char *path, int *whole, int *err)
{
	char *p = xstrdup(path), *r;

	*whole = 1;
	for (;;) {
		if ((r = realpath(p, NULL)) != NULL)
			break;
		char *slash = strrchr(p, '/');
		if (errno != ENOENT && errno != ENOTDIR) {
			*err = errno;
			break;
		}
		*whole = 0;
		if (slash == NULL || slash == p) {
			/* Relative paths are judged from the working folder, "/x" from "/". */
			r = realpath(slash == p ? "/" : ".", NULL);
			if (r == NULL)
				*err = errno;
			break;
		}
		*slash = '\0';
	}
	free(p);
	return r;
}

/*
 * realpath(root), remembered per thread for the last root asked: import and
 * export check every record against the same root, and resolving it each
 * time doubled the cost of an import. The caller frees the copy it gets.
 */
static char *
real_root(const char *root)
{
	static _Thread_local char last[PATH_MAX], resolved[PATH_MAX];
	size_t n = strlen(root);
	char *r;

	if (n < sizeof last && last[0] != '\0' && strcmp(last, root) == 0)
		return xstrdup(resolved);
	if ((r = realpath(root, NULL)) == NULL)
		return NULL;
	if (n < sizeof last && strlen(r) < sizeof resolved) {
		memcpy(last, root, n + 1);
		memcpy(resolved, r, strlen(r) + 1);
	}
	return r;
}

int
path_contain(const char *root, const char *path, int missing_ok, char **real, char **cause)
{
	char *rroot, *rpath;
	int whole, err = 0, rc = 0;

	if (real != NULL)
		*real = NULL;
	if ((rroot = real_root(root)) == NULL) {
		/* A root that is gone holds no file, so nothing in it can lead out. */
		if (missing_ok && errno == ENOENT && !has_dotdot(path) &&
		    access(path, F_OK) != 0)
			return 0;
		return cause_set(cause, "%s: %s", root, strerror(errno));
	}
	if ((rpath = resolve_existing(path, &whole, &err)) == NULL) {
		free(rroot);
		return cause_set(cause, "%s: %s", path, strerror(err ? err : ENOENT));
	}
	if (!under(rroot, rpath))
		rc = cause_set(cause, "%s: resolves to %s, outside the root %s", path, rpath,
		    root);
	else if (!whole && !missing_ok)
		rc = cause_set(cause, "%s: %s", path, strerror(ENOENT));
	else if (!whole && has_dotdot(path))
		/* What ".." after a missing folder means is not known until it exists. */
		rc = cause_set(cause, "%s: has \"..\" after a missing folder", path);
	if (rc == 0 && whole && real != NULL) {
		*real = rpath;
		rpath = NULL;
	}
	free(rpath);
	free(rroot);
	return rc;
}

int
file_create_unique(const char *prefix, char **path, char **cause)
{
	static atomic_uint counter;
	struct timespec ts;

	for (int tries = 0; tries < 100; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned n = atomic_fetch_add(&counter, 1);
		uint64_t x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)getpid() << 32 ^ n;
		char *p = xasprintf("%s.%ld.%012llx", prefix, (long)getpid(),
		    (unsigned long long)(x & 0xffffffffffffULL));
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*path = p;
			return fd;
		}
		int e = errno;
		if (e != EEXIST) {
			cause_set(cause, "%s: %s", p, strerror(e));
			free(p);
			errno = e;
			return -1;
		}
		free(p);
	}
	cause_set(cause, "%s: no free temporary name", prefix);
	errno = EEXIST;
	return -1;
}

int
hex64_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}
