/* SPDX-License-Identifier: MIT */
/* mmda review (and mmda DB), and mmda probe. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "tui/app.h"
#include "cli/cli.h"
#include "tui/commands.h"
#include "tui/probe.h"
#include "tui/render.h"
#include "tui/screen.h"
#include "tui/theme.h"

/* Asks the terminal what it can show, before curses takes it over. */
static void
probe(struct term_caps *caps)
{
	int timeout = getenv("SSH_CONNECTION") ? 2000 : 1000;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);

	memset(caps, 0, sizeof *caps);
	if (fd < 0 || !isatty(STDOUT_FILENO)) {
		snprintf(caps->why, sizeof caps->why, "no terminal to ask");
		if (fd >= 0)
			close(fd);
		return;
	}
	probe_terminal(fd, timeout, caps);
	close(fd);
}

int
cmd_probe(int argc, char **argv)
{
	struct term_caps caps;
	int rc;

	if ((rc = cli_parse_plain("probe", argc, argv, NULL)) != 0)
		return rc < 0 ? CLI_OK : rc;
	probe(&caps);
	probe_describe(&caps, stdout);
	return CLI_OK;
}

int
cmd_review(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "renderer", required_argument, NULL, 'r' },
		{ "theme", required_argument, NULL, 't' },
		{ "annotator", required_argument, NULL, 'a' },
		{ "queue", required_argument, NULL, 'q' },
		{ "overlap", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "budget", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *who = NULL, *theme = NULL, *script = getenv("MMDA_SCRIPT");
	struct app a;
	char *cause = NULL;
	int ch, rc = CLI_OK;
	int64_t v;

	memset(&a, 0, sizeof a);
	a.budget_ms = 300;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (render_parse(optarg, &a.renderer) != 0)
				return cli_usage("review", "--renderer is auto, kitty, sixel, blocks or none");
			break;
		case 't':
			theme = optarg;
			break;
		case 'a':
			who = optarg;
			break;
		case 'q':
			if (app_queue_parse(optarg, &a) != 0)
				return cli_usage("review", "unknown queue %s (mmda review --help lists "
				    "them)", optarg);
			break;
		case 'o':
			if (parse_int64(optarg, 1, 100, &v) != 0)
				return cli_usage("review", "--overlap wants a number from 1 to 100");
			a.overlap = (int)v;
			break;
		case 'c':
			a.config = optarg;
			break;
		case 'b':
			if (parse_int64(optarg, 20, 10000, &v) != 0)
				return cli_usage("review", "--budget wants milliseconds from 20 to 10000");
			a.budget_ms = (int)v;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("review"));
			printf("\nqueues (--queue):\n");
			for (const struct queue_def *q = app_queues; q->name != NULL; q++)
				printf("  %-11s %s\n", q->name, q->help);
			return CLI_OK;
		default:
			return cli_usage("review", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("review", "one database path is needed");
	if (theme_load(theme, &cause) != 0 || commands_load_keymap(NULL, &cause) != 0)
		return cli_fail("review", cause);
	snprintf(a.annotator, sizeof a.annotator, "%s", cli_annotator(who));
	a.db_path = argv[optind];
	if ((a.st = cli_open("review", a.db_path, 0)) == NULL)
		return CLI_ERROR;
	if (app_queue_load(&a, &cause) != 0) {
		app_queue_free(&a);
		store_close(a.st);
		return cli_fail("review", cause);
	}
	if (script != NULL && *script != '\0' && (a.script = fopen(script, "r")) == NULL) {
		store_close(a.st);
		free(a.ids);
		app_queue_free(&a);
		return cli_error("review", "%s: cannot read the script", script);
	}
	/* Scripted runs have no terminal to ask; the real one is probed before curses. */
	if (a.script == NULL && a.renderer != RENDER_NONE && a.renderer != RENDER_BLOCKS)
		probe(&a.caps);
	/* Start at this annotator's first undecided candidate (leased, with overlap). */
	int64_t first;
	if (a.overlap > 0) {
		if ((a.queue.kind == QUEUE_DEFAULT ?
		    store_lease_next(a.st, a.annotator, a.overlap, 600, &first, NULL) :
		    store_lease_next_in(a.st, &a.queue, a.annotator, a.overlap, 600, &first, NULL)) == 1)
			for (size_t i = 0; i < a.n; i++)
				if (a.ids[i] == first)
					a.cur = i;
	} else
		app_queue_first_undecided(&a);
	app_load(&a);
	if (screen_run(&a, &cause) != 0)
		rc = cli_fail("review", cause);
	if (app_free(&a) != 0) {
		/* The terminal is back; a job stuck where no cancel reaches must not hold the
		 * process, and nothing may be freed or torn down under its thread. Every
		 * decision is committed; what the batch stored stays, a re-run does the rest. */
		fprintf(stderr, "mmda: review: a background job did not stop within %d ms;"
		    " left unfinished (run it again to finish it)\n", APP_STOP_MS);
		fflush(NULL);
		_exit(rc);
	}
	if (a.script != NULL)
		fclose(a.script);
	free(a.ids);
	store_close(a.st);
	return rc;
}
