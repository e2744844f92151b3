//! Pooling, MEAN, and the data-movement operators: RESHAPE, SQUEEZE,
//! EXPAND_DIMS, CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, PAD, PADV2,
//! STRIDED_SLICE, TRANSPOSE.

use autodeploy_model::builder::GraphBuilder;
use autodeploy_model::{
    Activation, ElementType, OpKind, Padding, Pool2dOptions, StridedSliceOptions,
};

use super::*;

fn i32s(v: &[usize]) -> Vec<i32> {
    v.iter().map(|&d| d as i32).collect()
}

fn const_i32(g: &mut GraphBuilder, name: &str, values: &[i32]) -> usize {
    g.tensor(spec(name, I32, &[values.len()]).data_i32(values))
}

fn pool_case(rng: &mut Rng, max: bool, dtype: ElementType) -> Case {
    let padding = rng.pick(&[Padding::Same, Padding::Valid]);
    let (fh, fw) = (rng.usize(1, 4), rng.usize(1, 4));
    let (sh, sw) = (rng.usize(1, 3), rng.usize(1, 3));
    let size = |rng: &mut Rng, f: usize, s: usize| {
        let min = if padding == Padding::Valid { f } else { 1 };
        let n = rng.usize(min, 12);
        let out = match padding {
            Padding::Same => n.div_ceil(s),
            Padding::Valid => (n - f + 1).div_ceil(s),
        };
        (n, out)
    };
    let (h, oh) = size(rng, fh, sh);
    let (w, ow) = size(rng, fw, sw);
    let (batch, c) = (rng.usize(1, 2), rng.usize(1, 8));
    let activation = rng.activation();
    // Pooling does not requantize: one quantization for input and output.
    let q = act_quant(rng, dtype);
    let opts = Pool2dOptions {
        padding,
        stride_w: sw as i32,
        stride_h: sh as i32,
        filter_w: fw as i32,
        filter_h: fh as i32,
        activation,
    };
    let kind = if max {
        OpKind::MaxPool2d(opts)
    } else {
        OpKind::AveragePool2d(opts)
    };
    let desc = format!("{kind:?} input [{batch}, {h}, {w}, {c}] {q:?}");
    let bytes = model(|g| {
        let i = g.tensor(act_spec("input", dtype, &[batch, h, w, c], q));
        let o = g.tensor(act_spec("output", dtype, &[batch, oh, ow, c], q));
        g.operator(kind, &[i], &[o]).inputs(&[i]).outputs(&[o]);
    });
    let name = if max {
        "MAX_POOL_2D"
    } else {
        "AVERAGE_POOL_2D"
    };
    Case::new(format!("{name} {}", type_name(dtype)), desc, bytes)
}

/// A model with `inputs` activation tensors of one quantization, one
/// operator and its outputs; constant inputs are added by `extra`.
fn data_case(
    label: String,
    kind: OpKind,
    dtype: ElementType,
    q: (f32, i64),
    in_shapes: &[Vec<usize>],
    out_shapes: &[Vec<usize>],
    extra: impl FnOnce(&mut GraphBuilder, &mut Vec<usize>),
) -> Case {
    let desc = format!("{kind:?} inputs {in_shapes:?} outputs {out_shapes:?} {q:?}");
    let bytes = model(|g| {
        let ins: Vec<usize> = in_shapes
            .iter()
            .enumerate()
            .map(|(k, s)| g.tensor(act_spec(&format!("in{k}"), dtype, s, q)))
            .collect();
        let outs: Vec<usize> = out_shapes
            .iter()
            .enumerate()
            .map(|(k, s)| g.tensor(act_spec(&format!("out{k}"), dtype, s, q)))
            .collect();
        let mut op_inputs = ins.clone();
        extra(g, &mut op_inputs);
        g.operator(kind, &op_inputs, &outs)
            .inputs(&ins)
            .outputs(&outs);
    });
    Case::new(label, desc, bytes)
}

fn data_movement_case(rng: &mut Rng, op: &str, dtype: ElementType) -> Case {
    let label = format!("{op} {}", type_name(dtype));
    let q = act_quant(rng, dtype);
    let rank = rng.usize(1, 4);
    let shape = rng.shape(rank, 5);
    match op {
        "RESHAPE" => {
            let n: usize = shape.iter().product();
            let mut out = vec![n];
            if n % 2 == 0 && rng.chance(0.5) {
                out = vec![2, n / 2];
            }
            out.insert(0, 1);
            let target = i32s(&out);
            data_case(
                label,
                OpKind::Reshape {
                    new_shape: Some(target.clone()),
                },
                dtype,
                q,
                &[shape],
                &[out],
                |g, ins| ins.push(const_i32(g, "shape", &target)),
            )
        }
        "SQUEEZE" => {
            let mut with_ones = shape.clone();
            let at = rng.usize(0, with_ones.len());
            with_ones.insert(at, 1);
            let dims = if rng.chance(0.5) {
                vec![at as i32]
            } else {
                vec![]
            };
            let out: Vec<usize> = if dims.is_empty() {
                with_ones.iter().copied().filter(|&d| d != 1).collect()
            } else {
                shape.clone()
            };
            data_case(
                label,
                OpKind::Squeeze { dims },
                dtype,
                q,
                &[with_ones],
                &[out],
                |_, _| {},
            )
        }
        "EXPAND_DIMS" => {
            let at = rng.range(-(rank as i64) - 1, rank as i64);
            let index = if at < 0 { at + rank as i64 + 1 } else { at } as usize;
            let mut out = shape.clone();
            out.insert(index, 1);
            data_case(
                label,
                OpKind::ExpandDims,
                dtype,
                q,
                &[shape],
                &[out],
                |g, ins| ins.push(const_i32(g, "axis", &[at as i32])),
            )
        }
        "CONCATENATION" => {
            let axis = rng.usize(0, rank - 1);
            let n = rng.usize(1, 4);
            let ins: Vec<Vec<usize>> = (0..n)
                .map(|_| {
                    let mut s = shape.clone();
                    s[axis] = rng.usize(1, 4);
                    s
                })
                .collect();
            let mut out = shape.clone();
            out[axis] = ins.iter().map(|s| s[axis]).sum();
            let axis = if rng.chance(0.3) {
                axis as i32 - rank as i32
            } else {
                axis as i32
            };
            data_case(
                label,
                OpKind::Concatenation {
                    axis,
                    activation: Activation::None,
                },
                dtype,
                q,
                &ins,
                &[out],
                |_, _| {},
            )
        }
        "PACK" => {
            let n = rng.usize(1, 4);
            let axis = rng.usize(0, rank);
            let mut out = shape.clone();
            out.insert(axis, n);
            data_case(
                label,
                OpKind::Pack {
                    values_count: n as i32,
                    axis: axis as i32,
                },
                dtype,
                q,
                &vec![shape; n],
                &[out],
                |_, _| {},
            )
        }
        "UNPACK" => {
            let axis = rng.usize(0, rank - 1);
            let mut out = shape.clone();
            let n = out.remove(axis);
            data_case(
                label,
                OpKind::Unpack {
                    num: n as i32,
                    axis: axis as i32,
                },
                dtype,
                q,
                &[shape],
                &vec![out; n],
                |_, _| {},
            )
        }
        "SPLIT" => {
            let axis = rng.usize(0, rank - 1);
            let splits = rng.usize(1, 3);
            let mut input = shape.clone();
            input[axis] *= splits;
            let axis_value = if rng.chance(0.3) {
                axis as i32 - rank as i32
            } else {
                axis as i32
            };
            // SPLIT takes the axis first, then the tensor.
            let desc = format!("SPLIT {input:?} axis {axis_value} into {splits}");
            let bytes = model(|g| {
                let a = const_i32(g, "axis", &[axis_value]);
                let i = g.tensor(act_spec("input", dtype, &input, q));
                let outs: Vec<usize> = (0..splits)
                    .map(|k| g.tensor(act_spec(&format!("out{k}"), dtype, &shape, q)))
                    .collect();
                g.operator(
                    OpKind::Split {
                        num_splits: splits as i32,
                    },
                    &[a, i],
                    &outs,
                )
                .inputs(&[i])
                .outputs(&outs);
            });
            Case::new(label, desc, bytes)
        }
        "SPLIT_V" => {
            let axis = rng.usize(0, rank - 1);
            let count = rng.usize(1, 3);
            let sizes: Vec<usize> = (0..count).map(|_| rng.usize(1, 3)).collect();
            let mut input = shape.clone();
            input[axis] = sizes.iter().sum();
            // One size may be -1: the rest of the axis.
            let mut given: Vec<i32> = sizes.iter().map(|&s| s as i32).collect();
            if count > 1 && rng.chance(0.3) {
                let k = rng.usize(0, count - 1);
                given[k] = -1;
            }
            let axis_value = if rng.chance(0.3) {
                axis as i32 - rank as i32
            } else {
                axis as i32
            };
            // SPLIT_V takes the tensor, the sizes, then the axis.
            let desc = format!("SPLIT_V {input:?} axis {axis_value} sizes {given:?}");
            let bytes = model(|g| {
                let i = g.tensor(act_spec("input", dtype, &input, q));
                let s = const_i32(g, "size_splits", &given);
                let a = g.tensor(spec("axis", I32, &[]).data_i32(&[axis_value]));
                let outs: Vec<usize> = sizes
                    .iter()
                    .enumerate()
                    .map(|(k, &n)| {
                        let mut out = input.clone();
                        out[axis] = n;
                        g.tensor(act_spec(&format!("out{k}"), dtype, &out, q))
                    })
                    .collect();
                g.operator(
                    OpKind::SplitV {
                        num_splits: count as i32,
                    },
                    &[i, s, a],
                    &outs,
                )
                .inputs(&[i])
                .outputs(&outs);
            });
            Case::new(label, desc, bytes)
        }
        "PAD" | "PADV2" => {
            let pads: Vec<(usize, usize)> = (0..rank)
                .map(|_| (rng.usize(0, 3), rng.usize(0, 3)))
                .collect();
            let out: Vec<usize> = shape
                .iter()
                .zip(&pads)
                .map(|(d, (a, b))| d + a + b)
                .collect();
            let flat: Vec<i32> = pads
                .iter()
                .flat_map(|&(a, b)| [a as i32, b as i32])
                .collect();
            let v2 = op == "PADV2";
            let value = rng.range(-128, 127);
            let fvalue = rng.uniform(-2.0, 2.0) as f32;
            data_case(
                label,
                if v2 { OpKind::PadV2 } else { OpKind::Pad },
                dtype,
                q,
                &[shape],
                &[out],
                |g, ins| {
                    ins.push(g.tensor(spec("paddings", I32, &[rank, 2]).data_i32(&flat)));
                    if v2 {
                        let c = act_spec("value", dtype, &[1], q);
                        let c = match dtype {
                            F32 => c.data_f32(&[fvalue]),
                            I16 => c.data_i16(&[value as i16 * 100]),
                            _ => c.data_i8(&[value as i8]),
                        };
                        ins.push(g.tensor(c));
                    }
                },
            )
        }
        "TRANSPOSE" => {
            let rank = rng.usize(1, 5);
            let shape = rng.shape(rank, 4);
            let mut perm: Vec<usize> = (0..rank).collect();
            for k in (1..rank).rev() {
                let j = rng.usize(0, k);
                perm.swap(k, j);
            }
            let out: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
            let perm = i32s(&perm);
            data_case(
                label,
                OpKind::Transpose,
                dtype,
                q,
                &[shape],
                &[out],
                |g, ins| ins.push(const_i32(g, "perm", &perm)),
            )
        }
        "STRIDED_SLICE" => strided_slice_case(rng, label, dtype, q),
        other => panic!("no generator for {other}"),
    }
}

/// Begin, end and stride per dimension (with masks), the output shape as
/// TensorFlow computes it; regenerated until no dimension is empty.
fn strided_slice_case(rng: &mut Rng, label: String, dtype: ElementType, q: (f32, i64)) -> Case {
    loop {
        let rank = rng.usize(1, 4);
        let shape = rng.shape(rank, 6);
        let (mut begin, mut end, mut strides) = (vec![], vec![], vec![]);
        let (mut begin_mask, mut end_mask, mut shrink) = (0i32, 0i32, 0i32);
        let mut out = vec![];
        let mut empty = false;
        for (k, &d) in shape.iter().enumerate() {
            let d = d as i64;
            if rng.chance(0.15) {
                // Shrink: a single index, which must be in range.
                let b = rng.range(-d, d - 1);
                shrink |= 1 << k;
                begin.push(b as i32);
                end.push((b + 1) as i32);
                strides.push(1);
                continue;
            }
            let s = rng.pick(&[1i64, 1, 2, 3, -1, -2]);
            let b = rng.range(-d - 1, d);
            let e = rng.range(-d - 1, d + 1);
            let bm = rng.chance(0.2);
            let em = rng.chance(0.2);
            if bm {
                begin_mask |= 1 << k;
            }
            if em {
                end_mask |= 1 << k;
            }
            let norm = |v: i64| if v < 0 { v + d } else { v };
            let len = if s > 0 {
                let start = if bm { 0 } else { norm(b).clamp(0, d) };
                let stop = if em { d } else { norm(e).clamp(0, d) };
                ((stop - start).max(0) as u64).div_ceil(s as u64) as i64
            } else {
                let start = if bm { d - 1 } else { norm(b).clamp(-1, d - 1) };
                let stop = if em { -1 } else { norm(e).clamp(-1, d - 1) };
                ((start - stop).max(0) as u64).div_ceil((-s) as u64) as i64
            };
            empty |= len == 0;
            out.push(len as usize);
            begin.push(b as i32);
            end.push(e as i32);
            strides.push(s as i32);
        }
        if empty {
            continue;
        }
        let opts = StridedSliceOptions {
            begin_mask,
            end_mask,
            ellipsis_mask: 0,
            new_axis_mask: 0,
            shrink_axis_mask: shrink,
            offset: false,
        };
        let out_shape = if out.is_empty() { vec![] } else { out };
        return data_case(
            label,
            OpKind::StridedSlice(opts),
            dtype,
            q,
            &[shape],
            &[out_shape],
            |g, ins| {
                ins.push(const_i32(g, "begin", &begin));
                ins.push(const_i32(g, "end", &end));
                ins.push(const_i32(g, "strides", &strides));
            },
        );
    }
}

fn mean_case(rng: &mut Rng, dtype: ElementType) -> Case {
    let rank = rng.usize(1, 4);
    let shape = rng.shape(rank, 6);
    let mut axes: Vec<usize> = (0..rank).filter(|_| rng.chance(0.5)).collect();
    if axes.is_empty() {
        axes.push(rng.usize(0, rank - 1));
    }
    let keep_dims = rng.chance(0.5);
    let out: Vec<usize> = (0..rank)
        .filter_map(|d| match (axes.contains(&d), keep_dims) {
            (true, true) => Some(1),
            (true, false) => None,
            (false, _) => Some(shape[d]),
        })
        .collect();
    let axes_values: Vec<i32> = axes
        .iter()
        .map(|&a| {
            if rng.chance(0.3) {
                a as i32 - rank as i32
            } else {
                a as i32
            }
        })
        .collect();
    let (qi, qo) = (act_quant(rng, dtype), act_quant(rng, dtype));
    let desc =
        format!("MEAN {shape:?} axes {axes_values:?} keep {keep_dims} {qi:?} -> {out:?} {qo:?}");
    let bytes = model(|g| {
        let i = g.tensor(act_spec("input", dtype, &shape, qi));
        let a = const_i32(g, "axes", &axes_values);
        let o = g.tensor(act_spec("output", dtype, &out, qo));
        g.operator(OpKind::Mean { keep_dims }, &[i, a], &[o])
            .inputs(&[i])
            .outputs(&[o]);
    });
    Case::new(format!("MEAN {}", type_name(dtype)), desc, bytes)
}

/// One int8 AVERAGE_POOL_2D case (the shapes of [`pooling_and_mean`]).
pub fn avg_pool_s8(rng: &mut Rng) -> Case {
    pool_case(rng, false, I8)
}

/// `n` cases per operator and type.
pub fn pooling_and_mean(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0x9001);
    let mut cases = Vec::new();
    for dtype in [I8, F32] {
        for max in [false, true] {
            for _ in 0..n {
                cases.push(pool_case(&mut rng, max, dtype));
            }
        }
        for _ in 0..n {
            cases.push(mean_case(&mut rng, dtype));
        }
    }
    cases
}

/// `n` cases per operator and type.
pub fn data_movement(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0xDA7A);
    let mut cases = Vec::new();
    for (op, types) in [
        ("RESHAPE", &[I8, F32][..]),
        ("SQUEEZE", &[I8, F32]),
        ("EXPAND_DIMS", &[I8, F32]),
        ("CONCATENATION", &[I8, F32]),
        ("PACK", &[I8, F32]),
        ("UNPACK", &[I8, F32]),
        ("SPLIT", &[I8, F32]),
        ("PAD", &[I8, I16, F32]),
        ("PADV2", &[I8, F32]),
        ("STRIDED_SLICE", &[I8, I16, F32]),
        ("TRANSPOSE", &[I8, F32]),
        // Last, so that the cases above keep their random draws.
        ("SPLIT_V", &[I8, F32]),
    ] {
        for &dtype in types {
            for _ in 0..n {
                cases.push(data_movement_case(&mut rng, op, dtype));
            }
        }
    }
    cases
}
