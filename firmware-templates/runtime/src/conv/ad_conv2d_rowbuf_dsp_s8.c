/*
 * autodeploy runtime: int8 CONV_2D under the row-buffer scheme, DSP variant:
 * the contract and the values of ad_conv2d_rowbuf_s8, with the channel dot
 * products of two output channels at a time on SMLAD (ad_dot_dsp.h). Chosen
 * for Cortex-M4/M7 when the filter depth is at least 4; plain C elsewhere.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_dot_dsp.h"
#include "ad_rowbuf.h"

#define AD_RB_ELEM ((int32_t)sizeof(int8_t))
#define AD_DSP_MAX_ROWS 16

ad_status ad_conv2d_rowbuf_dsp_s8(const ad_context *ctx,
                                  const ad_row_buffer *rb,
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
    ad_rowbuf_geom g;
    const int8_t *rows[AD_DSP_MAX_ROWS] = {NULL};
    int32_t filters_per_group;
    int32_t input_offset;
    int32_t oy, ox, oc, ky, kx, n_oc = 1;
    int32_t in_h, in_w, in_c, k_h, k_w, f_c, out_h, out_w, out_c;
    int pixels;
    ad_status status;

    (void)ctx;
    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) || input_dims->n != 1)
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
    pixels = rb->unit == AD_UNIT_PIXELS;
    if (pixels)
    {
        if (k_h != 1 || k_w != 1 || params->stride.h != 1 || params->stride.w != 1 || params->padding.h != 0 ||
            params->padding.w != 0 || out_h != in_h || out_w != in_w)
        {
            return AD_ERR_ARG;
        }
        status = ad_rowbuf_init(&g, rb, input, in_h * in_w, in_c * AD_RB_ELEM, out_h * out_w, out_c * AD_RB_ELEM, 1, 1, 1, 0);
    }
    else if (rb->unit == AD_UNIT_ROWS)
    {
        status = ad_rowbuf_init(&g, rb, input, in_h, in_w * in_c * AD_RB_ELEM, out_h, out_w * out_c * AD_RB_ELEM, k_h, params->stride.h,
                                params->dilation.h, params->padding.h);
    }
    else
    {
        status = AD_ERR_ARG;
    }
    if (status != AD_OK)
    {
        return status;
    }

    for (oy = 0; oy < out_h; oy++)
    {
        if (!pixels)
        {
            ad_rowbuf_save(&g, oy);
            /* Where each filter row reads depends on oy only: look it up once per output row. */
            for (ky = 0; ky < k_h && ky < AD_DSP_MAX_ROWS; ky++)
            {
                int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
                rows[ky] = iy < 0 ? NULL : (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
            }
        }
        for (ox = 0; ox < out_w; ox++)
        {
            const int8_t *pixel = NULL;
            if (pixels)
            {
                int32_t p = oy * out_w + ox;
                ad_rowbuf_save(&g, p);
                pixel = (const int8_t *)ad_rowbuf_unit(&g, p, p);
            }
            for (oc = 0; oc < out_c; oc += n_oc)
            {
                const int8_t *filter_oc = filter + (size_t)oc * k_h * k_w * f_c;
                int32_t group_offset = (oc / filters_per_group) * f_c;
                int32_t acc[2] = {0, 0};
                int32_t j;
                /* A pair shares its input only within one group. */
                n_oc = (oc + 1 < out_c && (oc + 1) / filters_per_group == oc / filters_per_group) ? 2 : 1;
                for (ky = 0; ky < k_h; ky++)
                {
                    const int8_t *row;
                    int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
                    if (iy < 0)
                    {
                        continue;
                    }
                    row = pixels ? NULL
                          : ky < AD_DSP_MAX_ROWS ? rows[ky]
                                                 : (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
                    for (kx = 0; kx < k_w; kx++)
                    {
                        const int8_t *x;
                        const int8_t *w;
                        int32_t ix = ad_tap(ox, params->stride.w, params->padding.w, params->dilation.w, kx, in_w);
                        if (ix < 0)
                        {
                            continue;
                        }
                        x = (pixels ? pixel : row + (size_t)ix * in_c) + group_offset;
                        w = filter_oc + ((size_t)ky * k_w + kx) * f_c;
                        if (n_oc == 2)
                        {
                            ad_dot2_s8(x, w, w + (size_t)k_h * k_w * f_c, f_c, input_offset, acc);
                        }
                        else
                        {
                            acc[0] = ad_dot_s8(x, w, f_c, input_offset, acc[0]);
                        }
                    }
                }
                for (j = 0; j < n_oc; j++)
                {
                    int32_t v = acc[j];
                    if (bias != NULL)
                    {
                        v = ad_wrap_add(v, bias[oc + j]);
                    }
                    v = ad_wrap_add(ad_requantize(v, quant->multiplier[oc + j], quant->shift[oc + j]),
                                    quant->output_zero_point);
                    output[((size_t)oy * out_w + ox) * out_c + oc + j] =
                        (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                }
            }
        }
    }
    return AD_OK;
}
