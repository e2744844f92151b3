/*
 * autodeploy runtime: QUANTIZE 8-bit -> 16-bit ("requantize"): (x - in_zp)
 * rescaled with the double-rounding 32-bit multiply, plus out_zp, clamped.
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_quantize_s8_s16(const ad_context *ctx,
                            const ad_requant *quant,
                            int32_t size,
                            const int8_t *input,
                            int16_t *output)
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
        output[i] = (int16_t)ad_clamp_i32(v, INT16_MIN, INT16_MAX);
    }
    return AD_OK;
}
