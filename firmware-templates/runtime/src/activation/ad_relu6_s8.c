/*
 * autodeploy runtime: int8 RELU6: clamps stored values to [zero, six] without
 * requantising (TFLite Micro's behaviour, even when the output quantisation
 * differs from the input's). Both bounds are truncated to int8.
 */
#include "ad_runtime.h"

#include "ad_internal.h"

ad_status ad_relu6_s8(const ad_context *ctx, const ad_relu6_quant *quant, int32_t size, const int8_t *input,
                      int8_t *output)
{
    int32_t i, lo, hi;
    (void)ctx;
    if (quant == NULL || size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    lo = ad_trunc_s8(quant->zero);
    hi = ad_trunc_s8(quant->six);
    for (i = 0; i < size; i++)
    {
        int32_t x = input[i];
        output[i] = (int8_t)(x > hi ? hi : (x < lo ? lo : x));
    }
    return AD_OK;
}
