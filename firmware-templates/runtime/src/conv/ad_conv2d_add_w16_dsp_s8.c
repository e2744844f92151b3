/*
 * autodeploy runtime: int8 CONV_2D with the following ADD fused, on
 * generation-time pre-widened weights (ad_conv2d_w16.h): the values of
 * ad_conv2d_add_s8, written over the residual.
 */
#include "ad_conv2d_w16.h"

ad_status ad_conv2d_add_w16_dsp_s8(const ad_context *ctx,
                                   const ad_conv_params *params,
                                   const ad_conv_quant *quant,
                                   const ad_add_quant *add_quant,
                                   const ad_dims *input_dims,
                                   const int8_t *input,
                                   const ad_dims *filter_dims,
                                   const int32_t *filter_pairs,
                                   const int32_t *channels,
                                   const ad_dims *output_dims,
                                   int8_t *residual)
{
    if (add_quant == NULL)
    {
        return AD_ERR_ARG;
    }
    return ad_conv2d_w16_run(ctx, NULL, params, quant, add_quant, input_dims, input, filter_dims, filter_pairs, channels,
                             output_dims, residual);
}
