//! Pointwise activations: RELU, RELU6, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - RELU (int8/int16) requantises from the input to the output quantisation with
//!   one 32-bit multiply and clamps at the output zero point;
//! - RELU6 (int8/int16) clamps the stored values between the input zero point and
//!   `round(6 / input_scale) + input_zero_point` and does **not** requantise, even
//!   if the output quantisation differs (TFLite's LiteRT does requantise);
//! - LEAKY_RELU requantises non-negative inputs with the identity multiplier and
//!   negative ones with the alpha multiplier (a negative alpha is handled by
//!   negating after the multiply);
//! - HARD_SWISH (int8) is TFLite's int16 fixed-point pipeline: inputs on a 2^-7
//!   finer scale, a "reluish" factor in `[0, 1]`, a truncating (not rounding)
//!   doubling multiply, then a rounding shift to the output scale;
//! - LOGISTIC/TANH int8 rescale the input to Q4.27 (saturating outside the input
//!   radius) and use gemmlowp's fixed-point logistic/tanh; the outputs are fixed to
//!   scale 1/256 zero point -128 (logistic) and scale 1/128 zero point 0 (tanh);
//! - LOGISTIC/TANH int16 rescale to Q3.12 (times 3 folded into the multiplier) and
//!   interpolate in a 256-entry table of sigmoid samples. That table is
//!   TFLite's data, not derivable from a closed formula we found; it is
//!   measured from TFLite Micro's outputs (`super::sigmoid_table`, written by
//!   `cargo xtask oracle-tables`) and passed in (`sigmoid_table`);
//! - float versions: `max(x, 0)`, `clamp(x, 0, 6)`, `x > 0 ? x : x * alpha`,
//!   `x * clamp(x + 3, 0, 6) / 6`, logistic with TFLite's cut-offs, `tanhf`.

use super::quant::{
    f32_to_i32_like_c, logistic, multiply_by_quantized_multiplier, rounding_divide_by_pot,
    rounding_divide_by_pot_i16, saturating_rounding_doubling_high_mul_i16, tanh,
};
use super::{check_len, KernelError, QuantActivation};

/// Parameters of a quantised RELU (see `prepare::relu_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReluQuant {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.31 multiplier for `input_scale / output_scale`.
    pub multiplier: i32,
    /// Its shift (positive = left).
    pub shift: i32,
    /// Clamp range: `[max(type_min, output_zp), type_max]`.
    pub activation: QuantActivation,
}

/// Parameters of a quantised RELU6 (see `prepare::relu6_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relu6Quant {
    /// Lower bound: the input zero point.
    pub zero: i32,
    /// Upper bound: 6.0 quantised with the input parameters.
    pub six: i32,
}

/// Parameters of a quantised LEAKY_RELU (see `prepare::leaky_relu_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeakyReluQuant {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Multiplier for `alpha * input_scale / output_scale` (may be negative).
    pub multiplier_alpha: i32,
    /// Its shift.
    pub shift_alpha: i32,
    /// Multiplier for `input_scale / output_scale`.
    pub multiplier_identity: i32,
    /// Its shift.
    pub shift_identity: i32,
}

/// Parameters of a quantised HARD_SWISH (see `prepare::hard_swish_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HardSwishQuant {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.15 multiplier from the fine input scale to the "reluish" scale.
    pub reluish_multiplier_fixedpoint_int16: i16,
    /// Its exponent.
    pub reluish_multiplier_exponent: i32,
    /// Q0.15 multiplier from the fine input scale to the output scale.
    pub output_multiplier_fixedpoint_int16: i16,
    /// Its exponent (<= 0).
    pub output_multiplier_exponent: i32,
}

/// Parameters of an int8 LOGISTIC or TANH (see `prepare::logistic_s8_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigmoidTanhS8Quant {
    /// Input zero point.
    pub input_zero_point: i32,
    /// Inputs (minus zero point) at or beyond +-radius saturate.
    pub input_range_radius: i32,
    /// Multiplier to Q4.27.
    pub input_multiplier: i32,
    /// Its shift (from `frexp`).
    pub input_left_shift: i32,
}

/// Parameters of a quantised LOGISTIC or TANH, by element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigmoidTanhQuant {
    /// int8 (gemmlowp's fixed-point functions).
    S8(SigmoidTanhS8Quant),
    /// int16 (interpolation in [`super::sigmoid_table::SIGMOID_TABLE`]).
    S16(SigmoidTanhS16Quant),
}

/// Parameters of an int16 LOGISTIC or TANH (see `prepare::logistic_s16_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigmoidTanhS16Quant {
    /// Integer multiplier (0 means "power-of-two scale": use `3 << shift`).
    pub input_multiplier: i32,
    /// Right shift applied after the multiply.
    pub input_left_shift: i32,
}

fn map<I: Copy, O>(input: &[I], output: &mut [O], f: impl Fn(I) -> O) -> Result<(), KernelError> {
    check_len("output", output.len(), input.len())?;
    for (o, &x) in output.iter_mut().zip(input) {
        *o = f(x);
    }
    Ok(())
}

fn relu_core(x: i32, q: &ReluQuant) -> i32 {
    let v = q
        .output_zero_point
        .wrapping_add(multiply_by_quantized_multiplier(
            x.wrapping_sub(q.input_zero_point),
            q.multiplier,
            q.shift,
        ));
    v.max(q.activation.min).min(q.activation.max)
}

/// int8 RELU.
pub fn relu_s8(quant: &ReluQuant, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    map(input, output, |x| relu_core(i32::from(x), quant) as i8)
}

/// int16 RELU.
pub fn relu_s16(quant: &ReluQuant, input: &[i16], output: &mut [i16]) -> Result<(), KernelError> {
    map(input, output, |x| relu_core(i32::from(x), quant) as i16)
}

/// float32 RELU (`x < 0 ? 0 : x`).
pub fn relu_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    map(input, output, |x| if x < 0.0 { 0.0 } else { x })
}

/// int8 RELU6 (no requantisation, see the module docs).
pub fn relu6_s8(quant: &Relu6Quant, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    let (lo, hi) = (quant.zero as i8, quant.six as i8);
    map(input, output, |x| {
        if x > hi {
            hi
        } else if x < lo {
            lo
        } else {
            x
        }
    })
}

/// int16 RELU6 (no requantisation).
pub fn relu6_s16(quant: &Relu6Quant, input: &[i16], output: &mut [i16]) -> Result<(), KernelError> {
    let (lo, hi) = (quant.zero as i16, quant.six as i16);
    map(input, output, |x| {
        if x > hi {
            hi
        } else if x < lo {
            lo
        } else {
            x
        }
    })
}

/// float32 RELU6.
pub fn relu6_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    map(input, output, |x| x.clamp(0.0, 6.0))
}

fn leaky_core(x: i32, q: &LeakyReluQuant, min: i32, max: i32) -> i32 {
    let v = x.wrapping_sub(q.input_zero_point);
    let out = if v >= 0 {
        q.output_zero_point
            .wrapping_add(multiply_by_quantized_multiplier(
                v,
                q.multiplier_identity,
                q.shift_identity,
            ))
    } else {
        let negative = q.multiplier_alpha < 0;
        let m = if negative {
            q.multiplier_alpha.wrapping_neg()
        } else {
            q.multiplier_alpha
        };
        let scaled = multiply_by_quantized_multiplier(v, m, q.shift_alpha);
        q.output_zero_point.wrapping_add(if negative {
            scaled.wrapping_neg()
        } else {
            scaled
        })
    };
    out.clamp(min, max)
}

/// int8 LEAKY_RELU.
pub fn leaky_relu_s8(
    quant: &LeakyReluQuant,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    map(input, output, |x| {
        leaky_core(i32::from(x), quant, -128, 127) as i8
    })
}

/// int16 LEAKY_RELU.
pub fn leaky_relu_s16(
    quant: &LeakyReluQuant,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    map(input, output, |x| {
        leaky_core(i32::from(x), quant, -32768, 32767) as i16
    })
}

/// float32 LEAKY_RELU.
pub fn leaky_relu_f32(alpha: f32, input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    map(input, output, |x| if x > 0.0 { x } else { x * alpha })
}

fn saturating_left_shift_i16(value: i16, amount: i32) -> i16 {
    let r = i64::from(value).wrapping_mul(1i64.wrapping_shl(amount as u32));
    r.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

/// Doubling high multiply *without* rounding (truncating division), as in
/// TFLite's hard-swish helper.
fn saturating_doubling_high_mul_i16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    ((i32::from(a) * i32::from(b)) / (1 << 15)) as i16
}

/// int8 HARD_SWISH.
pub fn hard_swish_s8(
    quant: &HardSwishQuant,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    let q = *quant;
    map(input, output, move |x| {
        let input_value = i32::from(x).wrapping_sub(q.input_zero_point) as i16;
        let hires = i32::from(input_value).wrapping_mul(1 << 7) as i16;
        let preshift_output =
            saturating_rounding_doubling_high_mul_i16(hires, q.output_multiplier_fixedpoint_int16);
        let mut reluish = hires;
        if q.reluish_multiplier_exponent > 0 {
            reluish = saturating_left_shift_i16(reluish, q.reluish_multiplier_exponent - 1);
        }
        reluish = saturating_rounding_doubling_high_mul_i16(
            reluish,
            q.reluish_multiplier_fixedpoint_int16,
        );
        if q.reluish_multiplier_exponent > 0 {
            reluish = saturating_left_shift_i16(reluish, 1);
        }
        if q.reluish_multiplier_exponent < 0 {
            reluish = rounding_divide_by_pot_i16(reluish, -q.reluish_multiplier_exponent);
        }
        let reluish = ((i32::from(reluish) + (1 << 15)) >> 1) as i16;
        let preshift = saturating_doubling_high_mul_i16(reluish, preshift_output);
        let out = rounding_divide_by_pot_i16(preshift, -q.output_multiplier_exponent);
        let out = (i32::from(out) + q.output_zero_point) as i16;
        out.clamp(i16::from(i8::MIN), i16::from(i8::MAX)) as i8
    })
}

/// float32 HARD_SWISH.
pub fn hard_swish_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    map(input, output, |x| {
        let y = x + 3.0;
        let relu = if 0.0 < y { y } else { 0.0 };
        let relu6 = if relu < 6.0 { relu } else { 6.0 };
        x * relu6 / 6.0
    })
}

fn sigmoid_tanh_s8(x: i8, q: &SigmoidTanhS8Quant, f: impl Fn(i32) -> i32) -> i8 {
    let v = i32::from(x).wrapping_sub(q.input_zero_point);
    if v <= q.input_range_radius.wrapping_neg() {
        i8::MIN
    } else if v >= q.input_range_radius {
        i8::MAX
    } else {
        let q4 = multiply_by_quantized_multiplier(v, q.input_multiplier, q.input_left_shift);
        f(q4) as i8
    }
}

/// int8 LOGISTIC (output scale 1/256, zero point -128).
pub fn logistic_s8(
    quant: &SigmoidTanhS8Quant,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    map(input, output, |x| {
        sigmoid_tanh_s8(x, quant, |q4| {
            let out = rounding_divide_by_pot(logistic(q4, 4), 31 - 8);
            out.wrapping_sub(128).clamp(-128, 127)
        })
    })
}

/// int8 TANH (output scale 1/128, zero point 0).
pub fn tanh_s8(
    quant: &SigmoidTanhS8Quant,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    map(input, output, |x| {
        sigmoid_tanh_s8(x, quant, |q4| {
            rounding_divide_by_pot(tanh(q4, 4), 31 - 7).clamp(-128, 127)
        })
    })
}

fn scale_s16_input(x: i16, q: &SigmoidTanhS16Quant) -> i32 {
    let (mult, shift) = if q.input_multiplier == 0 {
        (3i32.wrapping_shl(q.input_left_shift as u32), 0)
    } else {
        (q.input_multiplier, q.input_left_shift)
    };
    let round = if shift > 0 {
        1i32.wrapping_shl((shift - 1) as u32)
    } else {
        0
    };
    i32::from(x)
        .wrapping_mul(mult)
        .wrapping_add(round)
        .wrapping_shr(shift as u32)
}

/// int16 LOGISTIC (input and output zero point 0, output scale 2^-15).
/// `sigmoid_table` is TFLite's sigmoid table (256 samples of the logistic
/// function on `[0, 255/24]` scaled to 16 bits): [`super::sigmoid_table::SIGMOID_TABLE`].
pub fn logistic_s16(
    quant: &SigmoidTanhS16Quant,
    sigmoid_table: &[u16; 256],
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    map(input, output, |x| {
        let v = scale_s16_input(x, quant);
        let abs = v.unsigned_abs();
        let uh = (abs >> 9) as usize;
        let mut result: u32 = if uh >= 255 {
            0x7FFF << 10
        } else {
            let ua = u32::from(sigmoid_table[uh]);
            let ub = u32::from(sigmoid_table[uh + 1]);
            let ut = abs & 0x1ff;
            (ua << 9).wrapping_add(ut.wrapping_mul(ub.wrapping_sub(ua)))
        };
        result = if v >= 0 {
            result.wrapping_add(1 << 9)
        } else {
            (1u32 << 25)
                .wrapping_sub(result)
                .wrapping_add(1 << 9)
                .wrapping_sub(1)
        };
        (result >> 10) as i16
    })
}

/// int16 TANH (input and output zero point 0, output scale 2^-15). Uses the
/// same caller-supplied table as [`logistic_s16`].
pub fn tanh_s16(
    quant: &SigmoidTanhS16Quant,
    sigmoid_table: &[u16; 256],
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    map(input, output, |x| {
        let v = scale_s16_input(x, quant);
        let abs = v.unsigned_abs();
        let uh = (abs >> 8) as usize;
        let result: i32 = if uh >= 255 {
            0xFFFF << 8
        } else {
            let ua = u32::from(sigmoid_table[uh]);
            let ub = u32::from(sigmoid_table[uh + 1]);
            let ut = abs & 0xFF;
            (ua << 8).wrapping_add(ut.wrapping_mul(ub.wrapping_sub(ua))) as i32
        };
        let result = if v >= 0 {
            result.wrapping_sub(1 << 23).wrapping_add(1 << 7)
        } else {
            result
                .wrapping_neg()
                .wrapping_add(1 << 23)
                .wrapping_add(1 << 7)
                .wrapping_sub(1)
        };
        (result >> 8) as i16
    })
}

/// float32 LOGISTIC with TFLite's cut-offs (1 above 16.619047, `exp(x)` below -9).
pub fn logistic_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    const UPPER: f32 = 16.619_047;
    const LOWER: f32 = -9.0;
    map(input, output, |x| {
        if x > UPPER {
            1.0
        } else if x < LOWER {
            x.exp()
        } else {
            1.0 / (1.0 + (-x).exp())
        }
    })
}

/// float32 TANH.
pub fn tanh_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    map(input, output, f32::tanh)
}

/// Quantises one float like TFLite Micro's `FloatToQuantizedType`:
/// `round(value / scale) + zero_point`, clamped to `[min, max]`.
pub fn float_to_quantized(value: f32, scale: f32, zero_point: i32, min: i32, max: i32) -> i32 {
    f32_to_i32_like_c((value / scale).round() + zero_point as f32).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{
        hard_swish_quant, leaky_relu_quant, logistic_s8_quant, relu_quant, QuantType,
    };

    #[test]
    fn relu_requantises() {
        let q = relu_quant(0.5, 1, 0.25, -2, QuantType::Int8).unwrap();
        let mut out = [0i8; 4];
        relu_s8(&q, &[-10, 1, 2, 60], &mut out).unwrap();
        // (x - 1) * 2 - 2, clamped below at -2
        assert_eq!(out, [-2, -2, 0, 116]);
    }

    #[test]
    fn leaky_relu_s8_hand_checked() {
        let q = leaky_relu_quant(1.0, 0, 1.0, 0, 0.5).unwrap();
        let mut out = [0i8; 4];
        leaky_relu_s8(&q, &[-3, -4, 5, 127], &mut out).unwrap();
        assert_eq!(out, [-1, -2, 5, 127]); // -1.5 -> -1 (ties towards +inf)
        let qn = leaky_relu_quant(1.0, 0, 1.0, 0, -0.5).unwrap();
        leaky_relu_s8(&qn, &[-3, -4, 5, 127], &mut out).unwrap();
        assert_eq!(out, [1, 2, 5, 127]);
    }

    #[test]
    fn logistic_s8_matches_float() {
        let q = logistic_s8_quant(0.1, 0);
        let input: Vec<i8> = (-128..=127).collect();
        let mut out = vec![0i8; 256];
        logistic_s8(&q, &input, &mut out).unwrap();
        for (&x, &y) in input.iter().zip(&out) {
            let expect = 1.0 / (1.0 + (-(f64::from(x) * 0.1)).exp());
            let got = (f64::from(y) + 128.0) / 256.0;
            assert!(
                (expect - got).abs() <= 1.0 / 256.0 + 1e-9,
                "x={x}: {got} vs {expect}"
            );
        }
        let mut t = vec![0i8; 256];
        tanh_s8(&q, &input, &mut t).unwrap();
        assert_eq!(t[128], 0);
        assert_eq!(t[255], 127);
        assert_eq!(t[0], -128);
        // tanh(0.5) * 128 = 59.2
        assert_eq!(t[128 + 5], 59);
    }

    #[test]
    fn hard_swish_s8_is_close_to_float() {
        let q = hard_swish_quant(0.05, 0, 0.05, 0).unwrap();
        let input: Vec<i8> = (-128..=127).collect();
        let mut out = vec![0i8; 256];
        hard_swish_s8(&q, &input, &mut out).unwrap();
        for (&x, &y) in input.iter().zip(&out) {
            let xf = f32::from(x) * 0.05;
            let expect = xf * (xf + 3.0).clamp(0.0, 6.0) / 6.0;
            assert!((f32::from(y) * 0.05 - expect).abs() <= 0.05 * 1.01, "x={x}");
        }
    }
}
