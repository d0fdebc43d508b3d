/* SPDX-License-Identifier: MIT */
/* Writing objects durably: temp file, fsync, rename, fsync of the folder. */
#include "core/base/objects.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int
objects_put(const char *dir, const void *data, size_t len, char hex[SHA256_HEX_LEN + 1],
    char **cause)
{
	char *sub, *path, *tmp;
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
	tmp = xasprintf("%s/.tmp.%s.XXXXXX", sub, hex + 2);
	if (mkdir_p1(dir, cause) != 0 || mkdir_p1(sub, cause) != 0)
		goto out;
	if ((fd = mkstemp(tmp)) < 0) {
		cause_set(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
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
	free(sub);
	free(tmp);
	free(path);
	return rc;
}
