/* SPDX-License-Identifier: MIT */
/*
 * T-SciQ teaching data: a chain-of-thought rationale for a question-answer
 * problem whose answer is known. QA-CoT asks for the explanation directly;
 * QA-PCoT first asks, once per skill, for a one-sentence lecture and a
 * numbered plan drawn from up to five demonstrations of that skill, then
 * asks each problem's rationale to follow the plan. The model is told the
 * gold answer, so a rationale that still ends elsewhere is a sign of a bad
 * explanation: it is kept (a person may judge it) but marked, and the
 * rationale_consistent metric lets a threshold drop it. Mode "mix" takes,
 * per skill, what `mmda tune --mix-rationales` chose. The wording of every
 * prompt here is ours; the layout of the problem block is T-SciQ's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/modelops/mops_priv.h"
#include "core/modelops/modelops.h"
#include "core/base/rng.h"
#include "core/base/util.h"
#include "core/store.h"

#define SKILLS_MAX 500 /* distinct skills one batch plans for */
/* The setting tune --mix-rationales writes (MIX_RATIONALES_SETTING of core/metrics). */
#define MIX_SETTING "rationale.mix"

static const char cot_system[] =
    "You are a science teacher writing worked explanations for students. You are given a "
    "problem and its correct answer. Explain, step by step and in plain sentences, how the "
    "question, the context and the options lead to that answer. Do not mention that you "
    "were told the answer. End with a last line of the form \"Answer: (X) option\" for a "
    "multiple-choice problem, or \"Answer: ...\" otherwise.";

static const char lecture_system[] =
    "You are a science teacher. You are shown example problems that all test one skill. "
    "Write one sentence of general background knowledge that a student needs to answer "
    "any question of this kind, not just these examples. Reply with that sentence only.";

static const char plan_system[] =
    "You are a science teacher. You are shown example problems that all test one skill, "
    "and a short lecture about it. Write a brief, general, step-by-step plan for solving "
    "any question of this kind. Reply with the numbered steps only, one per line.";

static const char pcot_system[] =
    "You are a science teacher writing worked explanations for students. You are given a "
    "skill, a lecture on it, a numbered plan for its questions, and a problem with its "
    "correct answer. Carry out the plan on this problem step by step, numbering your "
    "steps like the plan's, and do not mention that you were told the answer. End with a "
    "last line of the form \"Answer: (X) option\" for a multiple-choice problem, or "
    "\"Answer: ...\" otherwise.";

enum rmode { M_COT, M_PCOT, M_MIX };

struct skill_plan {
	char *skill, *lecture, *plan; /* lecture and plan NULL when the skill runs CoT */
};

struct rationale_plan {
	const struct backend *be;
	enum rmode mode;
	struct skill_plan *skills;
	size_t nskills;
};

static void
rationale_plan_free(void *arg)
{
	struct rationale_plan *p = arg;

	for (size_t i = 0; i < p->nskills; i++) {
		free(p->skills[i].skill);
		free(p->skills[i].lecture);
		free(p->skills[i].plan);
	}
	free(p->skills);
	free(p);
}

static struct skill_plan *
skill_find(const struct rationale_plan *p, const char *skill)
{
	for (size_t i = 0; i < p->nskills; i++)
		if (strcmp(p->skills[i].skill, skill) == 0)
			return &p->skills[i];
	return NULL;
}

/* The demonstrations of one skill, as the lecture and plan requests show them. */
static char *
demos_text(const char *skill, struct mops_problem *demos, size_t n)
{
	char *s = xasprintf("Skill: %s", skill), *next, *block;

	for (size_t i = 0; i < n; i++) {
		block = mops_problem_block(&demos[i], 1);
		next = xasprintf("%s\n\nExample %zu:\n%s", s, i + 1, block);
		free(s);
		free(block);
		s = next;
	}
	return s;
}

/* Lecture, then plan, for one skill from its demonstrations. */
static int
plan_skill(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    const struct backend *be, struct skill_plan *sp, struct mops_problem *demos, size_t n,
    char **cause)
{
	char *ctx = demos_text(sp->skill, demos, n), *reply = NULL, *why = NULL, *user;
	int64_t seed = (int64_t)(rng_derive((uint64_t)in->seed, sp->skill) >> 33);
	int rc = -1;

	if (mops_ask(op, args, in->mc, be, lecture_system, ctx, seed, &reply, NULL, cause) != 0)
		goto out;
	if ((sp->lecture = mops_lecture_clean(reply, &why)) == NULL)
		goto bad;
	free(reply);
	reply = NULL;
	user = xasprintf("%s\n\nLecture: %s", ctx, sp->lecture);
	rc = mops_ask(op, args, in->mc, be, plan_system, user, seed, &reply, NULL, cause);
	free(user);
	if (rc != 0)
		goto out;
	rc = -1;
	if ((sp->plan = mops_plan_parse(reply, &why)) == NULL)
		goto bad;
	rc = 0;
	goto out;
bad:
	cause_set(cause, "rationale: skill \"%s\": %s", sp->skill, why);
out:
	free(why);
	free(reply);
	free(ctx);
	return rc;
}

/* The per-skill choice tune --mix-rationales stored: "pcot" or "cot" (a missing skill: cot). */
static int
mix_wants_pcot(const cJSON *mix, const char *skill)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(mix, skill);
	return cJSON_IsString(v) && strcmp(v->valuestring, "pcot") == 0;
}

/*
 * PCoT needs every skill's lecture and plan before the first rationale: this
 * reads each candidate's problem once, groups them by skill, and draws up to
 * `demos` demonstrations per skill from a seeded shuffle (T-SciQ draws them
 * unseeded; a seed makes the batch repeatable).
 */
static int
plan_skills(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    struct rationale_plan *p, const cJSON *mix, char **cause)
{
	size_t want = (size_t)mops_num(op, args, "demos");
	struct mops_problem *all = xcalloc(in->noriginals ? in->noriginals : 1, sizeof *all);
	size_t *skill_of = xcalloc(in->noriginals ? in->noriginals : 1, sizeof *skill_of), n = 0;
	int rc = 0;

	for (size_t i = 0; i < in->noriginals && rc == 0; i++) {
		struct candidate c;
		char *why = NULL;
		if (store_candidate_get(in->st, in->originals[i], &c, cause) != 0) {
			rc = -1;
			break;
		}
		if (mops_problem_read(c.meta, &all[n], &why) == 0) {
			struct skill_plan *sp = skill_find(p, all[n].skill);
			if (sp == NULL && p->nskills == SKILLS_MAX)
				rc = cause_set(cause, "rationale: more than %d skills in one batch",
				    SKILLS_MAX);
			else if (sp == NULL) {
				p->skills = xreallocarray(p->skills, p->nskills + 1, sizeof *p->skills);
				sp = &p->skills[p->nskills++];
				memset(sp, 0, sizeof *sp);
				sp->skill = xstrdup(all[n].skill);
			}
			if (sp != NULL)
				skill_of[n++] = (size_t)(sp - p->skills);
		}
		free(why);
		candidate_free(&c);
	}
	for (size_t s = 0; s < p->nskills && rc == 0; s++) {
		struct skill_plan *sp = &p->skills[s];
		struct mops_problem *demos;
		struct rng rng;
		size_t k = 0;
		if (p->mode == M_MIX && !mix_wants_pcot(mix, sp->skill))
			continue;
		demos = xcalloc(n ? n : 1, sizeof *demos);
		for (size_t i = 0; i < n; i++)
			if (skill_of[i] == s)
				demos[k++] = all[i]; /* shallow: all[] owns the strings */
		rng_seed(&rng, rng_derive((uint64_t)in->seed, sp->skill));
		for (size_t i = 0; i + 1 < k && i < want; i++) {
			size_t j = i + (size_t)rng_below(&rng, k - i);
			struct mops_problem t = demos[i];
			demos[i] = demos[j];
			demos[j] = t;
		}
		rc = plan_skill(op, args, in, p->be, sp, demos, k < want ? k : want, cause);
		free(demos);
	}
	for (size_t i = 0; i < n; i++)
		mops_problem_free(&all[i]);
	free(all);
	free(skill_of);
	return rc;
}

OPPLAN(rationale)
{
	const char *mode = mops_str(op, args, "mode");
	struct rationale_plan *p;
	cJSON *mix = NULL;
	char *value = NULL;
	int rc = 0;

	p = xcalloc(1, sizeof *p);
	p->mode = strcmp(mode, "pcot") == 0 ? M_PCOT : strcmp(mode, "mix") == 0 ? M_MIX : M_COT;
	if ((p->be = mops_backend(op, args, in->mc, ROLE_LLM, cause)) == NULL) {
		free(p);
		return -1;
	}
	if (p->mode == M_MIX) {
		if (store_setting_get(in->st, MIX_SETTING, &value, cause) < 0) {
			free(p);
			return -1;
		}
		if (value == NULL || !cJSON_IsObject(mix = cJSON_Parse(value))) {
			free(value);
			cJSON_Delete(mix);
			free(p);
			return cause_set(cause, "rationale: mode=mix needs a per-skill choice: run "
			    "mmda tune DB --mix-rationales first");
		}
		free(value);
	}
	if (p->mode != M_COT)
		rc = plan_skills(op, args, in, p, mix, cause);
	cJSON_Delete(mix);
	out->state = p;
	out->state_free = rationale_plan_free;
	mops_plan_add(out, "{}");
	return rc;
}

/* The candidate's meta: the problem, the rationale and its check, LLaVA turns. */
static char *
rationale_meta(const struct mops_problem *pr, const struct skill_plan *sp,
    const char *rationale, const char *final, int consistent)
{
	cJSON *meta = cJSON_CreateObject(), *arr;
	char *ask_text = mops_problem_block(pr, 0), *human;

	cJSON_AddStringToObject(meta, "question", pr->question);
	if (pr->nchoices > 0) {
		arr = cJSON_AddArrayToObject(meta, "choices");
		for (size_t i = 0; i < pr->nchoices; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(pr->choices[i]));
		cJSON_AddNumberToObject(meta, "answer_index", pr->gold);
	}
	cJSON_AddStringToObject(meta, "answer", pr->answer);
	if (pr->hint != NULL)
		cJSON_AddStringToObject(meta, "hint", pr->hint);
	cJSON_AddStringToObject(meta, "skill", pr->skill);
	cJSON_AddStringToObject(meta, "mode", sp != NULL ? "pcot" : "cot");
	if (sp != NULL) {
		cJSON_AddStringToObject(meta, "lecture", sp->lecture);
		cJSON_AddStringToObject(meta, "plan", sp->plan);
	}
	cJSON_AddStringToObject(meta, "rationale", rationale);
	if (final != NULL)
		cJSON_AddStringToObject(meta, "final_answer", final);
	else
		cJSON_AddNullToObject(meta, "final_answer");
	cJSON_AddBoolToObject(meta, "answer_consistent", consistent);
	/* MM-CoT trains on problem -> rationale; LLaVA export writes these turns. */
	arr = cJSON_AddArrayToObject(meta, "conversations");
	human = xasprintf("<image>\n%s", ask_text);
	mops_add_turn(arr, "human", human);
	mops_add_turn(arr, "gpt", rationale);
	free(human);
	free(ask_text);
	return mops_json_take(meta);
}

OPIMPL(rationale)
{
	const struct rationale_plan *p = in->plan;
	const struct skill_plan *sp = NULL;
	struct mops_problem pr;
	char *why = NULL, *block, *user, *reply, *id = NULL, *rat, *final;
	int rc;

	if (p == NULL)
		return cause_set(cause, "rationale: run without its plan");
	if ((rc = mops_problem_read(in->meta[0], &pr, &why)) != 0) {
		if (rc > 0) {
			out->unchanged = 1;
			return 0;
		}
		cause_set(cause, "rationale: the parent's problem: %s", why);
		free(why);
		return -1;
	}
	if (p->mode != M_COT && (sp = skill_find(p, pr.skill)) != NULL && sp->plan == NULL)
		sp = NULL; /* mix: this skill runs CoT */
	if (p->mode == M_PCOT && sp == NULL) {
		mops_problem_free(&pr);
		return cause_set(cause, "rationale: no plan for skill \"%s\"", pr.skill);
	}
	block = mops_problem_block(&pr, 1);
	if (sp != NULL)
		user = xasprintf("Skill: %s\nLecture: %s\nPlan:\n%s\n\n%s", sp->skill, sp->lecture,
		    sp->plan, block);
	else
		user = xstrdup(block);
	free(block);
	if (mops_ask(op, args, in->mc, p->be, sp != NULL ? pcot_system : cot_system, user, in->seed,
	    &reply, &id, cause) != 0) {
		free(user);
		mops_problem_free(&pr);
		return -1;
	}
	mops_lineage(out, ROLE_LLM, p->be, user, id);
	free(user);
	free(id);
	rc = mops_rationale_parse(reply, &rat, &final, &why);
	free(reply);
	if (rc != 0) {
		cause_set(cause, "rationale: %s", why);
		free(why);
		mops_problem_free(&pr);
		return -1;
	}
	int consistent = mops_answer_consistent(&pr, final);
	out->meta = rationale_meta(&pr, sp, rat, final, consistent);
	out->text = mops_clean(rat, 0, 0);
	out->extra = xasprintf("{\"request_seed\":%lld,\"mode_used\":\"%s\"}",
	    (long long)in->seed, sp != NULL ? "pcot" : "cot");
	free(rat);
	free(final);
	mops_problem_free(&pr);
	return 0;
}
