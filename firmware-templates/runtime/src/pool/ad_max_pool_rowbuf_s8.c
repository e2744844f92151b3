/*
 * autodeploy runtime: row-buffer in-place variant (ad_row_buffer, rows only) of
 * ad_max_pool_s8, computing exactly the same values.
 * int8 MAX_POOL_2D. The activation bounds are truncated to
 * int8, as TFLite does; a window with no input element yields the clamped -128.
 */
#include "ad_runtime.h"

#include "ad_pool_common.h"
#include "../conv/ad_rowbuf.h"

#define AD_RB_ELEM ((int32_t)sizeof(int8_t))

ad_status ad_max_pool_rowbuf_s8(const ad_context *ctx,
                                const ad_row_buffer *rb,
                                const ad_pool_params *params,
                                const ad_activation *activation,
                                const ad_dims *input_dims,
                                const int8_t *input,
                                const ad_dims *output_dims,
                                int8_t *output)
{
    int32_t oy, ox, ch, y, x, ys, ye, xs, xe;
    int32_t c, in_h, in_w, act_min, act_max;
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
    act_min = ad_trunc_s8(activation->min);
    act_max = ad_trunc_s8(activation->max);
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
                int32_t m = INT8_MIN;
                for (y = ys; y < ye; y++)
                {
                    const int8_t *row = (const int8_t *)ad_rowbuf_unit(&g, y, oy);
                    for (x = xs; x < xe; x++)
                    {
                        m = ad_max_i32(m, row[(size_t)x * c + ch]);
                    }
                }
                *output++ = (int8_t)ad_clamp_i32(m, act_min, act_max);
            }
        }
    }
    return AD_OK;
}
