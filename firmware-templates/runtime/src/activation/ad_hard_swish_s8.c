/*
 * autodeploy runtime: int8 HARD_SWISH, TFLite's int16 fixed-point pipeline:
 * the input on a 2^-7 finer scale, a "reluish" factor in [0, 1], a truncating
 * doubling multiply, then a rounding shift (gemmlowp's, exponent up to 31) to
 * the output scale.
 */
#include "ad_runtime.h"

#include "ad_internal.h"

/** value * 2^amount saturated to int16 (amount 0..=15 in practice). */
static int16_t saturating_left_shift_i16(int16_t value, int32_t amount)
{
    int64_t r = (int64_t)value * (int64_t)((uint64_t)1 << ((uint32_t)amount & 63u));
    if (r < INT16_MIN)
    {
        return INT16_MIN;
    }
    return r > INT16_MAX ? INT16_MAX : (int16_t)r;
}

/** Doubling high multiply truncating towards zero (no rounding nudge). */
static int16_t saturating_doubling_high_mul_i16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN)
    {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

ad_status ad_hard_swish_s8(const ad_context *ctx,
                           const ad_hard_swish_quant *quant,
                           int32_t size,
                           const int8_t *input,
                           int8_t *output)
{
    int32_t i;
    (void)ctx;
    if (quant == NULL || size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        int16_t input_value = ad_trunc_s16(ad_wrap_sub(input[i], quant->input_zero_point));
        int16_t hires = ad_trunc_s16(ad_wrap_mul(input_value, 1 << 7));
        int16_t preshift_output = ad_srdhm_i16(hires, quant->output_multiplier_fixedpoint_int16);
        int16_t reluish = hires;
        int16_t preshift;
        int16_t out;
        int32_t v;
        if (quant->reluish_multiplier_exponent > 0)
        {
            reluish = saturating_left_shift_i16(reluish, quant->reluish_multiplier_exponent - 1);
        }
        reluish = ad_srdhm_i16(reluish, quant->reluish_multiplier_fixedpoint_int16);
        if (quant->reluish_multiplier_exponent > 0)
        {
            reluish = saturating_left_shift_i16(reluish, 1);
        }
        if (quant->reluish_multiplier_exponent < 0)
        {
            reluish = ad_rounding_divide_by_pot_i16(reluish, -quant->reluish_multiplier_exponent);
        }
        reluish = ad_trunc_s16(((int32_t)reluish + (1 << 15)) >> 1);
        preshift = saturating_doubling_high_mul_i16(reluish, preshift_output);
        out = ad_rounding_divide_by_pot_i16(preshift, -quant->output_multiplier_exponent);
        v = ad_trunc_s16((int32_t)out + quant->output_zero_point);
        output[i] = (int8_t)ad_clamp_i32(v, INT8_MIN, INT8_MAX);
    }
    return AD_OK;
}
