/*
 * autodeploy runtime: float32 SOFTMAX: exp((x - max) * beta) with expf, then
 * divided by the float sum accumulated in row order.
 */
#include <math.h>

#include "ad_runtime.h"

ad_status ad_softmax_f32(const ad_context *ctx,
                         float beta,
                         int32_t num_rows,
                         int32_t row_size,
                         const float *input,
                         float *output)
{
    int32_t r, i;
    (void)ctx;
    if (num_rows < 0 || row_size < 1 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (r = 0; r < num_rows; r++)
    {
        const float *row = input + (size_t)r * row_size;
        float *out = output + (size_t)r * row_size;
        float max = -3.40282347e+38f;
        float sum = 0.0f;
        for (i = 0; i < row_size; i++)
        {
            if (max < row[i])
            {
                max = row[i];
            }
        }
        for (i = 0; i < row_size; i++)
        {
            float e = expf((row[i] - max) * beta);
            out[i] = e;
            sum += e;
        }
        for (i = 0; i < row_size; i++)
        {
            out[i] /= sum;
        }
    }
    return AD_OK;
}
