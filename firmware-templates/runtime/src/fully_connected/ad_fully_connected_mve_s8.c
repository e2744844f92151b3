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

#if AD_MVE
/*
 * One batch row, four whole output channels: dot products and weight sums in
 * the same pass over the weights (VMLADAVA and VADDVA on each loaded chunk),
 * so a single-row layer reads its weights once. acc[j] = dot(x, w_j), sums[j] = sum(w_j).
 */
static void ad_fc_mve_dot4_sums(const int8_t *x, const int8_t *w, int32_t n, int32_t acc[4], int32_t sums[4])
{
    const int8_t *w0 = w;
    const int8_t *w1 = w0 + n;
    const int8_t *w2 = w1 + n;
    const int8_t *w3 = w2 + n;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int32_t i;
    for (i = n >> 4; i > 0; i--)
    {
        int8x16_t xv = vldrbq_s8(x);
        int8x16_t k = vldrbq_s8(w0);
        x += 16;
        w0 += 16;
        a0 = vmladavaq_s8(a0, xv, k);
        s0 = vaddvaq_s8(s0, k);
        k = vldrbq_s8(w1);
        w1 += 16;
        a1 = vmladavaq_s8(a1, xv, k);
        s1 = vaddvaq_s8(s1, k);
        k = vldrbq_s8(w2);
        w2 += 16;
        a2 = vmladavaq_s8(a2, xv, k);
        s2 = vaddvaq_s8(s2, k);
        k = vldrbq_s8(w3);
        w3 += 16;
        a3 = vmladavaq_s8(a3, xv, k);
        s3 = vaddvaq_s8(s3, k);
    }
    if ((n & 15) != 0)
    {
        /* Inactive lanes load as 0 and add nothing to either sum. */
        mve_pred16_t p = vctp8q((uint32_t)(n & 15));
        int8x16_t xv = vldrbq_z_s8(x, p);
        int8x16_t k = vldrbq_z_s8(w0, p);
        a0 = vmladavaq_s8(a0, xv, k);
        s0 = vaddvaq_s8(s0, k);
        k = vldrbq_z_s8(w1, p);
        a1 = vmladavaq_s8(a1, xv, k);
        s1 = vaddvaq_s8(s1, k);
        k = vldrbq_z_s8(w2, p);
        a2 = vmladavaq_s8(a2, xv, k);
        s2 = vaddvaq_s8(s2, k);
        k = vldrbq_z_s8(w3, p);
        a3 = vmladavaq_s8(a3, xv, k);
        s3 = vaddvaq_s8(s3, k);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    sums[0] = s0;
    sums[1] = s1;
    sums[2] = s2;
    sums[3] = s3;
}
#endif

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
    int32_t mult[4], folded[4], acc[4];
    int8_t shift[4];
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
        shift[j] = (int8_t)quant->shift;
    }
    for (oc = 0; oc < out_depth; oc += 4)
    {
        const int8_t *w = filter + (size_t)oc * depth;
        rows = out_depth - oc < 4 ? out_depth - oc : 4;
#if AD_MVE
        if (rows == 4 && input_dims->n == 1 && f_off == 0)
        {
            /* The common case (one row, symmetric weights): weights read once. */
            static const int32_t no_bias[4] = {0, 0, 0, 0};
            if (in_off == 0)
            {
                /* Symmetric input, or the code generator folded the input zero point into the bias. */
                ad_mve_dot_rows(input, w, depth, depth, 4, bias != NULL ? bias + oc : no_bias, acc);
            }
            else
            {
                int32_t sums[4];
                ad_fc_mve_dot4_sums(input, w, depth, acc, sums);
                for (j = 0; j < 4; j++)
                {
                    acc[j] = ad_wrap_add(ad_wrap_add(acc[j], bias != NULL ? bias[oc + j] : 0),
                                         ad_wrap_mul(in_off, sums[j]));
                }
            }
            ad_mve_requantize(acc, 4, mult, shift, quant->output_zero_point, quant->activation, output + oc);
            continue;
        }
#endif
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
