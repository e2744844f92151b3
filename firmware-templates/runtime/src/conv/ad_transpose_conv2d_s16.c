/*
 * autodeploy runtime: 16x8 TRANSPOSE_CONV (int16 activations, int8 filter,
 * int64 bias): 64-bit sums, the 16-bit-rounded rescale, no zero points.
 */
#include "ad_runtime.h"

#include "ad_transpose_conv_common.h"

ad_status ad_transpose_conv2d_s16(const ad_context *ctx,
                                  const ad_transpose_conv_params *params,
                                  const ad_conv_quant *quant,
                                  const ad_dims *input_dims,
                                  const int16_t *input,
                                  const ad_dims *filter_dims,
                                  const int8_t *filter,
                                  const int64_t *bias,
                                  const ad_dims *output_dims,
                                  int16_t *output)
{
    int32_t b, oy, ox, oc, iy, ix, ic;
    ad_status status;

    (void)ctx;
    status = ad_transpose_conv_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)))
    {
        return AD_ERR_ARG;
    }
    for (b = 0; b < output_dims->n; b++)
    {
        for (oy = 0; oy < output_dims->h; oy++)
        {
            for (ox = 0; ox < output_dims->w; ox++)
            {
                for (oc = 0; oc < output_dims->c; oc++)
                {
                    int64_t acc = 0;
                    int32_t v;
                    for (iy = 0; iy < input_dims->h; iy++)
                    {
                        int32_t ky = ad_transpose_tap(oy, iy, params->stride.h, params->padding.h, filter_dims->h);
                        if (ky < 0)
                        {
                            continue;
                        }
                        for (ix = 0; ix < input_dims->w; ix++)
                        {
                            const int16_t *x;
                            const int8_t *w;
                            int32_t kx = ad_transpose_tap(ox, ix, params->stride.w, params->padding.w, filter_dims->w);
                            if (kx < 0)
                            {
                                continue;
                            }
                            x = input + (((size_t)b * input_dims->h + iy) * input_dims->w + ix) * input_dims->c;
                            w = filter + (((size_t)oc * filter_dims->h + ky) * filter_dims->w + kx) * filter_dims->c;
                            for (ic = 0; ic < input_dims->c; ic++)
                            {
                                acc = ad_wrap_add64(acc, (int32_t)x[ic] * w[ic]);
                            }
                        }
                    }
                    if (bias != NULL)
                    {
                        acc = ad_wrap_add64(acc, bias[oc]);
                    }
                    v = ad_requantize_i64(acc, quant->multiplier[oc], quant->shift[oc]);
                    output[(((size_t)b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c + oc] =
                        (int16_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                }
            }
        }
    }
    return AD_OK;
}
