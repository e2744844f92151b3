/*
 * autodeploy runtime: MINIMUM with broadcasting (stored values compared directly: a < b ? a : b).
 */
#include "ad_runtime.h"

#include "ad_broadcast.h"

ad_status ad_minimum_s8(const ad_context *ctx,
                        const ad_shape *input1_shape,
                        const int8_t *input1,
                        const ad_shape *input2_shape,
                        const int8_t *input2,
                        const ad_shape *output_shape,
                        int8_t *output)
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
    if (input1 == NULL || input2 == NULL || output == NULL)
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
            const int8_t a = input1[b.off1 + i * b.inner1];
            const int8_t c = input2[b.off2 + i * b.inner2];
            output[b.pos + i] = a < c ? a : c;
        }
    } while (ad_broadcast_next(&b));
    return AD_OK;
}
