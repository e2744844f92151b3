//! QUANTIZE (float to int, and int to int "requantize") and DEQUANTIZE.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - float to int8/int16: `round(x / scale) + zero_point` with the division and
//!   the rounding (half away from zero) in f32, the conversion to `int32_t`
//!   following the x86-64 host (NaN or out-of-range gives `i32::MIN`, which then
//!   clamps to the type minimum), then clamped;
//! - int to int: `(x - in_zp)` rescaled with the 32-bit double-rounding multiply
//!   by `in_scale / out_scale`, plus the output zero point, clamped. TFLite Micro
//!   supports int8->{int8, uint8, int16, int32}, int16->{int8, int16, int32},
//!   int32->{int8, int16} and uint8->int8; only those are provided;
//! - DEQUANTIZE (int8, int16, uint8 to float): `scale * (x - zp)` computed in f64
//!   and narrowed to f32.

use super::quant::{f32_to_i32_like_c, multiply_by_quantized_multiplier};
use super::{check_len, KernelError};

/// Parameters of an int-to-int QUANTIZE (see `prepare::requantize_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequantizeQuant {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.31 multiplier for `input_scale / output_scale`.
    pub multiplier: i32,
    /// Its shift (positive = left).
    pub shift: i32,
}

/// Output element types of the quantize kernels.
pub trait QuantOutput: Copy {
    /// Smallest value.
    const MIN: i32;
    /// Largest value.
    const MAX: i32;
    /// Narrows an in-range `i32`.
    fn from_i32(v: i32) -> Self;
}

macro_rules! quant_output {
    ($t:ty) => {
        impl QuantOutput for $t {
            const MIN: i32 = <$t>::MIN as i32;
            const MAX: i32 = <$t>::MAX as i32;
            fn from_i32(v: i32) -> Self {
                v as $t
            }
        }
    };
}
quant_output!(i8);
quant_output!(u8);
quant_output!(i16);
quant_output!(i32);

fn quantize_f32<O: QuantOutput>(
    scale: f32,
    zero_point: i32,
    input: &[f32],
    output: &mut [O],
) -> Result<(), KernelError> {
    check_len("output", output.len(), input.len())?;
    for (o, &x) in output.iter_mut().zip(input) {
        let v = f32_to_i32_like_c((x / scale).round()).wrapping_add(zero_point);
        *o = O::from_i32(v.clamp(O::MIN, O::MAX));
    }
    Ok(())
}

/// QUANTIZE float32 -> int8.
pub fn quantize_f32_s8(
    scale: f32,
    zero_point: i32,
    input: &[f32],
    output: &mut [i8],
) -> Result<(), KernelError> {
    quantize_f32(scale, zero_point, input, output)
}

/// QUANTIZE float32 -> int16.
pub fn quantize_f32_s16(
    scale: f32,
    zero_point: i32,
    input: &[f32],
    output: &mut [i16],
) -> Result<(), KernelError> {
    quantize_f32(scale, zero_point, input, output)
}

fn requantize<I: Copy + Into<i64>, O: QuantOutput>(
    quant: &RequantizeQuant,
    input: &[I],
    output: &mut [O],
) -> Result<(), KernelError> {
    check_len("output", output.len(), input.len())?;
    for (o, &x) in output.iter_mut().zip(input) {
        // C computes `input - zero_point` in int (wrapping for int32 input).
        let v = (x.into() as i32).wrapping_sub(quant.input_zero_point);
        let r = multiply_by_quantized_multiplier(v, quant.multiplier, quant.shift)
            .wrapping_add(quant.output_zero_point);
        *o = O::from_i32(r.clamp(O::MIN, O::MAX));
    }
    Ok(())
}

macro_rules! requant_fn {
    ($name:ident, $i:ty, $o:ty, $doc:literal) => {
        #[doc = $doc]
        pub fn $name(
            quant: &RequantizeQuant,
            input: &[$i],
            output: &mut [$o],
        ) -> Result<(), KernelError> {
            requantize(quant, input, output)
        }
    };
}

requant_fn!(requantize_s8_s8, i8, i8, "QUANTIZE int8 -> int8.");
requant_fn!(requantize_s8_u8, i8, u8, "QUANTIZE int8 -> uint8.");
requant_fn!(requantize_s8_s16, i8, i16, "QUANTIZE int8 -> int16.");
requant_fn!(requantize_s8_s32, i8, i32, "QUANTIZE int8 -> int32.");
requant_fn!(requantize_u8_s8, u8, i8, "QUANTIZE uint8 -> int8.");
requant_fn!(requantize_s16_s8, i16, i8, "QUANTIZE int16 -> int8.");
requant_fn!(requantize_s16_s16, i16, i16, "QUANTIZE int16 -> int16.");
requant_fn!(requantize_s16_s32, i16, i32, "QUANTIZE int16 -> int32.");
requant_fn!(requantize_s32_s8, i32, i8, "QUANTIZE int32 -> int8.");
requant_fn!(requantize_s32_s16, i32, i16, "QUANTIZE int32 -> int16.");

fn dequantize<I: Copy + Into<i32>>(
    scale: f32,
    zero_point: i32,
    input: &[I],
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_len("output", output.len(), input.len())?;
    let scale = f64::from(scale);
    for (o, &x) in output.iter_mut().zip(input) {
        *o = (scale * f64::from(x.into().wrapping_sub(zero_point))) as f32;
    }
    Ok(())
}

/// DEQUANTIZE int8 -> float32.
pub fn dequantize_s8_f32(
    scale: f32,
    zero_point: i32,
    input: &[i8],
    output: &mut [f32],
) -> Result<(), KernelError> {
    dequantize(scale, zero_point, input, output)
}

/// DEQUANTIZE int16 -> float32.
pub fn dequantize_s16_f32(
    scale: f32,
    zero_point: i32,
    input: &[i16],
    output: &mut [f32],
) -> Result<(), KernelError> {
    dequantize(scale, zero_point, input, output)
}

/// DEQUANTIZE uint8 -> float32.
pub fn dequantize_u8_f32(
    scale: f32,
    zero_point: i32,
    input: &[u8],
    output: &mut [f32],
) -> Result<(), KernelError> {
    dequantize(scale, zero_point, input, output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::requantize_quant;

    #[test]
    fn quantize_rounds_half_away_and_saturates() {
        let mut out = [0i8; 6];
        quantize_f32_s8(
            0.5,
            -1,
            &[0.25, -0.25, 1.0, 1000.0, f32::NAN, 3e12],
            &mut out,
        )
        .unwrap();
        // 0.5 -> 1, -0.5 -> -1, 2. NaN and 6e12 convert to INT_MIN, and adding the
        // zero point -1 wraps to INT_MAX, so they clamp to 127 (as on the x86 host).
        assert_eq!(out, [0, -2, 1, 127, 127, 127]);
        quantize_f32_s8(0.5, 0, &[f32::NAN], &mut out[..1]).unwrap();
        assert_eq!(out[0], -128);
    }

    #[test]
    fn requantize_and_dequantize() {
        let q = requantize_quant(0.5, 3, 0.25, -3);
        let mut out = [0i8; 3];
        requantize_s8_s8(&q, &[3, 4, 100], &mut out).unwrap();
        assert_eq!(out, [-3, -1, 127]);
        let mut u = [0u8; 2];
        let q = requantize_quant(1.0, 0, 1.0, 128);
        requantize_s8_u8(&q, &[-128, 127], &mut u).unwrap();
        assert_eq!(u, [0, 255]);
        let mut f = [0f32; 2];
        dequantize_s8_f32(0.1, 1, &[1, 11], &mut f).unwrap();
        assert_eq!(f, [0.0, (f64::from(0.1f32) * 10.0) as f32]);
    }
}
