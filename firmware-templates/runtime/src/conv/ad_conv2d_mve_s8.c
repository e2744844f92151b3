/*
 * autodeploy runtime: int8 CONV_2D, Helium (MVE) variant: the values of
 * ad_conv2d_s8 for one group (filter depth = input depth), with the filter
 * and the bias replaced by the generation-time tables of ad_conv_mve.h. Per
 * output pixel the receptive field is gathered into one window (padding taps
 * hold the input zero point), then each output channel is one VMLADAVA dot
 * product over it, four channels and two pixels per pass. Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_conv_check.h"
#include "ad_conv_mve.h"

ad_status ad_conv2d_mve_s8(const ad_context *ctx,
                           const ad_conv_params *params,
                           const ad_conv_quant *quant,
                           const ad_dims *input_dims,
                           const int8_t *input,
                           const ad_dims *filter_dims,
                           const int8_t *filter,
                           const int32_t *bias,
                           const ad_dims *output_dims,
                           int8_t *output)
{
    return ad_conv_mve_image(ctx, params, quant, NULL, input_dims, input, filter_dims, filter, bias, output_dims, output);
}
