/*
 * autodeploy runtime: int8 CONV_2D with the following ADD fused, Helium (MVE)
 * variant: the values of ad_conv2d_add_s8 for one group, on the
 * generation-time tables of ad_conv_mve.h instead of the filter and bias.
 * The convolution runs as in ad_conv2d_mve_s8; each pixel's values are
 * requantised and added to the residual four lanes at a time (ad_mve_add_q,
 * exact with ad_add_fused_s8). Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_conv_mve.h"

ad_status ad_conv2d_add_mve_s8(const ad_context *ctx,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_add_quant *add_quant,
                               const ad_dims *input_dims,
                               const int8_t *input,
                               const ad_dims *filter_dims,
                               const int8_t *filter,
                               const int32_t *bias,
                               const ad_dims *output_dims,
                               int8_t *residual)
{
    if (add_quant == NULL)
    {
        return AD_ERR_ARG;
    }
    return ad_conv_mve_image(ctx, params, quant, add_quant, input_dims, input, filter_dims, filter, bias, output_dims,
                             residual);
}
