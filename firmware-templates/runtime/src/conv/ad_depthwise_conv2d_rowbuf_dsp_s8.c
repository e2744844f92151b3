/*
 * autodeploy runtime: int8 DEPTHWISE_CONV_2D under the row-buffer scheme,
 * DSP variant: the contract and values of ad_depthwise_conv2d_rowbuf_s8.
 * The row-buffer lookups happen once per output row; the row itself is
 * computed by ad_dw_row (four channels per pass with SXTAB16 and
 * SMLABB/SMLATT on Armv7E-M, plain C elsewhere).
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_dw_dsp.h"
#include "ad_rowbuf.h"

ad_status ad_depthwise_conv2d_rowbuf_dsp_s8(const ad_context *ctx,
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
    ad_dw_layer l;
    ad_dw_rows rows;
    const ad_conv_params *p;
    int32_t oy, ky, in_h, k_h, out_h, row_in, row_out;
    ad_status status;

    (void)ctx;
    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) || input_dims->n != 1 ||
        rb->unit != AD_UNIT_ROWS || filter_dims->h > AD_DW_MAX_ROWS)
    {
        return AD_ERR_ARG;
    }

    p = &params->conv;
    in_h = input_dims->h;
    k_h = filter_dims->h;
    out_h = output_dims->h;
    ad_dw_layer_init(&l, params, quant, input_dims, filter_dims, output_dims, filter, bias);
    row_in = l.in_w * l.in_c;
    row_out = l.out_w * l.out_c;
    status = ad_rowbuf_init(&g, rb, input, in_h, row_in, out_h, row_out, k_h, p->stride.h, p->dilation.h,
                            p->padding.h);
    if (status != AD_OK)
    {
        return status;
    }

    for (oy = 0; oy < out_h; oy++)
    {
        ad_rowbuf_save(&g, oy);
        rows.count = 0;
        for (ky = 0; ky < k_h; ky++)
        {
            int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
            if (iy >= 0)
            {
                rows.row[rows.count] = (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
                rows.ky[rows.count] = ky;
                rows.count++;
            }
        }
        ad_dw_row(&l, &rows, output + (size_t)oy * row_out);
    }
    return AD_OK;
}
