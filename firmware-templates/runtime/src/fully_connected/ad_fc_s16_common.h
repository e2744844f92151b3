/*
 * autodeploy runtime: the 16x8 FULLY_CONNECTED loop shared by the int64- and
 * int32-bias kernels (internal). Exactly one of bias64 / bias32 is used: the
 * bias type decides the accumulator width, as in TFLite.
 */
#ifndef AD_FC_S16_COMMON_H
#define AD_FC_S16_COMMON_H

#include "ad_fc_check.h"

static inline ad_status ad_fc_s16_run(const ad_fc_s16_quant *quant,
                                      const ad_dims *input_dims,
                                      const int16_t *input,
                                      const ad_dims *filter_dims,
                                      const int8_t *filter,
                                      int wide,
                                      const int64_t *bias64,
                                      const int32_t *bias32,
                                      const ad_dims *output_dims,
                                      int16_t *output)
{
    int32_t b, oc, i, depth, out_depth, in_off, f_off;
    ad_status status = ad_fc_check(input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    out_depth = output_dims->c;
    if (out_depth > 0 && (quant->multiplier == NULL || quant->shift == NULL ||
                          (quant->channels != 1 && quant->channels != out_depth)))
    {
        return AD_ERR_ARG;
    }
    depth = input_dims->c;
    in_off = ad_wrap_neg(quant->input_zero_point);
    f_off = ad_wrap_neg(quant->filter_zero_point);
    for (b = 0; b < input_dims->n; b++)
    {
        const int16_t *row = input + (size_t)b * depth;
        for (oc = 0; oc < out_depth; oc++)
        {
            const int8_t *w = filter + (size_t)oc * depth;
            int32_t ch = quant->channels == 1 ? 0 : oc;
            int32_t v;
            if (wide)
            {
                int64_t acc = 0;
                for (i = 0; i < depth; i++)
                {
                    acc = ad_wrap_add64(acc, ad_wrap_mul(ad_wrap_add(w[i], f_off), ad_wrap_add(row[i], in_off)));
                }
                if (bias64 != NULL)
                {
                    acc = ad_wrap_add64(acc, bias64[oc]);
                }
                v = ad_requantize_i64(acc, quant->multiplier[ch], quant->shift[ch]);
            }
            else
            {
                int32_t acc = 0;
                for (i = 0; i < depth; i++)
                {
                    acc = ad_wrap_add(acc, ad_wrap_mul(ad_wrap_add(w[i], f_off), ad_wrap_add(row[i], in_off)));
                }
                if (bias32 != NULL)
                {
                    acc = ad_wrap_add(acc, bias32[oc]);
                }
                v = ad_requantize(acc, quant->multiplier[ch], quant->shift[ch]);
            }
            v = ad_wrap_add(v, quant->output_zero_point);
            output[(size_t)b * out_depth + oc] = (int16_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
        }
    }
    return AD_OK;
}

#endif /* AD_FC_S16_COMMON_H */
