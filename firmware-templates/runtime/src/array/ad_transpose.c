/*
 * autodeploy runtime: TRANSPOSE, any element type, up to AD_MAX_RANK
 * dimensions: output dimension i is input dimension perm[i].
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

ad_status ad_transpose(const ad_context *ctx,
                       const int32_t *perm,
                       int32_t element_size,
                       const ad_shape *input_shape,
                       const void *input,
                       void *output)
{
    const uint8_t *src = (const uint8_t *)input;
    uint8_t *dst = (uint8_t *)output;
    size_t in_strides[AD_MAX_RANK];
    size_t src_strides[AD_MAX_RANK];
    int32_t out_dims[AD_MAX_RANK];
    int32_t index[AD_MAX_RANK];
    int seen[AD_MAX_RANK];
    size_t es = (size_t)element_size;
    size_t count;
    size_t o;
    size_t s = 0;
    int32_t rank;
    int32_t d;
    (void)ctx;
    if (perm == NULL || !ad_element_size_ok(element_size) || !ad_shape_ok(input_shape) || input == NULL ||
        output == NULL)
    {
        return AD_ERR_ARG;
    }
    rank = input_shape->rank;
    for (d = 0; d < rank; d++)
    {
        seen[d] = 0;
    }
    for (d = 0; d < rank; d++)
    {
        int32_t r = ad_resolve_axis(perm[d], rank);
        if (r < 0 || seen[r])
        {
            return AD_ERR_ARG;
        }
        seen[r] = 1;
    }
    count = ad_shape_product(input_shape, 0, rank);
    if (count == 0)
    {
        return AD_OK;
    }
    if (rank == 0)
    {
        ad_copy_bytes(dst, src, es);
        return AD_OK;
    }
    in_strides[rank - 1] = 1;
    for (d = rank - 2; d >= 0; d--)
    {
        in_strides[d] = in_strides[d + 1] * (size_t)input_shape->dims[d + 1];
    }
    for (d = 0; d < rank; d++)
    {
        int32_t r = ad_resolve_axis(perm[d], rank);
        out_dims[d] = input_shape->dims[r];
        src_strides[d] = in_strides[r];
        index[d] = 0;
    }
    for (o = 0; o < count; o++)
    {
        ad_copy_bytes(dst + o * es, src + s * es, es);
        d = rank;
        while (d > 0)
        {
            d--;
            index[d]++;
            s += src_strides[d];
            if (index[d] < out_dims[d])
            {
                break;
            }
            s -= src_strides[d] * (size_t)index[d];
            index[d] = 0;
        }
    }
    return AD_OK;
}
