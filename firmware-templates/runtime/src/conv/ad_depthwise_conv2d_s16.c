/*
 * autodeploy runtime: 16x8 DEPTHWISE_CONV_2D (int16 activations, int8 filter,
 * int64 bias): 64-bit sums, the 16-bit-rounded rescale, no zero points.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"

ad_status ad_depthwise_conv2d_s16(const ad_context *ctx,
                                  const ad_dw_conv_params *params,
                                  const ad_conv_quant *quant,
                                  const ad_dims *input_dims,
                                  const int16_t *input,
                                  const ad_dims *filter_dims,
                                  const int8_t *filter,
                                  const int64_t *bias,
                                  const ad_dims *output_dims,
                                  int16_t *output)
{
    const ad_conv_params *p;
    int32_t dm;
    int32_t b, oy, ox, oc, ky, kx;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    ad_status status;

    (void)ctx;
    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)))
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

    for (b = 0; b < output_dims->n; b++)
    {
        for (oy = 0; oy < out_h; oy++)
        {
            for (ox = 0; ox < out_w; ox++)
            {
                for (oc = 0; oc < out_c; oc++)
                {
                    int32_t ic = oc / dm;
                    int64_t acc = 0;
                    int32_t v;
                    for (ky = 0; ky < k_h; ky++)
                    {
                        int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
                        if (iy < 0)
                        {
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++)
                        {
                            int32_t x, w;
                            int32_t ix = ad_tap(ox, p->stride.w, p->padding.w, p->dilation.w, kx, in_w);
                            if (ix < 0)
                            {
                                continue;
                            }
                            x = input[(((size_t)b * in_h + iy) * in_w + ix) * in_c + ic];
                            w = filter[((size_t)ky * k_w + kx) * out_c + oc];
                            acc = ad_wrap_add64(acc, x * w);
                        }
                    }
                    if (bias != NULL)
                    {
                        acc = ad_wrap_add64(acc, bias[oc]);
                    }
                    v = ad_requantize_i64(acc, quant->multiplier[oc], quant->shift[oc]);
                    output[(((size_t)b * out_h + oy) * out_w + ox) * out_c + oc] =
                        (int16_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                }
            }
        }
    }
    return AD_OK;
}
