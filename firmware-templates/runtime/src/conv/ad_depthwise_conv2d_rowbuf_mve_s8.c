/*
 * autodeploy runtime: int8 DEPTHWISE_CONV_2D under the row-buffer scheme,
 * Helium (MVE) variant: the contract and the values of
 * ad_depthwise_conv2d_rowbuf_s8 for depth multiplier 1. Eight channels per
 * pass: bytes widened to int16 on load, VMULLB / VMULLT products added into
 * two int32x4 accumulators (even and odd channels), the input
 * zero point folded into the bias per call (ad_mve.h); taps in the padding
 * read a row of input zero points, so every pixel runs the same loop, and the
 * requantisation works on the accumulators directly. Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_mve.h"
#include "ad_rowbuf.h"

#include <string.h>

#define AD_RB_ELEM ((int32_t)sizeof(int8_t))
#define AD_MVE_MAX_ROWS 16
#define AD_MVE_MAX_TAPS 64

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

ad_status ad_depthwise_conv2d_rowbuf_mve_s8(const ad_context *ctx,
                                            const ad_row_buffer *rb,
                                            const ad_dw_conv_params *params,
                                            const ad_conv_quant *quant,
                                            const ad_dims *input_dims,
                                            const int8_t *input,
                                            const ad_dims *filter_dims,
                                            const int8_t *filter,
                                            const int32_t *bias,
                                            const ad_dims *output_dims,
                                            int8_t *output)
{
    ad_rowbuf_geom g;
    ad_dw_mve_state s;
    const int8_t *rows[AD_MVE_MAX_ROWS] = {NULL};
    const int8_t *taps[AD_MVE_MAX_TAPS];
    const ad_conv_params *p;
    int32_t offset;
    int32_t oy, ox, c, ky, kx, t;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    ad_status status;

    (void)ctx;
    status = ad_dw_conv2d_check(params, input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) || input_dims->n != 1 ||
        rb->unit != AD_UNIT_ROWS || params->depth_multiplier != 1 || output_dims->c > AD_MVE_MAX_CHANNELS ||
        filter_dims->h > AD_MVE_MAX_ROWS || (int64_t)filter_dims->h * filter_dims->w > AD_MVE_MAX_TAPS)
    {
        return AD_ERR_ARG;
    }

    p = &params->conv;
    in_h = input_dims->h;
    in_w = input_dims->w;
    in_c = input_dims->c;
    k_h = filter_dims->h;
    k_w = filter_dims->w;
    out_h = output_dims->h;
    out_w = output_dims->w;
    out_c = output_dims->c;
    status = ad_rowbuf_init(&g, rb, input, in_h, in_w * in_c * AD_RB_ELEM, out_h, out_w * out_c * AD_RB_ELEM, k_h,
                            p->stride.h, p->dilation.h, p->padding.h);
    if (status != AD_OK)
    {
        return status;
    }
    /* bias + offset * (sum of the channel's taps); a tap in the padding reads the zero point, adding 0. */
    offset = ad_wrap_neg(quant->input_zero_point);
    memset(&s, 0, sizeof s);
    for (c = 0; c < out_c; c++)
    {
        int32_t sum = 0;
        for (t = 0; t < k_h * k_w; t++)
        {
            sum += filter[(size_t)t * out_c + c];
        }
        s.bias[ad_dw_mve_slot(c)] = ad_wrap_add(bias != NULL ? bias[c] : 0, ad_wrap_mul(offset, sum));
        s.mult[ad_dw_mve_slot(c)] = quant->multiplier[c];
        s.shift[ad_dw_mve_slot(c)] = quant->shift[c];
        s.padding[c] = (int8_t)quant->input_zero_point;
    }

    for (oy = 0; oy < out_h; oy++)
    {
        ad_rowbuf_save(&g, oy);
        for (ky = 0; ky < k_h; ky++)
        {
            int32_t iy = ad_tap(oy, p->stride.h, p->padding.h, p->dilation.h, ky, in_h);
            rows[ky] = iy < 0 ? NULL : (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
        }
        for (ox = 0; ox < out_w; ox++)
        {
            int8_t *out = output + ((size_t)oy * out_w + ox) * out_c;
            for (ky = 0, t = 0; ky < k_h; ky++)
            {
                for (kx = 0; kx < k_w; kx++, t++)
                {
                    int32_t ix = ad_tap(ox, p->stride.w, p->padding.w, p->dilation.w, kx, in_w);
                    taps[t] = (rows[ky] == NULL || ix < 0) ? s.padding : rows[ky] + (size_t)ix * in_c;
                }
            }
            ad_dw_mve_pixel(taps, k_h * k_w, filter, out_c, &s, quant, out);
        }
    }
    return AD_OK;
}
