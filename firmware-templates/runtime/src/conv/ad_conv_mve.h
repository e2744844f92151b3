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

#include "ad_mve.h"

/* Per-call state: the folded bias of every output channel and a pixel's accumulators. */
typedef struct
{
    int32_t bias[AD_MVE_MAX_CHANNELS];
    int32_t acc[AD_MVE_MAX_CHANNELS];
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

/* Writes out_c int8 outputs of one pixel whose window (n bytes) is at x. */
static inline void ad_conv_mve_pixel(ad_conv_mve_state *s, const int8_t *x, int32_t n, const int8_t *filter,
                                     int32_t out_c, const ad_conv_quant *quant, int8_t *out)
{
    int32_t oc;
    for (oc = 0; oc < out_c; oc += 4)
    {
        ad_mve_dot_rows(x, filter + (size_t)oc * n, n, n, out_c - oc < 4 ? out_c - oc : 4, s->bias + oc, s->acc + oc);
    }
    ad_mve_requantize(s->acc, out_c, quant->multiplier, quant->shift, quant->output_zero_point, quant->activation, out);
}

#endif /* AD_CONV_MVE_H */
