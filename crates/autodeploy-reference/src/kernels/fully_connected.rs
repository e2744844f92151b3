//! FULLY_CONNECTED.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - quantised: `acc = sum((filter - filter_zp) * (input - input_zp)) + bias`,
//!   rescaled with a fixed-point multiplier (never in double precision, which is
//!   where TFLite's non-micro reference differs), offset, clamped. A filter with
//!   one scale uses one multiplier (and honours the filter zero point); a filter
//!   with several scales uses one multiplier per output channel (and ignores the
//!   filter zero point, which TFLite requires to be 0 anyway);
//! - 16x8: an int32 bias accumulates in 32 bits and uses the 32-bit
//!   double-rounding multiply; an int64 bias or none, 64 bits and the 64-bit
//!   multiply. Zero points are applied as in the int8 path (they are 0);
//! - float32: products summed in depth order, bias added last, clamped.
//!
//! Weights are `[output_depth, input_depth]`, row-major; every leading input
//! dimension counts as a batch.

use super::conv::Bias16x8;
use super::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_i64};
use super::{check_len, clamp_f32, FloatActivation, KernelError, QuantActivation};

/// Sizes of a FULLY_CONNECTED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FcDims {
    /// Number of input rows (product of all but the last input dimension).
    pub batches: usize,
    /// Length of each input row (the filter's last dimension).
    pub input_depth: usize,
    /// Number of output channels (the filter's first dimension).
    pub output_depth: usize,
}

/// Output rescaling of a quantised FULLY_CONNECTED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FcMultiplier<'a> {
    /// One multiplier for the layer (single filter scale).
    PerTensor {
        /// Q0.31 multiplier.
        multiplier: i32,
        /// Shift, positive = left.
        shift: i32,
    },
    /// One multiplier per output channel (per-channel filter scales).
    PerChannel {
        /// Q0.31 multipliers, `output_depth` of them.
        multiplier: &'a [i32],
        /// Shifts, `output_depth` of them.
        shift: &'a [i32],
    },
}

/// Quantisation parameters of a quantised FULLY_CONNECTED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FcQuant<'a> {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Filter zero point (used only with [`FcMultiplier::PerTensor`]).
    pub filter_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Output rescaling.
    pub multiplier: FcMultiplier<'a>,
    /// Output clamp range.
    pub activation: QuantActivation,
}

fn check_fc(
    dims: &FcDims,
    input_len: usize,
    filter_len: usize,
    bias_len: Option<usize>,
    output_len: usize,
) -> Result<(), KernelError> {
    let overflow = || KernelError::shape("dims", "element count overflows usize");
    check_len(
        "input",
        input_len,
        dims.batches
            .checked_mul(dims.input_depth)
            .ok_or_else(overflow)?,
    )?;
    check_len(
        "filter",
        filter_len,
        dims.output_depth
            .checked_mul(dims.input_depth)
            .ok_or_else(overflow)?,
    )?;
    check_len(
        "output",
        output_len,
        dims.batches
            .checked_mul(dims.output_depth)
            .ok_or_else(overflow)?,
    )?;
    if let Some(len) = bias_len {
        check_len("bias", len, dims.output_depth)?;
    }
    Ok(())
}

fn check_multiplier(m: &FcMultiplier<'_>, channels: usize) -> Result<(), KernelError> {
    if let FcMultiplier::PerChannel { multiplier, shift } = m {
        check_len("multiplier", multiplier.len(), channels)?;
        check_len("shift", shift.len(), channels)?;
    }
    Ok(())
}

#[inline]
fn channel_multiplier(m: &FcMultiplier<'_>, ch: usize) -> (i32, i32) {
    match m {
        FcMultiplier::PerTensor { multiplier, shift } => (*multiplier, *shift),
        FcMultiplier::PerChannel { multiplier, shift } => (multiplier[ch], shift[ch]),
    }
}

/// Drives the row-by-row dot products; `dot(row, weights)` returns the raw
/// accumulator and `finish(acc, channel)` the output element.
fn fc_driver<I: Copy, W: Copy, A, O>(
    dims: &FcDims,
    input: &[I],
    filter: &[W],
    output: &mut [O],
    dot: impl Fn(&[I], &[W]) -> A,
    finish: impl Fn(A, usize) -> O,
) {
    let depth = dims.input_depth;
    if dims.output_depth == 0 {
        return;
    }
    for (b, out_row) in output.chunks_exact_mut(dims.output_depth).enumerate() {
        let row = &input[b * depth..(b + 1) * depth];
        for (oc, o) in out_row.iter_mut().enumerate() {
            let w = &filter[oc * depth..(oc + 1) * depth];
            *o = finish(dot(row, w), oc);
        }
    }
}

/// The filter offset TFLite applies: only on the per-tensor path.
fn filter_offset(quant: &FcQuant<'_>) -> i32 {
    match quant.multiplier {
        FcMultiplier::PerTensor { .. } => quant.filter_zero_point.wrapping_neg(),
        FcMultiplier::PerChannel { .. } => 0,
    }
}

/// int8 FULLY_CONNECTED with int32 bias.
pub fn fully_connected_s8(
    quant: &FcQuant<'_>,
    dims: FcDims,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
) -> Result<(), KernelError> {
    check_fc(
        &dims,
        input.len(),
        filter.len(),
        bias.map(<[i32]>::len),
        output.len(),
    )?;
    check_multiplier(&quant.multiplier, dims.output_depth)?;
    let in_off = quant.input_zero_point.wrapping_neg();
    let f_off = filter_offset(quant);
    fc_driver(
        &dims,
        input,
        filter,
        output,
        |x, w| {
            x.iter().zip(w).fold(0i32, |s, (&xv, &wv)| {
                s.wrapping_add(
                    i32::from(wv)
                        .wrapping_add(f_off)
                        .wrapping_mul(i32::from(xv).wrapping_add(in_off)),
                )
            })
        },
        |acc, ch| {
            let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
            let (m, s) = channel_multiplier(&quant.multiplier, ch);
            let v =
                multiply_by_quantized_multiplier(acc, m, s).wrapping_add(quant.output_zero_point);
            v.max(quant.activation.min).min(quant.activation.max) as i8
        },
    );
    Ok(())
}

/// 16x8 FULLY_CONNECTED: int16 input/output, int8 weights; the bias type picks
/// the accumulator width.
pub fn fully_connected_s16(
    quant: &FcQuant<'_>,
    dims: FcDims,
    input: &[i16],
    filter: &[i8],
    bias: Bias16x8<'_>,
    output: &mut [i16],
) -> Result<(), KernelError> {
    let bias_len = match bias {
        Bias16x8::I32(b) => b.map(<[i32]>::len),
        Bias16x8::I64(b) => b.map(<[i64]>::len),
    };
    check_fc(&dims, input.len(), filter.len(), bias_len, output.len())?;
    check_multiplier(&quant.multiplier, dims.output_depth)?;
    let in_off = quant.input_zero_point.wrapping_neg();
    let f_off = filter_offset(quant);
    let term = move |xv: i16, wv: i8| {
        i32::from(wv)
            .wrapping_add(f_off)
            .wrapping_mul(i32::from(xv).wrapping_add(in_off))
    };
    let act = quant.activation;
    match bias {
        Bias16x8::I32(b) => fc_driver(
            &dims,
            input,
            filter,
            output,
            |x, w| {
                x.iter()
                    .zip(w)
                    .fold(0i32, |s, (&xv, &wv)| s.wrapping_add(term(xv, wv)))
            },
            |acc, ch| {
                let acc = acc.wrapping_add(b.map_or(0, |b| b[ch]));
                let (m, s) = channel_multiplier(&quant.multiplier, ch);
                let v = multiply_by_quantized_multiplier(acc, m, s)
                    .wrapping_add(quant.output_zero_point);
                v.max(act.min).min(act.max) as i16
            },
        ),
        Bias16x8::I64(b) => fc_driver(
            &dims,
            input,
            filter,
            output,
            |x, w| {
                x.iter().zip(w).fold(0i64, |s, (&xv, &wv)| {
                    s.wrapping_add(i64::from(term(xv, wv)))
                })
            },
            |acc, ch| {
                let acc = acc.wrapping_add(b.map_or(0, |b| b[ch]));
                let (m, s) = channel_multiplier(&quant.multiplier, ch);
                let v = multiply_by_quantized_multiplier_i64(acc, m, s)
                    .wrapping_add(quant.output_zero_point);
                v.max(act.min).min(act.max) as i16
            },
        ),
    }
    Ok(())
}

/// float32 FULLY_CONNECTED.
pub fn fully_connected_f32(
    activation: FloatActivation,
    dims: FcDims,
    input: &[f32],
    filter: &[f32],
    bias: Option<&[f32]>,
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_fc(
        &dims,
        input.len(),
        filter.len(),
        bias.map(<[f32]>::len),
        output.len(),
    )?;
    fc_driver(
        &dims,
        input,
        filter,
        output,
        |x, w| x.iter().zip(w).fold(0.0f32, |s, (&xv, &wv)| s + xv * wv),
        |acc, ch| clamp_f32(acc + bias.map_or(0.0, |b| b[ch]), activation),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fc_s8_per_tensor_uses_filter_offset() {
        let dims = FcDims {
            batches: 2,
            input_depth: 3,
            output_depth: 2,
        };
        let input = [1i8, 2, 3, -1, -2, -3];
        let filter = [1i8, 1, 1, 2, 0, -2];
        let quant = FcQuant {
            input_zero_point: 1,
            filter_zero_point: 1,
            output_zero_point: 10,
            multiplier: FcMultiplier::PerTensor {
                multiplier: 1 << 30,
                shift: 1,
            },
            activation: QuantActivation::S8,
        };
        let mut out = [0i8; 4];
        fully_connected_s8(&quant, dims, &input, &filter, Some(&[5, -5]), &mut out).unwrap();
        // row0: x-1 = [0,1,2]; w-1 = [0,0,0] -> 0 + 5 = 5 -> 15; [1,-1,-3] -> 0-1*... = 0*1 + -1*1... compute:
        // ch1: w-1 = [1,-1,-3]: 0*1 + 1*-1 + 2*-3 = -7 - 5 = -12 -> -2
        // row1: x-1 = [-2,-3,-4]; ch0: 0 + 5 -> 15; ch1: -2 + 3 + 12 = 13 - 5 = 8 -> 18
        assert_eq!(out, [15, -2, 15, 18]);
    }

    #[test]
    fn fc_f32() {
        let dims = FcDims {
            batches: 1,
            input_depth: 2,
            output_depth: 2,
        };
        let mut out = [0f32; 2];
        fully_connected_f32(
            FloatActivation { min: 0.0, max: 6.0 },
            dims,
            &[1.0, 2.0],
            &[1.0, 1.0, -3.0, 1.0],
            None,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [3.0, 0.0]);
    }
}
