/*
 * autodeploy runtime: int8 CONV_2D under the row-buffer scheme, Helium (MVE)
 * variant: the contract and the values of ad_conv2d_rowbuf_s8 for one group
 * (filter depth = input depth). Per output pixel the receptive field is
 * gathered into one window (1x1: the pixel itself), then each output channel
 * is one VMLADAVA dot product over it, four channels per pass sharing the
 * input loads (ad_conv_mve.h). Plain C without MVE.
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
    int32_t oy, ox, ky;
    int32_t in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
    int8_t zp;
    int pixels, small;
    ad_status status;

    (void)ctx;
    status = ad_conv2d_check(params, input_dims, filter_dims, output_dims, &filters_per_group);
    if (status != AD_OK)
    {
        return status;
    }
    if (rb == NULL || quant == NULL || input == NULL || filter == NULL || output == NULL ||
        (output_dims->c > 0 && (quant->multiplier == NULL || quant->shift == NULL)) || input_dims->n != 1 ||
        filter_dims->c != input_dims->c || filter_dims->h > AD_MVE_MAX_ROWS)
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
    /* Every byte offset of the scheme fits in 32 bits (always, for arenas below 2 GiB). */
    small = g.delta > -0x40000000 && g.delta < 0x40000000 && (int64_t)g.units_in * g.in_unit < 0x40000000 &&
            (int64_t)g.units_out * g.out_unit < 0x40000000;

    for (oy = 0; oy < out_h; oy++)
    {
        int8_t *out_row = output + (size_t)oy * out_w * out_c;
        if (pixels && small)
        {
            for (ox = 0; ox < out_w; ox++)
            {
                int32_t p = oy * out_w + ox;
                ad_conv_mve_pixel(&s, ad_pixels_unit(&g, p), in_c, filter, out_c, quant, out_row + (size_t)ox * out_c);
            }
            continue;
        }
        if (pixels)
        {
            for (ox = 0; ox < out_w; ox++)
            {
                int32_t p = oy * out_w + ox;
                ad_rowbuf_save(&g, p);
                ad_conv_mve_pixel(&s, (const int8_t *)ad_rowbuf_unit(&g, p, p), in_c, filter, out_c, quant,
                                  out_row + (size_t)ox * out_c);
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
        for (ox = 0; ox < out_w; ox++)
        {
            for (ky = 0; ky < k_h; ky++)
            {
                ad_conv_mve_fill_row(s.window + (size_t)ky * k_w * in_c, rows[ky], ox, params, k_w, in_w, in_c, zp);
            }
            ad_conv_mve_pixel(&s, s.window, window, filter, out_c, quant, out_row + (size_t)ox * out_c);
        }
    }
    return AD_OK;
}
