/*
 * autodeploy runtime: int16 MUL with broadcasting (zero points must be 0 in TFLite Micro).
 */
#include "ad_runtime.h"

#include "ad_broadcast.h"

ad_status ad_mul_s16(const ad_context *ctx,
                     const ad_mul_quant *quant,
                     const ad_shape *input1_shape,
                     const int16_t *input1,
                     const ad_shape *input2_shape,
                     const int16_t *input2,
                     const ad_shape *output_shape,
                     int16_t *output)
{
    ad_broadcast b;
    int32_t i;
    ad_status status;

    (void)ctx;
    status = ad_broadcast_init(&b, input1_shape, input2_shape, output_shape);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input1 == NULL || input2 == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    if (b.count == 0)
    {
        return AD_OK;
    }
    do
    {
        for (i = 0; i < b.inner; i++)
        {
            const int32_t a = input1[b.off1 + i * b.inner1];
            const int32_t c = input2[b.off2 + i * b.inner2];
            int32_t prod = ad_wrap_mul(ad_wrap_sub(a, quant->input1_zero_point), ad_wrap_sub(c, quant->input2_zero_point));
            int32_t v = ad_wrap_add(ad_requantize(prod, quant->output_multiplier, quant->output_shift),
                                    quant->output_zero_point);
            output[b.pos + i] = (int16_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
        }
    } while (ad_broadcast_next(&b));
    return AD_OK;
}
