/*
 * autodeploy runtime: int8 TANH (output scale 1/128, zero point 0), gemmlowp's
 * fixed-point tanh on a Q4.27 input.
 */
#include "ad_runtime.h"

#include "ad_sigmoid_tanh_common.h"

ad_status ad_tanh_s8(const ad_context *ctx,
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
            output[i] = (int8_t)ad_clamp_i32(ad_rounding_divide_by_pot(ad_fp_tanh(q4, 4), 31 - 7), -128, 127);
        }
    }
    return AD_OK;
}
