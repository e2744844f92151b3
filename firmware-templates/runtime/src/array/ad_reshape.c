/*
 * autodeploy runtime: RESHAPE / SQUEEZE / EXPAND_DIMS: the bytes do not change,
 * so this is a copy (a no-op when input and output alias exactly).
 */
#include "ad_runtime.h"

ad_status ad_reshape(const ad_context *ctx, int32_t size_bytes, const void *input, void *output)
{
    const uint8_t *src = (const uint8_t *)input;
    uint8_t *dst = (uint8_t *)output;
    int32_t i;
    (void)ctx;
    if (size_bytes < 0 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    if (src == dst)
    {
        return AD_OK;
    }
    for (i = 0; i < size_bytes; i++)
    {
        dst[i] = src[i];
    }
    return AD_OK;
}
