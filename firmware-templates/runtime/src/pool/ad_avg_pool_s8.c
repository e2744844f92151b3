/*
 * autodeploy runtime: int8 AVERAGE_POOL_2D. Padded positions are neither summed
 * nor counted; the average is (sum +- count/2) / count with C division (rounded
 * half away from zero), then clamped. Input and output share quantisation.
 */
#include "ad_runtime.h"

#include "ad_pool_common.h"

ad_status ad_avg_pool_s8(const ad_context *ctx,
                         const ad_pool_params *params,
                         const ad_activation *activation,
                         const ad_dims *input_dims,
                         const int8_t *input,
                         const ad_dims *output_dims,
                         int8_t *output)
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
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c;
        for (oy = 0; oy < output_dims->h; oy++)
        {
            ad_pool_window(oy, params->stride.h, params->padding.h, params->filter.h, in_h, &ys, &ye);
            for (ox = 0; ox < output_dims->w; ox++)
            {
                ad_pool_window(ox, params->stride.w, params->padding.w, params->filter.w, in_w, &xs, &xe);
                for (ch = 0; ch < c; ch++)
                {
                    int32_t acc = 0;
                    int32_t count = (ye - ys) * (xe - xs);
                    int32_t avg;
                    for (y = ys; y < ye; y++)
                    {
                        for (x = xs; x < xe; x++)
                        {
                            acc = ad_wrap_add(acc, in_b[((size_t)y * in_w + x) * c + ch]);
                        }
                    }
                    avg = acc > 0 ? ad_wrap_add(acc, count / 2) / count : ad_wrap_sub(acc, count / 2) / count;
                    *output++ = (int8_t)ad_clamp_i32(avg, activation->min, activation->max);
                }
            }
        }
    }
    return AD_OK;
}
