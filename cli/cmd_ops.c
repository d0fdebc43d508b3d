/* SPDX-License-Identifier: MIT */
/* mmda ops (the operator table) and mmda augment (a batch of one operator). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ops/augment.h"
#include "core/models/backend.h"
#include "core/models/mclient.h"
#include "core/ops/ops.h"
#include "core/store.h"
#include "cli/cli.h"

static const char *const kind_names[] = { "image", "text", "pair" };
static const char *const type_names[] = { "int", "float", "enum", "bool", "id", "words", "text",
	"backend" };

/* 1 when op cannot run without the role named name. */
static int
needs_role(const struct op_def *op, const char *name)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if ((op->needs_backend & (1 << r)) &&
		    strcmp(backend_role_name((enum backend_role)r), name) == 0)
			return 1;
	return 0;
}

static cJSON *
ops_json(void)
{
	cJSON *arr = cJSON_CreateArray();

	for (const struct op_def *op = op_table; op->name != NULL; op++) {
		cJSON *o = cJSON_CreateObject(), *ps;
		cJSON_AddStringToObject(o, "name", op->name);
		cli_json_int(o, "version", op->version);
		cJSON_AddStringToObject(o, "kind", kind_names[op->kind]);
		cJSON_AddStringToObject(o, "class", op_class_table[op->cls].name);
		cli_json_int(o, "parents", op->nparents);
		cJSON_AddStringToObject(o, "runs_on", op->flags & OP_ANY_PARENT ? "all" :
		    "originals");
		cJSON_AddBoolToObject(o, "needs_backend", op->needs_backend != 0);
		cJSON *roles = cJSON_AddArrayToObject(o, "backends");
		for (int r = 0; r < ROLE_COUNT; r++)
			if (op->needs_backend & (1 << r))
				cJSON_AddItemToArray(roles,
				    cJSON_CreateString(backend_role_name((enum backend_role)r)));
		roles = cJSON_AddArrayToObject(o, "uses_backends");
		for (int i = 0; i < op->nparams; i++)
			if (op->params[i].type == PARAM_BACKEND && !needs_role(op, op->params[i].name))
				cJSON_AddItemToArray(roles, cJSON_CreateString(op->params[i].name));
		cJSON_AddStringToObject(o, "summary", op->summary);
		if (op->paper != NULL)
			cJSON_AddStringToObject(o, "paper", op->paper);
		ps = cJSON_AddArrayToObject(o, "params");
		for (int i = 0; i < op->nparams; i++) {
			const struct op_param *p = &op->params[i];
			cJSON *q = cJSON_CreateObject();
			cJSON_AddStringToObject(q, "name", p->name);
			cJSON_AddStringToObject(q, "type", type_names[p->type]);
			if (p->type == PARAM_INT || p->type == PARAM_FLOAT) {
				cJSON_AddNumberToObject(q, "min", p->min);
				cJSON_AddNumberToObject(q, "max", p->max);
			}
			cJSON_AddStringToObject(q, "default", p->def);
			if (p->choices != NULL)
				cJSON_AddStringToObject(q, "choices", p->choices);
			cJSON_AddStringToObject(q, "help", p->help);
			cJSON_AddItemToArray(ps, q);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void
ops_print(void)
{
	for (const struct op_def *op = op_table; op->name != NULL; op++) {
		printf("%-10s v%d %-5s %-11s %s\n", op->name, op->version, kind_names[op->kind],
		    op_class_table[op->cls].name, op->summary);
		if (op->needs_backend) {
			int more = 0;
			printf("    needs backends:");
			for (int r = 0; r < ROLE_COUNT; r++)
				if (op->needs_backend & (1 << r))
					printf(" %s", backend_role_name((enum backend_role)r));
			/* The roles it can use when they are configured (a backend parameter). */
			for (int i = 0; i < op->nparams; i++)
				if (op->params[i].type == PARAM_BACKEND && !needs_role(op,
				    op->params[i].name))
					printf("%s%s", more++ ? ", " : "; uses when configured: ",
					    op->params[i].name);
			putchar('\n');
		}
		if (!op->needs_backend && (op->flags & OP_BACKEND_OPTIONAL)) {
			int more = 0;
			for (int i = 0; i < op->nparams; i++)
				if (op->params[i].type == PARAM_BACKEND)
					printf("%s%s", more++ ? ", " : "    uses when configured: ",
					    op->params[i].name);
			if (more)
				putchar('\n');
		}
		if (op->flags & OP_ANY_PARENT)
			printf("    runs on: every candidate, derived ones too (those it cannot use "
			    "are unchanged)\n");
		for (int i = 0; i < op->nparams; i++) {
			const struct op_param *p = &op->params[i];
			char range[64] = "";
			if (p->type == PARAM_INT || p->type == PARAM_FLOAT)
				snprintf(range, sizeof range, " %g..%g", p->min, p->max);
			else if (p->choices != NULL)
				snprintf(range, sizeof range, " %s", p->choices);
			/* An empty default that the help explains is not "none". */
			if (*p->def == '\0' && strstr(p->help, "(default") != NULL)
				printf("    %-12s %s%s: %s\n", p->name, type_names[p->type], range,
				    p->help);
			else
				printf("    %-12s %s%s, default %s: %s\n", p->name, type_names[p->type],
				    range, *p->def ? p->def : "none", p->help);
		}
	}
}

int
cmd_ops(int argc, char **argv)
{
	int json = 0, rc;

	if ((rc = cli_parse_plain("ops", argc, argv, &json)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind != 0)
		return cli_usage("ops", "no arguments are taken");
	if (json)
		cli_print_json(ops_json());
	else
		ops_print();
	return CLI_OK;
}

static void
progress(void *arg, int64_t done, int64_t total)
{
	cli_progress("augment", *(double *)arg, done, total);
}

/* [{"id", "reason"}, ...] under name. */
static void
add_reasons(cJSON *doc, const char *name, const struct augment_failure *v, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(doc, name);

	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cli_json_int(o, "id", v[i].id);
		cJSON_AddStringToObject(o, "reason", v[i].reason);
		cJSON_AddItemToArray(arr, o);
	}
}

int
cmd_augment(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "set", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'l' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	struct augment_opts opts;
	struct augment_result res;
	struct store *st;
	char **sets = NULL, *cause = NULL;
	size_t nsets = 0;
	double start = now_mono_s();
	int64_t v;
	int ch, json = 0, rc = CLI_OK;

	memset(&opts, 0, sizeof opts);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if ((opts.op = op_find(optarg)) == NULL) {
				free(sets);
				return cli_usage("augment", "unknown operator %s (mmda ops lists them)",
				    optarg);
			}
			break;
		case 's':
			sets = xreallocarray(sets, nsets + 1, sizeof *sets);
			sets[nsets++] = optarg;
			break;
		case 'S':
			if (parse_int64(optarg, 0, INT64_MAX, &opts.seed) != 0) {
				free(sets);
				return cli_usage("augment", "--seed wants a whole number >= 0");
			}
			break;
		case 'l':
			if (parse_int64(optarg, 1, INT64_MAX, &opts.limit) != 0) {
				free(sets);
				return cli_usage("augment", "--limit wants a positive number");
			}
			break;
		case 'J':
			if (parse_int64(optarg, 1, 64, &v) != 0) {
				free(sets);
				return cli_usage("augment", "--jobs wants a number from 1 to 64");
			}
			opts.jobs = (int)v;
			break;
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			free(sets);
			cli_command_help(stdout, cli_find("augment"));
			return CLI_OK;
		default:
			free(sets);
			return cli_usage("augment", "unknown option %s", argv[optind - 1]);
		}
	}
	if (opts.op == NULL || argc - optind != 1) {
		free(sets);
		return cli_usage("augment", "a database and --op are needed");
	}
	{
		/* Bad settings are usage errors: say so before touching the database. */
		struct op_args a;
		char *canon = NULL;
		if (op_args_parse(opts.op, sets, nsets, &a, &canon, &cause) != 0) {
			free(sets);
			rc = cli_usage("augment", "%s", cause);
			free(cause);
			return rc;
		}
		op_args_free(opts.op, &a);
		free(canon);
	}
	opts.sets = sets;
	opts.nsets = nsets;
	opts.progress = progress;
	opts.arg = &start;
	/* An op that only may use a model opens the client when a config is named. */
	if ((opts.op->needs_backend || ((opts.op->flags & OP_BACKEND_OPTIONAL) && config != NULL))
	    && (opts.mc = mclient_open(config, &cause)) == NULL) {
		free(sets);
		return cli_fail("augment", cause);
	}
	if ((st = cli_open("augment", argv[optind], 0)) == NULL) {
		mclient_close(opts.mc);
		free(sets);
		return CLI_ERROR;
	}
	struct cli_stop *stop = cli_stop_start(opts.mc);
	opts.cancel = cli_stop_flag(stop);
	if (augment_run(st, &opts, &res, &cause) != 0)
		rc = cli_fail("augment", cause);
	cli_stop_end(stop);
	mclient_close(opts.mc);
	if (res.cancelled) {
		cli_error("augment", "interrupted: what is stored stays; run the same command again"
		    " to finish");
		rc = CLI_ERROR;
	}
	if (res.note != NULL)
		cli_error("augment", "%s", res.note);
	for (size_t i = 0; i < res.nfailed; i++)
		cli_error("augment", "candidate %" PRId64 ": %s", res.failed[i].id,
		    res.failed[i].reason);
	if (json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		arr = cJSON_AddArrayToObject(doc, "created");
		for (size_t i = 0; i < res.ncreated; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)res.created[i]));
		cli_json_int(doc, "existing", res.existing);
		cli_json_int(doc, "unchanged", res.unchanged);
		add_reasons(doc, "failed", res.failed, res.nfailed);
		cli_json_int(doc, "filtered", (long long)res.nfiltered);
		add_reasons(doc, "filtered_reasons", res.filtered, res.nfiltered);
		add_reasons(doc, "partner_skips", res.partner_skips, res.npartner_skips);
		cli_print_json(doc);
	} else {
		printf("created %zu, existing %" PRId64 ", unchanged %" PRId64 ", filtered %zu,"
		    " failed %zu\n", res.ncreated, res.existing, res.unchanged, res.nfiltered,
		    res.nfailed);
		for (size_t i = 0; i < res.nfiltered; i++) {
			printf("  filtered (original %" PRId64 "): ", res.filtered[i].id);
			cli_put_safe(stdout, res.filtered[i].reason);
			putchar('\n');
		}
		for (size_t i = 0; i < res.npartner_skips; i++) {
			printf("  not a partner (original %" PRId64 ", another was drawn): ",
			    res.partner_skips[i].id);
			cli_put_safe(stdout, res.partner_skips[i].reason);
			putchar('\n');
		}
	}
	augment_result_free(&res);
	store_close(st);
	free(sets);
	return rc;
}

int
cmd_replay(int argc, char **argv)
{
	struct augment_replay rep;
	struct store *st;
	char *cause = NULL;
	int64_t id;
	int json = 0, rc;

	if ((rc = cli_parse_plain("replay", argc, argv, &json)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind != 2)
		return cli_usage("replay", "a database and a candidate are needed");
	if ((st = cli_open("replay", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	if (store_candidate_find(st, argv[optind + 1], &id, &cause) != 0 ||
	    augment_replay(st, id, &rep, &cause) != 0) {
		store_close(st);
		return cli_fail("replay", cause);
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		cli_json_int(doc, "id", id);
		cJSON_AddBoolToObject(doc, "ok", rep.ok);
		cJSON_AddBoolToObject(doc, "aug_id_match", rep.aug_id_match);
		cJSON_AddBoolToObject(doc, "image_match", rep.image_match);
		cJSON_AddBoolToObject(doc, "text_match", rep.text_match);
		cli_print_json(doc);
	} else {
		printf("candidate %" PRId64 ": %s (aug_id %s, image %s, text %s)\n", id,
		    rep.ok ? "replayed identically" : "DIFFERS",
		    rep.aug_id_match ? "matches" : "differs",
		    rep.image_match ? "matches" : "differs", rep.text_match ? "matches" : "differs");
	}
	store_close(st);
	if (!rep.ok && !json)
		cli_error("replay", "candidate %" PRId64 " does not replay to its stored bytes", id);
	return rep.ok ? CLI_OK : CLI_ERROR;
}
