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

#endif
