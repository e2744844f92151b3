/*
 * autodeploy runtime: SPLIT / SPLIT_V, any element type: the axis is cut into
 * num_outputs pieces of sizes[k] (NULL: equal pieces, the axis length must be
 * divisible by num_outputs).
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

ad_status ad_split(const ad_context *ctx,
                   int32_t axis,
                   int32_t element_size,
                   const ad_shape *input_shape,
                   const void *input,
                   int32_t num_outputs,
                   const int32_t *sizes,
                   void *const *outputs)
{
    const uint8_t *src = (const uint8_t *)input;
    size_t es = (size_t)element_size;
    size_t outer;
    size_t inner;
    size_t o;
    int32_t a;
    int32_t k;
    int32_t total = 0;
    int32_t n;
    (void)ctx;
    if (!ad_element_size_ok(element_size) || !ad_shape_ok(input_shape) || input == NULL || outputs == NULL ||
        num_outputs < 1)
    {
        return AD_ERR_ARG;
    }
    a = ad_resolve_axis(axis, input_shape->rank);
    if (a < 0 || input_shape->rank == 0)
    {
        return AD_ERR_ARG;
    }
    n = input_shape->dims[a];
    if (sizes == NULL && n % num_outputs != 0)
    {
        return AD_ERR_ARG;
    }
    for (k = 0; k < num_outputs; k++)
    {
        int32_t s = sizes == NULL ? n / num_outputs : sizes[k];
        if (outputs[k] == NULL || s < 0)
        {
            return AD_ERR_ARG;
        }
        total += s;
    }
    if (total != n)
    {
        return AD_ERR_ARG;
    }
    outer = ad_shape_product(input_shape, 0, a);
    inner = ad_shape_product(input_shape, a + 1, input_shape->rank) * es;
    for (o = 0; o < outer; o++)
    {
        for (k = 0; k < num_outputs; k++)
        {
            size_t chunk = (size_t)(sizes == NULL ? n / num_outputs : sizes[k]) * inner;
            ad_copy_bytes((uint8_t *)outputs[k] + o * chunk, src, chunk);
            src += chunk;
        }
    }
    return AD_OK;
}
