/*
 * autodeploy runtime: int8 MEAN as TFLite Micro computes it: the stored values
 * summed in 32 bits (wrapping), input_zp * count (64-bit, truncated) taken
 * off, and one rescaling whose multiplier has the division by the count folded
 * in: s = min(floor(log2 count), 32, 31 + shift), multiplier (m << s) / count,
 * shift - s; then the output zero point, clamped. Empty inputs give zeros.
 */
#include "ad_runtime.h"

#include "ad_mean_common.h"

ad_status ad_mean_s8(const ad_context *ctx,
                     const ad_mean_quant *quant,
                     const ad_shape *input_shape,
                     int32_t num_axes,
                     const int32_t *axes,
                     const int8_t *input,
                     int8_t *output)
{
    ad_mean_plan plan;
    int32_t kept_index[AD_MAX_RANK];
    int32_t red_index[AD_MAX_RANK];
    size_t base = 0;
    size_t o;
    int64_t n;
    int32_t floor_log2 = -1;
    int32_t s;
    int32_t multiplier;
    int32_t shift;
    int64_t zp_total;
    int32_t d;
    (void)ctx;
    if (quant == NULL || !ad_shape_ok(input_shape) || num_axes < 0 || (num_axes > 0 && axes == NULL) ||
        input == NULL || output == NULL || !ad_mean_make_plan(input_shape, num_axes, axes, &plan))
    {
        return AD_ERR_ARG;
    }
    for (o = 0; o < plan.out_count; o++)
    {
        output[o] = 0;
    }
    if (plan.in_count == 0)
    {
        return AD_OK;
    }
    n = (int64_t)plan.red_count;
    {
        uint64_t v = (uint64_t)n;
        while (v != 0u)
        {
            v >>= 1;
            floor_log2++;
        }
    }
    s = ad_min_i32(ad_min_i32(floor_log2, 32), 31 + quant->shift);
    multiplier = (int32_t)(((int64_t)quant->multiplier * ((int64_t)1 << (s > 0 ? s : 0))) / n);
    shift = quant->shift - s;
    zp_total = ad_wrap_mul64(quant->input_zero_point, n);
    for (d = 0; d < plan.kept_rank; d++)
    {
        kept_index[d] = 0;
    }
    for (o = 0; o < plan.out_count; o++)
    {
        size_t off = base;
        size_t r;
        int32_t sum = 0;
        int32_t shifted;
        int32_t v;
        for (d = 0; d < plan.red_rank; d++)
        {
            red_index[d] = 0;
        }
        for (r = 0; r < plan.red_count; r++)
        {
            sum = ad_wrap_add(sum, input[off]);
            off = ad_mean_step(red_index, plan.red_dims, plan.red_strides, plan.red_rank, off);
        }
        shifted = (int32_t)(uint32_t)((uint64_t)(int64_t)sum - (uint64_t)zp_total);
        v = ad_wrap_add(ad_requantize(shifted, multiplier, shift), quant->output_zero_point);
        output[o] = (int8_t)ad_clamp_i32(v, INT8_MIN, INT8_MAX);
        base = ad_mean_step(kept_index, plan.kept_dims, plan.kept_strides, plan.kept_rank, base);
    }
    return AD_OK;
}
