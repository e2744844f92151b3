/*
 * autodeploy runtime: int8 CONV_2D with the following ADD fused (plan::InPlace::FusedAdd):
 * each convolution value is computed exactly as ad_conv2d_s8, then added to
 * residual[i] exactly as ad_add_s8 (the convolution as input 1), and the sum is
 * written over residual[i], which is read first.
 */
#include "ad_runtime.h"

#include "ad_add_fused.h"
#include "ad_conv_check.h"

ad_status ad_conv2d_add_s8(const ad_context *ctx,
                           const ad_conv_params *params,
                           const ad_conv_quant *quant,
                           const ad_add_quant *add_quant,
                           const ad_dims *input_dims,
                           const int8_t *input,
                           const ad_dims *filter_dims,
                           const int8_t *filter,
                           const int32_t *bias,
                           const ad_dims *output_dims,
                           int8_t *residual)
{
    int32_t filters_per_group;
    int32_t input_offset;
    int32_t b, oy, ox, oc, ky, kx, ic;
    int32_t in_h, in_w, in_c, k_h, k_w, f_c, out_h, out_w, out_c;
    ad_status status;

    (void)ctx;
    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || add_quant == NULL || input == NULL || filter == NULL || residual == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)))
    {
        return AD_ERR_ARG;
    }

    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    f_c = filter_dims->c;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    input_offset = ad_wrap_neg(quant->input_zero_point);

    for (b = 0; b < output_dims->n; b++)
    {
        for (oy = 0; oy < out_h; oy++)
        {
            for (ox = 0; ox < out_w; ox++)
            {
                for (oc = 0; oc < out_c; oc++)
                {
                    const int8_t *filter_oc = filter + (size_t)oc * k_h * k_w * f_c;
                    int32_t group_offset = (oc / filters_per_group) * f_c;
                    int32_t acc = 0;
                    int32_t v;
                    for (ky = 0; ky < k_h; ky++)
                    {
                        int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
                        if (iy < 0)
                        {
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++)
                        {
                            const int8_t *x;
                            const int8_t *w;
                            int32_t ix = ad_tap(ox, params->stride.w, params->padding.w, params->dilation.w, kx, in_w);
                            if (ix < 0)
                            {
                                continue;
                            }
                            x = input + (((size_t)b * in_h + iy) * in_w + ix) * in_c + group_offset;
                            w = filter_oc + ((size_t)ky * k_w + kx) * f_c;
                            for (ic = 0; ic < f_c; ic++)
                            {
                                acc = ad_wrap_add(acc, ad_wrap_mul(ad_wrap_add(x[ic], input_offset), w[ic]));
                            }
                        }
                    }
                    if (bias != NULL)
                    {
                        acc = ad_wrap_add(acc, bias[oc]);
                    }
                    v = ad_wrap_add(ad_requantize(acc, quant->multiplier[oc], quant->shift[oc]),
                                    quant->output_zero_point);
                    {
                        int8_t *r = residual + (((size_t)b * out_h + oy) * out_w + ox) * out_c + oc;
                        int8_t conv = (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                        *r = ad_add_fused_s8(add_quant, conv, *r);
                    }
                }
            }
        }
    }
    return AD_OK;
}
