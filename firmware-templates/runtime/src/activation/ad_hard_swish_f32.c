/*
 * autodeploy runtime: float32 HARD_SWISH: x * min(max(x + 3, 0), 6) / 6.
 */
#include "ad_runtime.h"

ad_status ad_hard_swish_f32(const ad_context *ctx, int32_t size, const float *input, float *output)
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
        float y = x + 3.0f;
        float relu = 0.0f < y ? y : 0.0f;
        float relu6 = relu < 6.0f ? relu : 6.0f;
        output[i] = x * relu6 / 6.0f;
    }
    return AD_OK;
}
