/*
 * autodeploy runtime: UNPACK, any element type: one output per index along
 * the axis (num_outputs equals that dimension), the axis removed.
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

ad_status ad_unpack(const ad_context *ctx,
                    int32_t axis,
                    int32_t element_size,
                    const ad_shape *input_shape,
                    const void *input,
                    int32_t num_outputs,
                    void *const *outputs)
{
    const uint8_t *src = (const uint8_t *)input;
    size_t es = (size_t)element_size;
    size_t outer;
    size_t inner;
    size_t o;
    int32_t a;
    int32_t k;
    (void)ctx;
    if (!ad_element_size_ok(element_size) || !ad_shape_ok(input_shape) || input == NULL || outputs == NULL)
    {
        return AD_ERR_ARG;
    }
    a = ad_resolve_axis(axis, input_shape->rank);
    if (a < 0 || input_shape->rank == 0 || num_outputs != input_shape->dims[a])
    {
        return AD_ERR_ARG;
    }
    for (k = 0; k < num_outputs; k++)
    {
        if (outputs[k] == NULL)
        {
            return AD_ERR_ARG;
        }
    }
    outer = ad_shape_product(input_shape, 0, a);
    inner = ad_shape_product(input_shape, a + 1, input_shape->rank) * es;
    for (o = 0; o < outer; o++)
    {
        for (k = 0; k < num_outputs; k++)
        {
            ad_copy_bytes((uint8_t *)outputs[k] + o * inner, src, inner);
            src += inner;
        }
    }
    return AD_OK;
}
