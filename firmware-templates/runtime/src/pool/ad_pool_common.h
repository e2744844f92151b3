/*
 * autodeploy runtime: window clipping and checks shared by the pooling kernels (internal).
 */
#ifndef AD_POOL_COMMON_H
#define AD_POOL_COMMON_H

#include "ad_internal.h"

/** Clipped window [*start, *end) along one axis, in input coordinates. */
static inline void ad_pool_window(int32_t out, int32_t stride, int32_t pad, int32_t filter, int32_t size,
                                  int32_t *start, int32_t *end)
{
    int32_t origin = out * stride - pad;
    int32_t s = origin > 0 ? origin : 0;
    int32_t e = ad_clamp_i32(origin + filter, 0, size);
    *start = s;
    *end = e > s ? e : s;
}

static inline ad_status ad_pool_check(const ad_pool_params *params, const ad_dims *input_dims,
                                      const ad_dims *output_dims)
{
    if (params == NULL || !ad_dims_ok(input_dims) || !ad_dims_ok(output_dims))
    {
        return AD_ERR_ARG;
    }
    if (params->stride.h < 1 || params->stride.w < 1 || params->padding.h < 0 || params->padding.w < 0 ||
        params->filter.h < 0 || params->filter.w < 0)
    {
        return AD_ERR_ARG;
    }
    if (input_dims->n != output_dims->n || input_dims->c != output_dims->c)
    {
        return AD_ERR_ARG;
    }
    return AD_OK;
}

/** 1 if some output element's window covers no input element (average pooling fails then). */
static inline int ad_pool_has_empty_window(const ad_pool_params *params, const ad_dims *input_dims,
                                           const ad_dims *output_dims)
{
    int32_t o, s, e;
    if (output_dims->n == 0 || output_dims->c == 0 || output_dims->h == 0 || output_dims->w == 0)
    {
        return 0;
    }
    for (o = 0; o < output_dims->h; o++)
    {
        ad_pool_window(o, params->stride.h, params->padding.h, params->filter.h, input_dims->h, &s, &e);
        if (s == e)
        {
            return 1;
        }
    }
    for (o = 0; o < output_dims->w; o++)
    {
        ad_pool_window(o, params->stride.w, params->padding.w, params->filter.w, input_dims->w, &s, &e);
        if (s == e)
        {
            return 1;
        }
    }
    return 0;
}

#endif /* AD_POOL_COMMON_H */
