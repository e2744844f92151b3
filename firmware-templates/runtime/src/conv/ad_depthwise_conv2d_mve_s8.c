/*
 * autodeploy runtime: int8 DEPTHWISE_CONV_2D, Helium (MVE) variant: the
 * values of ad_depthwise_conv2d_s8 for depth multiplier 1, with the bias
 * replaced by the channel records of ad_dw_mve.h (which does the pixels).
 * Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_dw_mve.h"

ad_status ad_depthwise_conv2d_mve_s8(const ad_context *ctx,
                                     const ad_dw_conv_params *params,
                                     const ad_conv_quant *quant,
                                     const ad_dims *input_dims,
                                     const int8_t *input,
                                     const ad_dims *filter_dims,
                                     const int8_t *filter,
                                     const int32_t *bias,
                                     const ad_dims *output_dims,
                                     int8_t *output)
{
    ad_dw_mve_state s;
    const int8_t *rows[AD_DW_MVE_MAX_ROWS] = {NULL};
    const ad_conv_params *p;
    int32_t b, oy, ky;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    ad_status status;

    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
        params->depth_multiplier != 1 || filter_dims->h > AD_DW_MVE_MAX_ROWS)
    {
        return AD_ERR_ARG;
    }
    p = &params->conv;
    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    if (!ad_dw_mve_check(k_h * k_w, out_c, bias) ||
        ad_dw_mve_bind(&s, ctx, k_h * k_w, out_c, ad_conv_taps_outside(p, in_h, in_w, k_h, k_w, out_h, out_w),
                       quant) != AD_OK)
    {
        return AD_ERR_ARG;
    }
    for (b = 0; b < output_dims->n; b++)
    {
        const int8_t *image = input + (size_t)b * in_h * in_w * in_c;
        if (ad_dw_mve_is_column(in_w, out_w, k_w))
        {
            ad_dw_mve_column(&s, image, p, k_h, in_h, in_c, out_h, out_c, filter, bias, quant,
                             output + (size_t)b * out_h * out_c);
            continue;
        }
        for (oy = 0; oy < out_h; oy++)
        {
            for (ky = 0; ky < k_h; ky++)
            {
                int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
                rows[ky] = iy < 0 ? NULL : image + (size_t)iy * in_w * in_c;
            }
            ad_dw_mve_row(&s, rows, p, k_h, k_w, in_w, in_c, out_w, out_c, filter, bias, quant,
                          output + ((size_t)b * out_h + oy) * out_w * out_c);
        }
    }
    return AD_OK;
}
