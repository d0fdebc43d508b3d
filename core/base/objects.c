/* SPDX-License-Identifier: MIT */
/* Writing objects durably: temp file, fsync, rename, fsync of the folder. */
#include "core/base/objects.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/safefile.h"
#include "core/base/util.h"

char *
objects_path(const char *dir, const char *hex)
{
	return xasprintf("%s/%.2s/%s", dir, hex, hex + 2);
}

static int
mkdir_p1(const char *path, char **cause)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	return cause_set(cause, "%s: %s", path, strerror(errno));
}

static int
sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * A writer killed between its temp file and the rename (SIGKILL, power loss)
 * leaves a ".tmp." file that nothing names. One older than an hour cannot be
 * a write in progress (an object is written in well under a second), so it
 * goes. Each folder is swept the first time this process writes into it,
 * which costs a directory read, not a stat per object.
 */
#define STALE_TMP_SECONDS 3600

static void
sweep_tmp(const char *sub, const char *hex)
{
	static atomic_uchar swept[256];
	unsigned idx = (unsigned)strtoul((char[3]){ hex[0], hex[1], '\0' }, NULL, 16) & 255;
	time_t now = time(NULL);
	struct dirent *e;
	DIR *d;

	if (atomic_exchange(&swept[idx], 1) != 0 || (d = opendir(sub)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		if (strncmp(e->d_name, ".tmp.", 5) != 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode) && now - sb.st_mtime > STALE_TMP_SECONDS)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

int
objects_put(const char *dir, const void *data, size_t len, char hex[SHA256_HEX_LEN + 1],
    char **cause)
{
	char *sub, *path, *prefix = NULL, *tmp = NULL;
	struct stat sb;
	int fd, rc = -1;
	const char *p = data;
	size_t left = len;

	sha256_hex(data, len, hex);
	path = objects_path(dir, hex);
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == len) {
		free(path);
		return 0;
	}
	sub = xasprintf("%s/%.2s", dir, hex);
	prefix = xasprintf("%s/.tmp.%s", sub, hex + 2);
	if (mkdir_p1(dir, cause) != 0 || mkdir_p1(sub, cause) != 0)
		goto out;
	/* Not mkstemp: objects follow the umask like the database beside them. */
	sweep_tmp(sub, hex);
	if ((fd = file_create_unique(prefix, &tmp, cause)) < 0)
		goto out;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cause_set(cause, "%s: %s", tmp, w < 0 ? strerror(errno) : "short write");
			close(fd);
			unlink(tmp);
			goto out;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		cause_set(cause, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	sync_dir(sub);
	rc = 0;
out:
	free(prefix);
	free(sub);
	free(tmp);
	free(path);
	return rc;
}
