/*
 * autodeploy runtime: the pixel core of the Helium DEPTHWISE_CONV_2D kernels
 * (internal), depth multiplier 1. Eight channels per pass: bytes widened to
 * int16 on load, VMULLB / VMULLT products added into two int32x4 accumulators
 * (even and odd channels); the input zero point is folded into the bias once
 * per call, and taps in the padding read a row of input zero points (adding
 * 0), so every pixel runs the same loop.
 *
 * Two output pixels per pass: each weight vector is loaded once for both
 * pixels and the constants of a channel block serve both. The
 * shift of each channel is split once per call into its left part (max(s, 0))
 * and its right part (min(s, 0)), so the requantisation does not rebuild them
 * per pixel. Plain C without MVE.
 */
#ifndef AD_DW_MVE_H
#define AD_DW_MVE_H

#include <string.h>

#include "ad_mve.h"

/* Largest filter rows and taps (k_h * k_w). */
#define AD_DW_MVE_MAX_ROWS 16
#define AD_DW_MVE_MAX_TAPS 64

/*
 * Per-call constants. With MVE, bias, multiplier and the two shift parts are
 * stored per block of 8 channels in the order the accumulators hold them: the
 * even channels, then the odd ones (VMULLB / VMULLT split a block that way).
 */
typedef struct
{
    int32_t bias[AD_MVE_MAX_CHANNELS];
    int32_t mult[AD_MVE_MAX_CHANNELS];
    int8_t left[AD_MVE_MAX_CHANNELS];
    int8_t right[AD_MVE_MAX_CHANNELS];
    int8_t padding[AD_MVE_MAX_CHANNELS];
} ad_dw_mve_state;

/* Where channel c's constants go in ad_dw_mve_state. */
static inline int32_t ad_dw_mve_slot(int32_t c)
{
#if AD_MVE
    return (c & ~7) + ((c & 1) << 2) + ((c & 7) >> 1);
#else
    return c;
#endif
}

#if AD_MVE
/* ad_mve_requantize_q with the shift already split into its left and right parts. */
static inline __attribute__((always_inline)) int32x4_t ad_dw_mve_requant(int32x4_t v, const ad_dw_mve_state *s,
                                                                         int32_t slot, int32_t zp, int32x4_t lo,
                                                                         int32x4_t hi)
{
    int32x4_t right = vldrbq_s32(s->right + slot);
    int32x4_t h = vqrdmulhq_s32(vshlq_s32(v, vldrbq_s32(s->left + slot)), vldrwq_s32(s->mult + slot));
    h = vqaddq_s32(h, vshrq_n_s32(vandq_s32(h, right), 31));
    h = vaddq_n_s32(vrshlq_s32(h, right), zp);
    return vminq_s32(vmaxq_s32(h, lo), hi);
}

/*
 * All channels of one (two == 0) or two output pixels; taps0[t] and taps1[t]
 * point at the input pixel of tap t. Called with a constant two, so each call
 * site compiles to its own loop.
 */
static inline __attribute__((always_inline)) void ad_dw_mve_pass(const int8_t *const *taps0,
                                                                 const int8_t *const *taps1, int32_t n_taps,
                                                                 const int8_t *filter, int32_t out_c,
                                                                 const ad_dw_mve_state *s, const ad_conv_quant *quant,
                                                                 int8_t *out0, int8_t *out1, int two)
{
    int32_t zp = quant->output_zero_point;
    int32x4_t lo = vdupq_n_s32(quant->activation.min);
    int32x4_t hi = vdupq_n_s32(quant->activation.max);
    int32_t c, t;
    for (c = 0; c < out_c; c += 8)
    {
        mve_pred16_t p = vctp16q((uint32_t)(out_c - c));
        int32x4_t e0 = vldrwq_s32(s->bias + c);
        int32x4_t o0 = vldrwq_s32(s->bias + c + 4);
        int32x4_t e1 = e0;
        int32x4_t o1 = o0;
        int16x8_t r = vdupq_n_s16(0);
        const int8_t *w = filter + c;
        if (out_c - c >= 8)
        {
            for (t = 0; t < n_taps; t++, w += out_c)
            {
                int16x8_t k = vldrbq_s16(w);
                int16x8_t x = vldrbq_s16(taps0[t] + c);
                e0 = vaddq_s32(e0, vmullbq_int_s16(x, k));
                o0 = vaddq_s32(o0, vmulltq_int_s16(x, k));
                if (two)
                {
                    x = vldrbq_s16(taps1[t] + c);
                    e1 = vaddq_s32(e1, vmullbq_int_s16(x, k));
                    o1 = vaddq_s32(o1, vmulltq_int_s16(x, k));
                }
            }
        }
        else
        {
            for (t = 0; t < n_taps; t++, w += out_c)
            {
                int16x8_t k = vldrbq_z_s16(w, p);
                int16x8_t x = vldrbq_z_s16(taps0[t] + c, p);
                e0 = vaddq_s32(e0, vmullbq_int_s16(x, k));
                o0 = vaddq_s32(o0, vmulltq_int_s16(x, k));
                if (two)
                {
                    x = vldrbq_z_s16(taps1[t] + c, p);
                    e1 = vaddq_s32(e1, vmullbq_int_s16(x, k));
                    o1 = vaddq_s32(o1, vmulltq_int_s16(x, k));
                }
            }
        }
        r = vmovnbq_s32(r, ad_dw_mve_requant(e0, s, c, zp, lo, hi));
        r = vmovntq_s32(r, ad_dw_mve_requant(o0, s, c + 4, zp, lo, hi));
        vstrbq_p_s16(out0 + c, r, p);
        if (two)
        {
            r = vmovnbq_s32(r, ad_dw_mve_requant(e1, s, c, zp, lo, hi));
            r = vmovntq_s32(r, ad_dw_mve_requant(o1, s, c + 4, zp, lo, hi));
            vstrbq_p_s16(out1 + c, r, p);
        }
    }
}
#endif

/* All channels of one or (two) two output pixels; tapsN[t] points at the input pixel of tap t. */
static void ad_dw_mve_pixels(const int8_t *const *taps0, const int8_t *const *taps1, int32_t n_taps,
                             const int8_t *filter, int32_t out_c, const ad_dw_mve_state *s,
                             const ad_conv_quant *quant, int8_t *out0, int8_t *out1, int two)
{
#if AD_MVE
    if (two)
    {
        ad_dw_mve_pass(taps0, taps1, n_taps, filter, out_c, s, quant, out0, out1, 1);
    }
    else
    {
        ad_dw_mve_pass(taps0, taps0, n_taps, filter, out_c, s, quant, out0, out0, 0);
    }
#else
    int32_t c, t, j;
    for (j = 0; j < (two ? 2 : 1); j++)
    {
        const int8_t *const *taps = j == 0 ? taps0 : taps1;
        int8_t *out = j == 0 ? out0 : out1;
        for (c = 0; c < out_c; c++)
        {
            int32_t acc = s->bias[c];
            for (t = 0; t < n_taps; t++)
            {
                acc = ad_wrap_add(acc, ad_wrap_mul(taps[t][c], filter[(size_t)t * out_c + c]));
            }
            acc = ad_requantize(acc, s->mult[c], s->left[c] + s->right[c]);
            out[c] = (int8_t)ad_clamp_i32(ad_wrap_add(acc, quant->output_zero_point), quant->activation.min,
                                          quant->activation.max);
        }
    }
#endif
}

/* Fills the per-call constants; false when the layer is beyond the stack limits. */
static inline int ad_dw_mve_prepare(ad_dw_mve_state *s, const int8_t *filter, int32_t n_taps, int32_t out_c,
                                    const int32_t *bias, const ad_conv_quant *quant)
{
    /* bias + offset * (sum of the channel's taps); a tap in the padding reads the zero point, adding 0. */
    int32_t offset = ad_wrap_neg(quant->input_zero_point);
    int32_t c, t;
    if (out_c > AD_MVE_MAX_CHANNELS || n_taps > AD_DW_MVE_MAX_TAPS)
    {
        return 0;
    }
    /* The lanes of a last partial block are loaded but never stored: give them defined values. */
    c = out_c & ~7;
    if (c < out_c)
    {
        memset(s->bias + c, 0, 8 * sizeof s->bias[0]);
        memset(s->mult + c, 0, 8 * sizeof s->mult[0]);
        memset(s->left + c, 0, 8);
        memset(s->right + c, 0, 8);
    }
    for (c = 0; c < out_c; c++)
    {
        int32_t sum = 0;
        int32_t slot = ad_dw_mve_slot(c);
        int32_t shift = quant->shift[c];
        for (t = 0; t < n_taps; t++)
        {
            sum += filter[(size_t)t * out_c + c];
        }
        s->bias[slot] = ad_wrap_add(bias != NULL ? bias[c] : 0, ad_wrap_mul(offset, sum));
        s->mult[slot] = quant->multiplier[c];
        s->left[slot] = (int8_t)(shift > 0 ? shift : 0);
        s->right[slot] = (int8_t)(shift > 0 ? 0 : shift);
        s->padding[c] = (int8_t)quant->input_zero_point;
    }
    return 1;
}

/* Tap pointers of output pixel ox: the input pixel of each tap, the zero-point row in the padding. */
static inline void ad_dw_mve_taps(const ad_dw_mve_state *s, const int8_t *const *rows, const ad_conv_params *p,
                                  int32_t k_h, int32_t k_w, int32_t in_w, int32_t in_c, int32_t ox,
                                  const int8_t **taps)
{
    int32_t x0 = ox * p->stride.w - p->padding.w;
    int32_t ky, kx;
    for (ky = 0; ky < k_h; ky++)
    {
        const int8_t *row = rows[ky];
        int32_t ix = x0;
        for (kx = 0; kx < k_w; kx++, ix += p->dilation.w)
        {
            *taps++ = (row != NULL && (uint32_t)ix < (uint32_t)in_w) ? row + (size_t)ix * in_c : s->padding;
        }
    }
}

/* One output row; rows[ky] is the input row of filter row ky (NULL in the padding). */
static inline void ad_dw_mve_row(const ad_dw_mve_state *s, const int8_t *const *rows, const ad_conv_params *p,
                                 int32_t k_h, int32_t k_w, int32_t in_w, int32_t in_c, int32_t out_w, int32_t out_c,
                                 const int8_t *filter, const ad_conv_quant *quant, int8_t *out_row)
{
    const int8_t *taps0[AD_DW_MVE_MAX_TAPS];
    const int8_t *taps1[AD_DW_MVE_MAX_TAPS];
    int32_t n_taps = k_h * k_w;
    int32_t ox;
    for (ox = 0; ox + 2 <= out_w; ox += 2)
    {
        ad_dw_mve_taps(s, rows, p, k_h, k_w, in_w, in_c, ox, taps0);
        ad_dw_mve_taps(s, rows, p, k_h, k_w, in_w, in_c, ox + 1, taps1);
        ad_dw_mve_pixels(taps0, taps1, n_taps, filter, out_c, s, quant, out_row + (size_t)ox * out_c,
                         out_row + (size_t)(ox + 1) * out_c, 1);
    }
    if (ox < out_w)
    {
        ad_dw_mve_taps(s, rows, p, k_h, k_w, in_w, in_c, ox, taps0);
        ad_dw_mve_pixels(taps0, taps0, n_taps, filter, out_c, s, quant, out_row + (size_t)ox * out_c,
                         out_row + (size_t)ox * out_c, 0);
    }
}

#endif /* AD_DW_MVE_H */
