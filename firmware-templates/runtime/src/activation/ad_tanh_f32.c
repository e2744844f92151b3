/*
 * autodeploy runtime: float32 TANH (tanhf from libm).
 */
#include <math.h>

#include "ad_runtime.h"

ad_status ad_tanh_f32(const ad_context *ctx, int32_t size, const float *input, float *output)
{
    int32_t i;
    (void)ctx;
    if (size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        output[i] = tanhf(input[i]);
    }
    return AD_OK;
}
