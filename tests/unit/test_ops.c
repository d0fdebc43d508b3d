/* SPDX-License-Identifier: MIT */
/*
 * The operator table: every operator parses its defaults into canonical
 * JSON that names every parameter once, rejects bad settings with a reason,
 * runs on small images deterministically, and never reports a drawn value
 * under a parameter's name (replay would read it back as a setting).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "core/ops/ops.h"
#include "core/base/util.h"
#include "core/text/wordnet.h"
#include "tests/harness.h"

static void
fill(struct image *img, int w, int h)
{
	image_alloc(img, w, h, 3, 0, NULL);
	for (int i = 0; i < w * h * 3; i++)
		img->px[i] = (uint8_t)(i * 7 + i / 5);
}

static void
defaults_canonical(void)
{
	for (const struct op_def *op = op_table; op->name != NULL; op++) {
		struct op_args a;
		char *canon = NULL, *cause = NULL;
		CHECKF(op_args_parse(op, NULL, 0, &a, &canon, &cause) == 0, "%s: %s", op->name,
		    cause ? cause : "");
		cJSON *doc = cJSON_Parse(canon ? canon : "");
		CHECKF(cJSON_IsObject(doc), "%s: %s", op->name, canon ? canon : "(null)");
		/* Backend names are local to a config: they stay out of the canonical params. */
		int hashed = 0;
		for (int i = 0; i < op->nparams; i++) {
			int backend = op->params[i].type == PARAM_BACKEND;
			hashed += !backend;
			CHECKF((cJSON_GetObjectItemCaseSensitive(doc, op->params[i].name) != NULL) ==
			    !backend, "%s.%s", op->name, op->params[i].name);
		}
		CHECK(cJSON_GetArraySize(doc) == hashed);
		CHECK(op->nparams <= OP_MAX_PARAMS);
		CHECK(op_find(op->name) == op);
		cJSON_Delete(doc);
		free(canon);
		op_args_free(op, &a);
	}
	CHECK(op_find("nosuch") == NULL);
	size_t nops = 0;
	while (op_table[nops].name != NULL)
		nops++;
	CHECK(nops <= OP_TABLE_MAX);
}

static void
settings(void)
{
	const struct op_def *op = op_find("mixgen");
	struct op_args a;
	char *canon = NULL, *c2 = NULL, *cause = NULL;
	char *s1[] = { (char *)"lambda=0.25" }, *s2[] = { (char *)"lambda=.250" };

	CHECK(op_args_parse(op, s1, 1, &a, &canon, &cause) == 0 && a.num[0] == 0.25);
	op_args_free(op, &a);
	/* Two spellings of one value give one canonical text (and so one aug_id). */
	CHECK(op_args_parse(op, s2, 1, &a, &c2, &cause) == 0);
	CHECK_STR(canon, c2);
	op_args_free(op, &a);
	free(canon);
	free(c2);

	static const char *const bad[][2] = {
		{ "lambda=1.5", "out of range" }, { "lambda=abc", "not a number" },
		{ "nosuch=1", "unknown parameter" }, { "lambda", "KEY=VALUE" },
		{ "lambda=", "not a number" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *s[] = { (char *)bad[i][0] };
		cause = NULL;
		canon = NULL;
		CHECK(op_args_parse(op, s, 1, &a, &canon, &cause) == -1);
		CHECKF(cause != NULL && strstr(cause, bad[i][1]) != NULL, "%s: %s", bad[i][0],
		    cause ? cause : "(null)");
		CHECK(canon == NULL);
		free(cause);
	}
	char *e[] = { (char *)"caption=longest" };
	cause = NULL;
	CHECK(op_args_parse(op_find("cutmix"), e, 1, &a, &canon, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "concat|dominant") != NULL);
	free(cause);
	char *q[] = { (char *)"quality=7.5" };
	cause = NULL;
	CHECK(op_args_parse(op_find("jpeg"), q, 1, &a, &canon, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "whole number") != NULL);
	free(cause);
}

static void
run_every_op(void)
{
	struct image a, b;
	char *cause = NULL;
	struct wordnet *wn = wn_open(NULL, &cause);

	CHECKF(wn != NULL, "%s", cause ? cause : "");
	free(cause);
	fill(&a, 24, 16);
	fill(&b, 10, 30);
	for (const struct op_def *op = op_table; op->name != NULL; op++) {
		struct op_output o1, o2;
		struct op_input in;
		struct op_args args;
		struct rng r1, r2;
		char *canon = NULL;

		memset(&in, 0, sizeof in);
		memset(&o1, 0, sizeof o1);
		memset(&o2, 0, sizeof o2);
		if (op_args_parse(op, NULL, 0, &args, &canon, NULL) != 0)
			continue;
		in.img[0] = &a;
		in.img[1] = &b;
		in.text[0] = "A dog on the left of a red car.";
		in.text[1] = "Two cats.";
		in.wn = wn;
		rng_seed(&r1, 11);
		rng_seed(&r2, 11);
		in.rng = &r1;
		cause = NULL;
		if (op->needs_backend || op->plan != NULL) {
			/* Without its plan and a model client a model op refuses, it does not crash
			 * (tests/cli/mops_*.sh run them against the stub server); so does an op
			 * whose plan loads what it works from (code-switch's concept map). */
			CHECKF(op->apply(op, &args, &in, &o1, &cause) == -1 && cause != NULL,
			    "%s ran without a client", op->name);
			free(cause);
			op_output_free(&o1);
			op_args_free(op, &args);
			free(canon);
			continue;
		}
		int rc1 = op->apply(op, &args, &in, &o1, &cause);
		CHECKF(rc1 == 0, "%s: %s", op->name, cause ? cause : "");
		free(cause);
		in.rng = &r2;
		int rc2 = op->apply(op, &args, &in, &o2, NULL);
		CHECK(rc2 == 0);
		if (rc1 == 0 && rc2 == 0) {
			CHECKF(strcmp(o1.text, o2.text) == 0, "%s: text differs between runs", op->name);
			CHECK((o1.img.px == NULL) == (op->kind == OP_TEXT));
			if (o1.img.px != NULL && o2.img.px != NULL)
				CHECKF(o1.img.w == o2.img.w && o1.img.h == o2.img.h &&
				    memcmp(o1.img.px, o2.img.px, (size_t)o1.img.w * o1.img.h *
				    o1.img.channels) == 0, "%s: pixels differ between runs", op->name);
			cJSON *extra = o1.extra ? cJSON_Parse(o1.extra) : NULL;
			CHECKF(o1.extra == NULL || cJSON_IsObject(extra), "%s: extra %s", op->name,
			    o1.extra);
			for (int i = 0; extra != NULL && i < op->nparams; i++)
				CHECKF(cJSON_GetObjectItemCaseSensitive(extra, op->params[i].name) ==
				    NULL, "%s: drawn value named like parameter %s", op->name,
				    op->params[i].name);
			cJSON_Delete(extra);
		}
		op_output_free(&o1);
		op_output_free(&o2);
		op_args_free(op, &args);
		free(canon);
	}
	image_free(&a);
	image_free(&b);
	if (wn != NULL)
		wn_close(wn);
}

int
main(void)
{
	h_suite = "ops";
	RUN(defaults_canonical);
	RUN(settings);
	RUN(run_every_op);
	HARNESS_END();
}
