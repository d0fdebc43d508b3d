/* SPDX-License-Identifier: MIT */
/*
 * The command table of the review application: every action has a name, its
 * default keys and a help line. A key, the `:` prompt, a test script
 * (MMDA_SCRIPT) and the help screen all go through this one table.
 */
#ifndef MMDA_COMMANDS_H
#define MMDA_COMMANDS_H

#include "tui/app.h"

struct command {
	const char *name;
	const char *keys; /* default keys, space-separated: "a", "j Down", "C-l", "Space" */
	int view;         /* the keys work on this screen only (VIEW_COUNT: on every screen) */
	const char *help;
	/* Runs the command; arg is the rest of a `:` or script line ("" when none). */
	void (*run)(struct app *a, const char *arg);
	int flags;        /* CMD_CANDIDATE */
};

/* The command acts on the candidate on screen: it runs only where one is shown
 * (review, list), and elsewhere says so instead of acting on one out of sight. */
#define CMD_CANDIDATE 0x01

/* Runs c with arg, by the rule above; keys, the prompt and scripts all come here. */
void command_run(struct app *a, const struct command *c, const char *arg);

/* The table, ended by a NULL name. */
extern const struct command commands[];

/* The command bound to an ncurses key (a character or a KEY_* code) on a screen, or
 * NULL; a screen's own bindings win over the global ones. */
const struct command *command_for_key(enum view_id view, int is_keycode, int key);
/*
 * Loads a user keymap: lines "bind KEY COMMAND" (KEY as in the table: a
 * character, Space, Enter, Up, Down, Left, Right, C-x; COMMAND a name from
 * the table, or "none" to unbind) and "#" comments. path NULL means
 * $MMDA_KEYS, else $XDG_CONFIG_HOME/mmda/keys or ~/.config/mmda/keys, which
 * may be absent. Returns 0, or -1 with *cause naming the file and line.
 * User bindings win over the defaults on every screen.
 */
int commands_load_keymap(const char *path, char **cause);

/* Runs a line such as "accept" or "goto 12"; unknown names go to the status line. */
void command_line(struct app *a, const char *line);
/* The printable name of a key spec entry ("Space", "Down"), for the help screen. */
const char *command_keys(const struct command *c);

#endif
