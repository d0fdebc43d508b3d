/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the text model-ops' helpers (core/modelops/mops_priv.h): the
 * cleaning every model reply goes through, the parsers of rewrites,
 * question-answer replies, LLaVA conversations and counterfactual JSON,
 * box normalisation, lineage strings, and random garbage fed to every
 * parser (nothing may crash or leak control bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/modelops/cocoboxes.h"
#include "core/modelops/mops_priv.h"
#include "core/ops/ops.h"
#include "core/base/util.h"
#include "tests/harness.h"

/* Runs mops_clean and compares. */
static int
clean_is(const char *in, int flags, size_t max, const char *want)
{
	char *got = mops_clean(in, flags, max);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "  clean(\"%s\") = \"%s\", want \"%s\"\n", in, got, want);
	free(got);
	return ok;
}

static int
first_is(const char *in, const char *want)
{
	char *got = mops_first_line(in, 0);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "  first_line(\"%s\") = \"%s\", want \"%s\"\n", in, got, want);
	free(got);
	return ok;
}

static int
rewrite_is(const char *in, const char *want)
{
	char *got = mops_rewrite_clean(in);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "  rewrite_clean(\"%s\") = \"%s\", want \"%s\"\n", in, got, want);
	free(got);
	return ok;
}

/* 1 when s holds a C0 control other than '\n', DEL or a C1 control (U+0080..U+009F). */
static int
has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 &&
		    p[1] <= 0x9f))
			return 1;
	}
	return 0;
}

static void
test_clean(void)
{
	CHECK(clean_is("  a\tb \r\n c  ", 0, 0, "a b c"));
	CHECK(clean_is("a\x1b[31mred\x07", 0, 0, "a[31mred"));
	CHECK(clean_is("x\xc2\x9b" "1m y", 0, 0, "x1m y"));          /* C1 CSI */
	CHECK(clean_is("bi\xe2\x80\xae" "di \xe2\x80\x8b" "z", 0, 0, "bidi z")); /* RLO, ZWSP */
	CHECK(clean_is("bad\xff\xfe utf8", 0, 0, "bad utf8"));
	CHECK(clean_is("caf\xc3\xa9\xc2\xa0ok", 0, 0, "caf\xc3\xa9 ok"));
	CHECK(clean_is("a\n\n\n\nb\nc  \n", MOPS_KEEP_NL, 0, "a\n\nb\nc"));
	CHECK(clean_is("one two three four", 0, 12, "one two"));
	CHECK(clean_is("abcdefghij", 0, 4, "abcd"));
	CHECK(clean_is("\xc3\xa9\xc3\xa9\xc3\xa9", 0, 5, "\xc3\xa9\xc3\xa9"));
	CHECK(clean_is(NULL, 0, 0, ""));
	CHECK(clean_is("", 0, 0, ""));
}

static void
test_unquote(void)
{
	char a[] = "\"A dog runs.\"", b[] = "\xe2\x80\x9c" "A cat\xe2\x80\x9d", c[] = "\"A bus\".",
	    d[] = "\"open only", e[] = "\"A\" and \"B\"", f[] = "'single'", g[] = "it's fine";

	CHECK_STR(mops_unquote(a), "A dog runs.");
	CHECK_STR(mops_unquote(b), "A cat");
	CHECK_STR(mops_unquote(c), "A bus.");
	CHECK_STR(mops_unquote(d), "open only");
	CHECK_STR(mops_unquote(e), "\"A\" and \"B\"");
	CHECK_STR(mops_unquote(f), "single");
	CHECK_STR(mops_unquote(g), "it's fine");
}

static void
test_first_line(void)
{
	CHECK(first_is("Sure! Here is a rewritten caption:\n\n\"A dog runs on sand.\"\nMore",
	    "A dog runs on sand."));
	CHECK(first_is("Rewrite: A cat sleeps.", "A cat sleeps."));
	CHECK(first_is("**Rewritten caption:** A red bus.", "A red bus."));
	CHECK(first_is("=> A photo of a lake", "A photo of a lake"));
	CHECK(first_is("Caption:\nTwo birds on a wire.", "Two birds on a wire."));
	CHECK(first_is("Here is the rewritten caption: Two birds.", "Two birds."));
	CHECK(first_is("- A bulleted caption", "A bulleted caption"));
	CHECK(first_is("Rewrite 1: A numbered one.", "A numbered one."));
	CHECK(first_is("Sunset: a view over the bay", "Sunset: a view over the bay"));
	CHECK(first_is("Certainly.\n", ""));
	CHECK(first_is("\n\n  \n", ""));
	CHECK(rewrite_is("A dog runs => A canine is running", "A canine is running"));
	CHECK(rewrite_is("\"Under a blue sky, a kite flies.\"", "Under a blue sky, a kite flies."));
	CHECK(rewrite_is("=>", ""));
}

static void
test_words_same(void)
{
	CHECK(mops_words("a  dog\truns") == 3);
	CHECK(mops_words("") == 0);
	CHECK(mops_same_text("A dog runs.", "a DOG runs"));
	CHECK(mops_same_text("  ", ""));
	CHECK(!mops_same_text("A dog runs.", "A dog ran."));
	CHECK(!mops_same_text("dog", "dogs"));
	CHECK(mops_find_ci("Barack Obama waves", "obama") == 7);
	CHECK(mops_find_ci("abc", "") == -1);
	CHECK(mops_find_ci("abc", "abcd") == -1);
}

static void
test_examples(void)
{
	const char *good = "# pairs\r\n\nA dog => A canine\r\n  #indented comment\nx=>y\n";
	char **src, **tgt, *cause = NULL;
	size_t n;

	CHECK(mops_examples_parse(good, "ex.txt", &src, &tgt, &n, &cause) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(src[0], "A dog");
		CHECK_STR(tgt[0], "A canine");
		CHECK_STR(src[1], "x");
		CHECK_STR(tgt[1], "y");
	}
	mops_pairs_free(src, tgt, n);
	CHECK(mops_examples_parse("a => b\n\nno arrow here\n", "ex.txt", &src, &tgt, &n,
	    &cause) == -1);
	CHECK_STR(cause, "ex.txt:3: want \"source => target\"");
	free(cause);
	cause = NULL;
	CHECK(mops_examples_parse("a =>  \n", "f", &src, &tgt, &n, &cause) == -1);
	CHECK_STR(cause, "f:1: the target is empty");
	free(cause);
	cause = NULL;
	CHECK(mops_examples_parse("a => b => c\n", "f", &src, &tgt, &n, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "more than one") != NULL);
	free(cause);
	cause = NULL;
	CHECK(mops_examples_parse("ok => fine\n\xff => x\n", "f", &src, &tgt, &n, &cause) == -1);
	CHECK_STR(cause, "f:2: not UTF-8 text");
	free(cause);
	cause = NULL;
	CHECK(mops_examples_parse("", "f", &src, &tgt, &n, &cause) == 0 && n == 0);
}

/* Parses and compares; want_q NULL means the parse must fail. */
static int
vqa_is(const char *reply, const char *want_q, const char *want_a)
{
	char *q, *a, *why = NULL;
	int rc = mops_vqa_parse(reply, &q, &a, &why), ok;

	if (want_q == NULL) {
		ok = rc == -1 && why != NULL && q == NULL && a == NULL;
		if (!ok)
			fprintf(stderr, "  vqa(\"%s\") parsed\n", reply);
	} else {
		ok = rc == 0 && strcmp(q, want_q) == 0 && strcmp(a, want_a) == 0;
		if (!ok)
			fprintf(stderr, "  vqa(\"%s\") = \"%s\" / \"%s\" (%s)\n", reply,
			    rc == 0 ? q : "-", rc == 0 ? a : "-", why ? why : "");
	}
	free(q);
	free(a);
	free(why);
	return ok;
}

static void
test_vqa(void)
{
	CHECK(vqa_is("Question: What color is the bus? Answer: Red.", "What color is the bus?",
	    "Red"));
	CHECK(vqa_is("Q: How many dogs are there?\nA: 2", "How many dogs are there?", "2"));
	CHECK(vqa_is("What is on the table? Answer: a cat", "What is on the table?", "a cat"));
	CHECK(vqa_is("**Question:** Is it raining? **Answer:** no", "Is it raining?", "no"));
	CHECK(vqa_is("question: where? answer: \"park\" Question: again? Answer: x", "where?",
	    "park"));
	CHECK(vqa_is("stub reply: Look at the image", NULL, NULL));
	CHECK(vqa_is("Question: What is it? The end.", NULL, NULL));
	CHECK(vqa_is("Question: ? Answer: yes", NULL, NULL));
	CHECK(vqa_is("Question: Why? Answer: .", NULL, NULL));
	CHECK(vqa_is("", NULL, NULL));
	CHECK_STR(mops_answer_type("Yes"), "yes/no");
	CHECK_STR(mops_answer_type("no."), "yes/no");
	CHECK_STR(mops_answer_type("yes, it is"), "yes/no");
	CHECK_STR(mops_answer_type("12"), "number");
	CHECK_STR(mops_answer_type("three"), "number");
	CHECK_STR(mops_answer_type("two dogs"), "other");
	CHECK_STR(mops_answer_type("nothing"), "other");
	CHECK_STR(mops_answer_type("red"), "other");
	CHECK(mops_yes_and_no("yes and no"));
	CHECK(mops_yes_and_no("No, yes"));
	CHECK(!mops_yes_and_no("yes"));
	CHECK(!mops_yes_and_no("nobody says yes")); /* whole words only */
}

static void
test_qa(void)
{
	struct mops_qa qa;
	char *flat;

	CHECK(mops_qa_parse("Question:\nWhat is the woman wearing?\nAnswer:\nA red jacket.\n"
	    "===\nQuestion:\nHow many dogs?\nAnswer:\nTwo.\n\nBoth are small.\n===\n", &qa) == 2);
	if (qa.n == 2) {
		CHECK_STR(qa.q[0], "What is the woman wearing?");
		CHECK_STR(qa.a[0], "A red jacket.");
		CHECK_STR(qa.q[1], "How many dogs?");
		CHECK_STR(qa.a[1], "Two.\n\nBoth are small.");
	}
	flat = mops_qa_flatten(&qa);
	CHECK_STR(flat, "Q: What is the woman wearing? A: A red jacket. Q: How many dogs? "
	    "A: Two. Both are small.");
	free(flat);
	mops_qa_free(&qa);

	CHECK(mops_qa_parse("Question: Is it day? Answer: Yes. === Question: Any cars? Answer: No.",
	    &qa) == 2);
	if (qa.n == 2)
		CHECK_STR(qa.a[0], "Yes.");
	mops_qa_free(&qa);

	CHECK(mops_qa_parse("Here you go.\n**Question 1:** Where is it?\n**Answer 1:** In a park.\n"
	    "Q: Why?\nA: Because the answer: is in the caption.", &qa) == 2);
	if (qa.n == 2) {
		CHECK_STR(qa.q[0], "Where is it?");
		CHECK_STR(qa.a[0], "In a park.");
		CHECK_STR(qa.a[1], "Because the answer: is in the caption.");
	}
	mops_qa_free(&qa);

	/* A question without an answer and an answer without a question are dropped. */
	CHECK(mops_qa_parse("Answer: orphan\nQuestion: first?\nQuestion: second?\nAnswer: B", &qa)
	    == 1);
	if (qa.n == 1) {
		CHECK_STR(qa.q[0], "second?");
		CHECK_STR(qa.a[0], "B");
	}
	mops_qa_free(&qa);
	CHECK(mops_qa_parse("stub reply: Captions: a dog", &qa) == 0);
	mops_qa_free(&qa);
	CHECK(mops_qa_parse("Question:", &qa) == 0);
	mops_qa_free(&qa);
	CHECK(mops_qa_parse("", &qa) == 0);
	mops_qa_free(&qa);
}

static void
test_boxes(void)
{
	char person[] = "person", dog[] = "dog\x1b", flat[] = "flat";
	struct coco_box b[] = {
		{ person, 10, 20, 30, 40 },
		{ dog, -5, 90, 200, 50 },
		{ flat, 1, 1, 0, 5 },
	};
	char *s = mops_box_lines(b, 3, 100, 100, 10);

	CHECK_STR(s, "person: [0.100, 0.200, 0.400, 0.600]\ndog: [0.000, 0.900, 1.000, 1.000]\n");
	free(s);
	CHECK(mops_box_lines(b, 3, 0, 100, 10) == NULL);
	s = mops_box_lines(b, 3, 100, 100, 1);
	CHECK_STR(s, "person: [0.100, 0.200, 0.400, 0.600]\n");
	free(s);
	CHECK(mops_box_lines(b, 0, 100, 100, 10) == NULL);
}

static enum mops_verdict
cfact(const char *reply, const char *source, struct mops_swap *s, char **why)
{
	*why = NULL;
	return mops_cfact_parse(reply, source, s, why);
}

static void
test_cfact(void)
{
	const char *src = "Barack Obama shakes hands with Angela Merkel in Berlin.";
	struct mops_swap s;
	char *why;

	CHECK(cfact("```json\n{\"replacements\":[{\"from\":\"Barack Obama\",\"to\":\"Joe Biden\"}],"
	    "\"caption\":\"Joe Biden shakes hands with Angela Merkel in Berlin.\"}\n```", src, &s,
	    &why) == MOPS_OK);
	CHECK(s.n == 1 && s.caption != NULL);
	if (s.n == 1) {
		CHECK_STR(s.from[0], "Barack Obama");
		CHECK_STR(s.to[0], "Joe Biden");
		CHECK_STR(s.caption, "Joe Biden shakes hands with Angela Merkel in Berlin.");
	}
	mops_swap_free(&s);
	CHECK(cfact("Sure: {\"replacements\": [], \"caption\": \"\"}", src, &s, &why) == MOPS_NONE);
	mops_swap_free(&s);
	CHECK(cfact("no json here", src, &s, &why) == MOPS_BAD_FORMAT);
	CHECK(why != NULL && strstr(why, "no JSON object") != NULL);
	free(why);
	mops_swap_free(&s);
	CHECK(cfact("{\"stub\": true}", src, &s, &why) == MOPS_BAD_FORMAT);
	CHECK_STR(why, "the reply has no \"replacements\" list");
	free(why);
	mops_swap_free(&s);
	CHECK(cfact("{\"replacements\":[{\"from\":1}],\"caption\":\"x\"}", src, &s, &why) ==
	    MOPS_BAD_FORMAT);
	free(why);
	mops_swap_free(&s);
	CHECK(cfact("{\"replacements\":[{\"from\":\"Vladimir Putin\",\"to\":\"X Y\"}],"
	    "\"caption\":\"X Y shakes hands.\"}", src, &s, &why) == MOPS_REJECTED);
	CHECK_STR(why, "\"Vladimir Putin\" is not in the caption");
	free(why);
	mops_swap_free(&s);
	CHECK(cfact("{\"replacements\":[{\"from\":\"Angela Merkel\",\"to\":\"Olaf Scholz\"}],"
	    "\"caption\":\"barack obama shakes hands with angela merkel in berlin\"}", src, &s,
	    &why) == MOPS_REJECTED);
	free(why);
	mops_swap_free(&s);
	CHECK(cfact("{\"replacements\":[{\"from\":\"Angela Merkel\",\"to\":\"angela merkel\"}],"
	    "\"caption\":\"Obama meets.\"}", src, &s, &why) == MOPS_REJECTED);
	free(why);
	mops_swap_free(&s);
	CHECK(cfact("{\"replacements\":[{\"from\":\"Angela Merkel\",\"to\":\"Olaf Scholz\"}]}", src,
	    &s, &why) == MOPS_BAD_FORMAT);
	free(why);
	mops_swap_free(&s);
}

static void
test_json_object(void)
{
	cJSON *d = mops_json_object("text {not json} then {\"a\":\"}{\",\"b\":[1,{}]} tail");

	CHECK(d != NULL && cJSON_GetObjectItem(d, "b") != NULL);
	cJSON_Delete(d);
	CHECK(mops_json_object("{{{{") == NULL);
	CHECK(mops_json_object("") == NULL);
}

static void
test_excerpt(void)
{
	char *e = mops_excerpt("abc\x1b\ndef", 80);

	CHECK_STR(e, "abc def");
	free(e);
	e = mops_excerpt("0123456789", 4);
	CHECK_STR(e, "0123...");
	free(e);
}

static void
test_lineage(void)
{
	struct backend llm, clip;
	struct op_output out;
	struct op_plan plan;

	memset(&llm, 0, sizeof llm);
	memset(&clip, 0, sizeof clip);
	memset(&out, 0, sizeof out);
	llm.name = (char *)(uintptr_t)"local";
	llm.model = (char *)(uintptr_t)"qwen2.5";
	clip.name = (char *)(uintptr_t)"emb";
	mops_lineage(&out, ROLE_LLM, &llm, "the prompt", "chatcmpl-\x1b" "1");
	CHECK_STR(out.backend, "llm=local");
	CHECK_STR(out.model, "qwen2.5");
	CHECK_STR(out.prompt, "the prompt");
	CHECK_STR(out.response_id, "chatcmpl-1");
	mops_lineage_add(&out, ROLE_CLIP, &clip);
	CHECK_STR(out.backend, "llm=local,clip=emb");
	CHECK_STR(out.model, "llm=qwen2.5,clip=emb");
	/* Freed by hand: op_output_free would pull the whole operator table into the test. */
	free(out.backend);
	free(out.model);
	free(out.prompt);
	free(out.response_id);

	memset(&plan, 0, sizeof plan);
	mops_plan_samples(&plan, 3);
	CHECK(plan.nvariants == 3);
	if (plan.nvariants == 3)
		CHECK_STR(plan.variants[2], "{\"sample\":2}");
	for (int i = 0; i < plan.nvariants; i++)
		free(plan.variants[i]);
	free(plan.variants);
}

/* Random bytes, with the labels the parsers look for mixed in, must never crash a parser. */
static void
test_garbage(void)
{
	static const char *const bits[] = { "Question:", "Answer:", "?", "===", "{", "}", "\"",
		"[", "]", "=>", "\n", "**", "\xc2\x9b", "\xe2\x80\x9c", "replacements", ":", "\\",
		"\xff", "Q:", "A:", "caption", "from", "to", " " };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int controls = 0;

	for (int iter = 0; iter < 3000; iter++) {
		char buf[512];
		size_t n = 0;
		while (n < sizeof buf - 32) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (x % 3 == 0) {
				const char *b = bits[(x >> 8) % (sizeof bits / sizeof bits[0])];
				memcpy(buf + n, b, strlen(b));
				n += strlen(b);
			} else
				buf[n++] = (char)((x >> 16) & 0xff ? (x >> 16) & 0xff : 'x');
			if ((x >> 40) % 50 == 0)
				break;
		}
		buf[n] = '\0';
		char *q, *a, *why = NULL, *s;
		struct mops_qa qa;
		struct mops_swap sw;
		if (mops_vqa_parse(buf, &q, &a, &why) == 0) {
			controls += has_control(q) || has_control(a) || strchr(q, '\n') != NULL;
			free(q);
			free(a);
		}
		free(why);
		why = NULL;
		mops_qa_parse(buf, &qa);
		for (size_t i = 0; i < qa.n; i++)
			controls += has_control(qa.q[i]) || has_control(qa.a[i]);
		mops_qa_free(&qa);
		mops_cfact_parse(buf, "Barack Obama waves", &sw, &why);
		if (sw.caption != NULL)
			controls += has_control(sw.caption);
		mops_swap_free(&sw);
		free(why);
		s = mops_rewrite_clean(buf);
		controls += has_control(s) || strchr(s, '\n') != NULL;
		free(s);
		s = mops_first_line(buf, 100);
		controls += has_control(s) || strlen(s) > 100;
		free(s);
		s = mops_excerpt(buf, 80);
		controls += has_control(s) || strlen(s) > 83;
		free(s);
	}
	CHECK(controls == 0);
}

int
main(void)
{
	h_suite = "mops_text";
	RUN(test_clean);
	RUN(test_unquote);
	RUN(test_first_line);
	RUN(test_words_same);
	RUN(test_examples);
	RUN(test_vqa);
	RUN(test_qa);
	RUN(test_boxes);
	RUN(test_cfact);
	RUN(test_json_object);
	RUN(test_excerpt);
	RUN(test_lineage);
	RUN(test_garbage);
	HARNESS_END();
}
