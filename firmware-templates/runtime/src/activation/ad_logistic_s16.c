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
    if (quant == NULL || size < 0 || input == NULL || output == NULL || quant->input_left_shift < 0 ||
        quant->input_left_shift > 31)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        int32_t v = ad_sigmoid_tanh_s16_input(quant, input[i]);
        uint32_t abs_v = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
        uint32_t uh = abs_v >> 9;
        uint32_t result;
        if (uh >= 255u)
        {
            result = 0x7FFFu << 10;
        }
        else
        {
            uint32_t ua = ad_sigmoid_table[uh];
            uint32_t ub = ad_sigmoid_table[uh + 1u];
            result = (ua << 9) + (abs_v & 0x1FFu) * (ub - ua);
        }
        /* Negative inputs mirror: 1 - sigmoid(|x|), rounding the other way. */
        result = v >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1u;
        output[i] = (int16_t)(result >> 10);
    }
    return AD_OK;
}
