//! Helium (MVE) variants for Cortex-M55, chosen before the DSP ones.
//!
//! The C kernels keep per-call state on the stack (folded bias, accumulators,
//! one receptive-field window), bounded by the limits below; a layer beyond
//! them keeps the DSP or portable kernel.

use autodeploy_model::Graph;
use autodeploy_reference::layer::{Layer, Numeric, Step};
use autodeploy_runtime::Kernel;

use crate::emit::layer::EmittedLayer;

/// `AD_MVE_MAX_CHANNELS` in `ad_mve.h`.
const MAX_CHANNELS: usize = 512;
/// `AD_MVE_MAX_WINDOW` in `ad_mve.h`: filter height x width x depth bytes.
const MAX_WINDOW: usize = 2304;
/// `AD_MVE_MAX_ROWS` in the row-buffer CONV_2D, `AD_DW_MVE_MAX_ROWS` in `ad_dw_mve.h`.
const MAX_ROWS: usize = 16;
/// `AD_DW_MVE_MAX_TAPS` in `ad_dw_mve.h`.
const MAX_TAPS: usize = 64;

/// The Helium variant for `kernel` on `layer`, with the reason, if one applies.
pub(super) fn variant(kernel: Kernel, layer: &Layer) -> Option<(Kernel, &'static str)> {
    match (kernel, &layer.step) {
        (Kernel::Conv2dRowbufS8, Step::Conv { window, .. })
            if window.filter.c == window.input.c
                && window.output.c <= MAX_CHANNELS
                && window.filter.h <= MAX_ROWS
                && window.filter.h * window.filter.w * window.filter.c <= MAX_WINDOW =>
        {
            Some((
                Kernel::Conv2dRowbufMveS8,
                "Helium: one VMLADAVA dot product per output channel over the gathered window, input zero point folded into the bias",
            ))
        }
        (Kernel::Conv2dS8 | Kernel::Conv2dAddS8, Step::Conv { window, .. })
            if window.filter.c == window.input.c
                && window.output.c <= MAX_CHANNELS
                && window.filter.h * window.filter.w * window.filter.c <= MAX_WINDOW =>
        {
            Some((
                if kernel == Kernel::Conv2dS8 {
                    Kernel::Conv2dMveS8
                } else {
                    Kernel::Conv2dAddMveS8
                },
                "Helium: one VMLADAVA dot product per output channel over the gathered window, input zero point folded into the bias",
            ))
        }
        (Kernel::FullyConnectedS8, Step::FullyConnected { .. }) => Some((
            Kernel::FullyConnectedMveS8,
            "Helium: VMLADAVA dot products, four output channels per pass, zero points folded",
        )),
        (Kernel::AvgPoolS8, Step::Pool { max: false, .. }) => Some((
            Kernel::AvgPoolMveS8,
            "Helium: window sums of 16 channels at a time",
        )),
        (
            Kernel::DepthwiseConv2dRowbufS8 | Kernel::DepthwiseConv2dS8,
            Step::Depthwise {
                window,
                depth_multiplier: 1,
                ..
            },
        ) if window.output.c <= MAX_CHANNELS
            && window.filter.h <= MAX_ROWS
            && window.filter.h * window.filter.w <= MAX_TAPS =>
        {
            Some((
                if kernel == Kernel::DepthwiseConv2dS8 {
                    Kernel::DepthwiseConv2dMveS8
                } else {
                    Kernel::DepthwiseConv2dRowbufMveS8
                },
                "Helium: 16 channels per pass with VMLA, input zero point folded into the bias",
            ))
        }
        _ => None,
    }
}

/// FULLY_CONNECTED on `ad_fully_connected_mve_s8` with the input zero point
/// folded into the bias at generation time: `bias + (-z_in) * sum(w)` per
/// output channel (wrapping, like the accumulator), emitted as a const array,
/// and the call's quant record given input zero point 0, so the kernel runs
/// its plain dot products without the per-call weight sums (one VADDVA per 16
/// weights). Exact because sum((x - z) w) + b = sum(x w) + (b - z sum(w))
/// modulo 2^32, and a filter zero point of 0 leaves no other term. `emitted`
/// unchanged when the layer does not fit (weights not constant, filter zero
/// point, or a call it cannot rewrite).
pub(super) fn fold_fully_connected(
    graph: &Graph,
    layer: &Layer,
    fn_name: &str,
    emitted: EmittedLayer,
) -> EmittedLayer {
    if emitted.kernel != Some(Kernel::FullyConnectedMveS8) {
        return emitted;
    }
    let Step::FullyConnected {
        dims,
        numeric: Numeric::Quant(r),
    } = &layer.step
    else {
        return emitted;
    };
    if r.filter_zero_point != 0 || r.input_zero_point == 0 {
        return emitted;
    }
    let (out_c, depth) = (dims.output_depth, dims.input_depth);
    let Some(weights) = layer
        .inputs
        .get(1)
        .copied()
        .flatten()
        .and_then(|w| graph.tensor(w).data_i8())
    else {
        return emitted;
    };
    let Some(bias) = super::conv::bias(graph, layer, out_c) else {
        return emitted;
    };
    if weights.len() != out_c * depth || bias.len() != out_c {
        return emitted;
    }
    let offset = r.input_zero_point.wrapping_neg();
    let folded: Vec<i32> = weights
        .chunks(depth)
        .zip(&bias)
        .map(|(row, b)| {
            let sum = row.iter().map(|&w| i32::from(w)).sum::<i32>();
            b.wrapping_add(offset.wrapping_mul(sum))
        })
        .collect();
    // The call's arguments: ctx, &quant, &input_dims, input, &filter_dims, filter, bias, &output_dims, output.
    let code = &emitted.code;
    let call = format!("return {}(", Kernel::FullyConnectedMveS8.c_name());
    let zp = format!(".input_zero_point = {}, ", r.input_zero_point);
    let (Some(start), 1, 1) = (
        code.find(&call),
        code.matches(&call).count(),
        code.matches(&zp).count(),
    ) else {
        return emitted;
    };
    let args_start = start + call.len();
    let Some(len) = code[args_start..].find(");") else {
        return emitted;
    };
    let mut args: Vec<String> = code[args_start..args_start + len]
        .split(", ")
        .map(str::to_string)
        .collect();
    if args.len() != 9 {
        return emitted;
    }
    let name = format!("{fn_name}_folded_bias");
    args[6] = name.clone();
    let mut out = super::conv::array(&name, &folded);
    out.push_str(&code[..args_start].replace(&zp, ".input_zero_point = 0, "));
    out.push_str(&args.join(", "));
    out.push_str(&code[args_start + len..]);
    let out = out.replace(
        "zero points folded).",
        "zero points folded; input zero point folded into the bias at generation time).",
    );
    EmittedLayer {
        kernel: emitted.kernel,
        code: out,
    }
}
