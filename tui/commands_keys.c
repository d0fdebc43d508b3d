/* SPDX-License-Identifier: MIT */
/*
 * Keys to commands: the key words of the command table ("j Down", "C-l",
 * "PgDn") matched against what curses read, and the user's keymap file
 * (~/.config/mmda/keys or $MMDA_KEYS: "bind KEY COMMAND", "bind KEY none"),
 * consulted before the table.
 */
#include "tui/commands.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* Matches one key spec word against a key. */
static int
spec_matches(const char *spec, size_t len, int is_keycode, int key)
{
	if (len == 1 && !is_keycode)
		return (unsigned char)spec[0] == key;
	if (len == 5 && strncmp(spec, "Space", 5) == 0)
		return !is_keycode && key == ' ';
	if (len == 4 && strncmp(spec, "Down", 4) == 0)
		return is_keycode && key == KEY_DOWN;
	if (len == 2 && strncmp(spec, "Up", 2) == 0)
		return is_keycode && key == KEY_UP;
	if (len == 4 && strncmp(spec, "Left", 4) == 0)
		return is_keycode && key == KEY_LEFT;
	if (len == 5 && strncmp(spec, "Right", 5) == 0)
		return is_keycode && key == KEY_RIGHT;
	if (len == 3 && strncmp(spec, "Tab", 3) == 0)
		return !is_keycode && key == '\t';
	if (len == 5 && strncmp(spec, "Enter", 5) == 0)
		return is_keycode ? key == KEY_ENTER : key == '\n' || key == '\r';
	if (len == 4 && strncmp(spec, "Home", 4) == 0)
		return is_keycode && key == KEY_HOME;
	if (len == 3 && strncmp(spec, "End", 3) == 0)
		return is_keycode && key == KEY_END;
	if (len == 4 && strncmp(spec, "PgUp", 4) == 0)
		return is_keycode && key == KEY_PPAGE;
	if (len == 4 && strncmp(spec, "PgDn", 4) == 0)
		return is_keycode && key == KEY_NPAGE;
	if (len == 3 && spec[0] == 'C' && spec[1] == '-')
		return !is_keycode && key == (spec[2] & 0x1f);
	return 0;
}

/* Bindings from the user's keymap file, consulted before the table. */
struct binding {
	char key[16];
	const struct command *c; /* NULL: the key is unbound */
};
static struct binding user_keys[64];
static int nuser_keys;

int
commands_load_keymap(const char *path, char **cause)
{
	const char *env = getenv("MMDA_KEYS"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *p, line[256];
	int required = path != NULL || (env != NULL && *env), lineno = 0, rc = 0;
	FILE *f;

	if (path != NULL)
		p = xstrdup(path);
	else if (env != NULL && *env)
		p = xstrdup(env);
	else if (xdg != NULL && *xdg)
		p = xasprintf("%s/mmda/keys", xdg);
	else
		p = xasprintf("%s/.config/mmda/keys", home ? home : ".");
	if ((f = fopen(p, "r")) == NULL) {
		rc = required ? cause_set(cause, "%s: cannot read the keymap", p) : 0;
		free(p);
		return rc;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char verb[16], key[16], name[64];
		lineno++;
		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (sscanf(line, "%15s %15s %63s", verb, key, name) != 3 ||
		    strcmp(verb, "bind") != 0) {
			rc = cause_set(cause, "%s:%d: want: bind KEY COMMAND", p, lineno);
			break;
		}
		const struct command *c = NULL;
		for (const struct command *k = commands; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				c = k;
		if (c == NULL && strcmp(name, "none") != 0) {
			rc = cause_set(cause, "%s:%d: unknown command %s", p, lineno, name);
			break;
		}
		if (nuser_keys == (int)(sizeof user_keys / sizeof user_keys[0])) {
			rc = cause_set(cause, "%s:%d: too many bindings", p, lineno);
			break;
		}
		snprintf(user_keys[nuser_keys].key, sizeof user_keys[nuser_keys].key, "%s", key);
		user_keys[nuser_keys++].c = c;
	}
	fclose(f);
	free(p);
	if (rc != 0)
		nuser_keys = 0;
	return rc;
}

static const struct command *
find_key(int view, int is_keycode, int key)
{
	for (const struct command *c = commands; c->name != NULL; c++) {
		const char *p = c->keys;
		if (c->view != view)
			continue;
		while (*p) {
			size_t len = strcspn(p, " ");
			if (spec_matches(p, len, is_keycode, key))
				return c;
			p += len;
			p += strspn(p, " ");
		}
	}
	return NULL;
}

const struct command *
command_for_key(enum view_id view, int is_keycode, int key)
{
	for (int i = 0; i < nuser_keys; i++)
		if (spec_matches(user_keys[i].key, strlen(user_keys[i].key), is_keycode, key))
			return user_keys[i].c;
	const struct command *c = find_key((int)view, is_keycode, key);
	return c != NULL ? c : find_key(VIEW_COUNT, is_keycode, key);
}
