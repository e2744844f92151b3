/*
 * autodeploy runtime: the pixel core of the Helium DEPTHWISE_CONV_2D kernels
 * (internal), depth multiplier 1. Eight channels per pass: bytes widened to
 * int16 on load, VMULLB / VMULLT products added into two int32x4 accumulators
 * (even and odd channels); the input zero point is folded into the bias once
 * per call, and taps in the padding read a row of input zero points (adding
 * 0), so every pixel runs the same loop. Plain C without MVE.
 */
#ifndef AD_DW_MVE_H
#define AD_DW_MVE_H

#include <string.h>

#include "ad_mve.h"

/* Largest filter rows and taps (k_h * k_w). */
#define AD_DW_MVE_MAX_ROWS 16
#define AD_DW_MVE_MAX_TAPS 64

/*
 * Per-call constants. With MVE, bias, multiplier and shift are stored per block
 * of 8 channels in the order the accumulators hold them: the even channels,
 * then the odd ones (VMULLB / VMULLT split a block that way).
 */
typedef struct
{
    int32_t bias[AD_MVE_MAX_CHANNELS];
    int32_t mult[AD_MVE_MAX_CHANNELS];
    int32_t shift[AD_MVE_MAX_CHANNELS];
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
/* Channels [c, c + 8) of one output pixel, requantised and stored. */
static inline void ad_dw_mve_block8(const int8_t *const *taps, int32_t n_taps, const int8_t *filter, int32_t out_c,
                                    int32_t c, const ad_dw_mve_state *s, const ad_conv_quant *quant, int8_t *out)
{
    mve_pred16_t p = vctp16q((uint32_t)(out_c - c));
    int32x4_t even = vldrwq_s32(s->bias + c);
    int32x4_t odd = vldrwq_s32(s->bias + c + 4);
    const int8_t *w = filter + c;
    int16x8_t r = vdupq_n_s16(0);
    int32_t t;
    if (out_c - c >= 8)
    {
        /* A whole block: unpredicated loads. */
        for (t = 0; t < n_taps; t++, w += out_c)
        {
            int16x8_t x = vldrbq_s16(taps[t] + c);
            int16x8_t k = vldrbq_s16(w);
            even = vaddq_s32(even, vmullbq_int_s16(x, k));
            odd = vaddq_s32(odd, vmulltq_int_s16(x, k));
        }
    }
    else
    {
        for (t = 0; t < n_taps; t++, w += out_c)
        {
            int16x8_t x = vldrbq_z_s16(taps[t] + c, p);
            int16x8_t k = vldrbq_z_s16(w, p);
            even = vaddq_s32(even, vmullbq_int_s16(x, k));
            odd = vaddq_s32(odd, vmulltq_int_s16(x, k));
        }
    }
    even = ad_mve_requantize_q(even, vldrwq_s32(s->mult + c), vldrwq_s32(s->shift + c), quant->output_zero_point,
                               quant->activation);
    odd = ad_mve_requantize_q(odd, vldrwq_s32(s->mult + c + 4), vldrwq_s32(s->shift + c + 4),
                              quant->output_zero_point, quant->activation);
    r = vmovnbq_s32(r, even);
    r = vmovntq_s32(r, odd);
    vstrbq_p_s16(out + c, r, p);
}
#endif

/* All channels of one output pixel; taps[t] points at the input pixel of tap t. */
static void ad_dw_mve_pixel(const int8_t *const *taps, int32_t n_taps, const int8_t *filter, int32_t out_c,
                            const ad_dw_mve_state *s, const ad_conv_quant *quant, int8_t *out)
{
    int32_t c;
#if AD_MVE
    for (c = 0; c < out_c; c += 8)
    {
        ad_dw_mve_block8(taps, n_taps, filter, out_c, c, s, quant, out);
    }
#else
    int32_t t;
    for (c = 0; c < out_c; c++)
    {
        int32_t acc = s->bias[c];
        for (t = 0; t < n_taps; t++)
        {
            acc = ad_wrap_add(acc, ad_wrap_mul(taps[t][c], filter[(size_t)t * out_c + c]));
        }
        out[c] = (int8_t)ad_clamp_i32(ad_wrap_add(ad_requantize(acc, s->mult[c], s->shift[c]), quant->output_zero_point),
                                      quant->activation.min, quant->activation.max);
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
    memset(s, 0, sizeof *s);
    for (c = 0; c < out_c; c++)
    {
        int32_t sum = 0;
        for (t = 0; t < n_taps; t++)
        {
            sum += filter[(size_t)t * out_c + c];
        }
        s->bias[ad_dw_mve_slot(c)] = ad_wrap_add(bias != NULL ? bias[c] : 0, ad_wrap_mul(offset, sum));
        s->mult[ad_dw_mve_slot(c)] = quant->multiplier[c];
        s->shift[ad_dw_mve_slot(c)] = quant->shift[c];
        s->padding[c] = (int8_t)quant->input_zero_point;
    }
    return 1;
}

/* One output row; rows[ky] is the input row of filter row ky (NULL in the padding). */
static inline void ad_dw_mve_row(const ad_dw_mve_state *s, const int8_t *const *rows, const ad_conv_params *p,
                                 int32_t k_h, int32_t k_w, int32_t in_w, int32_t in_c, int32_t out_w, int32_t out_c,
                                 const int8_t *filter, const ad_conv_quant *quant, int8_t *out_row)
{
    const int8_t *taps[AD_DW_MVE_MAX_TAPS];
    int32_t ox, ky, kx, t;
    for (ox = 0; ox < out_w; ox++)
    {
        for (ky = 0, t = 0; ky < k_h; ky++)
        {
            for (kx = 0; kx < k_w; kx++, t++)
            {
                int32_t ix = ad_tap(ox, p->stride.w, p->padding.w, p->dilation.w, kx, in_w);
                taps[t] = (rows[ky] == NULL || ix < 0) ? s->padding : rows[ky] + (size_t)ix * in_c;
            }
        }
        ad_dw_mve_pixel(taps, k_h * k_w, filter, out_c, s, quant, out_row + (size_t)ox * out_c);
    }
}

#endif /* AD_DW_MVE_H */
