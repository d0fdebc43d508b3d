/* SPDX-License-Identifier: MIT */
/*
 * aug_id (a contract): the content hash that names a candidate on every host.
 * Equal inputs give equal ids, so re-running an augmentation creates nothing
 * new and databases merge on it. Fields are length-prefixed before hashing so
 * that no two different field lists can produce the same byte stream.
 */
#ifndef MMDA_AUGID_H
#define MMDA_AUGID_H

#include <stdint.h>

#include "core/base/sha256.h"

/* An original: its image path relative to the dataset root, and its text. */
void augid_original(const char *rel_image, const char *text, char out[SHA256_HEX_LEN + 1]);

/*
 * An original that shares its path and text with a different pair already
 * stored (another image at the same relative path under another root): named
 * by its content (hex sha256 of the image bytes) and text, or, when its
 * bytes cannot be read, by where it is (absolute root + path) and text.
 * The common case keeps augid_original, so ids of databases made before
 * content identity stay valid.
 */
void augid_original_content(const char *content, const char *where, const char *text,
    char out[SHA256_HEX_LEN + 1]);

/*
 * A derived candidate: the parents' aug_ids in order, the op, its version,
 * its canonical params (JSON), the seed (has_seed 0: none) and the model
 * (NULL for built-in ops).
 */
void augid_derived(const char *const *parents, int nparents, const char *op, int op_version,
    const char *params, int has_seed, int64_t seed, const char *model,
    char out[SHA256_HEX_LEN + 1]);

#endif
