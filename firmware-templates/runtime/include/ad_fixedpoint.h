/*
 * autodeploy runtime: fixed-point transcendental functions (static inline),
 * used by SOFTMAX, LOGISTIC and TANH.
 *
 * Raw int32 values in Q(integer_bits).(31 - integer_bits) format, following
 * gemmlowp's algorithms as TFLite Micro uses them: exp on [-1/4, 0) by a
 * Taylor expansion around -1/8, exp on negative values by a barrel of
 * e^(-2^k) factors, 1/(1+x) by Newton-Raphson. Every overflow wraps (unsigned
 * arithmetic), as the x86-64 host build of TFLite Micro does.
 */
#ifndef AD_FIXEDPOINT_H
#define AD_FIXEDPOINT_H

#include "ad_quant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* round(value * 2^(31 - integer_bits)) of a few constants. */
#define AD_FP_EXP_MINUS_1_8_Q0 1895147668      /* e^(-1/8) */
#define AD_FP_ONE_THIRD_Q0 715827883           /* 1/3 */
#define AD_FP_48_OVER_17_Q2 1515870810         /* 48/17 */
#define AD_FP_MINUS_32_OVER_17_Q2 (-1010580540) /* -32/17 */

/** Number of leading zero bits of x (32 for 0). */
static inline int32_t ad_clz_u32(uint32_t x)
{
    int32_t n = 0;
    if (x == 0u)
    {
        return 32;
    }
    while ((x & 0x80000000u) == 0u)
    {
        x <<= 1;
        n++;
    }
    return n;
}

/** Changes the number of integer bits of x from src_bits to dst_bits. */
static inline int32_t ad_fp_rescale(int32_t x, int32_t src_bits, int32_t dst_bits)
{
    return ad_saturating_rounding_mul_by_pot(x, src_bits - dst_bits);
}

/** (a + b) / 2 rounded to nearest, ties away from zero. */
static inline int32_t ad_fp_rounding_half_sum(int32_t a, int32_t b)
{
    int64_t sum = (int64_t)a + (int64_t)b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/** e^a for a in [-1/4, 0), Q0.31 in and out. */
static inline int32_t ad_fp_exp_on_interval(int32_t a)
{
    int32_t x = ad_wrap_add(a, 1 << 28);
    int32_t x2 = ad_srdhm(x, x);
    int32_t x3 = ad_srdhm(x2, x);
    int32_t x4 = ad_srdhm(x2, x2);
    int32_t x4_over_4 = ad_rounding_divide_by_pot(x4, 2);
    int32_t poly = ad_rounding_divide_by_pot(
        ad_wrap_add(ad_srdhm(ad_wrap_add(x4_over_4, x3), AD_FP_ONE_THIRD_Q0), x2), 1);
    return ad_wrap_add(AD_FP_EXP_MINUS_1_8_Q0, ad_srdhm(AD_FP_EXP_MINUS_1_8_Q0, ad_wrap_add(x, poly)));
}

/** e^a for a <= 0 with integer_bits integer bits (1..=12); result Q0.31. */
static inline int32_t ad_fp_exp_on_negative_values(int32_t a, int32_t integer_bits)
{
    static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    int32_t frac_bits = 31 - integer_bits;
    int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
    int32_t mask = one_quarter - 1;
    int32_t a_mod_quarter_minus_one_quarter = ad_wrap_sub(a & mask, one_quarter);
    int32_t result = ad_fp_exp_on_interval(ad_fp_rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
    int32_t remainder = ad_wrap_sub(a_mod_quarter_minus_one_quarter, a);
    int32_t k;
    for (k = -2; k <= 4; k++)
    {
        if (integer_bits > k)
        {
            int32_t bit = frac_bits + k;
            if ((remainder & ad_wrap_shl(1, bit)) != 0)
            {
                result = ad_srdhm(result, barrel[k + 2]);
            }
        }
    }
    if (integer_bits > 5)
    {
        int32_t clamp = -((int32_t)1 << (36 - integer_bits));
        if (a < clamp)
        {
            result = 0;
        }
    }
    if (a == 0)
    {
        result = INT32_MAX;
    }
    return result;
}

/** Newton-Raphson towards 1 / (2 * half_denominator), Q2.29. */
static inline int32_t ad_fp_newton_reciprocal_q2(int32_t half_denominator)
{
    int32_t one_q2 = 1 << 29;
    int32_t x = ad_wrap_add(AD_FP_48_OVER_17_Q2, ad_srdhm(half_denominator, AD_FP_MINUS_32_OVER_17_Q2));
    int i;
    for (i = 0; i < 3; i++)
    {
        int32_t half_denominator_times_x = ad_srdhm(half_denominator, x);
        int32_t one_minus = ad_wrap_sub(one_q2, half_denominator_times_x);
        x = ad_wrap_add(x, ad_fp_rescale(ad_srdhm(x, one_minus), 4, 2));
    }
    return x;
}

/** 1 / (1 + a) for a in [0, 1], Q0.31 in and out. */
static inline int32_t ad_fp_one_over_one_plus_x(int32_t a)
{
    int32_t x = ad_fp_newton_reciprocal_q2(ad_fp_rounding_half_sum(a, INT32_MAX));
    return ad_fp_rescale(x, 1, 0);
}

/** (1 - a) / (1 + a) for a in [0, 1], Q0.31 in and out. */
static inline int32_t ad_fp_one_minus_x_over_one_plus_x(int32_t a)
{
    int32_t x = ad_fp_newton_reciprocal_q2(ad_fp_rounding_half_sum(a, INT32_MAX));
    return ad_fp_rescale(ad_wrap_sub(x, 1 << 29), 2, 0);
}

/** Logistic of a raw value with integer_bits integer bits; result Q0.31. */
static inline int32_t ad_fp_logistic(int32_t a, int32_t integer_bits)
{
    int32_t abs_input;
    int32_t positive;
    if (a == 0)
    {
        return 1 << 30;
    }
    abs_input = a > 0 ? a : ad_wrap_neg(a);
    positive = ad_fp_one_over_one_plus_x(ad_fp_exp_on_negative_values(ad_wrap_neg(abs_input), integer_bits));
    return a > 0 ? positive : ad_wrap_sub(INT32_MAX, positive);
}

/** tanh of a raw value with integer_bits integer bits; result Q0.31. */
static inline int32_t ad_fp_tanh(int32_t a, int32_t integer_bits)
{
    int32_t non_positive;
    int32_t t;
    if (a == 0)
    {
        return 0;
    }
    non_positive = a < 0 ? a : ad_wrap_neg(a);
    t = ad_fp_one_minus_x_over_one_plus_x(ad_fp_exp_on_negative_values(non_positive, integer_bits + 1));
    return a < 0 ? ad_wrap_neg(t) : t;
}

/**
 * Reciprocal of a positive x with x_integer_digits integer bits: returns Q0.31
 * 1 / (x / 2^num_bits_over_unit), and num_bits_over_unit through the pointer.
 */
static inline int32_t ad_fp_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit)
{
    int32_t headroom_plus_one = ad_clz_u32((uint32_t)x);
    int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)x << ((uint32_t)headroom_plus_one & 31u)) - 0x80000000u);
    if (headroom_plus_one >= 32)
    {
        shifted_sum_minus_one = (int32_t)(0u - 0x80000000u);
    }
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    return ad_fp_one_over_one_plus_x(shifted_sum_minus_one);
}

#ifdef __cplusplus
}
#endif

#endif /* AD_FIXEDPOINT_H */
