/* SPDX-License-Identifier: MIT */
/* Private to the operator table: the apply function of each built-in operator. */
#ifndef MMDA_OPS_IMPL_H
#define MMDA_OPS_IMPL_H

#include "core/ops.h"

#define OPIMPL(name)                                                                       \
	int opimpl_##name(const struct op_def *op, const struct op_args *args,             \
	    const struct op_input *in, struct op_output *out, char **cause)

OPIMPL(mixgen);
OPIMPL(cutmix);
OPIMPL(hflip);
OPIMPL(rotate);
OPIMPL(crop);
OPIMPL(color);
OPIMPL(grayscale);
OPIMPL(blur);
OPIMPL(noise);
OPIMPL(jpeg);
OPIMPL(synonym);
OPIMPL(hypernym);
OPIMPL(eda);

/* Model-backed (core/mops_text.c, core/mops_image.c): apply, and plan where they have one. */
#define OPPLAN(name)                                                                       \
	int opplan_##name(const struct op_def *op, const struct op_args *args,             \
	    const struct op_plan_in *in, struct op_plan *out, char **cause)

OPIMPL(rewrite);
OPIMPL(caption);
OPIMPL(counterfactual);
OPIMPL(instruct);
OPIMPL(vqa_gen);
OPIMPL(alia);
OPIMPL(t2i);
OPIMPL(inpaint_attr);
OPPLAN(rewrite);
OPPLAN(caption);
OPPLAN(counterfactual);
OPPLAN(instruct);
OPPLAN(vqa_gen);
OPPLAN(alia);
OPPLAN(t2i);
OPPLAN(inpaint_attr);

#endif
