//! Elementwise (ADD, SUB, MUL, MAXIMUM, MINIMUM with broadcasting), SOFTMAX,
//! LOGISTIC, TANH, QUANTIZE, DEQUANTIZE and RESHAPE: the C kernels, built with
//! sanitizers, against `autodeploy-reference` on random cases.

mod common;

use autodeploy_reference::kernels::activation::{logistic_s8, tanh_s8};
use autodeploy_reference::kernels::array::copy;
use autodeploy_reference::kernels::elementwise as ew;
use autodeploy_reference::kernels::quantize as qz;
use autodeploy_reference::kernels::softmax::{
    softmax_f32, softmax_s16, softmax_s8, softmax_s8_s16,
};
use autodeploy_reference::kernels::FloatActivation;
use autodeploy_reference::prepare::{
    add_quant, logistic_s8_quant, mul_quant, requantize_quant, softmax_s16_quant, softmax_s8_quant,
    sub_quant, FusedActivation, QParams, QuantType,
};
use common::{expect_f32, expect_i16, expect_i8, Batch, Case, Expect, Rng};

const CASES: usize = 150;

/// Output shape plus two input shapes that broadcast to it.
fn broadcast_shapes(rng: &mut Rng) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let rank = rng.usize(0, 6);
    let out: Vec<usize> = (0..rank).map(|_| rng.usize(1, 4)).collect();
    let input = |rng: &mut Rng| -> Vec<usize> {
        if rng.chance(20) {
            return out.clone();
        }
        let drop = rng.usize(0, rank);
        out[drop..]
            .iter()
            .map(|&d| if rng.chance(40) { 1 } else { d })
            .collect()
    };
    let a = input(rng);
    let b = input(rng);
    (out, a, b)
}

fn qparams(rng: &mut Rng, int16: bool) -> QParams {
    QParams {
        scale: rng.log_uniform(1e-3, 1.0) as f32,
        zero_point: if int16 { 0 } else { rng.zero_point_s8() },
    }
}

fn fused(rng: &mut Rng) -> FusedActivation {
    [
        FusedActivation::None,
        FusedActivation::Relu,
        FusedActivation::Relu6,
        FusedActivation::ReluN1To1,
    ][rng.usize(0, 3)]
}

#[derive(Clone, Copy, PartialEq)]
enum Bin {
    Add,
    Sub,
    Mul,
    Max,
    Min,
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    S8,
    S16,
    F32,
}

fn binary(op: Bin, ty: Ty, seed: u64) {
    let code =
        12 + match ty {
            Ty::S8 => 0,
            Ty::S16 => 5,
            Ty::F32 => 10,
        } + op as i32;
    let mut rng = Rng::new(seed);
    let mut batch = Batch::new("binary");
    for _ in 0..CASES {
        let (out_shape, s1, s2) = broadcast_shapes(&mut rng);
        let n: usize = out_shape.iter().product();
        let (n1, n2): (usize, usize) = (s1.iter().product(), s2.iter().product());
        let mut case = Case::new(code);
        let expect: Expect;
        let int_type = if ty == Ty::S16 {
            QuantType::Int16
        } else {
            QuantType::Int8
        };
        match ty {
            Ty::F32 => {
                let act = if matches!(op, Bin::Max | Bin::Min) {
                    FloatActivation::NONE
                } else {
                    let (min, max) = rng.activation_f32();
                    case.f32(min).f32(max);
                    FloatActivation { min, max }
                };
                let a = rng.vec_f32(n1, -4.0, 4.0);
                let b = rng.vec_f32(n2, -4.0, 4.0);
                let mut out = vec![0f32; n];
                let r = match op {
                    Bin::Add => ew::add_f32(act, &s1, &a, &s2, &b, &out_shape, &mut out),
                    Bin::Sub => ew::sub_f32(act, &s1, &a, &s2, &b, &out_shape, &mut out),
                    Bin::Mul => ew::mul_f32(act, &s1, &a, &s2, &b, &out_shape, &mut out),
                    Bin::Max => ew::maximum_f32(&s1, &a, &s2, &b, &out_shape, &mut out),
                    Bin::Min => ew::minimum_f32(&s1, &a, &s2, &b, &out_shape, &mut out),
                };
                case.shape(&s1)
                    .arr_f32(&a)
                    .shape(&s2)
                    .arr_f32(&b)
                    .shape(&out_shape);
                expect = expect_f32(r, &out);
            }
            Ty::S8 | Ty::S16 => {
                let (q1, q2, qo) = (
                    qparams(&mut rng, ty == Ty::S16),
                    qparams(&mut rng, ty == Ty::S16),
                    qparams(&mut rng, ty == Ty::S16),
                );
                let act = fused(&mut rng);
                match op {
                    Bin::Add | Bin::Sub => {
                        let q = if op == Bin::Add {
                            add_quant(q1, q2, qo, int_type, act)
                        } else {
                            sub_quant(q1, q2, qo, int_type, act)
                        }
                        .expect("valid add params");
                        case.i32(q.left_shift)
                            .i32(q.input1_zero_point)
                            .i32(q.input1_multiplier)
                            .i32(q.input1_shift)
                            .i32(q.input2_zero_point)
                            .i32(q.input2_multiplier)
                            .i32(q.input2_shift)
                            .i32(q.output_zero_point)
                            .i32(q.output_multiplier)
                            .i32(q.output_shift)
                            .i32(q.activation.min)
                            .i32(q.activation.max);
                        expect = if ty == Ty::S8 {
                            let (a, b) = (rng.vec_i8(n1), rng.vec_i8(n2));
                            let mut out = vec![0i8; n];
                            let f = if op == Bin::Add {
                                ew::add_s8
                            } else {
                                ew::sub_s8
                            };
                            let r = f(&q, &s1, &a, &s2, &b, &out_shape, &mut out);
                            case.shape(&s1).arr_i8(&a).shape(&s2).arr_i8(&b);
                            expect_i8(r, &out)
                        } else {
                            let (a, b) = (rng.vec_i16(n1), rng.vec_i16(n2));
                            let mut out = vec![0i16; n];
                            let f = if op == Bin::Add {
                                ew::add_s16
                            } else {
                                ew::sub_s16
                            };
                            let r = f(&q, &s1, &a, &s2, &b, &out_shape, &mut out);
                            case.shape(&s1).arr_i16(&a).shape(&s2).arr_i16(&b);
                            expect_i16(r, &out)
                        };
                    }
                    Bin::Mul => {
                        let q = mul_quant(q1, q2, qo, int_type, act).expect("valid mul params");
                        case.i32(q.input1_zero_point)
                            .i32(q.input2_zero_point)
                            .i32(q.output_zero_point)
                            .i32(q.output_multiplier)
                            .i32(q.output_shift)
                            .i32(q.activation.min)
                            .i32(q.activation.max);
                        expect = if ty == Ty::S8 {
                            let (a, b) = (rng.vec_i8(n1), rng.vec_i8(n2));
                            let mut out = vec![0i8; n];
                            let r = ew::mul_s8(&q, &s1, &a, &s2, &b, &out_shape, &mut out);
                            case.shape(&s1).arr_i8(&a).shape(&s2).arr_i8(&b);
                            expect_i8(r, &out)
                        } else {
                            let (a, b) = (rng.vec_i16(n1), rng.vec_i16(n2));
                            let mut out = vec![0i16; n];
                            let r = ew::mul_s16(&q, &s1, &a, &s2, &b, &out_shape, &mut out);
                            case.shape(&s1).arr_i16(&a).shape(&s2).arr_i16(&b);
                            expect_i16(r, &out)
                        };
                    }
                    Bin::Max | Bin::Min => {
                        expect = if ty == Ty::S8 {
                            let (a, b) = (rng.vec_i8(n1), rng.vec_i8(n2));
                            let mut out = vec![0i8; n];
                            let f = if op == Bin::Max {
                                ew::maximum_s8
                            } else {
                                ew::minimum_s8
                            };
                            let r = f(&s1, &a, &s2, &b, &out_shape, &mut out);
                            case.shape(&s1).arr_i8(&a).shape(&s2).arr_i8(&b);
                            expect_i8(r, &out)
                        } else {
                            let (a, b) = (rng.vec_i16(n1), rng.vec_i16(n2));
                            let mut out = vec![0i16; n];
                            let f = if op == Bin::Max {
                                ew::maximum_s16
                            } else {
                                ew::minimum_s16
                            };
                            let r = f(&s1, &a, &s2, &b, &out_shape, &mut out);
                            case.shape(&s1).arr_i16(&a).shape(&s2).arr_i16(&b);
                            expect_i16(r, &out)
                        };
                    }
                }
                case.shape(&out_shape);
            }
        }
        batch.push(case, expect, format!("{s1:?} op {s2:?} -> {out_shape:?}"));
    }
    batch.run();
}

#[test]
fn add_matches_reference() {
    binary(Bin::Add, Ty::S8, 20);
    binary(Bin::Add, Ty::S16, 21);
    binary(Bin::Add, Ty::F32, 22);
}

#[test]
fn sub_matches_reference() {
    binary(Bin::Sub, Ty::S8, 23);
    binary(Bin::Sub, Ty::S16, 24);
    binary(Bin::Sub, Ty::F32, 25);
}

#[test]
fn mul_matches_reference() {
    binary(Bin::Mul, Ty::S8, 26);
    binary(Bin::Mul, Ty::S16, 27);
    binary(Bin::Mul, Ty::F32, 28);
}

#[test]
fn maximum_minimum_match_reference() {
    binary(Bin::Max, Ty::S8, 29);
    binary(Bin::Max, Ty::S16, 30);
    binary(Bin::Max, Ty::F32, 31);
    binary(Bin::Min, Ty::S8, 32);
    binary(Bin::Min, Ty::S16, 33);
    binary(Bin::Min, Ty::F32, 34);
}

/// kind 0: int8 -> int8, 1: int8 -> int16, 2: float32.
fn softmax(kind: i32, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch = Batch::new("softmax");
    for _ in 0..CASES {
        let rows = rng.usize(1, 4);
        let depth = rng.usize(1, 40);
        let n = rows * depth;
        let mut case = Case::new(30 + kind);
        let expect = if kind == 2 {
            let beta = rng.f32_in(0.1, 2.0);
            let input = rng.vec_f32(n, -10.0, 10.0);
            let mut out = vec![0f32; n];
            let r = softmax_f32(beta, depth, &input, &mut out);
            case.f32(beta).usize(rows).usize(depth).arr_f32(&input);
            expect_f32(r, &out)
        } else {
            let beta = if rng.chance(70) {
                1.0
            } else {
                rng.f32_in(0.2, 3.0)
            };
            let scale = rng.log_uniform(1e-3, 0.5) as f32;
            let q = softmax_s8_quant(beta, scale).expect("valid softmax params");
            let input = rng.vec_i8(n);
            case.i32(q.input_multiplier)
                .i32(q.input_left_shift)
                .i32(q.diff_min)
                .usize(rows)
                .usize(depth)
                .arr_i8(&input);
            if kind == 0 {
                let mut out = vec![0i8; n];
                let r = softmax_s8(&q, depth, &input, &mut out);
                expect_i8(r, &out)
            } else {
                let mut out = vec![0i16; n];
                let r = softmax_s8_s16(&q, depth, &input, &mut out);
                expect_i16(r, &out)
            }
        };
        batch.push(case, expect, format!("{rows} rows of {depth}"));
    }
    batch.run();
}

#[test]
fn softmax_s8_matches_reference() {
    softmax(0, 40);
}

#[test]
fn softmax_s8_s16_matches_reference() {
    softmax(1, 41);
}

#[test]
fn softmax_f32_matches_reference() {
    softmax(2, 42);
}

#[test]
fn softmax_s16_matches_reference() {
    let mut rng = Rng::new(43);
    let mut batch = Batch::new("softmax_s16");
    for _ in 0..CASES {
        let rows = rng.usize(1, 4);
        let depth = rng.usize(1, 40);
        let beta = if rng.chance(70) {
            1.0
        } else {
            rng.f32_in(0.2, 3.0)
        };
        let scale = rng.log_uniform(1e-5, 1e-2) as f32;
        let q = softmax_s16_quant(beta, scale);
        let input = rng.vec_i16(rows * depth);
        let mut out = vec![0i16; rows * depth];
        let r = softmax_s16(&q, depth, &input, &mut out);
        let mut case = Case::new(150);
        case.i32(q.input_multiplier)
            .i32(q.input_left_shift)
            .arr_i16(&q.exp_lut[..])
            .arr_i16(&q.one_over_one_plus_x_lut[..])
            .usize(rows)
            .usize(depth)
            .arr_i16(&input);
        batch.push(
            case,
            expect_i16(r, &out),
            format!("{rows} rows of {depth}, scale {scale}, beta {beta}"),
        );
    }
    batch.run();
}

fn sigmoid_tanh(tanh: bool, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch = Batch::new(if tanh { "tanh_s8" } else { "logistic_s8" });
    for _ in 0..CASES {
        let scale = rng.log_uniform(1e-3, 1.0) as f32;
        let zp = rng.zero_point_s8();
        let q = logistic_s8_quant(scale, zp);
        // Every int8 value once, plus random ones.
        let mut input: Vec<i8> = (-128..=127).collect();
        let extra = rng.usize(0, 30);
        input.extend(rng.vec_i8(extra));
        let mut out = vec![0i8; input.len()];
        let r = if tanh {
            tanh_s8(&q, &input, &mut out)
        } else {
            logistic_s8(&q, &input, &mut out)
        };
        let mut case = Case::new(if tanh { 34 } else { 33 });
        case.i32(q.input_zero_point)
            .i32(q.input_range_radius)
            .i32(q.input_multiplier)
            .i32(q.input_left_shift)
            .arr_i8(&input);
        batch.push(case, expect_i8(r, &out), format!("scale {scale} zp {zp}"));
    }
    batch.run();
}

#[test]
fn logistic_s8_matches_reference() {
    sigmoid_tanh(false, 50);
}

#[test]
fn tanh_s8_matches_reference() {
    sigmoid_tanh(true, 51);
}

#[test]
fn quantize_dequantize_match_reference() {
    let mut rng = Rng::new(60);
    let mut batch = Batch::new("quantize");
    for i in 0..CASES * 8 {
        let n = rng.usize(0, 64);
        let scale = rng.log_uniform(1e-4, 1.0) as f32;
        let kind = (i % 8) as i32;
        let mut case = Case::new(40 + kind);
        let expect = match kind {
            0 | 1 => {
                let zp = if kind == 0 { rng.zero_point_s8() } else { 0 };
                let mut input = rng.vec_f32(n, -200.0 * scale, 200.0 * scale);
                if n > 3 && rng.chance(20) {
                    input[0] = f32::NAN;
                    input[1] = 1e30;
                    input[2] = -1e30;
                    input[3] = 0.5 * scale;
                }
                case.f32(scale).i32(zp).arr_f32(&input);
                if kind == 0 {
                    let mut out = vec![0i8; n];
                    expect_i8(qz::quantize_f32_s8(scale, zp, &input, &mut out), &out)
                } else {
                    let mut out = vec![0i16; n];
                    expect_i16(qz::quantize_f32_s16(scale, zp, &input, &mut out), &out)
                }
            }
            2 | 3 => {
                let zp = if kind == 2 { rng.zero_point_s8() } else { 0 };
                let mut out = vec![0f32; n];
                case.f32(scale).i32(zp);
                if kind == 2 {
                    let input = rng.vec_i8(n);
                    case.arr_i8(&input);
                    expect_f32(qz::dequantize_s8_f32(scale, zp, &input, &mut out), &out)
                } else {
                    let input = rng.vec_i16(n);
                    case.arr_i16(&input);
                    expect_f32(qz::dequantize_s16_f32(scale, zp, &input, &mut out), &out)
                }
            }
            _ => {
                let in16 = kind >= 6;
                let out16 = kind == 5 || kind == 7;
                let in_zp = if in16 { 0 } else { rng.zero_point_s8() };
                let out_zp = if out16 { 0 } else { rng.zero_point_s8() };
                let out_scale = rng.log_uniform(1e-4, 1.0) as f32;
                let q = requantize_quant(scale, in_zp, out_scale, out_zp);
                case.i32(q.input_zero_point)
                    .i32(q.output_zero_point)
                    .i32(q.multiplier)
                    .i32(q.shift);
                match (in16, out16) {
                    (false, false) => {
                        let input = rng.vec_i8(n);
                        let mut out = vec![0i8; n];
                        case.arr_i8(&input);
                        expect_i8(qz::requantize_s8_s8(&q, &input, &mut out), &out)
                    }
                    (false, true) => {
                        let input = rng.vec_i8(n);
                        let mut out = vec![0i16; n];
                        case.arr_i8(&input);
                        expect_i16(qz::requantize_s8_s16(&q, &input, &mut out), &out)
                    }
                    (true, false) => {
                        let input = rng.vec_i16(n);
                        let mut out = vec![0i8; n];
                        case.arr_i16(&input);
                        expect_i8(qz::requantize_s16_s8(&q, &input, &mut out), &out)
                    }
                    (true, true) => {
                        let input = rng.vec_i16(n);
                        let mut out = vec![0i16; n];
                        case.arr_i16(&input);
                        expect_i16(qz::requantize_s16_s16(&q, &input, &mut out), &out)
                    }
                }
            }
        };
        batch.push(case, expect, format!("kind {kind} n {n} scale {scale}"));
    }
    batch.run();
}

#[test]
fn reshape_matches_reference() {
    let mut rng = Rng::new(70);
    let mut batch = Batch::new("reshape");
    for _ in 0..CASES {
        let len = rng.usize(0, 100);
        let input = rng.vec_i8(len);
        let mut out = vec![0i8; input.len()];
        let r = copy(&input, &mut out);
        let mut case = Case::new(50);
        case.arr_i8(&input);
        batch.push(case, expect_i8(r, &out), format!("{} bytes", input.len()));
    }
    batch.run();
}

#[test]
fn relu_relu6_match_reference() {
    use autodeploy_reference::kernels::activation::{relu6_f32, relu6_s8, relu_f32, relu_s8};
    use autodeploy_reference::prepare::{relu6_quant, relu_quant};
    let mut rng = Rng::new(80);
    let mut batch = Batch::new("relu");
    for i in 0..CASES * 4 {
        let kind = (i % 4) as i32;
        let n = rng.usize(0, 300);
        let mut case = Case::new(51 + kind);
        let (in_scale, in_zp) = (rng.log_uniform(1e-3, 1.0) as f32, rng.zero_point_s8());
        let expect = match kind {
            0 => {
                let (out_scale, out_zp) = (rng.log_uniform(1e-3, 1.0) as f32, rng.zero_point_s8());
                let q = relu_quant(in_scale, in_zp, out_scale, out_zp, QuantType::Int8)
                    .expect("valid relu params");
                let input = rng.vec_i8(n);
                let mut out = vec![0i8; n];
                case.i32(q.input_zero_point)
                    .i32(q.output_zero_point)
                    .i32(q.multiplier)
                    .i32(q.shift)
                    .i32(q.activation.min)
                    .i32(q.activation.max)
                    .arr_i8(&input);
                expect_i8(relu_s8(&q, &input, &mut out), &out)
            }
            1 => {
                let q = relu6_quant(in_scale, in_zp, QuantType::Int8);
                let input = rng.vec_i8(n);
                let mut out = vec![0i8; n];
                case.i32(q.zero).i32(q.six).arr_i8(&input);
                expect_i8(relu6_s8(&q, &input, &mut out), &out)
            }
            _ => {
                let input = rng.vec_f32(n, -10.0, 10.0);
                let mut out = vec![0f32; n];
                case.arr_f32(&input);
                let r = if kind == 2 {
                    relu_f32(&input, &mut out)
                } else {
                    relu6_f32(&input, &mut out)
                };
                expect_f32(r, &out)
            }
        };
        batch.push(case, expect, format!("kind {kind} n {n}"));
    }
    batch.run();
}
