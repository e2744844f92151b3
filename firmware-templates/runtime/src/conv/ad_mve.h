/*
 * autodeploy runtime: Helium (MVE) building blocks for the *_mve_* kernels
 * (internal): int8 dot products of four filter rows at a time and the
 * per-channel requantisation, 4 channels per instruction. Without MVE the same
 * values are computed in plain C, so a wrong core costs speed only.
 *
 * Input zero point: sum((x + offset) * w) = sum(x * w) + offset * sum(w), so the
 * kernels add offset * sum(w) to the bias once per call (ad_mve_fold_bias) and
 * the inner loops multiply raw int8 values, 16 per VMLADAVA. Every sum wraps
 * modulo 2^32 like the portable accumulator, so the order does not matter.
 *
 * Requantisation, exact with ad_requantize: VQRDMULH is SaturatingRounding-
 * DoublingHighMul (round half up, MIN * MIN saturates; the multiplier is never
 * MIN). VRSHL rounds half up, the reference's divide by 2^e rounds half away
 * from zero: subtracting 1 from negative values first (saturating, only when
 * e > 0) turns one into the other.
 */
#ifndef AD_MVE_H
#define AD_MVE_H

#include <string.h>

#include "ad_internal.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#define AD_MVE 1
#else
#define AD_MVE 0
#endif

/* Largest output depth and filter window (k_h * k_w * depth bytes) the kernels keep on the stack. */
#define AD_MVE_MAX_CHANNELS 512
#define AD_MVE_MAX_WINDOW 2304

/*
 * out[j] = bias[j] + dot(x, w + j * stride) over n bytes, for j < rows (1..4):
 * whole 16-byte chunks unpredicated, one predicated tail.
 */
static inline void ad_mve_dot_rows(const int8_t *x, const int8_t *w, int32_t stride, int32_t n, int32_t rows,
                                   const int32_t *bias, int32_t *out)
{
#if AD_MVE
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const int8_t *w1 = w + (rows > 1 ? stride : 0);
    const int8_t *w2 = w + (rows > 2 ? 2 * stride : 0);
    const int8_t *w3 = w + (rows > 3 ? 3 * stride : 0);
    int32_t i;
    for (i = 0; i + 16 <= n; i += 16)
    {
        int8x16_t xv = vldrbq_s8(x + i);
        a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w + i));
        a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1 + i));
        a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2 + i));
        a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3 + i));
    }
    if (i < n)
    {
        mve_pred16_t p = vctp8q((uint32_t)(n - i));
        int8x16_t xv = vldrbq_z_s8(x + i, p);
        a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w + i, p));
        a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w1 + i, p));
        a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w2 + i, p));
        a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w3 + i, p));
    }
    out[0] = ad_wrap_add(bias[0], a0);
    if (rows > 1)
    {
        out[1] = ad_wrap_add(bias[1], a1);
    }
    if (rows > 2)
    {
        out[2] = ad_wrap_add(bias[2], a2);
    }
    if (rows > 3)
    {
        out[3] = ad_wrap_add(bias[3], a3);
    }
#else
    int32_t j, i;
    for (j = 0; j < rows; j++)
    {
        int32_t a = bias[j];
        for (i = 0; i < n; i++)
        {
            a = ad_wrap_add(a, ad_wrap_mul(x[i], w[(size_t)j * stride + i]));
        }
        out[j] = a;
    }
#endif
}

/* memcpy of n bytes (n >= 0), 16 per tail-predicated pass: no call, no alignment cases. */
static inline void ad_mve_copy(int8_t *dst, const int8_t *src, int32_t n)
{
#if AD_MVE
    __asm__ volatile("wlstp.8 lr, %[n], 2f\n"
                     "1:\n"
                     "vldrb.8 q0, [%[src]], #16\n"
                     "vstrb.8 q0, [%[dst]], #16\n"
                     "letp lr, 1b\n"
                     "2:\n"
                     : [dst] "+r"(dst), [src] "+r"(src)
                     : [n] "r"(n)
                     : "q0", "lr", "memory");
#else
    memcpy(dst, src, (size_t)n);
#endif
}

/* memset of n bytes (n >= 0) to value, 16 per tail-predicated pass. */
static inline void ad_mve_fill(int8_t *dst, int8_t value, int32_t n)
{
#if AD_MVE
    int8x16_t v = vdupq_n_s8(value);
    __asm__ volatile("wlstp.8 lr, %[n], 2f\n"
                     "1:\n"
                     "vstrb.8 %q[v], [%[dst]], #16\n"
                     "letp lr, 1b\n"
                     "2:\n"
                     : [dst] "+r"(dst)
                     : [n] "r"(n), [v] "w"(v)
                     : "lr", "memory");
#else
    memset(dst, value, (size_t)n);
#endif
}

/* out[c] = bias[c] (0 without bias) + offset * sum of the n weights of row c (rows of stride n). */
static inline void ad_mve_fold_bias(const int8_t *w, int32_t n, int32_t rows, const int32_t *bias, int32_t offset,
                                    int32_t *out)
{
    int32_t c, i;
    for (c = 0; c < rows; c++)
    {
        const int8_t *row = w + (size_t)c * n;
        int32_t sum = 0;
#if AD_MVE
        for (i = 0; i + 16 <= n; i += 16)
        {
            sum = vaddvaq_s8(sum, vldrbq_s8(row + i));
        }
        if (i < n)
        {
            mve_pred16_t p = vctp8q((uint32_t)(n - i));
            sum = vaddvaq_p_s8(sum, vldrbq_z_s8(row + i, p), p);
        }
#else
        for (i = 0; i < n; i++)
        {
            sum += row[i];
        }
#endif
        out[c] = ad_wrap_add(bias != NULL ? bias[c] : 0, ad_wrap_mul(offset, sum));
    }
}

#if AD_MVE
/* Four lanes of ad_requantize(v, m, s): wrapping left shift, VQRDMULH, exact rounding right shift. */
static inline int32x4_t ad_mve_scale_q(int32x4_t v, int32x4_t m, int32x4_t s)
{
    int32x4_t zero = vdupq_n_s32(0);
    int32x4_t right = vminq_s32(s, zero);
    int32x4_t h = vqrdmulhq_s32(vshlq_s32(v, vmaxq_s32(s, zero)), m);
    h = vqaddq_s32(h, vshrq_n_s32(vandq_s32(h, right), 31));
    return vrshlq_s32(h, right);
}

/* One multiplier and shift for all lanes, the shift split once (ad_mve_scale_n). */
typedef struct
{
    int32_t multiplier;
    int32_t left;          /* max(s, 0) */
    int32_t right;         /* min(s, 0) */
    int32x4_t right_lanes; /* right in every lane, for the rounding fix-up */
} ad_mve_scale;

static inline ad_mve_scale ad_mve_scale_of(int32_t multiplier, int32_t shift)
{
    ad_mve_scale k;
    k.multiplier = multiplier;
    k.left = shift > 0 ? shift : 0;
    k.right = shift > 0 ? 0 : shift;
    k.right_lanes = vdupq_n_s32(k.right);
    return k;
}

/* ad_mve_scale_q with a per-tensor scale: scalar VSHL, VQRDMULH and VRSHL operands. */
static inline int32x4_t ad_mve_scale_n(int32x4_t v, const ad_mve_scale *k)
{
    int32x4_t h = vqrdmulhq_n_s32(vshlq_r_s32(v, k->left), k->multiplier);
    h = vqaddq_s32(h, vshrq_n_s32(vandq_s32(h, k->right_lanes), 31));
    return vrshlq_n_s32(h, k->right);
}

/* Four lanes of ad_requantize (multiplier m, shift s) + zp, clamped. */
static inline int32x4_t ad_mve_requantize_q(int32x4_t v, int32x4_t m, int32x4_t s, int32_t zp, ad_activation act)
{
    int32x4_t h = vaddq_n_s32(ad_mve_scale_q(v, m, s), zp);
    return vminq_s32(vmaxq_s32(h, vdupq_n_s32(act.min)), vdupq_n_s32(act.max));
}

/* Four lanes of ad_add_fused_s8 (ad_add_fused.h): input 1 a, input 2 c. */
static inline int32x4_t ad_mve_add_q(const ad_add_quant *q, int32x4_t a, int32x4_t c)
{
    int32x4_t ls = vdupq_n_s32(q->left_shift);
    int32x4_t x1 = ad_mve_scale_q(vshlq_s32(vsubq_n_s32(a, q->input1_zero_point), ls),
                                  vdupq_n_s32(q->input1_multiplier), vdupq_n_s32(q->input1_shift));
    int32x4_t x2 = ad_mve_scale_q(vshlq_s32(vsubq_n_s32(c, q->input2_zero_point), ls),
                                  vdupq_n_s32(q->input2_multiplier), vdupq_n_s32(q->input2_shift));
    return ad_mve_requantize_q(vaddq_s32(x1, x2), vdupq_n_s32(q->output_multiplier), vdupq_n_s32(q->output_shift),
                               q->output_zero_point, q->activation);
}
#endif

/* out[c] = clamp(requantize(acc[c], mult[c], shift[c]) + zp) for c < n. */
static inline void ad_mve_requantize(const int32_t *acc, int32_t n, const int32_t *mult, const int8_t *shift,
                                     int32_t zp, ad_activation act, int8_t *out)
{
    int32_t c;
#if AD_MVE
    for (c = 0; c < n; c += 4)
    {
        mve_pred16_t p = vctp32q((uint32_t)(n - c));
        int32x4_t h = ad_mve_requantize_q(vldrwq_z_s32(acc + c, p), vldrwq_z_s32(mult + c, p),
                                          vldrbq_z_s32(shift + c, p), zp, act);
        vstrbq_p_s32(out + c, h, p);
    }
#else
    for (c = 0; c < n; c++)
    {
        int32_t v = ad_wrap_add(ad_requantize(acc[c], mult[c], shift[c]), zp);
        out[c] = (int8_t)ad_clamp_i32(v, act.min, act.max);
    }
#endif
}

#endif /* AD_MVE_H */
