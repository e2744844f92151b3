/*
 * autodeploy runtime: int8 AVERAGE_POOL_2D, Helium (MVE) variant: the values
 * of ad_avg_pool_s8. Window sums of 16 channels at a time in four int32x4
 * accumulators (widening byte loads), then the rounded division per channel
 * exactly as the portable kernel does it. Plain C without MVE.
 */
#include "ad_runtime.h"

#include "ad_avg_pool_blocks.h"
#include "../conv/ad_mve.h"

/* Window sums of channels [ch, ch + n) (n <= 16) of one output pixel. */
static void ad_avg_pool_mve_sums(const int8_t *in_b, int32_t in_w, int32_t c, int32_t ch, int32_t n, int32_t ys,
                                 int32_t ye, int32_t xs, int32_t xe, int32_t sums[16])
{
#if AD_MVE
    int32_t y, x;
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
    ad_avg_pool_plain_sums(in_b, in_w, c, ch, n, ys, ye, xs, xe, sums);
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
    (void)ctx;
    return ad_avg_pool_blocks(params, activation, input_dims, input, output_dims, output, ad_avg_pool_mve_sums);
}
