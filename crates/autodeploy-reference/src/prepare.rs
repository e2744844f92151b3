//! "Prepare" arithmetic: turns the float scales, zero points and options stored
//! in a model into the integer parameters the kernels take, exactly as TFLite
//! Micro's `Prepare` functions do.
//!
//! Precision matters for bit-exactness, and TFLite is not uniform about it; each
//! function documents which products and quotients happen in `f32` and which in
//! `f64`. In short:
//! - CONV_2D / DEPTHWISE_CONV_2D / TRANSPOSE_CONV (always per channel) and
//!   per-channel FULLY_CONNECTED: `f64(in) * f64(filter) / f64(out)`;
//! - per-tensor FULLY_CONNECTED: `f64(in * filter)` (the product is rounded to
//!   f32 first) `/ f64(out)`;
//! - ADD and SUB: all in f64 (SUB as the oracle build computes it, see
//!   [`sub_quant`]);
//! - MUL, MEAN, QUANTIZE: f64; RELU, LEAKY_RELU, HARD_SWISH: f32 quotients.
//!
//! Multipliers are Q0.31 with a power-of-two exponent from `frexp`
//! ([`quantize_multiplier`]).

use thiserror::Error;

use crate::kernels::activation::{
    HardSwishQuant, LeakyReluQuant, Relu6Quant, ReluQuant, SigmoidTanhS16Quant, SigmoidTanhS8Quant,
};
use crate::kernels::elementwise::{AddSubQuant, MulQuant};
use crate::kernels::quant::{f32_to_i32_like_c, f64_to_i32_like_c};
use crate::kernels::quantize::RequantizeQuant;
use crate::kernels::reduce::MeanQuant;
use crate::kernels::softmax::{SoftmaxQuant, SoftmaxS16Quant};
use crate::kernels::{FloatActivation, QuantActivation};

/// Parameters that TFLite Micro would reject in `Prepare`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PrepareError {
    /// A fused activation bound does not fit in 32 bits once quantised.
    #[error("activation bound '{value}' overflows int32 with output scale '{scale}'")]
    ActivationOutOfRange {
        /// The float bound (0, 6, -1 or 1).
        value: f32,
        /// The output scale.
        scale: f32,
    },
    /// Scales or options outside what the kernel supports.
    #[error("unsupported parameters for '{op}': {reason}")]
    Unsupported {
        /// Operator name.
        op: &'static str,
        /// Why.
        reason: String,
    },
}

fn unsupported(op: &'static str, reason: impl Into<String>) -> PrepareError {
    PrepareError::Unsupported {
        op,
        reason: reason.into(),
    }
}

/// Fused activation as stored in TFLite options. Only the first four clamp;
/// TFLite's range helpers treat the others like `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FusedActivation {
    /// No clamp.
    None,
    /// `max(x, 0)`.
    Relu,
    /// `clamp(x, -1, 1)`.
    ReluN1To1,
    /// `clamp(x, 0, 6)`.
    Relu6,
    /// Not applied by fused-range helpers.
    Tanh,
    /// Not applied by fused-range helpers.
    SignBit,
    /// Not applied by fused-range helpers.
    Sigmoid,
}

/// Integer element type of a quantised tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantType {
    /// int8.
    Int8,
    /// int16.
    Int16,
    /// uint8.
    UInt8,
}

impl QuantType {
    /// `(min, max)` of the type.
    pub const fn range(self) -> (i32, i32) {
        match self {
            Self::Int8 => (-128, 127),
            Self::Int16 => (-32768, 32767),
            Self::UInt8 => (0, 255),
        }
    }
}

/// C's `frexp`: `x = m * 2^e` with `|m|` in `[0.5, 1)`; zero, infinities and NaN
/// come back unchanged with exponent 0.
pub fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * 2f64.powi(54));
        return (m, e - 54);
    }
    let mantissa_bits = (bits & !(0x7ffu64 << 52)) | (1022u64 << 52);
    (f64::from_bits(mantissa_bits), biased - 1022)
}

/// TFLite's `QuantizeMultiplier`: `(multiplier, shift)` with
/// `value ~= multiplier * 2^(shift - 31)`, `multiplier` in `[2^30, 2^31)` (negated
/// for negative values). The mantissa is rounded half away from zero; a mantissa
/// that rounds up to 2^31 is halved and the shift incremented; shifts below -31
/// flush to `(0, 0)`, as does zero (and, here, NaN or infinity, which TFLite
/// would abort on).
pub fn quantize_multiplier(value: f64) -> (i32, i32) {
    if value == 0.0 || !value.is_finite() {
        return (0, 0);
    }
    let (q, mut shift) = frexp(value);
    let mut q_fixed = (q * 2_147_483_648.0).round() as i64;
    if q_fixed == 1i64 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        shift = 0;
        q_fixed = 0;
    }
    (q_fixed as i32, shift)
}

/// Float clamp range of a fused activation (`CalculateActivationRange<float>`).
pub fn activation_range_f32(activation: FusedActivation) -> FloatActivation {
    match activation {
        FusedActivation::Relu => FloatActivation {
            min: 0.0,
            max: f32::MAX,
        },
        FusedActivation::Relu6 => FloatActivation { min: 0.0, max: 6.0 },
        FusedActivation::ReluN1To1 => FloatActivation {
            min: -1.0,
            max: 1.0,
        },
        _ => FloatActivation::NONE,
    }
}

fn quantize_bound(value: f32, scale: f32, zero_point: i32) -> Result<i32, PrepareError> {
    let t = (value / scale).round();
    if !(t >= i32::MIN as f32 && t <= i32::MAX as f32) {
        return Err(PrepareError::ActivationOutOfRange { value, scale });
    }
    // `i32::MAX as f32` is 2^31, which the C conversion turns into INT_MIN.
    Ok(zero_point.wrapping_add(f32_to_i32_like_c(t)))
}

/// Integer clamp range of a fused activation for an output with the given
/// scale, zero point and type (`CalculateActivationRangeQuantized`): each bound
/// is `zero_point + round(bound / scale)` (f32 division), intersected with the
/// type's range.
pub fn activation_range_quantized(
    activation: FusedActivation,
    output_scale: f32,
    output_zero_point: i32,
    output_type: QuantType,
) -> Result<QuantActivation, PrepareError> {
    let (qmin, qmax) = output_type.range();
    let q = |v: f32| quantize_bound(v, output_scale, output_zero_point);
    Ok(match activation {
        FusedActivation::Relu => QuantActivation {
            min: qmin.max(q(0.0)?),
            max: qmax,
        },
        FusedActivation::Relu6 => QuantActivation {
            min: qmin.max(q(0.0)?),
            max: qmax.min(q(6.0)?),
        },
        FusedActivation::ReluN1To1 => QuantActivation {
            min: qmin.max(q(-1.0)?),
            max: qmax.min(q(1.0)?),
        },
        _ => QuantActivation {
            min: qmin,
            max: qmax,
        },
    })
}

/// Padding scheme of a convolution or pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Padding {
    /// Output size `ceil(in / stride)`, padding split with the extra row/column
    /// after.
    Same,
    /// No padding.
    Valid,
}

/// Result of [`compute_padding`] along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PaddingValues {
    /// Output size TFLite derives from the options.
    pub out_size: usize,
    /// Padding before the input (what the kernels take).
    pub pad: usize,
    /// 1 when the total padding is odd (the extra element goes after).
    pub offset: usize,
}

/// TFLite's `ComputePaddingHeightWidth` along one axis. For TRANSPOSE_CONV pass
/// the *output* size as `in_size` and dilation 1, as TFLite Micro does.
pub fn compute_padding(
    padding: Padding,
    in_size: usize,
    filter_size: usize,
    stride: usize,
    dilation: usize,
) -> Result<PaddingValues, PrepareError> {
    if filter_size == 0 || stride == 0 || dilation == 0 {
        return Err(unsupported(
            "padding",
            "filter size, stride and dilation must be positive",
        ));
    }
    let (in_size, filter, stride, dilation) = (
        in_size as i64,
        filter_size as i64,
        stride as i64,
        dilation as i64,
    );
    let effective = (filter - 1) * dilation + 1;
    let out = match padding {
        Padding::Same => (in_size + stride - 1) / stride,
        Padding::Valid => (in_size + stride - effective) / stride,
    };
    if out < 0 {
        return Err(unsupported("padding", "negative output size"));
    }
    let total = ((out - 1) * stride + effective - in_size).max(0);
    Ok(PaddingValues {
        out_size: out as usize,
        pad: (total / 2) as usize,
        offset: (total % 2) as usize,
    })
}

/// Per-output-channel multipliers and shifts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PerChannelQuant {
    /// Q0.31 multipliers.
    pub multiplier: Vec<i32>,
    /// Shifts (positive = left).
    pub shift: Vec<i32>,
}

/// Per-channel requantisation of CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and
/// per-channel FULLY_CONNECTED: `f64(input_scale) * f64(filter_scale[c]) /
/// f64(output_scale)` for each of `channels` channels. A single filter scale is
/// used for every channel (TFLite Micro's conv kernels are always per channel).
pub fn conv_quant(
    input_scale: f32,
    filter_scales: &[f32],
    output_scale: f32,
    channels: usize,
) -> Result<PerChannelQuant, PrepareError> {
    if filter_scales.len() != 1 && filter_scales.len() != channels {
        return Err(unsupported(
            "CONV_2D",
            format!(
                "{} filter scales for {} channels",
                filter_scales.len(),
                channels
            ),
        ));
    }
    let mut out = PerChannelQuant {
        multiplier: Vec::with_capacity(channels),
        shift: Vec::with_capacity(channels),
    };
    for c in 0..channels {
        let fs = if filter_scales.len() == 1 {
            filter_scales[0]
        } else {
            filter_scales[c]
        };
        let (m, s) =
            quantize_multiplier(f64::from(input_scale) * f64::from(fs) / f64::from(output_scale));
        out.multiplier.push(m);
        out.shift.push(s);
    }
    Ok(out)
}

/// Per-tensor FULLY_CONNECTED multiplier: the input and filter scales are
/// multiplied **in f32**, then divided by the output scale in f64.
pub fn fully_connected_quant(input_scale: f32, filter_scale: f32, output_scale: f32) -> (i32, i32) {
    quantize_multiplier(f64::from(input_scale * filter_scale) / f64::from(output_scale))
}

fn add_sub_left_shift(output_type: QuantType, op: &'static str) -> Result<i32, PrepareError> {
    match output_type {
        QuantType::Int8 => Ok(20),
        QuantType::Int16 => Ok(15),
        QuantType::UInt8 => Err(unsupported(op, "uint8 is not supported by TFLite Micro")),
    }
}

/// Quantised operand: scale and zero point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QParams {
    /// Scale.
    pub scale: f32,
    /// Zero point.
    pub zero_point: i32,
}

#[allow(clippy::too_many_arguments)]
fn add_sub_from_reals(
    left_shift: i32,
    input1: QParams,
    input2: QParams,
    output: QParams,
    m1: f64,
    m2: f64,
    mo: f64,
    activation: QuantActivation,
) -> AddSubQuant {
    let (input1_multiplier, input1_shift) = quantize_multiplier(m1);
    let (input2_multiplier, input2_shift) = quantize_multiplier(m2);
    let (output_multiplier, output_shift) = quantize_multiplier(mo);
    AddSubQuant {
        left_shift,
        input1_zero_point: input1.zero_point,
        input1_multiplier,
        input1_shift,
        input2_zero_point: input2.zero_point,
        input2_multiplier,
        input2_shift,
        output_zero_point: output.zero_point,
        output_multiplier,
        output_shift,
        activation,
    }
}

/// ADD parameters (int8: left shift 20; int16: 15). All ratios in f64:
/// `m_i = s_i / (2 max(s1, s2))`, `m_out = 2 max(s1, s2) / (2^left_shift s_out)`.
pub fn add_quant(
    input1: QParams,
    input2: QParams,
    output: QParams,
    output_type: QuantType,
    activation: FusedActivation,
) -> Result<AddSubQuant, PrepareError> {
    let left_shift = add_sub_left_shift(output_type, "ADD")?;
    let act = activation_range_quantized(activation, output.scale, output.zero_point, output_type)?;
    let twice_max = 2.0 * f64::from(input1.scale.max(input2.scale));
    let m1 = f64::from(input1.scale) / twice_max;
    let m2 = f64::from(input2.scale) / twice_max;
    let mo = twice_max / (f64::from(1i32 << left_shift) * f64::from(output.scale));
    Ok(add_sub_from_reals(
        left_shift, input1, input2, output, m1, m2, mo, act,
    ))
}

/// SUB parameters: the same scheme as [`add_quant`], ratios in f64.
///
/// TensorFlow Lite Micro's `sub_common.cc` reads as if the ratios were taken
/// in f32, but the interpreter the oracle runs matches the f64 ratios bit for
/// bit (and the f32 ones are off by one LSB on some int16 and int8 inputs),
/// so the reference follows what it computes.
pub fn sub_quant(
    input1: QParams,
    input2: QParams,
    output: QParams,
    output_type: QuantType,
    activation: FusedActivation,
) -> Result<AddSubQuant, PrepareError> {
    let left_shift = add_sub_left_shift(output_type, "SUB")?;
    let act = activation_range_quantized(activation, output.scale, output.zero_point, output_type)?;
    let twice_max = 2.0 * f64::from(input1.scale.max(input2.scale));
    let m1 = f64::from(input1.scale) / twice_max;
    let m2 = f64::from(input2.scale) / twice_max;
    let mo = twice_max / (f64::from(1i32 << left_shift) * f64::from(output.scale));
    Ok(add_sub_from_reals(
        left_shift, input1, input2, output, m1, m2, mo, act,
    ))
}

/// MUL parameters: `f64(s1) * f64(s2) / f64(s_out)`.
pub fn mul_quant(
    input1: QParams,
    input2: QParams,
    output: QParams,
    output_type: QuantType,
    activation: FusedActivation,
) -> Result<MulQuant, PrepareError> {
    let act = activation_range_quantized(activation, output.scale, output.zero_point, output_type)?;
    let (output_multiplier, output_shift) = quantize_multiplier(
        f64::from(input1.scale) * f64::from(input2.scale) / f64::from(output.scale),
    );
    Ok(MulQuant {
        input1_zero_point: input1.zero_point,
        input2_zero_point: input2.zero_point,
        output_zero_point: output.zero_point,
        output_multiplier,
        output_shift,
        activation: act,
    })
}

/// TFLite's `CalculateInputRadius`: the largest input difference whose rescaled
/// value still fits, `floor((2^ib - 1) * 2^(bits - ib) / 2^left_shift)`.
pub fn calculate_input_radius(
    input_integer_bits: i32,
    input_left_shift: i32,
    total_signed_bits: i32,
) -> i32 {
    let max = f64::from((1i32 << input_integer_bits) - 1)
        * 2f64.powi(total_signed_bits - input_integer_bits)
        / 2f64.powi(input_left_shift);
    f64_to_i32_like_c(max.floor())
}

/// int8-input SOFTMAX parameters: `min(beta * input_scale * 2^26, 2^31 - 1)` (f64)
/// as a multiplier with a non-negative left shift, and `diff_min` from the
/// input radius for 5 integer bits.
pub fn softmax_s8_quant(beta: f32, input_scale: f32) -> Result<SoftmaxQuant, PrepareError> {
    let real = (f64::from(beta) * f64::from(input_scale) * f64::from(1i32 << (31 - 5)))
        .min(2_147_483_647.0);
    if real <= 1.0 {
        return Err(unsupported(
            "SOFTMAX",
            format!("beta * input scale * 2^26 = '{real}' must exceed 1"),
        ));
    }
    let (input_multiplier, input_left_shift) = quantize_multiplier(real);
    let diff_min = -calculate_input_radius(5, input_left_shift, 31);
    Ok(SoftmaxQuant {
        input_multiplier,
        input_left_shift,
        diff_min,
    })
}

/// Fills a 513-entry int16 table for `f`, the way TFLite's `LUTPopulate<int16_t>`
/// does in f32: 512 samples over the input range, each corrected by half the
/// error of linear interpolation at the interval midpoint, plus the end point.
pub fn lut_populate_s16(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
    f: impl Fn(f32) -> f32,
) -> Box<[i16; 513]> {
    let input_min = input_scale * (-32768 - input_zero_point) as f32;
    let input_max = input_scale * (32767 - input_zero_point) as f32;
    let output_min = output_scale * (-32768 - output_zero_point) as f32;
    let output_max = output_scale * (32767 - output_zero_point) as f32;
    let steps = 512;
    let step = (input_max - input_min) / steps as f32;
    let half_step = step / 2.0;
    let inv = 65536.0f32 / (output_max - output_min);
    let clamp = |v: f32| v.clamp(-32768.0, 32767.0) as i16;
    let mut lut = Box::new([0i16; 513]);
    for i in 0..steps {
        let x = input_min + i as f32 * step;
        let val = f(x);
        let val_mid = f(x + half_step);
        let val_next = f(input_min + (i + 1) as f32 * step);
        let sample = (val * inv).round();
        let interp_mid = ((val_next * inv + (val * inv).round()) / 2.0).round();
        let mid = (val_mid * inv).round();
        let bias = ((interp_mid - mid) / 2.0).round();
        lut[i] = clamp(sample - bias);
    }
    lut[steps] = clamp((f(input_max) * inv).round());
    lut
}

/// int16 SOFTMAX parameters: multiplier for `f64(input_scale) * f64(beta) /
/// (10 / 65535)` and the two interpolation tables (`exp` on `[-10, 0]`,
/// `1 / (1 + x)` on `[0, 1]`).
pub fn softmax_s16_quant(beta: f32, input_scale: f32) -> SoftmaxS16Quant {
    let (input_multiplier, input_left_shift) =
        quantize_multiplier(f64::from(input_scale) * f64::from(beta) / (10.0 / 65535.0));
    let range = 65535i32;
    let exp_lut = lut_populate_s16(10.0 / range as f32, 32767, 2.0 / range as f32, 0, f32::exp);
    let one_over_one_plus_x_lut =
        lut_populate_s16(1.0 / range as f32, -32768, 2.0 / range as f32, 0, |x| {
            1.0 / (1.0 + x)
        });
    SoftmaxS16Quant {
        input_multiplier,
        input_left_shift,
        exp_lut,
        one_over_one_plus_x_lut,
    }
}

/// int8 LOGISTIC parameters (also used by TANH): `input_scale * 2^27` split by
/// `frexp` into a rounded Q0.31 mantissa (without the halving step of
/// [`quantize_multiplier`]: a mantissa rounding to 2^31 wraps to `i32::MIN` like
/// the C conversion) and its exponent, plus the input radius for 4 integer bits.
pub fn logistic_s8_quant(input_scale: f32, input_zero_point: i32) -> SigmoidTanhS8Quant {
    let real = f64::from(input_scale) * f64::from(1i32 << (31 - 4));
    let (q, input_left_shift) = frexp(real);
    let input_multiplier = f64_to_i32_like_c((q * 2_147_483_648.0).round());
    SigmoidTanhS8Quant {
        input_zero_point,
        input_range_radius: calculate_input_radius(4, input_left_shift, 31),
        input_multiplier,
        input_left_shift,
    }
}

/// int8 TANH parameters (identical to [`logistic_s8_quant`]).
pub fn tanh_s8_quant(input_scale: f32, input_zero_point: i32) -> SigmoidTanhS8Quant {
    logistic_s8_quant(input_scale, input_zero_point)
}

/// TFLite's `CheckedLog2` in f32: `(round(log2 x), |frac| < 1e-3)`.
pub fn checked_log2(x: f32) -> (i32, bool) {
    let log2 = x.ln() * (1.0f32 / 2.0f32.ln());
    let rounded = log2.round();
    (f32_to_i32_like_c(rounded), (log2 - rounded).abs() < 1e-3)
}

fn sigmoid_tanh_s16(input_scale: f32, pot_shifts: &[i32]) -> SigmoidTanhS16Quant {
    let (log2, mut pot) = checked_log2(input_scale);
    let left_shift = (15 - 3) + log2;
    pot &= pot_shifts.contains(&left_shift);
    if pot {
        return SigmoidTanhS16Quant {
            input_multiplier: 0,
            input_left_shift: left_shift,
        };
    }
    let mut multiplier = f64::from(input_scale) * 4096.0 * 3.0;
    let mut shift = 0;
    while multiplier <= 32767.0 / 2.0 && shift <= 30 {
        shift += 1;
        multiplier *= 2.0;
    }
    SigmoidTanhS16Quant {
        input_multiplier: f64_to_i32_like_c(multiplier),
        input_left_shift: shift,
    }
}

/// int16 LOGISTIC parameters (input zero point 0; TFLite also requires an output
/// scale of 2^-15 and zero point 0).
pub fn logistic_s16_quant(input_scale: f32) -> SigmoidTanhS16Quant {
    sigmoid_tanh_s16(input_scale, &[0])
}

/// int16 TANH parameters (as [`logistic_s16_quant`], but a power-of-two input
/// scale is also taken for a shift of 1).
pub fn tanh_s16_quant(input_scale: f32) -> SigmoidTanhS16Quant {
    sigmoid_tanh_s16(input_scale, &[0, 1])
}

/// LEAKY_RELU parameters: `f64(in * alpha / out)` and `f64(in / out)` with the
/// products and quotients in f32.
pub fn leaky_relu_quant(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
    alpha: f32,
) -> Result<LeakyReluQuant, PrepareError> {
    let (multiplier_alpha, shift_alpha) =
        quantize_multiplier(f64::from(input_scale) * f64::from(alpha) / f64::from(output_scale));
    let (multiplier_identity, shift_identity) =
        quantize_multiplier(f64::from(input_scale) / f64::from(output_scale));
    Ok(LeakyReluQuant {
        input_zero_point,
        output_zero_point,
        multiplier_alpha,
        shift_alpha,
        multiplier_identity,
        shift_identity,
    })
}

fn downscale_to_i16(m: i32) -> i16 {
    if m >= i32::MAX - (1 << 15) {
        i16::MAX
    } else {
        ((m + (1 << 15)) >> 16) as i16
    }
}

/// HARD_SWISH (int8) parameters, all ratios in f32: the fine input scale is
/// `input_scale / 128`, the "reluish" scale `3 / 32768`; both multipliers are
/// rounded to Q0.15. TFLite rejects an output multiplier above 1.
pub fn hard_swish_quant(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> Result<HardSwishQuant, PrepareError> {
    let hires = (1.0f32 / 128.0) * input_scale;
    let reluish_scale = 3.0f32 / 32768.0;
    let (om, oe) = quantize_multiplier(f64::from(hires / output_scale));
    if oe > 0 {
        return Err(unsupported(
            "HARD_SWISH",
            "output multiplier exponent must be <= 0",
        ));
    }
    let (rm, re) = quantize_multiplier(f64::from(hires / reluish_scale));
    Ok(HardSwishQuant {
        input_zero_point,
        output_zero_point,
        reluish_multiplier_fixedpoint_int16: downscale_to_i16(rm),
        reluish_multiplier_exponent: re,
        output_multiplier_fixedpoint_int16: downscale_to_i16(om),
        output_multiplier_exponent: oe,
    })
}

/// RELU (int8/int16) parameters: multiplier for `f64(in / out)` (f32 quotient),
/// clamp from the output zero point up.
pub fn relu_quant(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
    output_type: QuantType,
) -> Result<ReluQuant, PrepareError> {
    let (qmin, qmax) = output_type.range();
    let (multiplier, shift) = quantize_multiplier(f64::from(input_scale / output_scale));
    let zero = f32_to_i32_like_c((0.0f32 / output_scale).round());
    Ok(ReluQuant {
        input_zero_point,
        output_zero_point,
        multiplier,
        shift,
        activation: QuantActivation {
            min: qmin.max(output_zero_point.wrapping_add(zero)),
            max: qmax,
        },
    })
}

/// RELU6 (int8/int16) parameters, from the *input* quantisation only.
pub fn relu6_quant(input_scale: f32, input_zero_point: i32, input_type: QuantType) -> Relu6Quant {
    let (qmin, qmax) = input_type.range();
    Relu6Quant {
        zero: input_zero_point,
        six: crate::kernels::activation::float_to_quantized(
            6.0,
            input_scale,
            input_zero_point,
            qmin,
            qmax,
        ),
    }
}

/// MEAN parameters: multiplier for `f64(in) / f64(out)` (the division by the
/// element count happens in the kernel).
pub fn mean_quant(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> MeanQuant {
    let (multiplier, shift) = quantize_multiplier(f64::from(input_scale) / f64::from(output_scale));
    MeanQuant {
        input_zero_point,
        output_zero_point,
        multiplier,
        shift,
    }
}

/// Int-to-int QUANTIZE parameters: multiplier for `f64(in) / f64(out)`.
pub fn requantize_quant(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> RequantizeQuant {
    let (multiplier, shift) = quantize_multiplier(f64::from(input_scale) / f64::from(output_scale));
    RequantizeQuant {
        input_zero_point,
        output_zero_point,
        multiplier,
        shift,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_matches_c() {
        assert_eq!(frexp(1.0), (0.5, 1));
        assert_eq!(frexp(0.5), (0.5, 0));
        assert_eq!(frexp(-3.0), (-0.75, 2));
        assert_eq!(frexp(0.1), (0.8, -3));
        let tiny = f64::from_bits(1); // smallest subnormal = 2^-1074
        assert_eq!(frexp(tiny), (0.5, -1073));
    }

    #[test]
    fn quantize_multiplier_powers_of_two_and_rounding() {
        assert_eq!(quantize_multiplier(1.0), (1 << 30, 1));
        assert_eq!(quantize_multiplier(0.5), (1 << 30, 0));
        assert_eq!(quantize_multiplier(0.25), (1 << 30, -1));
        assert_eq!(quantize_multiplier(2.0f64.powi(-31)), (1 << 30, -30));
        assert_eq!(quantize_multiplier(2.0f64.powi(-32)), (1 << 30, -31));
        assert_eq!(quantize_multiplier(2.0f64.powi(-33)), (0, 0)); // flushed
        assert_eq!(quantize_multiplier(0.0), (0, 0));
        // A mantissa that rounds up to 2^31 is halved.
        let just_below_one = 1.0 - 2f64.powi(-40);
        assert_eq!(quantize_multiplier(just_below_one), (1 << 30, 1));
        assert_eq!(quantize_multiplier(-0.5), (-(1 << 30), 0));
        assert_eq!(quantize_multiplier(0.75), (3 << 29, 0));
    }

    #[test]
    fn activation_ranges() {
        let r =
            activation_range_quantized(FusedActivation::Relu6, 0.05, -10, QuantType::Int8).unwrap();
        assert_eq!(r, QuantActivation { min: -10, max: 110 });
        let r =
            activation_range_quantized(FusedActivation::Relu, 0.05, -128, QuantType::Int8).unwrap();
        assert_eq!(
            r,
            QuantActivation {
                min: -128,
                max: 127
            }
        );
        let r = activation_range_quantized(FusedActivation::ReluN1To1, 0.5, 0, QuantType::Int8)
            .unwrap();
        assert_eq!(r, QuantActivation { min: -2, max: 2 });
        let r =
            activation_range_quantized(FusedActivation::None, 0.5, 0, QuantType::Int16).unwrap();
        assert_eq!(r, QuantActivation::S16);
        assert_eq!(
            activation_range_f32(FusedActivation::Relu6),
            FloatActivation { min: 0.0, max: 6.0 }
        );
    }

    #[test]
    fn padding() {
        // SAME, 5 wide, 3 filter, stride 2 -> out 3, total pad 2, pad 1.
        assert_eq!(
            compute_padding(Padding::Same, 5, 3, 2, 1).unwrap(),
            PaddingValues {
                out_size: 3,
                pad: 1,
                offset: 0
            }
        );
        // SAME, 4 wide, 3 filter, stride 2 -> out 2, total 1 -> pad 0 offset 1.
        assert_eq!(
            compute_padding(Padding::Same, 4, 3, 2, 1).unwrap(),
            PaddingValues {
                out_size: 2,
                pad: 0,
                offset: 1
            }
        );
        assert_eq!(
            compute_padding(Padding::Valid, 5, 3, 1, 2).unwrap(),
            PaddingValues {
                out_size: 1,
                pad: 0,
                offset: 0
            }
        );
    }

    #[test]
    fn fc_multiplies_scales_in_f32() {
        let (a, b, c) = (0.1f32, 0.3f32, 0.7f32);
        let f32_path = quantize_multiplier(f64::from(a * b) / f64::from(c));
        assert_eq!(fully_connected_quant(a, b, c), f32_path);
        let q = conv_quant(a, &[b], c, 2).unwrap();
        assert_eq!(q.multiplier.len(), 2);
        assert_eq!(
            (q.multiplier[0], q.shift[0]),
            quantize_multiplier(f64::from(a) * f64::from(b) / f64::from(c))
        );
    }

    #[test]
    fn softmax_params() {
        let q = softmax_s8_quant(1.0, 1.0 / 16.0).unwrap();
        // 2^-4 * 2^26 = 2^22 -> multiplier 2^30, shift 23.
        assert_eq!((q.input_multiplier, q.input_left_shift), (1 << 30, 23));
        // radius = floor(31 * 2^26 / 2^23) = 248
        assert_eq!(q.diff_min, -248);
        let s16 = softmax_s16_quant(1.0, 1.0 / 4096.0);
        assert_eq!(s16.exp_lut[512], 32767); // exp(0) = 1 -> 2^15 clamps
        assert!(s16.exp_lut[0] >= 0 && s16.exp_lut[0] < 5);
    }

    #[test]
    fn sigmoid_s16_params() {
        // 2^-12: log2 = -12, shift 0 -> power-of-two path.
        assert_eq!(
            logistic_s16_quant(1.0 / 4096.0),
            SigmoidTanhS16Quant {
                input_multiplier: 0,
                input_left_shift: 0
            }
        );
        assert_eq!(
            tanh_s16_quant(1.0 / 2048.0),
            SigmoidTanhS16Quant {
                input_multiplier: 0,
                input_left_shift: 1
            }
        );
        let q = logistic_s16_quant(1.0 / 32768.0);
        // 3 * 4096 / 32768 = 0.375 -> doubled while <= 16383.5: 0.375 * 2^16 = 24576
        assert_eq!(
            q,
            SigmoidTanhS16Quant {
                input_multiplier: 24576,
                input_left_shift: 16
            }
        );
    }
}
