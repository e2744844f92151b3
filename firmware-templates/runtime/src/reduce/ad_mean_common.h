/*
 * autodeploy runtime: MEAN iteration (internal). The reduced axes are resolved
 * to a mask (negative axes count from the end, duplicates are ignored); the
 * outputs are visited in row-major order of the kept dimensions and, for each,
 * the reduced elements in row-major order of the reduced dimensions: the order
 * in which TFLite Micro adds them into that output.
 */
#ifndef AD_MEAN_COMMON_H
#define AD_MEAN_COMMON_H

#include "ad_internal.h"

typedef struct
{
    int32_t kept_rank;
    int32_t kept_dims[AD_MAX_RANK];
    size_t kept_strides[AD_MAX_RANK];
    int32_t red_rank;
    int32_t red_dims[AD_MAX_RANK];
    size_t red_strides[AD_MAX_RANK];
    size_t out_count;
    size_t red_count;
    size_t in_count;
} ad_mean_plan;

/** Fills plan; 0 when an axis is out of range. */
static inline int ad_mean_make_plan(const ad_shape *shape, int32_t num_axes, const int32_t *axes, ad_mean_plan *plan)
{
    int reduced[AD_MAX_RANK];
    size_t strides[AD_MAX_RANK];
    int32_t rank = shape->rank;
    int32_t d;
    int32_t k;
    for (d = 0; d < rank; d++)
    {
        reduced[d] = 0;
    }
    for (k = 0; k < num_axes; k++)
    {
        int32_t r = axes[k] < 0 ? axes[k] + rank : axes[k];
        if (r < 0 || r >= rank)
        {
            return 0;
        }
        reduced[r] = 1;
    }
    if (rank > 0)
    {
        strides[rank - 1] = 1;
    }
    for (d = rank - 2; d >= 0; d--)
    {
        strides[d] = strides[d + 1] * (size_t)shape->dims[d + 1];
    }
    plan->kept_rank = 0;
    plan->red_rank = 0;
    plan->out_count = 1;
    plan->red_count = 1;
    for (d = 0; d < rank; d++)
    {
        if (reduced[d])
        {
            plan->red_dims[plan->red_rank] = shape->dims[d];
            plan->red_strides[plan->red_rank] = strides[d];
            plan->red_rank++;
            plan->red_count *= (size_t)shape->dims[d];
        }
        else
        {
            plan->kept_dims[plan->kept_rank] = shape->dims[d];
            plan->kept_strides[plan->kept_rank] = strides[d];
            plan->kept_rank++;
            plan->out_count *= (size_t)shape->dims[d];
        }
    }
    plan->in_count = plan->out_count * plan->red_count;
    return 1;
}

/** Advances an odometer over dims; returns the new flat offset. */
static inline size_t ad_mean_step(int32_t *index, const int32_t *dims, const size_t *strides, int32_t rank,
                                  size_t offset)
{
    int32_t d = rank;
    while (d > 0)
    {
        d--;
        index[d]++;
        offset += strides[d];
        if (index[d] < dims[d])
        {
            return offset;
        }
        offset -= strides[d] * (size_t)index[d];
        index[d] = 0;
    }
    return offset;
}

#endif /* AD_MEAN_COMMON_H */
