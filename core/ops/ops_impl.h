/* SPDX-License-Identifier: MIT */
/* Private to the operator table: the apply function of each built-in operator. */
#ifndef MMDA_OPS_IMPL_H
#define MMDA_OPS_IMPL_H

#include "core/ops/ops.h"

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
