/*
 * autodeploy runtime: float32 BATCH_MATMUL: products summed in depth order.
 */
#include "ad_runtime.h"

#include "ad_batch_matmul_common.h"

ad_status ad_batch_matmul_f32(const ad_context *ctx,
                              const ad_batch_matmul_params *params,
                              const ad_shape *lhs_shape,
                              const float *lhs,
                              const ad_shape *rhs_shape,
                              const float *rhs,
                              float *output)
{
    ad_bmm_plan p;
    size_t o = 0;
    int32_t b0, b1, b2, i, j, k;
    (void)ctx;
    if (params == NULL || lhs == NULL || rhs == NULL || output == NULL ||
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
                        float acc = 0.0f;
                        for (k = 0; k < p.depth; k++)
                        {
                            acc += lhs[lb + (size_t)i * p.lhs_row_stride + (size_t)k * p.lhs_depth_stride] *
                                   rhs[rb + (size_t)k * p.rhs_depth_stride + (size_t)j * p.rhs_col_stride];
                        }
                        output[o++] = acc;
                    }
                }
            }
        }
    }
    return AD_OK;
}
