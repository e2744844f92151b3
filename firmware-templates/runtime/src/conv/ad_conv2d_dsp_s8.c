/*
 * autodeploy runtime: int8 CONV_2D, DSP variant: values exactly as
 * ad_conv2d_s8, with the channel dot product of each tap on SMLAD
 * (ad_dot_dsp.h); plain C without the DSP extension.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_dot_dsp.h"

ad_status ad_conv2d_dsp_s8(const ad_context *ctx,
                           const ad_conv_params *params,
                           const ad_conv_quant *quant,
                           const ad_dims *input_dims,
                           const int8_t *input,
                           const ad_dims *filter_dims,
                           const int8_t *filter,
                           const int32_t *bias,
                           const ad_dims *output_dims,
                           int8_t *output)
{
    int32_t filters_per_group;
    int32_t input_offset;
    int32_t b, oy, ox, oc, ky, kx;
    int32_t in_h, in_w, in_c, k_h, k_w, f_c, out_h, out_w, out_c;
    ad_status status;

    (void)ctx;
    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
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
                            acc = ad_dot_s8(x, w, f_c, input_offset, acc);
                        }
                    }
                    if (bias != NULL)
                    {
                        acc = ad_wrap_add(acc, bias[oc]);
                    }
                    v = ad_wrap_add(ad_requantize(acc, quant->multiplier[oc], quant->shift[oc]),
                                    quant->output_zero_point);
                    output[(((size_t)b * out_h + oy) * out_w + ox) * out_c + oc] =
                        (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                }
            }
        }
    }
    return AD_OK;
}
