/*
 * autodeploy runtime: QUANTIZE int16_t -> int32 ("requantize"): (x - in_zp)
 * rescaled with the double-rounding 32-bit multiply, plus out_zp (wrapping).
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_quantize_s16_s32(const ad_context *ctx,
                            const ad_requant *quant,
                            int32_t size,
                            const int16_t *input,
                            int32_t *output)
{
    int32_t i;
    (void)ctx;
    if (quant == NULL || size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        output[i] = ad_wrap_add(
            ad_requantize(ad_wrap_sub(input[i], quant->input_zero_point), quant->multiplier, quant->shift),
            quant->output_zero_point);
    }
    return AD_OK;
}
