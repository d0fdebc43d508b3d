/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the image readers (PNG, JPEG, WebP, GIF, EXIF): the
 * header probe and the full decode, under a small pixel limit so a hostile
 * header that claims a huge size is refused, not allocated. Built by
 * `make fuzz` only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct image_opts o = { 4u * 1000u * 1000u, 0, 0, 0 };
	struct image_info info;
	struct image img;
	char *cause = NULL;

	if (image_probe_mem(data, len, "fuzz", &info, &cause) != 0)
		free(cause);
	cause = NULL;
	if (image_load_mem(data, len, "fuzz", &o, &img, &cause) == 0)
		image_free(&img);
	free(cause);
	return 0;
}
