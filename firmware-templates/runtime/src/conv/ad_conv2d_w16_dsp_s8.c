/*
 * autodeploy runtime: int8 CONV_2D on generation-time pre-widened weights
 * (ad_conv2d_w16.h), with or without the row-buffer scheme.
 */
#include "ad_conv2d_w16.h"

ad_status ad_conv2d_w16_dsp_s8(const ad_context *ctx,
                               const ad_row_buffer *rb,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_dims *input_dims,
                               const int8_t *input,
                               const ad_dims *filter_dims,
                               const int32_t *filter_pairs,
                               const int32_t *channels,
                               const ad_dims *output_dims,
                               int8_t *output)
{
    return ad_conv2d_w16_run(ctx, rb, params, quant, NULL, input_dims, input, filter_dims, filter_pairs, channels,
                             output_dims, output);
}
