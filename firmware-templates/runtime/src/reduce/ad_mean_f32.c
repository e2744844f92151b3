/*
 * autodeploy runtime: float32 MEAN: each output sums its inputs in float in
 * input order, then divides by the float element count. Empty inputs give zeros.
 */
#include "ad_runtime.h"

#include "ad_mean_common.h"

ad_status ad_mean_f32(const ad_context *ctx,
                      const ad_shape *input_shape,
                      int32_t num_axes,
                      const int32_t *axes,
                      const float *input,
                      float *output)
{
    ad_mean_plan plan;
    int32_t kept_index[AD_MAX_RANK];
    int32_t red_index[AD_MAX_RANK];
    size_t base = 0;
    size_t o;
    int32_t d;
    (void)ctx;
    if (!ad_shape_ok(input_shape) || num_axes < 0 || (num_axes > 0 && axes == NULL) || input == NULL ||
        output == NULL || !ad_mean_make_plan(input_shape, num_axes, axes, &plan))
    {
        return AD_ERR_ARG;
    }
    for (o = 0; o < plan.out_count; o++)
    {
        output[o] = 0.0f;
    }
    if (plan.in_count == 0)
    {
        return AD_OK;
    }
    for (d = 0; d < plan.kept_rank; d++)
    {
        kept_index[d] = 0;
    }
    for (o = 0; o < plan.out_count; o++)
    {
        size_t off = base;
        size_t r;
        float sum = 0.0f;
        for (d = 0; d < plan.red_rank; d++)
        {
            red_index[d] = 0;
        }
        for (r = 0; r < plan.red_count; r++)
        {
            sum += input[off];
            off = ad_mean_step(red_index, plan.red_dims, plan.red_strides, plan.red_rank, off);
        }
        output[o] = sum / (float)plan.red_count;
        base = ad_mean_step(kept_index, plan.kept_dims, plan.kept_strides, plan.kept_rank, base);
    }
    return AD_OK;
}
