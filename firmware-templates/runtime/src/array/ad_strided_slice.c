/*
 * autodeploy runtime: STRIDED_SLICE on up to 5 dimensions, any element type,
 * with begin / end / shrink-axis masks resolved as TFLite Micro does (negative
 * indices wrap once, then clamp per axis for the stride's sign).
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

static int32_t clamp_index(int32_t v, int32_t lo, int32_t hi)
{
    if (hi < v)
    {
        return hi;
    }
    return v < lo ? lo : v;
}

ad_status ad_strided_slice(const ad_context *ctx,
                           const ad_strided_slice_params *params,
                           int32_t element_size,
                           const ad_shape *input_shape,
                           const void *input,
                           void *output)
{
    const uint8_t *src = (const uint8_t *)input;
    uint8_t *dst = (uint8_t *)output;
    int32_t start[AD_MAX_RANK];
    int32_t stop[AD_MAX_RANK];
    int32_t index[AD_MAX_RANK];
    size_t strides[AD_MAX_RANK];
    size_t es = (size_t)element_size;
    size_t count = 1;
    size_t run = 1;
    size_t o;
    int32_t rank;
    int32_t inner;
    int32_t d;
    (void)ctx;
    if (params == NULL || !ad_element_size_ok(element_size) || !ad_shape_ok(input_shape) || input == NULL ||
        output == NULL || input_shape->rank > 5)
    {
        return AD_ERR_ARG;
    }
    rank = input_shape->rank;
    for (d = 0; d < rank; d++)
    {
        int32_t size = input_shape->dims[d];
        int32_t stride = params->strides[d];
        uint32_t bit = 1u << (uint32_t)d;
        int32_t s;
        int32_t e;
        int64_t n;
        if (stride == 0)
        {
            return AD_ERR_ARG;
        }
        s = params->begin[d];
        if (s < 0)
        {
            s = ad_wrap_add(s, size);
        }
        s = stride > 0 ? clamp_index(s, 0, size) : clamp_index(s, -1, size - 1);
        if ((params->begin_mask & bit) != 0u)
        {
            s = stride > 0 ? 0 : size - 1;
        }
        if ((params->shrink_axis_mask & bit) != 0u)
        {
            e = s >= size ? s : s + 1;
        }
        else
        {
            e = params->end[d];
            if (e < 0)
            {
                e = ad_wrap_add(e, size);
            }
            e = stride > 0 ? clamp_index(e, 0, size) : clamp_index(e, -1, size - 1);
            if ((params->end_mask & bit) != 0u)
            {
                e = stride > 0 ? size : -1;
            }
        }
        start[d] = s;
        stop[d] = e;
        if (stride > 0)
        {
            n = ((int64_t)e - (int64_t)s + (int64_t)stride - 1) / (int64_t)stride;
        }
        else
        {
            n = ((int64_t)s - (int64_t)e - (int64_t)stride - 1) / -(int64_t)stride;
        }
        count *= n > 0 ? (size_t)n : 0u;
    }
    if (count == 0)
    {
        return AD_OK;
    }
    if (rank == 0)
    {
        ad_copy_bytes(dst, src, es);
        return AD_OK;
    }
    strides[rank - 1] = 1;
    for (d = rank - 2; d >= 0; d--)
    {
        strides[d] = strides[d + 1] * (size_t)input_shape->dims[d + 1];
    }
    for (d = 0; d < rank; d++)
    {
        index[d] = start[d];
    }
    /* Trailing axes taken whole with stride 1 are contiguous in both tensors, and so is the axis
     * before them when its stride is 1: those axes are copied as one run (the window shift of
     * streaming models slices one axis and keeps the rest whole, so it becomes a single copy).
     * The odometer below steps the axes before `inner` only. */
    inner = rank;
    while (inner > 0 && params->strides[inner - 1] == 1 && start[inner - 1] == 0 &&
           stop[inner - 1] == input_shape->dims[inner - 1])
    {
        inner--;
        run *= (size_t)input_shape->dims[inner];
    }
    if (inner > 0 && params->strides[inner - 1] == 1)
    {
        inner--;
        run *= (size_t)(stop[inner] - start[inner]);
    }
    for (o = 0; o < count / run; o++)
    {
        size_t offset = 0;
        for (d = 0; d < rank; d++)
        {
            offset += (size_t)index[d] * strides[d];
        }
        ad_copy_bytes(dst + o * run * es, src + offset * es, run * es);
        d = inner;
        while (d > 0)
        {
            int32_t stride;
            int inside;
            d--;
            stride = params->strides[d];
            index[d] += stride;
            inside = stride > 0 ? index[d] < stop[d] : index[d] > stop[d];
            if (inside)
            {
                break;
            }
            index[d] = start[d];
        }
    }
    return AD_OK;
}
