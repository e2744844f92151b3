/*
 * autodeploy runtime: int16 LOGISTIC (zero points 0, output scale 2^-15),
 * linear interpolation in the 256-entry sigmoid table with 9 fraction bits.
 */
#include "ad_runtime.h"

#include "ad_sigmoid_tanh_s16.h"

ad_status ad_logistic_s16(const ad_context *ctx,
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
        uint32_t result = ad_sigmoid_table_lookup(v, 9u, 0x7FFFu << 10);
        /* Negative inputs mirror: 1 - sigmoid(|x|), rounding the other way. */
        result = v >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1u;
        output[i] = (int16_t)(result >> 10);
    }
    return AD_OK;
}
