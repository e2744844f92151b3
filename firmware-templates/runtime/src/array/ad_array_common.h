/*
 * autodeploy runtime: helpers shared by the data-movement kernels (internal).
 */
#ifndef AD_ARRAY_COMMON_H
#define AD_ARRAY_COMMON_H

#include "ad_internal.h"

/** Copies n bytes (no libc: the runtime links without it where it can). */
static inline void ad_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
    {
        dst[i] = src[i];
    }
}

/** Element sizes the data-movement kernels accept. */
static inline int ad_element_size_ok(int32_t element_size)
{
    return element_size == 1 || element_size == 2 || element_size == 4 || element_size == 8;
}

/** Resolves a possibly negative axis against rank; -1 when out of range. */
static inline int32_t ad_resolve_axis(int32_t axis, int32_t rank)
{
    int32_t r = axis < 0 ? axis + rank : axis;
    int32_t limit = rank > 1 ? rank : 1;
    return (r < 0 || r >= limit) ? -1 : r;
}

/** Product of dims[from..to). */
static inline size_t ad_shape_product(const ad_shape *s, int32_t from, int32_t to)
{
    size_t n = 1;
    int32_t i;
    for (i = from; i < to; i++)
    {
        n *= (size_t)s->dims[i];
    }
    return n;
}

#endif /* AD_ARRAY_COMMON_H */
