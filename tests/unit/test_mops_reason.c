/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the T-SciQ helpers (core/modelops/mops_problem.c): reading a
 * problem from the meta of a ScienceQA import, a vqa-gen pair or a LLaVA
 * record (and refusing malformed ones), the problem block sent to the
 * model, and the parsers of rationale, lecture and plan replies on good,
 * malformed and hostile input; and CultureMixup's code-switching
 * (core/modelops/mops_cswitch.c): concept maps, the LLM's analogies, the
 * substitution itself; and GPT4Tools' tool lists and tool-call replies
 * (core/modelops/mops_tools.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/modelops/mops_priv.h"
#include "core/base/rng.h"
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

static void
test_cmap(void)
{
	struct mops_cmap m;
	char *cause = NULL;

	CHECK(mops_cmap_parse("source,target,distance\njiaozi,dumpling,1\n# note\n\n"
	    "\"oolong tea\", black tea , 2\ncup\tmug\t1\tword\nsame,Same,1\n", "m.csv", &m,
	    &cause) == 0);
	CHECK(m.n == 3); /* a row mapping a concept to itself is no switch */
	CHECK_STR(m.e[1].source, "oolong tea");
	CHECK_STR(m.e[1].target, "black tea");
	CHECK(m.e[1].distance == 2 && m.e[1].level == 0);
	CHECK(m.e[2].level == 2 && m.e[2].distance == 1);
	mops_cmap_free(&m);

	static const struct { const char *text, *why; } bad[] = {
		{ "jiaozi\n", "m.csv:1: no target" },
		{ "a,b,1\njiaozi,dumpling,near\n", "m.csv:2: the distance" },
		{ "a,b,-1\n", "m.csv:1: the distance" },
		{ "a,b,\n", "m.csv:1: the distance" },
		{ "a,b,1,sentence\n", "m.csv:1: the level" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		CHECKF(mops_cmap_parse(bad[i].text, "m.csv", &m, &cause) == -1 && cause != NULL &&
		    strstr(cause, bad[i].why) != NULL, "%s: %s", bad[i].text, cause);
		free(cause);
	}
	/* Escapes in a map file do not survive into the rows. */
	CHECK(mops_cmap_parse("jia\033[2Jozi,dump\aling,1\n", "m.csv", &m, &cause) == 0);
	CHECK(m.n == 1 && strchr(m.e[0].source, '\033') == NULL && strchr(m.e[0].target, '\a') == NULL);
	mops_cmap_free(&m);
}

static void
test_analogies(void)
{
	char **got, *why;
	size_t n;

	n = mops_analogies_parse("Here are some analogous concepts:\n1. evening gown\n"
	    "2) Cocktail dress.\n- \"ball gown\"\n* qipao\nevening gown\n"
	    "A long dress worn at formal events by many\n", "qipao", &got, &why);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(got[0], "evening gown");
		CHECK_STR(got[1], "Cocktail dress");
		CHECK_STR(got[2], "ball gown");
	}
	mops_strv_free(got, n);
	n = mops_analogies_parse("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n", "x", &got, &why);
	CHECK(n == 10);
	mops_strv_free(got, n);
	CHECK(mops_analogies_parse("", "qipao", &got, &why) == 0 && why != NULL);
	free(why);
	CHECK(mops_analogies_parse("\033[31m\a\n[0m\nSure: here", "qipao", &got, &why) == 0);
	CHECK(strstr(why, "qipao") != NULL);
	free(why);
}

/* Switches caption at level with the nearest pick; compares the text and the count. */
static int
switch_is(const struct mops_cmap *m, int level, int maxd, const char *caption,
    const char *want, size_t want_n)
{
	struct rng rng;
	struct mops_cmap done;
	char *text;
	size_t n;
	int ok;

	rng_seed(&rng, 7);
	n = mops_code_switch(m, level, maxd, 0, &rng, caption, &text, &done);
	ok = n == want_n && strcmp(text, want) == 0;
	if (!ok)
		fprintf(stderr, "  switch(\"%s\") = \"%s\" (%zu)\n", caption, text, n);
	free(text);
	mops_cmap_free(&done);
	return ok;
}

static void
test_code_switch(void)
{
	struct mops_cmap m;
	struct mops_cmap done;
	struct rng rng;
	char *cause = NULL, *text;

	CHECK(mops_cmap_parse("jiaozi,dumpling,1\njiaozi,ravioli,2\noolong tea,black tea,1\n"
	    "oolong,tea,1\n\xe9\xa5\xba\xe5\xad\x90,dumplings,1\ncup,mug,1,word\n", "m", &m,
	    &cause) == 0);
	CHECK(switch_is(&m, 0, 3, "Jiaozi and oolong tea.", "Dumpling and black tea.", 2));
	/* Whole words only; the same source twice, one counterpart. */
	CHECK(switch_is(&m, 0, 3, "jiaozis, jiaozi, jiaozi!", "jiaozis, dumpling, dumpling!", 1));
	CHECK(switch_is(&m, 0, 0, "jiaozi", "jiaozi", 0));
	/* A script without spaces matches inside a sentence. */
	CHECK(switch_is(&m, 0, 3, "\xe4\xb8\x80\xe7\x9b\x98\xe9\xa5\xba\xe5\xad\x90",
	    "\xe4\xb8\x80\xe7\x9b\x98" "dumplings", 1));
	CHECK(switch_is(&m, 2, 3, "A cup of jiaozi.", "A mug of jiaozi.", 1));
	CHECK(switch_is(&m, 1, 3, "A cup of jiaozi.", "A cup of jiaozi.", 0));
	/* The nearest is taken: ravioli (2) only when dumpling (1) is out of range. */
	mops_cmap_add(&m, "mooncake", "pastry", 2, 0, 0);
	mops_cmap_add(&m, "mooncake", "pie", 1, 0, 0);
	mops_cmap_add(&m, "mooncake", "tart", 1, 0, 0);
	int pie = 0, tart = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		rng_seed(&rng, seed);
		mops_code_switch(&m, 0, 3, 0, &rng, "a mooncake", &text, &done);
		pie += strcmp(text, "a pie") == 0;
		tart += strcmp(text, "a tart") == 0;
		CHECK(done.n == 1 && done.e[0].distance == 1);
		free(text);
		mops_cmap_free(&done);
	}
	CHECK(pie > 0 && tart > 0 && pie + tart == 40); /* ties drawn, never the farther one */
	mops_cmap_free(&m);
}

static void
test_tools(void)
{
	struct mops_tools t;
	const struct mops_tool *tool;
	char *cause = NULL;
	int misspelt;

	mops_tools_builtin(&t);
	CHECK(t.n == 22);
	tool = mops_tool_find(&t, "Replace Something From The Photo", &misspelt);
	CHECK(tool != NULL && tool->nargs == 3 && !misspelt);
	CHECK_STR(tool->args[2], "new_object");
	CHECK_STR(tool->usage, "replaces an object in the image by another");
	tool = mops_tool_find(&t, "segment_the_given_object", &misspelt);
	CHECK(tool != NULL && !misspelt);
	tool = mops_tool_find(&t, "Predict Depht On Imag", &misspelt);
	CHECK(tool != NULL && misspelt);
	CHECK_STR(tool->name, "Predict Depth On Image");
	CHECK(mops_tool_find(&t, "Launch Missiles", &misspelt) == NULL);
	CHECK(mops_tool_find(&t, "", &misspelt) == NULL);
	mops_tools_free(&t);
	/* As near to one tool as to another: refused, not guessed. */
	CHECK(mops_tools_parse("Count Cats: counts cats, image_path\nCount Bats: counts bats, "
	    "image_path\n", "t", &t, &cause) == 0);
	CHECK(mops_tool_find(&t, "Count Rats", &misspelt) == NULL);
	CHECK(mops_tool_find(&t, "count-bats", &misspelt) == &t.v[1] && !misspelt);
	mops_tools_free(&t);

	CHECK(mops_tools_parse("# mine\n- Count Objects: counts things, by kind, image_path, "
	    "object\n\nZoom: enlarges, image_path\n", "t", &t, &cause) == 0);
	CHECK(t.n == 2);
	CHECK_STR(t.v[0].usage, "counts things, by kind");
	CHECK(t.v[0].nargs == 2 && t.v[1].nargs == 1);
	mops_tools_free(&t);
	CHECK(mops_tools_parse("Zoom enlarges\n", "t", &t, &cause) == -1 &&
	    strstr(cause, "t:1: no \"name:\"") != NULL);
	free(cause);
	cause = NULL;
	CHECK(mops_tools_parse("Zoom: Enlarges The Image\n", "t", &t, &cause) == -1 &&
	    strstr(cause, "no arguments") != NULL);
	free(cause);
	cause = NULL;
	CHECK(mops_tools_parse("# nothing\n", "t", &t, &cause) == -1);
	free(cause);
}

static void
test_calls(void)
{
	struct mops_tools t;
	struct mops_calls c;

	mops_tools_builtin(&t);
	CHECK(mops_calls_parse("Sure:\n1. Where is the dog?, [Detect the Given Object, "
	    "example.jpg, dog]\n2) Where is the dog?, [Segment the Given Object, example.jpg, "
	    "dog]\n- Make it snow, [Instruct Image Using Text, example.jpg, add snow, lots]\n"
	    "Paint it, [Instruct Image Using Text, photo.png, paint]\nRemove, [Remove Something "
	    "From The Photo, example.jpg]\n, [Get Photo Description, example.jpg]\n"
	    "Just prose.\nSmile, [Make Smile, example.jpg]\n", &t, "example.jpg", &c) == 2);
	CHECK(c.n == 2 && c.duplicates == 1 && c.nrejected == 4);
	CHECK_STR(c.v[0].instruction, "Where is the dog?");
	CHECK_STR(c.v[1].args[1], "add snow, lots");
	CHECK(c.nrejected == 4 && strstr(c.rejected[0], "image argument") != NULL &&
	    strstr(c.rejected[1], "too few") != NULL && strstr(c.rejected[2], "no instruction")
	    != NULL && strstr(c.rejected[3], "unknown tool") != NULL);
	mops_calls_free(&c);
	CHECK(mops_calls_parse("", &t, "example.jpg", &c) == 0 && c.nrejected == 0);
	mops_calls_free(&c);
	CHECK(mops_calls_parse("[", &t, "example.jpg", &c) == 0);
	mops_calls_free(&c);
	CHECK(mops_calls_parse("x, []\n]]\n[[[]", &t, "example.jpg", &c) == 0);
	mops_calls_free(&c);
	/* Escapes never reach an instruction, an argument or a reason. */
	CHECK(mops_calls_parse("Find \033[31mit\a, [Detect the Given Object, example.jpg, "
	    "\033]0;x\a cat]\nX\033[2J, [Nope\033, example.jpg]", &t, "example.jpg", &c) == 1);
	CHECK(strchr(c.v[0].instruction, '\033') == NULL && strchr(c.v[0].args[1], '\a') == NULL);
	CHECK(c.nrejected == 1 && strchr(c.rejected[0], '\033') == NULL);
	mops_calls_free(&c);
	mops_tools_free(&t);
}

int
main(void)
{
	h_suite = "mops_reason";
	RUN(test_problem_read);
	RUN(test_rationale);
	RUN(test_lecture_plan);
	RUN(test_garbage);
	RUN(test_cmap);
	RUN(test_analogies);
	RUN(test_code_switch);
	RUN(test_tools);
	RUN(test_calls);
	HARNESS_END();
}
