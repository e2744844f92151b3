/*
 * autodeploy runtime: float32 FULLY_CONNECTED. Products are summed in depth
 * order, the bias is added last, then the result is clamped.
 */
#include "ad_runtime.h"

#include "ad_fc_check.h"

ad_status ad_fully_connected_f32(const ad_context *ctx,
                                 const ad_activation_f32 *activation,
                                 const ad_dims *input_dims,
                                 const float *input,
                                 const ad_dims *filter_dims,
                                 const float *filter,
                                 const float *bias,
                                 const ad_dims *output_dims,
                                 float *output)
{
    int32_t b, oc, i, depth, out_depth;
    ad_status status;

    (void)ctx;
    status = ad_fc_check(input_dims, filter_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (activation == NULL || input == NULL || filter == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    depth = input_dims->c;
    out_depth = output_dims->c;
    for (b = 0; b < input_dims->n; b++)
    {
        const float *row = input + (size_t)b * depth;
        for (oc = 0; oc < out_depth; oc++)
        {
            const float *w = filter + (size_t)oc * depth;
            float acc = 0.0f;
            for (i = 0; i < depth; i++)
            {
                acc += row[i] * w[i];
            }
            acc += bias != NULL ? bias[oc] : 0.0f;
            output[(size_t)b * out_depth + oc] = ad_clamp_f32(acc, *activation);
        }
    }
    return AD_OK;
}
