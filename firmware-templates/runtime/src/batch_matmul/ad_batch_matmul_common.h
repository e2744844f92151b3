/*
 * autodeploy runtime: BATCH_MATMUL geometry (internal): ranks 2..=5, up to
 * three leading batch dimensions broadcast against each other, adj_x / adj_y
 * transposing the last two dimensions of lhs / rhs.
 */
#ifndef AD_BATCH_MATMUL_COMMON_H
#define AD_BATCH_MATMUL_COMMON_H

#include "ad_internal.h"

typedef struct
{
    int32_t batch[3];
    size_t lhs_batch_strides[3];
    size_t rhs_batch_strides[3];
    int32_t rows;
    int32_t cols;
    int32_t depth;
    size_t lhs_row_stride;
    size_t lhs_depth_stride;
    size_t rhs_depth_stride;
    size_t rhs_col_stride;
} ad_bmm_plan;

static inline void ad_bmm_extend(const ad_shape *s, int32_t e[5])
{
    int32_t i;
    for (i = 0; i < 5; i++)
    {
        e[i] = 1;
    }
    for (i = 0; i < s->rank; i++)
    {
        e[5 - s->rank + i] = s->dims[i];
    }
}

static inline void ad_bmm_batch_strides(const int32_t e[5], size_t st[3])
{
    size_t acc = (size_t)e[3] * (size_t)e[4];
    int32_t d;
    for (d = 2; d >= 0; d--)
    {
        st[d] = e[d] == 1 ? 0u : acc;
        acc *= (size_t)e[d];
    }
}

/** Fills plan; 0 when the shapes are invalid. */
static inline int ad_bmm_make_plan(const ad_batch_matmul_params *params, const ad_shape *lhs_shape,
                                   const ad_shape *rhs_shape, ad_bmm_plan *p)
{
    int32_t l[5];
    int32_t r[5];
    int32_t rhs_depth;
    int32_t d;
    if (!ad_shape_ok(lhs_shape) || !ad_shape_ok(rhs_shape) || lhs_shape->rank < 2 || lhs_shape->rank > 5 ||
        rhs_shape->rank < 2 || rhs_shape->rank > 5)
    {
        return 0;
    }
    ad_bmm_extend(lhs_shape, l);
    ad_bmm_extend(rhs_shape, r);
    for (d = 0; d < 3; d++)
    {
        if (l[d] != r[d] && l[d] != 1 && r[d] != 1)
        {
            return 0;
        }
        p->batch[d] = l[d] == 1 ? r[d] : l[d];
    }
    ad_bmm_batch_strides(l, p->lhs_batch_strides);
    ad_bmm_batch_strides(r, p->rhs_batch_strides);
    if (params->adj_x)
    {
        p->rows = l[4];
        p->depth = l[3];
        p->lhs_row_stride = 1;
        p->lhs_depth_stride = (size_t)l[4];
    }
    else
    {
        p->rows = l[3];
        p->depth = l[4];
        p->lhs_row_stride = (size_t)l[4];
        p->lhs_depth_stride = 1;
    }
    if (params->adj_y)
    {
        rhs_depth = r[4];
        p->cols = r[3];
        p->rhs_depth_stride = 1;
        p->rhs_col_stride = (size_t)r[4];
    }
    else
    {
        rhs_depth = r[3];
        p->cols = r[4];
        p->rhs_depth_stride = (size_t)r[4];
        p->rhs_col_stride = 1;
    }
    return rhs_depth == p->depth;
}

#endif /* AD_BATCH_MATMUL_COMMON_H */
