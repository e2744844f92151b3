/*
 * autodeploy runtime: shared fixed-point helpers (all static inline).
 *
 * These reproduce TensorFlow Lite Micro's host build bit for bit:
 * - a 32-bit accumulator is rescaled with two roundings: a rounding doubling
 *   high multiply by a Q0.31 multiplier (ties towards +infinity), then a
 *   rounding right shift (ties away from zero);
 * - a 64-bit accumulator (16x8 kernels) first rounds the multiplier to 16 bits,
 *   then shifts once with round-half-up;
 * - where C++ would overflow a signed integer, TFLite's host build wraps; these
 *   helpers wrap too, but compute in unsigned arithmetic so that no C undefined
 *   behaviour is involved. Right shifts of negative values are arithmetic on
 *   every compiler we target (gcc, clang, arm-none-eabi-gcc).
 */
#ifndef AD_QUANT_H
#define AD_QUANT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Two's complement wrapping a + b. */
static inline int32_t ad_wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

/** Two's complement wrapping a - b. */
static inline int32_t ad_wrap_sub(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/** Two's complement wrapping a * b. */
static inline int32_t ad_wrap_mul(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a * (uint32_t)b);
}

/** Two's complement wrapping -a. */
static inline int32_t ad_wrap_neg(int32_t a)
{
    return (int32_t)(0u - (uint32_t)a);
}

/** Wrapping a << (s & 31), i.e. C's a * (1 << s) on a two's complement machine. */
static inline int32_t ad_wrap_shl(int32_t a, int32_t s)
{
    return (int32_t)((uint32_t)a << ((uint32_t)s & 31u));
}

/** Two's complement wrapping 64-bit a + b. */
static inline int64_t ad_wrap_add64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/** Two's complement wrapping 64-bit a * b. */
static inline int64_t ad_wrap_mul64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static inline int32_t ad_max_i32(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static inline int32_t ad_min_i32(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

/** std::max then std::min: the upper bound wins when the range is empty. */
static inline int32_t ad_clamp_i32(int32_t v, int32_t lo, int32_t hi)
{
    return ad_min_i32(ad_max_i32(v, lo), hi);
}

/** round(a * b / 2^31), ties towards +infinity; MIN * MIN saturates to MAX. */
static inline int32_t ad_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN)
    {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/** 16-bit version of ad_srdhm: round(a * b / 2^15), ties up. */
static inline int16_t ad_srdhm_i16(int16_t a, int16_t b)
{
    int32_t ab;
    int32_t nudge;
    if (a == INT16_MIN && b == INT16_MIN)
    {
        return INT16_MAX;
    }
    ab = (int32_t)a * (int32_t)b;
    nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

/** x / 2^exponent rounded to nearest, ties away from zero; exponent clamped to 0..31. */
static inline int32_t ad_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    int32_t e = ad_clamp_i32(exponent, 0, 31);
    int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (remainder > threshold ? 1 : 0);
}

/**
 * 16-bit version of ad_rounding_divide_by_pot (exponent clamped to 0..31), as
 * gemmlowp computes it on int16_t: the mask (1 << exponent) - 1 is truncated to
 * 16 bits, so from exponent 16 on it is -1 and the result is +1 for x >= 0 and
 * -1 for x < 0.
 */
static inline int16_t ad_rounding_divide_by_pot_i16(int16_t x, int32_t exponent)
{
    int32_t e = ad_clamp_i32(exponent, 0, 31);
    int32_t x32 = x;
    int32_t mask = (int32_t)(((((uint32_t)1 << (uint32_t)e) - 1u) & 0xFFFFu) ^ 0x8000u) - 0x8000;
    int32_t remainder = (int32_t)(int16_t)(x32 & mask);
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    int32_t shifted = x32 >> e;
    return (int16_t)(shifted + (remainder > threshold ? 1 : 0));
}

/** x * 2^exponent: saturating left shift, or rounding right shift when negative. */
static inline int32_t ad_saturating_rounding_mul_by_pot(int32_t x, int32_t exponent)
{
    int32_t e;
    int32_t threshold;
    if (exponent == 0)
    {
        return x;
    }
    if (exponent < 0)
    {
        return ad_rounding_divide_by_pot(x, -exponent);
    }
    e = ad_min_i32(exponent, 31);
    threshold = (int32_t)(((int64_t)1 << (31 - e)) - 1);
    if (x > threshold)
    {
        return INT32_MAX;
    }
    if (x < -threshold)
    {
        return INT32_MIN;
    }
    return ad_wrap_shl(x, e);
}

/**
 * Rescales a 32-bit accumulator by multiplier * 2^(shift - 31) with TFLite's
 * double rounding (MultiplyByQuantizedMultiplier for int32). shift > 0 is a
 * wrapping left shift before the multiply, shift < 0 a rounding right shift after.
 */
static inline int32_t ad_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    return ad_rounding_divide_by_pot(ad_srdhm(ad_wrap_shl(x, left), multiplier), right);
}

/**
 * Rescales a 64-bit accumulator the way TFLite's int64 MultiplyByQuantizedMultiplier
 * does: multiplier rounded to 16 bits ((m + 2^15) >> 16, or 0x7FFF near one), then
 * (x * m16 + 2^(14 - shift)) >> (15 - shift), truncated to 32 bits. For shift in
 * -31..=7 (outside that range the shift amounts wrap modulo 64, as on x86-64).
 */
static inline int32_t ad_requantize_i64(int64_t x, int32_t multiplier, int32_t shift)
{
    int64_t reduced = multiplier < 0x7FFF0000 ? (int64_t)((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    uint32_t total_shift = (uint32_t)(15 - shift);
    int64_t round = (int64_t)((uint64_t)1 << ((total_shift - 1u) & 63u));
    int64_t result = ad_wrap_add64(ad_wrap_mul64(x, reduced), round);
    return (int32_t)(uint32_t)(uint64_t)(result >> (total_shift & 63u));
}

/** Doubling high multiply then a rounding right shift by -left_shift (<= 0). */
static inline int32_t ad_requantize_smaller_than_one(int32_t x, int32_t multiplier, int32_t left_shift)
{
    return ad_rounding_divide_by_pot(ad_srdhm(x, multiplier), -left_shift);
}

/** Wrapping left shift by left_shift (>= 0) then a doubling high multiply. */
static inline int32_t ad_requantize_greater_than_one(int32_t x, int32_t multiplier, int32_t left_shift)
{
    return ad_srdhm(ad_wrap_shl(x, left_shift), multiplier);
}

#ifdef __cplusplus
}
#endif

#endif /* AD_QUANT_H */
