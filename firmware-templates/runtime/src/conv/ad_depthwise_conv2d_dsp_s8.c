/*
 * autodeploy runtime: int8 DEPTHWISE_CONV_2D, DSP variant: the contract and
 * values of ad_depthwise_conv2d_s8, computed row by row by ad_dw_row (four
 * channels per pass with SXTAB16 and SMLABB/SMLATT on Armv7E-M, plain C
 * elsewhere).
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_dw_dsp.h"

ad_status ad_depthwise_conv2d_dsp_s8(const ad_context *ctx,
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
    ad_dw_layer l;
    ad_dw_rows rows;
    const ad_conv_params *p;
    int32_t b, oy, ky, in_h, k_h, out_h;
    size_t row_in, row_out;
    ad_status status;

    (void)ctx;
    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) ||
        filter_dims->h > AD_DW_MAX_ROWS)
    {
        return AD_ERR_ARG;
    }

    p = &params->conv;
    in_h = input_dims->h;
    k_h = filter_dims->h;
    out_h = output_dims->h;
    ad_dw_layer_init(&l, params, quant, input_dims, filter_dims, output_dims, filter, bias);
    row_in = (size_t)l.in_w * (size_t)l.in_c;
    row_out = (size_t)l.out_w * (size_t)l.out_c;

    for (b = 0; b < output_dims->n; b++)
    {
        for (oy = 0; oy < out_h; oy++)
        {
            rows.count = 0;
            for (ky = 0; ky < k_h; ky++)
            {
                int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
                if (iy >= 0)
                {
                    rows.row[rows.count] = input + ((size_t)b * in_h + iy) * row_in;
                    rows.ky[rows.count] = ky;
                    rows.count++;
                }
            }
            ad_dw_row(&l, &rows, output + ((size_t)b * out_h + oy) * row_out);
        }
    }
    return AD_OK;
}
