//! LEAKY_RELU, HARD_SWISH, float and int16 LOGISTIC/TANH, QUANTIZE to int32, DEQUANTIZE
//! uint8, the data-movement kernels (PAD, STRIDED_SLICE, TRANSPOSE,
//! CONCATENATION, PACK, UNPACK, SPLIT), MEAN and BATCH_MATMUL: the C kernels,
//! built with sanitizers, against `autodeploy-reference` on random cases.

mod common;

use autodeploy_reference::kernels::activation as act;
use autodeploy_reference::kernels::array;
use autodeploy_reference::kernels::batch_matmul as bmm;
use autodeploy_reference::kernels::quantize as qz;
use autodeploy_reference::kernels::reduce;
use autodeploy_reference::kernels::sigmoid_table::SIGMOID_TABLE;
use autodeploy_reference::prepare::{
    fully_connected_quant, hard_swish_quant, leaky_relu_quant, logistic_s16_quant, mean_quant,
    requantize_quant, tanh_s16_quant,
};
use common::{expect_f32, expect_i16, expect_i8, Batch, Case, Expect, Rng};

const CASES: usize = 150;

fn expect_i32(result: Result<(), impl std::fmt::Debug>, out: &[i32]) -> Expect {
    match result {
        Ok(()) => Expect::Bytes(out.iter().flat_map(|x| x.to_ne_bytes()).collect()),
        Err(_) => Expect::Error,
    }
}

fn scale(rng: &mut Rng) -> f32 {
    rng.log_uniform(1e-3, 1.0) as f32
}

#[test]
fn leaky_relu_hard_swish_and_float_activations() {
    let mut rng = Rng::new(101);
    let mut batch = Batch::new("unary");
    for i in 0..CASES * 7 {
        let kind = (i % 7) as i32;
        let n = rng.usize(0, 40);
        let mut case = Case::new(100 + kind);
        let expect = match kind {
            0 | 1 => {
                let int16 = kind == 1;
                let zp = |rng: &mut Rng| if int16 { 0 } else { rng.zero_point_s8() };
                let alpha = rng.f32_in(-2.0, 2.0);
                let (zi, zo) = (zp(&mut rng), zp(&mut rng));
                let q = leaky_relu_quant(scale(&mut rng), zi, scale(&mut rng), zo, alpha)
                    .expect("leaky params");
                case.i32(q.input_zero_point)
                    .i32(q.output_zero_point)
                    .i32(q.multiplier_alpha)
                    .i32(q.shift_alpha)
                    .i32(q.multiplier_identity)
                    .i32(q.shift_identity);
                if int16 {
                    let x = rng.vec_i16(n);
                    let mut out = vec![0i16; n];
                    let r = act::leaky_relu_s16(&q, &x, &mut out);
                    case.arr_i16(&x);
                    expect_i16(r, &out)
                } else {
                    let x = rng.vec_i8(n);
                    let mut out = vec![0i8; n];
                    let r = act::leaky_relu_s8(&q, &x, &mut out);
                    case.arr_i8(&x);
                    expect_i8(r, &out)
                }
            }
            2 | 4 | 5 | 6 => {
                let alpha = rng.f32_in(-2.0, 2.0);
                let x = rng.vec_f32(n, -20.0, 20.0);
                let mut out = vec![0f32; n];
                let r = match kind {
                    2 => {
                        case.f32(alpha);
                        act::leaky_relu_f32(alpha, &x, &mut out)
                    }
                    4 => act::hard_swish_f32(&x, &mut out),
                    5 => act::logistic_f32(&x, &mut out),
                    _ => act::tanh_f32(&x, &mut out),
                };
                case.arr_f32(&x);
                expect_f32(r, &out)
            }
            _ => {
                // HARD_SWISH int8: TFLite rejects output multipliers above one.
                let (si, so) = (scale(&mut rng), scale(&mut rng));
                let (zi, zo) = (rng.zero_point_s8(), rng.zero_point_s8());
                let Ok(q) = hard_swish_quant(si, zi, so.max(si / 128.0), zo) else {
                    continue;
                };
                case.i32(q.input_zero_point)
                    .i32(q.output_zero_point)
                    .i32(i32::from(q.reluish_multiplier_fixedpoint_int16))
                    .i32(q.reluish_multiplier_exponent)
                    .i32(i32::from(q.output_multiplier_fixedpoint_int16))
                    .i32(q.output_multiplier_exponent);
                let x = rng.vec_i8(n);
                let mut out = vec![0i8; n];
                let r = act::hard_swish_s8(&q, &x, &mut out);
                case.arr_i8(&x);
                expect_i8(r, &out)
            }
        };
        batch.push(case, expect, format!("kind {kind} n {n}"));
    }
    batch.run();
}

/// int16 LOGISTIC and TANH (the sigmoid table): power-of-two and multiplier
/// input scales, random int16 inputs.
#[test]
fn int16_logistic_and_tanh() {
    let mut rng = Rng::new(103);
    let mut batch = Batch::new("sigmoid_tanh_s16");
    for i in 0..CASES * 2 {
        let tanh = i % 2 == 1;
        let input_scale = if rng.chance(30) {
            (-(rng.range(8, 15) as f32)).exp2()
        } else {
            rng.log_uniform(1e-5, 1.0) as f32
        };
        let q = if tanh {
            tanh_s16_quant(input_scale)
        } else {
            logistic_s16_quant(input_scale)
        };
        let n = rng.usize(0, 300);
        let x = rng.vec_i16(n);
        let mut out = vec![0i16; n];
        let r = if tanh {
            act::tanh_s16(&q, &SIGMOID_TABLE, &x, &mut out)
        } else {
            act::logistic_s16(&q, &SIGMOID_TABLE, &x, &mut out)
        };
        let mut case = Case::new(140 + i32::from(tanh));
        case.i32(q.input_multiplier)
            .i32(q.input_left_shift)
            .arr_i16(&x);
        batch.push(
            case,
            expect_i16(r, &out),
            format!("tanh {tanh} scale {input_scale} n {n}"),
        );
    }
    batch.run();
}

#[test]
fn quantize_to_int32_and_dequantize_uint8() {
    let mut rng = Rng::new(102);
    let mut batch = Batch::new("quantize");
    for i in 0..CASES * 3 {
        let kind = (i % 3) as i32;
        let n = rng.usize(0, 40);
        let mut case = Case::new(107 + kind);
        let expect = if kind == 2 {
            let (s, zp) = (scale(&mut rng), rng.range(0, 255) as i32);
            let x: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
            let mut out = vec![0f32; n];
            let r = qz::dequantize_u8_f32(s, zp, &x, &mut out);
            case.f32(s).i32(zp).usize(n);
            case.0.extend_from_slice(&x);
            expect_f32(r, &out)
        } else {
            let zi = if kind == 0 { rng.zero_point_s8() } else { 0 };
            let zo = rng.range(-1000, 1000) as i32;
            let q = requantize_quant(scale(&mut rng), zi, scale(&mut rng) * 1e-2, zo);
            case.i32(q.input_zero_point)
                .i32(q.output_zero_point)
                .i32(q.multiplier)
                .i32(q.shift);
            let mut out = vec![0i32; n];
            let r = if kind == 0 {
                let x = rng.vec_i8(n);
                case.arr_i8(&x);
                qz::requantize_s8_s32(&q, &x, &mut out)
            } else {
                let x = rng.vec_i16(n);
                case.arr_i16(&x);
                qz::requantize_s16_s32(&q, &x, &mut out)
            };
            expect_i32(r, &out)
        };
        batch.push(case, expect, format!("kind {kind} n {n}"));
    }
    batch.run();
}

/// Element data of one of the three sizes, as bytes plus a typed view for the
/// reference kernels (bytes compare exactly, whatever the type).
#[derive(Clone)]
enum Data {
    B1(Vec<i8>),
    B2(Vec<i16>),
    B4(Vec<i32>),
}

impl Data {
    fn random(rng: &mut Rng, es: usize, n: usize) -> Self {
        match es {
            1 => Data::B1(rng.vec_i8(n)),
            2 => Data::B2(rng.vec_i16(n)),
            _ => Data::B4((0..n).map(|_| rng.next_u64() as i32).collect()),
        }
    }
    fn zeros(es: usize, n: usize) -> Self {
        match es {
            1 => Data::B1(vec![0; n]),
            2 => Data::B2(vec![0; n]),
            _ => Data::B4(vec![0; n]),
        }
    }
    fn len(&self) -> usize {
        match self {
            Data::B1(v) => v.len(),
            Data::B2(v) => v.len(),
            Data::B4(v) => v.len(),
        }
    }
    fn bytes(&self) -> Vec<u8> {
        match self {
            Data::B1(v) => v.iter().map(|&x| x as u8).collect(),
            Data::B2(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
            Data::B4(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        }
    }
    fn write(&self, case: &mut Case) {
        case.usize(self.len());
        case.0.extend(self.bytes());
    }
}

macro_rules! on_data {
    ($d:expr, $v:ident => $e:expr) => {
        match $d {
            Data::B1($v) => $e,
            Data::B2($v) => $e,
            Data::B4($v) => $e,
        }
    };
}

fn expect_bytes(r: Result<(), impl std::fmt::Debug>, out: &[u8]) -> Expect {
    match r {
        Ok(()) => Expect::Bytes(out.to_vec()),
        Err(_) => Expect::Error,
    }
}

fn random_shape(rng: &mut Rng, rank_lo: usize, rank_hi: usize, dim_hi: usize) -> Vec<usize> {
    let rank = rng.usize(rank_lo, rank_hi);
    (0..rank).map(|_| rng.usize(1, dim_hi)).collect()
}

fn es(rng: &mut Rng) -> usize {
    [1, 2, 4][rng.usize(0, 2)]
}

#[test]
fn pad_strided_slice_transpose() {
    let mut rng = Rng::new(103);
    let mut batch = Batch::new("pad/slice/transpose");
    for i in 0..CASES * 3 {
        let e = es(&mut rng);
        let shape = random_shape(&mut rng, 0, 5, 4);
        let n: usize = shape.iter().product();
        let input = Data::random(&mut rng, e, n);
        let (mut case, expect) = match i % 3 {
            0 => {
                let pads: Vec<(i32, i32)> = shape
                    .iter()
                    .map(|_| (rng.range(0, 2) as i32, rng.range(0, 2) as i32))
                    .collect();
                let out_n: usize = shape
                    .iter()
                    .zip(&pads)
                    .map(|(&d, &(b, a))| d + (b + a) as usize)
                    .product();
                let value = Data::random(&mut rng, e, 1);
                let mut out = Data::zeros(e, out_n);
                let r = match (&input, &value, &mut out) {
                    (Data::B1(x), Data::B1(v), Data::B1(o)) => {
                        array::pad(&shape, x, &pads, v[0], o)
                    }
                    (Data::B2(x), Data::B2(v), Data::B2(o)) => {
                        array::pad(&shape, x, &pads, v[0], o)
                    }
                    (Data::B4(x), Data::B4(v), Data::B4(o)) => {
                        array::pad(&shape, x, &pads, v[0], o)
                    }
                    _ => unreachable!(),
                };
                let mut case = Case::new(110);
                case.usize(e).shape(&shape);
                for &(b, a) in &pads {
                    case.i32(b).i32(a);
                }
                value.write(&mut case);
                input.write(&mut case);
                case.usize(out_n);
                (case, expect_bytes(r, &out.bytes()))
            }
            1 => {
                let rank = shape.len();
                let pick =
                    |rng: &mut Rng, d: usize| rng.range(-(d as i64) - 2, d as i64 + 2) as i32;
                let begin: Vec<i32> = shape.iter().map(|&d| pick(&mut rng, d)).collect();
                let end: Vec<i32> = shape.iter().map(|&d| pick(&mut rng, d)).collect();
                let strides: Vec<i32> = (0..rank)
                    .map(|_| [1, 1, 2, 3, -1, -2][rng.usize(0, 5)])
                    .collect();
                let mask = |rng: &mut Rng| (rng.next_u64() as u32) & ((1u32 << rank) - 1);
                let (bm, em) = (mask(&mut rng), mask(&mut rng));
                let sm = if rng.chance(30) { mask(&mut rng) } else { 0 };
                let p = array::StridedSliceParams {
                    begin: &begin,
                    end: &end,
                    strides: &strides,
                    begin_mask: bm,
                    end_mask: em,
                    shrink_axis_mask: sm,
                };
                let out_n: usize = array::strided_slice_extents(&p, &shape)
                    .expect("valid slice")
                    .iter()
                    .product();
                let mut out = Data::zeros(e, out_n);
                let r = match (&input, &mut out) {
                    (Data::B1(x), Data::B1(o)) => array::strided_slice(&p, &shape, x, o),
                    (Data::B2(x), Data::B2(o)) => array::strided_slice(&p, &shape, x, o),
                    (Data::B4(x), Data::B4(o)) => array::strided_slice(&p, &shape, x, o),
                    _ => unreachable!(),
                };
                let mut case = Case::new(111);
                case.usize(e).shape(&shape);
                for v in begin.iter().chain(&end).chain(&strides) {
                    case.i32(*v);
                }
                case.i32(bm as i32).i32(em as i32).i32(sm as i32);
                input.write(&mut case);
                case.usize(out_n);
                (case, expect_bytes(r, &out.bytes()))
            }
            _ => {
                let rank = shape.len();
                let mut perm: Vec<i32> = (0..rank as i32).collect();
                for k in (1..rank).rev() {
                    perm.swap(k, rng.usize(0, k));
                }
                for p in perm.iter_mut() {
                    if rng.chance(20) {
                        *p -= rank as i32;
                    }
                }
                let mut out = Data::zeros(e, n);
                let r = match (&input, &mut out) {
                    (Data::B1(x), Data::B1(o)) => array::transpose(&shape, &perm, x, o),
                    (Data::B2(x), Data::B2(o)) => array::transpose(&shape, &perm, x, o),
                    (Data::B4(x), Data::B4(o)) => array::transpose(&shape, &perm, x, o),
                    _ => unreachable!(),
                };
                let mut case = Case::new(112);
                case.usize(e).shape(&shape);
                for &p in &perm {
                    case.i32(p);
                }
                input.write(&mut case);
                (case, expect_bytes(r, &out.bytes()))
            }
        };
        let _ = &mut case;
        batch.push(case, expect, format!("case {i} es {e} shape {shape:?}"));
    }
    batch.run();
}

#[test]
fn concatenation_pack_unpack_split() {
    let mut rng = Rng::new(104);
    let mut batch = Batch::new("concat/pack/unpack/split");
    for i in 0..CASES * 4 {
        let e = es(&mut rng);
        let shape = random_shape(&mut rng, 1, 5, 4);
        let rank = shape.len() as i32;
        let kind = i % 4;
        let (case, expect) = match kind {
            0 | 1 => {
                let parts = rng.usize(1, 4);
                let axis = rng.range(0, i64::from(rank) - 1 + kind as i64) as i32;
                let axis_signed = if rng.chance(30) {
                    axis - rank - kind as i32
                } else {
                    axis
                };
                let shapes: Vec<Vec<usize>> = (0..parts)
                    .map(|_| {
                        let mut s = shape.clone();
                        if kind == 0 {
                            s[axis as usize] = rng.usize(0, 3);
                        }
                        s
                    })
                    .collect();
                let datas: Vec<Data> = shapes
                    .iter()
                    .map(|s| Data::random(&mut rng, e, s.iter().product()))
                    .collect();
                let total: usize = datas.iter().map(Data::len).sum();
                let mut out = Data::zeros(e, total);
                let refs: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
                let r = on_data!(&mut out, o => {
                    let ins: Vec<_> = datas.iter().map(|d| match (d, &*o) {
                        (Data::B1(_), _) | (Data::B2(_), _) | (Data::B4(_), _) => d.clone(),
                    }).collect();
                    let typed: Vec<_> = ins.iter().map(|d| typed_ref(d, &*o)).collect();
                    if kind == 0 {
                        array::concatenation(axis_signed, &refs, &typed, o)
                    } else {
                        array::pack(axis_signed, &shape, &typed, o)
                    }
                });
                let mut case = Case::new(113 + kind as i32);
                case.usize(e).i32(axis_signed).usize(parts);
                if kind == 1 {
                    case.shape(&shape);
                }
                for (s, d) in shapes.iter().zip(&datas) {
                    if kind == 0 {
                        case.shape(s);
                    }
                    d.write(&mut case);
                }
                (case, expect_bytes(r, &out.bytes()))
            }
            _ => {
                let axis = rng.range(0, i64::from(rank) - 1) as i32;
                let axis_signed = if rng.chance(30) { axis - rank } else { axis };
                let len = shape[axis as usize];
                let n: usize = shape.iter().product();
                let input = Data::random(&mut rng, e, n);
                let (outer, inner): (usize, usize) = (
                    shape[..axis as usize].iter().product(),
                    shape[axis as usize + 1..].iter().product(),
                );
                let (op, sizes): (i32, Vec<usize>) = if kind == 2 {
                    (115, vec![1; len])
                } else if rng.chance(50) {
                    let parts = [4, 3, 2, 1].into_iter().find(|p| len % p == 0).unwrap_or(1);
                    (117, vec![len / parts; parts])
                } else {
                    let mut sizes = Vec::new();
                    let mut left = len;
                    while left > 0 {
                        let s = rng.usize(0, left);
                        sizes.push(s);
                        left -= s;
                        if sizes.len() == 4 {
                            sizes.push(left);
                            left = 0;
                        }
                    }
                    (116, sizes)
                };
                let mut outs: Vec<Data> = sizes
                    .iter()
                    .map(|&s| Data::zeros(e, outer * s * inner))
                    .collect();
                let r = run_scatter(op, axis_signed, &shape, &input, &sizes, &mut outs);
                let mut case = Case::new(op);
                case.usize(e).i32(axis_signed).shape(&shape);
                input.write(&mut case);
                case.usize(sizes.len());
                for (s, o) in sizes.iter().zip(&outs) {
                    case.usize(*s).usize(o.len());
                }
                let bytes: Vec<u8> = outs.iter().flat_map(Data::bytes).collect();
                (case, expect_bytes(r, &bytes))
            }
        };
        batch.push(
            case,
            expect,
            format!("case {i} kind {kind} es {e} shape {shape:?}"),
        );
    }
    batch.run();
}

/// The typed slice of `d` for an output of the same variant as `_o`.
fn typed_ref<'a, T: 'static>(d: &'a Data, _o: &[T]) -> &'a [T] {
    let any: &dyn std::any::Any = match d {
        Data::B1(v) => v,
        Data::B2(v) => v,
        Data::B4(v) => v,
    };
    any.downcast_ref::<Vec<T>>().expect("same element type")
}

fn run_scatter(
    op: i32,
    axis: i32,
    shape: &[usize],
    input: &Data,
    sizes: &[usize],
    outs: &mut [Data],
) -> Result<(), autodeploy_reference::kernels::KernelError> {
    fn go<T: Copy + 'static>(
        op: i32,
        axis: i32,
        shape: &[usize],
        x: &[T],
        sizes: &[usize],
        outs: &mut [Data],
    ) -> Result<(), autodeploy_reference::kernels::KernelError> {
        let mut slices: Vec<&mut [T]> = outs
            .iter_mut()
            .map(|d| {
                let any: &mut dyn std::any::Any = match d {
                    Data::B1(v) => v,
                    Data::B2(v) => v,
                    Data::B4(v) => v,
                };
                any.downcast_mut::<Vec<T>>()
                    .expect("same type")
                    .as_mut_slice()
            })
            .collect();
        match op {
            115 => array::unpack(axis, shape, x, &mut slices),
            116 => array::split_v(axis, shape, x, sizes, &mut slices),
            _ => array::split(axis, shape, x, &mut slices),
        }
    }
    on_data!(input, x => go(op, axis, shape, x, sizes, outs))
}

#[test]
fn mean_s8_and_f32() {
    let mut rng = Rng::new(105);
    let mut batch = Batch::new("mean");
    for i in 0..CASES * 2 {
        let float = i % 2 == 1;
        let shape = random_shape(&mut rng, 1, 5, 5);
        let rank = shape.len() as i64;
        let axes: Vec<i32> = (0..rng.usize(1, 4))
            .map(|_| rng.range(-rank, rank - 1) as i32)
            .collect();
        let reduced = reduce::resolve_axes(shape.len(), &axes).expect("axes");
        let out_n: usize = shape
            .iter()
            .zip(&reduced)
            .filter(|(_, &r)| !r)
            .map(|(&d, _)| d)
            .product();
        let n: usize = shape.iter().product();
        let mut case = Case::new(118 + i32::from(float));
        let expect = if float {
            let x = rng.vec_f32(n, -10.0, 10.0);
            let mut out = vec![0f32; out_n];
            let r = reduce::mean_f32(&shape, &x, &axes, &mut out);
            case.shape(&shape).arr_i32(&axes).arr_f32(&x).usize(out_n);
            // Same summation order: the results must be identical.
            match r {
                Ok(()) => Expect::Bytes(out.iter().flat_map(|v| v.to_ne_bytes()).collect()),
                Err(_) => Expect::Error,
            }
        } else {
            let q = mean_quant(
                scale(&mut rng),
                rng.zero_point_s8(),
                scale(&mut rng),
                rng.zero_point_s8(),
            );
            let x = rng.vec_i8(n);
            let mut out = vec![0i8; out_n];
            let r = reduce::mean_s8(&q, &shape, &x, &axes, &mut out);
            case.i32(q.input_zero_point)
                .i32(q.output_zero_point)
                .i32(q.multiplier)
                .i32(q.shift)
                .shape(&shape)
                .arr_i32(&axes)
                .arr_i8(&x)
                .usize(out_n);
            expect_i8(r, &out)
        };
        batch.push(
            case,
            expect,
            format!("case {i} shape {shape:?} axes {axes:?}"),
        );
    }
    batch.run();
}

#[test]
fn batch_matmul_s8_and_f32() {
    let mut rng = Rng::new(106);
    let mut batch = Batch::new("batch_matmul");
    for i in 0..CASES * 2 {
        let float = i % 2 == 1;
        let params = bmm::BatchMatMulParams {
            adj_x: rng.chance(50),
            adj_y: rng.chance(50),
        };
        let (rows, depth, cols) = (rng.usize(1, 4), rng.usize(1, 6), rng.usize(1, 4));
        let batch_dims: Vec<usize> = (0..rng.usize(0, 3)).map(|_| rng.usize(1, 3)).collect();
        let side = |rng: &mut Rng, a: usize, b: usize, adj: bool| -> Vec<usize> {
            let keep = rng.usize(0, batch_dims.len());
            let mut s: Vec<usize> = batch_dims[batch_dims.len() - keep..]
                .iter()
                .map(|&d| if rng.chance(30) { 1 } else { d })
                .collect();
            if adj {
                s.extend([b, a]);
            } else {
                s.extend([a, b]);
            }
            s
        };
        let ls = side(&mut rng, rows, depth, params.adj_x);
        let rs = side(&mut rng, depth, cols, params.adj_y);
        let (ln, rn): (usize, usize) = (ls.iter().product(), rs.iter().product());
        let out_n: usize = bmm::batch_matmul_output_shape(&params, &ls, &rs)
            .expect("shapes broadcast")
            .iter()
            .product();
        let mut case = Case::new(120 + i32::from(float));
        case.i32(i32::from(params.adj_x))
            .i32(i32::from(params.adj_y));
        let expect = if float {
            let (l, r) = (rng.vec_f32(ln, -2.0, 2.0), rng.vec_f32(rn, -2.0, 2.0));
            let mut out = vec![0f32; out_n];
            let res = bmm::batch_matmul_f32(&params, &ls, &l, &rs, &r, &mut out);
            case.shape(&ls)
                .arr_f32(&l)
                .shape(&rs)
                .arr_f32(&r)
                .usize(out_n);
            match res {
                Ok(()) => Expect::Bytes(out.iter().flat_map(|v| v.to_ne_bytes()).collect()),
                Err(_) => Expect::Error,
            }
        } else {
            let (multiplier, shift) =
                fully_connected_quant(scale(&mut rng), scale(&mut rng), scale(&mut rng) * 0.1);
            let q = bmm::BatchMatMulQuant {
                lhs_zero_point: rng.zero_point_s8(),
                rhs_zero_point: rng.zero_point_s8(),
                output_zero_point: rng.zero_point_s8(),
                multiplier,
                shift,
            };
            let (l, r) = (rng.vec_i8(ln), rng.vec_i8(rn));
            let mut out = vec![0i8; out_n];
            let res = bmm::batch_matmul_s8(&params, &q, &ls, &l, &rs, &r, &mut out);
            case.i32(q.lhs_zero_point)
                .i32(q.rhs_zero_point)
                .i32(q.output_zero_point)
                .i32(q.multiplier)
                .i32(q.shift)
                .shape(&ls)
                .arr_i8(&l)
                .shape(&rs)
                .arr_i8(&r)
                .usize(out_n);
            expect_i8(res, &out)
        };
        batch.push(case, expect, format!("case {i} lhs {ls:?} rhs {rs:?}"));
    }
    batch.run();
}
