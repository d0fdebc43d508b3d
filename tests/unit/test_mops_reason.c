/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the T-SciQ helpers (core/modelops/mops_problem.c): reading a
 * problem from the meta of a ScienceQA import, a vqa-gen pair or a LLaVA
 * record (and refusing malformed ones), the problem block sent to the
 * model, and the parsers of rationale, lecture and plan replies on good,
 * malformed and hostile input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/modelops/mops_priv.h"
#include "core/base/util.h"
#include "tests/harness.h"

static const char sqa_meta[] =
    "{\"question\":\"Which is a mammal?\",\"choices\":[\"shark\",\"whale\",\"trout\"],"
    "\"answer\":1,\"hint\":\"Mammals breathe air.\",\"skill\":\"Identify mammals\"}";

static void
test_problem_read(void)
{
	struct mops_problem p;
	char *why = NULL, *block;

	CHECK(mops_problem_read(sqa_meta, &p, &why) == 0);
	CHECK(p.nchoices == 3 && p.gold == 1);
	CHECK_STR(p.answer, "whale");
	CHECK_STR(p.skill, "Identify mammals");
	block = mops_problem_block(&p, 1);
	CHECK_STR(block, "Question: Which is a mammal?\nContext: Mammals breathe air.\n"
	    "Options: (A) shark (B) whale (C) trout\nCorrect Answer: (B) whale");
	free(block);
	block = mops_problem_block(&p, 0);
	CHECK(strstr(block, "Correct Answer") == NULL);
	free(block);
	mops_problem_free(&p);

	/* vqa-gen: an open answer, its answer type as the skill. */
	CHECK(mops_problem_read("{\"question\":\"What is it?\",\"answer\":\"A dog\","
	    "\"answer_type\":\"other\"}", &p, &why) == 0);
	CHECK(p.gold == -1 && p.nchoices == 0);
	CHECK_STR(p.skill, "other");
	block = mops_problem_block(&p, 1);
	CHECK_STR(block, "Question: What is it?\nContext: N/A\nCorrect Answer: A dog");
	free(block);
	mops_problem_free(&p);

	/* LLaVA: the first human and gpt turns, image token out; no skill: "general". */
	CHECK(mops_problem_read("{\"conversations\":[{\"from\":\"human\",\"value\":"
	    "\"<image>\\nWhat colour is the bus?\"},{\"from\":\"gpt\",\"value\":\"Red.\"}]}",
	    &p, &why) == 0);
	CHECK_STR(p.question, "What colour is the bus?");
	CHECK_STR(p.answer, "Red.");
	CHECK_STR(p.skill, "general");
	mops_problem_free(&p);

	/* Not problems: no meta, a plain caption's meta, a rationale already. */
	CHECK(mops_problem_read(NULL, &p, &why) == 1 && why == NULL);
	CHECK(mops_problem_read("{\"coco_id\":4}", &p, &why) == 1);
	CHECK(mops_problem_read("{\"question\":\"q?\",\"answer\":\"a\",\"rationale\":\"r\"}",
	    &p, &why) == 1);
	CHECK(mops_problem_read("not json", &p, &why) == 1);

	/* Malformed: an answer index out of range, a non-string choice. */
	CHECK(mops_problem_read("{\"question\":\"q?\",\"choices\":[\"a\",\"b\"],\"answer\":2}",
	    &p, &why) == -1 && why != NULL && strstr(why, "index") != NULL);
	free(why);
	CHECK(mops_problem_read("{\"question\":\"q?\",\"choices\":[\"a\",\"b\"],\"answer\":0.5}",
	    &p, &why) == -1);
	free(why);
	CHECK(mops_problem_read("{\"question\":\"q?\",\"choices\":[\"a\",3],\"answer\":0}",
	    &p, &why) == -1 && strstr(why, "choice") != NULL);
	free(why);
}

/* Parses a reply; returns the final answer (or "(none)") and whether it matches p. */
static int
final_is(const struct mops_problem *p, const char *reply, const char *want, int consistent)
{
	char *rat, *final, *why;
	int ok;

	if (mops_rationale_parse(reply, &rat, &final, &why) != 0) {
		fprintf(stderr, "  rationale(\"%s\") failed: %s\n", reply, why);
		free(why);
		return 0;
	}
	ok = strcmp(final ? final : "(none)", want) == 0 &&
	    mops_answer_consistent(p, final) == consistent;
	if (!ok)
		fprintf(stderr, "  rationale(\"%s\"): final \"%s\", consistent %d\n", reply,
		    final ? final : "(none)", mops_answer_consistent(p, final));
	free(rat);
	free(final);
	return ok;
}

static void
test_rationale(void)
{
	struct mops_problem p, open;
	char *why, *rat, *final;

	CHECK(mops_problem_read(sqa_meta, &p, &why) == 0);
	CHECK(final_is(&p, "Whales breathe air and feed milk.\nAnswer: (B) whale", "(B) whale", 1));
	CHECK(final_is(&p, "Whales breathe air and feed milk.\n**Answer:** B.", "B", 1));
	CHECK(final_is(&p, "Whales breathe air and feed milk.\nThe answer is whale.", "whale", 1));
	CHECK(final_is(&p, "Sharks have gills, so not them.\nAnswer: (A)", "(A)", 0));
	CHECK(final_is(&p, "Sharks and whales are both big.\nAnswer: shark or whale",
	    "shark or whale", 0));
	/* The last answer line counts: the model may restate the question first. */
	CHECK(final_is(&p, "Correct Answer: (A) shark?\nNo: whales breathe air.\nAnswer: C",
	    "C", 0));
	CHECK(final_is(&p, "Whales breathe air and feed their young milk.", "(none)", 0));
	CHECK(mops_problem_read("{\"question\":\"What is it?\",\"answer\":\"a dog\"}", &open,
	    &why) == 0);
	CHECK(final_is(&open, "It barks and wags a tail.\nAnswer: A dog.", "A dog", 1));
	CHECK(final_is(&open, "It barks and wags a tail.\nAnswer: it is a dog", "it is a dog", 1));
	CHECK(final_is(&open, "It barks and wags a tail.\nAnswer: a doghouse", "a doghouse", 0));
	mops_problem_free(&open);

	/* No reasoning, nothing at all, or only escapes: refused with a reason. */
	CHECK(mops_rationale_parse("Answer: (B)", &rat, &final, &why) == -1 && why != NULL);
	CHECK(rat == NULL && final == NULL);
	free(why);
	CHECK(mops_rationale_parse("", &rat, &final, &why) == -1);
	free(why);
	CHECK(mops_rationale_parse("\033[31m\a\033]0;x\a", &rat, &final, &why) == -1);
	free(why);
	/* Hostile bytes are gone from what is kept. */
	CHECK(mops_rationale_parse("Whales \033[2J breathe\a air, unlike sharks.\n"
	    "Answer: \033[31m(B)", &rat, &final, &why) == 0);
	CHECK(strchr(rat, '\033') == NULL && strchr(rat, '\a') == NULL);
	CHECK(final != NULL && strchr(final, '\033') == NULL);
	free(rat);
	free(final);
	mops_problem_free(&p);
}

static void
test_lecture_plan(void)
{
	char *why, *s;

	s = mops_lecture_clean("Sure! Here is the lecture:\nMagnets attract opposite poles.\n"
	    "More.", &why);
	CHECK_STR(s, "Magnets attract opposite poles.");
	free(s);
	CHECK(mops_lecture_clean("OK.", &why) == NULL && why != NULL);
	free(why);
	CHECK(mops_lecture_clean("", &why) == NULL);
	free(why);

	s = mops_plan_parse("Plan:\n1. Read the question.\n2) Look at the options.\n"
	    "Step 3: Pick one.\n**4.** Check it.\nA closing remark.", &why);
	CHECK_STR(s, "1. Read the question.\n2. Look at the options.\n3. Pick one.\n"
	    "4. Check it.");
	free(s);
	s = mops_plan_parse("7. Only step.", &why);
	CHECK_STR(s, "1. Only step.");
	free(s);
	CHECK(mops_plan_parse("First read, then answer.", &why) == NULL && why != NULL);
	free(why);
	CHECK(mops_plan_parse("1.\n2. ", &why) == NULL);
	free(why);
	CHECK(mops_plan_parse("2024 was a year", &why) == NULL);
	free(why);
	s = mops_plan_parse("1. \033[31mRed\a step", &why);
	CHECK(s != NULL && strchr(s, '\033') == NULL && strchr(s, '\a') == NULL);
	free(s);
}

/* Random bytes through every parser: no crash, no control byte kept. */
static void
test_garbage(void)
{
	struct mops_problem p, g;
	char buf[256], *why, *a, *b;
	uint32_t x = 12345;
	int bad = 0;

	CHECK(mops_problem_read(sqa_meta, &p, &why) == 0);
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t)(round % 255);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (char)(x >> 16 | 1);
		}
		buf[n] = '\0';
		if (mops_rationale_parse(buf, &a, &b, &why) == 0) {
			bad += strchr(a, '\033') != NULL || (b != NULL && strchr(b, '\n') != NULL);
			(void)mops_answer_consistent(&p, b);
			free(a);
			free(b);
		} else
			free(why);
		if ((a = mops_plan_parse(buf, &why)) != NULL) {
			bad += strchr(a, '\033') != NULL;
			free(a);
		} else
			free(why);
		if ((a = mops_lecture_clean(buf, &why)) != NULL) {
			bad += strchr(a, '\033') != NULL || strchr(a, '\n') != NULL;
			free(a);
		} else
			free(why);
		if (mops_problem_read(buf, &g, &why) == 0)
			mops_problem_free(&g);
		else
			free(why);
	}
	mops_problem_free(&p);
	CHECK(bad == 0);
}

int
main(void)
{
	h_suite = "mops_reason";
	RUN(test_problem_read);
	RUN(test_rationale);
	RUN(test_lecture_plan);
	RUN(test_garbage);
	HARNESS_END();
}
