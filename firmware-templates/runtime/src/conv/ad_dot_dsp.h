/*
 * autodeploy runtime: int8 dot products for the *_dsp_* kernels (internal).
 *
 * sum((x[i] + offset) * w[i]) with the portable kernels' wrapping int32
 * accumulator. On cores with the Armv7E-M DSP extension four MACs take two
 * 32-bit loads per operand stream, SXTB16 to widen, SADD16 to add the offset
 * (x + offset lies in -255..255, so 16-bit lanes never wrap) and two SMLADs
 * (whose 32-bit sum wraps exactly like the portable accumulator). Elsewhere
 * the same sums are computed in plain C.
 */
#ifndef AD_DOT_DSP_H
#define AD_DOT_DSP_H

#include <string.h>

#include "ad_internal.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define AD_DOT_DSP 1
#else
#define AD_DOT_DSP 0
#endif

static inline int32_t ad_dot_scalar_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t offset, int32_t acc)
{
    int32_t i;
    for (i = 0; i < n; i++)
    {
        acc = ad_wrap_add(acc, ad_wrap_mul(ad_wrap_add(x[i], offset), w[i]));
    }
    return acc;
}

#if AD_DOT_DSP
static inline int32_t ad_load4(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline int32_t ad_ror8(int32_t v)
{
    int32_t u = (uint32_t)v;
    return (int32_t)((u >> 8) | (u << 24));
}
#endif

/* Two dot products over the same x: acc[0] += x.w0, acc[1] += x.w1. */
static inline void ad_dot2_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t offset,
                              int32_t acc[2])
{
    int32_t i = 0;
    int32_t a0 = acc[0], a1 = acc[1];
#if AD_DOT_DSP
    int32_t off2 = (int32_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
    for (; i + 4 <= n; i += 4)
    {
        int32_t xv = ad_load4(x + i);
        int32_t u0 = ad_load4(w0 + i);
        int32_t u1 = ad_load4(w1 + i);
        int16x2_t xe = __sadd16(__sxtb16(xv), off2);
        int16x2_t xo = __sadd16(__sxtb16(ad_ror8(xv)), off2);
        a0 = __smlad(xe, __sxtb16(u0), a0);
        a0 = __smlad(xo, __sxtb16(ad_ror8(u0)), a0);
        a1 = __smlad(xe, __sxtb16(u1), a1);
        a1 = __smlad(xo, __sxtb16(ad_ror8(u1)), a1);
    }
#endif
    acc[0] = ad_dot_scalar_s8(x + i, w0 + i, n - i, offset, a0);
    acc[1] = ad_dot_scalar_s8(x + i, w1 + i, n - i, offset, a1);
}

/* acc + x.w */
static inline int32_t ad_dot_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t offset, int32_t acc)
{
    int32_t i = 0;
#if AD_DOT_DSP
    int32_t off2 = (int32_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
    for (; i + 4 <= n; i += 4)
    {
        int32_t xv = ad_load4(x + i);
        int32_t u = ad_load4(w + i);
        acc = __smlad(__sadd16(__sxtb16(xv), off2), __sxtb16(u), acc);
        acc = __smlad(__sadd16(__sxtb16(ad_ror8(xv)), off2), __sxtb16(ad_ror8(u)), acc);
    }
#endif
    return ad_dot_scalar_s8(x + i, w + i, n - i, offset, acc);
}

#endif /* AD_DOT_DSP_H */
