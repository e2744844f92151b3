/*
 * autodeploy runtime: int8 BATCH_MATMUL: sum((lhs - lhs_zp) * (rhs - rhs_zp))
 * in 32 bits (wrapping), one double-rounding rescale, + output_zp, clamped to
 * int8 (no fused activation). Output [batch..., rows, cols], row-major.
 */
#include "ad_runtime.h"

#include "ad_batch_matmul_common.h"

ad_status ad_batch_matmul_s8(const ad_context *ctx,
                             const ad_batch_matmul_params *params,
                             const ad_batch_matmul_quant *quant,
                             const ad_shape *lhs_shape,
                             const int8_t *lhs,
                             const ad_shape *rhs_shape,
                             const int8_t *rhs,
                             int8_t *output)
{
    ad_bmm_plan p;
    size_t o = 0;
    int32_t b0, b1, b2, i, j, k;
    (void)ctx;
    if (params == NULL || quant == NULL || lhs == NULL || rhs == NULL || output == NULL ||
        !ad_bmm_make_plan(params, lhs_shape, rhs_shape, &p))
    {
        return AD_ERR_ARG;
    }
    for (b0 = 0; b0 < p.batch[0]; b0++)
    {
        for (b1 = 0; b1 < p.batch[1]; b1++)
        {
            for (b2 = 0; b2 < p.batch[2]; b2++)
            {
                size_t lb = (size_t)b0 * p.lhs_batch_strides[0] + (size_t)b1 * p.lhs_batch_strides[1] +
                            (size_t)b2 * p.lhs_batch_strides[2];
                size_t rb = (size_t)b0 * p.rhs_batch_strides[0] + (size_t)b1 * p.rhs_batch_strides[1] +
                            (size_t)b2 * p.rhs_batch_strides[2];
                for (i = 0; i < p.rows; i++)
                {
                    for (j = 0; j < p.cols; j++)
                    {
                        int32_t acc = 0;
                        int32_t v;
                        for (k = 0; k < p.depth; k++)
                        {
                            int32_t a = lhs[lb + (size_t)i * p.lhs_row_stride + (size_t)k * p.lhs_depth_stride];
                            int32_t b = rhs[rb + (size_t)k * p.rhs_depth_stride + (size_t)j * p.rhs_col_stride];
                            acc = ad_wrap_add(acc, ad_wrap_mul(ad_wrap_sub(a, quant->lhs_zero_point),
                                                               ad_wrap_sub(b, quant->rhs_zero_point)));
                        }
                        v = ad_wrap_add(ad_requantize(acc, quant->multiplier, quant->shift),
                                        quant->output_zero_point);
                        output[o++] = (int8_t)ad_clamp_i32(v, INT8_MIN, INT8_MAX);
                    }
                }
            }
        }
    }
    return AD_OK;
}
