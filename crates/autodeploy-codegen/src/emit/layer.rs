//! One layer as C: the kernel it calls and the static parameters it passes.
//!
//! The parameters are the ones the reference interpreter prepared for the
//! same layer (`autodeploy_reference::layer`), printed as designated
//! initializers: the C kernel receives the very integers the reference
//! computes with.

use std::collections::BTreeSet;
use std::fmt::Write;

use autodeploy_model::{ElementType, Graph};
use autodeploy_reference::kernels::activation::SigmoidTanhQuant;
use autodeploy_reference::layer::{Layer, Numeric, PadValue, Requant, Step, Window};
use autodeploy_runtime::Kernel;

use super::c;
use crate::plan::{InPlace, MemoryPlan};
use crate::state::StatePlan;
use crate::CodegenError;

/// The C text of one layer.
pub struct EmittedLayer {
    /// `None` when the layer needs no call (an alias).
    pub kernel: Option<Kernel>,
    /// Static arrays and the `static ad_status layerN(void)` function.
    pub code: String,
}

/// Why a layer cannot be emitted.
pub enum LayerError {
    /// No C kernel for this operator and type yet.
    NoKernel,
    Other(CodegenError),
}

impl From<CodegenError> for LayerError {
    fn from(e: CodegenError) -> Self {
        LayerError::Other(e)
    }
}

/// Emission context: where tensors live, which constants are used.
pub struct Emitter<'a> {
    pub graph: &'a Graph,
    pub plan: &'a MemoryPlan,
    /// Tensors that live in the state region (streaming models).
    pub state: &'a StatePlan,
    pub name: &'a str,
    /// Constant tensors referenced by the emitted code.
    pub used_constants: BTreeSet<usize>,
    /// Portable or optimised kernel variants (`select.rs`).
    pub kernels: super::select::KernelChoice,
}

fn c_type(t: ElementType) -> &'static str {
    match t {
        ElementType::Int8 => "int8_t",
        ElementType::Uint8 => "uint8_t",
        ElementType::Int16 => "int16_t",
        ElementType::Int32 => "int32_t",
        ElementType::Int64 => "int64_t",
        _ => "float",
    }
}

impl<'a> Emitter<'a> {
    /// A C expression for tensor `index` as a (const) pointer of its type.
    pub(super) fn pointer(&mut self, index: usize, mutable: bool) -> Result<String, LayerError> {
        let tensor = self.graph.tensor(index);
        let ty = c_type(tensor.dtype);
        if tensor.is_constant() {
            self.used_constants.insert(index);
            return Ok(format!("{}_t{index}", self.name));
        }
        let constness = if mutable { "" } else { "const " };
        if let Some(offset) = self.state.in_state.get(index).copied().flatten() {
            return Ok(format!("({constness}{ty} *)STATE({offset}u)"));
        }
        let placement = self.plan.buffers[index].ok_or_else(|| {
            LayerError::Other(CodegenError::MissingPlacement {
                tensor: tensor.label(),
            })
        })?;
        Ok(format!("({constness}{ty} *)ARENA({}u)", placement.offset))
    }

    fn input(&mut self, layer: &Layer, slot: usize) -> Result<String, LayerError> {
        let index = layer.inputs.get(slot).copied().flatten().ok_or_else(|| {
            LayerError::Other(CodegenError::Model(format!(
                "layer {} {}: input {slot} is missing",
                layer.index, layer.op
            )))
        })?;
        self.pointer(index, false)
    }

    /// The optional input `slot` (a bias), or `NULL`.
    fn optional(&mut self, layer: &Layer, slot: usize) -> Result<String, LayerError> {
        match layer.inputs.get(slot).copied().flatten() {
            Some(index) => self.pointer(index, false),
            None => Ok("NULL".into()),
        }
    }

    pub(super) fn output(&mut self, layer: &Layer, slot: usize) -> Result<String, LayerError> {
        self.pointer(layer.outputs[slot], true)
    }

    fn dtype(&self, index: usize) -> ElementType {
        self.graph.tensor(index).dtype
    }

    fn out_dtype(&self, layer: &Layer) -> ElementType {
        self.dtype(layer.outputs[0])
    }

    fn in_dtype(&self, layer: &Layer) -> ElementType {
        layer
            .inputs
            .first()
            .copied()
            .flatten()
            .map_or(ElementType::Float32, |i| self.dtype(i))
    }

    /// The element type of the optional input `slot` (a bias), if present.
    fn bias_dtype(&self, layer: &Layer, slot: usize) -> Option<ElementType> {
        layer
            .inputs
            .get(slot)
            .copied()
            .flatten()
            .map(|b| self.dtype(b))
    }

    /// Bytes per element of tensor `index` (for the data-movement kernels).
    fn element_size(&self, index: usize) -> Result<usize, LayerError> {
        let tensor = self.graph.tensor(index);
        match tensor.dtype.bytes_for(1) {
            Some(n @ (1 | 2 | 4 | 8)) => Ok(n),
            _ => Err(LayerError::NoKernel),
        }
    }

    fn elements(&self, index: usize) -> usize {
        self.graph.tensor(index).num_elements()
    }

    /// The C function of layer `index`: `NAME_layer<index>`. Every
    /// file-scope name in `NAME.c` carries the model's prefix, so that many
    /// models can share one translation unit (the tests' unity builds).
    pub(super) fn function_name(&self, index: usize) -> String {
        format!("{}_layer{index}", self.name)
    }

    /// Emits layer `layer` (a function named `NAME_layer<index>`).
    pub fn layer(&mut self, layer: &Layer) -> Result<EmittedLayer, LayerError> {
        let i = layer.index;
        if let InPlace::Alias { .. } = self.plan.in_place[i] {
            return Ok(EmittedLayer {
                kernel: None,
                code: format!(
                    "/* Layer {i}: {} shares its input's bytes (alias): nothing to run. */\nstatic ad_status {}(void)\n{{\n    return AD_OK;\n}}\n",
                    layer.op,
                    self.function_name(i)
                ),
            });
        }
        let emitted = match super::inplace::emit(self, layer)? {
            Some(emitted) => emitted,
            None => super::select::apply(self.kernels, self.plain(layer)?, layer),
        };
        let emitted = super::select::prewiden(
            self.kernels,
            self.graph,
            layer,
            &self.function_name(i),
            emitted,
        );
        self.with_scratch(layer, emitted)
    }

    /// `emitted` calling its kernel with `layer`'s scratch from the plan
    /// (an `ad_context` on the arena) instead of `NULL`, if it has some.
    fn with_scratch(
        &self,
        layer: &Layer,
        emitted: EmittedLayer,
    ) -> Result<EmittedLayer, LayerError> {
        let i = layer.index;
        let (Some(kernel), Some(p)) = (emitted.kernel, self.plan.scratch[i]) else {
            return Ok(emitted);
        };
        let call = format!("return {}(NULL, ", kernel.c_name());
        if emitted.code.matches(&call).count() != 1 {
            if super::select::scratch::least(kernel, layer) == 0 {
                return Ok(emitted);
            }
            // A kernel without its scratch returns AD_ERR_ARG: say so now.
            return Err(LayerError::Other(CodegenError::Unrepresentable {
                what: format!("layer {i}"),
                reason: format!(
                    "its call of {} cannot take the planned scratch",
                    kernel.c_name()
                ),
            }));
        }
        let code = emitted.code.replace(
            &call,
            &format!(
                "const ad_context ctx = {{.buf = ARENA({}u), .size = {}}}; /* scratch, planned */\n    return {}(&ctx, ",
                p.offset,
                p.size,
                kernel.c_name()
            ),
        );
        Ok(EmittedLayer { code, ..emitted })
    }

    /// Emits layer `layer` with its plain kernel, whatever its plan entry
    /// (the in-place emitter derives its calls from this one).
    pub(super) fn plain(&mut self, layer: &Layer) -> Result<EmittedLayer, LayerError> {
        let i = layer.index;
        let what = format!("layer {i} {}", layer.op);
        let mut statics = String::new();
        let mut body = String::new();
        let out_ty = self.out_dtype(layer);
        let kernel = match &layer.step {
            Step::Conv { window: w, numeric }
            | Step::Depthwise {
                window: w, numeric, ..
            } => {
                let depthwise = matches!(layer.step, Step::Depthwise { .. });
                let conv = format!(
                    "{{.stride = {{.h = {}, .w = {}}}, .padding = {{.h = {}, .w = {}}}, .dilation = {{.h = {}, .w = {}}}}}",
                    w.params.stride_h, w.params.stride_w, w.params.pad_h, w.params.pad_w, w.params.dilation_h, w.params.dilation_w
                );
                let (params_ty, params) = match &layer.step {
                    Step::Depthwise {
                        depth_multiplier, ..
                    } => (
                        "ad_dw_conv_params",
                        format!("{{.conv = {conv}, .depth_multiplier = {depth_multiplier}}}"),
                    ),
                    _ => ("ad_conv_params", conv),
                };
                let _ = writeln!(body, "    static const {params_ty} params = {params};");
                let (kernel, numeric_arg) = match (numeric, out_ty) {
                    (Numeric::Float(act), _) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation_f32 act = {};",
                            c::activation_f32(*act, &what)?
                        );
                        (
                            if depthwise {
                                Kernel::DepthwiseConv2dF32
                            } else {
                                Kernel::Conv2dF32
                            },
                            "&act",
                        )
                    }
                    (Numeric::Quant(r), ElementType::Int8) => {
                        per_channel_quant(&mut statics, &mut body, i, r, "ad_conv_quant")?;
                        (
                            if depthwise {
                                Kernel::DepthwiseConv2dS8
                            } else {
                                Kernel::Conv2dS8
                            },
                            "&quant",
                        )
                    }
                    (Numeric::Quant(r), ElementType::Int16) => {
                        // As the reference: an int32 bias sums in 32 bits, else 64
                        // (the reference refuses a 16x8 depthwise int32 bias).
                        let kernel = match (depthwise, self.bias_dtype(layer, 2)) {
                            (false, Some(ElementType::Int32)) => Kernel::Conv2dBias32S16,
                            (false, None | Some(ElementType::Int64)) => Kernel::Conv2dS16,
                            (true, None | Some(ElementType::Int64)) => Kernel::DepthwiseConv2dS16,
                            _ => return Err(LayerError::NoKernel),
                        };
                        per_channel_quant(&mut statics, &mut body, i, r, "ad_conv_quant")?;
                        (kernel, "&quant")
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                let bias = self.optional(layer, 2)?;
                self.window_call(&mut body, layer, kernel, numeric_arg, w, [0, 1], &bias)?;
                kernel
            }
            Step::TransposeConv {
                window: w, numeric, ..
            } => {
                let mut widened_bias = None;
                let _ = writeln!(
                    body,
                    "    static const ad_transpose_conv_params params = {{.stride = {{.h = {}, .w = {}}}, .padding = {{.h = {}, .w = {}}}}};",
                    w.params.stride_h, w.params.stride_w, w.params.pad_h, w.params.pad_w
                );
                let (kernel, numeric_arg) = match (numeric, out_ty) {
                    (Numeric::Float(act), _) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation_f32 act = {};",
                            c::activation_f32(*act, &what)?
                        );
                        (Kernel::TransposeConv2dF32, "&act")
                    }
                    (Numeric::Quant(r), ElementType::Int8) => {
                        per_channel_quant(&mut statics, &mut body, i, r, "ad_conv_quant")?;
                        (Kernel::TransposeConv2dS8, "&quant")
                    }
                    (Numeric::Quant(r), ElementType::Int16)
                        if matches!(self.bias_dtype(layer, 3), None | Some(ElementType::Int64)) =>
                    {
                        per_channel_quant(&mut statics, &mut body, i, r, "ad_conv_quant")?;
                        (Kernel::TransposeConv2dS16, "&quant")
                    }
                    // TFLite widens a constant int16 bias to int64: so does the emitter.
                    (Numeric::Quant(r), ElementType::Int16) => {
                        let wide: Vec<i64> = layer
                            .inputs
                            .get(3)
                            .copied()
                            .flatten()
                            .and_then(|b| self.graph.tensor(b).data_i16())
                            .ok_or(LayerError::NoKernel)?
                            .into_iter()
                            .map(i64::from)
                            .collect();
                        statics.push_str(&c::int_array(
                            "static const",
                            "int64_t",
                            &format!("layer{i}_bias64"),
                            &wide,
                        ));
                        widened_bias = Some(format!("layer{i}_bias64"));
                        per_channel_quant(&mut statics, &mut body, i, r, "ad_conv_quant")?;
                        (Kernel::TransposeConv2dS16, "&quant")
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                // Inputs: output shape, filter, input, optional bias.
                let bias = match widened_bias {
                    Some(b) => b,
                    None => self.optional(layer, 3)?,
                };
                self.window_call(&mut body, layer, kernel, numeric_arg, w, [2, 1], &bias)?;
                kernel
            }
            Step::FullyConnected { dims, numeric } => {
                let in_dims = format!("{{{}, 1, 1, {}}}", dims.batches, dims.input_depth);
                let filter_dims = format!("{{{}, 1, 1, {}}}", dims.output_depth, dims.input_depth);
                let out_dims = format!("{{{}, 1, 1, {}}}", dims.batches, dims.output_depth);
                let (kernel, numeric_arg) = match (numeric, out_ty) {
                    (Numeric::Float(act), _) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation_f32 act = {};",
                            c::activation_f32(*act, &what)?
                        );
                        (Kernel::FullyConnectedF32, "&act")
                    }
                    (Numeric::Quant(r), ElementType::Int8) if r.per_channel => {
                        per_channel_quant(
                            &mut statics,
                            &mut body,
                            i,
                            r,
                            "ad_fc_per_channel_quant",
                        )?;
                        (Kernel::FullyConnectedPerChannelS8, "&quant")
                    }
                    (Numeric::Quant(r), ElementType::Int8) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_fc_quant quant = {{.input_zero_point = {}, .filter_zero_point = {}, .output_zero_point = {}, .multiplier = {}, .shift = {}, .activation = {}}};",
                            r.input_zero_point,
                            r.filter_zero_point,
                            r.output_zero_point,
                            r.multiplier[0],
                            r.shift[0],
                            c::activation(r.activation)
                        );
                        (Kernel::FullyConnectedS8, "&quant")
                    }
                    (Numeric::Quant(r), ElementType::Int16) => {
                        // As the reference: an int32 bias sums in 32 bits, else 64.
                        let kernel = match self.bias_dtype(layer, 2) {
                            Some(ElementType::Int32) => Kernel::FullyConnectedBias32S16,
                            None | Some(ElementType::Int64) => Kernel::FullyConnectedS16,
                            Some(_) => return Err(LayerError::NoKernel),
                        };
                        let channels = if r.per_channel { r.multiplier.len() } else { 1 };
                        quant_tables(
                            &mut statics,
                            i,
                            &r.multiplier[..channels],
                            &r.shift[..channels],
                        )?;
                        let _ = writeln!(
                            body,
                            "    static const ad_fc_s16_quant quant = {{.input_zero_point = {}, .filter_zero_point = {}, .output_zero_point = {}, .channels = {channels}, .multiplier = layer{i}_multiplier, .shift = layer{i}_shift, .activation = {}}};",
                            r.input_zero_point,
                            // TFLite ignores the filter zero point with per-channel scales.
                            if r.per_channel { 0 } else { r.filter_zero_point },
                            r.output_zero_point,
                            c::activation(r.activation)
                        );
                        (kernel, "&quant")
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                let _ = writeln!(body, "    static const ad_dims input_dims = {in_dims};");
                let _ = writeln!(
                    body,
                    "    static const ad_dims filter_dims = {filter_dims};"
                );
                let _ = writeln!(body, "    static const ad_dims output_dims = {out_dims};");
                let (input, filter, bias, output) = (
                    self.input(layer, 0)?,
                    self.input(layer, 1)?,
                    self.optional(layer, 2)?,
                    self.output(layer, 0)?,
                );
                let _ = writeln!(
                    body,
                    "    return {}(NULL, {numeric_arg}, &input_dims, {input}, &filter_dims, {filter}, {bias}, &output_dims, {output});",
                    kernel.c_name()
                );
                kernel
            }
            Step::Pool {
                max,
                params,
                input,
                output,
                float,
                quant,
            } => {
                let _ = writeln!(
                    body,
                    "    static const ad_pool_params params = {{.stride = {{.h = {}, .w = {}}}, .padding = {{.h = {}, .w = {}}}, .filter = {{.h = {}, .w = {}}}}};",
                    params.stride_h, params.stride_w, params.pad_h, params.pad_w, params.filter_h, params.filter_w
                );
                let kernel = match (out_ty, *max) {
                    (ElementType::Float32, m) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation_f32 act = {};",
                            c::activation_f32(*float, &what)?
                        );
                        if m {
                            Kernel::MaxPoolF32
                        } else {
                            Kernel::AvgPoolF32
                        }
                    }
                    (ElementType::Int8, m) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation act = {};",
                            c::activation(*quant)
                        );
                        if m {
                            Kernel::MaxPoolS8
                        } else {
                            Kernel::AvgPoolS8
                        }
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                let _ = writeln!(
                    body,
                    "    static const ad_dims input_dims = {};",
                    c::dims(*input)
                );
                let _ = writeln!(
                    body,
                    "    static const ad_dims output_dims = {};",
                    c::dims(*output)
                );
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let _ = writeln!(
                    body,
                    "    return {}(NULL, &params, &act, &input_dims, {inp}, &output_dims, {out});",
                    kernel.c_name()
                );
                kernel
            }
            Step::AddSub {
                sub,
                shapes,
                float,
                quant,
            } => {
                let kernel = match (out_ty, quant, *sub) {
                    (ElementType::Float32, _, s) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation_f32 q = {};",
                            c::activation_f32(*float, &what)?
                        );
                        if s {
                            Kernel::SubF32
                        } else {
                            Kernel::AddF32
                        }
                    }
                    (ty @ (ElementType::Int8 | ElementType::Int16), Some(q), s) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_add_quant q = {{.left_shift = {}, .input1_zero_point = {}, .input1_multiplier = {}, .input1_shift = {}, .input2_zero_point = {}, .input2_multiplier = {}, .input2_shift = {}, .output_zero_point = {}, .output_multiplier = {}, .output_shift = {}, .activation = {}}};",
                            q.left_shift, q.input1_zero_point, q.input1_multiplier, q.input1_shift, q.input2_zero_point, q.input2_multiplier, q.input2_shift, q.output_zero_point, q.output_multiplier, q.output_shift, c::activation(q.activation)
                        );
                        match (ty, s) {
                            (ElementType::Int8, false) => Kernel::AddS8,
                            (ElementType::Int8, true) => Kernel::SubS8,
                            (_, false) => Kernel::AddS16,
                            (_, true) => Kernel::SubS16,
                        }
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                self.binary(layer, &mut body, kernel, Some("&q"), shapes, &what)?;
                kernel
            }
            Step::Mul {
                shapes,
                float,
                quant,
            } => {
                let kernel = match (out_ty, quant) {
                    (ElementType::Float32, _) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_activation_f32 q = {};",
                            c::activation_f32(*float, &what)?
                        );
                        Kernel::MulF32
                    }
                    (ty @ (ElementType::Int8 | ElementType::Int16), Some(q)) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_mul_quant q = {{.input1_zero_point = {}, .input2_zero_point = {}, .output_zero_point = {}, .output_multiplier = {}, .output_shift = {}, .activation = {}}};",
                            q.input1_zero_point, q.input2_zero_point, q.output_zero_point, q.output_multiplier, q.output_shift, c::activation(q.activation)
                        );
                        if ty == ElementType::Int8 {
                            Kernel::MulS8
                        } else {
                            Kernel::MulS16
                        }
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                self.binary(layer, &mut body, kernel, Some("&q"), shapes, &what)?;
                kernel
            }
            Step::MaxMin { max, shapes } => {
                let kernel = match (out_ty, *max) {
                    (ElementType::Int8, true) => Kernel::MaximumS8,
                    (ElementType::Int8, false) => Kernel::MinimumS8,
                    (ElementType::Int16, true) => Kernel::MaximumS16,
                    (ElementType::Int16, false) => Kernel::MinimumS16,
                    (ElementType::Float32, true) => Kernel::MaximumF32,
                    (ElementType::Float32, false) => Kernel::MinimumF32,
                    _ => return Err(LayerError::NoKernel),
                };
                self.binary(layer, &mut body, kernel, None, shapes, &what)?;
                kernel
            }
            Step::Softmax {
                beta,
                depth,
                quant,
                quant16,
            } => {
                let rows = self.elements(layer.outputs[0]) / (*depth).max(1);
                let (kernel, first) = match (self.in_dtype(layer), out_ty, quant) {
                    (ElementType::Float32, _, _) => {
                        (Kernel::SoftmaxF32, c::f32_literal(*beta, &what)?)
                    }
                    (ElementType::Int8, out, Some(q)) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_softmax_quant q = {{.input_multiplier = {}, .input_left_shift = {}, .diff_min = {}}};",
                            q.input_multiplier, q.input_left_shift, q.diff_min
                        );
                        (
                            if out == ElementType::Int16 {
                                Kernel::SoftmaxS8S16
                            } else {
                                Kernel::SoftmaxS8
                            },
                            "&q".to_string(),
                        )
                    }
                    (ElementType::Int16, ElementType::Int16, _) => {
                        let q = quant16.as_ref().ok_or(LayerError::NoKernel)?;
                        for (name, lut) in [
                            ("exp_lut", &q.exp_lut),
                            ("recip_lut", &q.one_over_one_plus_x_lut),
                        ] {
                            statics.push_str(&c::int_array(
                                "static const",
                                "int16_t",
                                &format!("layer{i}_{name}"),
                                &lut[..],
                            ));
                        }
                        let _ = writeln!(
                            body,
                            "    static const ad_softmax_s16_quant q = {{.input_multiplier = {}, .input_left_shift = {}, .exp_lut = layer{i}_exp_lut, .one_over_one_plus_x_lut = layer{i}_recip_lut}};",
                            q.input_multiplier, q.input_left_shift
                        );
                        (Kernel::SoftmaxS16, "&q".to_string())
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let _ = writeln!(
                    body,
                    "    return {}(NULL, {first}, {rows}, {depth}, {inp}, {out});",
                    kernel.c_name()
                );
                kernel
            }
            Step::Logistic(Some(SigmoidTanhQuant::S16(q)))
            | Step::Tanh(Some(SigmoidTanhQuant::S16(q))) => {
                let kernel = if matches!(layer.step, Step::Logistic(_)) {
                    Kernel::LogisticS16
                } else {
                    Kernel::TanhS16
                };
                let _ = writeln!(
                    body,
                    "    static const ad_sigmoid_tanh_s16_quant q = {{.input_multiplier = {}, .input_left_shift = {}}};",
                    q.input_multiplier, q.input_left_shift
                );
                self.unary(layer, &mut body, kernel, Some("&q"))?;
                kernel
            }
            Step::Logistic(Some(SigmoidTanhQuant::S8(q)))
            | Step::Tanh(Some(SigmoidTanhQuant::S8(q))) => {
                let kernel = if matches!(layer.step, Step::Logistic(_)) {
                    Kernel::LogisticS8
                } else {
                    Kernel::TanhS8
                };
                let _ = writeln!(
                    body,
                    "    static const ad_sigmoid_tanh_quant q = {{.input_zero_point = {}, .input_range_radius = {}, .input_multiplier = {}, .input_left_shift = {}}};",
                    q.input_zero_point, q.input_range_radius, q.input_multiplier, q.input_left_shift
                );
                self.unary(layer, &mut body, kernel, Some("&q"))?;
                kernel
            }
            Step::Relu(None) | Step::Relu6(None) => {
                let kernel = if matches!(layer.step, Step::Relu(_)) {
                    Kernel::ReluF32
                } else {
                    Kernel::Relu6F32
                };
                self.unary(layer, &mut body, kernel, None)?;
                kernel
            }
            Step::Relu(Some(q)) if out_ty == ElementType::Int8 => {
                let _ = writeln!(
                    body,
                    "    static const ad_relu_quant q = {{.requant = {{.input_zero_point = {}, .output_zero_point = {}, .multiplier = {}, .shift = {}}}, .activation = {}}};",
                    q.input_zero_point, q.output_zero_point, q.multiplier, q.shift, c::activation(q.activation)
                );
                self.unary(layer, &mut body, Kernel::ReluS8, Some("&q"))?;
                Kernel::ReluS8
            }
            Step::Relu6(Some(q)) if out_ty == ElementType::Int8 => {
                let _ = writeln!(
                    body,
                    "    static const ad_relu6_quant q = {{.zero = {}, .six = {}}};",
                    q.zero, q.six
                );
                self.unary(layer, &mut body, Kernel::Relu6S8, Some("&q"))?;
                Kernel::Relu6S8
            }
            Step::Quantize {
                scale,
                zero_point,
                requant,
            } => {
                let kernel = match (self.in_dtype(layer), out_ty) {
                    (ElementType::Float32, ElementType::Int8) => Kernel::QuantizeF32S8,
                    (ElementType::Float32, ElementType::Int16) => Kernel::QuantizeF32S16,
                    (ElementType::Int8, ElementType::Int8) => Kernel::QuantizeS8S8,
                    (ElementType::Int8, ElementType::Int16) => Kernel::QuantizeS8S16,
                    (ElementType::Int16, ElementType::Int8) => Kernel::QuantizeS16S8,
                    (ElementType::Int16, ElementType::Int16) => Kernel::QuantizeS16S16,
                    (ElementType::Int8, ElementType::Int32) => Kernel::QuantizeS8S32,
                    (ElementType::Int8, ElementType::Uint8) => Kernel::QuantizeS8U8,
                    (ElementType::Int16, ElementType::Int32) => Kernel::QuantizeS16S32,
                    _ => return Err(LayerError::NoKernel),
                };
                if self.in_dtype(layer) == ElementType::Float32 {
                    let args = format!("{}, {zero_point}", c::f32_literal(*scale, &what)?);
                    self.unary(layer, &mut body, kernel, Some(&args))?;
                } else {
                    let _ = writeln!(
                        body,
                        "    static const ad_requant q = {{.input_zero_point = {}, .output_zero_point = {}, .multiplier = {}, .shift = {}}};",
                        requant.input_zero_point, requant.output_zero_point, requant.multiplier, requant.shift
                    );
                    self.unary(layer, &mut body, kernel, Some("&q"))?;
                }
                kernel
            }
            Step::Dequantize { scale, zero_point } => {
                let kernel = match self.in_dtype(layer) {
                    ElementType::Int8 => Kernel::DequantizeS8F32,
                    ElementType::Int16 => Kernel::DequantizeS16F32,
                    ElementType::Uint8 => Kernel::DequantizeU8F32,
                    _ => return Err(LayerError::NoKernel),
                };
                let args = format!("{}, {zero_point}", c::f32_literal(*scale, &what)?);
                self.unary(layer, &mut body, kernel, Some(&args))?;
                kernel
            }
            Step::Copy => {
                let bytes = self.graph.tensor(layer.outputs[0]).byte_size();
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let _ = writeln!(body, "    return ad_reshape(NULL, {bytes}, {inp}, {out});");
                Kernel::Reshape
            }
            Step::Logistic(None) | Step::Tanh(None) => {
                let kernel = if matches!(layer.step, Step::Logistic(_)) {
                    Kernel::LogisticF32
                } else {
                    Kernel::TanhF32
                };
                self.unary(layer, &mut body, kernel, None)?;
                kernel
            }
            Step::LeakyRelu { alpha, quant } => {
                let kernel = match (out_ty, quant) {
                    (ElementType::Float32, _) => {
                        let alpha = c::f32_literal(*alpha, &what)?;
                        self.unary(layer, &mut body, Kernel::LeakyReluF32, Some(&alpha))?;
                        return self.finish(layer, statics, body, Kernel::LeakyReluF32);
                    }
                    (ElementType::Int8, Some(_)) => Kernel::LeakyReluS8,
                    (ElementType::Int16, Some(_)) => Kernel::LeakyReluS16,
                    _ => return Err(LayerError::NoKernel),
                };
                let q = quant.as_ref().ok_or(LayerError::NoKernel)?;
                let _ = writeln!(
                    body,
                    "    static const ad_leaky_relu_quant q = {{.input_zero_point = {}, .output_zero_point = {}, .multiplier_alpha = {}, .shift_alpha = {}, .multiplier_identity = {}, .shift_identity = {}}};",
                    q.input_zero_point, q.output_zero_point, q.multiplier_alpha, q.shift_alpha, q.multiplier_identity, q.shift_identity
                );
                self.unary(layer, &mut body, kernel, Some("&q"))?;
                kernel
            }
            Step::HardSwish(None) => {
                self.unary(layer, &mut body, Kernel::HardSwishF32, None)?;
                Kernel::HardSwishF32
            }
            Step::HardSwish(Some(q)) if out_ty == ElementType::Int8 => {
                let _ = writeln!(
                    body,
                    "    static const ad_hard_swish_quant q = {{.input_zero_point = {}, .output_zero_point = {}, .reluish_multiplier_fixedpoint_int16 = {}, .reluish_multiplier_exponent = {}, .output_multiplier_fixedpoint_int16 = {}, .output_multiplier_exponent = {}}};",
                    q.input_zero_point, q.output_zero_point, q.reluish_multiplier_fixedpoint_int16, q.reluish_multiplier_exponent, q.output_multiplier_fixedpoint_int16, q.output_multiplier_exponent
                );
                self.unary(layer, &mut body, Kernel::HardSwishS8, Some("&q"))?;
                Kernel::HardSwishS8
            }
            Step::Mean { shape, axes, quant } => {
                let _ = writeln!(
                    body,
                    "    static const ad_shape shape = {};",
                    c::shape(shape, &what)?
                );
                statics.push_str(&c::int_array(
                    "static const",
                    "int32_t",
                    &format!("layer{i}_axes"),
                    axes,
                ));
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let n = axes.len();
                let kernel = match out_ty {
                    ElementType::Float32 => {
                        let _ = writeln!(
                            body,
                            "    return ad_mean_f32(NULL, &shape, {n}, layer{i}_axes, {inp}, {out});"
                        );
                        Kernel::MeanF32
                    }
                    ElementType::Int8 => {
                        let _ = writeln!(
                            body,
                            "    static const ad_mean_quant q = {{.input_zero_point = {}, .output_zero_point = {}, .multiplier = {}, .shift = {}}};",
                            quant.input_zero_point, quant.output_zero_point, quant.multiplier, quant.shift
                        );
                        let _ = writeln!(
                            body,
                            "    return ad_mean_s8(NULL, &q, &shape, {n}, layer{i}_axes, {inp}, {out});"
                        );
                        Kernel::MeanS8
                    }
                    _ => return Err(LayerError::NoKernel),
                };
                kernel
            }
            Step::BatchMatMul {
                params,
                lhs,
                rhs,
                quant,
            } => {
                let _ = writeln!(
                    body,
                    "    static const ad_batch_matmul_params params = {{.adj_x = {}, .adj_y = {}}};",
                    i32::from(params.adj_x),
                    i32::from(params.adj_y)
                );
                let _ = writeln!(
                    body,
                    "    static const ad_shape lhs_shape = {};",
                    c::shape(lhs, &what)?
                );
                let _ = writeln!(
                    body,
                    "    static const ad_shape rhs_shape = {};",
                    c::shape(rhs, &what)?
                );
                let (x, y, out) = (
                    self.input(layer, 0)?,
                    self.input(layer, 1)?,
                    self.output(layer, 0)?,
                );
                match (out_ty, quant) {
                    (ElementType::Float32, None) => {
                        let _ = writeln!(
                            body,
                            "    return ad_batch_matmul_f32(NULL, &params, &lhs_shape, {x}, &rhs_shape, {y}, {out});"
                        );
                        Kernel::BatchMatmulF32
                    }
                    (ElementType::Int8, Some(q)) => {
                        let _ = writeln!(
                            body,
                            "    static const ad_batch_matmul_quant q = {{.lhs_zero_point = {}, .rhs_zero_point = {}, .output_zero_point = {}, .multiplier = {}, .shift = {}}};",
                            q.lhs_zero_point, q.rhs_zero_point, q.output_zero_point, q.multiplier, q.shift
                        );
                        let _ = writeln!(
                            body,
                            "    return ad_batch_matmul_s8(NULL, &params, &q, &lhs_shape, {x}, &rhs_shape, {y}, {out});"
                        );
                        Kernel::BatchMatmulS8
                    }
                    _ => return Err(LayerError::NoKernel),
                }
            }
            Step::Pad {
                shape,
                paddings,
                value,
            } => {
                let es = self.element_size(layer.outputs[0])?;
                let value = match *value {
                    PadValue::I8(v) => format!("static const int8_t pad_value = {v};"),
                    PadValue::I16(v) => format!("static const int16_t pad_value = {v};"),
                    PadValue::F32(v) => {
                        format!(
                            "static const float pad_value = {};",
                            c::f32_literal(v, &what)?
                        )
                    }
                };
                let list = |f: &dyn Fn(&(i32, i32)) -> i32| -> String {
                    let v: Vec<String> = paddings.iter().map(|p| f(p).to_string()).collect();
                    if v.is_empty() {
                        "0".into()
                    } else {
                        v.join(", ")
                    }
                };
                let _ = writeln!(body, "    {value}");
                let _ = writeln!(
                    body,
                    "    static const ad_pad_params params = {{.before = {{{}}}, .after = {{{}}}}};",
                    list(&|p| p.0),
                    list(&|p| p.1)
                );
                let _ = writeln!(
                    body,
                    "    static const ad_shape shape = {};",
                    c::shape(shape, &what)?
                );
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let _ = writeln!(
                    body,
                    "    return ad_pad(NULL, &params, {es}, &pad_value, &shape, {inp}, {out});"
                );
                Kernel::Pad
            }
            Step::StridedSlice {
                shape,
                begin,
                end,
                strides,
                begin_mask,
                end_mask,
                shrink_axis_mask,
            } => {
                let es = self.element_size(layer.outputs[0])?;
                let list = |v: &[i32]| -> String {
                    if v.is_empty() {
                        "0".into()
                    } else {
                        v.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                let _ = writeln!(
                    body,
                    "    static const ad_strided_slice_params params = {{.begin = {{{}}}, .end = {{{}}}, .strides = {{{}}}, .begin_mask = {begin_mask}u, .end_mask = {end_mask}u, .shrink_axis_mask = {shrink_axis_mask}u}};",
                    list(begin),
                    list(end),
                    list(strides)
                );
                let _ = writeln!(
                    body,
                    "    static const ad_shape shape = {};",
                    c::shape(shape, &what)?
                );
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let _ = writeln!(
                    body,
                    "    return ad_strided_slice(NULL, &params, {es}, &shape, {inp}, {out});"
                );
                Kernel::StridedSlice
            }
            Step::Transpose { shape, perm } => {
                let es = self.element_size(layer.outputs[0])?;
                statics.push_str(&c::int_array(
                    "static const",
                    "int32_t",
                    &format!("layer{i}_perm"),
                    perm,
                ));
                let _ = writeln!(
                    body,
                    "    static const ad_shape shape = {};",
                    c::shape(shape, &what)?
                );
                let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
                let _ = writeln!(
                    body,
                    "    return ad_transpose(NULL, layer{i}_perm, {es}, &shape, {inp}, {out});"
                );
                Kernel::Transpose
            }
            Step::Concatenation { axis, shapes } => {
                let es = self.element_size(layer.outputs[0])?;
                let shape_list = shapes
                    .iter()
                    .map(|s| c::shape(s, &what))
                    .collect::<Result<Vec<_>, _>>()?;
                let inputs = (0..layer.inputs.len())
                    .filter(|&slot| layer.inputs[slot].is_some())
                    .map(|slot| self.input(layer, slot))
                    .collect::<Result<Vec<_>, _>>()?;
                let n = inputs.len();
                let _ = writeln!(
                    body,
                    "    static const ad_shape shapes[{n}] = {{{}}};",
                    shape_list.join(", ")
                );
                let _ = writeln!(
                    body,
                    "    const void *const inputs[{n}] = {{{}}};",
                    inputs.join(", ")
                );
                let out = self.output(layer, 0)?;
                let _ = writeln!(
                    body,
                    "    return ad_concatenation(NULL, {axis}, {es}, {n}, shapes, inputs, {out});"
                );
                Kernel::Concatenation
            }
            Step::Pack { axis, shape } => {
                let es = self.element_size(layer.outputs[0])?;
                let inputs = (0..layer.inputs.len())
                    .filter(|&slot| layer.inputs[slot].is_some())
                    .map(|slot| self.input(layer, slot))
                    .collect::<Result<Vec<_>, _>>()?;
                let n = inputs.len();
                let _ = writeln!(
                    body,
                    "    static const ad_shape shape = {};",
                    c::shape(shape, &what)?
                );
                let _ = writeln!(
                    body,
                    "    const void *const inputs[{n}] = {{{}}};",
                    inputs.join(", ")
                );
                let out = self.output(layer, 0)?;
                let _ = writeln!(
                    body,
                    "    return ad_pack(NULL, {axis}, {es}, {n}, &shape, inputs, {out});"
                );
                Kernel::Pack
            }
            Step::Unpack { axis, shape } | Step::Split { axis, shape, .. } => {
                let es = self.element_size(layer.outputs[0])?;
                let outputs = (0..layer.outputs.len())
                    .map(|slot| self.output(layer, slot))
                    .collect::<Result<Vec<_>, _>>()?;
                let n = outputs.len();
                let _ = writeln!(
                    body,
                    "    static const ad_shape shape = {};",
                    c::shape(shape, &what)?
                );
                let _ = writeln!(
                    body,
                    "    void *const outputs[{n}] = {{{}}};",
                    outputs.join(", ")
                );
                match &layer.step {
                    Step::Split { sizes, .. } => {
                        // SPLIT_V: the data is input 0; SPLIT: input 0 is the axis.
                        let (inp, sizes_arg) = match sizes {
                            Some(sizes) => {
                                statics.push_str(&c::int_array(
                                    "static const",
                                    "int32_t",
                                    &format!("layer{i}_sizes"),
                                    sizes,
                                ));
                                (self.input(layer, 0)?, format!("layer{i}_sizes"))
                            }
                            None => (self.input(layer, 1)?, "NULL".to_string()),
                        };
                        let _ = writeln!(
                            body,
                            "    return ad_split(NULL, {axis}, {es}, &shape, {inp}, {n}, {sizes_arg}, outputs);"
                        );
                        Kernel::Split
                    }
                    _ => {
                        let inp = self.input(layer, 0)?;
                        let _ = writeln!(
                            body,
                            "    return ad_unpack(NULL, {axis}, {es}, &shape, {inp}, {n}, outputs);"
                        );
                        Kernel::Unpack
                    }
                }
            }
            _ => return Err(LayerError::NoKernel),
        };
        self.finish(layer, statics, body, kernel)
    }

    /// The `NAME_layerN` function around `body`, the `statics` first in it
    /// (block scope: their names need not be unique across models).
    fn finish(
        &self,
        layer: &Layer,
        statics: String,
        body: String,
        kernel: Kernel,
    ) -> Result<EmittedLayer, LayerError> {
        let i = layer.index;
        let code = format!(
            "/* Layer {i}: {} -> {} ({}) */\nstatic ad_status {}(void)\n{{\n{statics}{body}}}\n",
            layer.op,
            self.graph.tensor(layer.outputs[0]).dtype,
            kernel.c_name(),
            self.function_name(i)
        );
        Ok(EmittedLayer {
            kernel: Some(kernel),
            code,
        })
    }

    /// The dims of a convolution window and the call
    /// `kernel(NULL, &params, quant, dims, input, dims, filter, bias, dims, output)`,
    /// reading input and filter from the layer's input slots `[input, filter]`.
    #[allow(clippy::too_many_arguments)]
    fn window_call(
        &mut self,
        body: &mut String,
        layer: &Layer,
        kernel: Kernel,
        numeric_arg: &str,
        w: &Window,
        [input, filter]: [usize; 2],
        bias: &str,
    ) -> Result<(), LayerError> {
        for (name, dims) in [
            ("input", w.input),
            ("filter", w.filter),
            ("output", w.output),
        ] {
            let _ = writeln!(
                body,
                "    static const ad_dims {name}_dims = {};",
                c::dims(dims)
            );
        }
        let (input, filter, output) = (
            self.input(layer, input)?,
            self.input(layer, filter)?,
            self.output(layer, 0)?,
        );
        let _ = writeln!(
            body,
            "    return {}(NULL, &params, {numeric_arg}, &input_dims, {input}, &filter_dims, {filter}, {bias}, &output_dims, {output});",
            kernel.c_name()
        );
        Ok(())
    }

    /// `kernel(NULL, [q,] size, in, out)` for element-wise unary kernels.
    fn unary(
        &mut self,
        layer: &Layer,
        body: &mut String,
        kernel: Kernel,
        args: Option<&str>,
    ) -> Result<(), LayerError> {
        let size = self.elements(layer.outputs[0]);
        let (inp, out) = (self.input(layer, 0)?, self.output(layer, 0)?);
        let args = args.map(|a| format!("{a}, ")).unwrap_or_default();
        let _ = writeln!(
            body,
            "    return {}(NULL, {args}{size}, {inp}, {out});",
            kernel.c_name()
        );
        Ok(())
    }

    /// `kernel(NULL, [q,] &shape1, in1, &shape2, in2, &out_shape, out)`.
    fn binary(
        &mut self,
        layer: &Layer,
        body: &mut String,
        kernel: Kernel,
        quant: Option<&str>,
        [a, b, o]: &[Vec<usize>; 3],
        what: &str,
    ) -> Result<(), LayerError> {
        let _ = writeln!(
            body,
            "    static const ad_shape shape1 = {};",
            c::shape(a, what)?
        );
        let _ = writeln!(
            body,
            "    static const ad_shape shape2 = {};",
            c::shape(b, what)?
        );
        let _ = writeln!(
            body,
            "    static const ad_shape out_shape = {};",
            c::shape(o, what)?
        );
        let (x, y, out) = (
            self.input(layer, 0)?,
            self.input(layer, 1)?,
            self.output(layer, 0)?,
        );
        let quant = quant.map(|q| format!("{q}, ")).unwrap_or_default();
        let _ = writeln!(
            body,
            "    return {}(NULL, {quant}&shape1, {x}, &shape2, {y}, &out_shape, {out});",
            kernel.c_name()
        );
        Ok(())
    }
}

/// The per-channel multiplier and shift tables of layer `i` (static, in
/// flash) and a `quant` struct of C type `ty` pointing at them: the same
/// fields for convolutions and per-channel dense layers.
fn per_channel_quant(
    statics: &mut String,
    body: &mut String,
    i: usize,
    r: &Requant,
    ty: &str,
) -> Result<(), LayerError> {
    quant_tables(statics, i, &r.multiplier, &r.shift)?;
    let _ = writeln!(
        body,
        "    static const {ty} quant = {{.input_zero_point = {}, .output_zero_point = {}, .multiplier = layer{i}_multiplier, .shift = layer{i}_shift, .activation = {}}};",
        r.input_zero_point,
        r.output_zero_point,
        c::activation(r.activation)
    );
    Ok(())
}

/// The `layer<i>_multiplier` (int32) and `layer<i>_shift` (int8: shifts lie
/// in -31..=30) tables, static, in flash.
fn quant_tables(
    statics: &mut String,
    i: usize,
    multiplier: &[i32],
    shift: &[i32],
) -> Result<(), LayerError> {
    if let Some(bad) = shift.iter().find(|s| i8::try_from(**s).is_err()) {
        return Err(LayerError::Other(CodegenError::Unrepresentable {
            what: format!("layer {i} shift table"),
            reason: format!("shift {bad} does not fit the runtime's int8 shift tables"),
        }));
    }
    statics.push_str(&c::int_array(
        "static const",
        "int32_t",
        &format!("layer{i}_multiplier"),
        multiplier,
    ));
    statics.push_str(&c::int_array(
        "static const",
        "int8_t",
        &format!("layer{i}_shift"),
        shift,
    ));
    Ok(())
}
