/*
 * autodeploy runtime: float32 LOGISTIC with TFLite's cut-offs: 1 above
 * 16.619047, expf(x) below -9, else 1 / (1 + expf(-x)). Uses libm.
 */
#include <math.h>

#include "ad_runtime.h"

ad_status ad_logistic_f32(const ad_context *ctx, int32_t size, const float *input, float *output)
{
    int32_t i;
    (void)ctx;
    if (size < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (i = 0; i < size; i++)
    {
        float x = input[i];
        if (x > 16.619047f)
        {
            output[i] = 1.0f;
        }
        else if (x < -9.0f)
        {
            output[i] = expf(x);
        }
        else
        {
            output[i] = 1.0f / (1.0f + expf(-x));
        }
    }
    return AD_OK;
}
