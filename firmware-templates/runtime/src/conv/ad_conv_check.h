/*
 * autodeploy runtime: argument checks shared by the CONV_2D kernels (internal).
 */
#ifndef AD_CONV_CHECK_H
#define AD_CONV_CHECK_H

#include "ad_internal.h"

/** Checks CONV_2D geometry; on success stores the group size in *filters_per_group. */
static inline ad_status ad_conv2d_check(const ad_conv_params *params,
                                        const ad_dims *input_dims,
                                        const ad_dims *filter_dims,
                                        const ad_dims *output_dims,
                                        int32_t *filters_per_group)
{
    int32_t groups;
    if (params == NULL || !ad_dims_ok(input_dims) || !ad_dims_ok(filter_dims) || !ad_dims_ok(output_dims))
    {
        return AD_ERR_ARG;
    }
    if (params->stride.h < 1 || params->stride.w < 1 || params->dilation.h < 1 || params->dilation.w < 1 ||
        params->padding.h < 0 || params->padding.w < 0)
    {
        return AD_ERR_ARG;
    }
    if (input_dims->n != output_dims->n || filter_dims->n != output_dims->c)
    {
        return AD_ERR_ARG;
    }
    if (filter_dims->c == 0 || input_dims->c % filter_dims->c != 0)
    {
        return AD_ERR_ARG;
    }
    groups = input_dims->c / filter_dims->c;
    if (groups == 0 || output_dims->c % groups != 0)
    {
        return AD_ERR_ARG;
    }
    *filters_per_group = output_dims->c / groups;
    return AD_OK;
}

/** Checks DEPTHWISE_CONV_2D geometry. */
static inline ad_status ad_dw_conv2d_check(const ad_dw_conv_params *params,
                                           const ad_dims *input_dims,
                                           const ad_dims *filter_dims,
                                           const ad_dims *output_dims)
{
    const ad_conv_params *p;
    if (params == NULL || !ad_dims_ok(input_dims) || !ad_dims_ok(filter_dims) || !ad_dims_ok(output_dims))
    {
        return AD_ERR_ARG;
    }
    p = &params->conv;
    if (p->stride.h < 1 || p->stride.w < 1 || p->dilation.h < 1 || p->dilation.w < 1 || p->padding.h < 0 ||
        p->padding.w < 0 || params->depth_multiplier < 1)
    {
        return AD_ERR_ARG;
    }
    if (input_dims->n != output_dims->n || filter_dims->n != 1 || filter_dims->c != output_dims->c ||
        (int64_t)input_dims->c * params->depth_multiplier != output_dims->c)
    {
        return AD_ERR_ARG;
    }
    return AD_OK;
}

/*
 * Whether some tap of a k_h x k_w window over an in_h x in_w input, giving
 * out_h x out_w outputs, falls outside the input (in the padding): the
 * optimised kernels keep zero-point copies only for those layers.
 */
static inline int ad_conv_taps_outside(const ad_conv_params *p, int32_t in_h, int32_t in_w, int32_t k_h,
                                       int32_t k_w, int32_t out_h, int32_t out_w)
{
    return p->padding.h != 0 || p->padding.w != 0 ||
           (int64_t)(out_h - 1) * p->stride.h + (int64_t)(k_h - 1) * p->dilation.h >= in_h ||
           (int64_t)(out_w - 1) * p->stride.w + (int64_t)(k_w - 1) * p->dilation.w >= in_w;
}

#endif /* AD_CONV_CHECK_H */
