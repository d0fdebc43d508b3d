/* SPDX-License-Identifier: MIT */
/*
 * The headless command line: one table of commands feeds dispatch, `mmda
 * --help`, each command's --help and the README. Commands print results on
 * stdout (one JSON document with --json) and errors on stderr as
 * "mmda: what: why"; exit 0 on success, 1 on a runtime error, 2 on a usage error.
 */
#ifndef MMDA_CLI_H
#define MMDA_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/base/util.h"

#define CLI_OK 0
#define CLI_ERROR 1
#define CLI_USAGE 2

struct store;

struct cli_command {
	const char *name;
	const char *args;    /* what follows the name in a usage line */
	const char *summary; /* one line for `mmda --help` */
	const char *options; /* the option lines of `mmda CMD --help`, or NULL */
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

/* How this binary was run (main's argv[0], e.g. "./mmda"), for the commands it
 * suggests next; "mmda" until main sets it. */
extern const char *cli_program;

/* The table (cli/cli.c), ended by a NULL name. */
extern const struct cli_command cli_commands[];
const struct cli_command *cli_find(const char *name);
/* Prints the whole help (mmda --help) or one command's help to f. */
void cli_help(FILE *f);
void cli_command_help(FILE *f, const struct cli_command *c);

/* Prints "mmda: CMD: message" and the command's usage line to stderr; returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) MMDA_PRINTF(2, 3);
/* Prints "mmda: CMD: message" to stderr, with data sanitised; returns CLI_ERROR. */
int cli_error(const char *cmd, const char *fmt, ...) MMDA_PRINTF(2, 3);
/* Prints a cause ("mmda: CMD: cause"), frees it and returns CLI_ERROR. */
int cli_fail(const char *cmd, char *cause);

/* The annotator: opt, else $MMDA_ANNOTATOR, else the login name, else "unknown". Static storage. */
const char *cli_annotator(const char *opt);
/* Opens the store or prints why not (NULL). */
struct store *cli_open(const char *cmd, const char *path, int flags);
/* Writes s to f with every control character made visible (no escape reaches a terminal). */
void cli_put_safe(FILE *f, const char *s);
/* Prints doc as one JSON document and a newline on stdout, and frees it. */
void cli_print_json(cJSON *doc);
/* Adds a number that may exceed double precision limits as a JSON number. */
void cli_json_int(cJSON *obj, const char *name, long long v);

/* Command handlers (cli/cmd_*.c). */
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_backends(int argc, char **argv);
int cmd_augment(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_threshold(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_next(int argc, char **argv);
int cmd_conflicts(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_probe(int argc, char **argv);

/*
 * The progress line of a batch on a terminal (nothing when stderr is not
 * one, so scripts reading stderr get no noise): "LABEL done/total rate/s ETA";
 * start is the batch's now_mono_s().
 */
void cli_progress(const char *label, double start, int64_t done, int64_t total);

/*
 * A graceful stop for a batch (cli/cli_stop.c): installs SIGINT/SIGTERM
 * handlers whose first signal sets the flag (pass it as the batch's cancel)
 * and, with a model client, cuts its requests short; a second signal ends
 * the process. cli_stop_end restores the handlers and frees. Never fails.
 */
struct mclient;
struct cli_stop;
struct cli_stop *cli_stop_start(struct mclient *mc);
_Atomic int *cli_stop_flag(struct cli_stop *s);
void cli_stop_end(struct cli_stop *s);

/* Shared by commands that take only --help and positionals. */
int cli_parse_plain(const char *cmd, int argc, char **argv, int *json);

#endif
