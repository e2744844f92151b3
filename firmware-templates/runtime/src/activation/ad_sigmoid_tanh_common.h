/*
 * autodeploy runtime: input rescaling shared by int8 LOGISTIC and TANH (internal).
 */
#ifndef AD_SIGMOID_TANH_COMMON_H
#define AD_SIGMOID_TANH_COMMON_H

#include "ad_fixedpoint.h"
#include "ad_internal.h"

/** 0 = in range (*q4 set to the Q4.27 input), -1 = saturates low, 1 = saturates high. */
static inline int ad_sigmoid_tanh_input(const ad_sigmoid_tanh_quant *q, int8_t x, int32_t *q4)
{
    int32_t v = ad_wrap_sub(x, q->input_zero_point);
    if (v <= ad_wrap_neg(q->input_range_radius))
    {
        return -1;
    }
    if (v >= q->input_range_radius)
    {
        return 1;
    }
    *q4 = ad_requantize(v, q->input_multiplier, q->input_left_shift);
    return 0;
}

#endif /* AD_SIGMOID_TANH_COMMON_H */
