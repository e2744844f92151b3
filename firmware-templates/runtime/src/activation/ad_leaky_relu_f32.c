/*
 * autodeploy runtime: float32 LEAKY_RELU: x > 0 ? x : x * alpha.
 */
#include "ad_runtime.h"

ad_status ad_leaky_relu_f32(const ad_context *ctx, float alpha, int32_t size, const float *input, float *output)
{
    int32_t i;
    (void)ctx;
    if (size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        float x = input[i];
        output[i] = x > 0.0f ? x : x * alpha;
    }
    return AD_OK;
}
