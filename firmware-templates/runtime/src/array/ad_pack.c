/*
 * autodeploy runtime: PACK, any element type: num_inputs equally shaped
 * inputs stacked along a new axis (0..=rank; negative counts from the end).
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

ad_status ad_pack(const ad_context *ctx,
                  int32_t axis,
                  int32_t element_size,
                  int32_t num_inputs,
                  const ad_shape *input_shape,
                  const void *const *inputs,
                  void *output)
{
    uint8_t *dst = (uint8_t *)output;
    size_t es = (size_t)element_size;
    size_t outer;
    size_t chunk;
    size_t o;
    int32_t a;
    int32_t k;
    (void)ctx;
    if (!ad_element_size_ok(element_size) || num_inputs < 0 || !ad_shape_ok(input_shape) || inputs == NULL ||
        output == NULL)
    {
        return AD_ERR_ARG;
    }
    a = ad_resolve_axis(axis, input_shape->rank + 1);
    if (a < 0)
    {
        return AD_ERR_ARG;
    }
    for (k = 0; k < num_inputs; k++)
    {
        if (inputs[k] == NULL)
        {
            return AD_ERR_ARG;
        }
    }
    outer = ad_shape_product(input_shape, 0, a);
    chunk = ad_shape_product(input_shape, a, input_shape->rank) * es;
    for (o = 0; o < outer; o++)
    {
        for (k = 0; k < num_inputs; k++)
        {
            ad_copy_bytes(dst, (const uint8_t *)inputs[k] + o * chunk, chunk);
            dst += chunk;
        }
    }
    return AD_OK;
}
