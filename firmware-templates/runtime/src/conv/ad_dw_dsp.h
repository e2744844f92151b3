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

/* The requantisation sits in the innermost pass; GCC stops inlining it once the file grows. */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
#define AD_DW_INLINE static inline __attribute__((always_inline))
#define AD_DW_OUTLINE static __attribute__((noinline))
#else
#define AD_DW_INLINE static inline
#define AD_DW_OUTLINE static
#endif

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
    const int8_t *shift;
    int32_t output_zero_point, act_min, act_max;
    int full_range; /* the activation clamp is -128..127: SSAT */
    int fast_right; /* every shift in -31..-1 and no multiplier INT32_MIN: see ad_dw_output */
} ad_dw_layer;

/* Sets fast_right once per call (the shifts are per channel constants). */
static inline void ad_dw_layer_scan(ad_dw_layer *l)
{
    int32_t oc;
    l->fast_right = 1;
    for (oc = 0; oc < l->out_c; oc++)
    {
        if (l->shift[oc] > -1 || l->shift[oc] < -31 || l->multiplier[oc] == INT32_MIN)
        {
            l->fast_right = 0;
        }
    }
}

/* Fills l from the kernel's (checked) arguments. */
static inline void ad_dw_layer_init(ad_dw_layer *l, const ad_dw_conv_params *params, const ad_conv_quant *q,
                                    const ad_dims *input_dims, const ad_dims *filter_dims, const ad_dims *output_dims,
                                    const int8_t *filter, const int32_t *bias)
{
    l->in_w = input_dims->w;
    l->in_c = input_dims->c;
    l->k_w = filter_dims->w;
    l->out_w = output_dims->w;
    l->out_c = output_dims->c;
    l->dm = params->depth_multiplier;
    l->stride_w = params->conv.stride.w;
    l->pad_w = params->conv.padding.w;
    l->dil_w = params->conv.dilation.w;
    l->filter = filter;
    l->bias = bias;
    l->input_offset = ad_wrap_neg(q->input_zero_point);
    l->multiplier = q->multiplier;
    l->shift = q->shift;
    l->output_zero_point = q->output_zero_point;
    l->act_min = q->activation.min;
    l->act_max = q->activation.max;
    l->full_range = q->activation.min == -128 && q->activation.max == 127;
    ad_dw_layer_scan(l);
}

/* ad_requantize without the 64-bit division; out of line, as the rare path of ad_dw_output. */
AD_DW_OUTLINE int32_t ad_dw_requantize_general(int32_t acc, int32_t m, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int64_t ab;
    if (m == INT32_MIN)
    {
        return ad_requantize(acc, m, shift);
    }
    ab = (int64_t)ad_wrap_shl(acc, left) * m + ((int64_t)1 << 30);
    return ad_rounding_divide_by_pot((int32_t)(ab >> 31), left - shift);
}

/*
 * ad_requantize, the output zero point and the activation clamp, for channel oc.
 *
 * The fast path is for the usual right shift e = -shift in 1..31 and
 * |acc| < 2^30: then h = ad_srdhm(acc, m) has |h| <= 2^30, so h + 2^(e-1)
 * cannot overflow, and (h + 2^(e-1) - (h < 0)) >> e equals
 * ad_rounding_divide_by_pot(h, e) (both are floor(h / 2^e) plus one exactly
 * when the remainder reaches 2^(e-1) + (h < 0)).
 * quick (a constant where inlined): the caller checked fast_right and full_range.
 */
AD_DW_INLINE int32_t ad_dw_output(const ad_dw_layer *l, int32_t acc, int32_t oc, int quick)
{
    int32_t m = l->multiplier[oc];
    int32_t shift = l->shift[oc];
    int32_t v;
    if ((quick || l->fast_right) && (uint32_t)acc + (1u << 30) < (1u << 31))
    {
        int32_t h = (int32_t)(((int64_t)acc * m + ((int64_t)1 << 30)) >> 31);
        int32_t e = -shift;
        v = (h + (int32_t)(1u << (e - 1)) - (int32_t)((uint32_t)h >> 31)) >> e;
    }
    else
    {
        v = ad_dw_requantize_general(acc, m, shift);
    }
    v = ad_wrap_add(v, l->output_zero_point);
#if AD_DOT_DSP
    if (quick || l->full_range)
    {
        return __ssat(v, 8);
    }
#endif
    return ad_clamp_i32(v, l->act_min, l->act_max);
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
#if defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
/*
 * One tap of four channels: a0..a3 += (x + offset) * w, lane by lane. One asm
 * block, because GCC hoists the loads of a whole 3x3 window and then spills
 * the accumulators. The memory operands keep its order with the output and
 * line-buffer stores (the output may overwrite the input under the row-buffer
 * scheme); "Q" (address in one register) keeps the operands to eleven
 * registers, which fits wherever GCC optimises for speed.
 */
#define AD_DW_TAP4(xp, wp)                                                                                             \
    do                                                                                                                 \
    {                                                                                                                  \
        int32_t xv_, wv_, xe_, we_;                                                                                    \
        __asm__("ldr %[xv], %[xm]\n\t"                                                                                 \
                "ldr %[wv], %[wm]\n\t"                                                                               \
                "sxtab16 %[xe], %[off], %[xv]\n\t"                                                                     \
                "sxtab16 %[xv], %[off], %[xv], ror #8\n\t"                                                             \
                "sxtb16 %[we], %[wv]\n\t"                                                                              \
                "sxtb16 %[wv], %[wv], ror #8\n\t"                                                                      \
                "smlabb %[a0], %[xe], %[we], %[a0]\n\t"                                                                \
                "smlatt %[a2], %[xe], %[we], %[a2]\n\t"                                                                \
                "smlabb %[a1], %[xv], %[wv], %[a1]\n\t"                                                                \
                "smlatt %[a3], %[xv], %[wv], %[a3]"                                                                    \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xv] "=&r"(xv_), [wv] "=&r"(wv_),        \
                  [xe] "=&r"(xe_), [we] "=&r"(we_)                                                                     \
                : [xm] "Q"(*(const int32_t *)(const void *)(xp)), [wm] "Q"(*(const int32_t *)(const void *)(wp)),      \
                  [off] "r"(off2));                                                                                    \
    } while (0)
#else
/* The same tap in intrinsics where the asm's eleven register operands may not fit (-O0, -Os). */
#define AD_DW_TAP4(xp, wp)                                                                                             \
    do                                                                                                                 \
    {                                                                                                                  \
        int32_t xv_ = ad_load4(xp);                                                                                    \
        int32_t wv_ = ad_load4(wp);                                                                                    \
        int16x2_t xe_ = __sxtab16(off2, xv_);                                                                          \
        int16x2_t xo_ = __sxtab16(off2, ad_ror8(xv_));                                                                 \
        int16x2_t we_ = __sxtb16(wv_);                                                                                 \
        int16x2_t wo_ = __sxtb16(ad_ror8(wv_));                                                                        \
        a0 = __smlabb(xe_, we_, a0);                                                                                   \
        a2 = __smlatt(xe_, we_, a2);                                                                                   \
        a1 = __smlabb(xo_, wo_, a1);                                                                                   \
        a3 = __smlatt(xo_, wo_, a3);                                                                                   \
    } while (0)
#endif

/* The four outputs of channels oc..oc+3, stored with one 32-bit write. */
AD_DW_INLINE void ad_dw_store4(const ad_dw_layer *l, int32_t a0, int32_t a1, int32_t a2, int32_t a3, int32_t oc,
                                int8_t *out, int quick)
{
    uint32_t packed = ((uint32_t)ad_dw_output(l, a0, oc, quick) & 0xFFu) |
                      (((uint32_t)ad_dw_output(l, a1, oc + 1, quick) & 0xFFu) << 8) |
                      (((uint32_t)ad_dw_output(l, a2, oc + 2, quick) & 0xFFu) << 16) |
                      ((uint32_t)ad_dw_output(l, a3, oc + 3, quick) << 24);
    memcpy(out + oc, &packed, sizeof packed);
}

/* The 1 to 3 taps of one filter row (a 3-wide filter, clipped at a border). */
#define AD_DW_ROW3(t, taps)                                                                                            \
    do                                                                                                                 \
    {                                                                                                                  \
        const int8_t *xp_ = xb[t] + oc;                                                                                \
        const int8_t *wp_ = wb[t] + oc;                                                                                \
        if ((taps) == 3)                                                                                               \
        {                                                                                                              \
            AD_DW_TAP4(xp_ + 2 * x_step, wp_ + 2 * w_step);                                                            \
        }                                                                                                              \
        if ((taps) >= 2)                                                                                               \
        {                                                                                                              \
            AD_DW_TAP4(xp_ + x_step, wp_ + w_step);                                                                    \
        }                                                                                                              \
        AD_DW_TAP4(xp_, wp_);                                                                                          \
    } while (0)

/*
 * Channels oc..oc+3 of a pixel that reads three filter rows of `taps` (1..3)
 * taps each: the interior and the left and right borders of a 3x3 layer.
 * Always inlined with a constant `taps`, so each case is straight-line code.
 */
AD_DW_INLINE void ad_dw_channels4_rows3(const ad_dw_layer *l, const int8_t *const *xb, const int8_t *const *wb,
                                        int32_t taps, int32_t x_step, int32_t oc, int8_t *out, int quick)
{
    int32_t off2 = (int32_t)(((uint32_t)l->input_offset & 0xFFFFu) | ((uint32_t)l->input_offset << 16));
    int32_t w_step = l->out_c;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (l->bias != NULL)
    {
        a0 = l->bias[oc];
        a1 = l->bias[oc + 1];
        a2 = l->bias[oc + 2];
        a3 = l->bias[oc + 3];
    }
    AD_DW_ROW3(0, taps);
    AD_DW_ROW3(1, taps);
    AD_DW_ROW3(2, taps);
    ad_dw_store4(l, a0, a1, a2, a3, oc, out, quick);
}
#undef AD_DW_ROW3

/* Four channels oc..oc+3 (depth multiplier 1), any taps. */
static inline void ad_dw_channels4(const ad_dw_layer *l, const int8_t *const *xb, const int8_t *const *wb,
                                   int32_t rows, int32_t taps, int32_t x_step, int32_t oc, int8_t *out)
{
    int32_t off2 = (int32_t)(((uint32_t)l->input_offset & 0xFFFFu) | ((uint32_t)l->input_offset << 16));
    int32_t w_step = l->out_c;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t t, k;
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
        /* Filters 3 or 1 wide, and the 2 taps of a 3-wide filter at a border, unrolled. */
        switch (taps)
        {
        case 3:
            AD_DW_TAP4(xp + 2 * x_step, wp + 2 * w_step);
            /* fall through */
        case 2:
            AD_DW_TAP4(xp + x_step, wp + w_step);
            /* fall through */
        case 1:
            AD_DW_TAP4(xp, wp);
            break;
        default:
            for (k = 0; k < taps; k++)
            {
                AD_DW_TAP4(xp, wp);
                xp += x_step;
                wp += w_step;
            }
            break;
        }
    }
    ad_dw_store4(l, a0, a1, a2, a3, oc, out, 0);
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
        if (l->dm == 1 && r->count == 3 && kx1 - kx0 == 3 && l->fast_right && l->full_range)
        {
            /* The common case without per-channel tests of the requantisation. */
            for (; oc + 4 <= l->out_c; oc += 4)
            {
                ad_dw_channels4_rows3(l, xb, wb, 3, x_step, oc, out, 1);
            }
        }
        else if (l->dm == 1 && r->count == 3 && kx1 - kx0 == 3)
        {
            for (; oc + 4 <= l->out_c; oc += 4)
            {
                ad_dw_channels4_rows3(l, xb, wb, 3, x_step, oc, out, 0);
            }
        }
        else if (l->dm == 1 && r->count == 3 && kx1 - kx0 == 2)
        {
            for (; oc + 4 <= l->out_c; oc += 4)
            {
                ad_dw_channels4_rows3(l, xb, wb, 2, x_step, oc, out, 0);
            }
        }
        else if (l->dm == 1)
        {
            for (; oc + 4 <= l->out_c; oc += 4)
            {
                ad_dw_channels4(l, xb, wb, r->count, kx1 - kx0, x_step, oc, out);
            }
        }
#endif
        for (; oc < l->out_c; oc++)
        {
            out[oc] = (int8_t)ad_dw_output(l, ad_dw_channel(l, xb, wb, r->count, kx1 - kx0, x_step, oc), oc, 0);
        }
    }
}

#endif /* AD_DW_DSP_H */
