/*
 * autodeploy runtime: the output-pixel core of the Helium CONV_2D kernels
 * (internal). One output pixel from its receptive field laid out as one
 * contiguous window (k_h * k_w * depth = n bytes, the filter's own OHWI
 * order), so each output channel is a single dot product over the window.
 * Taps in the padding hold the input zero point: x + offset is 0 there, which
 * keeps the folded bias exact at the borders.
 *
 * The code generator hands these kernels two generation-time tables instead
 * of the int8 filter and the int32 bias (crates/autodeploy-codegen,
 * select/mve.rs), and the quant record's multiplier and shift are not read:
 *
 * - filter, packed: per group g of G = AD_CONV_MVE_GROUP output channels, per
 *   16-byte chunk k of the window, the G channels' chunks one after another:
 *   packed[((g * chunks + k) * G + j) * 16 + b] = w[G g + j][16k + b], 0 past
 *   n and past out_c (chunks = ceil(n / 16)). One pointer then feeds the
 *   group with fixed offsets, and a window tail needs no weight predicate.
 * - bias, the channel records (0 past out_c): S = ad_conv_mve_section(out_c)
 *   biases with the input zero point folded in (bias - z_in * sum(w), modulo
 *   2^32), then per vector of four channels four multipliers, four left
 *   shifts (shift & 31 when positive, else 0) and four right shifts
 *   (-min(-shift, 31) when not positive, else 0): 4 S values.
 */
#ifndef AD_CONV_MVE_H
#define AD_CONV_MVE_H

#include <string.h>

#include "ad_add_fused.h"
#include "ad_conv_check.h"
#include "ad_mve.h"

/* Each call site of the pass compiles to its own loop (the constant flags fold away). */
#if defined(__GNUC__)
#define AD_CONV_MVE_INLINE static inline __attribute__((always_inline))
/* Keeps the pixel loops out of line: one copy for every call site, with all registers to itself. */
#define AD_CONV_MVE_NOINLINE static __attribute__((noinline))
#else
#define AD_CONV_MVE_INLINE static inline
#define AD_CONV_MVE_NOINLINE static
#endif

/* Output channels per group of the packed layout. */
#define AD_CONV_MVE_GROUP 3

/*
 * Per-call state, in the caller's scratch (the planner places it in the
 * arena, live during the layer only): the windows of two output pixels and
 * their sums for one block of output channels. The block is all of out_c
 * when the scratch holds ad_conv2d_mve_s8_scratch_size bytes; with less
 * (down to the sums of 12 channels), the channels run in blocks of a
 * multiple of 12 (groups of 3, vectors of 4) that fit.
 */
typedef struct
{
    int32_t *acc[2];
    int8_t *window[2];
    int32_t block;
} ad_conv_mve_state;

/* The int32 sums for a block of channels (whole groups: a group writes all its sums) and the window bytes. */
#define AD_CONV_MVE_SUMS(block) (2 * (((block) + AD_CONV_MVE_GROUP - 1) / AD_CONV_MVE_GROUP * AD_CONV_MVE_GROUP))
#define AD_CONV_MVE_WINDOWS(window) (2 * ((window) > 0 ? (window) : 1))
/* Channels of the smallest block. */
#define AD_CONV_MVE_BLOCK 12

/* Scratch bytes for blocks of `block` channels and a window-byte receptive field: the sums, then the windows. */
static inline int32_t ad_conv_mve_scratch(int32_t window, int32_t block)
{
    return (int32_t)sizeof(int32_t) * AD_CONV_MVE_SUMS(block) + AD_CONV_MVE_WINDOWS(window);
}

/*
 * Points the state into the caller's scratch, with the largest block it
 * holds; AD_ERR_ARG when it is missing or holds less than the smallest block.
 */
static inline ad_status ad_conv_mve_bind(ad_conv_mve_state *s, const ad_context *ctx, int32_t out_c, int32_t window)
{
    int32_t least = out_c < AD_CONV_MVE_BLOCK ? out_c : AD_CONV_MVE_BLOCK;
    int32_t *sums = (int32_t *)ad_scratch(ctx, ad_conv_mve_scratch(window, least));
    int32_t room;
    if (sums == NULL)
    {
        return AD_ERR_ARG;
    }
    /* Sums per pixel the scratch holds; a block of 12k channels is 12k sums. */
    room = (ctx->size - AD_CONV_MVE_WINDOWS(window)) / (int32_t)(2 * sizeof(int32_t));
    s->block = room >= AD_CONV_MVE_SUMS(out_c) / 2 ? out_c : room / AD_CONV_MVE_BLOCK * AD_CONV_MVE_BLOCK;
    s->acc[0] = sums;
    s->acc[1] = sums + AD_CONV_MVE_SUMS(s->block) / 2;
    s->window[0] = (int8_t *)(sums + AD_CONV_MVE_SUMS(s->block));
    s->window[1] = s->window[0] + AD_CONV_MVE_WINDOWS(window) / 2;
    return AD_OK;
}

/* Fills one filter row's part of the window: taps left of, inside and right of the input. */
static inline void ad_conv_mve_fill_row(int8_t *dst, const int8_t *row, int32_t ox, const ad_conv_params *params,
                                        int32_t k_w, int32_t in_w, int32_t depth, int8_t zp)
{
    int32_t kx;
    if (row == NULL)
    {
        ad_mve_fill(dst, zp, k_w * depth);
        return;
    }
    if (params->dilation.w == 1)
    {
        /* One copy for the taps inside the input, fills for those in the padding. */
        int32_t x0 = ox * params->stride.w - params->padding.w;
        int32_t lo = x0 < 0 ? -x0 : 0;
        int32_t hi = in_w - x0 < k_w ? in_w - x0 : k_w;
        if (hi < lo)
        {
            hi = lo;
        }
        if (lo > 0)
        {
            ad_mve_fill(dst, zp, lo * depth);
        }
        ad_mve_copy(dst + (size_t)lo * depth, row + (size_t)(x0 + lo) * depth, (hi - lo) * depth);
        if (k_w > hi)
        {
            ad_mve_fill(dst + (size_t)hi * depth, zp, (k_w - hi) * depth);
        }
        return;
    }
    for (kx = 0; kx < k_w; kx++)
    {
        int32_t ix = ad_tap(ox, params->stride.w, params->padding.w, params->dilation.w, kx, in_w);
        if (ix < 0)
        {
            ad_mve_fill(dst + (size_t)kx * depth, zp, depth);
        }
        else
        {
            ad_mve_copy(dst + (size_t)kx * depth, row + (size_t)ix * depth, depth);
        }
    }
}

/* Length of each section of the channel records: out_c rounded up to 12 (groups of 3, vectors of 4). */
static inline int32_t ad_conv_mve_section(int32_t out_c)
{
    return (out_c + 11) / 12 * 12;
}

/*
 * The sums of all out_c channels of one output pixel (two == 0: window x0,
 * into acc0) or of two (also x1, into acc1), each window n bytes, the folded
 * bias included. Each group of three channels reads its 16-byte weight chunks
 * through one pointer (the packed layout) and each chunk serves both pixels:
 * per 16 window bytes 2 + 3 loads and 6 VMLADAVA for 96 MACs. Three channels,
 * not four, because VMLADAVA accumulates in even registers only: six
 * accumulators fit, eight spill. Called with a constant two, so each call
 * site compiles to its own loop.
 */
AD_CONV_MVE_INLINE void ad_conv_mve_sums(const int8_t *x0, const int8_t *x1, int32_t n, const int8_t *packed,
                                          const int32_t *bias, int32_t out_c, int32_t *acc0, int32_t *acc1, int two)
{
    const int8_t *w = packed;
    int32_t oc;
#if AD_MVE
    int32_t chunks = n >> 4;
    int32_t rem = n & 15;
    for (oc = 0; oc < out_c; oc += AD_CONV_MVE_GROUP)
    {
        int32_t a0 = bias[oc], a1 = bias[oc + 1], a2 = bias[oc + 2];
        int32_t b0 = a0, b1 = a1, b2 = a2;
        const int8_t *p0 = x0;
        const int8_t *p1 = x1;
        /*
         * The chunk loop in assembly: GCC 12 keeps a copy of the weight
         * pointer and recomputes the second window's address (a constant
         * offset from the first) in every iteration, 16 instructions instead
         * of these 12. WLS skips the loop when there is no whole chunk.
         */
        if (two)
        {
            __asm__ volatile("wls lr, %[count], 2f\n"
                             "1:\n"
                             "vldrb.8 q0, [%[p0]], #16\n"
                             "vldrb.8 q1, [%[p1]], #16\n"
                             "vldrb.8 q2, [%[w]], #48\n"
                             "vmladava.s8 %[a0], q0, q2\n"
                             "vmladava.s8 %[b0], q1, q2\n"
                             "vldrb.8 q2, [%[w], #-32]\n"
                             "vmladava.s8 %[a1], q0, q2\n"
                             "vmladava.s8 %[b1], q1, q2\n"
                             "vldrb.8 q2, [%[w], #-16]\n"
                             "vmladava.s8 %[a2], q0, q2\n"
                             "vmladava.s8 %[b2], q1, q2\n"
                             "le lr, 1b\n"
                             "2:\n"
                             : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [b0] "+Te"(b0), [b1] "+Te"(b1),
                               [b2] "+Te"(b2), [p0] "+r"(p0), [p1] "+r"(p1), [w] "+r"(w)
                             : [count] "r"(chunks)
                             : "q0", "q1", "q2", "lr", "memory");
        }
        else
        {
            __asm__ volatile("wls lr, %[count], 2f\n"
                             "1:\n"
                             "vldrb.8 q0, [%[p0]], #16\n"
                             "vldrb.8 q2, [%[w]], #48\n"
                             "vmladava.s8 %[a0], q0, q2\n"
                             "vldrb.8 q2, [%[w], #-32]\n"
                             "vmladava.s8 %[a1], q0, q2\n"
                             "vldrb.8 q2, [%[w], #-16]\n"
                             "vmladava.s8 %[a2], q0, q2\n"
                             "le lr, 1b\n"
                             "2:\n"
                             : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [p0] "+r"(p0), [w] "+r"(w)
                             : [count] "r"(chunks)
                             : "q0", "q2", "lr", "memory");
        }
        if (rem != 0)
        {
            /* The window's last bytes: the packed weights are 0 past n, the window loads stop at n. */
            mve_pred16_t t = vctp8q((uint32_t)rem);
            int8x16_t u = vldrbq_z_s8(p0, t);
            int8x16_t v = vldrbq_z_s8(two ? p1 : p0, t);
            a0 = vmladavaq_s8(a0, u, vldrbq_s8(w));
            a1 = vmladavaq_s8(a1, u, vldrbq_s8(w + 16));
            a2 = vmladavaq_s8(a2, u, vldrbq_s8(w + 32));
            if (two)
            {
                b0 = vmladavaq_s8(b0, v, vldrbq_s8(w));
                b1 = vmladavaq_s8(b1, v, vldrbq_s8(w + 16));
                b2 = vmladavaq_s8(b2, v, vldrbq_s8(w + 32));
            }
            w += 48;
        }
        acc0[oc] = a0;
        acc0[oc + 1] = a1;
        acc0[oc + 2] = a2;
        if (two)
        {
            acc1[oc] = b0;
            acc1[oc + 1] = b1;
            acc1[oc + 2] = b2;
        }
    }
#else
    int32_t chunks = (n + 15) >> 4;
    int32_t j, i, px;
    for (oc = 0; oc < out_c; oc += AD_CONV_MVE_GROUP, w += (size_t)chunks * AD_CONV_MVE_GROUP * 16)
    {
        for (px = 0; px < (two ? 2 : 1); px++)
        {
            const int8_t *x = px == 0 ? x0 : x1;
            int32_t *acc = px == 0 ? acc0 : acc1;
            for (j = 0; j < AD_CONV_MVE_GROUP && oc + j < out_c; j++)
            {
                int32_t a = bias[oc + j];
                for (i = 0; i < n; i++)
                {
                    int8_t k = w[((size_t)(i >> 4) * AD_CONV_MVE_GROUP + j) * 16 + (i & 15)];
                    a = ad_wrap_add(a, ad_wrap_mul(x[i], k));
                }
                acc[oc + j] = a;
            }
        }
    }
#endif
}

/*
 * out[c] = requantised acc[c] (multiplier, left and right shift from the
 * records), plus the output zero point, clamped; with add_quant, added to the
 * residual already at out[c] (ad_add_fused.h's values). Four channels per
 * vector, the last one predicated.
 */
static inline void ad_conv_mve_finish(const int32_t *acc, const int32_t *rec, int32_t out_c,
                                      const ad_conv_quant *quant, const ad_add_quant *add_quant, int8_t *out)
{
    int32_t zp = quant->output_zero_point;
    int32_t c;
#if AD_MVE
    int32x4_t lo = vdupq_n_s32(quant->activation.min);
    int32x4_t hi = vdupq_n_s32(quant->activation.max);
    if (add_quant == NULL)
    {
        /*
         * Tail-predicated (DLSTP/LETP): the last pass stores only the
         * channels left. Narrowing stores take low registers ("l").
         */
        __asm__ volatile("dlstp.32 lr, %[n]\n"
                         "1:\n"
                         "vldrw.32 q0, [%[acc]], #16\n"
                         "vldrw.32 q1, [%[rec], #16]\n"
                         "vshl.s32 q0, q0, q1\n"
                         "vldrw.32 q1, [%[rec]], #48\n"
                         "vqrdmulh.s32 q0, q0, q1\n"
                         "vldrw.32 q1, [%[rec], #-16]\n"
                         "vand q2, q0, q1\n"
                         "vshr.s32 q2, q2, #31\n"
                         "vqadd.s32 q0, q0, q2\n"
                         "vrshl.s32 q0, q0, q1\n"
                         "vadd.i32 q0, q0, %[zp]\n"
                         "vmax.s32 q0, q0, %q[lo]\n"
                         "vmin.s32 q0, q0, %q[hi]\n"
                         "vstrb.32 q0, [%[out]], #4\n"
                         "letp lr, 1b\n"
                         : [acc] "+r"(acc), [rec] "+r"(rec), [out] "+l"(out)
                         : [n] "r"(out_c), [zp] "r"(zp), [lo] "w"(lo), [hi] "w"(hi)
                         : "q0", "q1", "q2", "lr", "memory");
        return;
    }
    {
        /* ad_mve_add_q with its per-tensor scales split once, not per vector. */
        const ad_add_quant *q = add_quant;
        ad_mve_scale s1 = ad_mve_scale_of(q->input1_multiplier, q->input1_shift);
        ad_mve_scale s2 = ad_mve_scale_of(q->input2_multiplier, q->input2_shift);
        ad_mve_scale so = ad_mve_scale_of(q->output_multiplier, q->output_shift);
        int32x4_t add_lo = vdupq_n_s32(q->activation.min), add_hi = vdupq_n_s32(q->activation.max);
        for (c = 0; c < out_c; c += 4, rec += 12)
        {
            mve_pred16_t p = vctp32q((uint32_t)(out_c - c));
            int32x4_t r = vldrwq_s32(rec + 8);
            int32x4_t h = vqrdmulhq_s32(vshlq_s32(vldrwq_s32(acc + c), vldrwq_s32(rec + 4)), vldrwq_s32(rec));
            int32x4_t x1, x2;
            h = vqaddq_s32(h, vshrq_n_s32(vandq_s32(h, r), 31));
            h = vaddq_n_s32(vrshlq_s32(h, r), zp);
            h = vminq_s32(vmaxq_s32(h, lo), hi);
            /* The ADD: the convolution's value is input 1, the residual input 2. */
            x1 = ad_mve_scale_n(vshlq_r_s32(vsubq_n_s32(h, q->input1_zero_point), q->left_shift), &s1);
            x2 = ad_mve_scale_n(
                vshlq_r_s32(vsubq_n_s32(vldrbq_z_s32(out + c, p), q->input2_zero_point), q->left_shift), &s2);
            h = vaddq_n_s32(ad_mve_scale_n(vaddq_s32(x1, x2), &so), q->output_zero_point);
            vstrbq_p_s32(out + c, vminq_s32(vmaxq_s32(h, add_lo), add_hi), p);
        }
    }
#else
    for (c = 0; c < out_c; c++)
    {
        const int32_t *r = rec + (size_t)(c >> 2) * 12 + (c & 3);
        int32_t v = ad_wrap_add(ad_requantize(acc[c], r[0], r[4] + r[8]), zp);
        v = ad_clamp_i32(v, quant->activation.min, quant->activation.max);
        if (add_quant != NULL)
        {
            v = ad_add_fused_s8(add_quant, (int8_t)v, out[c]);
        }
        out[c] = (int8_t)v;
    }
#endif
}

/*
 * Output pixel x0 -> out0 and (two) x1 -> out1, one block of channels at a
 * time: the block's sums first, then its requantisation. With one block the
 * windows are read in full before any output is stored, so outputs may
 * overwrite the inputs in place; with more, the caller passes copies.
 */
AD_CONV_MVE_NOINLINE void ad_conv_mve_pixels(const ad_conv_mve_state *s, const int8_t *x0, const int8_t *x1,
                                             int32_t n, const int8_t *packed, const int32_t *records, int32_t out_c,
                                             const ad_conv_quant *quant, const ad_add_quant *add_quant, int8_t *out0,
                                             int8_t *out1, int two)
{
    /* A copy the compiler keeps in registers: the assembly's memory clobber would reload *quant per block. */
    const ad_conv_quant q = *quant;
    /* Per vector of four channels: multipliers, left shifts, right shifts (12 words). */
    const int32_t *rec = records + ad_conv_mve_section(out_c);
    /* Packed filter bytes per output channel. */
    int32_t per_channel = ((n + 15) >> 4) * 16;
    int32_t oc, nc;
    for (oc = 0; oc < out_c; oc += nc)
    {
        const int8_t *w = packed + (size_t)oc * per_channel;
        nc = out_c - oc < s->block ? out_c - oc : s->block;
        if (two)
        {
            ad_conv_mve_sums(x0, x1, n, w, records + oc, nc, s->acc[0], s->acc[1], 1);
            ad_conv_mve_finish(s->acc[0], rec + 3 * oc, nc, &q, add_quant, out0 + oc);
            ad_conv_mve_finish(s->acc[1], rec + 3 * oc, nc, &q, add_quant, out1 + oc);
        }
        else
        {
            ad_conv_mve_sums(x0, x0, n, w, records + oc, nc, s->acc[0], s->acc[0], 0);
            ad_conv_mve_finish(s->acc[0], rec + 3 * oc, nc, &q, add_quant, out0 + oc);
        }
    }
}

/* Checks the contract and the window limit the emitter's choice mirrors; *window gets k_h * k_w * depth. */
static inline ad_status ad_conv_mve_begin(const ad_conv_quant *quant, const ad_dims *filter_dims, const int8_t *filter,
                                          const int32_t *records, int32_t *window)
{
    *window = filter_dims->h * filter_dims->w * filter_dims->c;
    if (quant == NULL || filter == NULL || records == NULL || *window > AD_MVE_MAX_WINDOW)
    {
        return AD_ERR_ARG;
    }
    return AD_OK;
}

/* Gathers the window of output pixel (oy, ox) from a whole image (in_h x in_w x depth, k_h x k_w filter). */
static inline void ad_conv_mve_gather(int8_t *window, const int8_t *image, int32_t oy, int32_t ox,
                                      const ad_conv_params *params, int32_t in_h, int32_t in_w, int32_t depth,
                                      int32_t k_h, int32_t k_w, int8_t zp)
{
    int32_t ky;
    for (ky = 0; ky < k_h; ky++)
    {
        int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
        ad_conv_mve_fill_row(window + (size_t)ky * k_w * depth, iy < 0 ? NULL : image + (size_t)iy * in_w * depth,
                             ox, params, k_w, in_w, depth, zp);
    }
}

/*
 * CONV_2D over whole images for ad_conv2d_mve_s8 and, with add_quant,
 * ad_conv2d_add_mve_s8 (the value is then added to out[i], which is read first).
 */
static inline ad_status ad_conv_mve_image(const ad_context *ctx, const ad_conv_params *params, const ad_conv_quant *quant,
                                          const ad_add_quant *add_quant, const ad_dims *input_dims,
                                          const int8_t *input, const ad_dims *filter_dims, const int8_t *filter,
                                          const int32_t *bias, const ad_dims *output_dims, int8_t *output)
{
    ad_conv_mve_state s;
    int32_t filters_per_group, window;
    int32_t b, oy, ox;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    int8_t zp;
    ad_status status;

    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (input == NULL || output == NULL || filter_dims->c != input_dims->c)
    {
        return AD_ERR_ARG;
    }
    status = ad_conv_mve_begin(quant, filter_dims, filter, bias, &window);
    if (status == AD_OK)
    {
        status = ad_conv_mve_bind(&s, ctx, output_dims->c, window);
    }
    if (status != AD_OK)
    {
        return status;
    }
    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    zp = (int8_t)quant->input_zero_point;

    for (b = 0; b < output_dims->n; b++)
    {
        const int8_t *image = input + (size_t)b * in_h * in_w * in_c;
        for (oy = 0; oy < out_h; oy++)
        {
            int8_t *out_row = output + (((size_t)b * out_h + oy) * out_w) * out_c;
            /* Two output pixels per pass, so each weight chunk serves both. */
            for (ox = 0; ox < out_w; ox += 2)
            {
                int two = ox + 1 < out_w;
                ad_conv_mve_gather(s.window[0], image, oy, ox, params, in_h, in_w, in_c, k_h, k_w, zp);
                if (two)
                {
                    ad_conv_mve_gather(s.window[1], image, oy, ox + 1, params, in_h, in_w, in_c, k_h, k_w, zp);
                }
                ad_conv_mve_pixels(&s, s.window[0], s.window[1], window, filter, bias, out_c, quant, add_quant,
                                   out_row + (size_t)ox * out_c, out_row + (size_t)(ox + 1) * out_c, two);
            }
        }
    }
    return AD_OK;
}

#endif /* AD_CONV_MVE_H */
