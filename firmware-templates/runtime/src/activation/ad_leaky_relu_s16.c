/*
 * autodeploy runtime: quantised LEAKY_RELU (int16_t), see ad_leaky_relu_common.h.
 */
#include "ad_runtime.h"

#include "ad_leaky_relu_common.h"

ad_status ad_leaky_relu_s16(const ad_context *ctx,
                           const ad_leaky_relu_quant *quant,
                           int32_t size,
                           const int16_t *input,
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
        output[i] = (int16_t)ad_leaky_relu_core(input[i], quant, -32768, 32767);
    }
    return AD_OK;
}
