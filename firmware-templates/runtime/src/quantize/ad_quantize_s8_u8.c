/*
 * autodeploy runtime: QUANTIZE int8 -> uint8 (the last layer of streaming
 * wake-word models): the same requantisation as ad_quantize_s8_s8, clamped
 * to 0..255.
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_quantize_s8_u8(const ad_context *ctx,
                            const ad_requant *quant,
                            int32_t size,
                            const int8_t *input,
                            uint8_t *output)
{
    int32_t i;
    (void)ctx;
    if (quant == NULL || size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        int32_t v = ad_wrap_add(ad_requantize(ad_wrap_sub(input[i], quant->input_zero_point), quant->multiplier,
                                              quant->shift),
                                quant->output_zero_point);
        output[i] = (uint8_t)ad_clamp_i32(v, 0, UINT8_MAX);
    }
    return AD_OK;
}
