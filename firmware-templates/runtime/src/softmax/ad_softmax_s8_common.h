/*
 * autodeploy runtime: the int8-input SOFTMAX row computation shared by the int8
 * and int16 output kernels (internal).
 *
 * Per row: the difference to the row maximum is rescaled to Q5.26 (differences
 * below diff_min give the output minimum), exponentiated in fixed point, summed
 * in Q12.19, inverted, and scaled so the output spans the unsigned range of
 * out_bits bits, shifted down by out_min.
 */
#ifndef AD_SOFTMAX_S8_COMMON_H
#define AD_SOFTMAX_S8_COMMON_H

#include "ad_fixedpoint.h"
#include "ad_internal.h"

static inline int32_t ad_softmax_s8_exp(const ad_softmax_quant *q, int32_t diff)
{
    return ad_fp_exp_on_negative_values(
        ad_requantize_greater_than_one(diff, q->input_multiplier, q->input_left_shift), 5);
}

/** Computes one row; values are written through out8 or out16 (the other is NULL). */
static inline void ad_softmax_s8_row(const ad_softmax_quant *q, int32_t depth, const int8_t *row, int8_t *out8,
                                     int16_t *out16, int32_t out_bits, int32_t out_min, int32_t out_max)
{
    int32_t max_in_row = INT8_MIN;
    int32_t sum_of_exps = 0;
    int32_t num_bits_over_unit;
    int32_t shifted_scale;
    int32_t exponent;
    int32_t i;
    for (i = 0; i < depth; i++)
    {
        max_in_row = ad_max_i32(max_in_row, row[i]);
    }
    for (i = 0; i < depth; i++)
    {
        int32_t diff = row[i] - max_in_row;
        if (diff >= q->diff_min)
        {
            sum_of_exps = ad_wrap_add(sum_of_exps, ad_fp_rescale(ad_softmax_s8_exp(q, diff), 0, 12));
        }
    }
    shifted_scale = ad_fp_get_reciprocal(sum_of_exps, 12, &num_bits_over_unit);
    exponent = num_bits_over_unit + 31 - out_bits;
    for (i = 0; i < depth; i++)
    {
        int32_t diff = row[i] - max_in_row;
        int32_t value = out_min;
        if (diff >= q->diff_min)
        {
            int32_t unsat = ad_rounding_divide_by_pot(ad_srdhm(shifted_scale, ad_softmax_s8_exp(q, diff)), exponent);
            value = ad_clamp_i32(ad_wrap_add(unsat, out_min), out_min, out_max);
        }
        if (out8 != NULL)
        {
            out8[i] = (int8_t)value;
        }
        else
        {
            out16[i] = (int16_t)value;
        }
    }
}

#endif /* AD_SOFTMAX_S8_COMMON_H */
