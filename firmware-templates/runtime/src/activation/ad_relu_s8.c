/*
 * autodeploy runtime: int8 RELU: (x - in_zp) requantised to the output scale,
 * + out_zp, clamped to quant->activation ([max(-128, out_zp), 127]).
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_relu_s8(const ad_context *ctx, const ad_relu_quant *quant, int32_t size, const int8_t *input,
                     int8_t *output)
{
    int32_t i;
    (void)ctx;
    if (quant == NULL || size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        const ad_requant *r = &quant->requant;
        int32_t v = ad_wrap_add(r->output_zero_point,
                                ad_requantize(ad_wrap_sub(input[i], r->input_zero_point), r->multiplier, r->shift));
        output[i] = (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
    }
    return AD_OK;
}
