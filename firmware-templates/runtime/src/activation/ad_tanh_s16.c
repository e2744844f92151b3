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
    if (quant == NULL || size < 0 || input == NULL || output == NULL || quant->input_left_shift < 0 ||
        quant->input_left_shift > 31)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        int32_t v = ad_sigmoid_tanh_s16_input(quant, input[i]);
        uint32_t abs_v = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
        uint32_t uh = abs_v >> 8;
        uint32_t result;
        if (uh >= 255u)
        {
            result = 0xFFFFu << 8;
        }
        else
        {
            uint32_t ua = ad_sigmoid_table[uh];
            uint32_t ub = ad_sigmoid_table[uh + 1u];
            result = (ua << 8) + (abs_v & 0xFFu) * (ub - ua);
        }
        result = v >= 0 ? result - (1u << 23) + (1u << 7) : (1u << 23) - result + (1u << 7) - 1u;
        /* An arithmetic shift of the signed result, as TFLite does. */
        output[i] = (int16_t)((int32_t)result >> 8);
    }
    return AD_OK;
}
