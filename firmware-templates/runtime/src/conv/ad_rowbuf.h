/*
 * autodeploy runtime: the row-buffer scheme of the memory plan (internal),
 * shared by the *_rowbuf_* kernels. See ad_row_buffer in ad_runtime.h.
 *
 * Units are rows (AD_UNIT_ROWS) or pixels (AD_UNIT_PIXELS) of the batch-1
 * input and output. Output unit y reads input units need(y) = [y * stride -
 * pad, y * stride - pad + (k - 1) * dilation], clipped. Whether input unit r is
 * saved, and when, follows from the geometry alone, so the kernels keep no
 * per-unit state:
 * - first_write(r): the first output unit whose bytes meet unit r's bytes
 *   (units_out if none): before writing it, r is saved if still needed;
 * - last_read(r): the last output unit whose need() contains r (-1 if none);
 * - r is saved iff first_write(r) <= last_read(r); it is read from slot
 *   r % rows by output units y >= first_write(r), from the input before.
 */
#ifndef AD_ROWBUF_H
#define AD_ROWBUF_H

#include <string.h>

#include "ad_internal.h"

typedef struct
{
    const ad_row_buffer *rb;
    const uint8_t *input; /* the input's bytes */
    uint8_t *slots;       /* the line buffer */
    /* 32-bit: ad_rowbuf_init checks that every position below fits, so no
     * 64-bit division (a libgcc call on Cortex-M) is needed. */
    int32_t delta, in_unit, out_unit;
    int32_t units_in, units_out;
    int32_t kernel, stride, dilation, pad;
} ad_rowbuf_geom;

static inline int32_t ad_rowbuf_first_write(const ad_rowbuf_geom *g, int32_t r)
{
    int32_t start = r * g->in_unit;
    int32_t from = start - g->delta;
    int32_t y;
    if (g->out_unit <= 0 || g->in_unit <= 0)
    {
        return g->units_out;
    }
    y = from < 0 ? 0 : from / g->out_unit;
    if (y >= g->units_out || g->delta + y * g->out_unit >= start + g->in_unit)
    {
        return g->units_out;
    }
    return y;
}

static inline int32_t ad_rowbuf_last_read(const ad_rowbuf_geom *g, int32_t r)
{
    int32_t y = (r + g->pad) / g->stride;
    if (y > g->units_out - 1)
    {
        y = g->units_out - 1;
    }
    if (y < 0 || y * g->stride - g->pad + (g->kernel - 1) * g->dilation < r)
    {
        return -1;
    }
    return y;
}

static inline int ad_rowbuf_saved(const ad_rowbuf_geom *g, int32_t r)
{
    int32_t first = ad_rowbuf_first_write(g, r);
    return first < g->units_out && first <= ad_rowbuf_last_read(g, r);
}

/*
 * Fills g and checks the scheme before anything is written: unit sizes match
 * the dims, and no slot is refilled while the unit it holds is still read.
 */
static inline ad_status ad_rowbuf_init(ad_rowbuf_geom *g, const ad_row_buffer *rb, const void *input,
                                       int32_t units_in, int32_t in_unit_bytes, int32_t units_out,
                                       int32_t out_unit_bytes, int32_t kernel, int32_t stride, int32_t dilation,
                                       int32_t pad)
{
    int32_t r, next;
    int64_t reach;
    if (rb == NULL || rb->rows < 0 || rb->in_unit_bytes != in_unit_bytes || rb->out_unit_bytes != out_unit_bytes ||
        (rb->rows > 0 && rb->line_buffer == NULL) || kernel < 1 || stride < 1 || dilation < 1 || pad < 0 ||
        units_in < 0 || units_out < 0 || in_unit_bytes < 0 || out_unit_bytes < 0)
    {
        return AD_ERR_ARG;
    }
    /* Every byte position and unit index the helpers compute must fit in 32 bits. */
    reach = (int64_t)units_in * in_unit_bytes;
    if ((int64_t)units_out * out_unit_bytes > reach)
    {
        reach = (int64_t)units_out * out_unit_bytes;
    }
    reach += rb->delta < 0 ? -(int64_t)rb->delta : (int64_t)rb->delta;
    if (reach > INT32_MAX ||
        (int64_t)units_in + pad + (int64_t)units_out * stride + (int64_t)(kernel - 1) * dilation > INT32_MAX)
    {
        return AD_ERR_ARG;
    }
    g->rb = rb;
    g->input = (const uint8_t *)input;
    g->slots = (uint8_t *)rb->line_buffer;
    g->delta = rb->delta;
    g->in_unit = in_unit_bytes;
    g->out_unit = out_unit_bytes;
    g->units_in = units_in;
    g->units_out = units_out;
    g->kernel = kernel;
    g->stride = stride;
    g->dilation = dilation;
    g->pad = pad;
    for (r = 0; r < units_in; r++)
    {
        if (!ad_rowbuf_saved(g, r))
        {
            continue;
        }
        if (rb->rows == 0)
        {
            return AD_ERR_ARG;
        }
        for (next = r + rb->rows; next < units_in; next += rb->rows)
        {
            if (ad_rowbuf_saved(g, next))
            {
                /* next is copied into r's slot before output unit first_write(next) is written. */
                if (ad_rowbuf_first_write(g, next) <= ad_rowbuf_last_read(g, r))
                {
                    return AD_ERR_ARG;
                }
                break;
            }
        }
    }
    return AD_OK;
}

/* Before writing output unit y: saves the input units it overwrites that are still needed. */
static inline void ad_rowbuf_save(const ad_rowbuf_geom *g, int32_t y)
{
    int32_t start = g->delta + y * g->out_unit;
    int32_t end = start + g->out_unit;
    int32_t first, last, r;
    if (g->in_unit <= 0 || end <= 0 || start >= g->units_in * g->in_unit)
    {
        return;
    }
    first = start < 0 ? 0 : start / g->in_unit;
    last = (end - 1) / g->in_unit;
    if (last > g->units_in - 1)
    {
        last = g->units_in - 1;
    }
    for (r = first; r <= last; r++)
    {
        if (ad_rowbuf_first_write(g, r) == y && ad_rowbuf_saved(g, r))
        {
            memcpy(g->slots + (size_t)(r % g->rb->rows) * (size_t)g->in_unit, g->input + (size_t)r * (size_t)g->in_unit,
                   (size_t)g->in_unit);
        }
    }
}

/* Where output unit y reads input unit r: its slot once saved, the input otherwise. */
static inline const void *ad_rowbuf_unit(const ad_rowbuf_geom *g, int32_t r, int32_t y)
{
    if (ad_rowbuf_first_write(g, r) <= y && ad_rowbuf_saved(g, r))
    {
        return g->slots + (size_t)(r % g->rb->rows) * (size_t)g->in_unit;
    }
    return g->input + (size_t)r * (size_t)g->in_unit;
}

#endif /* AD_ROWBUF_H */
