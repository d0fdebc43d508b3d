/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the manifest readers: one input is read as JSONL (or
 * a JSON array), CSV/TSV, COCO, LLaVA and Data-Juicer, and once with the
 * format guessed from its first bytes, as `mmda import` would. Built by
 * `make fuzz` only.
 */
#include "tests/fuzz/fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum import_format fmts[] = {
		IMPORT_JSONL, IMPORT_CSV, IMPORT_COCO, IMPORT_LLAVA, IMPORT_DJ, IMPORT_AUTO,
	};
	/* No extension: the guess rests on the bytes alone. */
	const char *path = fuzz_input_file("manifest", data, len);

	if (path == NULL)
		return 0;
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
		fuzz_read(path, fmts[i]);
	return 0;
}
