//! Convolutions: CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - int8 always takes the per-channel path (one multiplier/shift per output
//!   channel, even when the filter has a single scale); the accumulator is
//!   `sum(filter * (input - input_zp)) + bias` in wrapping 32-bit arithmetic,
//!   rescaled with the double-rounding 32-bit multiply, offset by the output zero
//!   point and clamped;
//! - 16x8 (int16 activations, int8 weights) applies no zero points at all
//!   (TFLite Micro requires them to be zero); CONV_2D accumulates in 32 bits when
//!   the bias is int32, otherwise (int64 or no bias) in 64 bits, and rescales
//!   with the matching 32- or 64-bit multiply;
//!   DEPTHWISE_CONV_2D and TRANSPOSE_CONV always use 64 bits;
//! - float32 sums products in the order (filter row, filter column, input
//!   channel), adds the bias last and clamps;
//! - taps that fall into the padding are skipped (they contribute nothing, not
//!   even the input offset);
//! - CONV_2D supports grouped convolution (filter input depth dividing the input
//!   depth), like TFLite's reference kernel.

use super::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_i64};
use super::{check_len, clamp_f32, dims_len, Dims4, FloatActivation, KernelError, QuantActivation};

/// Geometry of a CONV_2D (and the spatial part of DEPTHWISE_CONV_2D).
///
/// Padding is given as the offset of the first window from the top-left input
/// element, as TFLite computes it (`prepare::compute_padding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvParams {
    /// Vertical stride (>= 1).
    pub stride_h: usize,
    /// Horizontal stride (>= 1).
    pub stride_w: usize,
    /// Vertical dilation (>= 1).
    pub dilation_h: usize,
    /// Horizontal dilation (>= 1).
    pub dilation_w: usize,
    /// Rows of padding before the input.
    pub pad_h: usize,
    /// Columns of padding before the input.
    pub pad_w: usize,
}

impl Default for ConvParams {
    fn default() -> Self {
        Self {
            stride_h: 1,
            stride_w: 1,
            dilation_h: 1,
            dilation_w: 1,
            pad_h: 0,
            pad_w: 0,
        }
    }
}

/// Geometry of a DEPTHWISE_CONV_2D.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthwiseParams {
    /// Stride, dilation and padding.
    pub conv: ConvParams,
    /// Output channels per input channel (>= 1).
    pub depth_multiplier: usize,
}

/// Quantisation parameters of an int8 / 16x8 convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvQuant<'a> {
    /// Input zero point (ignored by the 16x8 kernels, where it must be 0).
    pub input_zero_point: i32,
    /// Output zero point (ignored by the 16x8 kernels, where it must be 0).
    pub output_zero_point: i32,
    /// One Q0.31 multiplier per output channel.
    pub multiplier: &'a [i32],
    /// One shift per output channel (positive = left), as `frexp` returns it.
    pub shift: &'a [i32],
    /// Output clamp range (from the fused activation).
    pub activation: QuantActivation,
}

/// Bias of a 16x8 kernel; its type also selects the accumulator width, as in
/// TFLite Micro (which takes the 64-bit path when there is no bias:
/// `I64(None)`; `I32(None)` is the 32-bit path without a bias).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias16x8<'a> {
    /// 32-bit bias and 32-bit accumulation.
    I32(Option<&'a [i32]>),
    /// 64-bit bias and 64-bit accumulation (the usual case).
    I64(Option<&'a [i64]>),
}

struct ConvGeometry {
    batches: usize,
    in_h: usize,
    in_w: usize,
    in_c: usize,
    k_h: usize,
    k_w: usize,
    filter_in_c: usize,
    out_h: usize,
    out_w: usize,
    out_c: usize,
    filters_per_group: usize,
}

#[allow(clippy::too_many_arguments)]
fn check_conv(
    params: &ConvParams,
    input_dims: &Dims4,
    input_len: usize,
    filter_dims: &Dims4,
    filter_len: usize,
    bias_len: Option<usize>,
    output_dims: &Dims4,
    output_len: usize,
) -> Result<ConvGeometry, KernelError> {
    check_len("input", input_len, dims_len("input", input_dims)?)?;
    check_len("filter", filter_len, dims_len("filter", filter_dims)?)?;
    check_len("output", output_len, dims_len("output", output_dims)?)?;
    check_params(params)?;
    if input_dims.n != output_dims.n {
        return Err(KernelError::shape(
            "output",
            "batch differs from the input's",
        ));
    }
    if filter_dims.n != output_dims.c {
        return Err(KernelError::shape(
            "filter",
            format!(
                "has {} output channels, output has {}",
                filter_dims.n, output_dims.c
            ),
        ));
    }
    if filter_dims.c == 0 || input_dims.c % filter_dims.c != 0 {
        return Err(KernelError::shape(
            "filter",
            format!(
                "input depth {} is not a multiple of filter depth {}",
                input_dims.c, filter_dims.c
            ),
        ));
    }
    let groups = input_dims.c / filter_dims.c;
    if groups == 0 || output_dims.c % groups != 0 {
        return Err(KernelError::shape(
            "filter",
            "output channels not divisible by groups",
        ));
    }
    if let Some(len) = bias_len {
        check_len("bias", len, output_dims.c)?;
    }
    Ok(ConvGeometry {
        batches: input_dims.n,
        in_h: input_dims.h,
        in_w: input_dims.w,
        in_c: input_dims.c,
        k_h: filter_dims.h,
        k_w: filter_dims.w,
        filter_in_c: filter_dims.c,
        out_h: output_dims.h,
        out_w: output_dims.w,
        out_c: output_dims.c,
        filters_per_group: output_dims.c / groups,
    })
}

fn check_params(params: &ConvParams) -> Result<(), KernelError> {
    if params.stride_h == 0 || params.stride_w == 0 {
        return Err(KernelError::shape("params", "stride must be at least 1"));
    }
    if params.dilation_h == 0 || params.dilation_w == 0 {
        return Err(KernelError::shape("params", "dilation must be at least 1"));
    }
    Ok(())
}

fn check_per_channel(quant: &ConvQuant<'_>, channels: usize) -> Result<(), KernelError> {
    check_len("multiplier", quant.multiplier.len(), channels)?;
    check_len("shift", quant.shift.len(), channels)
}

/// Input index of filter tap `k` for an output coordinate, or `None` when the
/// tap lands in the padding.
#[inline]
fn tap(
    out: usize,
    stride: usize,
    pad: usize,
    dilation: usize,
    k: usize,
    size: usize,
) -> Option<usize> {
    let pos = (out * stride + k * dilation).checked_sub(pad)?;
    (pos < size).then_some(pos)
}

/// Generic CONV_2D driver: `dot(input_pixel, filter_tap)` is summed over the
/// valid taps of each output element and handed to `finish` with the channel.
#[allow(clippy::too_many_arguments)]
fn conv_driver<I: Copy, W: Copy, A: Copy, O>(
    params: &ConvParams,
    g: &ConvGeometry,
    input: &[I],
    filter: &[W],
    output: &mut [O],
    zero: A,
    dot: impl Fn(A, &[I], &[W]) -> A,
    finish: impl Fn(A, usize) -> O,
) {
    let mut taps: Vec<(usize, usize)> = Vec::with_capacity(g.k_h * g.k_w);
    let mut out_index = 0;
    for b in 0..g.batches {
        for oy in 0..g.out_h {
            for ox in 0..g.out_w {
                taps.clear();
                for ky in 0..g.k_h {
                    let Some(iy) = tap(
                        oy,
                        params.stride_h,
                        params.pad_h,
                        params.dilation_h,
                        ky,
                        g.in_h,
                    ) else {
                        continue;
                    };
                    for kx in 0..g.k_w {
                        let Some(ix) = tap(
                            ox,
                            params.stride_w,
                            params.pad_w,
                            params.dilation_w,
                            kx,
                            g.in_w,
                        ) else {
                            continue;
                        };
                        let in_base = ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
                        let f_base = (ky * g.k_w + kx) * g.filter_in_c;
                        taps.push((in_base, f_base));
                    }
                }
                let filter_stride = g.k_h * g.k_w * g.filter_in_c;
                for oc in 0..g.out_c {
                    let group_offset = (oc / g.filters_per_group) * g.filter_in_c;
                    let filter_oc = &filter[oc * filter_stride..(oc + 1) * filter_stride];
                    let mut acc = zero;
                    for &(in_base, f_base) in &taps {
                        let start = in_base + group_offset;
                        acc = dot(
                            acc,
                            &input[start..start + g.filter_in_c],
                            &filter_oc[f_base..f_base + g.filter_in_c],
                        );
                    }
                    output[out_index] = finish(acc, oc);
                    out_index += 1;
                }
            }
        }
    }
}

#[inline]
fn dot_s8(acc: i32, x: &[i8], w: &[i8], input_offset: i32) -> i32 {
    x.iter().zip(w).fold(acc, |s, (&xv, &wv)| {
        s.wrapping_add(
            i32::from(xv)
                .wrapping_add(input_offset)
                .wrapping_mul(i32::from(wv)),
        )
    })
}

#[inline]
fn dot_s16_i32(acc: i32, x: &[i16], w: &[i8]) -> i32 {
    x.iter().zip(w).fold(acc, |s, (&xv, &wv)| {
        s.wrapping_add(i32::from(xv) * i32::from(wv))
    })
}

#[inline]
fn dot_s16_i64(acc: i64, x: &[i16], w: &[i8]) -> i64 {
    x.iter().zip(w).fold(acc, |s, (&xv, &wv)| {
        s.wrapping_add(i64::from(i32::from(xv) * i32::from(wv)))
    })
}

#[inline]
fn dot_f32(acc: f32, x: &[f32], w: &[f32]) -> f32 {
    x.iter().zip(w).fold(acc, |s, (&xv, &wv)| s + xv * wv)
}

#[inline]
fn clamp_act(v: i32, act: QuantActivation) -> i32 {
    // std::max then std::min, as TFLite does (min wins if the range is empty).
    v.max(act.min).min(act.max)
}

// Fast int8 paths. TFLite's accumulator is `sum over valid taps of
// (x + offset) * w`. In wrapping 32-bit arithmetic that equals
// `sum(x * w) + offset * sum(w)`, and a padded tap filled with the input zero
// point contributes `(zp + offset) * w = 0`. So we can pad with the zero point,
// run plain i8 dot products (which vectorise well) over every tap and add
// `offset * sum(w)` once per channel: bit-identical to the reference loop.
// Only valid when the zero point fits in an i8 (always, for a sane model).

/// `sum(a[i] * b[i])` in wrapping i32. Sixteen independent lanes let LLVM
/// vectorise the reduction (about 3x faster than a single accumulator on
/// baseline x86-64); integer addition is associative, so the result is the same.
#[inline]
pub(crate) fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0i32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (xa, wa) in ca.zip(cb) {
        for l in 0..16 {
            lanes[l] = lanes[l].wrapping_add(i32::from(xa[l]) * i32::from(wa[l]));
        }
    }
    let mut s = lanes.iter().fold(0i32, |s, &v| s.wrapping_add(v));
    for (&x, &w) in ra.iter().zip(rb) {
        s = s.wrapping_add(i32::from(x) * i32::from(w));
    }
    s
}

#[inline]
fn finish_s8(acc: i32, ch: usize, bias: Option<&[i32]>, quant: &ConvQuant<'_>) -> i8 {
    let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
    let v = multiply_by_quantized_multiplier(acc, quant.multiplier[ch], quant.shift[ch])
        .wrapping_add(quant.output_zero_point);
    clamp_act(v, quant.activation) as i8
}

/// im2col CONV_2D for int8 without groups; returns `false` when not applicable.
fn conv_s8_im2col(
    params: &ConvParams,
    g: &ConvGeometry,
    quant: &ConvQuant<'_>,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
) -> bool {
    let Ok(pad_value) = i8::try_from(quant.input_zero_point) else {
        return false;
    };
    if g.filter_in_c != g.in_c {
        return false;
    }
    let offset = quant.input_zero_point.wrapping_neg();
    let patch_len = g.k_h * g.k_w * g.in_c;
    if patch_len == 0 {
        return false;
    }
    let offset_terms: Vec<i32> = filter
        .chunks_exact(patch_len)
        .map(|w| {
            w.iter()
                .fold(0i32, |s, &v| s.wrapping_add(i32::from(v)))
                .wrapping_mul(offset)
        })
        .collect();
    let mut patch = vec![pad_value; patch_len];
    let mut out_chunks = output.chunks_exact_mut(g.out_c.max(1));
    for b in 0..g.batches {
        for oy in 0..g.out_h {
            for ox in 0..g.out_w {
                for ky in 0..g.k_h {
                    let iy = tap(
                        oy,
                        params.stride_h,
                        params.pad_h,
                        params.dilation_h,
                        ky,
                        g.in_h,
                    );
                    for kx in 0..g.k_w {
                        let dst = &mut patch[(ky * g.k_w + kx) * g.in_c..][..g.in_c];
                        let ix = tap(
                            ox,
                            params.stride_w,
                            params.pad_w,
                            params.dilation_w,
                            kx,
                            g.in_w,
                        );
                        match (iy, ix) {
                            (Some(iy), Some(ix)) => {
                                let base = ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
                                dst.copy_from_slice(&input[base..base + g.in_c]);
                            }
                            _ => dst.fill(pad_value),
                        }
                    }
                }
                let Some(out) = out_chunks.next() else {
                    return true;
                };
                for (oc, (o, w)) in out
                    .iter_mut()
                    .zip(filter.chunks_exact(patch_len))
                    .enumerate()
                {
                    let acc = dot_i8(&patch, w).wrapping_add(offset_terms[oc]);
                    *o = finish_s8(acc, oc, bias, quant);
                }
            }
        }
    }
    true
}

/// DEPTHWISE_CONV_2D for int8 with depth multiplier 1, padding with the zero
/// point; returns `false` when not applicable.
fn depthwise_s8_padded(
    params: &DepthwiseParams,
    g: &DepthwiseGeometry,
    quant: &ConvQuant<'_>,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
) -> bool {
    let Ok(pad_value) = i8::try_from(quant.input_zero_point) else {
        return false;
    };
    if params.depth_multiplier != 1 || g.out_c == 0 {
        return false;
    }
    let p = &params.conv;
    let c = g.out_c;
    let offset = quant.input_zero_point.wrapping_neg();
    let mut offset_terms = vec![0i32; c];
    for w in filter.chunks_exact(c) {
        for (t, &v) in offset_terms.iter_mut().zip(w) {
            *t = t.wrapping_add(i32::from(v));
        }
    }
    offset_terms
        .iter_mut()
        .for_each(|t| *t = t.wrapping_mul(offset));
    let pad_row = vec![pad_value; c];
    let mut acc = vec![0i32; c];
    let mut out_chunks = output.chunks_exact_mut(c);
    for b in 0..g.batches {
        for oy in 0..g.out_h {
            for ox in 0..g.out_w {
                acc.copy_from_slice(&offset_terms);
                for ky in 0..g.k_h {
                    let iy = tap(oy, p.stride_h, p.pad_h, p.dilation_h, ky, g.in_h);
                    for kx in 0..g.k_w {
                        let ix = tap(ox, p.stride_w, p.pad_w, p.dilation_w, kx, g.in_w);
                        let x = match (iy, ix) {
                            (Some(iy), Some(ix)) => {
                                let base = ((b * g.in_h + iy) * g.in_w + ix) * c;
                                &input[base..base + c]
                            }
                            _ => &pad_row[..],
                        };
                        let w = &filter[(ky * g.k_w + kx) * c..][..c];
                        let (acc, x) = (&mut acc[..c], &x[..c]);
                        for i in 0..c {
                            acc[i] = acc[i].wrapping_add(i32::from(x[i]) * i32::from(w[i]));
                        }
                    }
                }
                let Some(out) = out_chunks.next() else {
                    return true;
                };
                for (ch, (o, &a)) in out.iter_mut().zip(&acc).enumerate() {
                    *o = finish_s8(a, ch, bias, quant);
                }
            }
        }
    }
    true
}

/// int8 CONV_2D (TFLite `ConvPerChannel`). Filter `[C_OUT, KH, KW, C_IN/groups]`,
/// bias one int32 per output channel.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_s8(
    params: &ConvParams,
    quant: &ConvQuant<'_>,
    input_dims: Dims4,
    input: &[i8],
    filter_dims: Dims4,
    filter: &[i8],
    bias: Option<&[i32]>,
    output_dims: Dims4,
    output: &mut [i8],
) -> Result<(), KernelError> {
    let g = check_conv(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[i32]>::len),
        &output_dims,
        output.len(),
    )?;
    check_per_channel(quant, g.out_c)?;
    if conv_s8_im2col(params, &g, quant, input, filter, bias, output) {
        return Ok(());
    }
    let input_offset = quant.input_zero_point.wrapping_neg();
    conv_driver(
        params,
        &g,
        input,
        filter,
        output,
        0i32,
        |acc, x, w| dot_s8(acc, x, w, input_offset),
        |acc, ch| {
            let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
            let v = multiply_by_quantized_multiplier(acc, quant.multiplier[ch], quant.shift[ch])
                .wrapping_add(quant.output_zero_point);
            clamp_act(v, quant.activation) as i8
        },
    );
    Ok(())
}

/// 16x8 CONV_2D: int16 input/output, int8 filter, int32 or int64 bias (which
/// also selects the accumulator). Zero points are not applied.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_s16(
    params: &ConvParams,
    quant: &ConvQuant<'_>,
    input_dims: Dims4,
    input: &[i16],
    filter_dims: Dims4,
    filter: &[i8],
    bias: Bias16x8<'_>,
    output_dims: Dims4,
    output: &mut [i16],
) -> Result<(), KernelError> {
    let bias_len = match bias {
        Bias16x8::I32(b) => b.map(<[i32]>::len),
        Bias16x8::I64(b) => b.map(<[i64]>::len),
    };
    let g = check_conv(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias_len,
        &output_dims,
        output.len(),
    )?;
    check_per_channel(quant, g.out_c)?;
    match bias {
        Bias16x8::I32(b) => conv_driver(
            params,
            &g,
            input,
            filter,
            output,
            0i32,
            dot_s16_i32,
            |acc, ch| {
                let acc = acc.wrapping_add(b.map_or(0, |b| b[ch]));
                let v =
                    multiply_by_quantized_multiplier(acc, quant.multiplier[ch], quant.shift[ch]);
                clamp_act(v, quant.activation) as i16
            },
        ),
        Bias16x8::I64(b) => conv_driver(
            params,
            &g,
            input,
            filter,
            output,
            0i64,
            dot_s16_i64,
            |acc, ch| {
                let acc = acc.wrapping_add(b.map_or(0, |b| b[ch]));
                let v = multiply_by_quantized_multiplier_i64(
                    acc,
                    quant.multiplier[ch],
                    quant.shift[ch],
                );
                clamp_act(v, quant.activation) as i16
            },
        ),
    }
    Ok(())
}

/// float32 CONV_2D.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_f32(
    params: &ConvParams,
    activation: FloatActivation,
    input_dims: Dims4,
    input: &[f32],
    filter_dims: Dims4,
    filter: &[f32],
    bias: Option<&[f32]>,
    output_dims: Dims4,
    output: &mut [f32],
) -> Result<(), KernelError> {
    let g = check_conv(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[f32]>::len),
        &output_dims,
        output.len(),
    )?;
    conv_driver(
        params,
        &g,
        input,
        filter,
        output,
        0.0f32,
        dot_f32,
        |acc, ch| clamp_f32(acc + bias.map_or(0.0, |b| b[ch]), activation),
    );
    Ok(())
}

struct DepthwiseGeometry {
    batches: usize,
    in_h: usize,
    in_w: usize,
    in_c: usize,
    k_h: usize,
    k_w: usize,
    out_h: usize,
    out_w: usize,
    out_c: usize,
}

#[allow(clippy::too_many_arguments)]
fn check_depthwise(
    params: &DepthwiseParams,
    input_dims: &Dims4,
    input_len: usize,
    filter_dims: &Dims4,
    filter_len: usize,
    bias_len: Option<usize>,
    output_dims: &Dims4,
    output_len: usize,
) -> Result<DepthwiseGeometry, KernelError> {
    check_len("input", input_len, dims_len("input", input_dims)?)?;
    check_len("filter", filter_len, dims_len("filter", filter_dims)?)?;
    check_len("output", output_len, dims_len("output", output_dims)?)?;
    check_params(&params.conv)?;
    if params.depth_multiplier == 0 {
        return Err(KernelError::shape(
            "params",
            "depth multiplier must be at least 1",
        ));
    }
    if input_dims.n != output_dims.n {
        return Err(KernelError::shape(
            "output",
            "batch differs from the input's",
        ));
    }
    if filter_dims.n != 1 || filter_dims.c != output_dims.c {
        return Err(KernelError::shape("filter", "expected [1, KH, KW, C_OUT]"));
    }
    if input_dims.c.checked_mul(params.depth_multiplier) != Some(output_dims.c) {
        return Err(KernelError::shape(
            "output",
            format!(
                "{} channels, expected input depth {} x depth multiplier {}",
                output_dims.c, input_dims.c, params.depth_multiplier
            ),
        ));
    }
    if let Some(len) = bias_len {
        check_len("bias", len, output_dims.c)?;
    }
    Ok(DepthwiseGeometry {
        batches: input_dims.n,
        in_h: input_dims.h,
        in_w: input_dims.w,
        in_c: input_dims.c,
        k_h: filter_dims.h,
        k_w: filter_dims.w,
        out_h: output_dims.h,
        out_w: output_dims.w,
        out_c: output_dims.c,
    })
}

/// Generic DEPTHWISE_CONV_2D driver. For each output pixel it accumulates all
/// channels at once over the valid taps (tap order row, column: the same order
/// per channel as TFLite), then calls `finish` per channel.
#[allow(clippy::too_many_arguments)]
fn depthwise_driver<I: Copy, W: Copy, A: Copy, O>(
    params: &DepthwiseParams,
    g: &DepthwiseGeometry,
    input: &[I],
    filter: &[W],
    output: &mut [O],
    zero: A,
    mac: impl Fn(A, I, W) -> A,
    finish: impl Fn(A, usize) -> O,
) {
    let p = &params.conv;
    let dm = params.depth_multiplier;
    let mut acc: Vec<A> = vec![zero; g.out_c];
    let mut out_index = 0;
    for b in 0..g.batches {
        for oy in 0..g.out_h {
            for ox in 0..g.out_w {
                acc.iter_mut().for_each(|a| *a = zero);
                for ky in 0..g.k_h {
                    let Some(iy) = tap(oy, p.stride_h, p.pad_h, p.dilation_h, ky, g.in_h) else {
                        continue;
                    };
                    for kx in 0..g.k_w {
                        let Some(ix) = tap(ox, p.stride_w, p.pad_w, p.dilation_w, kx, g.in_w)
                        else {
                            continue;
                        };
                        let in_base = ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
                        let x = &input[in_base..in_base + g.in_c];
                        let f_base = (ky * g.k_w + kx) * g.out_c;
                        let w = &filter[f_base..f_base + g.out_c];
                        if dm == 1 {
                            for ((a, &xv), &wv) in acc.iter_mut().zip(x).zip(w) {
                                *a = mac(*a, xv, wv);
                            }
                        } else {
                            for (oc, (a, &wv)) in acc.iter_mut().zip(w).enumerate() {
                                *a = mac(*a, x[oc / dm], wv);
                            }
                        }
                    }
                }
                for (ch, &a) in acc.iter().enumerate() {
                    output[out_index] = finish(a, ch);
                    out_index += 1;
                }
            }
        }
    }
}

/// int8 DEPTHWISE_CONV_2D (TFLite `DepthwiseConvPerChannel`). Filter
/// `[1, KH, KW, C_IN * depth_multiplier]`.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv2d_s8(
    params: &DepthwiseParams,
    quant: &ConvQuant<'_>,
    input_dims: Dims4,
    input: &[i8],
    filter_dims: Dims4,
    filter: &[i8],
    bias: Option<&[i32]>,
    output_dims: Dims4,
    output: &mut [i8],
) -> Result<(), KernelError> {
    let g = check_depthwise(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[i32]>::len),
        &output_dims,
        output.len(),
    )?;
    check_per_channel(quant, g.out_c)?;
    if depthwise_s8_padded(params, &g, quant, input, filter, bias, output) {
        return Ok(());
    }
    let input_offset = quant.input_zero_point.wrapping_neg();
    depthwise_driver(
        params,
        &g,
        input,
        filter,
        output,
        0i32,
        |a, x: i8, w: i8| {
            a.wrapping_add(
                i32::from(x)
                    .wrapping_add(input_offset)
                    .wrapping_mul(i32::from(w)),
            )
        },
        |acc, ch| {
            let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
            let v = multiply_by_quantized_multiplier(acc, quant.multiplier[ch], quant.shift[ch])
                .wrapping_add(quant.output_zero_point);
            clamp_act(v, quant.activation) as i8
        },
    );
    Ok(())
}

/// 16x8 DEPTHWISE_CONV_2D: int16 activations, int8 filter, int64 bias,
/// 64-bit accumulation. Zero points are not applied.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv2d_s16(
    params: &DepthwiseParams,
    quant: &ConvQuant<'_>,
    input_dims: Dims4,
    input: &[i16],
    filter_dims: Dims4,
    filter: &[i8],
    bias: Option<&[i64]>,
    output_dims: Dims4,
    output: &mut [i16],
) -> Result<(), KernelError> {
    let g = check_depthwise(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[i64]>::len),
        &output_dims,
        output.len(),
    )?;
    check_per_channel(quant, g.out_c)?;
    depthwise_driver(
        params,
        &g,
        input,
        filter,
        output,
        0i64,
        |a, x: i16, w: i8| a.wrapping_add(i64::from(x) * i64::from(w)),
        |acc, ch| {
            let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
            let v =
                multiply_by_quantized_multiplier_i64(acc, quant.multiplier[ch], quant.shift[ch]);
            clamp_act(v, quant.activation) as i16
        },
    );
    Ok(())
}

/// float32 DEPTHWISE_CONV_2D.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv2d_f32(
    params: &DepthwiseParams,
    activation: FloatActivation,
    input_dims: Dims4,
    input: &[f32],
    filter_dims: Dims4,
    filter: &[f32],
    bias: Option<&[f32]>,
    output_dims: Dims4,
    output: &mut [f32],
) -> Result<(), KernelError> {
    let g = check_depthwise(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[f32]>::len),
        &output_dims,
        output.len(),
    )?;
    depthwise_driver(
        params,
        &g,
        input,
        filter,
        output,
        0.0f32,
        |a, x: f32, w: f32| a + x * w,
        |acc, ch| clamp_f32(acc + bias.map_or(0.0, |b| b[ch]), activation),
    );
    Ok(())
}

/// Geometry of a TRANSPOSE_CONV (dilation is always 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransposeConvParams {
    /// Vertical stride (>= 1).
    pub stride_h: usize,
    /// Horizontal stride (>= 1).
    pub stride_w: usize,
    /// Padding rows, computed by TFLite from the *output* size as if it were the
    /// input of a normal convolution (`prepare::compute_padding(output_h, ...)`).
    pub pad_h: usize,
    /// Padding columns, computed like `pad_h`.
    pub pad_w: usize,
}

/// Scratch elements (`i32` for int8, `i64` for 16x8) a TRANSPOSE_CONV needs: one
/// accumulator per output element.
pub fn transpose_conv2d_scratch_len(output_dims: Dims4) -> Option<usize> {
    output_dims.checked_len()
}

#[allow(clippy::too_many_arguments)]
fn check_transpose(
    params: &TransposeConvParams,
    input_dims: &Dims4,
    input_len: usize,
    filter_dims: &Dims4,
    filter_len: usize,
    bias_len: Option<usize>,
    output_dims: &Dims4,
    output_len: usize,
) -> Result<(), KernelError> {
    check_len("input", input_len, dims_len("input", input_dims)?)?;
    check_len("filter", filter_len, dims_len("filter", filter_dims)?)?;
    check_len("output", output_len, dims_len("output", output_dims)?)?;
    if params.stride_h == 0 || params.stride_w == 0 {
        return Err(KernelError::shape("params", "stride must be at least 1"));
    }
    if input_dims.n != output_dims.n
        || input_dims.c != filter_dims.c
        || filter_dims.n != output_dims.c
    {
        return Err(KernelError::shape(
            "filter",
            "expected input [N,H,W,C_IN], filter [C_OUT,KH,KW,C_IN], output [N,OH,OW,C_OUT]",
        ));
    }
    if let Some(len) = bias_len {
        check_len("bias", len, output_dims.c)?;
    }
    Ok(())
}

/// Scatters every input element times every filter tap into the accumulator
/// buffer, in TFLite's loop order (batch, input row, input column, input channel,
/// filter row, filter column, output channel).
#[allow(clippy::too_many_arguments)]
fn transpose_scatter<I: Copy, W: Copy, A: Copy>(
    params: &TransposeConvParams,
    input_dims: &Dims4,
    input: &[I],
    filter_dims: &Dims4,
    filter: &[W],
    output_dims: &Dims4,
    acc: &mut [A],
    mac: impl Fn(A, I, W) -> A,
) {
    let (kh, kw, in_c, out_c) = (filter_dims.h, filter_dims.w, input_dims.c, output_dims.c);
    for b in 0..input_dims.n {
        for iy in 0..input_dims.h {
            for ix in 0..input_dims.w {
                for ic in 0..in_c {
                    let x = input[((b * input_dims.h + iy) * input_dims.w + ix) * in_c + ic];
                    for ky in 0..kh {
                        let Some(oy) = (iy * params.stride_h + ky).checked_sub(params.pad_h) else {
                            continue;
                        };
                        if oy >= output_dims.h {
                            continue;
                        }
                        for kx in 0..kw {
                            let Some(ox) = (ix * params.stride_w + kx).checked_sub(params.pad_w)
                            else {
                                continue;
                            };
                            if ox >= output_dims.w {
                                continue;
                            }
                            let out_base = ((b * output_dims.h + oy) * output_dims.w + ox) * out_c;
                            for oc in 0..out_c {
                                let w = filter[((oc * kh + ky) * kw + kx) * in_c + ic];
                                acc[out_base + oc] = mac(acc[out_base + oc], x, w);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// int8 TRANSPOSE_CONV. `scratch` must hold
/// [`transpose_conv2d_scratch_len`] `i32`s; its contents are overwritten.
#[allow(clippy::too_many_arguments)]
pub fn transpose_conv2d_s8(
    params: &TransposeConvParams,
    quant: &ConvQuant<'_>,
    input_dims: Dims4,
    input: &[i8],
    filter_dims: Dims4,
    filter: &[i8],
    bias: Option<&[i32]>,
    scratch: &mut [i32],
    output_dims: Dims4,
    output: &mut [i8],
) -> Result<(), KernelError> {
    check_transpose(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[i32]>::len),
        &output_dims,
        output.len(),
    )?;
    check_len("scratch", scratch.len(), output.len())?;
    check_per_channel(quant, output_dims.c)?;
    scratch.iter_mut().for_each(|a| *a = 0);
    let input_offset = quant.input_zero_point.wrapping_neg();
    transpose_scatter(
        params,
        &input_dims,
        input,
        &filter_dims,
        filter,
        &output_dims,
        scratch,
        |a, x: i8, w: i8| {
            a.wrapping_add(
                i32::from(x)
                    .wrapping_add(input_offset)
                    .wrapping_mul(i32::from(w)),
            )
        },
    );
    let c = output_dims.c.max(1);
    for (i, (o, &acc)) in output.iter_mut().zip(scratch.iter()).enumerate() {
        *o = requant_bias_s8(acc, bias, quant, i % c);
    }
    Ok(())
}

#[inline]
fn requant_bias_s8(acc: i32, bias: Option<&[i32]>, quant: &ConvQuant<'_>, ch: usize) -> i8 {
    let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
    let v = multiply_by_quantized_multiplier(acc, quant.multiplier[ch], quant.shift[ch])
        .wrapping_add(quant.output_zero_point);
    clamp_act(v, quant.activation) as i8
}

/// 16x8 TRANSPOSE_CONV: 64-bit accumulation, int64 bias (TFLite Micro widens an
/// int16 bias to int64 first; do the same before calling). `scratch` must hold
/// [`transpose_conv2d_scratch_len`] `i64`s.
#[allow(clippy::too_many_arguments)]
pub fn transpose_conv2d_s16(
    params: &TransposeConvParams,
    quant: &ConvQuant<'_>,
    input_dims: Dims4,
    input: &[i16],
    filter_dims: Dims4,
    filter: &[i8],
    bias: Option<&[i64]>,
    scratch: &mut [i64],
    output_dims: Dims4,
    output: &mut [i16],
) -> Result<(), KernelError> {
    check_transpose(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[i64]>::len),
        &output_dims,
        output.len(),
    )?;
    check_len("scratch", scratch.len(), output.len())?;
    check_per_channel(quant, output_dims.c)?;
    scratch.iter_mut().for_each(|a| *a = 0);
    transpose_scatter(
        params,
        &input_dims,
        input,
        &filter_dims,
        filter,
        &output_dims,
        scratch,
        |a, x: i16, w: i8| a.wrapping_add(i64::from(x) * i64::from(w)),
    );
    let c = output_dims.c.max(1);
    for (i, (o, &acc)) in output.iter_mut().zip(scratch.iter()).enumerate() {
        let ch = i % c;
        let acc = acc.wrapping_add(bias.map_or(0, |b| b[ch]));
        let v = multiply_by_quantized_multiplier_i64(acc, quant.multiplier[ch], quant.shift[ch]);
        *o = clamp_act(v, quant.activation) as i16;
    }
    Ok(())
}

/// float32 TRANSPOSE_CONV (accumulates directly in the output, as TFLite does).
#[allow(clippy::too_many_arguments)]
pub fn transpose_conv2d_f32(
    params: &TransposeConvParams,
    activation: FloatActivation,
    input_dims: Dims4,
    input: &[f32],
    filter_dims: Dims4,
    filter: &[f32],
    bias: Option<&[f32]>,
    output_dims: Dims4,
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_transpose(
        params,
        &input_dims,
        input.len(),
        &filter_dims,
        filter.len(),
        bias.map(<[f32]>::len),
        &output_dims,
        output.len(),
    )?;
    output.iter_mut().for_each(|a| *a = 0.0);
    transpose_scatter(
        params,
        &input_dims,
        input,
        &filter_dims,
        filter,
        &output_dims,
        output,
        |a, x: f32, w: f32| a + x * w,
    );
    let c = output_dims.c.max(1);
    for (i, o) in output.iter_mut().enumerate() {
        let acc = *o + bias.map_or(0.0, |b| b[i % c]);
        *o = clamp_f32(acc, activation);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HALF: i32 = 1 << 30;

    #[test]
    fn conv_s8_hand_checked() {
        // 1x3x3x1 input, 1x2x2x1 filter of ones, stride 1, no padding -> 2x2.
        let input: Vec<i8> = (1..=9).collect();
        let filter = [1i8; 4];
        let mult = [HALF];
        let shift = [0];
        let quant = ConvQuant {
            input_zero_point: 1,
            output_zero_point: -3,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation::S8,
        };
        let mut out = [0i8; 4];
        conv2d_s8(
            &ConvParams::default(),
            &quant,
            Dims4::new(1, 3, 3, 1),
            &input,
            Dims4::new(1, 2, 2, 1),
            &filter,
            Some(&[2]),
            Dims4::new(1, 2, 2, 1),
            &mut out,
        )
        .unwrap();
        // windows (zp-corrected): [0,1,3,4]=8, [1,2,4,5]=12, [3,4,6,7]=20, [4,5,7,8]=24
        // + bias 2, * 0.5 (ties away), - 3
        assert_eq!(out, [2, 4, 8, 10]);
    }

    #[test]
    fn conv_s8_padding_skips_offset() {
        // A tap in the padding contributes nothing even though input_zp != 0.
        let input = [10i8];
        let filter = [1i8; 9];
        let mult = [HALF];
        let shift = [1]; // x1
        let quant = ConvQuant {
            input_zero_point: 5,
            output_zero_point: 0,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation::S8,
        };
        let mut out = [0i8; 1];
        let params = ConvParams {
            pad_h: 1,
            pad_w: 1,
            ..ConvParams::default()
        };
        conv2d_s8(
            &params,
            &quant,
            Dims4::new(1, 1, 1, 1),
            &input,
            Dims4::new(1, 3, 3, 1),
            &filter,
            None,
            Dims4::new(1, 1, 1, 1),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [5]);
    }

    #[test]
    fn conv_rejects_bad_lengths() {
        let mult = [HALF];
        let shift = [0];
        let quant = ConvQuant {
            input_zero_point: 0,
            output_zero_point: 0,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation::S8,
        };
        let mut out = [0i8; 4];
        let err = conv2d_s8(
            &ConvParams::default(),
            &quant,
            Dims4::new(1, 3, 3, 1),
            &[0; 8],
            Dims4::new(1, 2, 2, 1),
            &[0; 4],
            None,
            Dims4::new(1, 2, 2, 1),
            &mut out,
        );
        assert!(matches!(
            err,
            Err(KernelError::LengthMismatch { what: "input", .. })
        ));
    }

    #[test]
    fn depthwise_s8_and_f32_agree_on_integers() {
        // 1x2x2x2 input, depth multiplier 2, 2x2 filter -> 1x1x1x4.
        let input = [1i8, 2, 3, 4, 5, 6, 7, 8];
        let filter: Vec<i8> = (1..=16).map(|v| v as i8).collect();
        let mult = [HALF; 4];
        let shift = [1; 4];
        let quant = ConvQuant {
            input_zero_point: 0,
            output_zero_point: 0,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation::S8,
        };
        let params = DepthwiseParams {
            conv: ConvParams::default(),
            depth_multiplier: 2,
        };
        let mut out = [0i8; 4];
        depthwise_conv2d_s8(
            &params,
            &quant,
            Dims4::new(1, 2, 2, 2),
            &input,
            Dims4::new(1, 2, 2, 4),
            &filter,
            None,
            Dims4::new(1, 1, 1, 4),
            &mut out,
        )
        .unwrap();
        // oc0 (ic0): 1*1 + 3*5 + 5*9 + 7*13 = 152 -> saturates at 127.
        // oc3 (ic1): 2*4 + 4*8 + 6*12 + 8*16 = 240 -> 127.
        let fin: Vec<f32> = input.iter().map(|&v| f32::from(v)).collect();
        let ffl: Vec<f32> = filter.iter().map(|&v| f32::from(v)).collect();
        let mut fout = [0f32; 4];
        depthwise_conv2d_f32(
            &params,
            FloatActivation::NONE,
            Dims4::new(1, 2, 2, 2),
            &fin,
            Dims4::new(1, 2, 2, 4),
            &ffl,
            None,
            Dims4::new(1, 1, 1, 4),
            &mut fout,
        )
        .unwrap();
        assert_eq!(fout, [152.0, 168.0, 220.0, 240.0]);
        assert_eq!(out, [127; 4]);
    }

    #[test]
    fn conv_s16_accumulators() {
        // acc = 1, multiplier 0.75, shift -1: the 32-bit path rounds 0.75 -> 1 and
        // then 0.5 -> 1; the 64-bit path computes round_half_up(0.375) = 0.
        let mult = [3 << 29];
        let shift = [-1];
        let quant = ConvQuant {
            input_zero_point: 0,
            output_zero_point: 0,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation::S16,
        };
        let dims = Dims4::new(1, 1, 1, 1);
        let (mut out32, mut out64) = ([0i16; 1], [0i16; 1]);
        conv2d_s16(
            &ConvParams::default(),
            &quant,
            dims,
            &[1],
            dims,
            &[1],
            Bias16x8::I32(None),
            dims,
            &mut out32,
        )
        .unwrap();
        conv2d_s16(
            &ConvParams::default(),
            &quant,
            dims,
            &[1],
            dims,
            &[1],
            Bias16x8::I64(None),
            dims,
            &mut out64,
        )
        .unwrap();
        assert_eq!((out32, out64), ([1], [0]));
    }

    #[test]
    fn transpose_conv_f32_hand_checked() {
        // 1x1x2x1 input, stride 2, 1x2x2x1 filter -> 1x2x4x1 output, no padding.
        let input = [1.0f32, 2.0];
        let filter = [1.0f32, 2.0, 3.0, 4.0];
        let mut out = [0f32; 8];
        transpose_conv2d_f32(
            &TransposeConvParams {
                stride_h: 2,
                stride_w: 2,
                pad_h: 0,
                pad_w: 0,
            },
            FloatActivation::NONE,
            Dims4::new(1, 1, 2, 1),
            &input,
            Dims4::new(1, 2, 2, 1),
            &filter,
            Some(&[0.5]),
            Dims4::new(1, 2, 4, 1),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1.5, 2.5, 2.5, 4.5, 3.5, 4.5, 6.5, 8.5]);
    }
}

#[cfg(test)]
#[allow(clippy::too_many_arguments)]
mod fast_path_tests {
    //! The vectorised int8 paths must match the straightforward TFLite loop
    //! bit for bit, including padding, strides, dilation and odd zero points.
    use super::*;
    use proptest::prelude::*;

    fn reference_conv(
        params: &ConvParams,
        quant: &ConvQuant<'_>,
        input_dims: Dims4,
        input: &[i8],
        filter_dims: Dims4,
        filter: &[i8],
        bias: Option<&[i32]>,
        output_dims: Dims4,
    ) -> Vec<i8> {
        let mut out = vec![0i8; output_dims.checked_len().unwrap()];
        let g = check_conv(
            params,
            &input_dims,
            input.len(),
            &filter_dims,
            filter.len(),
            bias.map(<[i32]>::len),
            &output_dims,
            out.len(),
        )
        .unwrap();
        let off = quant.input_zero_point.wrapping_neg();
        conv_driver(
            params,
            &g,
            input,
            filter,
            &mut out,
            0i32,
            |a, x, w| dot_s8(a, x, w, off),
            |a, ch| finish_s8(a, ch, bias, quant),
        );
        out
    }

    fn reference_depthwise(
        params: &DepthwiseParams,
        quant: &ConvQuant<'_>,
        input_dims: Dims4,
        input: &[i8],
        filter_dims: Dims4,
        filter: &[i8],
        bias: Option<&[i32]>,
        output_dims: Dims4,
    ) -> Vec<i8> {
        let mut out = vec![0i8; output_dims.checked_len().unwrap()];
        let g = check_depthwise(
            params,
            &input_dims,
            input.len(),
            &filter_dims,
            filter.len(),
            bias.map(<[i32]>::len),
            &output_dims,
            out.len(),
        )
        .unwrap();
        let off = quant.input_zero_point.wrapping_neg();
        depthwise_driver(
            params,
            &g,
            input,
            filter,
            &mut out,
            0i32,
            |a, x: i8, w: i8| {
                a.wrapping_add(i32::from(x).wrapping_add(off).wrapping_mul(i32::from(w)))
            },
            |a, ch| finish_s8(a, ch, bias, quant),
        );
        out
    }

    fn out_size(input: usize, k: usize, stride: usize, dilation: usize, pad: usize) -> usize {
        let eff = (k - 1) * dilation + 1;
        (input + 2 * pad).saturating_sub(eff) / stride + 1
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn conv_fast_path_matches_reference(
            h in 1usize..7, w in 1usize..7, cin in 1usize..20, cout in 1usize..6,
            kh in 1usize..4, kw in 1usize..4, stride in 1usize..3, dil in 1usize..3,
            pad in 0usize..3, zp in -128i32..128, ozp in -20i32..20, seed in any::<u64>(),
            shift in -12i32..2, dw_mult in 1usize..3,
        ) {
            let mut state = seed | 1;
            let mut next = || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; state };
            let input: Vec<i8> = (0..h * w * cin).map(|_| next() as i8).collect();
            let filter: Vec<i8> = (0..cout * kh * kw * cin).map(|_| next() as i8).collect();
            let bias: Vec<i32> = (0..cout.max(cin * dw_mult)).map(|_| (next() % 2000) as i32 - 1000).collect();
            let mult: Vec<i32> = (0..cout.max(cin * dw_mult)).map(|_| (1 << 30) + (next() % (1 << 30)) as i32).collect();
            let shifts = vec![shift; mult.len()];
            let oh = out_size(h, kh, stride, dil, pad);
            let ow = out_size(w, kw, stride, dil, pad);
            prop_assume!((kh - 1) * dil < h + 2 * pad && (kw - 1) * dil < w + 2 * pad);
            let params = ConvParams { stride_h: stride, stride_w: stride, dilation_h: dil, dilation_w: dil, pad_h: pad, pad_w: pad };
            let quant = ConvQuant {
                input_zero_point: zp,
                output_zero_point: ozp,
                multiplier: &mult[..cout],
                shift: &shifts[..cout],
                activation: QuantActivation { min: -100, max: 120 },
            };
            let (id, fd, od) = (Dims4::new(1, h, w, cin), Dims4::new(cout, kh, kw, cin), Dims4::new(1, oh, ow, cout));
            let expect = reference_conv(&params, &quant, id, &input, fd, &filter, Some(&bias[..cout]), od);
            let mut got = vec![0i8; expect.len()];
            conv2d_s8(&params, &quant, id, &input, fd, &filter, Some(&bias[..cout]), od, &mut got).unwrap();
            prop_assert_eq!(got, expect);

            let c = cin * dw_mult;
            let dparams = DepthwiseParams { conv: params, depth_multiplier: dw_mult };
            let dquant = ConvQuant { multiplier: &mult[..c], shift: &shifts[..c], ..quant };
            let dfilter: Vec<i8> = (0..kh * kw * c).map(|_| next() as i8).collect();
            let (fd, od) = (Dims4::new(1, kh, kw, c), Dims4::new(1, oh, ow, c));
            let expect = reference_depthwise(&dparams, &dquant, id, &input, fd, &dfilter, Some(&bias[..c]), od);
            let mut got = vec![0i8; expect.len()];
            depthwise_conv2d_s8(&dparams, &dquant, id, &input, fd, &dfilter, Some(&bias[..c]), od, &mut got).unwrap();
            prop_assert_eq!(got, expect);
        }
    }
}
