/* SPDX-License-Identifier: MIT */
/*
 * The partner of a two-parent op. Two captions of one image mixed with each
 * other give the image back unchanged (MixGen at ssim 1.0) and two captions
 * that describe it, so a partner never shows the same image as the pair:
 * not the same file, not the same object, not the same bytes under another
 * name; nor an image that cannot be read, which could only fail. Each op
 * draws from its own stream (the op's name is in the label), so cutmix and
 * mixgen with one seed do not pick the same partner and repeat each
 * other's captions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/rng.h"
#include "core/base/sha256.h"
#include "core/base/util.h"
#include "core/image/image.h"
#include "core/ops/augment_priv.h"

/* Draws before the search turns into a scan: most samples repeat few images. */
#define PAIR_DRAWS 64

const char *
augment_image_key(struct batch *b, size_t i)
{
	struct candidate c;
	char hex[SHA256_HEX_LEN + 1], *path, *why = NULL;

	if (b->imgkey == NULL)
		b->imgkey = xcalloc(b->noriginals, sizeof *b->imgkey);
	if (b->imgkey[i] != NULL)
		return b->imgkey[i];
	memset(&c, 0, sizeof c);
	if (store_candidate_get(b->st, b->originals[i], &c, &why) != 0) {
		free(why);
		b->imgkey[i] = xstrdup("");
		return b->imgkey[i];
	}
	/* An object is named by the SHA-256 of its bytes, like a hashed file. */
	path = store_candidate_image(b->st, &c);
	if (c.object != NULL)
		b->imgkey[i] = xstrdup(c.object);
	else
		b->imgkey[i] = xstrdup(path != NULL && sha256_file(path, hex) == 0 ? hex : "");
	/* A file that is gone, or whose header does not decode, would only fail the
	 * pair it joins. */
	struct image_info info;
	if (*b->imgkey[i] == '\0' && why == NULL)
		why = xasprintf("%s: cannot be read", path != NULL ? path : "no image");
	else if (*b->imgkey[i] != '\0' && image_probe_file(path, &info, &why) != 0) {
		free(b->imgkey[i]);
		b->imgkey[i] = xstrdup("");
	}
	if (*b->imgkey[i] == '\0') {
		b->unreadable = b->unreadable ? b->unreadable :
		    xcalloc(b->noriginals, sizeof *b->unreadable);
		b->unreadable[i] = why != NULL ? why : xstrdup("its image cannot be read");
		why = NULL;
	}
	free(why);
	free(path);
	candidate_free(&c);
	return b->imgkey[i];
}

int
augment_same_image(struct batch *b, size_t i, const struct candidate *c)
{
	const char *mine = augment_image_key(b, i);

	if (*mine == '\0')
		return 0; /* unreadable: it fails as a parent, with its own reason */
	for (size_t k = 0; k < b->noriginals; k++) {
		if (b->originals[k] == c->id)
			return strcmp(augment_image_key(b, k), mine) == 0;
	}
	return c->object != NULL && strcmp(c->object, mine) == 0;
}

/* Whether original k may partner original i: its image is readable and another.
 * One that cannot be read is listed once in the result, with why. */
static int
pair_fits(struct batch *b, size_t i, size_t k)
{
	const char *key = augment_image_key(b, k);

	if (*key == '\0' && b->unreadable != NULL && b->unreadable[k] != NULL) {
		struct augment_result *res = b->res;
		res->partner_skips = xreallocarray(res->partner_skips, res->npartner_skips + 1,
		    sizeof *res->partner_skips);
		res->partner_skips[res->npartner_skips].id = b->originals[k];
		res->partner_skips[res->npartner_skips++].reason = b->unreadable[k];
		b->unreadable[k] = NULL; /* the result owns it now; listed once */
	}
	return *key != '\0' && strcmp(key, augment_image_key(b, i)) != 0;
}

int64_t
augment_pick_partner(struct batch *b, size_t i, const char *aug_id)
{
	struct rng r;
	char *label;
	size_t k, n = b->noriginals, d;

	if (b->partner != 0)
		return b->partner;
	if (n < 2)
		return 0;
	label = xasprintf("%s/partner/%s", b->opts->op->name, aug_id);
	rng_seed(&r, rng_derive((uint64_t)b->opts->seed, label));
	free(label);
	for (d = 0; d < PAIR_DRAWS; d++) {
		k = (size_t)rng_below(&r, n - 1);
		k = k >= i ? k + 1 : k;
		if (pair_fits(b, i, k))
			return b->originals[k];
	}
	/* Nearly every original shows this image (or none): the next one that fits. */
	for (d = 1; d < n; d++) {
		k = (i + d) % n;
		if (pair_fits(b, i, k))
			return b->originals[k];
	}
	return 0;
}
