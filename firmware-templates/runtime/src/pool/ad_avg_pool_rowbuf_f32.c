/*
 * autodeploy runtime: row-buffer in-place variant (ad_row_buffer, rows only) of
 * ad_avg_pool_f32, computing exactly the same values.
 * float32 AVERAGE_POOL_2D. The window's real elements are
 * summed in (row, column) order and divided by their count as a float.
 */
#include "ad_runtime.h"

#include "ad_pool_common.h"
#include "../conv/ad_rowbuf.h"

#define AD_RB_ELEM ((int32_t)sizeof(float))

ad_status ad_avg_pool_rowbuf_f32(const ad_context *ctx,
                                 const ad_row_buffer *rb,
                                 const ad_pool_params *params,
                                 const ad_activation_f32 *activation,
                                 const ad_dims *input_dims,
                                 const float *input,
                                 const ad_dims *output_dims,
                                 float *output)
{
    int32_t oy, ox, ch, y, x, ys, ye, xs, xe;
    int32_t c, in_h, in_w;
    ad_rowbuf_geom g;
    ad_status status;

    (void)ctx;
    status = ad_pool_check(params, input_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || activation == NULL || input == NULL || output == NULL || input_dims->n != 1 ||
        rb->unit != AD_UNIT_ROWS)
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
    status = ad_rowbuf_init(&g, rb, input, in_h, in_w * c * AD_RB_ELEM, output_dims->h, output_dims->w * c * AD_RB_ELEM,
                        params->filter.h, params->stride.h, 1, params->padding.h);
    if (status != AD_OK)
    {
        return status;
    }
    for (oy = 0; oy < output_dims->h; oy++)
    {
        ad_pool_window(oy, params->stride.h, params->padding.h, params->filter.h, in_h, &ys, &ye);
        ad_rowbuf_save(&g, oy);
        for (ox = 0; ox < output_dims->w; ox++)
        {
            ad_pool_window(ox, params->stride.w, params->padding.w, params->filter.w, in_w, &xs, &xe);
            for (ch = 0; ch < c; ch++)
            {
                float total = 0.0f;
                float count = 0.0f;
                for (y = ys; y < ye; y++)
                {
                    const float *row = (const float *)ad_rowbuf_unit(&g, y, oy);
                    for (x = xs; x < xe; x++)
                    {
                        total += row[(size_t)x * c + ch];
                        count += 1.0f;
                    }
                }
                *output++ = ad_clamp_f32(total / count, *activation);
            }
        }
    }
    return AD_OK;
}
