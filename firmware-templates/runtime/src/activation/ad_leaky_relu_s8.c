/*
 * autodeploy runtime: quantised LEAKY_RELU (int8_t), see ad_leaky_relu_common.h.
 */
#include "ad_runtime.h"

#include "ad_leaky_relu_common.h"

ad_status ad_leaky_relu_s8(const ad_context *ctx,
                           const ad_leaky_relu_quant *quant,
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
        output[i] = (int8_t)ad_leaky_relu_core(input[i], quant, -128, 127);
    }
    return AD_OK;
}
