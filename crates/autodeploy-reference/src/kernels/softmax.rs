//! SOFTMAX over the innermost dimension.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - int8 input (int8 or int16 output): per row, the difference to the row
//!   maximum is rescaled to Q5.26 (skipped when below `diff_min`, giving the
//!   output minimum), exponentiated with gemmlowp's fixed-point `exp`, summed in
//!   Q12.19, inverted with the fixed-point reciprocal and scaled so the output
//!   uses the full unsigned range shifted to the signed type (output zero point
//!   -128 or -32768, scale 1/256 or 1/65536);
//! - int16: differences are rescaled by a 32-bit multiplier, offset into a
//!   symmetric int16 range and looked up (with interpolation) in a 513-entry
//!   `exp` table; the sum is normalised and looked up in a `1/(1+x)` table; each
//!   output is `exp * reciprocal` with round-half-up, clamped to `[0, 32767]`;
//! - float32: `exp((x - max) * beta)` in f32 (the double beta is narrowed first),
//!   then divided by the f32 sum.

use super::quant::{
    exp_on_negative_values, get_reciprocal, lut_lookup_s16, multiply_by_quantized_multiplier,
    multiply_by_quantized_multiplier_greater_than_one, rescale, rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
};
use super::KernelError;

/// Parameters of an int8-input softmax (see `prepare::softmax_s8_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftmaxQuant {
    /// Multiplier taking `beta * input_scale` differences to Q5.26.
    pub input_multiplier: i32,
    /// Its left shift (>= 0).
    pub input_left_shift: i32,
    /// Differences below this (negative) value produce the output minimum.
    pub diff_min: i32,
}

/// Parameters of an int16 softmax (see `prepare::softmax_s16_quant`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoftmaxS16Quant {
    /// Multiplier for the input differences.
    pub input_multiplier: i32,
    /// Its shift (positive = left).
    pub input_left_shift: i32,
    /// `exp` on `[-10, 0]`, 513 entries.
    pub exp_lut: Box<[i16; 513]>,
    /// `1 / (1 + x)` on `[0, 1]`, 513 entries.
    pub one_over_one_plus_x_lut: Box<[i16; 513]>,
}

fn check_rows(depth: usize, input_len: usize, output_len: usize) -> Result<(), KernelError> {
    if depth == 0 {
        return Err(KernelError::shape("input", "innermost dimension is 0"));
    }
    if input_len % depth != 0 {
        return Err(KernelError::shape(
            "input",
            "length is not a multiple of the depth",
        ));
    }
    super::check_len("output", output_len, input_len)
}

fn softmax_from_s8(
    quant: &SoftmaxQuant,
    depth: usize,
    input: &[i8],
    mut store: impl FnMut(usize, i32),
    out_bits: i32,
    out_min: i32,
    out_max: i32,
) {
    const SCALED_DIFF_INTEGER_BITS: i32 = 5;
    const ACCUMULATION_INTEGER_BITS: i32 = 12;
    for (r, row) in input.chunks_exact(depth).enumerate() {
        let max_in_row = i32::from(row.iter().copied().fold(i8::MIN, i8::max));
        let exp_of = |x: i8| -> Option<i32> {
            let diff = i32::from(x) - max_in_row;
            (diff >= quant.diff_min).then(|| {
                let rescaled = multiply_by_quantized_multiplier_greater_than_one(
                    diff,
                    quant.input_multiplier,
                    quant.input_left_shift,
                );
                exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS)
            })
        };
        let sum_of_exps = row.iter().fold(0i32, |sum, &x| match exp_of(x) {
            Some(e) => sum.wrapping_add(rescale(e, 0, ACCUMULATION_INTEGER_BITS)),
            None => sum,
        });
        let (shifted_scale, num_bits_over_unit) =
            get_reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS);
        let exponent = num_bits_over_unit + 31 - out_bits;
        for (c, &x) in row.iter().enumerate() {
            let value = match exp_of(x) {
                Some(e) => {
                    let unsat = rounding_divide_by_pot(
                        saturating_rounding_doubling_high_mul(shifted_scale, e),
                        exponent,
                    );
                    unsat.wrapping_add(out_min).clamp(out_min, out_max)
                }
                None => out_min,
            };
            store(r * depth + c, value);
        }
    }
}

/// int8 SOFTMAX (output zero point -128, scale 1/256). `depth` is the size of
/// the innermost dimension.
pub fn softmax_s8(
    quant: &SoftmaxQuant,
    depth: usize,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    check_rows(depth, input.len(), output.len())?;
    softmax_from_s8(
        quant,
        depth,
        input,
        |i, v| output[i] = v as i8,
        8,
        -128,
        127,
    );
    Ok(())
}

/// SOFTMAX with int8 input and int16 output (zero point -32768, scale 1/65536).
pub fn softmax_s8_s16(
    quant: &SoftmaxQuant,
    depth: usize,
    input: &[i8],
    output: &mut [i16],
) -> Result<(), KernelError> {
    check_rows(depth, input.len(), output.len())?;
    softmax_from_s8(
        quant,
        depth,
        input,
        |i, v| output[i] = v as i16,
        16,
        -32768,
        32767,
    );
    Ok(())
}

/// int16 SOFTMAX (input and output zero point 0, output scale 1/32768).
pub fn softmax_s16(
    quant: &SoftmaxS16Quant,
    depth: usize,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    check_rows(depth, input.len(), output.len())?;
    for (row, out) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let max_in_row = i32::from(row.iter().copied().fold(i16::MIN, i16::max));
        let mut sum_of_exps = 0i32;
        for (o, &x) in out.iter_mut().zip(row) {
            let diff = i32::from(x) - max_in_row;
            let scaled = multiply_by_quantized_multiplier(
                diff,
                quant.input_multiplier,
                quant.input_left_shift,
            );
            let sym = scaled.wrapping_add(32767).clamp(-32768, 32767) as i16;
            let e = lut_lookup_s16(sym, &quant.exp_lut);
            *o = e;
            sum_of_exps = sum_of_exps.wrapping_add(i32::from(e));
        }
        let headroom_plus_one = (sum_of_exps as u32).leading_zeros() as i32;
        let shifted_sum = (i64::from(sum_of_exps)
            .wrapping_shl((headroom_plus_one - 1) as u32)
            .wrapping_add(1 << 13)
            >> 14) as i32;
        let sym_sum = shifted_sum
            .wrapping_sub((1 << 15) + (1 << 16))
            .clamp(-32768, 32767) as i16;
        let reciprocal = i64::from(lut_lookup_s16(sym_sum, &quant.one_over_one_plus_x_lut));
        let right_shift = (31 - headroom_plus_one) as u32;
        let round = i64::from(1i32.wrapping_shl(right_shift.wrapping_sub(1)));
        for o in out.iter_mut() {
            let result = (i64::from(*o) * reciprocal + round).wrapping_shr(right_shift) as i32;
            *o = result.clamp(0, 32767) as i16;
        }
    }
    Ok(())
}

/// float32 SOFTMAX.
pub fn softmax_f32(
    beta: f32,
    depth: usize,
    input: &[f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_rows(depth, input.len(), output.len())?;
    for (row, out) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let max = row.iter().fold(f32::MIN, |m, &x| if m < x { x } else { m });
        let mut sum = 0.0f32;
        for (o, &x) in out.iter_mut().zip(row) {
            let e = ((x - max) * beta).exp();
            *o = e;
            sum += e;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::softmax_s8_quant;

    #[test]
    fn softmax_s8_uniform_and_peaked() {
        let q = softmax_s8_quant(1.0, 0.1).unwrap();
        let mut out = [0i8; 4];
        softmax_s8(&q, 4, &[5, 5, 5, 5], &mut out).unwrap();
        // 0.25 * 256 - 128 = -64
        assert_eq!(out, [-64; 4]);
        softmax_s8(&q, 2, &[127, -128, 0, 0], &mut out).unwrap();
        assert_eq!(out[0], 127);
        assert_eq!(out[1], -128);
        assert_eq!(out[2], 0);
        assert_eq!(out[3], 0);
    }

    #[test]
    fn softmax_f32_sums_to_one() {
        let mut out = [0f32; 3];
        softmax_f32(1.0, 3, &[1.0, 2.0, 3.0], &mut out).unwrap();
        assert!((out.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(out[2] > out[1] && out[1] > out[0]);
    }
}
