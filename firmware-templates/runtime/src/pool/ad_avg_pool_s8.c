/*
 * autodeploy runtime: int8 AVERAGE_POOL_2D. Padded positions are neither summed
 * nor counted; the average is (sum +- count/2) / count with C division (rounded
 * half away from zero), then clamped. Input and output share quantisation.
 */
#include "ad_runtime.h"

#include "ad_avg_pool_blocks.h"

ad_status ad_avg_pool_s8(const ad_context *ctx,
                         const ad_pool_params *params,
                         const ad_activation *activation,
                         const ad_dims *input_dims,
                         const int8_t *input,
                         const ad_dims *output_dims,
                         int8_t *output)
{
    (void)ctx;
    return ad_avg_pool_blocks(params, activation, input_dims, input, output_dims, output, ad_avg_pool_plain_sums);
}
