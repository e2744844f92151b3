//! CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED and
//! BATCH_MATMUL.

use autodeploy_model::builder::GraphBuilder;
use autodeploy_model::{
    Conv2dOptions, DepthwiseConv2dOptions, ElementType, FullyConnectedOptions, OpKind, Padding,
    TransposeConvOptions,
};

use super::*;

/// Per-channel weight scales: half the time spanning 1e-6..1 independently,
/// else close to one random base. Returns the scales and their maximum.
fn weight_scales(rng: &mut Rng, channels: usize) -> (Vec<f32>, f32) {
    let scales: Vec<f32> = if rng.chance(0.5) {
        (0..channels).map(|_| rng.log_uniform(1e-6, 1.0)).collect()
    } else {
        let base = rng.log_uniform(1e-6, 1.0);
        (0..channels)
            .map(|_| base * rng.log_uniform(0.5, 2.0))
            .collect()
    };
    let max = scales.iter().copied().fold(0.0, f32::max);
    (scales, max)
}

/// An output scale that keeps a typical accumulator of `depth` products
/// within the output range (give or take a factor of four).
fn output_scale(rng: &mut Rng, input_scale: f32, weight_scale: f32, depth: usize) -> f32 {
    input_scale * weight_scale * (depth as f32).sqrt() * 128.0 * rng.log_uniform(0.25, 4.0)
}

/// Weights of `shape` (per-channel along `axis` for integer types).
fn add_weights(
    g: &mut GraphBuilder,
    rng: &mut Rng,
    dtype: ElementType,
    shape: &[usize],
    scales: &[f32],
    axis: usize,
) -> usize {
    let n = shape.iter().product();
    if dtype == F32 {
        g.tensor(spec("weights", F32, shape).data_f32(&rng.f32s(n, -1.0, 1.0)))
    } else {
        g.tensor(
            spec("weights", I8, shape)
                .quant(per_channel(scales.to_vec(), axis))
                .data_i8(&rng.weights(n)),
        )
    }
}

/// A bias for `channels` outputs: float, int32 (int8 layers, and 16x8
/// layers when `int32_for_16` is set) or int64 (16x8 layers).
fn add_bias(
    g: &mut GraphBuilder,
    rng: &mut Rng,
    dtype: ElementType,
    input_scale: f32,
    scales: &[f32],
    int32_for_16: bool,
) -> usize {
    let channels = scales.len();
    let bias_scales: Vec<f32> = scales.iter().map(|s| s * input_scale).collect();
    let magnitude = 1i64 << rng.usize(4, 20);
    match dtype {
        F32 => g.tensor(spec("bias", F32, &[channels]).data_f32(&rng.f32s(channels, -1.0, 1.0))),
        I16 if !int32_for_16 => g.tensor(
            spec("bias", I64, &[channels])
                .quant(per_channel(bias_scales, 0))
                .data_i64(
                    &rng.i32s(channels, magnitude << 4)
                        .iter()
                        .map(|&v| i64::from(v))
                        .collect::<Vec<_>>(),
                ),
        ),
        _ => g.tensor(
            spec("bias", I32, &[channels])
                .quant(per_channel(bias_scales, 0))
                .data_i32(&rng.i32s(channels, magnitude)),
        ),
    }
}

/// Input size and padding for a window of `k` taps dilated by `d`.
fn spatial(rng: &mut Rng, k: usize, d: usize, stride: usize, padding: Padding) -> (usize, usize) {
    let effective = (k - 1) * d + 1;
    let min = if padding == Padding::Valid {
        effective
    } else {
        1
    };
    let size = rng.usize(min, min.max(10) + 2);
    let out = match padding {
        Padding::Same => size.div_ceil(stride),
        Padding::Valid => (size - effective + 1).div_ceil(stride),
    };
    (size, out)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum ConvKind {
    Conv,
    Depthwise,
}

fn conv_case(rng: &mut Rng, kind: ConvKind, dtype: ElementType) -> Case {
    conv_case_rows(rng, kind, dtype, (1, 4))
}

/// [`conv_case`] with the filter height drawn from `rows` (inclusive).
fn conv_case_rows(rng: &mut Rng, kind: ConvKind, dtype: ElementType, rows: (usize, usize)) -> Case {
    conv_case_shaped(rng, kind, dtype, rows, false)
}

/// [`conv_case_rows`]; with `column`, over a one-column image (width 1,
/// filter width 1: a streaming model's time axis) with up to 40 channels.
fn conv_case_shaped(
    rng: &mut Rng,
    kind: ConvKind,
    dtype: ElementType,
    rows: (usize, usize),
    column: bool,
) -> Case {
    let padding = rng.pick(&[Padding::Same, Padding::Valid]);
    let (kh, kw) = (rng.usize(rows.0, rows.1), rng.usize(1, 4));
    let kw = if column { 1 } else { kw };
    let (sh, sw) = (rng.usize(1, 3), rng.usize(1, 3));
    let (dh, dw) = if rng.chance(0.3) {
        (rng.usize(1, 3), rng.usize(1, 3))
    } else {
        (1, 1)
    };
    let (h, oh) = spatial(rng, kh, dh, sh, padding);
    let (w, ow) = if column {
        (1, 1)
    } else {
        spatial(rng, kw, dw, sw, padding)
    };
    let batch = rng.usize(1, 2);
    let in_c = rng.usize(1, if column { 40 } else { 8 });
    let (out_c, multiplier) = match kind {
        ConvKind::Conv => (rng.usize(1, 8), 0),
        ConvKind::Depthwise => {
            let m = rng.usize(1, 3);
            (in_c * m, m)
        }
    };
    let activation = rng.activation();
    let qi = act_quant(rng, dtype);
    let (scales, wmax) = weight_scales(rng, out_c);
    let depth = match kind {
        ConvKind::Conv => kh * kw * in_c,
        ConvKind::Depthwise => kh * kw,
    };
    let qo = (
        output_scale(rng, qi.0, wmax, depth),
        if dtype == I16 { 0 } else { rng.zero_point() },
    );
    let with_bias = rng.chance(0.8);
    // A 16x8 depthwise bias must be int64 (`int32_bias_refused_for_16x8`).
    let int32_bias = kind == ConvKind::Conv && rng.chance(0.25);
    let op = match kind {
        ConvKind::Conv => OpKind::Conv2d(Conv2dOptions {
            padding,
            stride_w: sw as i32,
            stride_h: sh as i32,
            dilation_w: dw as i32,
            dilation_h: dh as i32,
            activation,
        }),
        ConvKind::Depthwise => OpKind::DepthwiseConv2d(DepthwiseConv2dOptions {
            padding,
            stride_w: sw as i32,
            stride_h: sh as i32,
            dilation_w: dw as i32,
            dilation_h: dh as i32,
            depth_multiplier: multiplier as i32,
            activation,
        }),
    };
    let desc = format!(
        "input [{batch}, {h}, {w}, {in_c}] {qi:?} kernel {kh}x{kw} out_c {out_c} stride {sh}x{sw} dilation {dh}x{dw} {padding:?} {activation:?} out {qo:?} bias {with_bias} int32 {int32_bias} scales {scales:?}"
    );
    let bytes = model(|g| {
        let input = g.tensor(act_spec("input", dtype, &[batch, h, w, in_c], qi));
        let (wshape, axis) = match kind {
            ConvKind::Conv => (vec![out_c, kh, kw, in_c], 0),
            ConvKind::Depthwise => (vec![1, kh, kw, out_c], 3),
        };
        let weights = add_weights(g, rng, dtype, &wshape, &scales, axis);
        let mut inputs = vec![input, weights];
        if with_bias {
            inputs.push(add_bias(g, rng, dtype, qi.0, &scales, int32_bias));
        }
        let output = g.tensor(act_spec("output", dtype, &[batch, oh, ow, out_c], qo));
        g.operator(op, &inputs, &[output])
            .inputs(&[input])
            .outputs(&[output]);
    });
    let name = match kind {
        ConvKind::Conv => "CONV_2D",
        ConvKind::Depthwise => "DEPTHWISE_CONV_2D",
    };
    Case::new(format!("{name} {}", type_name(dtype)), desc, bytes)
}

fn transpose_conv_case(rng: &mut Rng, dtype: ElementType) -> Case {
    let padding = rng.pick(&[Padding::Same, Padding::Valid]);
    let (kh, kw) = (rng.usize(1, 4), rng.usize(1, 4));
    let (sh, sw) = (rng.usize(1, 3), rng.usize(1, 3));
    let (h, w) = (rng.usize(1, 6), rng.usize(1, 6));
    let out_size = |size: usize, k: usize, s: usize| match padding {
        Padding::Same => size * s,
        Padding::Valid => (size - 1) * s + k,
    };
    let (oh, ow) = (out_size(h, kh, sh), out_size(w, kw, sw));
    let batch = rng.usize(1, 2);
    let (in_c, out_c) = (rng.usize(1, 8), rng.usize(1, 8));
    let activation = rng.activation();
    let qi = act_quant(rng, dtype);
    let (scales, wmax) = weight_scales(rng, out_c);
    let qo = (
        output_scale(rng, qi.0, wmax, kh * kw * in_c),
        if dtype == I16 { 0 } else { rng.zero_point() },
    );
    let with_bias = rng.chance(0.8);
    let int16_bias = dtype == I16 && rng.chance(0.25);
    let op = OpKind::TransposeConv(TransposeConvOptions {
        padding,
        stride_w: sw as i32,
        stride_h: sh as i32,
        activation,
    });
    let desc = format!(
        "input [{batch}, {h}, {w}, {in_c}] {qi:?} kernel {kh}x{kw} out [{oh}, {ow}, {out_c}] stride {sh}x{sw} {padding:?} {activation:?} out {qo:?} bias {with_bias} int16 {int16_bias}"
    );
    let bytes = model(|g| {
        let shape = g.tensor(spec("output_shape", I32, &[4]).data_i32(&[
            batch as i32,
            oh as i32,
            ow as i32,
            out_c as i32,
        ]));
        let weights = add_weights(g, rng, dtype, &[out_c, kh, kw, in_c], &scales, 0);
        let input = g.tensor(act_spec("input", dtype, &[batch, h, w, in_c], qi));
        let mut inputs = vec![shape, weights, input];
        if with_bias && dtype == I16 && int16_bias {
            // TensorFlow Lite Micro widens an int16 bias of a 16x8 TRANSPOSE_CONV.
            let bias_scales = scales.iter().map(|s| s * qi.0).collect();
            let values: Vec<i16> = rng.i32s(out_c, 1 << 14).iter().map(|&v| v as i16).collect();
            inputs.push(
                g.tensor(
                    spec("bias", I16, &[out_c])
                        .quant(per_channel(bias_scales, 0))
                        .data_i16(&values),
                ),
            );
        } else if with_bias {
            inputs.push(add_bias(g, rng, dtype, qi.0, &scales, false));
        }
        let output = g.tensor(act_spec("output", dtype, &[batch, oh, ow, out_c], qo));
        g.operator(op, &inputs, &[output])
            .inputs(&[input])
            .outputs(&[output]);
    });
    Case::new(format!("TRANSPOSE_CONV {}", type_name(dtype)), desc, bytes)
}

fn fully_connected_case(rng: &mut Rng, dtype: ElementType) -> Case {
    fully_connected_depth(rng, dtype, (1, 32))
}

/// [`fully_connected_case`] with the input depth drawn from `depths`.
fn fully_connected_depth(rng: &mut Rng, dtype: ElementType, depths: (usize, usize)) -> Case {
    let depth = rng.usize(depths.0, depths.1);
    let units = rng.usize(1, 16);
    let batches = rng.usize(1, 4);
    // Sometimes a 3-D or 4-D input flattened into rows of `depth`.
    let input_shape = match rng.usize(0, 3) {
        0 => vec![batches, 1, depth],
        1 if batches % 2 == 0 => vec![2, batches / 2, 1, depth],
        _ => vec![batches, depth],
    };
    let activation = rng.activation();
    let qi = act_quant(rng, dtype);
    let per_channel = dtype != F32 && rng.chance(0.5);
    let (scales, wmax) = if per_channel {
        weight_scales(rng, units)
    } else {
        let s = rng.log_uniform(1e-6, 1.0);
        (vec![s], s)
    };
    let qo = (
        output_scale(rng, qi.0, wmax, depth),
        if dtype == I16 { 0 } else { rng.zero_point() },
    );
    let with_bias = rng.chance(0.8);
    let int32_bias = rng.chance(0.25);
    let op = OpKind::FullyConnected(FullyConnectedOptions {
        activation,
        keep_num_dims: false,
        shuffled_weights: false,
        asymmetric_quantize_inputs: false,
    });
    let desc = format!(
        "input {input_shape:?} {qi:?} units {units} {activation:?} out {qo:?} bias {with_bias} int32 {int32_bias} scales {scales:?}"
    );
    let bytes = model(|g| {
        let input = g.tensor(act_spec("input", dtype, &input_shape, qi));
        let weights = add_weights(g, rng, dtype, &[units, depth], &scales, 0);
        let mut inputs = vec![input, weights];
        if with_bias {
            let bias_scales = if per_channel {
                scales.clone()
            } else {
                vec![scales[0]; units]
            };
            inputs.push(add_bias(g, rng, dtype, qi.0, &bias_scales, int32_bias));
        }
        let output = g.tensor(act_spec("output", dtype, &[batches, units], qo));
        g.operator(op, &inputs, &[output])
            .inputs(&[input])
            .outputs(&[output]);
    });
    Case::new(format!("FULLY_CONNECTED {}", type_name(dtype)), desc, bytes)
}

fn batch_matmul_case(rng: &mut Rng, dtype: ElementType) -> Case {
    let (m, k, n) = (rng.usize(1, 8), rng.usize(1, 16), rng.usize(1, 8));
    let (adj_x, adj_y) = (rng.chance(0.5), rng.chance(0.5));
    let batch_rank = rng.usize(0, 2);
    let batch = rng.shape(batch_rank, 3);
    let mut lb = batch.clone();
    let mut rb = batch.clone();
    for d in 0..batch_rank {
        match rng.usize(0, 3) {
            0 => lb[d] = 1,
            1 => rb[d] = 1,
            _ => {}
        }
    }
    let lhs_shape: Vec<usize> = lb
        .iter()
        .copied()
        .chain(if adj_x { [k, m] } else { [m, k] })
        .collect();
    let rhs_shape: Vec<usize> = rb
        .iter()
        .copied()
        .chain(if adj_y { [n, k] } else { [k, n] })
        .collect();
    let out_shape: Vec<usize> = lb
        .iter()
        .zip(&rb)
        .map(|(a, b)| *a.max(b))
        .chain([m, n])
        .collect();
    let ql = act_quant(rng, dtype);
    let qr = (rng.scale(), if dtype == I16 { 0 } else { rng.zero_point() });
    let qo = (
        output_scale(rng, ql.0, qr.0, k),
        if dtype == I16 { 0 } else { rng.zero_point() },
    );
    let desc = format!(
        "lhs {lhs_shape:?} {ql:?} rhs {rhs_shape:?} {qr:?} adj {adj_x} {adj_y} out {out_shape:?} {qo:?}"
    );
    let bytes = model(|g| {
        let lhs = g.tensor(act_spec("lhs", dtype, &lhs_shape, ql));
        let rhs = g.tensor(act_spec("rhs", dtype, &rhs_shape, qr));
        let output = g.tensor(act_spec("output", dtype, &out_shape, qo));
        g.operator(OpKind::BatchMatMul { adj_x, adj_y }, &[lhs, rhs], &[output])
            .inputs(&[lhs, rhs])
            .outputs(&[output]);
    });
    Case::new(format!("BATCH_MATMUL {}", type_name(dtype)), desc, bytes)
}

/// `n` cases per operator and type.
pub fn convolutions(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0xC0);
    let mut cases = Vec::new();
    for dtype in [I8, I16, F32] {
        for kind in [ConvKind::Conv, ConvKind::Depthwise] {
            for _ in 0..n {
                cases.push(conv_case(&mut rng, kind, dtype));
            }
        }
        for _ in 0..n {
            cases.push(transpose_conv_case(&mut rng, dtype));
        }
    }
    cases
}

/// `n` cases per operator and type.
pub fn dense_layers(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0xFC);
    let mut cases = Vec::new();
    for dtype in [I8, I16, F32] {
        for _ in 0..n {
            cases.push(fully_connected_case(&mut rng, dtype));
        }
    }
    for dtype in [I8, F32] {
        for _ in 0..n {
            cases.push(batch_matmul_case(&mut rng, dtype));
        }
    }
    cases
}

/// One int8 CONV_2D case (the shapes, strides, dilations and zero points of
/// [`convolutions`]).
pub fn conv_s8(rng: &mut Rng) -> Case {
    conv_case(rng, ConvKind::Conv, I8)
}

/// One int8 DEPTHWISE_CONV_2D case (depth multipliers 1 to 3).
pub fn depthwise_s8(rng: &mut Rng) -> Case {
    conv_case(rng, ConvKind::Depthwise, I8)
}

/// One int8 DEPTHWISE_CONV_2D case, two in five over a one-column image
/// with a filter 1 to 10 rows high (the Helium variants run those as one
/// row of pixels, in place without the line buffer).
pub fn depthwise_or_column_s8(rng: &mut Rng) -> Case {
    if rng.chance(0.4) {
        conv_case_shaped(rng, ConvKind::Depthwise, I8, (1, 10), true)
    } else {
        depthwise_s8(rng)
    }
}

/// One int8 DEPTHWISE_CONV_2D case with a filter 33 to 36 rows high (taller
/// than the DSP depthwise variants take).
pub fn depthwise_tall_s8(rng: &mut Rng) -> Case {
    conv_case_rows(rng, ConvKind::Depthwise, I8, (33, 36))
}

/// One int8 FULLY_CONNECTED case 513 to 519 deep: too deep, when not a
/// multiple of 4, for the pre-widened kernel's scratch, so it reaches the
/// plain DSP one.
pub fn fully_connected_deep_s8(rng: &mut Rng) -> Case {
    fully_connected_depth(rng, I8, (513, 519))
}

/// One int8 FULLY_CONNECTED case.
pub fn fully_connected_s8(rng: &mut Rng) -> Case {
    fully_connected_case(rng, I8)
}

/// One int8 CONV_2D or DEPTHWISE_CONV_2D (depth multiplier 1) whose output
/// is added to a second model input (a residual): the planner fuses such an
/// ADD into the convolution (`InPlace::FusedAdd`), so these cases reach the
/// fused kernels and their variants.
pub fn conv_add_s8(rng: &mut Rng) -> Case {
    let depthwise = rng.chance(0.3);
    let padding = rng.pick(&[Padding::Same, Padding::Valid]);
    let (kh, kw) = (rng.usize(1, 4), rng.usize(1, 4));
    let (sh, sw) = (rng.usize(1, 3), rng.usize(1, 3));
    // Dilated a third of the time: the pre-widened kernel does not take
    // those, so they reach the plain DSP fused kernel.
    let (dh, dw) = if rng.chance(0.3) {
        (rng.usize(1, 2), 2)
    } else {
        (1, 1)
    };
    let (h, oh) = spatial(rng, kh, dh, sh, padding);
    let (w, ow) = spatial(rng, kw, dw, sw, padding);
    let in_c = rng.usize(1, 12);
    let out_c = if depthwise { in_c } else { rng.usize(1, 12) };
    let qi = act_quant(rng, I8);
    let (scales, wmax) = weight_scales(rng, out_c);
    let depth = if depthwise { kh * kw } else { kh * kw * in_c };
    let qc = (output_scale(rng, qi.0, wmax, depth), rng.zero_point());
    let qr = act_quant(rng, I8);
    let qo = act_quant(rng, I8);
    let conv_act = rng.activation();
    let add_act = rng.activation();
    let op = if depthwise {
        OpKind::DepthwiseConv2d(DepthwiseConv2dOptions {
            padding,
            stride_w: sw as i32,
            stride_h: sh as i32,
            dilation_w: dw as i32,
            dilation_h: dh as i32,
            depth_multiplier: 1,
            activation: conv_act,
        })
    } else {
        OpKind::Conv2d(Conv2dOptions {
            padding,
            stride_w: sw as i32,
            stride_h: sh as i32,
            dilation_w: dw as i32,
            dilation_h: dh as i32,
            activation: conv_act,
        })
    };
    let desc = format!(
        "{} input [1, {h}, {w}, {in_c}] {qi:?} kernel {kh}x{kw} out_c {out_c} stride {sh}x{sw} dilation {dh}x{dw} {padding:?} {conv_act:?} conv out {qc:?} residual {qr:?} add {add_act:?} out {qo:?}",
        if depthwise { "depthwise" } else { "conv" }
    );
    let bytes = model(|g| {
        let input = g.tensor(act_spec("input", I8, &[1, h, w, in_c], qi));
        let residual = g.tensor(act_spec("residual", I8, &[1, oh, ow, out_c], qr));
        let (wshape, axis) = if depthwise {
            (vec![1, kh, kw, out_c], 3)
        } else {
            (vec![out_c, kh, kw, in_c], 0)
        };
        let weights = add_weights(g, rng, I8, &wshape, &scales, axis);
        let bias = add_bias(g, rng, I8, qi.0, &scales, false);
        let conv_out = g.tensor(act_spec("conv_out", I8, &[1, oh, ow, out_c], qc));
        let output = g.tensor(act_spec("output", I8, &[1, oh, ow, out_c], qo));
        g.operator(op, &[input, weights, bias], &[conv_out]);
        g.operator(
            OpKind::Add {
                activation: add_act,
                pot_scale_int16: false,
            },
            &[conv_out, residual],
            &[output],
        )
        .inputs(&[input, residual])
        .outputs(&[output]);
    });
    let name = if depthwise {
        "DEPTHWISE_CONV_2D+ADD"
    } else {
        "CONV_2D+ADD"
    };
    Case::new(format!("{name} int8"), desc, bytes)
}
