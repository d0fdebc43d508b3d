/* SPDX-License-Identifier: MIT */
/* mmda metrics, score and threshold: the metric table, computing scores, keep ranges. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/models/mclient.h"
#include "core/ops/ops.h"
#include "core/metrics/metrics.h"
#include "core/metrics/score.h"
#include "core/store.h"
#include "cli/cli.h"

static const char *
needs_text(int needs, char *buf, size_t len)
{
	static const struct { int bit; const char *name; } names[] = {
		{ METRIC_IMAGE, "image" }, { METRIC_PARENT, "parent" }, { METRIC_TEXT, "text" },
		{ METRIC_SET, "whole set" }, { METRIC_BACKEND, "backend" },
		{ METRIC_HASHES, "image hashes" }, { METRIC_WORDNET, "WordNet" },
		{ METRIC_LEARNED, "mmda tune --learn" }, { METRIC_META, "the op's meta" },
	};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (needs & names[i].bit)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
			    names[i].name);
	return o ? buf : "header only";
}

int
cmd_metrics(int argc, char **argv)
{
	char buf[128];
	int json = 0, rc;

	if ((rc = cli_parse_plain("metrics", argc, argv, &json)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (argc - optind != 0)
		return cli_usage("metrics", "no arguments are taken");
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (const struct metric_def *m = metric_table; m->name != NULL; m++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", m->name);
			cli_json_int(o, "version", m->version);
			cJSON_AddStringToObject(o, "measures", m->measures);
			cJSON_AddStringToObject(o, "scale", m->scale);
			if (m->has_min)
				cJSON_AddNumberToObject(o, "default_min", m->def_min);
			if (m->has_max)
				cJSON_AddNumberToObject(o, "default_max", m->def_max);
			cJSON_AddStringToObject(o, "source", m->source);
			cJSON_AddStringToObject(o, "needs", needs_text(m->needs, buf, sizeof buf));
			cJSON_AddStringToObject(o, "keep", m->keep == METRIC_KEEP_ABOVE ? "above" :
			    "below");
			cJSON *cls = cJSON_AddArrayToObject(o, "scope");
			for (int k = 0; k < OP_CLASS_COUNT; k++)
				if (m->scope & (1u << k))
					cJSON_AddItemToArray(cls,
					    cJSON_CreateString(op_class_table[k].name));
			cJSON_AddItemToArray(arr, o);
		}
		cli_print_json(arr);
		return CLI_OK;
	}
	for (const struct metric_def *m = metric_table; m->name != NULL; m++) {
		printf("%-22s %s [%s]\n", m->name, m->measures, m->scale);
		printf("%-22s needs %s; higher is %s", "", needs_text(m->needs, buf, sizeof buf),
		    m->keep == METRIC_KEEP_ABOVE ? "better" : "worse");
		if (m->has_min || m->has_max) {
			printf("; suggested keep");
			if (m->has_min)
				printf(" >= %g", m->def_min);
			if (m->has_max)
				printf(" <= %g", m->def_max);
		}
		printf(" (%s)\n", m->source);
		char *scope = metric_scope_describe(m->name, "");
		printf("%-22s for %s (a threshold's default scope)\n", "", scope);
		free(scope);
	}
	return CLI_OK;
}

static void
progress(void *arg, int64_t done, int64_t total)
{
	cli_progress("scoring", *(double *)arg, done, total);
}

int
cmd_score(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "config", required_argument, NULL, 'c' },
		{ "clip", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct metric_def *ms[64];
	const char *config = NULL;
	int backend_named = 0;
	struct score_opts opts;
	struct score_result res;
	struct store *st;
	double start = now_mono_s();
	char *cause = NULL;
	int64_t v;
	int ch, json = 0, rc = CLI_OK;

	memset(&opts, 0, sizeof opts);
	opts.jobs = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (opts.nmetrics == 64)
				return cli_usage("score", "too many --metric options");
			if ((ms[opts.nmetrics] = metric_find(optarg)) == NULL)
				return cli_usage("score", "unknown metric %s (mmda metrics lists them)",
				    optarg);
			if (ms[opts.nmetrics]->needs & METRIC_LEARNED)
				return cli_usage("score", "%s is written by mmda tune --learn", optarg);
			backend_named |= (ms[opts.nmetrics]->needs & METRIC_BACKEND) != 0;
			opts.nmetrics++;
			break;
		case 'c':
			config = optarg;
			break;
		case 'C':
			opts.clip = optarg;
			break;
		case 'J':
			if (parse_int64(optarg, 1, 64, &v) != 0)
				return cli_usage("score", "--jobs wants a number from 1 to 64");
			opts.jobs = (int)v;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("score"));
			return CLI_OK;
		default:
			return cli_usage("score", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("score", "one database path is needed");
	opts.metrics = opts.nmetrics ? ms : NULL;
	opts.progress = progress;
	opts.arg = &start;
	/* The model-backed metrics cost requests: only when named, or a config is given. */
	if ((backend_named || config != NULL || opts.clip != NULL) &&
	    (opts.mc = mclient_open(config, &cause)) == NULL)
		return cli_fail("score", cause);
	if ((st = cli_open("score", argv[optind], 0)) == NULL) {
		mclient_close(opts.mc);
		return CLI_ERROR;
	}
	rc = score_run(st, &opts, &res, &cause);
	mclient_close(opts.mc);
	if (rc != 0) {
		rc = cli_fail("score", cause);
		score_result_free(&res);
		store_close(st);
		return rc;
	}
	for (size_t i = 0; i < res.nfailed; i++)
		cli_error("score", "candidate %" PRId64 ": %s", res.failed[i].id,
		    res.failed[i].reason);
	if (json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		cli_json_int(doc, "computed", res.computed);
		cli_json_int(doc, "unchanged", res.unchanged);
		cli_json_int(doc, "skipped", res.skipped);
		arr = cJSON_AddArrayToObject(doc, "failed");
		for (size_t i = 0; i < res.nfailed; i++) {
			cJSON *o = cJSON_CreateObject();
			cli_json_int(o, "id", res.failed[i].id);
			cJSON_AddStringToObject(o, "reason", res.failed[i].reason);
			cJSON_AddItemToArray(arr, o);
		}
		arr = cJSON_AddArrayToObject(doc, "groups");
		for (size_t i = 0; i < res.ngroups; i++) {
			cJSON *o = cJSON_CreateObject(), *mem;
			cJSON_AddStringToObject(o, "metric", res.groups[i].metric);
			mem = cJSON_AddArrayToObject(o, "members");
			for (size_t k = 0; k < res.groups[i].n; k++)
				cJSON_AddItemToArray(mem,
				    cJSON_CreateNumber((double)res.groups[i].members[k]));
			cJSON_AddItemToArray(arr, o);
		}
		cli_print_json(doc);
	} else {
		printf("computed %" PRId64 ", unchanged %" PRId64 ", not applicable %" PRId64
		       ", failed %zu\n", res.computed, res.unchanged, res.skipped, res.nfailed);
		/* A summary per metric; --json lists every member. */
		for (size_t i = 0; i < res.ngroups;) {
			const char *metric = res.groups[i].metric;
			size_t groups = 0, members = 0, largest = 0;
			for (; i < res.ngroups && strcmp(res.groups[i].metric, metric) == 0; i++) {
				groups++;
				members += res.groups[i].n;
				if (res.groups[i].n > largest)
					largest = res.groups[i].n;
			}
			printf("%s: %zu groups, %zu candidates in them (largest %zu)\n", metric,
			    groups, members, largest);
		}
	}
	score_result_free(&res);
	store_close(st);
	return rc;
}

/* "none" clears a bound; anything else must be a finite number. */
static int
parse_bound(const char *s, int *has, double *v)
{
	char *end;

	if (strcmp(s, "none") == 0) {
		*has = 0;
		return 0;
	}
	*v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !isfinite(*v))
		return -1;
	*has = 1;
	return 0;
}

/* Every op name a scope can hold: the originals and the op table. */
static const char *
op_name_at(size_t i)
{
	return i == 0 ? "original" : op_table[i - 1].name;
}

static cJSON *
threshold_json(const struct threshold *t)
{
	cJSON *o = cJSON_CreateObject(), *ops;

	cJSON_AddStringToObject(o, "metric", t->metric);
	cJSON_AddStringToObject(o, "scope", *t->scope == '\0' ? "default" :
	    strcmp(t->scope, METRIC_SCOPE_ALL) == 0 ? "all" : t->scope);
	/* What the scope means today, op by op, so a script need not know the tables. */
	ops = cJSON_AddArrayToObject(o, "ops");
	for (size_t i = 0; i == 0 || op_table[i - 1].name != NULL; i++)
		if (metric_in_scope(t, op_name_at(i)))
			cJSON_AddItemToArray(ops, cJSON_CreateString(op_name_at(i)));
	if (t->has_min)
		cJSON_AddNumberToObject(o, "min", t->min);
	else
		cJSON_AddNullToObject(o, "min");
	if (t->has_max)
		cJSON_AddNumberToObject(o, "max", t->max);
	else
		cJSON_AddNullToObject(o, "max");
	cJSON_AddBoolToObject(o, "enabled", t->enabled);
	if (t->removed)
		cJSON_AddBoolToObject(o, "removed", 1);
	cJSON_AddStringToObject(o, "changed_by", t->changed_by ? t->changed_by : "");
	cli_json_int(o, "changed_at", t->changed_at);
	return o;
}

static void
threshold_print(const struct threshold *t)
{
	char *scope = metric_scope_describe(t->metric, t->scope);

	printf("%-22s", t->metric);
	if (t->has_min)
		printf(" min %-10g", t->min);
	else
		printf(" min %-10s", "-");
	if (t->has_max)
		printf(" max %-10g", t->max);
	else
		printf(" max %-10s", "-");
	printf(" %-8s for %s%s by ", t->removed ? "removed" : t->enabled ? "enabled" : "off",
	    scope, *t->scope == '\0' ? " (default)" : "");
	cli_put_safe(stdout, t->changed_by ? t->changed_by : "?");
	putchar('\n');
	free(scope);
}

/* The threshold of (metric, scope) in force, copied into *t (borrowing its strings). */
static int
threshold_current(struct store *st, const char *metric, const char *scope, struct threshold *t,
    struct threshold **list, size_t *n, char **cause)
{
	if (store_thresholds(st, NULL, list, n, cause) != 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].metric, metric) == 0 && strcmp((*list)[i].scope, scope) == 0) {
			t->has_min = (*list)[i].has_min, t->min = (*list)[i].min;
			t->has_max = (*list)[i].has_max, t->max = (*list)[i].max;
			t->enabled = (*list)[i].enabled;
			return 1;
		}
	return 0;
}

int
cmd_threshold(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "min", required_argument, NULL, 'n' },
		{ "max", required_argument, NULL, 'x' },
		{ "on", no_argument, NULL, 'o' },
		{ "off", no_argument, NULL, 'f' },
		{ "ops", required_argument, NULL, 'O' },
		{ "remove", no_argument, NULL, 'r' },
		{ "history", no_argument, NULL, 'H' },
		{ "annotator", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *who = NULL, *min = NULL, *max = NULL, *ops = NULL;
	struct threshold *list = NULL, t;
	struct store *st;
	size_t n = 0;
	char *cause = NULL, *scope = NULL;
	int ch, json = 0, history = 0, on = -1, removing = 0, rc = CLI_OK;
	int64_t passing;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			min = optarg;
			break;
		case 'x':
			max = optarg;
			break;
		case 'o':
			on = 1;
			break;
		case 'f':
			on = 0;
			break;
		case 'O':
			ops = optarg;
			break;
		case 'r':
			removing = 1;
			break;
		case 'H':
			history = 1;
			break;
		case 'a':
			who = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("threshold"));
			return CLI_OK;
		default:
			return cli_usage("threshold", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("threshold", "a database and at most one metric are needed");
	const char *metric = argc - optind == 2 ? argv[optind + 1] : NULL;
	int setting = min != NULL || max != NULL || on >= 0;
	if (metric != NULL && metric_find(metric) == NULL)
		return cli_usage("threshold", "unknown metric %s (mmda metrics lists them)", metric);
	if ((setting || history || removing || ops != NULL) && metric == NULL)
		return cli_usage("threshold", "name the metric to change or to show history of");
	if (removing && (setting || history))
		return cli_usage("threshold", "--remove takes no bounds, --on, --off or --history");
	if (metric_scope_parse(metric != NULL ? metric : "", ops != NULL ? ops : "default",
	    &scope, &cause) != 0) {
		rc = cli_usage("threshold", "%s", cause);
		free(cause);
		return rc;
	}
	if ((st = cli_open("threshold", argv[optind], 0)) == NULL) {
		free(scope);
		return CLI_ERROR;
	}
	const char *who_name = cli_annotator(who);
	if (removing) {
		int gone = store_threshold_remove(st, metric, scope, who_name, &cause);
		if (gone < 0)
			goto fail;
		if (gone == 0) {
			char *d = metric_scope_describe(metric, scope);
			rc = cli_error("threshold", "no threshold on %s for %s", metric, d);
			free(d);
			free(scope);
			store_close(st);
			return rc;
		}
	}
	if (setting) {
		/* Start from what is in force in this scope, so --max alone keeps the min. */
		memset(&t, 0, sizeof t);
		t.enabled = 1;
		if (threshold_current(st, metric, scope, &t, &list, &n, &cause) < 0)
			goto fail;
		thresholds_free(list, n);
		list = NULL;
		n = 0;
		if ((min && parse_bound(min, &t.has_min, &t.min) != 0) ||
		    (max && parse_bound(max, &t.has_max, &t.max) != 0)) {
			free(scope);
			store_close(st);
			return cli_usage("threshold", "--min and --max want a number or none");
		}
		if (t.has_min && t.has_max && t.min > t.max) {
			free(scope);
			store_close(st);
			return cli_usage("threshold", "--min %g is above --max %g", t.min, t.max);
		}
		if (on >= 0)
			t.enabled = on;
		t.metric = (char *)metric;
		t.scope = scope;
		t.changed_by = (char *)who_name;
		if (store_threshold_set(st, &t, &cause) != 0)
			goto fail;
	}
	if (store_thresholds(st, history ? metric : NULL, &list, &n, &cause) != 0 ||
	    store_passing(st, metric_default_scopes(), &passing, NULL, &cause) != 0)
		goto fail;
	/* A metric lists its thresholds in every scope; --ops narrows that to one. */
	int *shown = xcalloc(n + 1, sizeof *shown);
	size_t nshown = 0;
	for (size_t i = 0; i < n; i++) {
		shown[i] = history || metric == NULL || (strcmp(list[i].metric, metric) == 0 &&
		    (ops == NULL || strcmp(list[i].scope, scope) == 0));
		nshown += shown[i] != 0;
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		arr = cJSON_AddArrayToObject(doc, history ? "history" : "thresholds");
		for (size_t i = 0; i < n; i++)
			if (shown[i])
				cJSON_AddItemToArray(arr, threshold_json(&list[i]));
		cli_json_int(doc, "passing", passing);
		cli_print_json(doc);
	} else {
		for (size_t i = 0; i < n; i++)
			if (shown[i])
				threshold_print(&list[i]);
		if (nshown == 0)
			printf("no thresholds\n");
		printf("passing: %" PRId64 " candidates\n", passing);
	}
	free(shown);
	free(scope);
	thresholds_free(list, n);
	store_close(st);
	return rc;
fail:
	free(scope);
	thresholds_free(list, n);
	store_close(st);
	return cli_fail("threshold", cause);
}
