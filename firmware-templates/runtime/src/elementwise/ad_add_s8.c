/*
 * autodeploy runtime: int8 ADD with broadcasting (TFLite's two-stage rescaling: both inputs
 * shifted left by left_shift and rescaled, summed, rescaled to the output).
 */
#include "ad_runtime.h"

#include "ad_broadcast.h"

ad_status ad_add_s8(const ad_context *ctx,
                    const ad_add_quant *quant,
                    const ad_shape *input1_shape,
                    const int8_t *input1,
                    const ad_shape *input2_shape,
                    const int8_t *input2,
                    const ad_shape *output_shape,
                    int8_t *output)
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
            int32_t x1 = ad_requantize_smaller_than_one(ad_wrap_shl(ad_wrap_sub(a, quant->input1_zero_point), quant->left_shift),
                                                        quant->input1_multiplier, quant->input1_shift);
            int32_t x2 = ad_requantize_smaller_than_one(ad_wrap_shl(ad_wrap_sub(c, quant->input2_zero_point), quant->left_shift),
                                                        quant->input2_multiplier, quant->input2_shift);
            int32_t v = ad_wrap_add(
                ad_requantize_smaller_than_one(ad_wrap_add(x1, x2), quant->output_multiplier, quant->output_shift),
                quant->output_zero_point);
            output[b.pos + i] = (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max);
        }
    } while (ad_broadcast_next(&b));
    return AD_OK;
}
