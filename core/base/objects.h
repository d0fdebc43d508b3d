/* SPDX-License-Identifier: MIT */
/*
 * The content-addressed object store beside a database ("<db>.objects"):
 * generated images and images taken out of archives, named by the SHA-256 of
 * their bytes as ab/cdef... A file is written to a temp name, fsynced and
 * renamed before any database row names it, so a row never points at a
 * missing or partial file; an orphaned file is harmless.
 */
#ifndef MMDA_OBJECTS_H
#define MMDA_OBJECTS_H

#include <stddef.h>

#include "core/base/sha256.h"

/*
 * Stores data under dir and writes its hash to hex. Storing bytes that are
 * already there does nothing. Returns 0, or -1 with *cause.
 */
int objects_put(const char *dir, const void *data, size_t len, char hex[SHA256_HEX_LEN + 1],
    char **cause);
/* Path of an object; the caller frees it. */
char *objects_path(const char *dir, const char *hex);

#endif
