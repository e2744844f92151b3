/*
 * autodeploy runtime: what the TRANSPOSE_CONV kernels share (internal).
 *
 * TFLite scatters every input element times every filter tap into an
 * accumulator per output element, in the order (input row, input column,
 * input channel). These kernels gather instead: each output element visits
 * the input elements that reach it in that same order, so they need no
 * accumulator buffer. Integer sums wrap, so their order does not matter; the
 * float sum keeps TFLite's order exactly.
 */
#ifndef AD_TRANSPOSE_CONV_COMMON_H
#define AD_TRANSPOSE_CONV_COMMON_H

#include "ad_internal.h"

/** Checks TRANSPOSE_CONV geometry: input [N,H,W,C_IN], filter [C_OUT,KH,KW,C_IN], output [N,OH,OW,C_OUT]. */
static inline ad_status ad_transpose_conv_check(const ad_transpose_conv_params *params,
                                                const ad_dims *input_dims,
                                                const ad_dims *filter_dims,
                                                const ad_dims *output_dims)
{
    if (params == NULL || !ad_dims_ok(input_dims) || !ad_dims_ok(filter_dims) || !ad_dims_ok(output_dims))
    {
        return AD_ERR_ARG;
    }
    if (params->stride.h < 1 || params->stride.w < 1 || params->padding.h < 0 || params->padding.w < 0)
    {
        return AD_ERR_ARG;
    }
    if (input_dims->n != output_dims->n || input_dims->c != filter_dims->c || filter_dims->n != output_dims->c)
    {
        return AD_ERR_ARG;
    }
    return AD_OK;
}

/**
 * The filter tap (0..k) through which input index i reaches output index o,
 * or -1: o = i * stride + tap - pad.
 */
static inline int32_t ad_transpose_tap(int32_t o, int32_t i, int32_t stride, int32_t pad, int32_t k)
{
    int32_t tap = o + pad - i * stride;
    return (tap >= 0 && tap < k) ? tap : -1;
}

#endif /* AD_TRANSPOSE_CONV_COMMON_H */
