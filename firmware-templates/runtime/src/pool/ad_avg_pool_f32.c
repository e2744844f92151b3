/*
 * autodeploy runtime: float32 AVERAGE_POOL_2D. The window's real elements are
 * summed in (row, column) order and divided by their count as a float.
 */
#include "ad_runtime.h"

#include "ad_pool_common.h"

ad_status ad_avg_pool_f32(const ad_context *ctx,
                          const ad_pool_params *params,
                          const ad_activation_f32 *activation,
                          const ad_dims *input_dims,
                          const float *input,
                          const ad_dims *output_dims,
                          float *output)
{
    int32_t b, oy, ox, ch, y, x, ys, ye, xs, xe;
    int32_t c, in_h, in_w;
    ad_status status;

    (void)ctx;
    status = ad_pool_check(params, input_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (activation == NULL || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    if (ad_pool_has_empty_window(params, input_dims, output_dims))
    {
        return AD_ERR_FAILURE;
    }
    c = input_dims->c;
    in_h = input_dims->h;
    in_w = input_dims->w;
    for (b = 0; b < output_dims->n; b++)
    {
        const float *in_b = input + (size_t)b * in_h * in_w * c;
        for (oy = 0; oy < output_dims->h; oy++)
        {
            ad_pool_window(oy, params->stride.h, params->padding.h, params->filter.h, in_h, &ys, &ye);
            for (ox = 0; ox < output_dims->w; ox++)
            {
                ad_pool_window(ox, params->stride.w, params->padding.w, params->filter.w, in_w, &xs, &xe);
                for (ch = 0; ch < c; ch++)
                {
                    float total = 0.0f;
                    float count = 0.0f;
                    for (y = ys; y < ye; y++)
                    {
                        for (x = xs; x < xe; x++)
                        {
                            total += in_b[((size_t)y * in_w + x) * c + ch];
                            count += 1.0f;
                        }
                    }
                    *output++ = ad_clamp_f32(total / count, *activation);
                }
            }
        }
    }
    return AD_OK;
}
