/* SPDX-License-Identifier: MIT */
/*
 * Tests for finding and reading the backends config from disk: the search
 * order (explicit path, $MMDA_CONFIG, ./mmda.json, $XDG_CONFIG_HOME or
 * ~/.config), run in a temporary folder with the environment changed; a
 * named file that is missing is an error; labels_file is read relative to
 * the config; and the shipped mmda.example.json loads with every kind.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/models/backend.h"
#include "core/base/util.h"
#include "tests/harness.h"

#define CHAT "\"kind\": \"openai-chat\", \"base_url\": \"http://h\", \"model\": \"m\""

static char tmp_root[PATH_MAX];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
config_text(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "{\"backends\": [{\"name\": \"%s\", " CHAT "}]}", name);
}

/* Loads with the current environment; the first backend's name, or the status in words. */
static void
load_name(const char *explicit_path, char *out, size_t size)
{
	struct backend_config *cfg = NULL;
	char *cause = NULL;
	int rc = backend_config_load(explicit_path, &cfg, &cause);

	if (rc == 0)
		snprintf(out, size, "%s", cfg->b[0].name);
	else if (rc == 1)
		snprintf(out, size, "(none)");
	else
		snprintf(out, size, "error: %s", cause);
	backend_config_free(cfg);
	free(cause);
}

static void
test_search_order(void)
{
	char cwd[PATH_MAX], p[PATH_MAX + 64], text[256], got[PATH_MAX + 128];
	const char *base = getenv("TMPDIR");

	snprintf(tmp_root, sizeof tmp_root, "%s/mmda-backend.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	CHECK(mkdtemp(tmp_root) != NULL);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	snprintf(p, sizeof p, "%s/work", tmp_root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/home", tmp_root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/home/.config", tmp_root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/home/.config/mmda", tmp_root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/xdg", tmp_root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/xdg/mmda", tmp_root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/work", tmp_root);
	CHECK(chdir(p) == 0);

	unsetenv("MMDA_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	snprintf(p, sizeof p, "%s/home", tmp_root);
	setenv("HOME", p, 1);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "(none)");

	config_text(text, sizeof text, "home");
	snprintf(p, sizeof p, "%s/home/.config/mmda/config.json", tmp_root);
	write_file(p, text);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "home");

	/* XDG_CONFIG_HOME replaces ~/.config: its folder without a file means none. */
	snprintf(p, sizeof p, "%s/xdg", tmp_root);
	setenv("XDG_CONFIG_HOME", p, 1);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "(none)");
	config_text(text, sizeof text, "xdg");
	snprintf(p, sizeof p, "%s/xdg/mmda/config.json", tmp_root);
	write_file(p, text);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "xdg");

	config_text(text, sizeof text, "cwd");
	write_file("mmda.json", text);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "cwd");

	config_text(text, sizeof text, "env");
	snprintf(p, sizeof p, "%s/env.json", tmp_root);
	write_file(p, text);
	setenv("MMDA_CONFIG", p, 1);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "env");

	config_text(text, sizeof text, "explicit");
	snprintf(p, sizeof p, "%s/explicit.json", tmp_root);
	write_file(p, text);
	load_name(p, got, sizeof got);
	CHECK_STR(got, "explicit");

	/* Named but missing: an error, never a fall back to the next place. */
	snprintf(p, sizeof p, "%s/missing.json", tmp_root);
	load_name(p, got, sizeof got);
	CHECK(strstr(got, "error: ") == got && strstr(got, "missing.json: no such config file"));
	setenv("MMDA_CONFIG", p, 1);
	load_name(NULL, got, sizeof got);
	CHECK(strstr(got, "no such config file (from $MMDA_CONFIG)") != NULL);
	setenv("MMDA_CONFIG", "", 1);
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "cwd");

	/* An invalid file is reported with its path. */
	write_file("mmda.json", "{\"backends\": 3}");
	load_name(NULL, got, sizeof got);
	CHECK_STR(got, "error: mmda.json: backends: expected a non-empty array");

	/* labels_file is read from the config's folder, not the working directory. */
	snprintf(p, sizeof p, "%s/labels.txt", tmp_root);
	write_file(p, "cat\r\ndog\n\n");
	snprintf(p, sizeof p, "%s/k.json", tmp_root);
	write_file(p, "{\"backends\": [{\"name\": \"k\", \"kind\": \"kserve-v2\", \"base_url\": "
	    "\"http://h\", \"model\": \"m\", \"io\": {\"labels_file\": \"labels.txt\"}}]}");
	{
		struct backend_config *cfg = NULL;
		char *cause = NULL;

		CHECKF(backend_config_load(p, &cfg, &cause) == 0, "%s", cause);
		if (cfg != NULL) {
			CHECK(cfg->b[0].nlabels == 2);
			if (cfg->b[0].nlabels == 2) {
				CHECK_STR(cfg->b[0].labels[0], "cat");
				CHECK_STR(cfg->b[0].labels[1], "dog");
			}
		}
		backend_config_free(cfg);
		free(cause);
		snprintf(p, sizeof p, "%s/labels.txt", tmp_root);
		write_file(p, "cat\n\ndog\n");
		snprintf(p, sizeof p, "%s/k.json", tmp_root);
		cfg = NULL;
		CHECK(backend_config_load(p, &cfg, &cause) == -1);
		CHECK(cause != NULL && strstr(cause, "backends[0].labels_file: ") != NULL &&
		    strstr(cause, "labels.txt: line 2: empty class name") != NULL);
		free(cause);
	}

	unsetenv("MMDA_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	CHECK(chdir(cwd) == 0);
	snprintf(p, sizeof p, "rm -rf '%s'", tmp_root);
	CHECK(system(p) == 0);
}

static void
test_example(void)
{
	struct backend_config *cfg = NULL;
	char *cause = NULL;
	int kinds[BK_COUNT] = { 0 };

	CHECKF(backend_config_load("mmda.example.json", &cfg, &cause) == 0, "%s", cause);
	free(cause);
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n; i++)
		kinds[cfg->b[i].kind]++;
	for (int k = 0; k < BK_COUNT; k++)
		CHECKF(kinds[k] > 0, "no backend of kind %s", backend_kind_name(k));
	for (int r = 0; r < ROLE_COUNT; r++) {
		cause = NULL;
		CHECKF(backend_for_role(cfg, r, NULL, &cause) != NULL, "%s", cause);
		free(cause);
	}
	backend_config_free(cfg);
}

int
main(void)
{
	h_suite = "backend_files";
	RUN(test_search_order);
	RUN(test_example);
	HARNESS_END();
}
