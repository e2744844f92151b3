/*
 * autodeploy runtime: the 16x8 CONV_2D loop shared by the int64- and
 * int32-bias kernels (internal). The bias type decides the accumulator width,
 * as in TFLite: `wide` sums in 64 bits and rescales with ad_requantize_i64,
 * otherwise 32-bit wrapping sums and ad_requantize. No zero point is applied
 * (TFLite requires them to be 0 for int16 activations).
 */
#ifndef AD_CONV_S16_COMMON_H
#define AD_CONV_S16_COMMON_H

#include "ad_conv_check.h"

static inline ad_status ad_conv2d_s16_run(const ad_conv_params *params,
                                          const ad_conv_quant *quant,
                                          const ad_dims *input_dims,
                                          const int16_t *input,
                                          const ad_dims *filter_dims,
                                          const int8_t *filter,
                                          int wide,
                                          const int64_t *bias64,
                                          const int32_t *bias32,
                                          const ad_dims *output_dims,
                                          int16_t *output)
{
    int32_t filters_per_group;
    int32_t b, oy, ox, oc, ky, kx, ic;
    int32_t in_h, in_w, in_c, k_h, k_w, f_c, out_h, out_w, out_c;
    ad_status status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
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
                    int64_t acc64 = 0;
                    int32_t acc32 = 0;
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
                            const int16_t *x;
                            const int8_t *w;
                            int32_t ix = ad_tap(ox, params->stride.w, params->padding.w, params->dilation.w, kx, in_w);
                            if (ix < 0)
                            {
                                continue;
                            }
                            x = input + (((size_t)b * in_h + iy) * in_w + ix) * in_c + group_offset;
                            w = filter_oc + ((size_t)ky * k_w + kx) * f_c;
                            if (wide)
                            {
                                for (ic = 0; ic < f_c; ic++)
                                {
                                    acc64 = ad_wrap_add64(acc64, (int32_t)x[ic] * w[ic]);
                                }
                            }
                            else
                            {
                                for (ic = 0; ic < f_c; ic++)
                                {
                                    acc32 = ad_wrap_add(acc32, (int32_t)x[ic] * w[ic]);
                                }
                            }
                        }
                    }
                    if (wide)
                    {
                        if (bias64 != NULL)
                        {
                            acc64 = ad_wrap_add64(acc64, bias64[oc]);
                        }
                        v = ad_requantize_i64(acc64, quant->multiplier[oc], quant->shift[oc]);
                    }
                    else
                    {
                        if (bias32 != NULL)
                        {
                            acc32 = ad_wrap_add(acc32, bias32[oc]);
                        }
                        v = ad_requantize(acc32, quant->multiplier[oc], quant->shift[oc]);
                    }
                    output[(((size_t)b * out_h + oy) * out_w + ox) * out_c + oc] =
                        (int16_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                }
            }
        }
    }
    return AD_OK;
}

#endif /* AD_CONV_S16_COMMON_H */
