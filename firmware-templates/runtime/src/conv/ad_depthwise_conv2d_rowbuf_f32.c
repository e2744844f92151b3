/*
 * autodeploy runtime: float32 DEPTHWISE_CONV_2D writing its output over its
 * input under the row-buffer scheme (ad_row_buffer, rows only); values exactly
 * as ad_depthwise_conv2d_f32.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_rowbuf.h"

#define AD_RB_ELEM ((int32_t)sizeof(float))

ad_status ad_depthwise_conv2d_rowbuf_f32(const ad_context *ctx,
                                         const ad_row_buffer *rb,
                                         const ad_dw_conv_params *params,
                                         const ad_activation_f32 *activation,
                                         const ad_dims *input_dims,
                                         const float *input,
                                         const ad_dims *filter_dims,
                                         const float *filter,
                                         const float *bias,
                                         const ad_dims *output_dims,
                                         float *output)
{
    ad_rowbuf_geom g;
    const ad_conv_params *p;
    int32_t dm;
    int32_t oy, ox, oc, ky, kx;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    ad_status status;

    (void)ctx;
    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || activation == NULL || input == NULL || filter == NULL || output == NULL ||
        input_dims->n != 1 || rb->unit != AD_UNIT_ROWS)
    {
        return AD_ERR_ARG;
    }

    p = &params->conv;
    dm = params->depth_multiplier;
    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    status = ad_rowbuf_init(&g, rb, input, in_h, in_w * in_c * AD_RB_ELEM, out_h, out_w * out_c * AD_RB_ELEM, k_h,
                            p->stride.h, p->dilation.h, p->padding.h);
    if (status != AD_OK)
    {
        return status;
    }

    for (oy = 0; oy < out_h; oy++)
    {
        ad_rowbuf_save(&g, oy);
        for (ox = 0; ox < out_w; ox++)
        {
            for (oc = 0; oc < out_c; oc++)
            {
                int32_t ic = oc / dm;
                float acc = 0.0f;
                for (ky = 0; ky < k_h; ky++)
                {
                    const float *row;
                    int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
                    if (iy < 0)
                    {
                        continue;
                    }
                    row = (const float *)ad_rowbuf_unit(&g, iy, oy);
                    for (kx = 0; kx < k_w; kx++)
                    {
                        int32_t ix = ad_tap(ox, p->stride.w, p->padding.w, p->dilation.w, kx, in_w);
                        if (ix < 0)
                        {
                            continue;
                        }
                        acc += row[(size_t)ix * in_c + ic] * filter[((size_t)ky * k_w + kx) * out_c + oc];
                    }
                }
                acc += bias != NULL ? bias[oc] : 0.0f;
                output[((size_t)oy * out_w + ox) * out_c + oc] = ad_clamp_f32(acc, *activation);
            }
        }
    }
    return AD_OK;
}
