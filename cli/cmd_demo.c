/* SPDX-License-Identifier: MIT */
/*
 * mmda demo: a ready-made project from the bundled sample pairs, so a new
 * user sees mmda work before bringing a dataset: the pairs, a flip and a
 * MixGen of each, and their scores; then the review screen on a terminal,
 * or the project's stats when there is none (scripts, CI).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ops/augment.h"
#include "core/ingest/ingest.h"
#include "core/ops/ops.h"
#include "core/metrics/score.h"
#include "core/store.h"
#include "cli/cli.h"

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
	/* A few augmentations and their scores, so there is something to review. */
	static const char *const demo_ops[] = { "hflip", "mixgen" };
	for (size_t i = 0; i < 2; i++) {
		struct augment_opts ao;
		struct augment_result ar;
		memset(&ao, 0, sizeof ao);
		ao.op = op_find(demo_ops[i]);
		ao.jobs = 2;
		if (augment_run(st, &ao, &ar, &cause) != 0) {
			augment_result_free(&ar);
			rc = cli_fail("demo", cause);
			goto out;
		}
		augment_result_free(&ar);
	}
	struct score_opts so;
	struct score_result sr;
	memset(&so, 0, sizeof so);
	so.jobs = 2;
	if (score_run(st, &so, &sr, &cause) != 0) {
		score_result_free(&sr);
		rc = cli_fail("demo", cause);
		goto out;
	}
	score_result_free(&sr);
	printf("demo project: %s (%lld new pairs, %lld already there, with flips, MixGens and "
	    "scores)\n", db, (long long)res.imported, (long long)res.existing);
	store_close(st);
	st = NULL;
	optind = 0;
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		char *args[] = { (char *)"review", db, NULL };
		rc = cmd_review(2, args);
	} else {
		char *args[] = { (char *)"stats", db, NULL };
		/* The command that works from here: make demo's binary is ./mmda, not on PATH. */
		const char *me = strchr(cli_program, '/') != NULL ? cli_program : "mmda";
		printf("next: %s review %s (the review screen), %s stats %s\n\n", me, db, me, db);
		rc = cmd_stats(2, args);
	}
out:
	ingest_result_free(&res);
	store_close(st);
	free(manifest);
	free(db);
	return rc;
}
