/*
 * autodeploy runtime: int8 CONV_2D, Helium (MVE) variant: the contract and
 * the values of ad_conv2d_s8 for one group (filter depth = input depth). Per
 * output pixel the receptive field is gathered into one window (padding taps
 * hold the input zero point), then each output channel is one VMLADAVA dot
 * product over it, four channels per pass (ad_conv_mve.h). Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_conv_mve.h"

ad_status ad_conv2d_mve_s8(const ad_context *ctx,
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
    ad_conv_mve_state s;
    int32_t filters_per_group, window;
    int32_t b, oy, ox, ky;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    int8_t zp;
    ad_status status;

    (void)ctx;
    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) ||
        filter_dims->c != input_dims->c)
    {
        return AD_ERR_ARG;
    }
    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    window = k_h * k_w * in_c;
    if (out_c > AD_MVE_MAX_CHANNELS || window > AD_MVE_MAX_WINDOW)
    {
        return AD_ERR_ARG;
    }
    zp = (int8_t)quant->input_zero_point;
    ad_mve_fold_bias(filter, window, out_c, bias, ad_wrap_neg(quant->input_zero_point), s.bias);

    for (b = 0; b < output_dims->n; b++)
    {
        const int8_t *image = input + (size_t)b * in_h * in_w * in_c;
        for (oy = 0; oy < out_h; oy++)
        {
            int8_t *out_row = output + (((size_t)b * out_h + oy) * out_w) * out_c;
            for (ox = 0; ox < out_w; ox++)
            {
                for (ky = 0; ky < k_h; ky++)
                {
                    int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
                    ad_conv_mve_fill_row(s.window + (size_t)ky * k_w * in_c,
                                         iy < 0 ? NULL : image + (size_t)iy * in_w * in_c, ox, params, k_w, in_w, in_c,
                                         zp);
                }
                ad_conv_mve_pixel(&s, s.window, window, filter, out_c, quant, out_row + (size_t)ox * out_c);
            }
        }
    }
    return AD_OK;
}
