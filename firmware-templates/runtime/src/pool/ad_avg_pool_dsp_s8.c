/*
 * autodeploy runtime: int8 AVERAGE_POOL_2D, Armv7E-M DSP variant: the values
 * of ad_avg_pool_s8. Window sums of 16 channels at a time: each word of four
 * input bytes is split by SXTB16 (bytes 0 and 2, then 1 and 3) and added to
 * int16 pairs with SADD16, 1.25 instructions per value instead of about 9. A
 * window of at most 255 values keeps every sum within int16 (255 * 128 =
 * 32,640), so the pairs never wrap; larger windows and a last block of fewer
 * than 16 channels take the plain int32 sums. Plain C without the DSP
 * extension.
 */
#include "ad_runtime.h"

#include "ad_avg_pool_blocks.h"
#include "../conv/ad_dot_dsp.h"

static void ad_avg_pool_dsp_sums(const int8_t *in_b, int32_t in_w, int32_t c, int32_t ch, int32_t n, int32_t ys,
                                 int32_t ye, int32_t xs, int32_t xe, int32_t sums[16])
{
#if AD_DOT_DSP
    if (n == 16 && (ye - ys) * (xe - xs) <= 255)
    {
        /* p[k]: channels 4k and 4k + 2; q[k]: channels 4k + 1 and 4k + 3, as int16 pairs. */
        int32_t p0 = 0, p1 = 0, p2 = 0, p3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int32_t y, x, k;
        for (y = ys; y < ye; y++)
        {
            const int8_t *px = in_b + ((size_t)y * in_w + xs) * c + ch;
            for (x = xs; x < xe; x++, px += c)
            {
                int32_t w0 = ad_load4(px), w1 = ad_load4(px + 4), w2 = ad_load4(px + 8), w3 = ad_load4(px + 12);
                p0 = __sadd16(p0, __sxtb16(w0));
                q0 = __sadd16(q0, __sxtb16(ad_ror8(w0)));
                p1 = __sadd16(p1, __sxtb16(w1));
                q1 = __sadd16(q1, __sxtb16(ad_ror8(w1)));
                p2 = __sadd16(p2, __sxtb16(w2));
                q2 = __sadd16(q2, __sxtb16(ad_ror8(w2)));
                p3 = __sadd16(p3, __sxtb16(w3));
                q3 = __sadd16(q3, __sxtb16(ad_ror8(w3)));
            }
        }
        {
            const int32_t p[4] = {p0, p1, p2, p3};
            const int32_t q[4] = {q0, q1, q2, q3};
            for (k = 0; k < 4; k++)
            {
                sums[4 * k] = (int16_t)(p[k] & 0xFFFF);
                sums[4 * k + 1] = (int16_t)(q[k] & 0xFFFF);
                sums[4 * k + 2] = p[k] >> 16;
                sums[4 * k + 3] = q[k] >> 16;
            }
        }
        return;
    }
#endif
    ad_avg_pool_plain_sums(in_b, in_w, c, ch, n, ys, ye, xs, xe, sums);
}

ad_status ad_avg_pool_dsp_s8(const ad_context *ctx,
                             const ad_pool_params *params,
                             const ad_activation *activation,
                             const ad_dims *input_dims,
                             const int8_t *input,
                             const ad_dims *output_dims,
                             int8_t *output)
{
    (void)ctx;
    return ad_avg_pool_blocks(params, activation, input_dims, input, output_dims, output, ad_avg_pool_dsp_sums);
}
