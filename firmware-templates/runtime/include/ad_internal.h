/*
 * autodeploy runtime: small helpers shared by the kernel sources (static inline).
 * Not part of the public API; generated code never includes this header.
 */
#ifndef AD_INTERNAL_H
#define AD_INTERNAL_H

#include "ad_quant.h"
#include "ad_types.h"

/** Non-NULL dims with every field >= 0. */
static inline int ad_dims_ok(const ad_dims *d)
{
    return d != NULL && d->n >= 0 && d->h >= 0 && d->w >= 0 && d->c >= 0;
}

/** Number of elements of valid dims. */
static inline int32_t ad_dims_count(const ad_dims *d)
{
    return d->n * d->h * d->w * d->c;
}

/**
 * Bytes a pointer takes in a scratch size: 8 on 32- and 64-bit builds alike,
 * so the planner's size (computed once, for any target) fits both.
 */
#define AD_SCRATCH_POINTER 8

/**
 * The caller's scratch when it holds `bytes` bytes at a 4-byte boundary (the
 * planner gives 16), NULL otherwise: a kernel with a *_scratch_size companion
 * returns AD_ERR_ARG then, before writing anything.
 */
static inline void *ad_scratch(const ad_context *ctx, int32_t bytes)
{
    if (ctx == NULL || ctx->buf == NULL || ((uintptr_t)ctx->buf & 3u) != 0u || ctx->size < bytes)
    {
        return NULL;
    }
    return ctx->buf;
}

/** Non-NULL shape with rank in 0..=AD_MAX_RANK and every dimension >= 0. */
static inline int ad_shape_ok(const ad_shape *s)
{
    int32_t i;
    if (s == NULL || s->rank < 0 || s->rank > AD_MAX_RANK)
    {
        return 0;
    }
    for (i = 0; i < s->rank; i++)
    {
        if (s->dims[i] < 0)
        {
            return 0;
        }
    }
    return 1;
}

/** Number of elements of a valid shape (1 for rank 0). */
static inline int32_t ad_shape_count(const ad_shape *s)
{
    int32_t n = 1;
    int32_t i;
    for (i = 0; i < s->rank; i++)
    {
        n *= s->dims[i];
    }
    return n;
}

/** Low 8 bits as a signed value (the truncation C++ does when narrowing). */
static inline int8_t ad_trunc_s8(int32_t v)
{
    return (int8_t)(((v & 0xFF) ^ 0x80) - 0x80);
}

/** Low 16 bits as a signed value. */
static inline int16_t ad_trunc_s16(int32_t v)
{
    return (int16_t)(((v & 0xFFFF) ^ 0x8000) - 0x8000);
}

/** TFLite's ActivationFunctionWithMinMax: min(max(x, lo), hi); NaN stays NaN. */
static inline float ad_clamp_f32(float x, ad_activation_f32 act)
{
    float y = x < act.min ? act.min : x;
    return act.max < y ? act.max : y;
}

/**
 * static_cast<int32_t>(std::round(x)) as on the x86-64 host: rounds half away
 * from zero; NaN and anything out of range give INT32_MIN. No libm needed.
 */
static inline int32_t ad_round_f32_to_i32(float x)
{
    int32_t t;
    float frac;
    if (!(x >= -2147483648.0f && x < 2147483648.0f))
    {
        return INT32_MIN;
    }
    t = (int32_t)x;
    frac = x - (float)t;
    if (frac >= 0.5f)
    {
        t++;
    }
    else if (frac <= -0.5f)
    {
        t--;
    }
    return t;
}

/**
 * Input coordinate of a filter tap, or -1 when it falls into the padding.
 */
static inline int32_t ad_tap(int32_t out, int32_t stride, int32_t pad, int32_t dilation, int32_t k, int32_t size)
{
    int32_t pos = out * stride + k * dilation - pad;
    return (pos >= 0 && pos < size) ? pos : -1;
}

#endif /* AD_INTERNAL_H */
