/*
 * autodeploy runtime: int16 SOFTMAX (TFLite's table path; input and output
 * zero point 0, output scale 1/32768). Per row: each difference to the row
 * maximum is rescaled and looked up in the exp table; the sum is normalised
 * and looked up in the 1/(1+x) table; each output is exp * reciprocal,
 * rounded half up and clamped to [0, 32767].
 */
#include "ad_runtime.h"

#include "ad_fixedpoint.h"
#include "ad_internal.h"

/** TFLite's int16 LUT lookup: 513 entries, linear interpolation over the low 7 bits. */
static int16_t ad_lut_s16(int16_t value, const int16_t *lut)
{
    int32_t index = 256 + ((int32_t)value >> 7);
    int32_t offset = (int32_t)value & 0x7f;
    int32_t base = lut[index];
    int32_t slope = (int32_t)lut[index + 1] - base;
    int32_t delta = (slope * offset + 64) >> 7;
    return ad_trunc_s16(base + delta);
}

ad_status ad_softmax_s16(const ad_context *ctx,
                         const ad_softmax_s16_quant *quant,
                         int32_t num_rows,
                         int32_t row_size,
                         const int16_t *input,
                         int16_t *output)
{
    int32_t r, c;
    (void)ctx;
    if (quant == NULL || quant->exp_lut == NULL || quant->one_over_one_plus_x_lut == NULL || num_rows < 0 ||
        row_size < 1 || (num_rows > 0 && (input == NULL || output == NULL)))
    {
        return AD_ERR_ARG;
    }
    for (r = 0; r < num_rows; r++)
    {
        const int16_t *x = input + (size_t)r * row_size;
        int16_t *y = output + (size_t)r * row_size;
        int32_t max_in_row = INT16_MIN;
        int32_t sum = 0;
        int32_t headroom, shifted_sum, reciprocal;
        int64_t t, round;
        uint32_t right_shift;
        int16_t sym_sum;
        for (c = 0; c < row_size; c++)
        {
            max_in_row = ad_max_i32(max_in_row, x[c]);
        }
        for (c = 0; c < row_size; c++)
        {
            int32_t scaled = ad_requantize(x[c] - max_in_row, quant->input_multiplier, quant->input_left_shift);
            int16_t sym = (int16_t)ad_clamp_i32(ad_wrap_add(scaled, 32767), -32768, 32767);
            y[c] = ad_lut_s16(sym, quant->exp_lut);
            sum = ad_wrap_add(sum, y[c]);
        }
        /* Normalise the sum to [1, 2) in Q1.14 (shift amounts wrap as in the host build). */
        headroom = ad_clz_u32((uint32_t)sum);
        t = (int64_t)((uint64_t)(int64_t)sum << ((uint32_t)(headroom - 1) & 63u));
        t = ad_wrap_add64(t, (int64_t)1 << 13) >> 14;
        shifted_sum = (int32_t)(uint32_t)(uint64_t)t;
        sym_sum = (int16_t)ad_clamp_i32(ad_wrap_sub(shifted_sum, (1 << 15) + (1 << 16)), -32768, 32767);
        reciprocal = ad_lut_s16(sym_sum, quant->one_over_one_plus_x_lut);
        right_shift = (uint32_t)(31 - headroom);
        round = (int64_t)(int32_t)((uint32_t)1 << ((right_shift - 1u) & 31u));
        for (c = 0; c < row_size; c++)
        {
            int64_t v = ((int64_t)y[c] * reciprocal + round) >> (right_shift & 63u);
            y[c] = (int16_t)ad_clamp_i32((int32_t)(uint32_t)(uint64_t)v, 0, 32767);
        }
    }
    return AD_OK;
}
