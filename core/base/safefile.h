/* SPDX-License-Identifier: MIT */
/*
 * The two trust boundaries every reader of dataset files goes through. Paths
 * in manifests, archives and merged databases come from whoever made them:
 * a symlink inside a dataset root may point anywhere, and a "file" may be a
 * FIFO, a socket or a device that blocks a reader forever or never ends.
 */
#ifndef MMDA_SAFEFILE_H
#define MMDA_SAFEFILE_H

#include <stddef.h>

/*
 * Opens path for reading only when it is a regular file of at most max bytes
 * (after following symlinks, so a link to /dev/zero or a FIFO is refused).
 * The open itself never blocks (O_NONBLOCK; cleared once the file is known
 * to be regular). Returns the descriptor (the caller closes it) and its size
 * in *size (may be NULL), or -1 with *cause "PATH: why".
 */
int file_open_regular(const char *path, size_t max, size_t *size, char **cause);

/*
 * Checks that path, with every symlink resolved, lies inside root (also
 * resolved): the check is on the real paths, not the text. With missing_ok,
 * a path that does not exist yet is judged by its deepest existing folder.
 * Returns 0 when contained (*real, when not NULL, gets the malloc'd real
 * path, or NULL when the file is missing), or -1 with *cause "PATH: why"
 * (outside the root, or the root or path cannot be resolved).
 */
int path_contain(const char *root, const char *path, int missing_ok, char **real,
    char **cause);

/*
 * path_contain(root, path, missing_ok = 1, real, cause) that also opens the
 * file it judged: *fd is a read-only descriptor (the caller closes it; it
 * keeps O_NONBLOCK, which a regular file ignores) and *size its size when
 * path is a regular file, else *fd is -1 (missing, a FIFO, a folder, no
 * permission). Returns 0 when contained (*real as path_contain gives it:
 * malloc'd, NULL when missing), or -1 with *cause (*fd -1, *real NULL).
 */
int path_contain_open(const char *root, const char *path, char **real, int *fd, size_t *size,
    char **cause);

/*
 * Creates a new file for writing named prefix + "." + a unique suffix, with
 * the mode open(2) gives any new file (0666 less the umask; mkstemp's 0600
 * would hide images from the other annotators of a shared host). Returns the
 * descriptor and *path (malloc'd; the caller closes, frees, and unlinks it if
 * it is not kept), or -1 with *cause and errno set.
 */
int file_create_unique(const char *prefix, char **path, char **cause);

/* Returns 1 when s is exactly 64 lowercase hex digits (an object's name), else 0. */
int hex64_valid(const char *s);

#endif
