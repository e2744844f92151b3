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

static inline int ad_sigmoid_tanh_s16_args_ok(const ad_sigmoid_tanh_s16_quant *q, int32_t size, const int16_t *input,
                                              const int16_t *output)
{
    return q != NULL && size >= 0 && input != NULL && output != NULL && q->input_left_shift >= 0 &&
           q->input_left_shift <= 31;
}

/* |v| interpolated in the table with frac_bits fraction bits (9 for
 * LOGISTIC, 8 for TANH), or `saturated` past its last segment. */
static inline uint32_t ad_sigmoid_table_lookup(int32_t v, uint32_t frac_bits, uint32_t saturated)
{
    uint32_t abs_v = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    uint32_t uh = abs_v >> frac_bits;
    uint32_t ua;
    uint32_t ub;
    if (uh >= 255u)
    {
        return saturated;
    }
    ua = ad_sigmoid_table[uh];
    ub = ad_sigmoid_table[uh + 1u];
    return (ua << frac_bits) + (abs_v & ((1u << frac_bits) - 1u)) * (ub - ua);
}

#endif /* AD_SIGMOID_TANH_S16_H */
