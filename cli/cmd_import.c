/* SPDX-License-Identifier: MIT */
/* mmda import: read sources into the store and report what was skipped and why. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/ingest.h"
#include "core/store.h"
#include "cli/cli.h"

struct report {
	int json;
};

/* Human mode prints every bad record as it is found, so a long import shows
 * its problems at once; --json gathers them into the document instead. */
static void
report(void *arg, const struct ingest_error *e)
{
	struct report *r = arg;

	if (r->json)
		return;
	fputs("mmda: import: ", stderr);
	cli_put_safe(stderr, e->source);
	if (e->line > 0)
		fprintf(stderr, ":%ld", e->line);
	if (e->key != NULL) {
		fputs(e->line > 0 ? " (" : ": ", stderr);
		cli_put_safe(stderr, e->key);
		fputs(e->line > 0 ? ")" : "", stderr);
	}
	fputs(": ", stderr);
	cli_put_safe(stderr, e->reason);
	fputc('\n', stderr);
}

static cJSON *
errors_json(const struct ingest_result *res)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < res->nerrors; i++) {
		const struct ingest_error *e = &res->errors[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "source", e->source);
		if (e->line > 0)
			cli_json_int(o, "line", e->line);
		if (e->key != NULL)
			cJSON_AddStringToObject(o, "key", e->key);
		cJSON_AddStringToObject(o, "reason", e->reason);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "root", required_argument, NULL, 'r' },
		{ "strict", no_argument, NULL, 's' },
		{ "verify", no_argument, NULL, 'v' },
		{ "max-pixels", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_opts opts;
	struct ingest_result res;
	struct report rep = { 0 };
	struct store *st;
	cJSON *failed;
	int64_t v;
	int ch, rc = CLI_OK;

	memset(&opts, 0, sizeof opts);
	memset(&res, 0, sizeof res);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (import_format_parse(optarg, &opts.format) != 0)
				return cli_usage("import", "unknown format %s", optarg);
			break;
		case 'r':
			opts.root = optarg;
			break;
		case 's':
			opts.strict = 1;
			break;
		case 'v':
			opts.verify = 1;
			break;
		case 'm':
			if (parse_int64(optarg, 1, INT64_MAX, &v) != 0)
				return cli_usage("import", "--max-pixels wants a positive number");
			opts.max_pixels = (uint64_t)v;
			break;
		case 'j':
			rep.json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("import"));
			return CLI_OK;
		default:
			return cli_usage("import", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cli_usage("import", "a database and at least one source are needed");
	opts.report = report;
	opts.arg = &rep;

	if ((st = cli_open("import", argv[optind], STORE_CREATE)) == NULL)
		return CLI_ERROR;
	failed = cJSON_CreateArray();
	for (int i = optind + 1; i < argc; i++) {
		char *cause = NULL;
		if (ingest_source(st, argv[i], &opts, &res, &cause) != 0) {
			/* One unreadable source does not stop the others (unless --strict). */
			rc = CLI_ERROR;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "source", argv[i]);
			cJSON_AddStringToObject(o, "reason", cause ? cause : "failed");
			cJSON_AddItemToArray(failed, o);
			cli_fail("import", cause);
			if (opts.strict)
				break;
		}
	}
	if (rep.json) {
		cJSON *doc = cJSON_CreateObject();
		cli_json_int(doc, "imported", res.imported);
		cli_json_int(doc, "skipped", res.skipped);
		cli_json_int(doc, "existing", res.existing);
		cJSON *errs = errors_json(&res);
		cJSON *o;
		while ((o = cJSON_DetachItemFromArray(failed, 0)) != NULL)
			cJSON_AddItemToArray(errs, o);
		cJSON_AddItemToObject(doc, "errors", errs);
		if ((int64_t)res.nerrors < res.skipped)
			cJSON_AddTrueToObject(doc, "errors_truncated");
		cli_print_json(doc);
	} else {
		printf("imported %lld, existing %lld, skipped %lld\n", (long long)res.imported,
		    (long long)res.existing, (long long)res.skipped);
	}
	cJSON_Delete(failed);
	ingest_result_free(&res);
	store_close(st);
	return rc;
}
