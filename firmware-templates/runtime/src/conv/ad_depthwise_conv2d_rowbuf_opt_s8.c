/*
 * autodeploy runtime: int8 DEPTHWISE_CONV_2D under the row-buffer scheme,
 * optimised variant: the contract and values of ad_depthwise_conv2d_rowbuf_s8,
 * with the row-buffer lookups (64-bit divisions) done once per output row
 * instead of once per output channel and tap, and the channel loop innermost
 * per tap so that input and filter are read with unit stride.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_rowbuf.h"

#define AD_RB_ELEM ((int32_t)sizeof(int8_t))
#define AD_OPT_MAX_ROWS 16
#define AD_OPT_CHUNK 16

ad_status ad_depthwise_conv2d_rowbuf_opt_s8(const ad_context *ctx,
                                            const ad_row_buffer *rb,
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
    ad_rowbuf_geom g;
    const int8_t *rows[AD_OPT_MAX_ROWS] = {NULL};
    const ad_conv_params *p;
    int32_t input_offset, dm;
    int32_t oy, ox, oc, ky, kx;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    ad_status status;

    (void)ctx;
    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) || input_dims->n != 1 ||
        rb->unit != AD_UNIT_ROWS)
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
    input_offset = ad_wrap_neg(quant->input_zero_point);
    status = ad_rowbuf_init(&g, rb, input, in_h, in_w * in_c * AD_RB_ELEM, out_h, out_w * out_c * AD_RB_ELEM, k_h,
                            p->stride.h, p->dilation.h, p->padding.h);
    if (status != AD_OK)
    {
        return status;
    }

    for (oy = 0; oy < out_h; oy++)
    {
        ad_rowbuf_save(&g, oy);
        for (ky = 0; ky < k_h && ky < AD_OPT_MAX_ROWS; ky++)
        {
            int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
            rows[ky] = iy < 0 ? NULL : (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
        }
        for (ox = 0; ox < out_w; ox++)
        {
            int8_t *out = output + ((size_t)oy * out_w + ox) * out_c;
            for (oc = 0; oc < out_c; oc += AD_OPT_CHUNK)
            {
                int32_t acc[AD_OPT_CHUNK];
                int32_t n = out_c - oc < AD_OPT_CHUNK ? out_c - oc : AD_OPT_CHUNK;
                int32_t j;
                for (j = 0; j < n; j++)
                {
                    acc[j] = bias != NULL ? bias[oc + j] : 0;
                }
                for (ky = 0; ky < k_h; ky++)
                {
                    const int8_t *row;
                    int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
                    if (iy < 0)
                    {
                        continue;
                    }
                    row = ky < AD_OPT_MAX_ROWS ? rows[ky] : (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
                    for (kx = 0; kx < k_w; kx++)
                    {
                        const int8_t *w;
                        const int8_t *x;
                        int32_t ix = ad_tap(ox, p->stride.w, p->padding.w, p->dilation.w, kx, in_w);
                        if (ix < 0)
                        {
                            continue;
                        }
                        x = row + (size_t)ix * in_c;
                        w = filter + ((size_t)ky * k_w + kx) * out_c + oc;
                        if (dm == 1)
                        {
                            x += oc;
                            for (j = 0; j < n; j++)
                            {
                                acc[j] = ad_wrap_add(acc[j], ad_wrap_mul(ad_wrap_add(x[j], input_offset), w[j]));
                            }
                        }
                        else
                        {
                            for (j = 0; j < n; j++)
                            {
                                acc[j] = ad_wrap_add(acc[j],
                                                     ad_wrap_mul(ad_wrap_add(x[(oc + j) / dm], input_offset), w[j]));
                            }
                        }
                    }
                }
                for (j = 0; j < n; j++)
                {
                    int32_t v = ad_wrap_add(ad_requantize(acc[j], quant->multiplier[oc + j], quant->shift[oc + j]),
                                            quant->output_zero_point);
                    out[oc + j] = (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
                }
            }
        }
    }
    return AD_OK;
}
