/*
 * autodeploy runtime: the driver of the int8 AVERAGE_POOL_2D kernels
 * (internal): per output pixel and block of up to 16 channels, the kernel's
 * window sums (plain C for ad_avg_pool_s8, DSP or Helium for its variants),
 * then the rounded division per channel.
 */
#ifndef AD_AVG_POOL_BLOCKS_H
#define AD_AVG_POOL_BLOCKS_H

#include "ad_pool_common.h"

/* Window sums of channels [ch, ch + n) (n <= 16) of one output pixel (rows ys..ye, columns xs..xe). */
typedef void (*ad_avg_pool_sums_fn)(const int8_t *in_b, int32_t in_w, int32_t c, int32_t ch, int32_t n, int32_t ys,
                                    int32_t ye, int32_t xs, int32_t xe, int32_t sums[16]);

static inline ad_status ad_avg_pool_blocks(const ad_pool_params *params, const ad_activation *activation,
                                           const ad_dims *input_dims, const int8_t *input,
                                           const ad_dims *output_dims, int8_t *output, ad_avg_pool_sums_fn sums_fn)
{
    int32_t b, oy, ox, ch, j, ys, ye, xs, xe;
    int32_t c, in_h, in_w;
    int32_t sums[16];
    ad_status status;

    status = ad_pool_check(params, input_dims, output_dims);
    if (status != AD_OK)
    {
        return status;
    }
    if (activation == NULL || input == NULL || output == NULL)
    {
        return AD_ERR_ARG;
    }
    if (ad_pool_has_empty_window(params, input_dims, output_dims))
    {
        return AD_ERR_FAILURE;
    }
    c = input_dims->c;
    in_h = input_dims->h;
    in_w = input_dims->w;
    for (b = 0; b < output_dims->n; b++)
    {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c;
        for (oy = 0; oy < output_dims->h; oy++)
        {
            ad_pool_window(oy, params->stride.h, params->padding.h, params->filter.h, in_h, &ys, &ye);
            for (ox = 0; ox < output_dims->w; ox++)
            {
                int32_t count;
                ad_pool_window(ox, params->stride.w, params->padding.w, params->filter.w, in_w, &xs, &xe);
                count = (ye - ys) * (xe - xs);
                for (ch = 0; ch < c; ch += 16)
                {
                    int32_t n = c - ch < 16 ? c - ch : 16;
                    sums_fn(in_b, in_w, c, ch, n, ys, ye, xs, xe, sums);
                    for (j = 0; j < n; j++)
                    {
                        int32_t acc = sums[j];
                        int32_t avg =
                            acc > 0 ? ad_wrap_add(acc, count / 2) / count : ad_wrap_sub(acc, count / 2) / count;
                        *output++ = (int8_t)ad_clamp_i32(avg, activation->min, activation->max);
                    }
                }
            }
        }
    }
    return AD_OK;
}

/* The plain window sums (int32, any window). */
static inline void ad_avg_pool_plain_sums(const int8_t *in_b, int32_t in_w, int32_t c, int32_t ch, int32_t n,
                                          int32_t ys, int32_t ye, int32_t xs, int32_t xe, int32_t sums[16])
{
    int32_t j, y, x;
    for (j = 0; j < n; j++)
    {
        int32_t acc = 0;
        for (y = ys; y < ye; y++)
        {
            for (x = xs; x < xe; x++)
            {
                acc = ad_wrap_add(acc, in_b[((size_t)y * in_w + x) * c + ch + j]);
            }
        }
        sums[j] = acc;
    }
}

#endif /* AD_AVG_POOL_BLOCKS_H */
