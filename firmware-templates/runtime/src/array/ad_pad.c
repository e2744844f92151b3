/*
 * autodeploy runtime: PAD / PADV2 on up to 5 dimensions, any element type:
 * the output is filled with the pad value, then each innermost input row is
 * copied to its place.
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

ad_status ad_pad(const ad_context *ctx,
                 const ad_pad_params *params,
                 int32_t element_size,
                 const void *pad_value,
                 const ad_shape *input_shape,
                 const void *input,
                 void *output)
{
    const uint8_t *src = (const uint8_t *)input;
    uint8_t *dst = (uint8_t *)output;
    const uint8_t *value = (const uint8_t *)pad_value;
    size_t out_strides[AD_MAX_RANK];
    int32_t out_dims[AD_MAX_RANK];
    int32_t index[AD_MAX_RANK];
    size_t es = (size_t)element_size;
    size_t out_count = 1;
    size_t in_count;
    size_t i;
    int32_t rank;
    int32_t d;
    (void)ctx;
    if (params == NULL || !ad_element_size_ok(element_size) || pad_value == NULL || !ad_shape_ok(input_shape) ||
        input == NULL || output == NULL || input_shape->rank > 5)
    {
        return AD_ERR_ARG;
    }
    rank = input_shape->rank;
    for (d = 0; d < rank; d++)
    {
        if (params->before[d] < 0 || params->after[d] < 0)
        {
            return AD_ERR_ARG;
        }
        out_dims[d] = input_shape->dims[d] + params->before[d] + params->after[d];
        out_count *= (size_t)out_dims[d];
    }
    for (i = 0; i < out_count; i++)
    {
        ad_copy_bytes(dst + i * es, value, es);
    }
    in_count = ad_shape_product(input_shape, 0, rank);
    if (in_count == 0)
    {
        return AD_OK;
    }
    if (rank == 0)
    {
        ad_copy_bytes(dst, src, es);
        return AD_OK;
    }
    out_strides[rank - 1] = 1;
    for (d = rank - 2; d >= 0; d--)
    {
        out_strides[d] = out_strides[d + 1] * (size_t)out_dims[d + 1];
    }
    for (d = 0; d < rank; d++)
    {
        index[d] = 0;
    }
    {
        size_t inner = (size_t)input_shape->dims[rank - 1];
        size_t rows = in_count / inner;
        size_t r;
        for (r = 0; r < rows; r++)
        {
            size_t start = 0;
            for (d = 0; d < rank; d++)
            {
                start += (size_t)(index[d] + params->before[d]) * out_strides[d];
            }
            ad_copy_bytes(dst + start * es, src + r * inner * es, inner * es);
            d = rank - 1;
            while (d > 0)
            {
                d--;
                index[d]++;
                if (index[d] < input_shape->dims[d])
                {
                    break;
                }
                index[d] = 0;
            }
        }
    }
    return AD_OK;
}
