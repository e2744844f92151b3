/*
 * autodeploy runtime: DEQUANTIZE uint8 -> float32: scale * (x - zero_point)
 * computed in double and narrowed, as TFLite Micro does.
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_dequantize_u8_f32(const ad_context *ctx,
                              float scale,
                              int32_t zero_point,
                              int32_t size,
                              const uint8_t *input,
                              float *output)
{
    int32_t i;
    (void)ctx;
    if (size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        output[i] = (float)((double)scale * (double)ad_wrap_sub(input[i], zero_point));
    }
    return AD_OK;
}
