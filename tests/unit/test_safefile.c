/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/base/safefile.h: regular files only (a FIFO, a device, a
 * folder and an oversized file are refused without blocking), containment on
 * real paths (symlinks out of a root, links to /, missing files), and the
 * object-name check; objects follow the umask and stale temp files of a
 * killed writer are swept. Fixtures are made in a fresh temp folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/base/objects.h"
#include "core/base/safefile.h"
#include "core/base/sha256.h"
#include "core/base/util.h"
#include "tests/harness.h"

static char dir[] = "/tmp/mmda-safefile.XXXXXX";

static char *
at(const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

static void
put(const char *rel, const char *text)
{
	char *p = at(rel);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	free(p);
}

/* Opens rel with file_open_regular; returns 1 when it was refused with a cause containing want. */
static int
refused(const char *path, size_t max, const char *want)
{
	char *cause = NULL;
	int fd = file_open_regular(path, max, NULL, &cause), ok;

	if (fd >= 0)
		close(fd);
	ok = fd < 0 && cause != NULL && strstr(cause, want) != NULL;
	if (!ok)
		fprintf(stderr, "  %s: %s\n", path, cause ? cause : "(opened)");
	free(cause);
	return ok;
}

static void
test_regular_only(void)
{
	char *fifo = at("fifo"), *big = at("big"), *data, *cause = NULL;
	size_t size = 0, len;
	int fd;

	put("small", "hello");
	put("big", "0123456789");
	CHECK(mkfifo(fifo, 0600) == 0);
	/* Without O_NONBLOCK this open would wait for a writer forever. */
	CHECK(refused(fifo, 100, "is a FIFO"));
	CHECK(refused("/dev/zero", 100, "is a device"));
	CHECK(refused(dir, 100, "is a directory"));
	CHECK(refused(big, 5, "larger than 5 bytes"));
	free(fifo);
	fifo = at("small");
	fd = file_open_regular(fifo, 100, &size, &cause);
	CHECK(fd >= 0 && size == 5 && cause == NULL);
	if (fd >= 0)
		close(fd);
	/* file_read_all goes through the same door. */
	CHECK(file_read_all("/dev/zero", 100, &data, &len, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "device") != NULL);
	free(cause);
	cause = NULL;
	CHECK(file_read_all(big, 10, &data, &len, &cause) == 0 && len == 10);
	free(data);
	CHECK(file_read_all(big, 9, &data, &len, &cause) == -1);
	free(cause);
	free(fifo);
	free(big);
}

static void
test_contain(void)
{
	char *root = at("root"), *out = at("out"), *p, *real = NULL, *cause = NULL;

	CHECK(mkdir(root, 0755) == 0 && mkdir(out, 0755) == 0);
	put("root/in.png", "x");
	put("out/secret.png", "s");
	p = at("root/link.png");
	CHECK(symlink("../out/secret.png", p) == 0);
	CHECK(path_contain(root, p, 0, &real, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "outside the root") != NULL);
	free(cause);
	cause = NULL;
	free(p);
	p = at("root/slash");
	CHECK(symlink("/", p) == 0);
	free(p);
	p = xasprintf("%s/root/slash%s/out/secret.png", dir, dir);
	CHECK(path_contain(root, p, 0, NULL, &cause) == -1);
	free(cause);
	cause = NULL;
	free(p);
	p = at("root/in.png");
	CHECK(path_contain(root, p, 0, &real, &cause) == 0 && real != NULL && cause == NULL);
	CHECK(real != NULL && strstr(real, "/root/in.png") != NULL);
	free(real);
	free(p);
	/* Missing: fine when asked for, judged by the folder it would be in. */
	p = at("root/sub/none.png");
	CHECK(path_contain(root, p, 1, &real, &cause) == 0 && real == NULL);
	CHECK(path_contain(root, p, 0, NULL, &cause) == -1);
	free(cause);
	cause = NULL;
	free(p);
	p = at("root/slash/no/such/file.png");
	CHECK(path_contain(root, p, 1, NULL, &cause) == -1);
	free(cause);
	cause = NULL;
	free(p);
	p = at("root/nodir/../../out/secret.png");
	CHECK(path_contain(root, p, 1, NULL, &cause) == -1);
	free(cause);
	free(p);
	free(root);
	free(out);
}

/*
 * The quick check (the root held open, openat2 refusing every symlink) and
 * the realpath one must agree: a link that stays inside is still followed,
 * one that leads out is refused even as the last component or a folder on
 * the way, and the real path is the one realpath gives.
 */
static void
test_contain_open(void)
{
	char *root = at("root2"), *p, *real = NULL, *cause = NULL, *want;
	size_t size = 0;
	int fd;

	CHECK(mkdir(root, 0755) == 0);
	p = at("root2/sub");
	CHECK(mkdir(p, 0755) == 0);
	free(p);
	put("root2/sub/in.png", "xyz");
	put("secret.png", "s");
	const char *links[][2] = { { "sub", "root2/alias" },
	    { "../../secret.png", "root2/sub/out.png" }, { "..", "root2/up" } };
	for (size_t i = 0; i < 3; i++) {
		p = at(links[i][1]);
		CHECK(symlink(links[i][0], p) == 0);
		free(p);
	}
	p = at("root2/sub/in.png");
	want = realpath(p, NULL);
	CHECK(path_contain_open(root, p, &real, &fd, &size, &cause) == 0 && fd >= 0);
	CHECK(size == 3 && real != NULL && want != NULL && strcmp(real, want) == 0);
	if (fd >= 0)
		close(fd);
	free(real);
	free(p);
	p = at("root2/alias/in.png");
	CHECK(path_contain_open(root, p, &real, &fd, &size, &cause) == 0 && fd >= 0);
	CHECK(real != NULL && want != NULL && strcmp(real, want) == 0);
	if (fd >= 0)
		close(fd);
	free(real);
	free(p);
	free(want);
	const char *out[] = { "root2/sub/out.png", "root2/up/secret.png",
	    "root2/alias/out.png" };
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		p = at(out[i]);
		CHECK(path_contain_open(root, p, &real, &fd, &size, &cause) == -1 && fd == -1);
		CHECK(real == NULL && cause != NULL && strstr(cause, "outside the root") != NULL);
		CHECK(path_contain(root, p, 1, NULL, NULL) == -1);
		free(cause);
		cause = NULL;
		free(p);
	}
	/* Missing, and a folder: contained, nothing to read. */
	p = at("root2/sub/none.png");
	CHECK(path_contain_open(root, p, &real, &fd, &size, &cause) == 0 && fd == -1 &&
	    real == NULL);
	CHECK(path_contain(root, p, 0, NULL, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	free(p);
	p = at("root2/sub");
	CHECK(path_contain_open(root, p, &real, &fd, &size, &cause) == 0 && fd == -1 &&
	    real != NULL);
	free(real);
	free(p);
	free(root);
}

static void
test_hex64(void)
{
	char ok[65];

	memset(ok, 'a', 64);
	ok[64] = '\0';
	CHECK(hex64_valid(ok));
	ok[3] = 'A';
	CHECK(!hex64_valid(ok));
	ok[3] = '/';
	CHECK(!hex64_valid(ok));
	CHECK(!hex64_valid("ab"));
	CHECK(!hex64_valid("../../.."));
	CHECK(!hex64_valid(""));
	CHECK(!hex64_valid(NULL));
}

static void
test_objects_mode_and_sweep(void)
{
	char *store = at("objects"), hex[65], *obj, *sub, *stale, *fresh, *cause = NULL;
	struct timeval old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct stat sb;
	mode_t was = umask(022);
	FILE *f;

	/* What writers killed before their rename left: one long ago, one just now. */
	sha256_hex("pixels", 6, hex);
	sub = xasprintf("%s/%.2s", store, hex);
	CHECK(mkdir(store, 0755) == 0 && mkdir(sub, 0755) == 0);
	stale = xasprintf("%s/.tmp.%s.4242.000000000001", sub, hex + 2);
	fresh = xasprintf("%s/.tmp.%s.4242.000000000002", sub, hex + 2);
	CHECK((f = fopen(stale, "w")) != NULL && fclose(f) == 0);
	CHECK((f = fopen(fresh, "w")) != NULL && fclose(f) == 0);
	CHECK(utimes(stale, old) == 0);
	CHECK(objects_put(store, "pixels", 6, hex, &cause) == 0 && cause == NULL);
	obj = objects_path(store, hex);
	/* mkstemp would have made it 0600: other annotators could not see it. */
	CHECK(stat(obj, &sb) == 0 && (sb.st_mode & 0777) == 0644);
	umask(was);
	CHECK(access(stale, F_OK) != 0);
	CHECK(access(fresh, F_OK) == 0);
	free(sub);
	free(stale);
	free(fresh);
	free(obj);
	free(store);
}

int
main(void)
{
	h_suite = "safefile";
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_regular_only);
	RUN(test_contain);
	RUN(test_contain_open);
	RUN(test_hex64);
	RUN(test_objects_mode_and_sweep);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	HARNESS_END();
}
