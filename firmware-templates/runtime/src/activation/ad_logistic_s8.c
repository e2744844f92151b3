/*
 * autodeploy runtime: int8 LOGISTIC (output scale 1/256, zero point -128),
 * gemmlowp's fixed-point logistic on a Q4.27 input.
 */
#include "ad_runtime.h"

#include "ad_sigmoid_tanh_common.h"

ad_status ad_logistic_s8(const ad_context *ctx,
                         const ad_sigmoid_tanh_quant *quant,
                         int32_t size,
                         const int8_t *input,
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
        int32_t q4 = 0;
        int side = ad_sigmoid_tanh_input(quant, input[i], &q4);
        if (side < 0)
        {
            output[i] = INT8_MIN;
        }
        else if (side > 0)
        {
            output[i] = INT8_MAX;
        }
        else
        {
            int32_t out = ad_rounding_divide_by_pot(ad_fp_logistic(q4, 4), 31 - 8);
            output[i] = (int8_t)ad_clamp_i32(ad_wrap_sub(out, 128), -128, 127);
        }
    }
    return AD_OK;
}
