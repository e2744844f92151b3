/*
 * autodeploy runtime: numpy-style broadcasting of two inputs to one output
 * (internal). Shapes are right-aligned and padded with leading ones to
 * AD_MAX_RANK; every input dimension must equal the output's or be 1.
 *
 * Use:
 *   ad_broadcast b;
 *   if (ad_broadcast_init(&b, shape1, shape2, out_shape) != AD_OK) ...
 *   if (b.count > 0) do {
 *       for (i = 0; i < b.inner; i++) out[b.pos + i] = f(in1[b.off1 + i * b.inner1], in2[b.off2 + i * b.inner2]);
 *   } while (ad_broadcast_next(&b));
 */
#ifndef AD_BROADCAST_H
#define AD_BROADCAST_H

#include "ad_internal.h"

typedef struct
{
    int32_t out[AD_MAX_RANK];
    int32_t st1[AD_MAX_RANK];
    int32_t st2[AD_MAX_RANK];
    int32_t index[AD_MAX_RANK];
    int32_t count;  /* output elements */
    int32_t inner;  /* innermost output dimension */
    int32_t inner1; /* innermost stride of input 1 (0 or 1) */
    int32_t inner2; /* innermost stride of input 2 (0 or 1) */
    int32_t off1;   /* offset of the current row in input 1 */
    int32_t off2;   /* offset of the current row in input 2 */
    int32_t pos;    /* offset of the current row in the output */
} ad_broadcast;

static inline void ad_broadcast_extend(const ad_shape *s, int32_t e[AD_MAX_RANK])
{
    int32_t i;
    int32_t pad = AD_MAX_RANK - s->rank;
    for (i = 0; i < AD_MAX_RANK; i++)
    {
        e[i] = i < pad ? 1 : s->dims[i - pad];
    }
}

static inline ad_status ad_broadcast_init(ad_broadcast *b, const ad_shape *shape1, const ad_shape *shape2,
                                          const ad_shape *output_shape)
{
    int32_t s1[AD_MAX_RANK];
    int32_t s2[AD_MAX_RANK];
    int32_t acc1 = 1;
    int32_t acc2 = 1;
    int32_t d;
    if (!ad_shape_ok(shape1) || !ad_shape_ok(shape2) || !ad_shape_ok(output_shape))
    {
        return AD_ERR_ARG;
    }
    ad_broadcast_extend(shape1, s1);
    ad_broadcast_extend(shape2, s2);
    ad_broadcast_extend(output_shape, b->out);
    for (d = AD_MAX_RANK - 1; d >= 0; d--)
    {
        if ((s1[d] != b->out[d] && s1[d] != 1) || (s2[d] != b->out[d] && s2[d] != 1))
        {
            return AD_ERR_ARG;
        }
        b->st1[d] = s1[d] == 1 ? 0 : acc1;
        b->st2[d] = s2[d] == 1 ? 0 : acc2;
        acc1 *= s1[d];
        acc2 *= s2[d];
        b->index[d] = 0;
    }
    b->count = ad_shape_count(output_shape);
    b->inner = b->out[AD_MAX_RANK - 1];
    b->inner1 = b->st1[AD_MAX_RANK - 1];
    b->inner2 = b->st2[AD_MAX_RANK - 1];
    b->off1 = 0;
    b->off2 = 0;
    b->pos = 0;
    return AD_OK;
}

/** Moves to the next output row; returns 0 after the last one. */
static inline int ad_broadcast_next(ad_broadcast *b)
{
    int32_t d = AD_MAX_RANK - 1;
    b->pos += b->inner;
    while (d > 0)
    {
        d--;
        b->index[d]++;
        b->off1 += b->st1[d];
        b->off2 += b->st2[d];
        if (b->index[d] < b->out[d])
        {
            return 1;
        }
        b->off1 -= b->st1[d] * b->index[d];
        b->off2 -= b->st2[d] * b->index[d];
        b->index[d] = 0;
    }
    return 0;
}

#endif /* AD_BROADCAST_H */
