/*
 * autodeploy runtime: LEAKY_RELU integer core (internal): non-negative inputs
 * use the identity multiplier, negative ones the alpha multiplier (a negative
 * alpha is applied by negating after the multiply).
 */
#ifndef AD_LEAKY_RELU_COMMON_H
#define AD_LEAKY_RELU_COMMON_H

#include "ad_internal.h"

static inline int32_t ad_leaky_relu_core(int32_t x, const ad_leaky_relu_quant *q, int32_t lo, int32_t hi)
{
    int32_t v = ad_wrap_sub(x, q->input_zero_point);
    int32_t out;
    if (v >= 0)
    {
        out = ad_wrap_add(q->output_zero_point, ad_requantize(v, q->multiplier_identity, q->shift_identity));
    }
    else
    {
        int negative = q->multiplier_alpha < 0;
        int32_t m = negative ? ad_wrap_neg(q->multiplier_alpha) : q->multiplier_alpha;
        int32_t scaled = ad_requantize(v, m, q->shift_alpha);
        out = ad_wrap_add(q->output_zero_point, negative ? ad_wrap_neg(scaled) : scaled);
    }
    return ad_clamp_i32(out, lo, hi);
}

#endif /* AD_LEAKY_RELU_COMMON_H */
