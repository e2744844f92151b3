/*
 * autodeploy runtime: float32 RELU6 (clamp to [0, 6]).
 */
#include "ad_runtime.h"

ad_status ad_relu6_f32(const ad_context *ctx, int32_t size, const float *input, float *output)
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
        output[i] = x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    }
    return AD_OK;
}
