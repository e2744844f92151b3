/*
 * autodeploy runtime: CONCATENATION along one axis, any element type. All
 * inputs have the same rank and agree on every dimension but the axis.
 */
#include "ad_runtime.h"

#include "ad_array_common.h"

ad_status ad_concatenation(const ad_context *ctx,
                           int32_t axis,
                           int32_t element_size,
                           int32_t num_inputs,
                           const ad_shape *input_shapes,
                           const void *const *inputs,
                           void *output)
{
    uint8_t *dst = (uint8_t *)output;
    size_t es = (size_t)element_size;
    size_t outer;
    size_t inner;
    size_t o;
    int32_t rank;
    int32_t a;
    int32_t k;
    int32_t d;
    (void)ctx;
    if (!ad_element_size_ok(element_size) || num_inputs < 1 || input_shapes == NULL || inputs == NULL ||
        output == NULL || !ad_shape_ok(&input_shapes[0]))
    {
        return AD_ERR_ARG;
    }
    rank = input_shapes[0].rank;
    a = ad_resolve_axis(axis, rank);
    if (a < 0 || rank == 0)
    {
        return AD_ERR_ARG;
    }
    for (k = 0; k < num_inputs; k++)
    {
        if (!ad_shape_ok(&input_shapes[k]) || input_shapes[k].rank != rank || inputs[k] == NULL)
        {
            return AD_ERR_ARG;
        }
        for (d = 0; d < rank; d++)
        {
            if (d != a && input_shapes[k].dims[d] != input_shapes[0].dims[d])
            {
                return AD_ERR_ARG;
            }
        }
    }
    outer = ad_shape_product(&input_shapes[0], 0, a);
    inner = ad_shape_product(&input_shapes[0], a + 1, rank);
    for (o = 0; o < outer; o++)
    {
        for (k = 0; k < num_inputs; k++)
        {
            size_t chunk = (size_t)input_shapes[k].dims[a] * inner * es;
            ad_copy_bytes(dst, (const uint8_t *)inputs[k] + o * chunk, chunk);
            dst += chunk;
        }
    }
    return AD_OK;
}
