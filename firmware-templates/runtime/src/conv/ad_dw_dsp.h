/*
 * autodeploy runtime: one output row of int8 DEPTHWISE_CONV_2D for the
 * *_depthwise_*_dsp_* kernels (internal).
 *
 * The caller resolves the input rows the output row reads (row buffer or
 * plain input) once per row; this file computes the row. Per output pixel
 * the valid horizontal taps are found once, so the inner loop has no
 * padding test. With depth multiplier 1 and the Armv7E-M DSP extension, four
 * channels go per pass: one 32-bit load each of input and filter per tap,
 * SXTAB16 widens the input and adds the offset in one step (x + offset lies
 * in -255..255, so 16-bit lanes never wrap), SXTB16 widens the filter, and
 * SMLABB/SMLATT accumulate each lane into its own channel's int32 (wrapping
 * modulo 2^32, exactly like the portable accumulator). Other cases, channel
 * tails and cores without DSP run the same loop structure in plain C.
 *
 * Requantisation computes TFLite's MultiplyByQuantizedMultiplier without a
 * 64-bit division: (a * b + 2^30) >> 31 (an arithmetic shift, so a floor)
 * equals its round-half-away doubling high multiply for every a, b except
 * INT32_MIN * INT32_MIN, which keeps the portable path.
 */
#ifndef AD_DW_DSP_H
#define AD_DW_DSP_H

#include <string.h>

#include "ad_dot_dsp.h"
#include "ad_internal.h"

/* Most filter rows an output row can read (the kernels reject taller filters). */
#define AD_DW_MAX_ROWS 32

/* The input rows one output row reads: pointers to their first byte, and their filter row. */
typedef struct
{
    const int8_t *row[AD_DW_MAX_ROWS];
    int32_t ky[AD_DW_MAX_ROWS];
    int32_t count;
} ad_dw_rows;

/* Everything about the layer that does not change from row to row. */
typedef struct
{
    int32_t in_w, in_c, k_w, out_w, out_c, dm;
    int32_t stride_w, pad_w, dil_w;
    int32_t input_offset;
    const int8_t *filter;
    const int32_t *bias;
    const int32_t *multiplier;
    const int32_t *shift;
    int32_t output_zero_point, act_min, act_max;
} ad_dw_layer;

static inline void ad_dw_layer_quant(ad_dw_layer *l, const ad_conv_quant *q)
{
    l->input_offset = ad_wrap_neg(q->input_zero_point);
    l->multiplier = q->multiplier;
    l->shift = q->shift;
    l->output_zero_point = q->output_zero_point;
    l->act_min = q->activation.min;
    l->act_max = q->activation.max;
}

/* ad_requantize, the output zero point and the activation clamp, for channel oc. */
static inline int32_t ad_dw_output(const ad_dw_layer *l, int32_t acc, int32_t oc)
{
    int32_t m = l->multiplier[oc];
    int32_t shift = l->shift[oc];
    int32_t v;
    if (m == INT32_MIN)
    {
        v = ad_requantize(acc, m, shift);
    }
    else
    {
        int32_t left = shift > 0 ? shift : 0;
        int64_t ab = (int64_t)ad_wrap_shl(acc, left) * m + ((int64_t)1 << 30);
        v = ad_rounding_divide_by_pot((int32_t)(ab >> 31), left - shift);
    }
    return ad_clamp_i32(ad_wrap_add(v, l->output_zero_point), l->act_min, l->act_max);
}

/* One channel, plain C: taps of every row from xb[t] + ic and wb[t] + oc. */
static inline int32_t ad_dw_channel(const ad_dw_layer *l, const int8_t *const *xb, const int8_t *const *wb,
                                    int32_t rows, int32_t taps, int32_t x_step, int32_t oc)
{
    int32_t acc = l->bias != NULL ? l->bias[oc] : 0;
    int32_t ic = l->dm == 1 ? oc : oc / l->dm;
    int32_t t, k;
    for (t = 0; t < rows; t++)
    {
        const int8_t *x = xb[t] + ic;
        const int8_t *w = wb[t] + oc;
        for (k = 0; k < taps; k++)
        {
            acc = ad_wrap_add(acc, ad_wrap_mul(ad_wrap_add(*x, l->input_offset), *w));
            x += x_step;
            w += l->out_c;
        }
    }
    return acc;
}

#if AD_DOT_DSP
/* SXTB16 and SXTAB16 of the odd bytes: GCC does not fold the rotation into the instruction. */
static inline int32_t ad_sxtb16_ror8(int32_t v)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

static inline int32_t ad_sxtab16_ror8(int32_t a, int32_t v)
{
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
    return r;
}

/* One tap of four channels: a0..a3 += (x + offset) * w, lane by lane. */
#define AD_DW_TAP4(xp, wp)                                                                                             \
    do                                                                                                                 \
    {                                                                                                                  \
        int32_t xv_ = ad_load4(xp);                                                                                    \
        int32_t wv_ = ad_load4(wp);                                                                                    \
        int16x2_t xe_ = __sxtab16(off2, xv_);                                                                          \
        int16x2_t xo_ = ad_sxtab16_ror8(off2, xv_);                                                                    \
        int16x2_t we_ = __sxtb16(wv_);                                                                                 \
        int16x2_t wo_ = ad_sxtb16_ror8(wv_);                                                                           \
        a0 = __smlabb(xe_, we_, a0);                                                                                   \
        a2 = __smlatt(xe_, we_, a2);                                                                                   \
        a1 = __smlabb(xo_, wo_, a1);                                                                                   \
        a3 = __smlatt(xo_, wo_, a3);                                                                                   \
    } while (0)

/* Four channels oc..oc+3 (depth multiplier 1), written to out[oc..oc+3] with one store. */
static inline void ad_dw_channels4(const ad_dw_layer *l, const int8_t *const *xb, const int8_t *const *wb,
                                   int32_t rows, int32_t taps, int32_t x_step, int32_t oc, int8_t *out)
{
    int32_t off2 = (int32_t)(((uint32_t)l->input_offset & 0xFFFFu) | ((uint32_t)l->input_offset << 16));
    int32_t w_step = l->out_c;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t t, k;
    uint32_t packed;
    if (l->bias != NULL)
    {
        a0 = l->bias[oc];
        a1 = l->bias[oc + 1];
        a2 = l->bias[oc + 2];
        a3 = l->bias[oc + 3];
    }
    for (t = 0; t < rows; t++)
    {
        const int8_t *xp = xb[t] + oc;
        const int8_t *wp = wb[t] + oc;
        if (taps == 3)
        {
            /* The common 3-wide filter, unrolled. */
            AD_DW_TAP4(xp, wp);
            AD_DW_TAP4(xp + x_step, wp + w_step);
            AD_DW_TAP4(xp + 2 * x_step, wp + 2 * w_step);
            continue;
        }
        for (k = 0; k < taps; k++)
        {
            AD_DW_TAP4(xp, wp);
            xp += x_step;
            wp += w_step;
        }
    }
    packed = ((uint32_t)ad_dw_output(l, a0, oc) & 0xFFu) | (((uint32_t)ad_dw_output(l, a1, oc + 1) & 0xFFu) << 8) |
             (((uint32_t)ad_dw_output(l, a2, oc + 2) & 0xFFu) << 16) |
             ((uint32_t)ad_dw_output(l, a3, oc + 3) << 24);
    memcpy(out + oc, &packed, sizeof packed);
}
#undef AD_DW_TAP4
#endif

/* Output row `out` (out_w pixels of out_c channels) from the input rows r. */
static inline void ad_dw_row(const ad_dw_layer *l, const ad_dw_rows *r, int8_t *out)
{
    const int8_t *xb[AD_DW_MAX_ROWS];
    const int8_t *wb[AD_DW_MAX_ROWS];
    int32_t ox, oc, t;
    int32_t x_step = l->dil_w * l->in_c;
    for (ox = 0; ox < l->out_w; ox++, out += l->out_c)
    {
        int32_t base = ox * l->stride_w - l->pad_w;
        int32_t kx0 = 0, kx1 = l->k_w;
        int32_t x_off;
        while (kx0 < kx1 && base + kx0 * l->dil_w < 0)
        {
            kx0++;
        }
        while (kx1 > kx0 && base + (kx1 - 1) * l->dil_w >= l->in_w)
        {
            kx1--;
        }
        x_off = kx0 < kx1 ? (base + kx0 * l->dil_w) * l->in_c : 0;
        /* Where each row's first valid tap starts, in the input and in the filter. */
        for (t = 0; t < r->count; t++)
        {
            xb[t] = r->row[t] + x_off;
            wb[t] = l->filter + ((size_t)r->ky[t] * l->k_w + kx0) * l->out_c;
        }
        oc = 0;
#if AD_DOT_DSP
        if (l->dm == 1)
        {
            for (; oc + 4 <= l->out_c; oc += 4)
            {
                ad_dw_channels4(l, xb, wb, r->count, kx1 - kx0, x_step, oc, out);
            }
        }
#endif
        for (; oc < l->out_c; oc++)
        {
            out[oc] = (int8_t)ad_dw_output(l, ad_dw_channel(l, xb, wb, r->count, kx1 - kx0, x_step, oc), oc);
        }
    }
}

#endif /* AD_DW_DSP_H */
