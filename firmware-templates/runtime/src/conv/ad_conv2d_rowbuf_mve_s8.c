/*
 * autodeploy runtime: int8 CONV_2D under the row-buffer scheme, Helium (MVE)
 * variant: the values of ad_conv2d_rowbuf_s8 for one group (filter depth =
 * input depth), on the generation-time tables of ad_conv_mve.h instead of the
 * filter and bias. Per output pixel the receptive field is gathered into one
 * window (1x1: the pixel itself, or a copy when the channels run in blocks),
 * then each output channel is one VMLADAVA dot product over it, three
 * channels and two pixels per pass sharing the loads. Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_conv_mve.h"
#include "ad_rowbuf.h"

#define AD_RB_ELEM ((int32_t)sizeof(int8_t))
#define AD_MVE_MAX_ROWS 16

/*
 * The pixel scheme in 32-bit arithmetic (ad_rowbuf.h's rule, with fewer saves).
 * This kernel reads all of input pixel p before it writes output pixel p, so
 * only pixels that an earlier output overwrites need a copy: pixel r is saved
 * when first_write(r) < r, a subset of the scheme's saves (first_write(r) <= r,
 * the last read of r being output r), into the same slots at the same time,
 * which the scheme's check has already proved free.
 */
static int32_t ad_pixels_first_write(const ad_rowbuf_geom *g, int32_t r)
{
    int32_t start = r * (int32_t)g->in_unit;
    int32_t from = start - (int32_t)g->delta;
    int32_t y = from < 0 ? 0 : from / (int32_t)g->out_unit;
    if (y >= g->units_out || (int32_t)g->delta + y * (int32_t)g->out_unit >= start + (int32_t)g->in_unit)
    {
        return g->units_out;
    }
    return y;
}

/* Saves what output pixel p overwrites and later outputs still read; returns where pixel p is read. */
static const int8_t *ad_pixels_unit(const ad_rowbuf_geom *g, int32_t p)
{
    int32_t in = (int32_t)g->in_unit;
    int32_t start = (int32_t)g->delta + p * (int32_t)g->out_unit;
    int32_t end = start + (int32_t)g->out_unit;
    int32_t r = start < 0 ? 0 : start / in;
    int32_t last = end <= 0 ? -1 : (end - 1) / in;
    if (r < p + 1)
    {
        r = p + 1;
    }
    if (last > g->units_in - 1)
    {
        last = g->units_in - 1;
    }
    for (; r <= last; r++)
    {
        if (ad_pixels_first_write(g, r) == p)
        {
            memcpy(g->slots + (size_t)(r % g->rb->rows) * (size_t)in, g->input + (size_t)r * (size_t)in, (size_t)in);
        }
    }
    if (p < g->units_in && ad_pixels_first_write(g, p) < p)
    {
        return (const int8_t *)(g->slots + (size_t)(p % g->rb->rows) * (size_t)in);
    }
    return (const int8_t *)(g->input + (size_t)p * (size_t)in);
}

/* Copies the n bytes at x into window (so later stores cannot change what a pass reads). */
static const int8_t *ad_pixels_copy(int8_t *window, const int8_t *x, int32_t n)
{
    ad_mve_copy(window, x, n);
    return window;
}

ad_status ad_conv2d_rowbuf_mve_s8(const ad_context *ctx,
                                  const ad_row_buffer *rb,
                                  const ad_conv_params *params,
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
    ad_conv_mve_state s;
    const int8_t *rows[AD_MVE_MAX_ROWS] = {NULL};
    int32_t filters_per_group, window;
    int32_t oy, ox, ky, p;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    int8_t zp;
    int pixels, small, blocked;
    ad_status status;

    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || input == NULL || output == NULL || input_dims->n != 1 || filter_dims->c != input_dims->c ||
        filter_dims->h > AD_MVE_MAX_ROWS)
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
    pixels = rb->unit == AD_UNIT_PIXELS;
    if (pixels)
    {
        if (k_h != 1 || k_w != 1 || params->stride.h != 1 || params->stride.w != 1 || params->padding.h != 0 ||
            params->padding.w != 0 || out_h != in_h || out_w != in_w)
        {
            return AD_ERR_ARG;
        }
        status = ad_rowbuf_init(&g, rb, input, in_h * in_w, in_c * AD_RB_ELEM, out_h * out_w, out_c * AD_RB_ELEM, 1, 1, 1, 0);
    }
    else if (rb->unit == AD_UNIT_ROWS)
    {
        status = ad_rowbuf_init(&g, rb, input, in_h, in_w * in_c * AD_RB_ELEM, out_h, out_w * out_c * AD_RB_ELEM, k_h,
                                params->stride.h, params->dilation.h, params->padding.h);
    }
    else
    {
        status = AD_ERR_ARG;
    }
    if (status != AD_OK)
    {
        return status;
    }
    /* Outputs stored block by block may overwrite a pixel that later blocks still read: copy it first. */
    blocked = s.block < out_c;
    /* Every byte offset of the scheme fits in 32 bits (always, for arenas below 2 GiB). */
    small = g.delta > -0x40000000 && g.delta < 0x40000000 && (int64_t)g.units_in * g.in_unit < 0x40000000 &&
            (int64_t)g.units_out * g.out_unit < 0x40000000;

    if (pixels && small)
    {
        /*
         * Two pixels per pass; a pass reads both before it stores. Pixel p is
         * copied when it sits in a slot, which pixel p + 1's saves may reuse.
         */
        int32_t count = out_h * out_w;
        for (p = 0; p < count; p += 2)
        {
            int two = p + 1 < count;
            int8_t *out0 = output + (size_t)p * out_c;
            const int8_t *x0 = ad_pixels_unit(&g, p);
            const int8_t *x1 = x0;
            if (blocked || (two && x0 != input + (size_t)p * in_c))
            {
                x0 = ad_pixels_copy(s.window[0], x0, in_c);
            }
            if (two)
            {
                x1 = ad_pixels_unit(&g, p + 1);
                if (blocked)
                {
                    x1 = ad_pixels_copy(s.window[1], x1, in_c);
                }
            }
            ad_conv_mve_pixels(&s, x0, x1, in_c, filter, bias, out_c, quant, NULL, out0, out0 + out_c, two);
        }
        return AD_OK;
    }
    for (oy = 0; oy < out_h; oy++)
    {
        int8_t *out_row = output + (size_t)oy * out_w * out_c;
        if (pixels)
        {
            for (ox = 0; ox < out_w; ox++)
            {
                p = oy * out_w + ox;
                const int8_t *x;
                ad_rowbuf_save(&g, p);
                x = (const int8_t *)ad_rowbuf_unit(&g, p, p);
                if (blocked)
                {
                    x = ad_pixels_copy(s.window[0], x, in_c);
                }
                ad_conv_mve_pixels(&s, x, NULL, in_c, filter, bias, out_c, quant, NULL, out_row + (size_t)ox * out_c,
                                   NULL, 0);
            }
            continue;
        }
        ad_rowbuf_save(&g, oy);
        /* Where each filter row reads depends on oy only: look it up once per output row. */
        for (ky = 0; ky < k_h; ky++)
        {
            int32_t iy = ad_tap(oy, params->stride.h, params->padding.h, params->dilation.h, ky, in_h);
            rows[ky] = iy < 0 ? NULL : (const int8_t *)ad_rowbuf_unit(&g, iy, oy);
        }
        /* Two output pixels per pass, so each weight chunk serves both. */
        for (ox = 0; ox < out_w; ox += 2)
        {
            int two = ox + 1 < out_w;
            for (ky = 0; ky < k_h; ky++)
            {
                ad_conv_mve_fill_row(s.window[0] + (size_t)ky * k_w * in_c, rows[ky], ox, params, k_w, in_w, in_c, zp);
                if (two)
                {
                    ad_conv_mve_fill_row(s.window[1] + (size_t)ky * k_w * in_c, rows[ky], ox + 1, params, k_w, in_w,
                                         in_c, zp);
                }
            }
            ad_conv_mve_pixels(&s, s.window[0], s.window[1], window, filter, bias, out_c, quant, NULL,
                               out_row + (size_t)ox * out_c, out_row + (size_t)(ox + 1) * out_c, two);
        }
    }
    return AD_OK;
}
