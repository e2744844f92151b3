/*
 * autodeploy runtime: the scratch size of ad_conv2d_w16_dsp_s8 and
 * ad_conv2d_add_w16_dsp_s8, their *_scratch_size
 * companion in ad_runtime.h. The code generator computes the same size on
 * the host to place each layer's scratch in the arena; a codegen test
 * (tests/scratch_size.rs) compiles this file on the host and compares.
 */
#include "ad_runtime.h"

#include "ad_conv2d_w16.h"

int32_t ad_conv2d_w16_dsp_s8_scratch_size(const ad_dims *filter_dims)
{
    if (!ad_dims_ok(filter_dims))
    {
        return 0;
    }
    return ad_w16_scratch(filter_dims->h, filter_dims->w, filter_dims->c);
}
