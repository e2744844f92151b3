/*
 * autodeploy runtime: the pixel core of the Helium DEPTHWISE_CONV_2D kernels
 * (internal), depth multiplier 1. Eight channels per pass: bytes widened to
 * int16 on load, VMULLB / VMULLT products added into two int32x4 accumulators
 * (even and odd channels); taps in the padding read a row of input zero
 * points, so every pixel runs the same loop. Two output pixels per pass: each
 * weight vector is loaded once for both. Plain C without MVE.
 *
 * The code generator hands these kernels two generation-time tables instead
 * of the filter and the int32 bias (crates/autodeploy-codegen, select/mve.rs),
 * and the quant record's multiplier and shift are not read. The filter,
 * packed: per block b of eight channels, per tap t, the block's eight weights
 * (packed[(b * taps + t) * 8 + j] = w[t][8b + j], 0 past out_c). The
 * records: AD_DW_MVE_HEADER
 * words (word 0: 1 when some channel shifts left, else 0), then per block of
 * eight channels AD_DW_MVE_RECORD values in the order the accumulators hold
 * them, four lanes of even channels then four of odd ones: biases with the
 * input zero point folded in (bias - z_in * sum of the channel's taps, modulo
 * 2^32), multipliers, left shifts (shift & 31 when positive, else 0) and right
 * shifts (-min(-shift, 31) when not positive, else 0); 0 past out_c.
 */
#ifndef AD_DW_MVE_H
#define AD_DW_MVE_H

#include "ad_conv_check.h"
#include "ad_mve.h"

/* Largest filter rows and taps (k_h * k_w). */
#define AD_DW_MVE_MAX_ROWS 16
#define AD_DW_MVE_MAX_TAPS 64
/* int32 words before the first block record, and per block of eight channels. */
#define AD_DW_MVE_HEADER 4
#define AD_DW_MVE_RECORD 32

#if defined(__GNUC__)
#define AD_DW_MVE_INLINE static inline __attribute__((always_inline))
/* Keeps the pixel loops out of line: one copy for every call site, with all registers to itself. */
#define AD_DW_MVE_NOINLINE static __attribute__((noinline))
#else
#define AD_DW_MVE_INLINE static inline
#define AD_DW_MVE_NOINLINE static
#endif

/*
 * Per-call state, in the caller's scratch (ad_depthwise_conv2d_mve_s8_scratch_size:
 * the planner places it in the arena, live during the layer only): the tap
 * pointers of two output pixels, then a row of input zero points that taps in
 * the padding read (left out when no tap falls outside the input).
 */
typedef struct
{
    const int8_t **taps[2];
    int8_t *padding;
} ad_dw_mve_state;

/*
 * Scratch bytes for n_taps taps (k_h * k_w) and out_c channels: two pixels'
 * tap pointers, then the zero-point row when `padded` (some tap falls
 * outside the input).
 */
static inline int32_t ad_dw_mve_scratch(int32_t n_taps, int32_t out_c, int padded)
{
    return 2 * (n_taps > 0 ? n_taps : 1) * AD_SCRATCH_POINTER + (padded ? (out_c > 0 ? out_c : 1) : 0);
}

#if AD_MVE
/*
 * The taps of one full block of eight channels: acc[0]/acc[1] (even/odd
 * channels of pixel 0) and, for two pixels, acc[2]/acc[3] (pixel 1)
 * accumulate x * w over the n taps. The block's weights are 8 bytes a tap at
 * w (the packed layout); the input bytes are gathered at taps[t] + off (off:
 * the block's channels), so
 * the channel offset costs no add per tap. 14 instructions a tap for two
 * pixels, 8 for one. Widening byte loads take low registers only ("l").
 */
AD_DW_MVE_INLINE void ad_dw_mve_taps_two(int32x4_t *acc, const int8_t *const *p0, const int8_t *const *p1,
                                         const int8_t *w, int32_t n, uint16x8_t off)
{
    int32x4_t e0 = acc[0], o0 = acc[1], e1 = acc[2], o1 = acc[3];
    const int8_t *a, *b;
    __asm__ volatile("wls lr, %[n], 2f\n"
                     "1:\n"
                     "ldr %[a], [%[p0]], #4\n"
                     "ldr %[b], [%[p1]], #4\n"
                     "vldrb.s16 q4, [%[w]], #8\n"
                     "vldrb.s16 q5, [%[a], %q[off]]\n"
                     "vmullb.s16 q6, q5, q4\n"
                     "vadd.i32 %q[e0], %q[e0], q6\n"
                     "vmullt.s16 q6, q5, q4\n"
                     "vadd.i32 %q[o0], %q[o0], q6\n"
                     "vldrb.s16 q5, [%[b], %q[off]]\n"
                     "vmullb.s16 q6, q5, q4\n"
                     "vadd.i32 %q[e1], %q[e1], q6\n"
                     "vmullt.s16 q6, q5, q4\n"
                     "vadd.i32 %q[o1], %q[o1], q6\n"
                     "le lr, 1b\n"
                     "2:\n"
                     : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [p0] "+r"(p0), [p1] "+r"(p1),
                       [w] "+l"(w), [a] "=&l"(a), [b] "=&l"(b)
                     : [n] "r"(n), [off] "w"(off)
                     : "q4", "q5", "q6", "lr", "memory");
    acc[0] = e0;
    acc[1] = o0;
    acc[2] = e1;
    acc[3] = o1;
}

AD_DW_MVE_INLINE void ad_dw_mve_taps_one(int32x4_t *acc, const int8_t *const *p0, const int8_t *w, int32_t n,
                                         uint16x8_t off)
{
    int32x4_t e0 = acc[0], o0 = acc[1];
    const int8_t *a;
    __asm__ volatile("wls lr, %[n], 2f\n"
                     "1:\n"
                     "ldr %[a], [%[p0]], #4\n"
                     "vldrb.s16 q4, [%[w]], #8\n"
                     "vldrb.s16 q5, [%[a], %q[off]]\n"
                     "vmullb.s16 q6, q5, q4\n"
                     "vadd.i32 %q[e0], %q[e0], q6\n"
                     "vmullt.s16 q6, q5, q4\n"
                     "vadd.i32 %q[o0], %q[o0], q6\n"
                     "le lr, 1b\n"
                     "2:\n"
                     : [e0] "+w"(e0), [o0] "+w"(o0), [p0] "+r"(p0), [w] "+l"(w), [a] "=&l"(a)
                     : [n] "r"(n), [off] "w"(off)
                     : "q4", "q5", "q6", "lr", "memory");
    acc[0] = e0;
    acc[1] = o0;
}

/*
 * One requantisation step for accumulator vector A with the record vectors
 * at rec: multiplier at MULT, right shift at RIGHT bytes (q4, q5, q6 free).
 */
#define AD_DW_MVE_SCALE(A)                                                                                         \
    "vqrdmulh.s32 " A ", " A ", q4\n"                                                                              \
    "vand q6, " A ", q5\n"                                                                                         \
    "vshr.s32 q6, q6, #31\n"                                                                                       \
    "vqadd.s32 " A ", " A ", q6\n"                                                                                 \
    "vrshl.s32 " A ", " A ", q5\n"                                                                                 \
    "vadd.i32 " A ", " A ", %[zp]\n"

/*
 * Requantises a full block of eight channels of two pixels (acc[0]/acc[1]
 * even/odd channels of pixel 0 to out0, acc[2]/acc[3] of pixel 1 to out1) and
 * stores them: saturating narrow to int16, clamp, bytes. With left, the left
 * shifts first. 40 instructions (46 with left) where GCC 12 spills to 100.
 */
AD_DW_MVE_INLINE void ad_dw_mve_finish_two(int32x4_t *acc, const int32_t *rec, int32_t zp, int32_t lo, int32_t hi,
                                           int8_t *out0, int8_t *out1, int left)
{
    int32x4_t e0 = acc[0], o0 = acc[1], e1 = acc[2], o1 = acc[3];
    if (left)
    {
        e0 = vshlq_s32(e0, vldrwq_s32(rec + 16));
        e1 = vshlq_s32(e1, vldrwq_s32(rec + 16));
        o0 = vshlq_s32(o0, vldrwq_s32(rec + 20));
        o1 = vshlq_s32(o1, vldrwq_s32(rec + 20));
    }
    __asm__ volatile("vldrw.32 q4, [%[rec], #32]\n"
                     "vldrw.32 q5, [%[rec], #96]\n" AD_DW_MVE_SCALE("%q[e0]") AD_DW_MVE_SCALE("%q[e1]")
                     "vldrw.32 q4, [%[rec], #48]\n"
                     "vldrw.32 q5, [%[rec], #112]\n" AD_DW_MVE_SCALE("%q[o0]") AD_DW_MVE_SCALE("%q[o1]")
                     "vqmovnb.s32 q4, %q[e0]\n"
                     "vqmovnt.s32 q4, %q[o0]\n"
                     "vdup.16 q5, %[lo]\n"
                     "vdup.16 q6, %[hi]\n"
                     "vmax.s16 q4, q4, q5\n"
                     "vmin.s16 q4, q4, q6\n"
                     "vstrb.16 q4, [%[out0]]\n"
                     "vqmovnb.s32 q4, %q[e1]\n"
                     "vqmovnt.s32 q4, %q[o1]\n"
                     "vmax.s16 q4, q4, q5\n"
                     "vmin.s16 q4, q4, q6\n"
                     "vstrb.16 q4, [%[out1]]\n"
                     : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1)
                     : [rec] "r"(rec), [zp] "r"(zp), [lo] "r"(lo), [hi] "r"(hi), [out0] "l"(out0), [out1] "l"(out1)
                     : "q4", "q5", "q6", "memory");
}

/* ad_dw_mve_finish_two for one pixel (acc[0]/acc[1] to out0). */
AD_DW_MVE_INLINE void ad_dw_mve_finish_one(int32x4_t *acc, const int32_t *rec, int32_t zp, int32_t lo, int32_t hi,
                                           int8_t *out0, int left)
{
    int32x4_t e0 = acc[0], o0 = acc[1];
    if (left)
    {
        e0 = vshlq_s32(e0, vldrwq_s32(rec + 16));
        o0 = vshlq_s32(o0, vldrwq_s32(rec + 20));
    }
    __asm__ volatile("vldrw.32 q4, [%[rec], #32]\n"
                     "vldrw.32 q5, [%[rec], #96]\n" AD_DW_MVE_SCALE("%q[e0]")
                     "vldrw.32 q4, [%[rec], #48]\n"
                     "vldrw.32 q5, [%[rec], #112]\n" AD_DW_MVE_SCALE("%q[o0]")
                     "vqmovnb.s32 q4, %q[e0]\n"
                     "vqmovnt.s32 q4, %q[o0]\n"
                     "vdup.16 q5, %[lo]\n"
                     "vdup.16 q6, %[hi]\n"
                     "vmax.s16 q4, q4, q5\n"
                     "vmin.s16 q4, q4, q6\n"
                     "vstrb.16 q4, [%[out0]]\n"
                     : [e0] "+w"(e0), [o0] "+w"(o0)
                     : [rec] "r"(rec), [zp] "r"(zp), [lo] "r"(lo), [hi] "r"(hi), [out0] "l"(out0)
                     : "q4", "q5", "q6", "memory");
}

/* The requantisation before the clamp of one accumulator: record vectors at rec (mult, left, right at +8, +16, +24). */
AD_DW_MVE_INLINE int32x4_t ad_dw_mve_scale(int32x4_t v, const int32_t *rec, int32_t zp, int left)
{
    int32x4_t right = vldrwq_s32(rec + 24);
    int32x4_t h;
    if (left)
    {
        v = vshlq_s32(v, vldrwq_s32(rec + 16));
    }
    h = vqrdmulhq_s32(v, vldrwq_s32(rec + 8));
    h = vqaddq_s32(h, vshrq_n_s32(vandq_s32(h, right), 31));
    return vaddq_n_s32(vrshlq_s32(h, right), zp);
}

/*
 * Stores the channels of a last partial block (even lanes e, odd lanes o;
 * predicate p) at out: narrowed with saturation to int16 (which keeps every
 * clamp to int8 bounds exact), clamped, stored as bytes.
 */
AD_DW_MVE_INLINE void ad_dw_mve_put(int32x4_t e, int32x4_t o, int32_t lo, int32_t hi, int8_t *out, mve_pred16_t p)
{
    int16x8_t r = vqmovnbq_s32(vdupq_n_s16(0), e);
    r = vminq_s16(vmaxq_s16(vqmovntq_s32(r, o), vdupq_n_s16((int16_t)lo)), vdupq_n_s16((int16_t)hi));
    vstrbq_p_s16(out, r, p);
}

/*
 * All channels of one (two == 0) or two output pixels; taps0[t] and taps1[t]
 * point at the input pixel of tap t, the weights are packed (8 bytes per
 * block and tap). Called with constant two and left, so each call site
 * compiles to its own loop.
 */
AD_DW_MVE_INLINE void ad_dw_mve_pass(const int8_t *const *taps0, const int8_t *const *taps1, int32_t n_taps,
                                     const int8_t *packed, int32_t out_c, const int32_t *records,
                                     const ad_conv_quant *quant, int8_t *out0, int8_t *out1, int two, int left)
{
    int32_t zp = quant->output_zero_point;
    int32_t lo = quant->activation.min;
    int32_t hi = quant->activation.max;
    const int32_t *rec = records + AD_DW_MVE_HEADER;
    const int8_t *w = packed;
    int32_t c, t;
    for (c = 0; c < out_c; c += 8, rec += AD_DW_MVE_RECORD, w += (size_t)n_taps * 8)
    {
        mve_pred16_t p;
        int32x4_t acc[4];
        acc[0] = vldrwq_s32(rec);
        acc[1] = vldrwq_s32(rec + 4);
        acc[2] = acc[0];
        acc[3] = acc[1];
        if (out_c - c >= 8)
        {
            uint16x8_t off = vidupq_n_u16((uint32_t)c, 1);
            if (two)
            {
                ad_dw_mve_taps_two(acc, taps0, taps1, w, n_taps, off);
                ad_dw_mve_finish_two(acc, rec, zp, lo, hi, out0 + c, out1 + c, left);
            }
            else
            {
                ad_dw_mve_taps_one(acc, taps0, w, n_taps, off);
                ad_dw_mve_finish_one(acc, rec, zp, lo, hi, out0 + c, left);
            }
            continue;
        }
        /* The last 1-7 channels: the packed weights are 0 past out_c, the input loads stop there. */
        p = vctp16q((uint32_t)(out_c - c));
        for (t = 0; t < n_taps; t++)
        {
            int16x8_t k = vldrbq_s16(w + (size_t)t * 8);
            int16x8_t x = vldrbq_z_s16(taps0[t] + c, p);
            acc[0] = vaddq_s32(acc[0], vmullbq_int_s16(x, k));
            acc[1] = vaddq_s32(acc[1], vmulltq_int_s16(x, k));
            if (two)
            {
                x = vldrbq_z_s16(taps1[t] + c, p);
                acc[2] = vaddq_s32(acc[2], vmullbq_int_s16(x, k));
                acc[3] = vaddq_s32(acc[3], vmulltq_int_s16(x, k));
            }
        }
        ad_dw_mve_put(ad_dw_mve_scale(acc[0], rec, zp, left), ad_dw_mve_scale(acc[1], rec + 4, zp, left), lo, hi,
                      out0 + c, p);
        if (two)
        {
            ad_dw_mve_put(ad_dw_mve_scale(acc[2], rec, zp, left), ad_dw_mve_scale(acc[3], rec + 4, zp, left), lo, hi,
                          out1 + c, p);
        }
    }
}
#endif

/* All channels of one or (two) two output pixels; tapsN[t] points at the input pixel of tap t. */
AD_DW_MVE_NOINLINE void ad_dw_mve_pixels(const int8_t *const *taps0, const int8_t *const *taps1, int32_t n_taps,
                                         const int8_t *packed, int32_t out_c, const int32_t *records,
                                         const ad_conv_quant *quant, int8_t *out0, int8_t *out1, int two)
{
#if AD_MVE
    if (records[0] != 0)
    {
        if (two)
        {
            ad_dw_mve_pass(taps0, taps1, n_taps, packed, out_c, records, quant, out0, out1, 1, 1);
        }
        else
        {
            ad_dw_mve_pass(taps0, taps0, n_taps, packed, out_c, records, quant, out0, out0, 0, 1);
        }
    }
    else if (two)
    {
        ad_dw_mve_pass(taps0, taps1, n_taps, packed, out_c, records, quant, out0, out1, 1, 0);
    }
    else
    {
        ad_dw_mve_pass(taps0, taps0, n_taps, packed, out_c, records, quant, out0, out0, 0, 0);
    }
#else
    int32_t c, t, j;
    for (j = 0; j < (two ? 2 : 1); j++)
    {
        const int8_t *const *taps = j == 0 ? taps0 : taps1;
        int8_t *out = j == 0 ? out0 : out1;
        for (c = 0; c < out_c; c++)
        {
            /* Channel c's lane in its block record: even channels first, then odd ones. */
            const int32_t *rec = records + AD_DW_MVE_HEADER + (size_t)(c >> 3) * AD_DW_MVE_RECORD + ((c & 1) << 2) +
                                 ((c & 7) >> 1);
            int32_t acc = rec[0];
            for (t = 0; t < n_taps; t++)
            {
                acc = ad_wrap_add(acc, ad_wrap_mul(taps[t][c], packed[((size_t)(c >> 3) * n_taps + t) * 8 + (c & 7)]));
            }
            acc = ad_requantize(acc, rec[8], rec[16] + rec[24]);
            out[c] = (int8_t)ad_clamp_i32(ad_wrap_add(acc, quant->output_zero_point), quant->activation.min,
                                          quant->activation.max);
        }
    }
#endif
}

/* Checks the limits; false when the layer is beyond them. */
static inline int ad_dw_mve_check(int32_t n_taps, int32_t out_c, const int32_t *records)
{
    return records != NULL && out_c <= AD_MVE_MAX_CHANNELS && n_taps <= AD_DW_MVE_MAX_TAPS;
}

/*
 * Points the state into the caller's scratch and fills the zero-point row
 * (when `padded`); AD_ERR_ARG when the scratch is missing or too small.
 */
static inline ad_status ad_dw_mve_bind(ad_dw_mve_state *s, const ad_context *ctx, int32_t n_taps, int32_t out_c,
                                       int padded, const ad_conv_quant *quant)
{
    int32_t slots = n_taps > 0 ? n_taps : 1;
    const int8_t **taps = (const int8_t **)ad_scratch(ctx, ad_dw_mve_scratch(n_taps, out_c, padded));
    if (taps == NULL)
    {
        return AD_ERR_ARG;
    }
    s->taps[0] = taps;
    s->taps[1] = taps + slots;
    s->padding = NULL;
    if (padded)
    {
        s->padding = (int8_t *)(taps + 2 * slots);
        ad_mve_fill(s->padding, (int8_t)quant->input_zero_point, out_c);
    }
    return AD_OK;
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
                                 const int8_t *packed, const int32_t *records, const ad_conv_quant *quant,
                                 int8_t *out_row)
{
    int32_t n_taps = k_h * k_w;
    const int8_t **taps0 = s->taps[0];
    const int8_t **taps1 = s->taps[1];
    int32_t ox;
    for (ox = 0; ox + 2 <= out_w; ox += 2)
    {
        ad_dw_mve_taps(s, rows, p, k_h, k_w, in_w, in_c, ox, taps0);
        ad_dw_mve_taps(s, rows, p, k_h, k_w, in_w, in_c, ox + 1, taps1);
        ad_dw_mve_pixels(taps0, taps1, n_taps, packed, out_c, records, quant, out_row + (size_t)ox * out_c,
                         out_row + (size_t)(ox + 1) * out_c, 1);
    }
    if (ox < out_w)
    {
        ad_dw_mve_taps(s, rows, p, k_h, k_w, in_w, in_c, ox, taps0);
        ad_dw_mve_pixels(taps0, taps0, n_taps, packed, out_c, records, quant, out_row + (size_t)ox * out_c,
                         out_row + (size_t)ox * out_c, 0);
    }
}

/*
 * A one-column image (in_w == out_w == k_w == 1, the streaming models' time
 * axis) through the row code as one row of in_h pixels: the filter's rows
 * become its taps along the row (the packed order is the same), so output
 * pixels pair up and the rows are looked up once, not per output row.
 */
static inline void ad_dw_mve_column(const ad_dw_mve_state *s, const int8_t *image, const ad_conv_params *p,
                                    int32_t k_h, int32_t in_h, int32_t in_c, int32_t out_h, int32_t out_c,
                                    const int8_t *packed, const int32_t *records, const ad_conv_quant *quant,
                                    int8_t *out)
{
    ad_conv_params along = *p;
    const int8_t *rows[1];
    along.stride.w = p->stride.h;
    along.padding.w = p->padding.h;
    along.dilation.w = p->dilation.h;
    rows[0] = image;
    ad_dw_mve_row(s, rows, &along, 1, k_h, in_h, in_c, out_h, out_c, packed, records, quant, out);
}

/* Whether the image is one column that ad_dw_mve_column can take. */
static inline int ad_dw_mve_is_column(int32_t in_w, int32_t out_w, int32_t k_w)
{
    return in_w == 1 && out_w == 1 && k_w == 1;
}

#endif /* AD_DW_MVE_H */
