//! FULLY_CONNECTED int8 (filter zero point 0) as a 1x1 CONV_2D over its
//! batch rows on the pre-widened kernel `ad_conv2d_w16_dsp_s8` (see
//! `conv.rs`): the same sums, with the per-tensor multiplier for every channel.

use std::fmt::Write;

use autodeploy_model::Graph;
use autodeploy_reference::layer::{Layer, Numeric, Step};
use autodeploy_runtime::Kernel;

use super::conv::{array, bias, tables, weight_array, weights, why, Filter};
use crate::emit::c;
use crate::emit::layer::EmittedLayer;

/// `emitted` as a call of `ad_conv2d_w16_dsp_s8` when the layer fits (the
/// caller checks the core); `emitted` unchanged otherwise.
pub fn prewiden(
    graph: &Graph,
    layer: &Layer,
    fn_name: &str,
    emitted: EmittedLayer,
) -> EmittedLayer {
    let Some(old @ (Kernel::FullyConnectedS8 | Kernel::FullyConnectedDspS8)) = emitted.kernel
    else {
        return emitted;
    };
    let Step::FullyConnected {
        dims,
        numeric: Numeric::Quant(r),
    } = &layer.step
    else {
        return emitted;
    };
    // A depth that is not a multiple of 4 would need row copies in scratch:
    // the plain DSP kernel needs none.
    if r.filter_zero_point != 0 || r.per_channel || dims.input_depth % 4 != 0 {
        return emitted;
    }
    let Some(weights) = weights(graph, layer) else {
        return emitted;
    };
    let Some(bias) = bias(graph, layer, dims.output_depth) else {
        return emitted;
    };
    let filter = Filter {
        out_c: dims.output_depth,
        rows: 1,
        len: dims.input_depth,
        weights,
        bias,
        input_zero_point: r.input_zero_point,
        multiplier: &r.multiplier,
        shift: &r.shift,
        outside: false,
    };
    let Some(t) = tables(&filter) else {
        return emitted;
    };
    // The input and output arguments of the one call.
    let code = &emitted.code;
    let call = format!("return {}(", old.c_name());
    let (Some(start), 1) = (code.find(&call), code.matches(&call).count()) else {
        return emitted;
    };
    let args = &code[start + call.len()..];
    let Some(args) = args.find(");").map(|e| &args[..e]) else {
        return emitted;
    };
    let parts: Vec<&str> = args.split(", &").collect();
    // NULL, quant, input_dims, input; filter_dims, filter, bias; output_dims, output
    let (Some(input), Some(output)) = (
        parts.get(2).and_then(|p| p.strip_prefix("input_dims, ")),
        parts.get(4).and_then(|p| p.strip_prefix("output_dims, ")),
    ) else {
        return emitted;
    };
    let i = layer.index;
    let new = Kernel::Conv2dW16DspS8;
    let mut out = format!("/* Layer {i}: {} -> int8 ({}) */\n", layer.op, new.c_name());
    out.push_str(&weight_array(&format!("{fn_name}_filter_pairs"), &t.pairs));
    out.push_str(&array(&format!("{fn_name}_channels"), &t.records));
    let _ = writeln!(out, "static ad_status {fn_name}(void)\n{{");
    let _ = writeln!(
        out,
        "    /* Kernel variant: {} (as a 1x1 CONV_2D over the batch rows; {}). */",
        new.c_name(),
        why(&t)
    );
    let _ = writeln!(
        out,
        "    static const ad_conv_params params = {{.stride = {{.h = 1, .w = 1}}, .padding = {{.h = 0, .w = 0}}, .dilation = {{.h = 1, .w = 1}}}};"
    );
    let _ = writeln!(
        out,
        "    static const ad_conv_quant quant = {{.input_zero_point = {}, .output_zero_point = {}, .multiplier = NULL, .shift = NULL, .activation = {}}};",
        r.input_zero_point,
        r.output_zero_point,
        c::activation(r.activation)
    );
    let _ = writeln!(
        out,
        "    static const ad_dims input_dims = {{1, 1, {}, {}}};",
        dims.batches, dims.input_depth
    );
    let _ = writeln!(
        out,
        "    static const ad_dims filter_dims = {{{}, 1, 1, {}}};",
        dims.output_depth, dims.input_depth
    );
    let _ = writeln!(
        out,
        "    static const ad_dims output_dims = {{1, 1, {}, {}}};",
        dims.batches, dims.output_depth
    );
    let _ = writeln!(
        out,
        "    return {}(NULL, NULL, &params, &quant, &input_dims, {input}, &filter_dims, {fn_name}_filter_pairs, {fn_name}_channels, &output_dims, {output});\n}}",
        new.c_name()
    );
    EmittedLayer {
        kernel: Some(new),
        code: out,
    }
}
