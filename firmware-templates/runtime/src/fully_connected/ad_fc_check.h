/*
 * autodeploy runtime: argument checks shared by the FULLY_CONNECTED kernels (internal).
 */
#ifndef AD_FC_CHECK_H
#define AD_FC_CHECK_H

#include "ad_internal.h"

/** input [N,1,1,C_IN], filter [C_OUT,1,1,C_IN], output [N,1,1,C_OUT]. */
static inline ad_status ad_fc_check(const ad_dims *input_dims, const ad_dims *filter_dims, const ad_dims *output_dims)
{
    if (!ad_dims_ok(input_dims) || !ad_dims_ok(filter_dims) || !ad_dims_ok(output_dims))
    {
        return AD_ERR_ARG;
    }
    if (input_dims->h != 1 || input_dims->w != 1 || filter_dims->h != 1 || filter_dims->w != 1 ||
        output_dims->h != 1 || output_dims->w != 1)
    {
        return AD_ERR_ARG;
    }
    if (input_dims->c != filter_dims->c || filter_dims->n != output_dims->c || input_dims->n != output_dims->n)
    {
        return AD_ERR_ARG;
    }
    return AD_OK;
}

#endif /* AD_FC_CHECK_H */
