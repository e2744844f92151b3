/*
 * autodeploy runtime: float32 SUB with broadcasting, clamped to the fused activation range.
 */
#include "ad_runtime.h"

#include "ad_broadcast.h"

ad_status ad_sub_f32(const ad_context *ctx,
                     const ad_activation_f32 *activation,
                     const ad_shape *input1_shape,
                     const float *input1,
                     const ad_shape *input2_shape,
                     const float *input2,
                     const ad_shape *output_shape,
                     float *output)
{
    ad_broadcast b;
    int32_t i;
    ad_status status;

    (void)ctx;
    status = ad_broadcast_init(&b, input1_shape, input2_shape, output_shape);
    if (status != AD_OK)
    {
        return status;
    }
    if (activation == NULL || input1 == NULL || input2 == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    if (b.count == 0)
    {
        return AD_OK;
    }
    do
    {
        for (i = 0; i < b.inner; i++)
        {
            const float a = input1[b.off1 + i * b.inner1];
            const float c = input2[b.off2 + i * b.inner2];
            output[b.pos + i] = ad_clamp_f32(a - c, *activation);
        }
    } while (ad_broadcast_next(&b));
    return AD_OK;
}
