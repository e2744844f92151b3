/*
 * autodeploy runtime: 16x8 FULLY_CONNECTED with an int32 bias (32-bit sums).
 */
#include "ad_runtime.h"

#include "ad_fc_s16_common.h"

ad_status ad_fully_connected_bias32_s16(const ad_context *ctx,
                                        const ad_fc_s16_quant *quant,
                                        const ad_dims *input_dims,
                                        const int16_t *input,
                                        const ad_dims *filter_dims,
                                        const int8_t *filter,
                                        const int32_t *bias,
                                        const ad_dims *output_dims,
                                        int16_t *output)
{
    (void)ctx;
    return ad_fc_s16_run(quant, input_dims, input, filter_dims, filter, 0, NULL, bias, output_dims, output);
}
