/* SPDX-License-Identifier: MIT */
/*
 * mmda's entry point: finds the command in the table and runs it. This is the
 * one file of tui/ that wires the screens of views/ (and could wire db/) in;
 * the store itself is reached through core/store.h.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tui/screen.h"
#include "views/views.h"

#ifndef MMDA_VERSION
#define MMDA_VERSION "0.1.0"
#endif

int
main(int argc, char **argv)
{
	const struct cli_command *c;

	cli_program = argv[0];
	setlocale(LC_ALL, "");
	screen_view_draw = views_draw;
	opterr = 0; /* commands word their own usage errors */
	if (argc < 2) {
		cli_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = cli_find(argv[2])) != NULL)
			cli_command_help(stdout, c);
		else
			cli_help(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mmda %s\n", MMDA_VERSION);
		return CLI_OK;
	}
	if ((c = cli_find(argv[1])) == NULL && argv[1][0] != '-' && access(argv[1], F_OK) == 0) {
		/* mmda DB: the review screen. */
		argv[0] = (char *)"review";
		return cmd_review(argc, argv);
	}
	if (c == NULL) {
		fprintf(stderr, "mmda: ");
		cli_put_safe(stderr, argv[1]);
		fprintf(stderr, ": unknown command (mmda --help lists them)\n");
		return CLI_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
