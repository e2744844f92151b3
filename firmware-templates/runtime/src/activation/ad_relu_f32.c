/*
 * autodeploy runtime: float32 RELU (x < 0 ? 0 : x).
 */
#include "ad_runtime.h"

ad_status ad_relu_f32(const ad_context *ctx, int32_t size, const float *input, float *output)
{
    int32_t i;
    (void)ctx;
    if (size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        output[i] = input[i] < 0.0f ? 0.0f : input[i];
    }
    return AD_OK;
}
