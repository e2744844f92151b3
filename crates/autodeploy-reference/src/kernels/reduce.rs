//! MEAN over a set of axes.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - axes may be negative (counted from the end) and may repeat (duplicates are
//!   ignored); the data layout of the output does not depend on `keep_dims`;
//! - quantised MEAN sums the stored values in 32 bits (wrapping), subtracts
//!   `input_zp * count` (computed in 64 bits, truncated to 32), and rescales with
//!   the `input_scale / output_scale` multiplier after folding the division by
//!   the element count into it: with `s = min(floor(log2 count), 32, 31 + shift)`
//!   the multiplier becomes `(multiplier << s) / count` (truncating) and the shift
//!   `shift - s`; then the output zero point is added and the result clamped;
//! - float MEAN sums in f32 in input order and divides by the f32 count;
//! - an input with a zero-sized dimension, or an empty reduction, leaves the
//!   output at zero.

use super::quant::multiply_by_quantized_multiplier;
use super::{check_len, shape_len, KernelError};

/// Parameters of a quantised MEAN (see `prepare::mean_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeanQuant {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.31 multiplier for `input_scale / output_scale`.
    pub multiplier: i32,
    /// Its shift (positive = left).
    pub shift: i32,
}

/// Resolves axes against `rank`: negative axes count from the end, duplicates
/// are dropped. Returns a per-dimension "is reduced" mask.
pub fn resolve_axes(rank: usize, axes: &[i32]) -> Result<Vec<bool>, KernelError> {
    let mut reduced = vec![false; rank];
    for &a in axes {
        let r = if a < 0 { a + rank as i32 } else { a };
        if r < 0 || r as usize >= rank {
            return Err(KernelError::shape(
                "axis",
                format!("axis '{a}' out of range for rank {rank}"),
            ));
        }
        reduced[r as usize] = true;
    }
    Ok(reduced)
}

/// Output length, reduced element count and, for every input element in
/// row-major order, the output index it contributes to (via `visit`).
fn reduce_plan(
    input_shape: &[usize],
    axes: &[i32],
) -> Result<(usize, usize, Vec<usize>), KernelError> {
    let reduced = resolve_axes(input_shape.len(), axes)?;
    let mut out_strides = vec![0usize; input_shape.len()];
    let mut acc = 1usize;
    let mut count = 1usize;
    for d in (0..input_shape.len()).rev() {
        if reduced[d] {
            count = count.saturating_mul(input_shape[d]);
        } else {
            out_strides[d] = acc;
            acc = acc.saturating_mul(input_shape[d]);
        }
    }
    Ok((acc, count, out_strides))
}

fn for_each_input(
    input_shape: &[usize],
    out_strides: &[usize],
    mut visit: impl FnMut(usize, usize),
) {
    let total: usize = input_shape.iter().product();
    if total == 0 {
        return;
    }
    let rank = input_shape.len();
    let mut index = vec![0usize; rank];
    let mut out = 0usize;
    for i in 0..total {
        visit(i, out);
        // Advance the odometer, keeping the output offset in step.
        let mut d = rank;
        while d > 0 {
            d -= 1;
            index[d] += 1;
            out += out_strides[d];
            if index[d] < input_shape[d] {
                break;
            }
            out -= out_strides[d] * index[d];
            index[d] = 0;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn mean_int<T: Copy + Into<i32>>(
    quant: &MeanQuant,
    input_shape: &[usize],
    input: &[T],
    axes: &[i32],
    output: &mut [T],
    min: i32,
    max: i32,
    narrow: impl Fn(i32) -> T,
) -> Result<(), KernelError> {
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    let (out_len, count, out_strides) = reduce_plan(input_shape, axes)?;
    check_len("output", output.len(), out_len)?;
    output.iter_mut().for_each(|o| *o = narrow(0));
    if input.is_empty() || count == 0 {
        return Ok(());
    }
    let mut sums = vec![0i32; out_len];
    for_each_input(input_shape, &out_strides, |i, o| {
        sums[o] = sums[o].wrapping_add(input[i].into())
    });
    let n = count as i64;
    let floor_log2 = 63 - (n as u64).leading_zeros() as i32;
    let s = floor_log2.min(32).min(31 + quant.shift);
    let multiplier = ((i64::from(quant.multiplier).wrapping_shl(s.max(0) as u32)) / n) as i32;
    let shift = quant.shift - s;
    let zp_total = i64::from(quant.input_zero_point).wrapping_mul(n);
    for (o, &sum) in output.iter_mut().zip(&sums) {
        let shifted = (i64::from(sum).wrapping_sub(zp_total)) as i32;
        let v = multiply_by_quantized_multiplier(shifted, multiplier, shift)
            .wrapping_add(quant.output_zero_point);
        *o = narrow(v.clamp(min, max));
    }
    Ok(())
}

/// int8 MEAN. `output` has one element per combination of kept dimensions.
pub fn mean_s8(
    quant: &MeanQuant,
    input_shape: &[usize],
    input: &[i8],
    axes: &[i32],
    output: &mut [i8],
) -> Result<(), KernelError> {
    mean_int(quant, input_shape, input, axes, output, -128, 127, |v| {
        v as i8
    })
}

/// int16 MEAN.
pub fn mean_s16(
    quant: &MeanQuant,
    input_shape: &[usize],
    input: &[i16],
    axes: &[i32],
    output: &mut [i16],
) -> Result<(), KernelError> {
    mean_int(
        quant,
        input_shape,
        input,
        axes,
        output,
        -32768,
        32767,
        |v| v as i16,
    )
}

/// float32 MEAN.
pub fn mean_f32(
    input_shape: &[usize],
    input: &[f32],
    axes: &[i32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    let (out_len, count, out_strides) = reduce_plan(input_shape, axes)?;
    check_len("output", output.len(), out_len)?;
    output.iter_mut().for_each(|o| *o = 0.0);
    if input.is_empty() {
        return Ok(());
    }
    for_each_input(input_shape, &out_strides, |i, o| output[o] += input[i]);
    if count > 0 {
        let n = count as f32;
        output.iter_mut().for_each(|o| *o /= n);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::mean_quant;

    #[test]
    fn mean_spatial() {
        // [1, 2, 2, 2] -> mean over axes 1, 2.
        let input = [1i8, 10, 2, 20, 3, 30, 5, 41];
        let q = mean_quant(1.0, 1, 1.0, 1);
        let mut out = [0i8; 2];
        mean_s8(&q, &[1, 2, 2, 2], &input, &[1, -2], &mut out).unwrap();
        // (11 - 4) * 0.5 = 3.5 -> 4, / 2 -> 2, + 1 = 3;
        // (101 - 4) * 0.5 = 48.5 -> 49, / 2 = 24.5 -> 25, + 1 = 26 (double rounding).
        assert_eq!(out, [3, 26]);
        let f: Vec<f32> = input.iter().map(|&v| f32::from(v)).collect();
        let mut fo = [0f32; 2];
        mean_f32(&[1, 2, 2, 2], &f, &[2, 1, 1], &mut fo).unwrap();
        assert_eq!(fo, [2.75, 25.25]);
    }
}
