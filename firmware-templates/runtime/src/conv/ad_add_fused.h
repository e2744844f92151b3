/*
 * autodeploy runtime: the int8 ADD of ad_add_s8 on one element pair (internal),
 * for the convolution kernels with a fused ADD (ad_conv2d_add_s8,
 * ad_depthwise_conv2d_add_s8). Must stay identical to ad_add_s8's inner loop.
 */
#ifndef AD_ADD_FUSED_H
#define AD_ADD_FUSED_H

#include "ad_internal.h"

static inline int8_t ad_add_fused_s8(const ad_add_quant *quant, int32_t a, int32_t c)
{
    int32_t x1 = ad_requantize_smaller_than_one(ad_wrap_shl(ad_wrap_sub(a, quant->input1_zero_point), quant->left_shift),
                                                quant->input1_multiplier, quant->input1_shift);
    int32_t x2 = ad_requantize_smaller_than_one(ad_wrap_shl(ad_wrap_sub(c, quant->input2_zero_point), quant->left_shift),
                                                quant->input2_multiplier, quant->input2_shift);
    int32_t v = ad_wrap_add(
        ad_requantize_smaller_than_one(ad_wrap_add(x1, x2), quant->output_multiplier, quant->output_shift),
        quant->output_zero_point);
    return (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
}

#endif /* AD_ADD_FUSED_H */
