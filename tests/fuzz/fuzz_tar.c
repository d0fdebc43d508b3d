/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the WebDataset reader: each input is a shard (ustar,
 * GNU long names, pax headers, base-256 sizes), read member by member into
 * samples whose image bytes and caption the sink reads through. Built by
 * `make fuzz` only.
 */
#include "tests/fuzz/fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *path = fuzz_input_file("shard.tar", data, len);

	if (path != NULL)
		fuzz_read(path, IMPORT_WDS);
	return 0;
}
