//! CONV_2D, DEPTHWISE_CONV_2D (int8, 16x8, float32), TRANSPOSE_CONV, FULLY_CONNECTED and pooling: the C kernels,
//! built with sanitizers, against `autodeploy-reference` on random cases.

mod common;

use autodeploy_reference::kernels::conv::Bias16x8;
use autodeploy_reference::kernels::conv::{
    conv2d_f32, conv2d_s16, conv2d_s8, depthwise_conv2d_f32, depthwise_conv2d_s16,
    depthwise_conv2d_s8, transpose_conv2d_f32, transpose_conv2d_s16, transpose_conv2d_s8,
    ConvParams, ConvQuant, DepthwiseParams, TransposeConvParams,
};
use autodeploy_reference::kernels::fully_connected::{
    fully_connected_f32, fully_connected_s16, fully_connected_s8, FcDims, FcMultiplier, FcQuant,
};
use autodeploy_reference::kernels::pool::{
    avg_pool2d_f32, avg_pool2d_s8, max_pool2d_f32, max_pool2d_s8, PoolParams,
};
use autodeploy_reference::kernels::{Dims4, FloatActivation, QuantActivation};
use autodeploy_reference::prepare::quantize_multiplier;
use common::{expect_f32, expect_i16, expect_i8, Batch, Case, Rng};

const CASES: usize = 150;

/// Output size of a window sweep, at least 1 (windows past the edge are fine).
fn out_size(input: usize, k: usize, stride: usize, dilation: usize, pad: usize) -> usize {
    let span = dilation * (k.max(1) - 1) + 1;
    let total = input + 2 * pad;
    if total < span {
        1
    } else {
        (total - span) / stride + 1
    }
}

fn conv_params(rng: &mut Rng, k_h: usize, k_w: usize) -> ConvParams {
    ConvParams {
        stride_h: rng.usize(1, 3),
        stride_w: rng.usize(1, 3),
        dilation_h: if rng.chance(30) { rng.usize(2, 3) } else { 1 },
        dilation_w: if rng.chance(30) { rng.usize(2, 3) } else { 1 },
        pad_h: rng.usize(0, k_h.max(1)),
        pad_w: rng.usize(0, k_w.max(1)),
    }
}

/// Per-channel multipliers for effective scales spanning 1e-6..1.
fn per_channel(rng: &mut Rng, channels: usize) -> (Vec<i32>, Vec<i32>) {
    let one_scale = rng.chance(25);
    let base = rng.log_uniform(1e-6, 1.0);
    (0..channels)
        .map(|_| {
            let s = if one_scale {
                base
            } else {
                rng.log_uniform(1e-6, 1.0)
            };
            quantize_multiplier(s)
        })
        .unzip()
}

fn bias(rng: &mut Rng, n: usize) -> Option<Vec<i32>> {
    rng.chance(80).then(|| {
        (0..n)
            .map(|_| rng.range(-(1 << 16), 1 << 16) as i32)
            .collect()
    })
}

fn d4(d: Dims4) -> [usize; 4] {
    [d.n, d.h, d.w, d.c]
}

fn params_case(case: &mut Case, p: &ConvParams) {
    case.usize(p.stride_h)
        .usize(p.stride_w)
        .usize(p.pad_h)
        .usize(p.pad_w)
        .usize(p.dilation_h)
        .usize(p.dilation_w);
}

#[test]
fn conv2d_s8_matches_reference() {
    let mut rng = Rng::new(1);
    let mut batch = Batch::new("conv2d_s8");
    for _ in 0..CASES {
        let groups = if rng.chance(15) { rng.usize(2, 3) } else { 1 };
        let filter_c = rng.usize(1, 7);
        let in_c = filter_c * groups;
        let out_c = groups * rng.usize(1, 5);
        let (k_h, k_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let p = conv_params(&mut rng, k_h, k_w);
        let (in_h, in_w) = (rng.usize(1, 9), rng.usize(1, 9));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = Dims4::new(out_c, k_h, k_w, filter_c);
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, k_h, p.stride_h, p.dilation_h, p.pad_h),
            out_size(in_w, k_w, p.stride_w, p.dilation_w, p.pad_w),
            out_c,
        );
        let input = rng.vec_i8(input_dims.checked_len().unwrap());
        let filter = rng.vec_i8(filter_dims.checked_len().unwrap());
        let bias = bias(&mut rng, out_c);
        let (mult, shift) = per_channel(&mut rng, out_c);
        let (in_zp, out_zp) = (rng.zero_point_s8(), rng.zero_point_s8());
        let (amin, amax) = rng.activation(out_zp, -128, 127);
        let quant = ConvQuant {
            input_zero_point: in_zp,
            output_zero_point: out_zp,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation {
                min: amin,
                max: amax,
            },
        };
        let mut out = vec![0i8; output_dims.checked_len().unwrap()];
        let r = conv2d_s8(
            &p,
            &quant,
            input_dims,
            &input,
            filter_dims,
            &filter,
            bias.as_deref(),
            output_dims,
            &mut out,
        );
        let mut case = Case::new(1);
        params_case(&mut case, &p);
        case.i32(in_zp)
            .i32(out_zp)
            .i32(amin)
            .i32(amax)
            .arr_i32(&mult)
            .arr_i32(&shift)
            .dims(d4(input_dims))
            .arr_i8(&input)
            .dims(d4(filter_dims))
            .arr_i8(&filter)
            .opt_arr_i32(bias.as_deref())
            .dims(d4(output_dims));
        let what = format!("{p:?} in {input_dims:?} filter {filter_dims:?} zp {in_zp}/{out_zp}");
        batch.push(case, expect_i8(r, &out), what);
    }
    batch.run();
}

#[test]
fn depthwise_conv2d_s8_matches_reference() {
    let mut rng = Rng::new(2);
    let mut batch = Batch::new("depthwise_conv2d_s8");
    for _ in 0..CASES {
        let in_c = rng.usize(1, 9);
        let dm = if rng.chance(30) { rng.usize(2, 3) } else { 1 };
        let out_c = in_c * dm;
        let (k_h, k_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let conv = conv_params(&mut rng, k_h, k_w);
        let p = DepthwiseParams {
            conv,
            depth_multiplier: dm,
        };
        let (in_h, in_w) = (rng.usize(1, 9), rng.usize(1, 9));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = Dims4::new(1, k_h, k_w, out_c);
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, k_h, conv.stride_h, conv.dilation_h, conv.pad_h),
            out_size(in_w, k_w, conv.stride_w, conv.dilation_w, conv.pad_w),
            out_c,
        );
        let input = rng.vec_i8(input_dims.checked_len().unwrap());
        let filter = rng.vec_i8(filter_dims.checked_len().unwrap());
        let bias = bias(&mut rng, out_c);
        let (mult, shift) = per_channel(&mut rng, out_c);
        let (in_zp, out_zp) = (rng.zero_point_s8(), rng.zero_point_s8());
        let (amin, amax) = rng.activation(out_zp, -128, 127);
        let quant = ConvQuant {
            input_zero_point: in_zp,
            output_zero_point: out_zp,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation {
                min: amin,
                max: amax,
            },
        };
        let mut out = vec![0i8; output_dims.checked_len().unwrap()];
        let r = depthwise_conv2d_s8(
            &p,
            &quant,
            input_dims,
            &input,
            filter_dims,
            &filter,
            bias.as_deref(),
            output_dims,
            &mut out,
        );
        let mut case = Case::new(3);
        params_case(&mut case, &conv);
        case.usize(dm)
            .i32(in_zp)
            .i32(out_zp)
            .i32(amin)
            .i32(amax)
            .arr_i32(&mult)
            .arr_i32(&shift)
            .dims(d4(input_dims))
            .arr_i8(&input)
            .dims(d4(filter_dims))
            .arr_i8(&filter)
            .opt_arr_i32(bias.as_deref())
            .dims(d4(output_dims));
        let what = format!("{p:?} in {input_dims:?} filter {filter_dims:?}");
        batch.push(case, expect_i8(r, &out), what);
    }
    batch.run();
}

fn float_act(rng: &mut Rng) -> FloatActivation {
    let (min, max) = rng.activation_f32();
    FloatActivation { min, max }
}

#[test]
fn conv2d_f32_matches_reference() {
    let mut rng = Rng::new(3);
    let mut batch = Batch::new("conv2d_f32");
    for _ in 0..CASES {
        let groups = if rng.chance(15) { 2 } else { 1 };
        let filter_c = rng.usize(1, 7);
        let in_c = filter_c * groups;
        let out_c = groups * rng.usize(1, 5);
        let (k_h, k_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let p = conv_params(&mut rng, k_h, k_w);
        let (in_h, in_w) = (rng.usize(1, 9), rng.usize(1, 9));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = Dims4::new(out_c, k_h, k_w, filter_c);
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, k_h, p.stride_h, p.dilation_h, p.pad_h),
            out_size(in_w, k_w, p.stride_w, p.dilation_w, p.pad_w),
            out_c,
        );
        let input = rng.vec_f32(input_dims.checked_len().unwrap(), -2.0, 2.0);
        let filter = rng.vec_f32(filter_dims.checked_len().unwrap(), -1.0, 1.0);
        let bias = rng.chance(80).then(|| rng.vec_f32(out_c, -1.0, 1.0));
        let act = float_act(&mut rng);
        let mut out = vec![0f32; output_dims.checked_len().unwrap()];
        let r = conv2d_f32(
            &p,
            act,
            input_dims,
            &input,
            filter_dims,
            &filter,
            bias.as_deref(),
            output_dims,
            &mut out,
        );
        let mut case = Case::new(2);
        params_case(&mut case, &p);
        case.f32(act.min)
            .f32(act.max)
            .dims(d4(input_dims))
            .arr_f32(&input)
            .dims(d4(filter_dims))
            .arr_f32(&filter)
            .opt_arr_f32(bias.as_deref())
            .dims(d4(output_dims));
        let what = format!("{p:?} in {input_dims:?} filter {filter_dims:?}");
        batch.push(case, expect_f32(r, &out), what);
    }
    batch.run();
}

#[test]
fn depthwise_conv2d_f32_matches_reference() {
    let mut rng = Rng::new(4);
    let mut batch = Batch::new("depthwise_conv2d_f32");
    for _ in 0..CASES {
        let in_c = rng.usize(1, 9);
        let dm = if rng.chance(30) { rng.usize(2, 3) } else { 1 };
        let out_c = in_c * dm;
        let (k_h, k_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let conv = conv_params(&mut rng, k_h, k_w);
        let p = DepthwiseParams {
            conv,
            depth_multiplier: dm,
        };
        let (in_h, in_w) = (rng.usize(1, 9), rng.usize(1, 9));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = Dims4::new(1, k_h, k_w, out_c);
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, k_h, conv.stride_h, conv.dilation_h, conv.pad_h),
            out_size(in_w, k_w, conv.stride_w, conv.dilation_w, conv.pad_w),
            out_c,
        );
        let input = rng.vec_f32(input_dims.checked_len().unwrap(), -2.0, 2.0);
        let filter = rng.vec_f32(filter_dims.checked_len().unwrap(), -1.0, 1.0);
        let bias = rng.chance(80).then(|| rng.vec_f32(out_c, -1.0, 1.0));
        let act = float_act(&mut rng);
        let mut out = vec![0f32; output_dims.checked_len().unwrap()];
        let r = depthwise_conv2d_f32(
            &p,
            act,
            input_dims,
            &input,
            filter_dims,
            &filter,
            bias.as_deref(),
            output_dims,
            &mut out,
        );
        let mut case = Case::new(4);
        params_case(&mut case, &conv);
        case.usize(dm)
            .f32(act.min)
            .f32(act.max)
            .dims(d4(input_dims))
            .arr_f32(&input)
            .dims(d4(filter_dims))
            .arr_f32(&filter)
            .opt_arr_f32(bias.as_deref())
            .dims(d4(output_dims));
        let what = format!("{p:?} in {input_dims:?} filter {filter_dims:?}");
        batch.push(case, expect_f32(r, &out), what);
    }
    batch.run();
}

/// The FULLY_CONNECTED quantisation: `mult[0]`/`shift[0]` when `per_tensor`;
/// zero points are input, filter, output.
fn fc_quant<'a>(
    per_tensor: bool,
    mult: &'a [i32],
    shift: &'a [i32],
    [in_zp, f_zp, out_zp]: [i32; 3],
    (min, max): (i32, i32),
) -> FcQuant<'a> {
    FcQuant {
        input_zero_point: in_zp,
        filter_zero_point: f_zp,
        output_zero_point: out_zp,
        multiplier: if per_tensor {
            FcMultiplier::PerTensor {
                multiplier: mult[0],
                shift: shift[0],
            }
        } else {
            FcMultiplier::PerChannel {
                multiplier: mult,
                shift,
            }
        },
        activation: QuantActivation { min, max },
    }
}

/// kind 0: per-tensor int8, 1: per-channel int8, 2: float32.
fn fully_connected(kind: i32, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch = Batch::new(["fc_s8", "fc_per_channel_s8", "fc_f32"][kind as usize]);
    for _ in 0..CASES {
        let dims = FcDims {
            batches: rng.usize(1, 3),
            input_depth: rng.usize(1, 40),
            output_depth: rng.usize(1, 12),
        };
        let in_d = [dims.batches, 1, 1, dims.input_depth];
        let f_d = [dims.output_depth, 1, 1, dims.input_depth];
        let o_d = [dims.batches, 1, 1, dims.output_depth];
        let n_out = dims.batches * dims.output_depth;
        let mut case = Case::new(5 + kind);
        let expect = if kind == 2 {
            let input = rng.vec_f32(dims.batches * dims.input_depth, -2.0, 2.0);
            let filter = rng.vec_f32(dims.output_depth * dims.input_depth, -1.0, 1.0);
            let bias = rng
                .chance(80)
                .then(|| rng.vec_f32(dims.output_depth, -1.0, 1.0));
            let act = float_act(&mut rng);
            let mut out = vec![0f32; n_out];
            let r = fully_connected_f32(act, dims, &input, &filter, bias.as_deref(), &mut out);
            case.f32(act.min)
                .f32(act.max)
                .dims(in_d)
                .arr_f32(&input)
                .dims(f_d)
                .arr_f32(&filter)
                .opt_arr_f32(bias.as_deref())
                .dims(o_d);
            expect_f32(r, &out)
        } else {
            let input = rng.vec_i8(dims.batches * dims.input_depth);
            let filter = rng.vec_i8(dims.output_depth * dims.input_depth);
            let bias = bias(&mut rng, dims.output_depth);
            let (in_zp, out_zp) = (rng.zero_point_s8(), rng.zero_point_s8());
            let f_zp = if rng.chance(50) {
                0
            } else {
                rng.zero_point_s8()
            };
            let (amin, amax) = rng.activation(out_zp, -128, 127);
            let (mult, shift) = per_channel(&mut rng, dims.output_depth);
            let quant = fc_quant(
                kind == 0,
                &mult,
                &shift,
                [in_zp, f_zp, out_zp],
                (amin, amax),
            );
            let mut out = vec![0i8; n_out];
            let r = fully_connected_s8(&quant, dims, &input, &filter, bias.as_deref(), &mut out);
            if kind == 0 {
                case.i32(in_zp)
                    .i32(f_zp)
                    .i32(out_zp)
                    .i32(mult[0])
                    .i32(shift[0]);
            } else {
                case.i32(in_zp).i32(out_zp).arr_i32(&mult).arr_i32(&shift);
            }
            case.i32(amin)
                .i32(amax)
                .dims(in_d)
                .arr_i8(&input)
                .dims(f_d)
                .arr_i8(&filter)
                .opt_arr_i32(bias.as_deref())
                .dims(o_d);
            expect_i8(r, &out)
        };
        batch.push(case, expect, format!("{dims:?}"));
    }
    batch.run();
}

/// 16x8 FULLY_CONNECTED; `wide`: int64 bias (op 142), else int32 bias (op 143).
fn fully_connected_16x8(wide: bool, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch = Batch::new(if wide { "fc_s16" } else { "fc_bias32_s16" });
    for _ in 0..CASES {
        let dims = FcDims {
            batches: rng.usize(1, 3),
            input_depth: rng.usize(1, 40),
            output_depth: rng.usize(1, 12),
        };
        let input = rng.vec_i16(dims.batches * dims.input_depth);
        let filter = rng.vec_i8(dims.output_depth * dims.input_depth);
        // Zero points are 0 in real 16x8 models; a few non-zero ones check the arithmetic.
        let in_zp = if rng.chance(80) {
            0
        } else {
            rng.zero_point_s8()
        };
        let out_zp = if rng.chance(80) {
            0
        } else {
            rng.zero_point_s8()
        };
        let f_zp = if rng.chance(50) {
            0
        } else {
            rng.zero_point_s8()
        };
        let (amin, amax) = rng.activation(out_zp, -32768, 32767);
        let per_tensor = rng.chance(40);
        let (mut mult, mut shift) = per_channel(&mut rng, dims.output_depth);
        if per_tensor {
            mult.truncate(1);
            shift.truncate(1);
        }
        let quant = fc_quant(
            per_tensor,
            &mult,
            &shift,
            [in_zp, f_zp, out_zp],
            (amin, amax),
        );
        let mut case = Case::new(if wide { 142 } else { 143 });
        // The C kernel applies the filter zero point it is given: 0 per channel.
        case.i32(in_zp)
            .i32(if per_tensor { f_zp } else { 0 })
            .i32(out_zp)
            .usize(mult.len())
            .arr_i32(&mult)
            .arr_i32(&shift)
            .i32(amin)
            .i32(amax)
            .dims([dims.batches, 1, 1, dims.input_depth])
            .arr_i16(&input)
            .dims([dims.output_depth, 1, 1, dims.input_depth])
            .arr_i8(&filter);
        let mut out = vec![0i16; dims.batches * dims.output_depth];
        let r = if wide {
            let bias: Option<Vec<i64>> = rng.chance(80).then(|| {
                (0..dims.output_depth)
                    .map(|_| rng.range(-(1 << 40), 1 << 40))
                    .collect()
            });
            case.opt_arr_i64(bias.as_deref());
            fully_connected_s16(
                &quant,
                dims,
                &input,
                &filter,
                Bias16x8::I64(bias.as_deref()),
                &mut out,
            )
        } else {
            let bias = bias(&mut rng, dims.output_depth);
            case.opt_arr_i32(bias.as_deref());
            fully_connected_s16(
                &quant,
                dims,
                &input,
                &filter,
                Bias16x8::I32(bias.as_deref()),
                &mut out,
            )
        };
        case.dims([dims.batches, 1, 1, dims.output_depth]);
        batch.push(case, expect_i16(r, &out), format!("{dims:?}"));
    }
    batch.run();
}

#[test]
fn fully_connected_s16_matches_reference() {
    fully_connected_16x8(true, 8);
}

#[test]
fn fully_connected_bias32_s16_matches_reference() {
    fully_connected_16x8(false, 9);
}

#[test]
fn fully_connected_s8_matches_reference() {
    fully_connected(0, 5);
}

#[test]
fn fully_connected_per_channel_s8_matches_reference() {
    fully_connected(1, 6);
}

#[test]
fn fully_connected_f32_matches_reference() {
    fully_connected(2, 7);
}

/// kind 0 avg s8, 1 max s8, 2 avg f32, 3 max f32.
fn pool(kind: i32, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch =
        Batch::new(["avg_pool_s8", "max_pool_s8", "avg_pool_f32", "max_pool_f32"][kind as usize]);
    for _ in 0..CASES {
        let (f_h, f_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let p = PoolParams {
            stride_h: rng.usize(1, 3),
            stride_w: rng.usize(1, 3),
            filter_h: f_h,
            filter_w: f_w,
            pad_h: rng.usize(0, f_h - 1),
            pad_w: rng.usize(0, f_w - 1),
        };
        let c = rng.usize(1, 9);
        let (in_h, in_w) = (rng.usize(1, 10), rng.usize(1, 10));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, c);
        // Sometimes one extra output row/column, whose window may be empty.
        let extra = usize::from(rng.chance(10));
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, f_h, p.stride_h, 1, p.pad_h) + extra,
            out_size(in_w, f_w, p.stride_w, 1, p.pad_w),
            c,
        );
        let n_in = input_dims.checked_len().unwrap();
        let n_out = output_dims.checked_len().unwrap();
        let mut case = Case::new(8 + kind);
        case.usize(p.stride_h)
            .usize(p.stride_w)
            .usize(p.pad_h)
            .usize(p.pad_w)
            .usize(p.filter_h)
            .usize(p.filter_w);
        let expect = if kind < 2 {
            let (amin, amax) = rng.activation(0, -128, 127);
            let act = QuantActivation {
                min: amin,
                max: amax,
            };
            let input = rng.vec_i8(n_in);
            let mut out = vec![0i8; n_out];
            let r = if kind == 0 {
                avg_pool2d_s8(&p, act, input_dims, &input, output_dims, &mut out)
            } else {
                max_pool2d_s8(&p, act, input_dims, &input, output_dims, &mut out)
            };
            case.i32(amin)
                .i32(amax)
                .dims(d4(input_dims))
                .arr_i8(&input)
                .dims(d4(output_dims));
            expect_i8(r, &out)
        } else {
            let act = float_act(&mut rng);
            let input = rng.vec_f32(n_in, -8.0, 8.0);
            let mut out = vec![0f32; n_out];
            let r = if kind == 2 {
                avg_pool2d_f32(&p, act, input_dims, &input, output_dims, &mut out)
            } else {
                max_pool2d_f32(&p, act, input_dims, &input, output_dims, &mut out)
            };
            case.f32(act.min)
                .f32(act.max)
                .dims(d4(input_dims))
                .arr_f32(&input)
                .dims(d4(output_dims));
            expect_f32(r, &out)
        };
        batch.push(
            case,
            expect,
            format!("{p:?} in {input_dims:?} out {output_dims:?}"),
        );
    }
    batch.run();
}

#[test]
fn avg_pool_s8_matches_reference() {
    pool(0, 8);
}

#[test]
fn max_pool_s8_matches_reference() {
    pool(1, 9);
}

#[test]
fn avg_pool_f32_matches_reference() {
    pool(2, 10);
}

#[test]
fn max_pool_f32_matches_reference() {
    pool(3, 11);
}

fn bias64(rng: &mut Rng, n: usize) -> Option<Vec<i64>> {
    rng.chance(80)
        .then(|| (0..n).map(|_| rng.range(-(1 << 40), 1 << 40)).collect())
}

/// 16x8 convolutions: kind 0 CONV_2D int64 bias (op 144), 1 CONV_2D int32
/// bias (145), 2 DEPTHWISE_CONV_2D int64 bias (146). No zero points.
fn conv_16x8(kind: i32, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch =
        Batch::new(["conv2d_s16", "conv2d_bias32_s16", "depthwise_conv2d_s16"][kind as usize]);
    for _ in 0..CASES {
        let depthwise = kind == 2;
        let dm = if depthwise && rng.chance(30) { 2 } else { 1 };
        let in_c = rng.usize(1, 7);
        let out_c = if depthwise {
            in_c * dm
        } else {
            rng.usize(1, 5)
        };
        let (k_h, k_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let p = conv_params(&mut rng, k_h, k_w);
        let (in_h, in_w) = (rng.usize(1, 9), rng.usize(1, 9));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = if depthwise {
            Dims4::new(1, k_h, k_w, out_c)
        } else {
            Dims4::new(out_c, k_h, k_w, in_c)
        };
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, k_h, p.stride_h, p.dilation_h, p.pad_h),
            out_size(in_w, k_w, p.stride_w, p.dilation_w, p.pad_w),
            out_c,
        );
        let input = rng.vec_i16(input_dims.checked_len().unwrap());
        let filter = rng.vec_i8(filter_dims.checked_len().unwrap());
        let (mult, shift) = per_channel(&mut rng, out_c);
        let (amin, amax) = rng.activation(0, -32768, 32767);
        let quant = ConvQuant {
            input_zero_point: 0,
            output_zero_point: 0,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation {
                min: amin,
                max: amax,
            },
        };
        let mut case = Case::new(144 + kind);
        params_case(&mut case, &p);
        if depthwise {
            case.usize(dm);
        }
        case.i32(amin)
            .i32(amax)
            .arr_i32(&mult)
            .arr_i32(&shift)
            .dims(d4(input_dims))
            .arr_i16(&input)
            .dims(d4(filter_dims))
            .arr_i8(&filter);
        let mut out = vec![0i16; output_dims.checked_len().unwrap()];
        let (b32, b64) = if kind == 1 {
            (bias(&mut rng, out_c), None)
        } else {
            (None, bias64(&mut rng, out_c))
        };
        if kind == 1 {
            case.opt_arr_i32(b32.as_deref());
        } else {
            case.opt_arr_i64(b64.as_deref());
        }
        let r = if depthwise {
            let dp = DepthwiseParams {
                conv: p,
                depth_multiplier: dm,
            };
            depthwise_conv2d_s16(
                &dp,
                &quant,
                input_dims,
                &input,
                filter_dims,
                &filter,
                b64.as_deref(),
                output_dims,
                &mut out,
            )
        } else {
            let b = if kind == 1 {
                Bias16x8::I32(b32.as_deref())
            } else {
                Bias16x8::I64(b64.as_deref())
            };
            conv2d_s16(
                &p,
                &quant,
                input_dims,
                &input,
                filter_dims,
                &filter,
                b,
                output_dims,
                &mut out,
            )
        };
        case.dims(d4(output_dims));
        let what = format!("{p:?} in {input_dims:?} filter {filter_dims:?}");
        batch.push(case, expect_i16(r, &out), what);
    }
    batch.run();
}

#[test]
fn conv2d_s16_matches_reference() {
    conv_16x8(0, 20);
}

#[test]
fn conv2d_bias32_s16_matches_reference() {
    conv_16x8(1, 21);
}

#[test]
fn depthwise_conv2d_s16_matches_reference() {
    conv_16x8(2, 22);
}

/// TRANSPOSE_CONV; elem 1: int8 (op 147), 2: 16x8 (148), 4: float32 (149).
fn transpose_conv(elem: usize, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut batch = Batch::new(
        [
            "",
            "transpose_conv2d_s8",
            "transpose_conv2d_s16",
            "",
            "transpose_conv2d_f32",
        ][elem],
    );
    for _ in 0..CASES {
        let (k_h, k_w) = (rng.usize(1, 4), rng.usize(1, 4));
        let p = TransposeConvParams {
            stride_h: rng.usize(1, 3),
            stride_w: rng.usize(1, 3),
            pad_h: rng.usize(0, k_h - 1),
            pad_w: rng.usize(0, k_w - 1),
        };
        let (in_c, out_c) = (rng.usize(1, 6), rng.usize(1, 5));
        let (in_h, in_w) = (rng.usize(1, 6), rng.usize(1, 6));
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = Dims4::new(out_c, k_h, k_w, in_c);
        // Any output size: taps beyond it are dropped, rows it has beyond the taps stay bias only.
        let output_dims = Dims4::new(
            input_dims.n,
            rng.usize(1, (in_h - 1) * p.stride_h + k_h + 1),
            rng.usize(1, (in_w - 1) * p.stride_w + k_w + 1),
            out_c,
        );
        let n_out = output_dims.checked_len().unwrap();
        let mut case = Case::new(match elem {
            1 => 147,
            2 => 148,
            _ => 149,
        });
        case.usize(p.stride_h)
            .usize(p.stride_w)
            .usize(p.pad_h)
            .usize(p.pad_w);
        let what = format!("{p:?} in {input_dims:?} filter {filter_dims:?} out {output_dims:?}");
        let expect = if elem == 4 {
            let act = float_act(&mut rng);
            let input = rng.vec_f32(input_dims.checked_len().unwrap(), -2.0, 2.0);
            let filter = rng.vec_f32(filter_dims.checked_len().unwrap(), -1.0, 1.0);
            let b = rng.chance(80).then(|| rng.vec_f32(out_c, -1.0, 1.0));
            let mut out = vec![0f32; n_out];
            let r = transpose_conv2d_f32(
                &p,
                act,
                input_dims,
                &input,
                filter_dims,
                &filter,
                b.as_deref(),
                output_dims,
                &mut out,
            );
            case.f32(act.min)
                .f32(act.max)
                .dims(d4(input_dims))
                .arr_f32(&input)
                .dims(d4(filter_dims))
                .arr_f32(&filter)
                .opt_arr_f32(b.as_deref())
                .dims(d4(output_dims));
            expect_f32(r, &out)
        } else {
            let (mult, shift) = per_channel(&mut rng, out_c);
            let wide = elem == 2;
            let (in_zp, out_zp) = if wide {
                (0, 0)
            } else {
                (rng.zero_point_s8(), rng.zero_point_s8())
            };
            let (amin, amax) = if wide {
                rng.activation(0, -32768, 32767)
            } else {
                rng.activation(out_zp, -128, 127)
            };
            let quant = ConvQuant {
                input_zero_point: in_zp,
                output_zero_point: out_zp,
                multiplier: &mult,
                shift: &shift,
                activation: QuantActivation {
                    min: amin,
                    max: amax,
                },
            };
            case.i32(in_zp)
                .i32(out_zp)
                .i32(amin)
                .i32(amax)
                .arr_i32(&mult)
                .arr_i32(&shift)
                .dims(d4(input_dims));
            let filter = rng.vec_i8(filter_dims.checked_len().unwrap());
            if wide {
                let input = rng.vec_i16(input_dims.checked_len().unwrap());
                let b = bias64(&mut rng, out_c);
                let mut scratch = vec![0i64; n_out];
                let mut out = vec![0i16; n_out];
                let r = transpose_conv2d_s16(
                    &p,
                    &quant,
                    input_dims,
                    &input,
                    filter_dims,
                    &filter,
                    b.as_deref(),
                    &mut scratch,
                    output_dims,
                    &mut out,
                );
                case.arr_i16(&input)
                    .dims(d4(filter_dims))
                    .arr_i8(&filter)
                    .opt_arr_i64(b.as_deref())
                    .dims(d4(output_dims));
                expect_i16(r, &out)
            } else {
                let input = rng.vec_i8(input_dims.checked_len().unwrap());
                let b = bias(&mut rng, out_c);
                let mut scratch = vec![0i32; n_out];
                let mut out = vec![0i8; n_out];
                let r = transpose_conv2d_s8(
                    &p,
                    &quant,
                    input_dims,
                    &input,
                    filter_dims,
                    &filter,
                    b.as_deref(),
                    &mut scratch,
                    output_dims,
                    &mut out,
                );
                case.arr_i8(&input)
                    .dims(d4(filter_dims))
                    .arr_i8(&filter)
                    .opt_arr_i32(b.as_deref())
                    .dims(d4(output_dims));
                expect_i8(r, &out)
            }
        };
        batch.push(case, expect, what);
    }
    batch.run();
}

#[test]
fn transpose_conv2d_s8_matches_reference() {
    transpose_conv(1, 23);
}

#[test]
fn transpose_conv2d_s16_matches_reference() {
    transpose_conv(2, 24);
}

#[test]
fn transpose_conv2d_f32_matches_reference() {
    transpose_conv(4, 25);
}
