/*
 * autodeploy runtime: int8 AVERAGE_POOL_2D, Helium (MVE) variant: the values
 * of ad_avg_pool_s8. Window sums of 16 channels at a time in four int32x4
 * accumulators (widening byte loads), then the rounded division per channel
 * exactly as the portable kernel does it. Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_pool_common.h"
#include "../conv/ad_mve.h"

/* Window sums of channels [ch, ch + n) (n <= 16) of one output pixel. */
static void ad_avg_pool_mve_sums(const int8_t *in_b, int32_t in_w, int32_t c, int32_t ch, int32_t n, int32_t ys,
                                 int32_t ye, int32_t xs, int32_t xe, int32_t sums[16])
{
    int32_t y, x;
#if AD_MVE
    mve_pred16_t p0 = vctp32q((uint32_t)n);
    mve_pred16_t p1 = vctp32q((uint32_t)(n > 4 ? n - 4 : 0));
    mve_pred16_t p2 = vctp32q((uint32_t)(n > 8 ? n - 8 : 0));
    mve_pred16_t p3 = vctp32q((uint32_t)(n > 12 ? n - 12 : 0));
    int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
    for (y = ys; y < ye; y++)
    {
        const int8_t *px = in_b + ((size_t)y * in_w + xs) * c + ch;
        for (x = xs; x < xe; x++, px += c)
        {
            a0 = vaddq_s32(a0, vldrbq_z_s32(px, p0));
            a1 = vaddq_s32(a1, vldrbq_z_s32(px + 4, p1));
            a2 = vaddq_s32(a2, vldrbq_z_s32(px + 8, p2));
            a3 = vaddq_s32(a3, vldrbq_z_s32(px + 12, p3));
        }
    }
    vstrwq_s32(sums, a0);
    vstrwq_s32(sums + 4, a1);
    vstrwq_s32(sums + 8, a2);
    vstrwq_s32(sums + 12, a3);
#else
    int32_t j;
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
#endif
}

ad_status ad_avg_pool_mve_s8(const ad_context *ctx,
                             const ad_pool_params *params,
                             const ad_activation *activation,
                             const ad_dims *input_dims,
                             const int8_t *input,
                             const ad_dims *output_dims,
                             int8_t *output)
{
    int32_t b, oy, ox, ch, j, ys, ye, xs, xe;
    int32_t c, in_h, in_w;
    int32_t sums[16];
    ad_status status;

    (void)ctx;
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
                    ad_avg_pool_mve_sums(in_b, in_w, c, ch, n, ys, ye, xs, xe, sums);
                    for (j = 0; j < n; j++)
                    {
                        int32_t acc = sums[j];
                        int32_t avg = acc > 0 ? ad_wrap_add(acc, count / 2) / count : ad_wrap_sub(acc, count / 2) / count;
                        *output++ = (int8_t)ad_clamp_i32(avg, activation->min, activation->max);
                    }
                }
            }
        }
    }
    return AD_OK;
}
