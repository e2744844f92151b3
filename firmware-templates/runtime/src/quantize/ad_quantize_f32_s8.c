/*
 * autodeploy runtime: QUANTIZE float32 -> 8-bit: round(x / scale) + zero_point
 * (division and half-away-from-zero rounding in float; NaN and out-of-range
 * values convert to INT32_MIN as on the x86-64 host), clamped to the type.
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_quantize_f32_s8(const ad_context *ctx,
                            float scale,
                            int32_t zero_point,
                            int32_t size,
                            const float *input,
                            int8_t *output)
{
    int32_t i;
    (void)ctx;
    if (size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        int32_t v = ad_wrap_add(ad_round_f32_to_i32(input[i] / scale), zero_point);
        output[i] = (int8_t)ad_clamp_i32(v, INT8_MIN, INT8_MAX);
    }
    return AD_OK;
}
