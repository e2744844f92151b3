//! Layers whose output shares bytes with an input under an in-place scheme
//! of the memory plan ([`InPlace`]): the call goes to a kernel that honours
//! the scheme's contract (see `crate::plan::InPlace`).
//!
//! Each call is derived from the plain kernel's call ([`Emitter::plain`]),
//! so the parameters are exactly those of the plain kernel:
//! - [`InPlace::RowBuffer`]: the `*_rowbuf_*` kernel of the same operator
//!   and type, with an `ad_row_buffer` built from the plan;
//! - [`InPlace::FusedAdd`]: `ad_conv2d_add_s8` / `ad_depthwise_conv2d_add_s8`
//!   writing over the residual, with the ADD's parameters (the convolution's
//!   operand as input 1; the ADD is symmetric);
//! - [`InPlace::FusedInto`]: no call;
//! - [`InPlace::Elementwise`]: the plain kernel, for the kernels listed in
//!   [`elementwise_safe`] (each reads operand index `i` before writing
//!   `out[i]` and never reads `i` again).
//!
//! Aliases need no call and are handled by the caller. A scheme without a
//! kernel here is refused, so a plan is never emitted with a plain kernel
//! that would corrupt shared bytes.

use std::fmt::Write;

use autodeploy_model::ElementType;
use autodeploy_reference::layer::{Layer, Step};
use autodeploy_runtime::Kernel;

use super::c;
use super::layer::{EmittedLayer, Emitter, LayerError};
use crate::plan::{InPlace, RowUnit};
use crate::CodegenError;

/// The layer's code if its plan entry is an in-place scheme (other than
/// an alias), `None` if it runs a plain kernel.
pub fn emit(emitter: &mut Emitter<'_>, layer: &Layer) -> Result<Option<EmittedLayer>, LayerError> {
    let scheme = emitter.plan.in_place[layer.index].clone();
    match scheme {
        InPlace::None | InPlace::Alias { .. } => Ok(None),
        InPlace::Elementwise { .. } => {
            let plain = emitter.plain(layer)?;
            match plain.kernel {
                Some(k) if elementwise_safe(k) => Ok(Some(plain)),
                k => Err(refuse(
                    layer,
                    &scheme,
                    &format!(
                        "kernel {} is not known to be safe in place",
                        k.map_or("(none)", Kernel::c_name)
                    ),
                )),
            }
        }
        InPlace::RowBuffer {
            unit,
            delta,
            in_unit_bytes,
            out_unit_bytes,
            rows,
            line_buffer,
            ..
        } => {
            let plain = emitter.plain(layer)?;
            let Some(portable) = plain.kernel.and_then(row_buffer_kernel) else {
                return Err(refuse(layer, &scheme, "no row-buffer kernel for this operator and type"));
            };
            let (kernel, choice) = match super::select::variant(emitter.kernels, portable, layer) {
                Some((k, why)) => (k, format!("    /* Kernel variant: {} ({why}). */\n", k.c_name())),
                None => (portable, String::new()),
            };
            if matches!(unit, RowUnit::Pixels)
                && !matches!(portable, Kernel::Conv2dRowbufS8 | Kernel::Conv2dRowbufF32)
            {
                return Err(refuse(layer, &scheme, "pixel units are for CONV_2D only"));
            }
            let line = match (rows, line_buffer) {
                (0, _) => "NULL".to_string(),
                (_, Some(p)) if p.size >= rows * in_unit_bytes => {
                    format!("(void *)ARENA({}u)", p.offset)
                }
                _ => return Err(refuse(layer, &scheme, "line buffer missing or too small")),
            };
            let unit = match unit {
                RowUnit::Rows => "AD_UNIT_ROWS",
                RowUnit::Pixels => "AD_UNIT_PIXELS",
            };
            let rb = format!(
                "    const ad_row_buffer rb = {{.unit = {unit}, .delta = {delta}, .in_unit_bytes = {in_unit_bytes}, .out_unit_bytes = {out_unit_bytes}, .rows = {rows}, .line_buffer = {line}}};\n"
            );
            let code = rewrite(
                layer,
                &plain.code,
                plain.kernel.expect("checked above"),
                kernel,
                "",
                "&rb, ",
                &format!("{choice}{rb}"),
            )?;
            Ok(Some(EmittedLayer {
                kernel: Some(kernel),
                code,
            }))
        }
        InPlace::FusedAdd {
            add_layer,
            conv_output,
            residual,
        } => {
            let graph = emitter.graph;
            let add_op = &graph.operators[add_layer];
            let add_out = add_op.outputs[0];
            let add = Layer::prepare(graph, add_op).map_err(|e| CodegenError::Model(e.to_string()))?;
            let Step::AddSub {
                sub: false,
                quant: Some(q),
                shapes,
                ..
            } = &add.step
            else {
                return Err(refuse(layer, &scheme, "the fused layer is not a quantised ADD"));
            };
            if shapes[0] != shapes[2] || shapes[1] != shapes[2] {
                return Err(refuse(layer, &scheme, "the fused ADD broadcasts"));
            }
            if graph.tensor(add_out).dtype != ElementType::Int8
                || graph.tensor(conv_output).dtype != ElementType::Int8
                || emitter.plan.buffers[add_out] != emitter.plan.buffers[residual]
            {
                return Err(refuse(layer, &scheme, "only int8, written exactly over the residual"));
            }
            // The convolution's call, writing to the ADD's output (which is
            // the residual's bytes): the convolution's own output has no bytes.
            let op = &graph.operators[layer.index];
            let redirected = Layer {
                index: layer.index,
                op: layer.op.clone(),
                inputs: layer.inputs.clone(),
                outputs: vec![add_out],
                step: Layer::prepare(graph, op)
                    .map_err(|e| CodegenError::Model(e.to_string()))?
                    .step,
            };
            let plain = emitter.plain(&redirected)?;
            let fused = match plain.kernel {
                Some(Kernel::Conv2dS8) => Kernel::Conv2dAddS8,
                Some(Kernel::DepthwiseConv2dS8) => Kernel::DepthwiseConv2dAddS8,
                _ => return Err(refuse(layer, &scheme, "no fused kernel for this convolution")),
            };
            let (kernel, choice) = match super::select::variant(emitter.kernels, fused, layer) {
                Some((k, why)) => (k, format!("    /* Kernel variant: {} ({why}). */\n", k.c_name())),
                None => (fused, String::new()),
            };
            // The convolution's operand becomes input 1 of the ADD.
            let conv_first = add_op.input(0) == Some(conv_output);
            let (z1, m1, s1, z2, m2, s2) = if conv_first {
                (
                    q.input1_zero_point,
                    q.input1_multiplier,
                    q.input1_shift,
                    q.input2_zero_point,
                    q.input2_multiplier,
                    q.input2_shift,
                )
            } else {
                (
                    q.input2_zero_point,
                    q.input2_multiplier,
                    q.input2_shift,
                    q.input1_zero_point,
                    q.input1_multiplier,
                    q.input1_shift,
                )
            };
            let mut add_quant = choice;
            let _ = writeln!(
                add_quant,
                "    /* Fused layer {add_layer} ADD (convolution's operand first), written over tensor {residual}. */\n    static const ad_add_quant add_quant = {{.left_shift = {}, .input1_zero_point = {z1}, .input1_multiplier = {m1}, .input1_shift = {s1}, .input2_zero_point = {z2}, .input2_multiplier = {m2}, .input2_shift = {s2}, .output_zero_point = {}, .output_multiplier = {}, .output_shift = {}, .activation = {}}};",
                q.left_shift,
                q.output_zero_point,
                q.output_multiplier,
                q.output_shift,
                c::activation(q.activation)
            );
            let code = rewrite(
                layer,
                &plain.code,
                plain.kernel.expect("checked above"),
                kernel,
                "&params, &quant, ",
                "&add_quant, ",
                &add_quant,
            )?;
            Ok(Some(EmittedLayer {
                kernel: Some(kernel),
                code,
            }))
        }
        InPlace::FusedInto { layer: into } => Ok(Some(EmittedLayer {
            kernel: None,
            code: format!(
                "/* Layer {i}: {} runs inside layer {into} (fused): nothing to run. */\nstatic ad_status layer{i}(void)\n{{\n    return AD_OK;\n}}\n",
                layer.op,
                i = layer.index
            ),
        })),
    }
}

/// The row-buffer kernel of a plain kernel, if there is one.
fn row_buffer_kernel(plain: Kernel) -> Option<Kernel> {
    Some(match plain {
        Kernel::Conv2dS8 => Kernel::Conv2dRowbufS8,
        Kernel::Conv2dF32 => Kernel::Conv2dRowbufF32,
        Kernel::DepthwiseConv2dS8 => Kernel::DepthwiseConv2dRowbufS8,
        Kernel::DepthwiseConv2dF32 => Kernel::DepthwiseConv2dRowbufF32,
        Kernel::AvgPoolS8 => Kernel::AvgPoolRowbufS8,
        Kernel::AvgPoolF32 => Kernel::AvgPoolRowbufF32,
        Kernel::MaxPoolS8 => Kernel::MaxPoolRowbufS8,
        Kernel::MaxPoolF32 => Kernel::MaxPoolRowbufF32,
        _ => return None,
    })
}

/// Plain kernels whose output may be exactly one of their same-shaped
/// inputs ([`InPlace::Elementwise`]). Each was checked to compute output
/// index `i` from the operands at `i` only, reading them before writing
/// `out[i]` and never again (`src/elementwise/*`: one pass in ascending
/// order through `ad_broadcast`; activations and requantising QUANTIZE: one
/// `out[i] = f(in[i])` loop). The planner never writes over a broadcast
/// operand (it requires the output's shape).
pub(super) fn elementwise_safe(kernel: Kernel) -> bool {
    use Kernel::*;
    matches!(
        kernel,
        AddS8
            | AddS16
            | AddF32
            | SubS8
            | SubS16
            | SubF32
            | MulS8
            | MulS16
            | MulF32
            | MaximumS8
            | MaximumS16
            | MaximumF32
            | MinimumS8
            | MinimumS16
            | MinimumF32
            | ReluS8
            | ReluF32
            | Relu6S8
            | Relu6F32
            | LogisticS8
            | LogisticF32
            | TanhS8
            | TanhF32
            | LeakyReluS8
            | LeakyReluS16
            | LeakyReluF32
            | HardSwishS8
            | HardSwishF32
            | QuantizeS8S8
            | QuantizeS16S16
    )
}

/// The plain layer code with its call redirected to `kernel`: `after`
/// inserted after the call's `NULL, <anchor>` arguments, `statics`
/// at the top of the function body.
fn rewrite(
    layer: &Layer,
    code: &str,
    plain: Kernel,
    kernel: Kernel,
    anchor: &str,
    after: &str,
    statics: &str,
) -> Result<String, LayerError> {
    let call = format!("return {}(NULL, {anchor}", plain.c_name());
    let header = format!("static ad_status layer{}(void)\n{{\n", layer.index);
    if code.matches(&call).count() != 1 || code.matches(&header).count() != 1 {
        return Err(LayerError::Other(CodegenError::Model(format!(
            "layer {} {}: cannot derive the in-place call from the plain one",
            layer.index, layer.op
        ))));
    }
    Ok(code
        .replace(
            &call,
            &format!("return {}(NULL, {anchor}{after}", kernel.c_name()),
        )
        .replace(&header, &format!("{header}{statics}"))
        .replace(
            &format!("({}) */", plain.c_name()),
            &format!("({}) */", kernel.c_name()),
        ))
}

fn refuse(layer: &Layer, scheme: &InPlace, why: &str) -> LayerError {
    LayerError::Other(CodegenError::Model(format!(
        "layer {} {}: the memory plan uses in-place scheme '{}', which cannot be emitted: {why}; \
         plan without it",
        layer.index,
        layer.op,
        scheme.name()
    )))
}
