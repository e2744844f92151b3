/*
 * autodeploy runtime: int8 FULLY_CONNECTED with one multiplier for the layer,
 * Helium (MVE) variant: values exactly as ad_fully_connected_s8. Four output
 * channels per pass, each a VMLADAVA dot product of the raw int8 values; the
 * zero points enter through the expansion
 *   sum((w + fo)(x + io)) = sum(w x) + io sum(w) + fo sum(x) + depth fo io,
 * which holds modulo 2^32 like the portable accumulator. Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_fc_check.h"
#include "../conv/ad_mve.h"

ad_status ad_fully_connected_mve_s8(const ad_context *ctx,
                                    const ad_fc_quant *quant,
                                    const ad_dims *input_dims,
                                    const int8_t *input,
                                    const ad_dims *filter_dims,
                                    const int8_t *filter,
                                    const int32_t *bias,
                                    const ad_dims *output_dims,
                                    int8_t *output)
{
    int32_t b, oc, i, j, depth, out_depth, in_off, f_off, rows;
    int32_t mult[4], shift[4], folded[4], acc[4];
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
    for (j = 0; j < 4; j++)
    {
        mult[j] = quant->multiplier;
        shift[j] = quant->shift;
    }
    for (oc = 0; oc < out_depth; oc += 4)
    {
        const int8_t *w = filter + (size_t)oc * depth;
        rows = out_depth - oc < 4 ? out_depth - oc : 4;
        /* bias + io * sum(w) + depth * fo * io, once per channel for every batch row. */
        ad_mve_fold_bias(w, depth, rows, bias != NULL ? bias + oc : NULL, in_off, folded);
        for (j = 0; j < rows; j++)
        {
            folded[j] = ad_wrap_add(folded[j], ad_wrap_mul(ad_wrap_mul(depth, f_off), in_off));
        }
        for (b = 0; b < input_dims->n; b++)
        {
            const int8_t *row = input + (size_t)b * depth;
            int32_t base[4];
            int32_t row_term = 0;
            if (f_off != 0)
            {
                int32_t sum = 0;
                for (i = 0; i < depth; i++)
                {
                    sum += row[i];
                }
                row_term = ad_wrap_mul(f_off, sum);
            }
            for (j = 0; j < rows; j++)
            {
                base[j] = ad_wrap_add(folded[j], row_term);
            }
            ad_mve_dot_rows(row, w, depth, depth, rows, base, acc);
            ad_mve_requantize(acc, rows, mult, shift, quant->output_zero_point, quant->activation,
                              output + (size_t)b * out_depth + oc);
        }
    }
    return AD_OK;
}
