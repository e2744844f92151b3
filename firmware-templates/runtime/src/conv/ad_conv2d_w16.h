/*
 * autodeploy runtime (internal): int8 CONV_2D (groups 1, dilation.w 1, batch 1) on
 * weights the code generator pre-widened and reordered, with the input zero
 * point folded into the bias. Values exactly as ad_conv2d_s8 /
 * ad_conv2d_rowbuf_s8; with rb != NULL it keeps the row-buffer contract of
 * ad_conv2d_rowbuf_s8 (output written over its input).
 *
 * One filter row (all kx taps x all input channels, L = k_w * c_in values)
 * is contiguous in the input when the whole row lies inside the image, so
 * the dot product of a filter row is one vector of L int8 values. Taps that
 * fall outside the image read the input zero point instead (a copy in a
 * small stack buffer), so every tap contributes w * x and
 *     sum (x + offset) * w = sum x * w + offset * sum w
 * where offset * sum w (modulo 2^32, like the portable accumulator) is in
 * the channel records. Four output channels per pass share each input word.
 * With add_quant, each value is then added to the residual (the output
 * buffer) as ad_conv2d_add_s8 does: ad_conv2d_add_w16_dsp_s8.
 *
 * filter_pairs, for output-channel block b (channels 4b..4b+3, channels past
 * C_OUT all zero), filter row ky, group g of 4 values v0..v3 (L padded with
 * zeros to a multiple of 4) and channel j of the block: two words at
 * ((((b * k_h + ky) * G + g) * 4 + j) * 2), the first holding the int16
 * pair (v0, v2) (low half first), the second (v1, v3): the lanes SXTB16
 * makes of an input word and of the same word rotated by 8.
 * channels: one record of AD_W16_RECORD int32 values per channel of the
 * blocks (4 * ceil(C_OUT / 4)), computed at generation time: the bias plus
 * offset * sum w, the multiplier (never INT32_MIN), and one word holding the
 * left shift max(shift, 0) in bits 0..7 and the right shift
 * min(max(-shift, 0), 31) in bits 8..15 (three words, not five with the
 * shifts and the mask apart: the mask costs two instructions per output,
 * the two words 8 bytes of flash per channel).
 * quant supplies the zero points and the activation range only (its
 * multiplier and shift are not read and may be NULL).
 */
#ifndef AD_CONV2D_W16_H
#define AD_CONV2D_W16_H

#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_dot_dsp.h"
#include "ad_rowbuf.h"

/* Most bytes of row copies ((k_h + 1) x len4) and of a 1x1 pixel copy a layer may need, and most filter rows. */
#define AD_W16_SCRATCH 1024
#define AD_W16_MAX_ROWS 64
#define AD_W16_RECORD 3
/* int32 words of the widened input vectors (2 per 4 values). */
#define AD_W16_WIDE 512

#if AD_DOT_DSP
/* SXTB16 of x rotated by 8 (bytes 1 and 3) in one instruction. */
static inline int32_t ad_sxtb16_ror8(int32_t x)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/* Two weight words (one channel's pairs for one input word) in one LDRD. */
static inline void ad_w16_load2(const int32_t *w, int32_t *lo, int32_t *hi)
{
    uint64_t v;
    memcpy(&v, w, sizeof v);
    *lo = (int32_t)(uint32_t)v;
    *hi = (int32_t)(uint32_t)(v >> 32);
}
#endif

/* One channel's 4 MACs of input word xv (lanes xe/xo) with weight words w[0..1]. */
#if AD_DOT_DSP
#define AD_W16_MAC(acc, xe, xo, w)                                                                                     \
    do                                                                                                                 \
    {                                                                                                                  \
        int32_t lo_, hi_;                                                                                              \
        ad_w16_load2((w), &lo_, &hi_);                                                                                 \
        (acc) = __smlad((xo), hi_, __smlad((xe), lo_, (acc)));                                                         \
    } while (0)
/*
 * The 4 channels of one input word: GCC splits the weight words into 8 LDRs;
 * 4 post-incrementing LDRDs take half the instructions. The weights are
 * constant tables, so the block needs no memory clobber.
 */
#define AD_W16_STEP(acc) \
    "ldrd %[lo], %[hi], [%[w]], #8\n\t" \
    "smlad %[" #acc "], %[xe], %[lo], %[" #acc "]\n\t" \
    "smlad %[" #acc "], %[xo], %[hi], %[" #acc "]\n\t"
#define AD_W16_BLOCK(a0, a1, a2, a3, xe, xo, w)                                                              \
    do                                                                                                       \
    {                                                                                                        \
        int32_t lo_, hi_;                                                                                    \
        __asm__(AD_W16_STEP(c0) AD_W16_STEP(c1) AD_W16_STEP(c2) AD_W16_STEP(c3)                              \
                : [c0] "+r"(a0), [c1] "+r"(a1), [c2] "+r"(a2), [c3] "+r"(a3), [w] "+r"(w), [lo] "=&r"(lo_),  \
                  [hi] "=&r"(hi_)                                                                            \
                : [xe] "r"(xe), [xo] "r"(xo));                                                               \
    } while (0)
/* The same on an input word widened beforehand: its two lanes in one LDRD too. */
#define AD_W16_BLOCK_WIDE(A0, A1, A2, A3, XP, WP)                                                              \
    do                                                                                                       \
    {                                                                                                        \
        int32_t lo_, hi_, xe_, xo_;                                                                          \
        __asm__("ldrd %[xe], %[xo], [%[x]], #8\n\t" AD_W16_STEP(c0) AD_W16_STEP(c1) AD_W16_STEP(c2)          \
                    AD_W16_STEP(c3)                                                                          \
                : [c0] "+r"(A0), [c1] "+r"(A1), [c2] "+r"(A2), [c3] "+r"(A3), [w] "+r"(WP), [x] "+r"(XP),    \
                  [lo] "=&r"(lo_), [hi] "=&r"(hi_), [xe] "=&r"(xe_), [xo] "=&r"(xo_));                       \
    } while (0)
#else
#define AD_W16_MAC(acc, xe, xo, w) ((acc) = ad_w16_mac_c((acc), (xe), (w)))
static inline int32_t ad_w16_mac_c(int32_t acc, int32_t xv, const int32_t *w)
{
    int32_t x0 = (int8_t)(xv & 0xFF), x1 = (int8_t)((xv >> 8) & 0xFF);
    int32_t x2 = (int8_t)((xv >> 16) & 0xFF), x3 = (int8_t)((xv >> 24) & 0xFF);
    int32_t e = w[0], o = w[1];
    int32_t s = ad_wrap_add(ad_wrap_mul(x0, (int16_t)(e & 0xFFFF)), ad_wrap_mul(x2, (int16_t)(e >> 16)));
    s = ad_wrap_add(s, ad_wrap_add(ad_wrap_mul(x1, (int16_t)(o & 0xFFFF)), ad_wrap_mul(x3, (int16_t)(o >> 16))));
    return ad_wrap_add(acc, s);
}
#endif

/*
 * ad_requantize with the per-channel constants of a channel record (see the
 * top): the doubling high multiply of TFLite, (a * b + 2^30) / 2^31 with its
 * nudge, equals the floor (a * b + 2^30) >> 31 for every pair but INT32_MIN *
 * INT32_MIN (for ab < 0 the truncation of (ab + 1 - 2^30) / 2^31 is that
 * floor), and that pair is refused; the rounding right shift is
 * ad_rounding_divide_by_pot's, with its mask from the record.
 */
static inline int32_t ad_w16_requantize(int32_t acc, const int32_t *rec)
{
    uint32_t shifts = (uint32_t)rec[2];
    int32_t right = (int32_t)(shifts >> 8);
    int32_t x = (int32_t)((uint32_t)acc << (shifts & 0xFFu));
    int32_t v = (int32_t)(((int64_t)x * rec[1] + ((int64_t)1 << 30)) >> 31);
    int32_t mask = (int32_t)((1u << right) - 1u);
    return (v >> right) + ((v & mask) > ((mask >> 1) + (int32_t)((uint32_t)v >> 31)) ? 1 : 0);
}

static inline int32_t ad_w16_load4(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/*
 * ad_add_fused_s8 with the high multiplies of ad_w16_requantize (the same
 * values); the saturating INT32_MIN pair is kept, as the ADD's multipliers
 * are not checked.
 */
static inline int32_t ad_w16_srdhm(int32_t a, int32_t b)
{
    return (a == INT32_MIN && b == INT32_MIN) ? INT32_MAX
                                              : (int32_t)(((int64_t)a * b + ((int64_t)1 << 30)) >> 31);
}

static inline int32_t ad_w16_shift_right(int32_t v, int32_t shift)
{
    return ad_rounding_divide_by_pot(v, -shift);
}

/* Widened input words of a k_h x (4 groups4) window, when they fit AD_W16_WIDE (0: the narrow loop runs). */
static inline int32_t ad_w16_wide_words(int32_t k_h, int32_t groups4)
{
    return (int64_t)k_h * groups4 * 2 <= AD_W16_WIDE ? k_h * groups4 * 2 : 0;
}

/*
 * Scratch bytes of a k_h x k_w x in_c filter for the fastest run: the row
 * pointers (rows and xs, k_h each, when k_h > 1), k_h + 1 rows of len4
 * bytes (copies of rows that cross the image's border, and the zero-point
 * row), then the widened input words. The kernel runs with less: without the widened words
 * (the narrow loop), and without the row copies when every row is read in
 * place (no padding, rows a multiple of 4 long, no row-buffer pixels).
 */
static inline int32_t ad_w16_scratch(int32_t k_h, int32_t k_w, int32_t in_c)
{
    int32_t len4 = (k_w * in_c + 3) & ~3;
    return (k_h > 1 ? 2 * k_h * AD_SCRATCH_POINTER : 0) + (k_h + 1) * len4 +
           (int32_t)sizeof(int32_t) * ad_w16_wide_words(k_h, len4 / 4);
}

static inline int8_t ad_w16_add(const ad_add_quant *q, int32_t a, int32_t c)
{
    int32_t x1 = ad_w16_shift_right(
        ad_w16_srdhm(ad_wrap_shl(ad_wrap_sub(a, q->input1_zero_point), q->left_shift), q->input1_multiplier),
        q->input1_shift);
    int32_t x2 = ad_w16_shift_right(
        ad_w16_srdhm(ad_wrap_shl(ad_wrap_sub(c, q->input2_zero_point), q->left_shift), q->input2_multiplier),
        q->input2_shift);
    int32_t v = ad_wrap_add(ad_w16_shift_right(ad_w16_srdhm(ad_wrap_add(x1, x2), q->output_multiplier), q->output_shift),
                            q->output_zero_point);
    return (int8_t)ad_clamp_i32(v, q->activation.min, q->activation.max);
}

static inline ad_status ad_conv2d_w16_run(const ad_context *ctx,
                               const ad_row_buffer *rb,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_add_quant *add_quant,
                               const ad_dims *input_dims,
                               const int8_t *input,
                               const ad_dims *filter_dims,
                               const int32_t *filter_pairs,
                               const int32_t *channels,
                               const ad_dims *output_dims,
                               int8_t *output)
{
    ad_rowbuf_geom g;
    /* All in the caller's scratch (ad_w16_scratch). */
    const int8_t **rows, **xs;
    const int8_t *one_row[2];
    int8_t *base, *bytes, *zp_row;
    int32_t copies, pointers;
    int32_t filters_per_group;
    int32_t oy, ox, oc, ky, gi;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c, len, len4, groups4;
    int32_t out_zp, act_min, act_max;
    int8_t zp;
    int pixels, inside, own_copy, full_range;
#if AD_DOT_DSP
    /* The pixel's input vectors widened once (SXTB16 lanes), shared by all output channels. */
    int32_t *wide;
    int wide_ok;
#endif
    ad_status status;

    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (quant == NULL || input == NULL || filter_pairs == NULL || channels == NULL || output == NULL ||
        input_dims->n != 1 ||
        filters_per_group != output_dims->c || params->dilation.w != 1)
    {
        return AD_ERR_ARG;
    }
    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    len = k_w * in_c;
    len4 = (len + 3) & ~3;
    groups4 = len4 / 4;
    /* The row copies are for taps outside the image and rows not a multiple of 4 long only. */
    inside = len == len4 && !ad_conv_taps_outside(params, in_h, in_w, k_h, k_w, out_h, out_w);
    pixels = rb != NULL && rb->unit == AD_UNIT_PIXELS;
    if (k_h > AD_W16_MAX_ROWS || (!inside && (int64_t)(k_h + 1) * len4 > AD_W16_SCRATCH))
    {
        return AD_ERR_ARG;
    }
    /*
     * Scratch: the row pointers (a one-row filter, the FULLY_CONNECTED case,
     * keeps its two on the stack), the row copies unless every row is read in
     * place, then the widened words if they fit.
     */
    copies = inside && !pixels ? 0 : (k_h + 1) * len4;
    pointers = k_h > 1 ? 2 * k_h * AD_SCRATCH_POINTER : 0;
    base = ctx != NULL ? (int8_t *)ctx->buf : NULL;
    if (pointers + copies > 0)
    {
        base = (int8_t *)ad_scratch(ctx, pointers + copies);
        if (base == NULL)
        {
            return AD_ERR_ARG;
        }
    }
    rows = k_h > 1 ? (const int8_t **)(void *)base : one_row;
    xs = rows + k_h;
    bytes = base != NULL ? base + pointers : NULL;
#if AD_DOT_DSP
    wide = bytes != NULL ? (int32_t *)(void *)(bytes + copies) : NULL;
    wide_ok = wide != NULL && ((uintptr_t)base & 3u) == 0 && ad_w16_wide_words(k_h, groups4) != 0 &&
              ctx->size >= pointers + copies + (int32_t)sizeof(int32_t) * ad_w16_wide_words(k_h, groups4);
#endif
    for (oc = 0; oc < out_c; oc++)
    {
        const int32_t *rec = channels + (size_t)oc * AD_W16_RECORD;
        if (rec[1] == INT32_MIN || (uint32_t)rec[2] > 0x1F1Fu || (rec[2] & 0xE0) != 0)
        {
            return AD_ERR_ARG;
        }
    }
    out_zp = quant->output_zero_point;
    act_min = quant->activation.min;
    act_max = quant->activation.max;
    full_range = act_min <= -128 && act_max >= 127;
    (void)full_range; /* SSAT needs the DSP extension */
    zp = (int8_t)quant->input_zero_point;
    zp_row = bytes;
    if (!inside)
    {
        zp_row = bytes + (size_t)k_h * len4;
        memset(zp_row, zp, (size_t)len4);
    }

    /* Output pixel p ends at delta + (p + 1) * out_c bytes; at most at input pixel p + 1's
     * start for every p, it meets only pixels already read or p itself. */
    own_copy = pixels && len4 <= AD_W16_SCRATCH &&
               (int64_t)rb->delta + (int64_t)(out_c - in_c) * (out_c > in_c ? (int64_t)in_h * in_w : 1) <= 0;
    if (pixels)
    {
        if (k_h != 1 || k_w != 1 || params->stride.h != 1 || params->stride.w != 1 || params->padding.h != 0 ||
            params->padding.w != 0 || out_h != in_h || out_w != in_w)
        {
            return AD_ERR_ARG;
        }
        status = ad_rowbuf_init(&g, rb, input, in_h * in_w, in_c, out_h * out_w, out_c, 1, 1, 1, 0);
    }
    else if (rb == NULL)
    {
        status = AD_OK;
    }
    else if (rb->unit == AD_UNIT_ROWS)
    {
        status = ad_rowbuf_init(&g, rb, input, in_h, in_w * in_c, out_h, out_w * out_c, k_h, params->stride.h,
                                params->dilation.h, params->padding.h);
    }
    else
    {
        status = AD_ERR_ARG;
    }
    if (status != AD_OK)
    {
        return status;
    }

    for (oy = 0; oy < out_h; oy++)
    {
        if (!pixels)
        {
            if (rb != NULL)
            {
                ad_rowbuf_save(&g, oy);
            }
            /* Where each filter row reads depends on oy only. */
            for (ky = 0; ky < k_h; ky++)
            {
                int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
                rows[ky] = iy < 0                ? NULL
                           : rb != NULL          ? (const int8_t *)ad_rowbuf_unit(&g, iy, oy)
                                                 : input + (size_t)iy * in_w * in_c;
            }
        }
        for (ox = 0; ox < out_w; ox++)
        {
            const int32_t *w = filter_pairs;
            int8_t *out = output + ((size_t)oy * out_w + ox) * out_c;
            if (own_copy)
            {
                /* Output pixel p meets input pixels <= p only, and a 1x1 convolution reads
                 * pixel p for output p alone: a stack copy of p is all the buffering needed,
                 * without the line buffer's per-pixel bookkeeping. */
                const int8_t *src = input + ((size_t)oy * out_w + ox) * in_c;
                int32_t i;
                for (i = 0; i + 4 <= in_c; i += 4)
                {
                    int32_t v = ad_w16_load4(src + i);
                    memcpy(bytes + i, &v, sizeof v);
                }
                for (; i < len4; i++)
                {
                    bytes[i] = i < in_c ? src[i] : zp;
                }
                xs[0] = bytes;
            }
            else if (pixels)
            {
                int32_t p = oy * out_w + ox;
                ad_rowbuf_save(&g, p);
                rows[0] = (const int8_t *)ad_rowbuf_unit(&g, p, p);
            }
            if (!own_copy)
            {
                int32_t ix0 = pixels ? 0 : ox * params->stride.w - params->padding.w;
                int direct = ix0 >= 0 && ix0 + k_w <= in_w && len == len4;
                for (ky = 0; ky < k_h; ky++)
                {
                    int8_t *copy = bytes + (size_t)ky * len4;
                    if (rows[ky] == NULL)
                    {
                        xs[ky] = zp_row;
                        continue;
                    }
                    if (direct)
                    {
                        xs[ky] = rows[ky] + (size_t)ix0 * in_c;
                        continue;
                    }
                    /* Taps outside the image read the zero point: (x + offset) = 0 as in the portable kernel. */
                    {
                        /* Taps lo..hi-1 lie inside: values a..b-1 of the row come from the input. */
                        int32_t lo = ix0 < 0 ? -ix0 : 0;
                        int32_t hi = in_w - ix0 < k_w ? in_w - ix0 : k_w;
                        int32_t a = lo * in_c, b = (hi > lo ? hi : lo) * in_c, t;
                        const int8_t *src = rows[ky] + (size_t)(ix0 + lo) * in_c; /* value a */
                        if (len4 <= 32)
                        {
                            /* Short rows (few input channels): a byte loop beats three library calls. */
                            for (t = 0; t < len4; t++)
                            {
                                copy[t] = (t >= a && t < b) ? src[t - a] : zp;
                            }
                        }
                        else
                        {
                            memset(copy, zp, (size_t)a);
                            memcpy(copy + a, src, (size_t)(b - a));
                            memset(copy + b, zp, (size_t)(len4 - b));
                        }
                    }
                    xs[ky] = copy;
                }
            }
#if AD_DOT_DSP
            if (wide_ok)
            {
                int32_t *d = wide;
                for (ky = 0; ky < k_h; ky++)
                {
                    const int8_t *x = xs[ky];
                    for (gi = 0; gi < groups4; gi++)
                    {
                        int32_t xv = ad_w16_load4(x + 4 * gi);
                        d[0] = __sxtb16(xv);
                        d[1] = ad_sxtb16_ror8(xv);
                        d += 2;
                    }
                }
            }
#endif
            for (oc = 0; oc < out_c; oc += 4)
            {
                int32_t acc[4];
                int32_t j, n = out_c - oc < 4 ? out_c - oc : 4;
                /* Four scalars, not an array, so they stay in registers. */
                const int32_t *rec = channels + (size_t)oc * AD_W16_RECORD;
                int32_t a0 = rec[0], a1 = rec[AD_W16_RECORD];
                int32_t a2 = rec[2 * AD_W16_RECORD], a3 = rec[3 * AD_W16_RECORD];
#if AD_DOT_DSP
                if (wide_ok)
                {
                    /* Filter rows and input vectors are both contiguous: one run over all groups. */
                    const int32_t *xw = wide;
                    int32_t t = k_h * groups4;
                    for (; t >= 2; t -= 2)
                    {
                        AD_W16_BLOCK_WIDE(a0, a1, a2, a3, xw, w);
                        AD_W16_BLOCK_WIDE(a0, a1, a2, a3, xw, w);
                    }
                    if (t != 0)
                    {
                        AD_W16_BLOCK_WIDE(a0, a1, a2, a3, xw, w);
                    }
                }
                else
#endif
                for (ky = 0; ky < k_h; ky++)
                {
                    const int8_t *x = xs[ky];
                    for (gi = 0; gi < groups4; gi++)
                    {
                        int32_t xv = ad_w16_load4(x);
#if AD_DOT_DSP
                        int32_t xe = __sxtb16(xv), xo = ad_sxtb16_ror8(xv);
#else
                        int32_t xe = xv, xo = 0;
                        (void)xo;
#endif
#if AD_DOT_DSP
                        AD_W16_BLOCK(a0, a1, a2, a3, xe, xo, w);
#else
                        AD_W16_MAC(a0, xe, xo, w);
                        AD_W16_MAC(a1, xe, xo, w + 2);
                        AD_W16_MAC(a2, xe, xo, w + 4);
                        AD_W16_MAC(a3, xe, xo, w + 6);
                        w += 8;
#endif
                        x += 4;
                    }
                }
                acc[0] = a0;
                acc[1] = a1;
                acc[2] = a2;
                acc[3] = a3;
#if AD_DOT_DSP
                if (full_range && add_quant == NULL && n == 4)
                {
                    /* Activation -128..127: one SSAT instead of two compares; a whole block
                     * straight from the accumulator registers. */
                    out[oc] = (int8_t)__ssat(ad_wrap_add(ad_w16_requantize(a0, rec), out_zp), 8);
                    out[oc + 1] = (int8_t)__ssat(ad_wrap_add(ad_w16_requantize(a1, rec + AD_W16_RECORD), out_zp), 8);
                    out[oc + 2] =
                        (int8_t)__ssat(ad_wrap_add(ad_w16_requantize(a2, rec + 2 * AD_W16_RECORD), out_zp), 8);
                    out[oc + 3] =
                        (int8_t)__ssat(ad_wrap_add(ad_w16_requantize(a3, rec + 3 * AD_W16_RECORD), out_zp), 8);
                    continue;
                }
                if (full_range && add_quant == NULL)
                {
                    for (j = 0; j < n; j++)
                    {
                        out[oc + j] = (int8_t)__ssat(
                            ad_wrap_add(ad_w16_requantize(acc[j], rec + j * AD_W16_RECORD), out_zp), 8);
                    }
                    continue;
                }
#endif
                for (j = 0; j < n; j++)
                {
                    int32_t v = ad_wrap_add(ad_w16_requantize(acc[j], rec + j * AD_W16_RECORD), out_zp);
                    int8_t conv = (int8_t)ad_clamp_i32(v, act_min, act_max);
                    out[oc + j] = add_quant != NULL ? ad_w16_add(add_quant, conv, out[oc + j]) : conv;
                }
            }
        }
    }
    return AD_OK;
}

#endif /* AD_CONV2D_W16_H */
