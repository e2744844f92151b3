/*
 * autodeploy runtime: the output-pixel core of the Helium CONV_2D kernels
 * (internal). One output pixel from its receptive field laid out as one
 * contiguous window (k_h * k_w * depth bytes, the filter's own OHWI order), so
 * each output channel is a single dot product over the window. Taps in the
 * padding hold the input zero point: x + offset is 0 there, which keeps the
 * folded bias (ad_mve_fold_bias over the whole window) exact at the borders.
 */
#ifndef AD_CONV_MVE_H
#define AD_CONV_MVE_H

#include <string.h>

#include "ad_add_fused.h"
#include "ad_conv_check.h"
#include "ad_mve.h"

/*
 * Per-call state: the folded bias of every output channel, each channel's
 * shift split into its left (max(s, 0)) and right (min(s, 0)) parts, a pixel's
 * accumulators and one window.
 */
typedef struct
{
    int32_t bias[AD_MVE_MAX_CHANNELS];
    int32_t acc[AD_MVE_MAX_CHANNELS];
    int8_t left[AD_MVE_MAX_CHANNELS];
    int8_t right[AD_MVE_MAX_CHANNELS];
    int8_t window[AD_MVE_MAX_WINDOW];
} ad_conv_mve_state;

/* Fills one filter row's part of the window: taps left of, inside and right of the input. */
static inline void ad_conv_mve_fill_row(int8_t *dst, const int8_t *row, int32_t ox, const ad_conv_params *params,
                                        int32_t k_w, int32_t in_w, int32_t depth, int8_t zp)
{
    int32_t kx;
    if (row == NULL)
    {
        memset(dst, zp, (size_t)k_w * depth);
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
#if AD_MVE
        if (lo == 0 && hi == k_w && k_w * depth <= 16)
        {
            /* A short row wholly inside the input (kws layer 0: 4 bytes): one predicated copy, no memcpy call. */
            mve_pred16_t p = vctp8q((uint32_t)(k_w * depth));
            vstrbq_p_s8(dst, vldrbq_z_s8(row + (size_t)x0 * depth, p), p);
            return;
        }
#endif
        if (lo > 0)
        {
            memset(dst, zp, (size_t)lo * depth);
        }
        if (hi > lo)
        {
            memcpy(dst + (size_t)lo * depth, row + (size_t)(x0 + lo) * depth, (size_t)(hi - lo) * depth);
        }
        if (k_w > hi)
        {
            memset(dst + (size_t)hi * depth, zp, (size_t)(k_w - hi) * depth);
        }
        return;
    }
    for (kx = 0; kx < k_w; kx++)
    {
        int32_t ix = ad_tap(ox, params->stride.w, params->padding.w, params->dilation.w, kx, in_w);
        if (ix < 0)
        {
            memset(dst + (size_t)kx * depth, zp, (size_t)depth);
        }
        else
        {
            memcpy(dst + (size_t)kx * depth, row + (size_t)ix * depth, (size_t)depth);
        }
    }
}

#if AD_MVE
/*
 * Groups of four output channels while whole groups remain, in 16-byte chunks
 * and (with_tail) one predicated tail of n % 16 bytes; the four row pointers
 * run on into the next group. With fused, each group's four sums are
 * requantised in one vector and stored as int8 at out + oc (no accumulator
 * array); otherwise they go to s->acc. Returns the first channel not done.
 * Called with constant with_tail and fused, so each call site compiles to its
 * own tight loop.
 */
static inline __attribute__((always_inline)) int32_t ad_conv_mve_groups(ad_conv_mve_state *s, const int8_t *x,
                                                                        int32_t n, const int8_t *filter,
                                                                        int32_t out_c, int with_tail, int fused,
                                                                        const ad_conv_quant *quant, int8_t *out)
{
    int32_t rem = n & 15;
    mve_pred16_t tail = vctp8q((uint32_t)rem);
    const int8_t *w3 = filter;
    int32x4_t lo = vdupq_n_s32(fused ? quant->activation.min : 0);
    int32x4_t hi = vdupq_n_s32(fused ? quant->activation.max : 0);
    int32_t zp = fused ? quant->output_zero_point : 0;
    int32_t oc;
    for (oc = 0; oc + 4 <= out_c; oc += 4)
    {
        const int8_t *xp = x;
        const int8_t *w0 = w3;
        const int8_t *w1 = w0 + n;
        const int8_t *w2 = w1 + n;
        int32_t a0 = s->bias[oc], a1 = s->bias[oc + 1], a2 = s->bias[oc + 2], a3 = s->bias[oc + 3];
        int32_t i;
        w3 = w2 + n;
        for (i = n >> 4; i > 0; i--)
        {
            int8x16_t xv = vldrbq_s8(xp);
            xp += 16;
            a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w0));
            w0 += 16;
            a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1));
            w1 += 16;
            a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2));
            w2 += 16;
            a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3));
            w3 += 16;
        }
        if (with_tail)
        {
            int8x16_t xv = vldrbq_z_s8(xp, tail);
            a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w0, tail));
            a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w1, tail));
            a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w2, tail));
            a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w3, tail));
            w3 += rem;
        }
        if (fused)
        {
            int32x4_t v = vdupq_n_s32(a0);
            int32x4_t right = vldrbq_s32(s->right + oc);
            v = vsetq_lane_s32(a1, v, 1);
            v = vsetq_lane_s32(a2, v, 2);
            v = vsetq_lane_s32(a3, v, 3);
            v = vqrdmulhq_s32(vshlq_s32(v, vldrbq_s32(s->left + oc)), vldrwq_s32(quant->multiplier + oc));
            v = vqaddq_s32(v, vshrq_n_s32(vandq_s32(v, right), 31));
            v = vaddq_n_s32(vrshlq_s32(v, right), zp);
            vstrbq_s32(out + oc, vminq_s32(vmaxq_s32(v, lo), hi));
        }
        else
        {
            s->acc[oc] = a0;
            s->acc[oc + 1] = a1;
            s->acc[oc + 2] = a2;
            s->acc[oc + 3] = a3;
        }
    }
    return oc;
}
#endif

/* Checks the stack limits and folds the input zero point into the bias; *window gets k_h * k_w * depth. */
static inline ad_status ad_conv_mve_begin(ad_conv_mve_state *s, const ad_conv_quant *quant, const ad_dims *filter_dims,
                                          const ad_dims *output_dims, const int8_t *filter, const int32_t *bias,
                                          int32_t *window)
{
    int32_t c;
    *window = filter_dims->h * filter_dims->w * filter_dims->c;
    if (output_dims->c > AD_MVE_MAX_CHANNELS || *window > AD_MVE_MAX_WINDOW)
    {
        return AD_ERR_ARG;
    }
    ad_mve_fold_bias(filter, *window, output_dims->c, bias, ad_wrap_neg(quant->input_zero_point), s->bias);
    for (c = 0; c < output_dims->c; c++)
    {
        int32_t shift = quant->shift[c];
        s->left[c] = (int8_t)(shift > 0 ? shift : 0);
        s->right[c] = (int8_t)(shift > 0 ? 0 : shift);
    }
    return AD_OK;
}

/* s->acc[oc] = folded bias + dot(window at x, filter row oc) for oc < out_c (window of n bytes). */
static inline void ad_conv_mve_dots(ad_conv_mve_state *s, const int8_t *x, int32_t n, const int8_t *filter,
                                    int32_t out_c)
{
    int32_t oc = 0;
#if AD_MVE
    oc = (n & 15) == 0 ? ad_conv_mve_groups(s, x, n, filter, out_c, 0, 0, NULL, NULL)
                       : ad_conv_mve_groups(s, x, n, filter, out_c, 1, 0, NULL, NULL);
#endif
    for (; oc < out_c; oc += 4)
    {
        ad_mve_dot_rows(x, filter + (size_t)oc * n, n, n, out_c - oc < 4 ? out_c - oc : 4, s->bias + oc, s->acc + oc);
    }
}

/* Writes out_c int8 outputs of one pixel whose window (n bytes) is at x. */
static inline void ad_conv_mve_pixel(ad_conv_mve_state *s, const int8_t *x, int32_t n, const int8_t *filter,
                                     int32_t out_c, const ad_conv_quant *quant, int8_t *out)
{
    int32_t oc = 0;
#if AD_MVE
    uintptr_t xa = (uintptr_t)x, oa = (uintptr_t)out;
    if (xa < oa + (uintptr_t)out_c && oa < xa + (uintptr_t)n)
    {
        /* In place (1x1 row-buffer pixels): the outputs are stored as they are done, so read a copy. */
        int32_t i;
        for (i = 0; i < n; i += 16)
        {
            mve_pred16_t p = vctp8q((uint32_t)(n - i));
            vstrbq_p_s8(s->window + i, vldrbq_z_s8(x + i, p), p);
        }
        x = s->window;
    }
    /* Whole groups of four channels requantised as they are done; the last 1-3 through s->acc. */
    oc = (n & 15) == 0 ? ad_conv_mve_groups(s, x, n, filter, out_c, 0, 1, quant, out)
                       : ad_conv_mve_groups(s, x, n, filter, out_c, 1, 1, quant, out);
#endif
    for (; oc < out_c; oc += 4)
    {
        int32_t rows = out_c - oc < 4 ? out_c - oc : 4;
        ad_mve_dot_rows(x, filter + (size_t)oc * n, n, n, rows, s->bias + oc, s->acc + oc);
        ad_mve_requantize(s->acc + oc, rows, quant->multiplier + oc, quant->shift + oc, quant->output_zero_point,
                          quant->activation, out + oc);
    }
}

/* Gathers the window of output pixel (oy, ox) from a whole image (in_h x in_w x depth, k_h x k_w filter). */
static inline void ad_conv_mve_gather(ad_conv_mve_state *s, const int8_t *image, int32_t oy, int32_t ox,
                                      const ad_conv_params *params, int32_t in_h, int32_t in_w, int32_t depth,
                                      int32_t k_h, int32_t k_w, int8_t zp)
{
    int32_t ky;
    for (ky = 0; ky < k_h; ky++)
    {
        int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
        ad_conv_mve_fill_row(s->window + (size_t)ky * k_w * depth, iy < 0 ? NULL : image + (size_t)iy * in_w * depth,
                             ox, params, k_w, in_w, depth, zp);
    }
}

/* out[c] = ADD(requantized s->acc[c], out[c]) for c < out_c (ad_add_fused.h's values). */
static inline void ad_conv_mve_add(const ad_conv_mve_state *s, int32_t out_c, const ad_conv_quant *quant,
                                   const ad_add_quant *add_quant, int8_t *out)
{
    int32_t c;
#if AD_MVE
    for (c = 0; c < out_c; c += 4)
    {
        mve_pred16_t p = vctp32q((uint32_t)(out_c - c));
        int32x4_t conv = ad_mve_requantize_q(vldrwq_z_s32(s->acc + c, p), vldrwq_z_s32(quant->multiplier + c, p),
                                             vldrbq_z_s32(quant->shift + c, p), quant->output_zero_point,
                                             quant->activation);
        vstrbq_p_s32(out + c, ad_mve_add_q(add_quant, conv, vldrbq_z_s32(out + c, p)), p);
    }
#else
    for (c = 0; c < out_c; c++)
    {
        int32_t v = ad_wrap_add(ad_requantize(s->acc[c], quant->multiplier[c], quant->shift[c]), quant->output_zero_point);
        out[c] = ad_add_fused_s8(add_quant, (int8_t)ad_clamp_i32(v, quant->activation.min, quant->activation.max), out[c]);
    }
#endif
}

/*
 * CONV_2D over whole images for ad_conv2d_mve_s8 and, with add_quant,
 * ad_conv2d_add_mve_s8 (the value is then added to out[i], which is read first).
 */
static inline ad_status ad_conv_mve_image(const ad_conv_params *params, const ad_conv_quant *quant,
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
    if (quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) ||
        filter_dims->c != input_dims->c)
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
    status = ad_conv_mve_begin(&s, quant, filter_dims, output_dims, filter, bias, &window);
    if (status != AD_OK)
    {
        return status;
    }
    zp = (int8_t)quant->input_zero_point;

    for (b = 0; b < output_dims->n; b++)
    {
        const int8_t *image = input + (size_t)b * in_h * in_w * in_c;
        for (oy = 0; oy < out_h; oy++)
        {
            int8_t *out_row = output + (((size_t)b * out_h + oy) * out_w) * out_c;
            for (ox = 0; ox < out_w; ox++)
            {
                ad_conv_mve_gather(&s, image, oy, ox, params, in_h, in_w, in_c, k_h, k_w, zp);
                if (add_quant == NULL)
                {
                    ad_conv_mve_pixel(&s, s.window, window, filter, out_c, quant, out_row + (size_t)ox * out_c);
                }
                else
                {
                    ad_conv_mve_dots(&s, s.window, window, filter, out_c);
                    ad_conv_mve_add(&s, out_c, quant, add_quant, out_row + (size_t)ox * out_c);
                }
            }
        }
    }
    return AD_OK;
}

#endif /* AD_CONV_MVE_H */
