/* SPDX-License-Identifier: MIT */
/*
 * mmda demo: a ready-made project from the bundled sample pairs, so a new
 * user sees mmda work before bringing a dataset. Until the review screen
 * lands it prints the project's stats.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ingest.h"
#include "core/store.h"
#include "tui/cli.h"

#ifndef MMDA_SAMPLE_DIR
#define MMDA_SAMPLE_DIR "tests/data/sample"
#endif

int
cmd_demo(int argc, char **argv)
{
	const char *dir = "mmda-demo", *sample = getenv("MMDA_SAMPLE");
	struct ingest_opts opts;
	struct ingest_result res;
	struct store *st;
	char *db, *manifest, *cause = NULL;
	int rc;

	if ((rc = cli_parse_plain("demo", argc, argv, NULL)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind > 1)
		return cli_usage("demo", "at most one folder");
	if (argc - optind == 1)
		dir = argv[optind];
	if (sample == NULL || *sample == '\0')
		sample = MMDA_SAMPLE_DIR;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return cli_error("demo", "%s: %s", dir, strerror(errno));

	manifest = xasprintf("%s/captions.jsonl", sample);
	db = xasprintf("%s/demo.db", dir);
	memset(&opts, 0, sizeof opts);
	memset(&res, 0, sizeof res);
	opts.verify = 1;
	rc = CLI_OK;
	if ((st = cli_open("demo", db, STORE_CREATE)) == NULL) {
		rc = CLI_ERROR;
		goto out;
	}
	if (ingest_source(st, manifest, &opts, &res, &cause) != 0) {
		rc = cli_fail("demo", cause);
		goto out;
	}
	printf("demo project: %s (%lld new pairs, %lld already there)\n", db,
	    (long long)res.imported, (long long)res.existing);
	printf("next: mmda stats %s, mmda show %s chelsea-1, mmda decide %s chelsea-1 accept\n\n",
	    db, db, db);
	store_close(st);
	st = NULL;
	{
		char *args[] = { (char *)"stats", db, NULL };
		optind = 0;
		rc = cmd_stats(2, args);
	}
out:
	ingest_result_free(&res);
	store_close(st);
	free(manifest);
	free(db);
	return rc;
}
