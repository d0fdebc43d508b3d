/* SPDX-License-Identifier: MIT */
/* Several annotators and hosts: mmda next (leased work), conflicts and merge. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "cli/cli.h"
#include "core/base/rng.h"
#include "tui/app.h"

int
cmd_next(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "annotator", required_argument, NULL, 'a' },
		{ "overlap", required_argument, NULL, 'o' },
		{ "lease", required_argument, NULL, 'l' },
		{ "queue", required_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *who = NULL;
	struct store *st;
	struct queue_spec q = { QUEUE_DEFAULT, NULL, NULL, 0, NULL };
	char *cause = NULL, op[64];
	int64_t overlap = 1, lease = 600, id = 0;
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			who = optarg;
			break;
		case 'o':
			if (parse_int64(optarg, 1, 100, &overlap) != 0)
				return cli_usage("next", "--overlap wants a number from 1 to 100");
			break;
		case 'l':
			if (parse_int64(optarg, 1, 86400 * 7, &lease) != 0)
				return cli_usage("next", "--lease wants seconds, 1 to 604800");
			break;
		case 'q':
			if (queue_parse(optarg, &q, op, sizeof op) != 0)
				return cli_usage("next", "unknown queue %s (mmda review --help lists "
				    "them)", optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("next"));
			return CLI_OK;
		default:
			return cli_usage("next", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("next", "one database path is needed");
	who = cli_annotator(who);
	if ((st = cli_open("next", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	q.seed = rng_derive(0, who);
	rc = q.kind == QUEUE_DEFAULT ?
	    store_lease_next(st, who, (int)overlap, (int)lease, &id, &cause) :
	    store_lease_next_in(st, &q, who, (int)overlap, (int)lease, &id, &cause);
	store_close(st);
	if (rc < 0)
		return cli_fail("next", cause);
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		if (rc == 1)
			cli_json_int(doc, "candidate", id);
		else
			cJSON_AddNullToObject(doc, "candidate");
		cJSON_AddStringToObject(doc, "annotator", who);
		cli_print_json(doc);
	} else if (rc == 1)
		printf("%" PRId64 "\n", id);
	else
		printf("nothing left for this annotator\n");
	return CLI_OK;
}

int
cmd_conflicts(int argc, char **argv)
{
	struct conflict *c;
	struct store *st;
	size_t n;
	char *cause = NULL;
	int json = 0, rc;

	if ((rc = cli_parse_plain("conflicts", argc, argv, &json)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind != 1)
		return cli_usage("conflicts", "one database path is needed");
	if ((st = cli_open("conflicts", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	if (store_conflicts(st, &c, &n, &cause) != 0) {
		store_close(st);
		return cli_fail("conflicts", cause);
	}
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject(), *ds;
			cli_json_int(o, "id", c[i].id);
			cJSON_AddStringToObject(o, "aug_id", c[i].aug_id);
			cJSON_AddStringToObject(o, "op", c[i].op);
			ds = cJSON_AddArrayToObject(o, "decisions");
			for (size_t k = 0; k < c[i].nd; k++) {
				cJSON *d = cJSON_CreateObject();
				cJSON_AddStringToObject(d, "annotator", c[i].d[k].annotator);
				cJSON_AddStringToObject(d, "answer", answer_name(c[i].d[k].answer));
				cJSON_AddItemToArray(ds, d);
			}
			cJSON_AddItemToArray(arr, o);
		}
		cli_print_json(arr);
	} else {
		for (size_t i = 0; i < n; i++) {
			printf("%" PRId64 " %.12s %-10s", c[i].id, c[i].aug_id, c[i].op);
			for (size_t k = 0; k < c[i].nd; k++) {
				printf(" ");
				cli_put_safe(stdout, c[i].d[k].annotator);
				printf("=%s", answer_name(c[i].d[k].answer));
			}
			putchar('\n');
		}
		printf("%zu conflicts\n", n);
	}
	conflicts_free(c, n);
	store_close(st);
	return CLI_OK;
}

int
cmd_merge(int argc, char **argv)
{
	struct store_merge_result r, total;
	struct store *st;
	char *cause = NULL;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "trust-roots", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, flags = 0, rc = CLI_OK, ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 't':
			flags |= STORE_MERGE_TRUST_ROOTS;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("merge"));
			return CLI_OK;
		default:
			return cli_usage("merge", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cli_usage("merge", "a destination and at least one source are needed");
	if ((st = cli_open("merge", argv[optind], STORE_CREATE)) == NULL)
		return CLI_ERROR;
	memset(&total, 0, sizeof total);
	for (int i = optind + 1; i < argc; i++) {
		if (store_merge(st, argv[i], flags, &r, &cause) != 0) {
			rc = cli_fail("merge", cause);
			cause = NULL;
			continue;
		}
		total.candidates += r.candidates;
		total.existing += r.existing;
		total.decisions += r.decisions;
		total.objects += r.objects;
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		cli_json_int(doc, "candidates", total.candidates);
		cli_json_int(doc, "existing", total.existing);
		cli_json_int(doc, "decisions", total.decisions);
		cli_json_int(doc, "objects", total.objects);
		cli_print_json(doc);
	} else
		printf("merged %" PRId64 " new candidates (%" PRId64 " already here), %" PRId64
		       " decisions, %" PRId64 " image files\n", total.candidates, total.existing,
		    total.decisions, total.objects);
	store_close(st);
	return rc;
}
