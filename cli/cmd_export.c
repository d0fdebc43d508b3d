/* SPDX-License-Identifier: MIT */
/* mmda export: a gold subset in a trainer's format, complete or not at all. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/export/exportrun.h"
#include "core/metrics/audit.h"
#include "core/metrics/metrics.h"
#include "core/store.h"
#include "cli/cli.h"

#ifndef MMDA_VERSION
#define MMDA_VERSION "0.1.0"
#endif

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
progress(void *arg, int64_t done)
{
	(void)arg;
	if (done % 1000 == 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "\rexported %" PRId64 "   ", done);
}

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "select", required_argument, NULL, 's' },
		{ "consensus", required_argument, NULL, 'c' },
		{ "fill", required_argument, NULL, 'F' },
		{ "images", required_argument, NULL, 'i' },
		{ "shard-size", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct exportrun_opts o;
	struct exportrun_result res;
	struct sigaction sa;
	struct store *st;
	char *cause = NULL;
	int ch, json = 0, have_format = 0, rc;

	memset(&o, 0, sizeof o);
	o.select.mode = SELECT_GOLD;
	o.select.consensus = "majority";
	o.shard_size = 10000;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (export_format_parse(optarg, &o.format) != 0)
				return cli_usage("export", "unknown format %s", optarg);
			have_format = 1;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 's':
			if (select_mode_parse(optarg, &o.select.mode) != 0)
				return cli_usage("export", "--select is gold, accepted, passing or all");
			break;
		case 'c':
			if (*optarg == '\0')
				return cli_usage("export", "--consensus wants majority, all, any or a name");
			o.select.consensus = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "passing") != 0)
				return cli_usage("export", "--fill takes only passing");
			o.select.fill_passing = 1;
			break;
		case 'i':
			if (export_images_parse(optarg, &o.images) != 0)
				return cli_usage("export", "--images is copy, link or ref");
			break;
		case 'S':
			if (parse_int64(optarg, 1, INT64_MAX, &o.shard_size) != 0)
				return cli_usage("export", "--shard-size wants a positive number");
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("export"));
			return CLI_OK;
		default:
			return cli_usage("export", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1 || !have_format || o.out == NULL)
		return cli_usage("export", "a database, --format and --out are needed");
	if (o.select.fill_passing && o.select.mode != SELECT_GOLD)
		return cli_usage("export", "--fill passing goes with --select gold");
	o.select.defaults = metric_default_scopes();
	o.version = MMDA_VERSION;
	o.database = argv[optind];
	o.stop = &stop;
	o.progress = progress;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((st = cli_open("export", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	/* What an audit measured of the unreviewed part travels with the subset. */
	char *est_text = audit_estimate_text(st);
	o.estimate_json = est_text;
	rc = exportrun(st, &o, &res, &cause);
	free(est_text);
	store_close(st);
	if (isatty(STDERR_FILENO) && res.exported >= 1000)
		fputc('\n', stderr);
	for (size_t i = 0; i < res.nskips; i++)
		cli_error("export", "candidate %" PRId64 " left out: %s", res.skips[i].id,
		    res.skips[i].reason);
	if (rc != 0) {
		exportrun_result_free(&res);
		return cli_fail("export", cause);
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "out", o.out);
		cJSON_AddStringToObject(doc, "format", export_format_name(o.format));
		cli_json_int(doc, "exported", res.exported);
		cli_json_int(doc, "auto_selected", res.auto_selected);
		cli_json_int(doc, "files", res.files);
		cli_json_int(doc, "skipped", res.skipped);
		cli_print_json(doc);
	} else {
		printf("exported %" PRId64 " candidates (%" PRId64 " auto-selected) to ", res.exported,
		    res.auto_selected);
		cli_put_safe(stdout, o.out);
		printf(" as %s, %" PRId64 " files", export_format_name(o.format), res.files);
		if (res.skipped > 0)
			printf("; %" PRId64 " left out (image missing)", res.skipped);
		putchar('\n');
	}
	exportrun_result_free(&res);
	return CLI_OK;
}
