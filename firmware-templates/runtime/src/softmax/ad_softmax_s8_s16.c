/*
 * autodeploy runtime: SOFTMAX with int8 input and int16 output (output scale
 * 1/65536, zero point -32768).
 */
#include "ad_runtime.h"

#include "ad_softmax_s8_common.h"

ad_status ad_softmax_s8_s16(const ad_context *ctx,
                            const ad_softmax_quant *quant,
                            int32_t num_rows,
                            int32_t row_size,
                            const int8_t *input,
                            int16_t *output)
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
        ad_softmax_s8_row(quant, row_size, input + off, NULL, output + off, 16, -32768, 32767);
    }
    return AD_OK;
}
