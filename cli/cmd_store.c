/* SPDX-License-Identifier: MIT */
/* mmda init, stats, decide and undo: the store's headless commands. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics/agreestats.h"
#include "core/metrics/audit.h"
#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/base/utf8.h"
#include "cli/cli.h"

int
cmd_init(int argc, char **argv)
{
	struct store *st;
	int rc;

	if ((rc = cli_parse_plain("init", argc, argv, NULL)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind != 1)
		return cli_usage("init", "one database path is needed");
	if ((st = cli_open("init", argv[optind], STORE_CREATE)) == NULL)
		return CLI_ERROR;
	printf("%s: schema version %d\n", argv[optind], store_schema_version(st));
	store_close(st);
	return CLI_OK;
}

static void
stats_print(const char *db, const struct store_stats *s)
{
	printf("database    ");
	cli_put_safe(stdout, db);
	printf(" (schema %d)\n", s->schema_version);
	printf("images      %" PRId64 "\n", s->images);
	printf("originals   %" PRId64 "\n", s->originals);
	printf("candidates  %" PRId64 " (%" PRId64 " derived)\n", s->candidates, s->derived);
	for (size_t i = 0; i < s->nops; i++) {
		char *name = utf8_sanitize(s->by_op[i].name, 0);
		printf("  %-14s %" PRId64 "\n", name, s->by_op[i].n);
		free(name);
	}
	printf("decisions   %" PRId64 " accept, %" PRId64 " reject, %" PRId64 " skip"
	       " (answers in force, one per annotator); %" PRId64 " candidates undecided;"
	       " %" PRId64 " log entries\n",
	    s->answers[ANSWER_ACCEPT], s->answers[ANSWER_REJECT], s->answers[ANSWER_SKIP],
	    s->undecided, s->log_entries);
	printf("passing     %" PRId64 " of %" PRId64 " (%" PRId64 " threshold%s enabled)\n",
	    s->passing, s->candidates, s->thresholds, s->thresholds == 1 ? "" : "s");
	if (s->nannotators > 0)
		printf("annotators\n");
	for (size_t i = 0; i < s->nannotators; i++) {
		const struct store_annotator_stats *a = &s->by_annotator[i];
		printf("  ");
		cli_put_safe(stdout, a->name);
		printf("  %" PRId64 " accept, %" PRId64 " reject, %" PRId64 " skip\n",
		    a->answers[ANSWER_ACCEPT], a->answers[ANSWER_REJECT], a->answers[ANSWER_SKIP]);
	}
}

static cJSON *
answers_json(const int64_t answers[ANSWER_COUNT])
{
	cJSON *o = cJSON_CreateObject();
	for (int a = 0; a < ANSWER_COUNT; a++)
		cli_json_int(o, answer_name((enum answer)a), answers[a]);
	return o;
}

static void
agree_print(const struct agree_report *r)
{
	if (strcmp(r->method, "none") == 0) {
		printf("agreement   needs two annotators\n");
		return;
	}
	printf("agreement   %s's kappa %.3f over %" PRId64 " items (observed %.3f)%s%s\n",
	    strcmp(r->method, "cohen") == 0 ? "Cohen" : "Fleiss", r->overall.kappa,
	    r->overall.items, r->overall.observed, r->overall.degenerate ?
	    ", degenerate: every rating was " : "", r->overall.degenerate ?
	    answer_name((enum answer)r->overall.only) : "");
	for (size_t i = 0; i < r->nops; i++)
		if (r->by_op[i].items > 0)
			printf("  %-14s kappa %.3f over %" PRId64 "%s%s%s\n", r->by_op[i].op,
			    r->by_op[i].kappa, r->by_op[i].items, r->by_op[i].degenerate ?
			    " (degenerate: every rating was " : "", r->by_op[i].degenerate ?
			    answer_name((enum answer)r->by_op[i].only) : "",
			    r->by_op[i].degenerate ? ")" : "");
}

static cJSON *
agree_json_row(const struct agree_row *row)
{
	cJSON *o = cJSON_CreateObject();
	cli_json_int(o, "items", row->items);
	if (row->kappa == row->kappa)
		cJSON_AddNumberToObject(o, "kappa", row->kappa);
	else
		cJSON_AddNullToObject(o, "kappa");
	if (row->observed == row->observed)
		cJSON_AddNumberToObject(o, "observed", row->observed);
	else
		cJSON_AddNullToObject(o, "observed");
	cJSON_AddBoolToObject(o, "degenerate", row->degenerate);
	return o;
}

static cJSON *
agree_json(const struct agree_report *r)
{
	cJSON *o = cJSON_CreateObject(), *ops;
	cJSON_AddStringToObject(o, "method", r->method);
	cJSON_AddItemToObject(o, "overall", agree_json_row(&r->overall));
	ops = cJSON_AddObjectToObject(o, "by_op");
	for (size_t i = 0; i < r->nops; i++)
		cJSON_AddItemToObject(ops, r->by_op[i].op, agree_json_row(&r->by_op[i]));
	return o;
}

static cJSON *
stats_json(const struct store_stats *s)
{
	cJSON *doc = cJSON_CreateObject(), *ops, *ann;

	cli_json_int(doc, "schema_version", s->schema_version);
	cli_json_int(doc, "images", s->images);
	cli_json_int(doc, "originals", s->originals);
	cli_json_int(doc, "candidates", s->candidates);
	cli_json_int(doc, "derived", s->derived);
	ops = cJSON_AddObjectToObject(doc, "by_op");
	for (size_t i = 0; i < s->nops; i++)
		cli_json_int(ops, s->by_op[i].name, s->by_op[i].n);
	cJSON_AddItemToObject(doc, "decisions", answers_json(s->answers));
	cli_json_int(doc, "decided", s->decided);
	cli_json_int(doc, "undecided", s->undecided);
	cli_json_int(doc, "log_entries", s->log_entries);
	cli_json_int(doc, "thresholds", s->thresholds);
	cli_json_int(doc, "passing", s->passing);
	ann = cJSON_AddObjectToObject(doc, "annotators");
	for (size_t i = 0; i < s->nannotators; i++) {
		cJSON *a = answers_json(s->by_annotator[i].answers);
		cli_json_int(a, "log_entries", s->by_annotator[i].log_entries);
		cJSON_AddItemToObject(ann, s->by_annotator[i].name, a);
	}
	return doc;
}

int
cmd_stats(int argc, char **argv)
{
	struct store_stats s;
	struct store *st;
	char *cause = NULL;
	int json = 0, rc;

	if ((rc = cli_parse_plain("stats", argc, argv, &json)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind != 1)
		return cli_usage("stats", "one database path is needed");
	if ((st = cli_open("stats", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	struct agree_report ag;
	if (store_stats(st, metric_default_scopes(), &s, &cause) != 0) {
		store_close(st);
		return cli_fail("stats", cause);
	}
	if (agree_report(st, &ag, &cause) != 0) {
		store_stats_free(&s);
		store_close(st);
		return cli_fail("stats", cause);
	}
	struct audit_estimate au;
	int audited = audit_estimate(st, &au, &cause);
	if (audited < 0) {
		agree_report_free(&ag);
		store_stats_free(&s);
		store_close(st);
		return cli_fail("stats", cause);
	}
	if (json) {
		cJSON *doc = stats_json(&s);
		cJSON_AddItemToObject(doc, "agreement", agree_json(&ag));
		if (audited)
			cJSON_AddItemToObject(doc, "estimated_precision", audit_estimate_json(&au));
		cli_print_json(doc);
	} else {
		stats_print(argv[optind], &s);
		agree_print(&ag);
		if (audited && au.reviewed > 0)
			printf("audit       estimated precision of the unreviewed selection %.3f (Wilson "
			    "95%%: %.3f..%.3f) from %" PRId64 " of %" PRId64 " drawn, of %" PRId64 "\n",
			    au.value, au.lo, au.hi, au.reviewed, au.sample, au.population);
		else if (audited)
			printf("audit       %" PRId64 " drawn, none reviewed yet (mmda review --queue "
			    "audit)\n", au.sample);
	}
	agree_report_free(&ag);
	store_stats_free(&s);
	store_close(st);
	return CLI_OK;
}

int
cmd_decide(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "annotator", required_argument, NULL, 'a' },
		{ "note", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *who = NULL, *note = NULL, *reason = NULL;
	struct store *st;
	enum answer a;
	char *cause = NULL;
	int64_t id, did;
	int ch, json = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			who = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("decide"));
			return CLI_OK;
		default:
			return cli_usage("decide", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 3)
		return cli_usage("decide", "a database, a candidate and an answer are needed");
	if (answer_parse(argv[optind + 2], &a) != 0)
		return cli_usage("decide", "%s: the answer is accept, reject or skip",
		    argv[optind + 2]);
	who = cli_annotator(who);
	if ((st = cli_open("decide", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	if (store_candidate_find(st, argv[optind + 1], &id, &cause) != 0 ||
	    store_decide(st, id, who, a, reason, note, -1, &did, &cause) != 0) {
		store_close(st);
		return cli_fail("decide", cause);
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		cli_json_int(doc, "decision", did);
		cli_json_int(doc, "candidate", id);
		cJSON_AddStringToObject(doc, "answer", answer_name(a));
		cJSON_AddStringToObject(doc, "annotator", who);
		cli_print_json(doc);
	} else {
		printf("candidate %" PRId64 ": %s by ", id, answer_name(a));
		cli_put_safe(stdout, who);
		putchar('\n');
	}
	store_close(st);
	return CLI_OK;
}

int
cmd_undo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "annotator", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *who = NULL;
	struct store *st;
	char *cause = NULL;
	int64_t cand = 0;
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			who = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("undo"));
			return CLI_OK;
		default:
			return cli_usage("undo", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("undo", "one database path is needed");
	who = cli_annotator(who);
	if ((st = cli_open("undo", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	if ((rc = store_undo(st, who, &cand, &cause)) < 0) {
		store_close(st);
		return cli_fail("undo", cause);
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddBoolToObject(doc, "undone", rc == 1);
		if (rc == 1)
			cli_json_int(doc, "candidate", cand);
		cli_print_json(doc);
	} else if (rc == 1) {
		printf("candidate %" PRId64 ": decision retracted\n", cand);
	} else {
		printf("nothing to undo for ");
		cli_put_safe(stdout, who);
		putchar('\n');
	}
	store_close(st);
	return CLI_OK;
}
