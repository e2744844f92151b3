/*
 * autodeploy runtime: int8 SOFTMAX (output scale 1/256, zero point -128).
 */
#include "ad_runtime.h"

#include "ad_softmax_s8_common.h"

ad_status ad_softmax_s8(const ad_context *ctx,
                        const ad_softmax_quant *quant,
                        int32_t num_rows,
                        int32_t row_size,
                        const int8_t *input,
                        int8_t *output)
{
    int32_t r;
    (void)ctx;
    if (quant == NULL || num_rows < 0 || row_size < 1 || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    for (r = 0; r < num_rows; r++)
    {
        size_t off = (size_t)r * row_size;
        ad_softmax_s8_row(quant, row_size, input + off, output + off, NULL, 8, -128, 127);
    }
    return AD_OK;
}
