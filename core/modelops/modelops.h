/* SPDX-License-Identifier: MIT */
/*
 * The model-backed operators' entry points, as the op table (core/ops/ops.c)
 * names them: apply, and plan (the variants one parent makes). Each returns 0,
 * or -1 with *cause set (the caller frees); what they need of an op (its
 * arguments, backends, lineage) comes through core/ops/ops.h alone.
 */
#ifndef MMDA_MODELOPS_H
#define MMDA_MODELOPS_H

#include "core/ops/ops.h"

OPIMPL(rewrite);
OPIMPL(caption);
OPIMPL(counterfactual);
OPIMPL(instruct);
OPIMPL(vqa_gen);
OPIMPL(alia);
OPIMPL(t2i);
OPIMPL(inpaint_attr);
OPIMPL(rationale);
OPIMPL(code_switch);
OPIMPL(tool_instruct);
OPIMPL(concept_mix);
OPPLAN(rewrite);
OPPLAN(caption);
OPPLAN(counterfactual);
OPPLAN(instruct);
OPPLAN(vqa_gen);
OPPLAN(alia);
OPPLAN(t2i);
OPPLAN(inpaint_attr);
OPPLAN(rationale);
OPPLAN(code_switch);
OPPLAN(tool_instruct);
OPPLAN(concept_mix);

#endif
