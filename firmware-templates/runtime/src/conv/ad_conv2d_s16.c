/*
 * autodeploy runtime: 16x8 CONV_2D with an int64 (or no) bias: 64-bit sums.
 */
#include "ad_runtime.h"

#include "ad_conv_s16_common.h"

ad_status ad_conv2d_s16(const ad_context *ctx,
                        const ad_conv_params *params,
                        const ad_conv_quant *quant,
                        const ad_dims *input_dims,
                        const int16_t *input,
                        const ad_dims *filter_dims,
                        const int8_t *filter,
                        const int64_t *bias,
                        const ad_dims *output_dims,
                        int16_t *output)
{
    (void)ctx;
    return ad_conv2d_s16_run(params, quant, input_dims, input, filter_dims, filter, 1, bias, NULL, output_dims,
                             output);
}
