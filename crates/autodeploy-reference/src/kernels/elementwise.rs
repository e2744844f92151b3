//! Binary elementwise operators with broadcasting: ADD, SUB, MUL, MAXIMUM,
//! MINIMUM.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - broadcasting follows numpy rules on shapes of up to 8 dimensions (shorter
//!   shapes are padded with leading ones); the value of each output element does
//!   not depend on iteration order, so any correct broadcast gives TFLite's bytes;
//! - quantised ADD/SUB (int8 and int16 alike) shift both zero-point-corrected
//!   inputs left by `left_shift` (20 for int8, 15 for int16), rescale each with its
//!   own "smaller than one" multiplier, add or subtract, rescale the result, add
//!   the output zero point and clamp;
//! - quantised MUL multiplies the zero-point-corrected inputs in 32 bits and
//!   rescales the product with one double-rounding multiply;
//! - MAXIMUM/MINIMUM compare stored values directly (no requantisation; TFLite
//!   assumes identical quantisation) with `a > b ? a : b` / `a < b ? a : b`;
//! - float ops compute in f32 and clamp to the fused activation range.

use super::quant::{
    multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_smaller_than_one_exp,
};
use super::{check_len, clamp_f32, shape_len, FloatActivation, KernelError, QuantActivation};

/// Largest rank the broadcasting helper accepts.
pub const MAX_BROADCAST_RANK: usize = 8;

/// Integer parameters of a quantised ADD or SUB (see `prepare::add_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddSubQuant {
    /// Left shift applied to both inputs first (20 for int8, 15 for int16).
    pub left_shift: i32,
    /// Zero point of input 1.
    pub input1_zero_point: i32,
    /// Q0.31 multiplier of input 1.
    pub input1_multiplier: i32,
    /// Shift of input 1 (<= 0).
    pub input1_shift: i32,
    /// Zero point of input 2.
    pub input2_zero_point: i32,
    /// Q0.31 multiplier of input 2.
    pub input2_multiplier: i32,
    /// Shift of input 2 (<= 0).
    pub input2_shift: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.31 output multiplier.
    pub output_multiplier: i32,
    /// Output shift (<= 0).
    pub output_shift: i32,
    /// Output clamp range.
    pub activation: QuantActivation,
}

/// Integer parameters of a quantised MUL (see `prepare::mul_quant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MulQuant {
    /// Zero point of input 1.
    pub input1_zero_point: i32,
    /// Zero point of input 2.
    pub input2_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.31 multiplier for `scale1 * scale2 / scale_out`.
    pub output_multiplier: i32,
    /// Its shift (positive = left).
    pub output_shift: i32,
    /// Output clamp range.
    pub activation: QuantActivation,
}

/// Applies `f` elementwise with numpy broadcasting. Shapes have at most
/// [`MAX_BROADCAST_RANK`] dimensions; every input dimension must equal the
/// output's or be 1.
pub fn broadcast_binary<A: Copy, B: Copy, O>(
    shape1: &[usize],
    input1: &[A],
    shape2: &[usize],
    input2: &[B],
    output_shape: &[usize],
    output: &mut [O],
    mut f: impl FnMut(A, B) -> O,
) -> Result<(), KernelError> {
    check_len("input1", input1.len(), shape_len("input1", shape1)?)?;
    check_len("input2", input2.len(), shape_len("input2", shape2)?)?;
    check_len("output", output.len(), shape_len("output", output_shape)?)?;
    let rank = shape1.len().max(shape2.len()).max(output_shape.len());
    if rank > MAX_BROADCAST_RANK {
        return Err(KernelError::shape(
            "output",
            format!("rank {rank} exceeds {MAX_BROADCAST_RANK}"),
        ));
    }
    if output.is_empty() {
        return Ok(());
    }
    if input1.len() == output.len() && input2.len() == output.len() {
        for ((o, &a), &b) in output.iter_mut().zip(input1).zip(input2) {
            *o = f(a, b);
        }
        return Ok(());
    }
    let extend = |s: &[usize]| {
        let mut e = [1usize; MAX_BROADCAST_RANK];
        e[MAX_BROADCAST_RANK - s.len()..].copy_from_slice(s);
        e
    };
    let (s1, s2, so) = (extend(shape1), extend(shape2), extend(output_shape));
    let mut st1 = [0usize; MAX_BROADCAST_RANK];
    let mut st2 = [0usize; MAX_BROADCAST_RANK];
    let (mut acc1, mut acc2) = (1usize, 1usize);
    for d in (0..MAX_BROADCAST_RANK).rev() {
        for (s, name) in [(s1[d], "input1"), (s2[d], "input2")] {
            if s != so[d] && s != 1 {
                return Err(KernelError::shape(
                    name,
                    format!(
                        "dimension {} ('{}') does not broadcast to '{}'",
                        d, s, so[d]
                    ),
                ));
            }
        }
        st1[d] = if s1[d] == 1 { 0 } else { acc1 };
        st2[d] = if s2[d] == 1 { 0 } else { acc2 };
        acc1 *= s1[d];
        acc2 *= s2[d];
    }
    let inner = so[MAX_BROADCAST_RANK - 1];
    let (i1s, i2s) = (st1[MAX_BROADCAST_RANK - 1], st2[MAX_BROADCAST_RANK - 1]);
    let mut index = [0usize; MAX_BROADCAST_RANK];
    let mut out_pos = 0;
    loop {
        let base1: usize = (0..MAX_BROADCAST_RANK - 1).map(|d| index[d] * st1[d]).sum();
        let base2: usize = (0..MAX_BROADCAST_RANK - 1).map(|d| index[d] * st2[d]).sum();
        for i in 0..inner {
            output[out_pos + i] = f(input1[base1 + i * i1s], input2[base2 + i * i2s]);
        }
        out_pos += inner;
        // Advance the odometer over all but the innermost dimension.
        let mut d = MAX_BROADCAST_RANK - 1;
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            index[d] += 1;
            if index[d] < so[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

#[inline]
fn add_sub_core(a: i32, b: i32, q: &AddSubQuant, subtract: bool) -> i32 {
    let shifted1 = a
        .wrapping_sub(q.input1_zero_point)
        .wrapping_mul(1i32.wrapping_shl(q.left_shift as u32));
    let shifted2 = b
        .wrapping_sub(q.input2_zero_point)
        .wrapping_mul(1i32.wrapping_shl(q.left_shift as u32));
    let scaled1 = multiply_by_quantized_multiplier_smaller_than_one_exp(
        shifted1,
        q.input1_multiplier,
        q.input1_shift,
    );
    let scaled2 = multiply_by_quantized_multiplier_smaller_than_one_exp(
        shifted2,
        q.input2_multiplier,
        q.input2_shift,
    );
    let raw = if subtract {
        scaled1.wrapping_sub(scaled2)
    } else {
        scaled1.wrapping_add(scaled2)
    };
    let out = multiply_by_quantized_multiplier_smaller_than_one_exp(
        raw,
        q.output_multiplier,
        q.output_shift,
    )
    .wrapping_add(q.output_zero_point);
    out.max(q.activation.min).min(q.activation.max)
}

#[inline]
fn mul_core(a: i32, b: i32, q: &MulQuant) -> i32 {
    let prod = a
        .wrapping_sub(q.input1_zero_point)
        .wrapping_mul(b.wrapping_sub(q.input2_zero_point));
    let out = multiply_by_quantized_multiplier(prod, q.output_multiplier, q.output_shift)
        .wrapping_add(q.output_zero_point);
    out.max(q.activation.min).min(q.activation.max)
}

macro_rules! quant_binary {
    ($(#[$doc:meta])* $name:ident, $t:ty, $q:ty, |$a:ident, $b:ident, $qq:ident| $body:expr) => {
        $(#[$doc])*
        pub fn $name(
            quant: &$q,
            shape1: &[usize],
            input1: &[$t],
            shape2: &[usize],
            input2: &[$t],
            output_shape: &[usize],
            output: &mut [$t],
        ) -> Result<(), KernelError> {
            let $qq = quant;
            broadcast_binary(shape1, input1, shape2, input2, output_shape, output, |x, y| {
                let ($a, $b) = (i32::from(x), i32::from(y));
                ($body) as $t
            })
        }
    };
}

quant_binary!(
    /// int8 ADD with broadcasting.
    add_s8, i8, AddSubQuant, |a, b, q| add_sub_core(a, b, q, false)
);
quant_binary!(
    /// int16 ADD with broadcasting (TFLite Micro's general-scale path).
    add_s16, i16, AddSubQuant, |a, b, q| add_sub_core(a, b, q, false)
);
quant_binary!(
    /// int8 SUB with broadcasting.
    sub_s8, i8, AddSubQuant, |a, b, q| add_sub_core(a, b, q, true)
);
quant_binary!(
    /// int16 SUB with broadcasting.
    sub_s16, i16, AddSubQuant, |a, b, q| add_sub_core(a, b, q, true)
);
quant_binary!(
    /// int8 MUL with broadcasting.
    mul_s8, i8, MulQuant, |a, b, q| mul_core(a, b, q)
);
quant_binary!(
    /// int16 MUL with broadcasting (zero points must be 0 in TFLite Micro).
    mul_s16, i16, MulQuant, |a, b, q| mul_core(a, b, q)
);

macro_rules! float_binary {
    ($(#[$doc:meta])* $name:ident, |$a:ident, $b:ident| $body:expr) => {
        $(#[$doc])*
        pub fn $name(
            activation: FloatActivation,
            shape1: &[usize],
            input1: &[f32],
            shape2: &[usize],
            input2: &[f32],
            output_shape: &[usize],
            output: &mut [f32],
        ) -> Result<(), KernelError> {
            broadcast_binary(shape1, input1, shape2, input2, output_shape, output, |$a, $b| {
                clamp_f32($body, activation)
            })
        }
    };
}

float_binary!(
    /// float32 ADD with broadcasting.
    add_f32, |a, b| a + b
);
float_binary!(
    /// float32 SUB with broadcasting.
    sub_f32, |a, b| a - b
);
float_binary!(
    /// float32 MUL with broadcasting.
    mul_f32, |a, b| a * b
);

macro_rules! max_min {
    ($(#[$doc:meta])* $name:ident, $t:ty, $cmp:tt) => {
        $(#[$doc])*
        pub fn $name(
            shape1: &[usize],
            input1: &[$t],
            shape2: &[usize],
            input2: &[$t],
            output_shape: &[usize],
            output: &mut [$t],
        ) -> Result<(), KernelError> {
            broadcast_binary(shape1, input1, shape2, input2, output_shape, output, |a, b| {
                if a $cmp b { a } else { b }
            })
        }
    };
}

max_min!(
    /// MAXIMUM on int8 (stored values compared directly).
    maximum_s8, i8, >
);
max_min!(
    /// MAXIMUM on int16.
    maximum_s16, i16, >
);
max_min!(
    /// MAXIMUM on float32 (`a > b ? a : b`: a NaN in `a` yields `b`).
    maximum_f32, f32, >
);
max_min!(
    /// MINIMUM on int8.
    minimum_s8, i8, <
);
max_min!(
    /// MINIMUM on int16.
    minimum_s16, i16, <
);
max_min!(
    /// MINIMUM on float32 (`a < b ? a : b`).
    minimum_f32, f32, <
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_shapes() {
        let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
        let b = [10.0f32, 20.0]; // [2, 1]
        let mut out = [0f32; 6];
        add_f32(
            FloatActivation::NONE,
            &[2, 3],
            &a,
            &[2, 1],
            &b,
            &[2, 3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [11.0, 12.0, 13.0, 24.0, 25.0, 26.0]);
        let c = [100.0f32, 200.0, 300.0]; // [3]
        add_f32(
            FloatActivation::NONE,
            &[2, 3],
            &a,
            &[3],
            &c,
            &[2, 3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [101.0, 202.0, 303.0, 104.0, 205.0, 306.0]);
        // [2,1] x [1,3] -> [2,3]
        let mut out2 = [0f32; 6];
        mul_f32(
            FloatActivation::NONE,
            &[2, 1],
            &b,
            &[1, 3],
            &c,
            &[2, 3],
            &mut out2,
        )
        .unwrap();
        assert_eq!(out2, [1000.0, 2000.0, 3000.0, 2000.0, 4000.0, 6000.0]);
        assert!(add_f32(
            FloatActivation::NONE,
            &[2, 3],
            &a,
            &[2],
            &b,
            &[2, 3],
            &mut out
        )
        .is_err());
    }

    #[test]
    fn add_s8_equal_scales() {
        // Both inputs scale s, output scale s: multipliers 0.5 each (shift 0),
        // output 2^-20 / ... built by hand: real_out = 2s / (2^20 s) = 2^-19.
        let q = AddSubQuant {
            left_shift: 20,
            input1_zero_point: 0,
            input1_multiplier: 1 << 30,
            input1_shift: 0,
            input2_zero_point: 0,
            input2_multiplier: 1 << 30,
            input2_shift: 0,
            output_zero_point: 0,
            output_multiplier: 1 << 30,
            output_shift: -18,
            activation: QuantActivation::S8,
        };
        let mut out = [0i8; 3];
        add_s8(
            &q,
            &[3],
            &[1, -100, 100],
            &[3],
            &[2, -100, 100],
            &[3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [3, -128, 127]);
        sub_s8(&q, &[3], &[1, -100, 100], &[1], &[2], &[3], &mut out).unwrap();
        assert_eq!(out, [-1, -102, 98]);
    }

    #[test]
    fn max_min() {
        let mut out = [0i8; 3];
        maximum_s8(&[3], &[1, -5, 7], &[], &[0], &[3], &mut out).unwrap();
        assert_eq!(out, [1, 0, 7]);
        minimum_s8(&[3], &[1, -5, 7], &[1], &[0], &[3], &mut out).unwrap();
        assert_eq!(out, [0, -5, 0]);
    }
}
