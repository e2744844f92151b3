/*
 * autodeploy runtime: int8 FULLY_CONNECTED with one multiplier for the layer,
 * DSP variant: values exactly as ad_fully_connected_s8; with a zero filter
 * zero point (what int8 converters emit) the dot products of two output
 * channels at a time run on SMLAD (ad_dot_dsp.h), otherwise the portable loop.
 */
#include "ad_runtime.h"

#include "ad_fc_check.h"
#include "../conv/ad_dot_dsp.h"

ad_status ad_fully_connected_dsp_s8(const ad_context *ctx,
                                    const ad_fc_quant *quant,
                                    const ad_dims *input_dims,
                                    const int8_t *input,
                                    const ad_dims *filter_dims,
                                    const int8_t *filter,
                                    const int32_t *bias,
                                    const ad_dims *output_dims,
                                int8_t *output)
{
    int32_t b, oc, i, depth, out_depth, in_off, f_off;
    ad_status status;

    (void)ctx;
    status = ad_fc_check(input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    depth = input_dims->c;
    out_depth = output_dims->c;
    in_off = ad_wrap_neg(quant->input_zero_point);
    f_off = ad_wrap_neg(quant->filter_zero_point);
    for (b = 0; b < input_dims->n; b++)
    {
        const int8_t *row = input + (size_t)b * depth;
        for (oc = 0; oc < out_depth; oc++)
        {
            const int8_t *w = filter + (size_t)oc * depth;
            int32_t acc = 0;
            int32_t v;
            if (f_off == 0)
            {
                acc = ad_dot_s8(row, w, depth, in_off, 0);
            }
            else
            {
                for (i = 0; i < depth; i++)
                {
                    acc = ad_wrap_add(acc, ad_wrap_mul(ad_wrap_add(w[i], f_off), ad_wrap_add(row[i], in_off)));
                }
            }
            if (bias != NULL)
            {
                acc = ad_wrap_add(acc, bias[oc]);
            }
            v = ad_wrap_add(ad_requantize(acc, quant->multiplier, quant->shift), quant->output_zero_point);
            output[(size_t)b * out_depth + oc] = (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
        }
    }
    return AD_OK;
}
