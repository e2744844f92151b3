/*
 * autodeploy runtime: input rescaling shared by int16 LOGISTIC and TANH (internal).
 */
#ifndef AD_SIGMOID_TANH_S16_H
#define AD_SIGMOID_TANH_S16_H

#include "ad_internal.h"
#include "ad_sigmoid_table.h"

/* The input on the table's scale: a multiply (3 << shift for a power-of-two
 * input scale) and a rounding right shift, in wrapping 32-bit arithmetic. */
static inline int32_t ad_sigmoid_tanh_s16_input(const ad_sigmoid_tanh_s16_quant *q, int16_t x)
{
    uint32_t mult = (uint32_t)q->input_multiplier;
    int32_t shift = q->input_left_shift;
    uint32_t round;
    if (mult == 0u)
    {
        mult = 3u << (uint32_t)shift;
        shift = 0;
    }
    round = shift > 0 ? 1u << (uint32_t)(shift - 1) : 0u;
    return (int32_t)((uint32_t)(int32_t)x * mult + round) >> shift;
}

#endif /* AD_SIGMOID_TANH_S16_H */
