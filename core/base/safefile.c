/* SPDX-License-Identifier: MIT */
/*
 * Regular files only, and real paths only: see safefile.h for why. A textual
 * check of "root/x/../y" cannot see that x is a symlink to /, so containment
 * compares what realpath(3) says about both sides. That cost five readlinks a
 * file (eleven for a missing one), most of an import or export: so the root
 * is resolved once and held open, and a path with no symlink on the way is
 * settled by one openat2 beneath it; a symlink anywhere (even one that stays
 * inside) makes that fail and the realpath comparison decides, as before.
 */
/* O_PATH: a folder held open to resolve beneath, never read. */
#define _GNU_SOURCE
#include "core/base/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
 * realpath(root), remembered per thread for the last root asked, with the
 * folder itself kept open: import and export check every record against the
 * same root, and resolving it each time doubled the cost of an import.
 */
struct root_cache {
	char last[PATH_MAX], resolved[PATH_MAX];
	int fd; /* the resolved folder (O_PATH), -1 when not open */
};
static _Thread_local struct root_cache root_cache = { "", "", -1 };
static pthread_key_t root_key;
static pthread_once_t root_once = PTHREAD_ONCE_INIT;
static atomic_int no_openat2;

/* A worker thread that checked paths closes its root when it ends. */
static void
root_cache_drop(void *arg)
{
	struct root_cache *c = arg;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void
root_key_make(void)
{
	pthread_key_create(&root_key, root_cache_drop);
}

/* openat2 (Linux 5.6); ENOSYS elsewhere, and the callers fall back to realpath. */
static int
open_beneath(int dir, const char *rel, int flags, unsigned long long resolve)
{
	struct open_how how;

	if (atomic_load(&no_openat2)) {
		errno = ENOSYS;
		return -1;
	}
	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)flags;
	how.resolve = resolve;
	int fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof how);
	if (fd < 0 && errno == ENOSYS)
		atomic_store(&no_openat2, 1);
	return fd;
}

/* The cached root entry for root, resolved now when it is another; NULL with errno. */
static struct root_cache *
root_entry(const char *root)
{
	struct root_cache *c = &root_cache;
	size_t n = strlen(root);
	char *r;

	if (n < sizeof c->last && c->last[0] != '\0' && strcmp(c->last, root) == 0)
		return c;
	if ((r = realpath(root, NULL)) == NULL)
		return NULL;
	if (n >= sizeof c->last || strlen(r) >= sizeof c->resolved) {
		free(r);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	/* No symlink on the way: the folder opened is the one the resolved text names. */
	c->fd = open_beneath(AT_FDCWD, r, O_PATH | O_DIRECTORY | O_CLOEXEC,
	    RESOLVE_NO_SYMLINKS);
	if (c->fd >= 0) {
		pthread_once(&root_once, root_key_make);
		pthread_setspecific(root_key, c);
	}
	memcpy(c->last, root, n + 1);
	memcpy(c->resolved, r, strlen(r) + 1);
	free(r);
	return c;
}

/* realpath(root) through the cache; the caller frees the copy. */
static char *
real_root(const char *root)
{
	struct root_cache *c = root_entry(root);

	if (c != NULL)
		return xstrdup(c->resolved);
	/* A root too long to cache is still a root. */
	return errno == ENAMETOOLONG ? realpath(root, NULL) : NULL;
}

/* Is rel a plain relative path: no empty, "." or ".." component, no leading slash? */
static int
plain_relative(const char *rel)
{
	const char *p = rel;

	if (*p == '\0')
		return 0;
	for (;;) {
		const char *e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		size_t len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (*e == '\0')
			return 1;
		p = e + 1;
	}
}

/*
 * The quick answer for path = root "/" rel (rel plain): opens rel beneath
 * the open root refusing every symlink on the way, the last component
 * included. Where that works the answer is certain and the same as the
 * realpath comparison's: 1 (the file is there, *fd open with flags when fd is
 * not NULL, *real = resolved root "/" rel), 0 (missing: a folder on the way
 * or the file itself is absent, and everything before it is a real folder
 * inside the root). -1 when only the full resolution can tell (a symlink,
 * even one that stays inside; no openat2; an odd path).
 */
static int
contain_quick(const char *root, const char *path, int flags, int *fd, char **real)
{
	size_t n = strlen(root);
	struct root_cache *c;

	if (strncmp(path, root, n) != 0 || path[n] != '/' || !plain_relative(path + n + 1))
		return -1;
	if ((c = root_entry(root)) == NULL || c->fd < 0)
		return -1;
	/* No O_NOFOLLOW: with O_PATH it would open a final symlink itself instead of failing. */
	int f = open_beneath(c->fd, path + n + 1, flags | O_CLOEXEC,
	    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (f < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (fd != NULL)
		*fd = f;
	else
		close(f);
	if (real != NULL)
		*real = xasprintf("%s/%s", strcmp(c->resolved, "/") == 0 ? "" : c->resolved,
		    path + n + 1);
	return 1;
}

int
path_contain(const char *root, const char *path, int missing_ok, char **real, char **cause)
{
	char *rroot, *rpath;
	int whole, err = 0, rc = 0;

	if (real != NULL)
		*real = NULL;
	switch (contain_quick(root, path, O_PATH, NULL, real)) {
	case 1:
		return 0;
	case 0:
		return missing_ok ? 0 : cause_set(cause, "%s: %s", path, strerror(ENOENT));
	}
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
path_contain_open(const char *root, const char *path, char **real, int *fd, size_t *size,
    char **cause)
{
	struct stat st;
	int f = -1;

	*real = NULL;
	*fd = -1;
	/* The file opened is the one judged: no second walk of the path to race with. */
	switch (contain_quick(root, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, &f, real)) {
	case 1:
		if (fstat(f, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0) {
			*fd = f;
			*size = (size_t)st.st_size;
		} else
			close(f);
		return 0;
	case 0:
		return 0;
	}
	if (path_contain(root, path, 1, real, cause) != 0)
		return -1;
	if (*real != NULL)
		*fd = file_open_regular(*real, SIZE_MAX, size, NULL);
	return 0;
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
