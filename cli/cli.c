/* SPDX-License-Identifier: MIT */
/* The command table, help text and the helpers every command shares. */
#include "cli/cli.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/base/numfmt.h"
#include "core/base/utf8.h"

const char *cli_program = "mmda";

const struct cli_command cli_commands[] = {
	{ "init", "DB", "create a database, or bring an old one up to date",
	    NULL, cmd_init },
	{ "import", "DB SOURCE... [--format F] [--root DIR] [--strict] [--verify] [--json]",
	    "import image-text pairs from manifests, shards or folders",
	    "  --format F   auto (default), jsonl, csv, coco, llava, dj, wds, dir or scienceqa\n"
	    "  --root DIR   resolve image paths against DIR (default: the source's folder)\n"
	    "  --strict     stop at the first bad record and keep nothing of that source\n"
	    "  --verify     open every image header: it must exist, decode and fit the limit\n"
	    "  --max-pixels N  pixel limit for --verify (default 64000000)\n"
	    "  --json       print {\"imported\", \"skipped\", \"existing\", \"errors\"}\n",
	    cmd_import },
	{ "stats", "DB [--json]", "count items, candidates by op, decisions by answer and annotator",
	    "  --json       print one JSON document\n", cmd_stats },
	{ "show", "DB CANDIDATE [--json] [--image-out FILE]",
	    "print a candidate: lineage, text, image, decisions",
	    "  CANDIDATE          a numeric id, an aug_id or a unique prefix of one (6+ hex\n"
	    "                     digits), or an original's key in its source\n"
	    "  --json             print one JSON document\n"
	    "  --image-out FILE   write the image, upright, as FILE (.png, .jpg or .webp)\n",
	    cmd_show },
	{ "decide", "DB CANDIDATE accept|reject|skip [--annotator NAME] [--note TEXT]",
	    "record a decision in the append-only log",
	    "  --annotator NAME   who decides (default: $MMDA_ANNOTATOR, then the login name)\n"
	    "  --note TEXT        a free-text note kept with the decision\n"
	    "  --reason TEXT      a short reason code (e.g. wrong-object, artifact)\n"
	    "  --json             print {\"decision\", \"candidate\", \"answer\", \"annotator\"}\n",
	    cmd_decide },
	{ "undo", "DB [--annotator NAME] [--json]",
	    "retract the annotator's latest decision (appends a retraction)",
	    "  --annotator NAME   whose decision (default as for decide)\n"
	    "  --json             print {\"undone\": true|false, \"candidate\"}\n", cmd_undo },
	{ "ops", "[--json]", "list the operators, their parameters, defaults and needs",
	    "  --json       print the operator table as JSON\n", cmd_ops },
	{ "backends", "[--check] [--try] [--config FILE] [--json]",
	    "list the model backends of the config, their roles, and probe them",
	    "  --check        GET each URL's health route once (no retries, 10 s at most);\n"
	    "                 exit status 1 when any does not answer\n"
	    "  --try          send each backend one small real request in its own shape (a\n"
	    "                 short chat, with a tiny image when it has vision; a text and an\n"
	    "                 image embedding; a 64x64 one-step image; a classification) and\n"
	    "                 parse the reply: shows wrong quirks before a batch does. It\n"
	    "                 costs one request per backend; exit status 1 when any fails\n"
	    "  --config FILE  the config (default: $MMDA_CONFIG, ./mmda.json,\n"
	    "                 ~/.config/mmda/config.json); mmda.example.json shows the format\n"
	    "  --json         print {\"config\", \"backends\": [{\"name\", \"kind\", \"urls\",\n"
	    "                 \"model\", \"auth\", \"key_env\", \"key_set\", \"roles\", \"check\"}]}\n"
	    "  Keys are read from the environment variables the config names; they\n"
	    "  never reach the database, an export or a log.\n", cmd_backends },
	{ "augment", "DB --op NAME [--set KEY=VALUE]... [--seed N] [--limit N] [--jobs N]"
	    " [--config FILE] [--json]",
	    "run an operator over the originals; re-runs add nothing",
	    "  --op NAME        the operator (mmda ops lists them)\n"
	    "  --set KEY=VALUE  a parameter (repeatable); the rest take their defaults\n"
	    "  --seed N         base seed (default 0): same inputs, params and seed give\n"
	    "                   the same bytes and the same aug_id\n"
	    "  --limit N        only the first N originals\n"
	    "  --jobs N         decode, transform and encode on N threads (default 1);\n"
	    "                   results are stored in the same order either way\n"
	    "  --config FILE    the backends of model-backed operators (default: $MMDA_CONFIG,\n"
	    "                   ./mmda.json, ~/.config/mmda/config.json)\n"
	    "  --json           print {\"created\": [ids], \"existing\", \"unchanged\",\n"
	    "                   \"filtered\", \"filtered_reasons\", \"failed\"}\n"
	    "  Model-backed operators (rewrite, caption, alia, t2i, inpaint-attr,\n"
	    "  counterfactual, instruct, vqa-gen) record backend, model, prompt, seed and\n"
	    "  the reply's id; their replies are cached, so a re-run costs nothing.\n"
	    "  Ctrl-C stops a batch cleanly (exit status 1; a second one at once); the\n"
	    "  same command finishes it.\n",
	    cmd_augment },
	{ "replay", "DB CANDIDATE [--json]",
	    "regenerate a derived candidate from its record and check the bytes match",
	    "  --json       print {\"id\", \"ok\", \"aug_id_match\", \"image_match\", \"text_match\"}\n"
	    "  Exit status 1 when anything differs.\n", cmd_replay },
	{ "metrics", "[--json]", "list the metrics: what each measures, its scale, needs and defaults",
	    "  --json       print the metric table as JSON\n", cmd_metrics },
	{ "score", "DB [--metric NAME]... [--jobs N] [--config FILE] [--clip NAME] [--json]",
	    "compute missing or outdated scores (all built-in metrics by default)",
	    "  --metric NAME  only this metric (repeatable; mmda metrics lists them)\n"
	    "  --jobs N       decode and compute on N threads (default 2)\n"
	    "  --config FILE  backends config; with it (or when image_text_similarity or\n"
	    "                 clip_score is named) the CLIP metrics are computed too, by\n"
	    "                 the clip backend, and stored with its model's name\n"
	    "  --clip NAME    which embeddings backend (default: the clip role)\n"
	    "  --json         print {\"computed\", \"unchanged\", \"skipped\", \"failed\", \"groups\"}\n",
	    cmd_score },
	{ "threshold", "DB [METRIC [--ops LIST] [--min X|none] [--max Y|none] [--on|--off|--remove]] [--history] [--json]",
	    "show or set the keep range of a metric; candidates passing every enabled one pass",
	    "  --min X, --max Y  bounds of the keep range (none clears one)\n"
	    "  --ops LIST        the threshold of these ops (op names or classes, comma\n"
	    "                    separated; all: every candidate); a metric may have one\n"
	    "                    threshold per scope. Without it: the metric's default\n"
	    "                    scope, the op classes it means something for (mmda metrics)\n"
	    "  --on, --off       enable or disable the threshold without losing it\n"
	    "  --remove          remove the threshold of that scope (kept in the history)\n"
	    "  --history         every change of METRIC's thresholds, who and when\n"
	    "  --annotator NAME  who changes it (default as for decide)\n"
	    "  --json            print {\"thresholds\" or \"history\", \"passing\"}; each with\n"
	    "                    \"scope\" (default, all or the op list) and \"ops\" it checks\n",
	    cmd_threshold },
	{ "tune", "DB --metric NAME [--target-precision P] [--bins N] [--apply] [--sluma] [--json]",
	    "compare a metric with the human decisions and suggest a cutoff; --learn: a filter",
	    "  --metric NAME         the metric to tune\n"
	    "  --target-precision P  suggest the least strict cutoff reaching precision P\n"
	    "                        (default: the cutoff with the best F1)\n"
	    "  --bins N              histogram bins (default 10)\n"
	    "  --apply               set the suggested cutoff as the metric's threshold\n"
	    "  --sluma               SLUMA batch rule: select the scores at least tau good on\n"
	    "                        the metric's scale and side, then tau <- d*tau +\n"
	    "                        (1-d)*acceptance (--tau 0.9, --decay 0.5); with --apply,\n"
	    "                        set the cutoff of the new tau as the threshold\n"
	    "  --json                print the whole report as JSON (per_op: a cutoff for\n"
	    "                        each op with 10 accepted and 10 rejected of its own)\n"
	    "  Accept is positive, reject negative, skips are ignored; several annotators\n"
	    "  vote by majority. Fewer than 10 of either class: no suggestion.\n"
	    "  --learn               instead of one metric: fit a learned filter (L2 logistic\n"
	    "                        regression over every scored metric and the op), report\n"
	    "                        its cross-validated precision, recall, F1 and AUC beside\n"
	    "                        the best single-metric threshold's on the same folds,\n"
	    "                        keep it (versioned) and write its probabilities as the\n"
	    "                        metric learned_accept, which thresholds use like any other\n"
	    "  --folds K             stratified folds (default 5); --seed N shuffles them\n"
	    "  --l2 X                penalty on the standardised weights (default 0.1)\n"
	    "  --mix-rationales      T-SciQ's policy: per skill, CoT or PCoT rationales, by\n"
	    "                        fewer rejections on the problems reviewed in both modes;\n"
	    "                        kept for augment --op rationale --set mode=mix\n",
	    cmd_tune },
	{ "audit", "DB --sample N [--seed S] [--json]",
	    "sample what an export would take unreviewed, to measure its precision",
	    "  --sample N   how many candidates to draw, uniformly at random, from those a\n"
	    "               gold export with --fill passing takes without a person (they\n"
	    "               pass every enabled threshold and nobody has decided them);\n"
	    "               a new draw replaces the old one\n"
	    "  --seed S     the draw's seed (default 1)\n"
	    "  --json       print {\"population\", \"drawn\", \"seed\"}\n"
	    "  Review the sample with mmda review DB --queue audit; mmda stats and the\n"
	    "  export manifest then carry estimated_precision with a Wilson 95% interval.\n",
	    cmd_audit },
	{ "export", "DB --format jsonl|imagefolder|coco|llava|wds|csv|dj --out DIR"
	    " [--select gold|accepted|passing|all] [--json]",
	    "write a gold subset in a trainer's format (complete, or nothing at DIR)",
	    "  --format F          jsonl, imagefolder (HF metadata.jsonl), coco (captions),\n"
	    "                      llava (conversations), wds (tar shards), csv, dj (Data-Juicer)\n"
	    "  --out DIR           a new (or empty) folder; written beside it, renamed when done\n"
	    "  --select S          gold (default): accepted by the consensus rule; accepted:\n"
	    "                      by anyone; passing: every enabled threshold; all\n"
	    "  --consensus R       for gold: majority (default), all, any, or an annotator\n"
	    "  --fill passing      gold plus undecided candidates that pass (marked auto_selected)\n"
	    "  --images M          copy (default), link (hard links) or ref (absolute paths)\n"
	    "  --shard-size N      wds samples per shard (default 10000)\n"
	    "  --json              print {\"out\", \"format\", \"exported\", \"auto_selected\", \"files\"}\n",
	    cmd_export },
	{ "next", "DB [--annotator NAME] [--overlap K] [--lease SECONDS] [--queue Q] [--json]",
	    "lease the next candidate to review, so annotators do not collide",
	    "  --overlap K      how many annotators should see each candidate (default 1)\n"
	    "  --lease SECONDS  how long the candidate is held for you (default 600)\n"
	    "  --queue Q        in which order (default: review order; uncertain: what the\n"
	    "                   learned filter is least sure of first; mmda review --help)\n"
	    "  --json           print {\"candidate\": id or null, \"annotator\"}\n", cmd_next },
	{ "conflicts", "DB [--json]", "candidates that annotators accepted and rejected",
	    "  --json       print the list with each annotator's answer\n", cmd_conflicts },
	{ "merge", "DST SRC... [--trust-roots] [--json]",
	    "fold candidates, images and decisions of other databases in, keyed by aug_id",
	    "  Merging the same source twice adds nothing. Scores are not merged\n"
	    "  (run mmda score); DST's thresholds stay. Every source row naming a file\n"
	    "  is checked first (hashes, paths relative to their root).\n"
	    "  --trust-roots  accept dataset roots DST does not know yet (a root says\n"
	    "                 where images are read from; without it they are refused)\n"
	    "  --json         print {\"candidates\", \"existing\", \"decisions\", \"objects\"}\n",
	    cmd_merge },
	{ "review", "DB [--renderer auto|kitty|sixel|blocks|none] [--theme NAME] [--annotator NAME]",
	    "the review screen: ORIGINAL | AUGMENTED, one key per decision (also: mmda DB)",
	    "  --renderer R     auto (default: kitty graphics, else sixel, when the terminal\n"
	    "                   has it, else half blocks), kitty, sixel, blocks or none\n"
	    "  --theme NAME     dark (default), light, mono, or a .theme file\n"
	    "  --annotator NAME who decides (default: $MMDA_ANNOTATOR, then the login name)\n"
	    "  --queue Q        which candidates, in which order (below; default: each\n"
	    "                   original's augmentations together, originals last)\n"
	    "  --overlap K      several annotators: each candidate goes to K of them, handed\n"
	    "                   out by leases (as mmda next)\n"
	    "  --config FILE    backends for model-backed operators run from the augment\n"
	    "                   screen (default: $MMDA_CONFIG, ./mmda.json, ~/.config/...)\n"
	    "  --budget MS      a pair should cross the link in MS (default 300): over a\n"
	    "                   slower link a coarse preview of both panes goes first,\n"
	    "                   then panes at fewer colours or a lower resolution that\n"
	    "                   fit, then, after a second on the pair, the full ones\n"
	    "  Keys: a accept, x reject, space skip, u undo, j/k next/previous, J/K next/\n"
	    "  previous original, l list (f filter, o sort), Enter open, / search, m mark,\n"
	    "  g augment (X there stops a batch), t thresholds, S stats, E export, z zoom,\n"
	    "  p second parent, D dither, B low bandwidth, ? help, : command, q quit,\n"
	    "  Ctrl-L redraw.\n"
	    "  NO_COLOR is respected. Keymap: ~/.config/mmda/keys or $MMDA_KEYS\n"
	    "  (bind KEY COMMAND).\n"
	    "  MMDA_SCRIPT=FILE runs commands from FILE instead of keys.\n",
	    cmd_review },
	{ "probe", "", "what the terminal can show (kitty graphics, sixel, colours, cell size) and why",
	    NULL, cmd_probe },
	{ "demo", "[DIR]", "build a demo database from the bundled sample (DIR/demo.db)",
	    "  DIR          where to put demo.db (default: ./mmda-demo)\n", cmd_demo },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct cli_command *
cli_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cli_help(FILE *f)
{
	fputs("usage: mmda COMMAND [ARGS]\n\n"
	      "mmda: review augmented image-text pairs, keep the good ones.\n\n"
	      "commands:\n", f);
	for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
		fprintf(f, "  mmda %s %s\n      %s\n", c->name, c->args, c->summary);
	fputs("\n"
	      "  mmda --help | mmda COMMAND --help | mmda --version\n\n"
	      "Exit status: 0 success, 1 runtime error, 2 usage error.\n"
	      "Environment: MMDA_ANNOTATOR (default annotator), MMDA_SAMPLE (demo data folder).\n",
	    f);
}

void
cli_command_help(FILE *f, const struct cli_command *c)
{
	fprintf(f, "usage: mmda %s %s\n\n%s\n", c->name, c->args, c->summary);
	if (c->options != NULL)
		fprintf(f, "\n%s", c->options);
}

static void vsay(const char *cmd, const char *fmt, va_list ap) MMDA_PRINTF(2, 0);

static void
vsay(const char *cmd, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	fprintf(stderr, "mmda: %s: ", cmd);
	cli_put_safe(stderr, msg);
	fputc('\n', stderr);
	free(msg);
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	const struct cli_command *c = cli_find(cmd);
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
	if (c != NULL)
		fprintf(stderr, "usage: mmda %s %s\n", c->name, c->args);
	return CLI_USAGE;
}

int
cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
	return CLI_ERROR;
}

int
cli_fail(const char *cmd, char *cause)
{
	cli_error(cmd, "%s", cause ? cause : "failed");
	free(cause);
	return CLI_ERROR;
}

const char *
cli_annotator(const char *opt)
{
	static char name[256];
	const char *v = opt;
	struct passwd *pw;

	if (v == NULL || *v == '\0')
		v = getenv("MMDA_ANNOTATOR");
	if ((v == NULL || *v == '\0') && (pw = getpwuid(geteuid())) != NULL)
		v = pw->pw_name;
	if (v == NULL || *v == '\0')
		v = getenv("USER");
	if (v == NULL || *v == '\0')
		v = "unknown";
	snprintf(name, sizeof name, "%s", v);
	return name;
}

struct store *
cli_open(const char *cmd, const char *path, int flags)
{
	char *cause = NULL;
	struct store *st = store_open(path, flags, &cause);

	if (st == NULL)
		cli_fail(cmd, cause);
	return st;
}

void
cli_put_safe(FILE *f, const char *s)
{
	char *safe = utf8_sanitize(s, 0);
	fputs(safe, f);
	free(safe);
}

void
cli_print_json(cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);
	if (s != NULL) {
		/* cJSON spells a double in 15 or 17 digits; people and diffs want the shortest. */
		char *short_ = numfmt_json(s);
		fputs(short_, stdout);
		fputc('\n', stdout);
		free(short_);
		free(s);
	}
	cJSON_Delete(doc);
}

void
cli_json_int(cJSON *obj, const char *name, long long v)
{
	cJSON_AddNumberToObject(obj, name, (double)v);
}

int
cli_parse_plain(const char *cmd, int argc, char **argv, int *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (json == NULL)
				return cli_usage(cmd, "--json is not an option of %s", cmd);
			*json = 1;
			break;
		case 'h':
			cli_command_help(stdout, cli_find(cmd));
			return -1;
		default:
			return cli_usage(cmd, "unknown option %s", argv[optind - 1]);
		}
	}
	return 0;
}

void
cli_progress(const char *label, double start, int64_t done, int64_t total)
{
	double el = now_mono_s() - start, rate = el > 0 ? (double)done / el : 0;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s %lld/%lld  %.1f/s  ETA %.0fs   ", label, (long long)done,
	    (long long)total, rate, rate > 0 ? (double)(total - done) / rate : 0.0);
	if (done == total)
		fputc('\n', stderr);
}
