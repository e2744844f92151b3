/*
 * autodeploy runtime: int16 TANH (zero points 0, output scale 2^-15) as
 * 2 * sigmoid(2x) - 1, interpolating the sigmoid table with 8 fraction bits.
 */
#include "ad_runtime.h"

#include "ad_sigmoid_tanh_s16.h"

ad_status ad_tanh_s16(const ad_context *ctx,
                      const ad_sigmoid_tanh_s16_quant *quant,
                      int32_t size,
                      const int16_t *input,
                      int16_t *output)
{
    int32_t i;
    (void)ctx;
    if (!ad_sigmoid_tanh_s16_args_ok(quant, size, input, output))
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        int32_t v = ad_sigmoid_tanh_s16_input(quant, input[i]);
        uint32_t result = ad_sigmoid_table_lookup(v, 8u, 0xFFFFu << 8);
        result = v >= 0 ? result - (1u << 23) + (1u << 7) : (1u << 23) - result + (1u << 7) - 1u;
        /* An arithmetic shift of the signed result, as TFLite does. */
        output[i] = (int16_t)((int32_t)result >> 8);
    }
    return AD_OK;
}
