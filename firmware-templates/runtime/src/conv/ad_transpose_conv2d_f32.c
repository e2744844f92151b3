/*
 * autodeploy runtime: float32 TRANSPOSE_CONV (sums in TFLite's order, bias last).
 */
#include "ad_runtime.h"

#include "ad_transpose_conv_common.h"

ad_status ad_transpose_conv2d_f32(const ad_context *ctx,
                                  const ad_transpose_conv_params *params,
                                  const ad_activation_f32 *activation,
                                  const ad_dims *input_dims,
                                  const float *input,
                                  const ad_dims *filter_dims,
                                  const float *filter,
                                  const float *bias,
                                  const ad_dims *output_dims,
                                  float *output)
{
    int32_t b, oy, ox, oc, iy, ix, ic;
    ad_status status;

    (void)ctx;
    status = ad_transpose_conv_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (activation == NULL || input == NULL || filter == NULL || output == NULL)
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
                    float acc = 0.0f;
                    for (iy = 0; iy < input_dims->h; iy++)
                    {
                        int32_t ky = ad_transpose_tap(oy, iy, params->stride.h, params->padding.h, filter_dims->h);
                        if (ky < 0)
                        {
                            continue;
                        }
                        for (ix = 0; ix < input_dims->w; ix++)
                        {
                            const float *x;
                            const float *w;
                            int32_t kx = ad_transpose_tap(ox, ix, params->stride.w, params->padding.w, filter_dims->w);
                            if (kx < 0)
                            {
                                continue;
                            }
                            x = input + (((size_t)b * input_dims->h + iy) * input_dims->w + ix) * input_dims->c;
                            w = filter + (((size_t)oc * filter_dims->h + ky) * filter_dims->w + kx) * filter_dims->c;
                            for (ic = 0; ic < input_dims->c; ic++)
                            {
                                acc += x[ic] * w[ic];
                            }
                        }
                    }
                    if (bias != NULL)
                    {
                        acc += bias[oc];
                    }
                    output[(((size_t)b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c + oc] =
                        ad_clamp_f32(acc, *activation);
                }
            }
        }
    }
    return AD_OK;
}
