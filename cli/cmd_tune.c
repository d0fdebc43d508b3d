/* SPDX-License-Identifier: MIT */
/*
 * mmda tune: how well a metric's threshold agrees with what people decided:
 * histogram by decision, ROC AUC, the current and a suggested cutoff with
 * kept/removed counts, precision, recall and F1; SLUMA's adaptive batch rule.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/utf8.h"
#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/metrics/tune.h"
#include "core/metrics/audit.h"
#include "core/metrics/learnstore.h"
#include "core/metrics/tunestore.h"
#include "cli/cli.h"

static cJSON *
eval_json(const struct tune_eval *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "cutoff", e->cutoff);
	cli_json_int(o, "kept", e->kept);
	cli_json_int(o, "removed", e->removed);
	cli_json_int(o, "kept_accepted", e->kept_accept);
	cli_json_int(o, "kept_rejected", e->kept_reject);
	cli_json_int(o, "removed_accepted", e->removed_accept);
	cli_json_int(o, "removed_rejected", e->removed_reject);
	if (e->defined) {
		cJSON_AddNumberToObject(o, "precision", e->precision);
		cJSON_AddNumberToObject(o, "recall", e->recall);
		cJSON_AddNumberToObject(o, "f1", e->f1);
	} else {
		cJSON_AddNullToObject(o, "precision");
		cJSON_AddNullToObject(o, "recall");
		cJSON_AddNullToObject(o, "f1");
	}
	return o;
}

static void
eval_print(const char *what, const char *side, const struct tune_eval *e)
{
	char where[64];

	if (side != NULL)
		snprintf(where, sizeof where, "%s %g", side, e->cutoff);
	else
		snprintf(where, sizeof where, "range %g..%g", e->lo, e->hi);
	printf("%-10s %-20s kept %" PRId64 ", removed %" PRId64, what, where, e->kept,
	    e->removed);
	if (e->defined)
		printf("; precision %.3f, recall %.3f, F1 %.3f\n", e->precision, e->recall, e->f1);
	else
		printf("; precision undefined (nothing labelled is kept)\n");
}

struct tune_args {
	const char *metric;
	double target;
	int bins, apply, sluma;
	double tau, d;
	int json;
};

/* The label counts and AUC of an index, as the report and each op give them. */
static void
counts_json(cJSON *o, const struct tune_index *idx, int enough, double auc)
{
	cli_json_int(o, "scored", (long long)tune_size(idx));
	cli_json_int(o, "accepted", (long long)tune_count(idx, TUNE_ACCEPT));
	cli_json_int(o, "rejected", (long long)tune_count(idx, TUNE_REJECT));
	cli_json_int(o, "undecided", (long long)tune_count(idx, TUNE_UNDECIDED));
	cJSON_AddBoolToObject(o, "enough_labels", enough);
	if (isnan(auc))
		cJSON_AddNullToObject(o, "auc");
	else
		cJSON_AddNumberToObject(o, "auc", auc);
}

/*
 * Cutoffs op by op, beside the all-ops one: a metric rarely means the same
 * for a flip and a colour jitter. An op gets a suggestion when it has
 * TUNE_MIN_PER_CLASS accepted and rejected candidates, by the rule the
 * all-ops one follows. Adds "per_op" to doc, or prints, when doc is NULL.
 */
static int
per_op(struct store *st, const struct tune_args *a, enum tune_side side, cJSON *doc,
    char **cause)
{
	const char *sidename = side == TUNE_KEEP_ABOVE ? "min" : "max";
	struct tune_op *ops;
	size_t n;
	cJSON *arr = NULL;

	if (tune_build_per_op(st, a->metric, &ops, &n, cause) != 0)
		return -1;
	if (doc != NULL) {
		cli_json_int(doc, "per_op_min_labels", TUNE_MIN_PER_CLASS);
		arr = cJSON_AddArrayToObject(doc, "per_op");
	} else
		printf("per op     a cutoff where an op has at least %d accepted and %d rejected\n",
		    TUNE_MIN_PER_CLASS, TUNE_MIN_PER_CLASS);
	for (size_t i = 0; i < n; i++) {
		struct tune_index *idx = ops[i].idx;
		struct tune_eval sug;
		struct threshold dflt;
		int enough = tune_enough_labels(idx, TUNE_MIN_PER_CLASS), has = 0;
		double auc = tune_auc(idx, side);
		if (enough)
			has = a->target > 0 ? tune_suggest_precision(idx, side, a->target, &sug) == 0 :
			    tune_suggest_f1(idx, side, &sug) == 0;
		memset(&dflt, 0, sizeof dflt);
		dflt.metric = (char *)a->metric;
		int in_default = metric_in_scope(&dflt, ops[i].op);
		if (doc != NULL) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "op", ops[i].op);
			cJSON_AddBoolToObject(o, "in_default_scope", in_default);
			counts_json(o, idx, enough, auc);
			if (has)
				cJSON_AddItemToObject(o, "suggested", eval_json(&sug));
			else
				cJSON_AddNullToObject(o, "suggested");
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		printf("  %-12s %zu scored, %zu accepted, %zu rejected%s", ops[i].op, tune_size(idx),
		    tune_count(idx, TUNE_ACCEPT), tune_count(idx, TUNE_REJECT),
		    in_default ? "" : " (outside the default scope)");
		if (!enough)
			printf(": too few labels\n");
		else if (!has)
			printf(": no cutoff reaches precision %.3f\n", a->target);
		else {
			putchar('\n');
			eval_print("", sidename, &sug);
			printf("%-10s mmda threshold DB %s --ops %s --%s %g\n", "", a->metric,
			    ops[i].op, sidename, sug.cutoff);
		}
	}
	tune_ops_free(ops, n);
	return 0;
}

static int
run(struct store *st, const struct tune_args *a, const char *who)
{
	const struct metric_def *m = metric_find(a->metric);
	enum tune_side side = m->keep == METRIC_KEEP_ABOVE ? TUNE_KEEP_ABOVE : TUNE_KEEP_BELOW;
	const char *sidename = side == TUNE_KEEP_ABOVE ? "min" : "max";
	struct tune_index *idx;
	struct tune_eval cur, sug;
	struct threshold *th = NULL;
	size_t nth = 0;
	char *cause = NULL;
	int has_cur = 0, has_sug = 0, enough;

	if ((idx = tune_build_metric(st, a->metric, &cause)) == NULL)
		return cli_fail("tune", cause);
	if (tune_size(idx) == 0) {
		tune_free(idx);
		return cli_error("tune", "%s: no scores (run mmda score first)", a->metric);
	}
	if (store_thresholds(st, NULL, &th, &nth, &cause) != 0) {
		tune_free(idx);
		return cli_fail("tune", cause);
	}
	for (size_t i = 0; i < nth; i++) {
		/* The all-ops figures are those of the default scope's threshold. */
		if (strcmp(th[i].metric, a->metric) != 0 || *th[i].scope != '\0' ||
		    (!th[i].has_min && !th[i].has_max))
			continue;
		/* The range in force, whichever bounds it has. */
		tune_eval_range(idx, th[i].has_min ? th[i].min : -INFINITY,
		    th[i].has_max ? th[i].max : INFINITY, &cur);
		cur.cutoff = side == TUNE_KEEP_ABOVE ? (th[i].has_min ? th[i].min : -INFINITY) :
		    (th[i].has_max ? th[i].max : INFINITY);
		has_cur = 1;
	}
	enough = tune_enough_labels(idx, TUNE_MIN_PER_CLASS);
	if (enough)
		has_sug = a->target > 0 ? tune_suggest_precision(idx, side, a->target, &sug) == 0 :
		    tune_suggest_f1(idx, side, &sug) == 0;
	double auc = tune_auc(idx, side);
	struct tune_bin *bins = xcalloc((size_t)a->bins, sizeof *bins);
	tune_histogram(idx, a->bins, tune_min(idx), tune_max(idx), bins);

	/* SLUMA: select the batch at tau on the metric's side, then move tau toward the acceptance. */
	struct tune_sluma sl;
	double sl_cut = NAN;
	if (a->sluma) {
		tune_sluma_step(idx, side, a->tau, a->d, &sl);
		sl_cut = isnan(sl.next_cutoff) ? sl.cutoff : sl.next_cutoff;
		/* With --sluma, --apply sets the threshold SLUMA found, not the F1 one. */
		if (a->apply) {
			has_sug = 1;
			tune_eval_at(idx, sl_cut, side, &sug);
		}
	}
	if (a->apply && has_sug) {
		struct threshold t;
		memset(&t, 0, sizeof t);
		for (size_t i = 0; i < nth; i++)
			if (strcmp(th[i].metric, a->metric) == 0 && *th[i].scope == '\0')
				t = th[i];
		t.metric = (char *)a->metric;
		t.scope = (char *)"";
		if (side == TUNE_KEEP_ABOVE)
			t.has_min = 1, t.min = sug.cutoff;
		else
			t.has_max = 1, t.max = sug.cutoff;
		t.enabled = 1;
		t.changed_by = (char *)who;
		if (store_threshold_set(st, &t, &cause) != 0) {
			free(bins);
			thresholds_free(th, nth);
			tune_free(idx);
			return cli_fail("tune", cause);
		}
	}

	if (a->json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(doc, "metric", a->metric);
		cJSON_AddStringToObject(doc, "keep", side == TUNE_KEEP_ABOVE ? "above" : "below");
		counts_json(doc, idx, enough, auc);
		arr = cJSON_AddArrayToObject(doc, "histogram");
		for (int i = 0; i < a->bins; i++) {
			cJSON *b = cJSON_CreateObject();
			cJSON_AddNumberToObject(b, "lo", bins[i].lo);
			cJSON_AddNumberToObject(b, "hi", bins[i].hi);
			cli_json_int(b, "accepted", bins[i].accept);
			cli_json_int(b, "rejected", bins[i].reject);
			cli_json_int(b, "undecided", bins[i].undecided);
			cJSON_AddItemToArray(arr, b);
		}
		if (has_cur) {
			cJSON *c = eval_json(&cur);
			cJSON_DeleteItemFromObject(c, "cutoff");
			cJSON_AddNumberToObject(c, "min", cur.lo);
			cJSON_AddNumberToObject(c, "max", cur.hi);
			cJSON_AddItemToObject(doc, "current", c);
		}
		else
			cJSON_AddNullToObject(doc, "current");
		if (has_sug) {
			cJSON *s = eval_json(&sug);
			cJSON_AddStringToObject(s, "rule", a->sluma && a->apply ? "sluma" :
			    a->target > 0 ? "target-precision" : "best-f1");
			cJSON_AddItemToObject(doc, "suggested", s);
		} else
			cJSON_AddNullToObject(doc, "suggested");
		cJSON_AddBoolToObject(doc, "applied", a->apply && has_sug);
		if (a->sluma) {
			cJSON *s = cJSON_AddObjectToObject(doc, "sluma");
			cJSON_AddNumberToObject(s, "tau", a->tau);
			cJSON_AddNumberToObject(s, "d", a->d);
			cJSON_AddNumberToObject(s, "cutoff", sl.cutoff);
			cli_json_int(s, "selected", sl.sel.kept);
			if (isnan(sl.acceptance)) {
				cJSON_AddNullToObject(s, "acceptance");
				cJSON_AddNullToObject(s, "next_tau");
				cJSON_AddNullToObject(s, "next_cutoff");
			} else {
				cJSON_AddNumberToObject(s, "acceptance", sl.acceptance);
				cJSON_AddNumberToObject(s, "next_tau", sl.next_tau);
				cJSON_AddNumberToObject(s, "next_cutoff", sl.next_cutoff);
			}
		}
		if (per_op(st, a, side, doc, &cause) != 0) {
			cJSON_Delete(doc);
			goto fail;
		}
		cli_print_json(doc);
	} else {
		printf("%s: %zu scored; %zu accepted, %zu rejected, %zu undecided; keep %s\n",
		    a->metric, tune_size(idx), tune_count(idx, TUNE_ACCEPT),
		    tune_count(idx, TUNE_REJECT), tune_count(idx, TUNE_UNDECIDED),
		    side == TUNE_KEEP_ABOVE ? "high values" : "low values");
		if (isnan(auc))
			printf("ROC AUC    undefined (needs both accepted and rejected)\n");
		else
			printf("ROC AUC    %.3f\n", auc);
		printf("histogram  %-21s %8s %8s %9s\n", "range", "accepted", "rejected",
		    "undecided");
		for (int i = 0; i < a->bins; i++)
			printf("           %9.4g..%-9.4g %8" PRId64 " %8" PRId64 " %9" PRId64 "\n",
			    bins[i].lo, bins[i].hi, bins[i].accept, bins[i].reject,
			    bins[i].undecided);
		if (has_cur)
			eval_print("current", NULL, &cur);
		else
			printf("current    no %s threshold on %s\n", sidename, a->metric);
		if (!enough)
			printf("suggested  too few labels to say anything: %zu accepted and %zu "
			       "rejected (at least %d of each are needed)\n",
			    tune_count(idx, TUNE_ACCEPT), tune_count(idx, TUNE_REJECT),
			    TUNE_MIN_PER_CLASS);
		else if (has_sug)
			eval_print(a->sluma && a->apply ? "SLUMA" : a->target > 0 ? "suggested" :
			    "best F1", sidename, &sug);
		else
			printf("suggested  no cutoff reaches precision %.3f\n", a->target);
		if (a->apply && has_sug)
			printf("applied    %s %s %g\n", a->metric, sidename, sug.cutoff);
		if (a->sluma) {
			printf("SLUMA      tau %g (%s %g) selects %" PRId64 "; ", a->tau, sidename,
			    sl.cutoff, sl.sel.kept);
			if (isnan(sl.acceptance))
				printf("no labels among them yet\n");
			else
				printf("acceptance %.3f, next tau %.4f (%s %g; d %g)\n", sl.acceptance,
				    sl.next_tau, sidename, sl.next_cutoff, a->d);
		}
		if (per_op(st, a, side, NULL, &cause) != 0)
			goto fail;
	}
	free(bins);
	thresholds_free(th, nth);
	tune_free(idx);
	return CLI_OK;
fail:
	free(bins);
	thresholds_free(th, nth);
	tune_free(idx);
	return cli_fail("tune", cause);
}

static void
print_cv(const char *label, const struct learn_cv *cv)
{
	printf("  %-26s precision %.3f  recall %.3f  F1 %.3f  AUC %.3f\n", label, cv->precision,
	    cv->recall, cv->f1, cv->auc);
}

/* mmda tune --learn: the learned filter, fitted, cross-validated and kept. */
static int
learn(struct store *st, const struct learn_opts *o, int json)
{
	struct learn_report r;
	char *cause = NULL;

	if (learn_run(st, o, &r, &cause) != 0)
		return cli_fail("tune", cause);
	if (json) {
		cli_print_json(learn_report_json(&r));
		learn_report_free(&r);
		return CLI_OK;
	}
	printf("learned filter v%d: L2 logistic regression (l2 %g) over %zu features, %zu labels "
	    "(%zu accepted)\n", r.version, r.l2, r.model.d, r.labelled, r.accepts);
	printf("%d-fold cross-validation (stratified, the same folds for both):\n", r.k);
	print_cv("learned filter (p >= 0.5)", &r.cv);
	if (r.best_metric[0] != '\0') {
		char label[96];
		snprintf(label, sizeof label, "best single: %s", r.best_metric);
		print_cv(label, &r.best);
	} else
		printf("  no single metric could be cut\n");
	printf("coefficients (per standard deviation of the feature):\n");
	printf("  %-26s %+.4f\n", "(intercept)", r.model.b);
	for (size_t j = 0; j < r.model.d; j++) {
		printf("  ");
		cli_put_safe(stdout, r.names[j]);
		printf("%*s %+.4f\n", (int)(26 - strlen(r.names[j]) > 0 ? 26 - strlen(r.names[j]) :
		    0), "", r.model.w[j]);
	}
	printf("wrote %s for %lld candidates; enable it with mmda threshold DB %s --min 0.5\n",
	    LEARN_METRIC, (long long)r.scored, LEARN_METRIC);
	learn_report_free(&r);
	return CLI_OK;
}

/* mmda tune --mix-rationales: T-SciQ's CoT-or-PCoT choice per skill, printed and kept. */
static int
mix_rationales(struct store *st, int json)
{
	struct mix_choice *c;
	size_t n;
	char *cause = NULL;

	if (tune_mix_rationales(st, &c, &n, &cause) != 0)
		return cli_fail("tune", cause);
	if (json) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "skills");
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "skill", c[i].skill);
			cli_json_int(o, "problems", (int64_t)c[i].problems);
			cli_json_int(o, "cot_errors", (int64_t)c[i].cot_errors);
			cli_json_int(o, "pcot_errors", (int64_t)c[i].pcot_errors);
			if (c[i].choice != NULL)
				cJSON_AddStringToObject(o, "choice", c[i].choice);
			else
				cJSON_AddNullToObject(o, "choice");
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddStringToObject(root, "setting", MIX_RATIONALES_SETTING);
		cli_print_json(root);
	} else if (n == 0) {
		printf("no reviewed rationales: run augment --op rationale with mode=cot and "
		    "mode=pcot, and review them\n");
	} else {
		printf("%-32s %8s %10s %11s  %s\n", "skill", "problems", "cot errors",
		    "pcot errors", "choice");
		for (size_t i = 0; i < n; i++) {
			char *skill = utf8_sanitize(c[i].skill, 0);
			printf("%-32s %8zu %10zu %11zu  %s\n", skill, c[i].problems, c[i].cot_errors,
			    c[i].pcot_errors, c[i].choice != NULL ? c[i].choice :
			    "none (no problem reviewed in both modes)");
			free(skill);
		}
		printf("kept as the setting %s: augment --op rationale --set mode=mix uses it\n",
		    MIX_RATIONALES_SETTING);
	}
	mix_choices_free(c, n);
	return CLI_OK;
}

int
cmd_tune(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "target-precision", required_argument, NULL, 'p' },
		{ "bins", required_argument, NULL, 'b' },
		{ "apply", no_argument, NULL, 'a' },
		{ "sluma", no_argument, NULL, 's' },
		{ "tau", required_argument, NULL, 't' },
		{ "decay", required_argument, NULL, 'd' },
		{ "annotator", required_argument, NULL, 'A' },
		{ "learn", no_argument, NULL, 'L' },
		{ "mix-rationales", no_argument, NULL, 'X' },
		{ "folds", required_argument, NULL, 'F' },
		{ "l2", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tune_args a = { NULL, 0, 10, 0, 0, TUNE_SLUMA_TAU0, TUNE_SLUMA_D, 0 };
	const char *who = NULL;
	struct learn_opts lo = { 5, 0.1, 0 };
	struct store *st;
	char *end;
	int64_t v;
	int ch, rc, learning = 0, mixing = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			a.metric = optarg;
			break;
		case 'p':
		case 't':
		case 'd': {
			double x = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(x >= 0 && x <= 1) ||
			    (ch == 'p' && x == 0))
				return cli_usage("tune", "%s wants a number in (0, 1]",
				    argv[optind - 1]);
			if (ch == 'p')
				a.target = x;
			else if (ch == 't')
				a.tau = x;
			else
				a.d = x;
			break;
		}
		case 'b':
			if (parse_int64(optarg, 1, 200, &v) != 0)
				return cli_usage("tune", "--bins wants a number from 1 to 200");
			a.bins = (int)v;
			break;
		case 'a':
			a.apply = 1;
			break;
		case 's':
			a.sluma = 1;
			break;
		case 'A':
			who = optarg;
			break;
		case 'L':
			learning = 1;
			break;
		case 'X':
			mixing = 1;
			break;
		case 'F':
			if (parse_int64(optarg, 2, LEARN_MAX_FOLDS, &v) != 0)
				return cli_usage("tune", "--folds wants a number from 2 to %d",
				    LEARN_MAX_FOLDS);
			lo.folds = (int)v;
			break;
		case 'R': {
			double x = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(x >= 0 && x <= 1000))
				return cli_usage("tune", "--l2 wants a number from 0 to 1000");
			lo.l2 = x;
			break;
		}
		case 'S':
			if (parse_int64(optarg, 0, INT64_MAX, &v) != 0)
				return cli_usage("tune", "--seed wants a number");
			lo.seed = (uint64_t)v;
			break;
		case 'j':
			a.json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("tune"));
			return CLI_OK;
		default:
			return cli_usage("tune", "unknown option %s", argv[optind - 1]);
		}
	}
	if (mixing) {
		if (argc - optind != 1 || a.metric != NULL || learning)
			return cli_usage("tune", "--mix-rationales takes a database and nothing else");
		if ((st = cli_open("tune", argv[optind], 0)) == NULL)
			return CLI_ERROR;
		rc = mix_rationales(st, a.json);
		store_close(st);
		return rc;
	}
	if (learning) {
		if (argc - optind != 1 || a.metric != NULL)
			return cli_usage("tune", "--learn takes a database and no --metric");
		if ((st = cli_open("tune", argv[optind], 0)) == NULL)
			return CLI_ERROR;
		rc = learn(st, &lo, a.json);
		store_close(st);
		return rc;
	}
	if (argc - optind != 1 || a.metric == NULL)
		return cli_usage("tune", "a database and --metric (or --learn) are needed");
	if (metric_find(a.metric) == NULL)
		return cli_usage("tune", "unknown metric %s (mmda metrics lists them)", a.metric);
	if ((st = cli_open("tune", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	rc = run(st, &a, cli_annotator(who));
	store_close(st);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sample", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t want = 0, seed = 1, population, drawn;
	struct store *st;
	char *cause = NULL;
	int ch, json = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (parse_int64(optarg, 1, 1000000, &want) != 0)
				return cli_usage("audit", "--sample wants a number from 1 to 1000000");
			break;
		case 's':
			if (parse_int64(optarg, 0, INT64_MAX, &seed) != 0)
				return cli_usage("audit", "--seed wants a number");
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("audit"));
			return CLI_OK;
		default:
			return cli_usage("audit", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1 || want == 0)
		return cli_usage("audit", "a database and --sample N are needed");
	if ((st = cli_open("audit", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	int rc = audit_draw(st, metric_default_scopes(), want, (uint64_t)seed, &population, &drawn,
	    &cause);
	store_close(st);
	if (rc != 0)
		return cli_fail("audit", cause);
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		cli_json_int(doc, "population", population);
		cli_json_int(doc, "drawn", drawn);
		cli_json_int(doc, "seed", seed);
		cli_print_json(doc);
	} else
		printf("audit: drew %" PRId64 " of the %" PRId64 " candidates an export takes unreviewed"
		    " (seed %" PRId64 "); review them with mmda review %s --queue audit\n", drawn,
		    population, seed, argv[optind]);
	return CLI_OK;
}
