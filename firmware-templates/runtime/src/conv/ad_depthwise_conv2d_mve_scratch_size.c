/*
 * autodeploy runtime: the scratch size of ad_depthwise_conv2d_mve_s8 and
 * ad_depthwise_conv2d_rowbuf_mve_s8, their *_scratch_size
 * companion in ad_runtime.h. The code generator computes the same size on
 * the host to place each layer's scratch in the arena; a codegen test
 * (tests/scratch_size.rs) compiles this file on the host and compares.
 */
#include "ad_runtime.h"

#include "ad_dw_mve.h"

int32_t ad_depthwise_conv2d_mve_s8_scratch_size(const ad_dims *filter_dims, const ad_dims *output_dims)
{
    if (!ad_dims_ok(filter_dims) || !ad_dims_ok(output_dims))
    {
        return 0;
    }
    return ad_dw_mve_scratch(filter_dims->h * filter_dims->w, output_dims->c, 1);
}
