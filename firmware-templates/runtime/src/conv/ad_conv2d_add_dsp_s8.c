/*
 * autodeploy runtime: int8 CONV_2D with the following ADD fused, DSP variant:
 * the contract and values of ad_conv2d_add_s8. The valid filter taps of an
 * output pixel are listed once per pixel; two output channels go per pass
 * over them, each tap's channel dot product on SMLAD (ad_dot2_s8); then
 * each value is requantised and added to its residual exactly as the
 * portable kernel does (ad_add_fused_s8).
 */
#include "ad_runtime.h"

#include "ad_add_fused.h"
#include "ad_conv_check.h"
#include "ad_dot_dsp.h"

/* Most filter taps (height x width) the tap list holds; the selector checks it. */
#define AD_CA_MAX_TAPS 64

static inline void ad_ca_store(const ad_conv_quant *quant, const ad_add_quant *add_quant, const int32_t *bias,
                               int32_t acc, int32_t oc, int8_t *r)
{
    int32_t v;
    if (bias != NULL)
    {
        acc = ad_wrap_add(acc, bias[oc]);
    }
    v = ad_wrap_add(ad_requantize(acc, quant->multiplier[oc], quant->shift[oc]), quant->output_zero_point);
    *r = ad_add_fused_s8(add_quant, (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max), *r);
}

ad_status ad_conv2d_add_dsp_s8(const ad_context *ctx,
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
    size_t x_tap[AD_CA_MAX_TAPS];
    size_t w_tap[AD_CA_MAX_TAPS];
    int32_t filters_per_group;
    int32_t input_offset;
    int32_t b, oy, ox, oc, ky, kx, t, taps;
    int32_t in_h, in_w, in_c, k_h, k_w, f_c, out_h, out_w, out_c;
    size_t filter_size;
    ad_status status;

    (void)ctx;
    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || add_quant == NULL || input == NULL || filter == NULL || residual == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) ||
        (int64_t)filter_dims->h * filter_dims->w > AD_CA_MAX_TAPS)
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
    filter_size = (size_t)k_h * k_w * f_c;
    input_offset = ad_wrap_neg(quant->input_zero_point);

    for (b = 0; b < output_dims->n; b++)
    {
        for (oy = 0; oy < out_h; oy++)
        {
            for (ox = 0; ox < out_w; ox++)
            {
                int8_t *r = residual + (((size_t)b * out_h + oy) * out_w + ox) * out_c;
                /* The taps inside the input: where they start in the input and in a filter. */
                taps = 0;
                for (ky = 0; ky < k_h; ky++)
                {
                    int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
                    if (iy < 0)
                    {
                        continue;
                    }
                    for (kx = 0; kx < k_w; kx++)
                    {
                        int32_t ix = ad_tap(ox, params->stride.w, params->padding.w, params->dilation.w, kx, in_w);
                        if (ix < 0)
                        {
                            continue;
                        }
                        x_tap[taps] = (((size_t)b * in_h + iy) * in_w + ix) * in_c;
                        w_tap[taps] = ((size_t)ky * k_w + kx) * f_c;
                        taps++;
                    }
                }
                oc = 0;
                /* Channel pairs within one group read the same input channels. */
                for (; oc + 1 < out_c && oc / filters_per_group == (oc + 1) / filters_per_group; oc += 2)
                {
                    const int8_t *x = input + (size_t)(oc / filters_per_group) * f_c;
                    const int8_t *w0 = filter + (size_t)oc * filter_size;
                    int32_t acc[2] = {0, 0};
                    for (t = 0; t < taps; t++)
                    {
                        ad_dot2_s8(x + x_tap[t], w0 + w_tap[t], w0 + filter_size + w_tap[t], f_c, input_offset, acc);
                    }
                    ad_ca_store(quant, add_quant, bias, acc[0], oc, r + oc);
                    ad_ca_store(quant, add_quant, bias, acc[1], oc + 1, r + oc + 1);
                }
                for (; oc < out_c; oc++)
                {
                    const int8_t *x = input + (size_t)(oc / filters_per_group) * f_c;
                    const int8_t *w = filter + (size_t)oc * filter_size;
                    int32_t acc = 0;
                    for (t = 0; t < taps; t++)
                    {
                        acc = ad_dot_s8(x + x_tap[t], w + w_tap[t], f_c, input_offset, acc);
                    }
                    ad_ca_store(quant, add_quant, bias, acc, oc, r + oc);
                }
            }
        }
    }
    return AD_OK;
}
