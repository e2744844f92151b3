//! One layer of the interpreter: the kernel parameters prepared from the
//! model once (`prepare`), and the kernel call made at every invoke (`run`).
//!
//! Preparation mirrors TensorFlow Lite Micro's `Prepare` functions (through
//! `crate::prepare`), so the integer parameters are the ones it computes;
//! checks that TensorFlow Lite Micro makes at that point (softmax output
//! scale, equal quantization for concatenation...) are made here too.

use autodeploy_model::{Activation, ElementType, Graph, OpKind, Operator, Padding, Tensor};

use crate::buffer::{Buffer, Element};
use crate::error::ReferenceError;
use crate::kernels::activation::SigmoidTanhQuant;
use crate::kernels::sigmoid_table::SIGMOID_TABLE;
use crate::kernels::{self, conv, Dims4, FloatActivation, KernelError, QuantActivation};
use crate::prepare::{self, FusedActivation, QParams, QuantType};

/// Everything a layer needs at run time besides the tensors.
pub struct Layer {
    pub index: usize,
    pub op: String,
    pub inputs: Vec<Option<usize>>,
    pub outputs: Vec<usize>,
    pub step: Step,
}

/// Geometry shared by convolutions and pooling.
pub struct Window {
    pub input: Dims4,
    pub filter: Dims4,
    pub output: Dims4,
    pub params: conv::ConvParams,
}

/// How a convolution's window moves, as the options give it.
struct Geometry {
    padding: Padding,
    strides: [i32; 2],
    dilations: [i32; 2],
    /// Pad relative to the output size (TRANSPOSE_CONV) instead of the input's.
    pad_from_output: bool,
}

/// Requantization of a convolution or dense layer.
pub struct Requant {
    pub input_zero_point: i32,
    pub filter_zero_point: i32,
    pub output_zero_point: i32,
    pub multiplier: Vec<i32>,
    pub shift: Vec<i32>,
    pub per_channel: bool,
    pub activation: QuantActivation,
}

/// Clamping of a float kernel, or requantization of an integer one.
pub enum Numeric {
    Float(FloatActivation),
    Quant(Requant),
}

pub enum Step {
    Conv {
        window: Window,
        numeric: Numeric,
    },
    Depthwise {
        window: Window,
        depth_multiplier: usize,
        numeric: Numeric,
    },
    TransposeConv {
        window: Window,
        numeric: Numeric,
        scratch: Vec<i64>,
    },
    FullyConnected {
        dims: kernels::fully_connected::FcDims,
        numeric: Numeric,
    },
    Pool {
        max: bool,
        params: kernels::pool::PoolParams,
        input: Dims4,
        output: Dims4,
        float: FloatActivation,
        quant: QuantActivation,
    },
    AddSub {
        sub: bool,
        shapes: [Vec<usize>; 3],
        float: FloatActivation,
        quant: Option<kernels::elementwise::AddSubQuant>,
    },
    Mul {
        shapes: [Vec<usize>; 3],
        float: FloatActivation,
        quant: Option<kernels::elementwise::MulQuant>,
    },
    MaxMin {
        max: bool,
        shapes: [Vec<usize>; 3],
    },
    Softmax {
        beta: f32,
        depth: usize,
        quant: Option<kernels::softmax::SoftmaxQuant>,
        quant16: Option<Box<kernels::softmax::SoftmaxS16Quant>>,
    },
    Logistic(Option<kernels::activation::SigmoidTanhQuant>),
    Tanh(Option<kernels::activation::SigmoidTanhQuant>),
    Relu(Option<kernels::activation::ReluQuant>),
    Relu6(Option<kernels::activation::Relu6Quant>),
    LeakyRelu {
        alpha: f32,
        quant: Option<kernels::activation::LeakyReluQuant>,
    },
    HardSwish(Option<kernels::activation::HardSwishQuant>),
    Quantize {
        scale: f32,
        zero_point: i32,
        requant: kernels::quantize::RequantizeQuant,
    },
    Dequantize {
        scale: f32,
        zero_point: i32,
    },
    Copy,
    Mean {
        shape: Vec<usize>,
        axes: Vec<i32>,
        quant: kernels::reduce::MeanQuant,
    },
    Pad {
        shape: Vec<usize>,
        paddings: Vec<(i32, i32)>,
        value: PadValue,
    },
    StridedSlice {
        shape: Vec<usize>,
        begin: Vec<i32>,
        end: Vec<i32>,
        strides: Vec<i32>,
        begin_mask: u32,
        end_mask: u32,
        shrink_axis_mask: u32,
    },
    Transpose {
        shape: Vec<usize>,
        perm: Vec<i32>,
    },
    Concatenation {
        axis: i32,
        shapes: Vec<Vec<usize>>,
    },
    Pack {
        axis: i32,
        shape: Vec<usize>,
    },
    Unpack {
        axis: i32,
        shape: Vec<usize>,
    },
    Split {
        axis: i32,
        shape: Vec<usize>,
        /// Sizes along the axis for SPLIT_V; `None` for even SPLIT.
        sizes: Option<Vec<usize>>,
    },
    BatchMatMul {
        params: kernels::batch_matmul::BatchMatMulParams,
        lhs: Vec<usize>,
        rhs: Vec<usize>,
        quant: Option<kernels::batch_matmul::BatchMatMulQuant>,
    },
}

/// The padding value of PAD/PADV2, in the tensor's type.
#[derive(Clone, Copy)]
pub enum PadValue {
    I8(i8),
    I16(i16),
    F32(f32),
}

type Prepared = Result<Step, ReferenceError>;

impl Layer {
    /// Prepares `op`: every integer parameter its kernel takes.
    pub fn prepare(graph: &Graph, op: &Operator) -> Result<Layer, ReferenceError> {
        let cx = Cx { graph, op };
        let step = cx.step()?;
        // Every operator the interpreter runs has its inputs in slots 0..n
        // and reads only those: unify omitted optional inputs here.
        Ok(Layer {
            index: op.index,
            op: op.name().to_string(),
            inputs: op.inputs.clone(),
            outputs: op.outputs.clone(),
            step,
        })
    }

    /// Runs the layer over the interpreter's buffers.
    pub(crate) fn run(&mut self, buffers: &mut [Buffer]) -> Result<(), ReferenceError> {
        // Outputs are taken out of the buffer list so that inputs can be
        // borrowed from it at the same time (a layer never reads its output).
        let mut outs: Vec<Buffer> = self
            .outputs
            .iter()
            .map(|&o| std::mem::take(&mut buffers[o]))
            .collect();
        let result = run_step(&mut self.step, &self.inputs, buffers, &mut outs);
        for (&o, buffer) in self.outputs.iter().zip(outs) {
            buffers[o] = buffer;
        }
        result.map_err(|source| ReferenceError::Kernel {
            layer: self.index,
            op: self.op.clone(),
            source,
        })
    }
}

/// The layer being prepared, for short accessors and errors that name it.
struct Cx<'a> {
    graph: &'a Graph,
    op: &'a Operator,
}

impl<'a> Cx<'a> {
    fn unsupported(&self, reason: impl Into<String>) -> ReferenceError {
        ReferenceError::Unsupported {
            layer: self.op.index,
            op: self.op.name().to_string(),
            reason: reason.into(),
        }
    }

    fn prepare_err(&self, source: prepare::PrepareError) -> ReferenceError {
        ReferenceError::Prepare {
            layer: self.op.index,
            op: self.op.name().to_string(),
            source,
        }
    }

    fn input(&self, slot: usize) -> Result<&'a Tensor, ReferenceError> {
        self.graph
            .input_of(self.op, slot)
            .ok_or_else(|| self.unsupported(format!("input {slot} is missing")))
    }

    fn output(&self) -> Result<&'a Tensor, ReferenceError> {
        self.graph
            .output_of(self.op, 0)
            .ok_or_else(|| self.unsupported("output is missing"))
    }

    fn qparams(&self, t: &Tensor) -> Result<QParams, ReferenceError> {
        let q = t
            .quant
            .as_ref()
            .ok_or_else(|| self.unsupported(format!("tensor {} is not quantized", t.label())))?;
        Ok(QParams {
            scale: q.scale(),
            zero_point: q.zero_point() as i32,
        })
    }

    /// A constant integer input (shapes, axes, paddings), widened to i32.
    fn const_ints(&self, slot: usize) -> Result<Vec<i32>, ReferenceError> {
        let t = self.input(slot)?;
        let values = t.data_as_i64().ok_or_else(|| {
            self.unsupported(format!(
                "input {slot} ({}) must be a constant integer tensor",
                t.label()
            ))
        })?;
        Ok(values.into_iter().map(|v| v as i32).collect())
    }

    fn quant_type(&self, t: &Tensor) -> Result<QuantType, ReferenceError> {
        match t.dtype {
            ElementType::Int8 => Ok(QuantType::Int8),
            ElementType::Int16 => Ok(QuantType::Int16),
            ElementType::Uint8 => Ok(QuantType::UInt8),
            other => Err(self.unsupported(format!("{other} is not a quantized type"))),
        }
    }

    fn float_activation(&self) -> FloatActivation {
        prepare::activation_range_f32(fused(self.op.kind.fused_activation()))
    }

    /// The fused activation's clamp range in the output's integer domain.
    fn quant_activation(&self, output: &Tensor) -> Result<QuantActivation, ReferenceError> {
        let q = self.qparams(output)?;
        prepare::activation_range_quantized(
            fused(self.op.kind.fused_activation()),
            q.scale,
            q.zero_point,
            self.quant_type(output)?,
        )
        .map_err(|e| self.prepare_err(e))
    }

    fn step(&self) -> Prepared {
        use OpKind as K;
        match &self.op.kind {
            K::Conv2d(o) => self.conv(
                o.padding,
                [o.stride_h, o.stride_w],
                [o.dilation_h, o.dilation_w],
                None,
            ),
            K::DepthwiseConv2d(o) => self.conv(
                o.padding,
                [o.stride_h, o.stride_w],
                [o.dilation_h, o.dilation_w],
                Some(o.depth_multiplier),
            ),
            K::TransposeConv(o) => self.transpose_conv(o.padding, [o.stride_h, o.stride_w]),
            K::FullyConnected(_) => self.fully_connected(),
            K::AveragePool2d(o) | K::MaxPool2d(o) => {
                let input =
                    dims4(self.input(0)?).ok_or_else(|| self.unsupported("input must be 4-D"))?;
                let output_t = self.output()?;
                let output =
                    dims4(output_t).ok_or_else(|| self.unsupported("output must be 4-D"))?;
                let pad = |size, filter, stride| {
                    prepare::compute_padding(pad_kind(o.padding), size, filter, stride, 1)
                        .map(|p| p.pad)
                        .map_err(|e| self.prepare_err(e))
                };
                let (fh, fw, sh, sw) = (
                    o.filter_h as usize,
                    o.filter_w as usize,
                    o.stride_h as usize,
                    o.stride_w as usize,
                );
                let params = kernels::pool::PoolParams {
                    stride_h: sh,
                    stride_w: sw,
                    filter_h: fh,
                    filter_w: fw,
                    pad_h: pad(input.h, fh, sh)?,
                    pad_w: pad(input.w, fw, sw)?,
                };
                let quant = if output_t.dtype == ElementType::Float32 {
                    QuantActivation::S8
                } else {
                    self.quant_activation(output_t)?
                };
                Ok(Step::Pool {
                    max: matches!(self.op.kind, K::MaxPool2d(_)),
                    params,
                    input,
                    output,
                    float: self.float_activation(),
                    quant,
                })
            }
            K::Add { .. } | K::Sub { .. } => {
                let sub = matches!(self.op.kind, K::Sub { .. });
                let (a, b, out) = (self.input(0)?, self.input(1)?, self.output()?);
                let quant = if out.dtype == ElementType::Float32 {
                    None
                } else {
                    let prep = if sub {
                        prepare::sub_quant
                    } else {
                        prepare::add_quant
                    };
                    Some(
                        prep(
                            self.qparams(a)?,
                            self.qparams(b)?,
                            self.qparams(out)?,
                            self.quant_type(out)?,
                            fused(self.op.kind.fused_activation()),
                        )
                        .map_err(|e| self.prepare_err(e))?,
                    )
                };
                Ok(Step::AddSub {
                    sub,
                    shapes: [a.shape.clone(), b.shape.clone(), out.shape.clone()],
                    float: self.float_activation(),
                    quant,
                })
            }
            K::Mul { .. } => {
                let (a, b, out) = (self.input(0)?, self.input(1)?, self.output()?);
                let quant = if out.dtype == ElementType::Float32 {
                    None
                } else {
                    Some(
                        prepare::mul_quant(
                            self.qparams(a)?,
                            self.qparams(b)?,
                            self.qparams(out)?,
                            self.quant_type(out)?,
                            fused(self.op.kind.fused_activation()),
                        )
                        .map_err(|e| self.prepare_err(e))?,
                    )
                };
                Ok(Step::Mul {
                    shapes: [a.shape.clone(), b.shape.clone(), out.shape.clone()],
                    float: self.float_activation(),
                    quant,
                })
            }
            K::Maximum | K::Minimum => {
                let (a, b, out) = (self.input(0)?, self.input(1)?, self.output()?);
                self.same_quant(&[a, b], out)?;
                Ok(Step::MaxMin {
                    max: matches!(self.op.kind, K::Maximum),
                    shapes: [a.shape.clone(), b.shape.clone(), out.shape.clone()],
                })
            }
            K::Softmax { beta } => self.softmax(*beta),
            K::Logistic | K::Tanh => {
                let (input, output) = (self.input(0)?, self.output()?);
                let quant = match input.dtype {
                    ElementType::Float32 => None,
                    ElementType::Int8 => {
                        let q = self.qparams(input)?;
                        let expected = if matches!(self.op.kind, K::Logistic) {
                            (1.0 / 256.0, -128)
                        } else {
                            (1.0 / 128.0, 0)
                        };
                        self.fixed_output(output, expected)?;
                        Some(SigmoidTanhQuant::S8(
                            if matches!(self.op.kind, K::Logistic) {
                                prepare::logistic_s8_quant(q.scale, q.zero_point)
                            } else {
                                prepare::tanh_s8_quant(q.scale, q.zero_point)
                            },
                        ))
                    }
                    ElementType::Int16 => {
                        let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
                        // TFLite Micro: symmetric int16 and an output scale
                        // whose log2 rounds to -15 (within 1e-3).
                        if qi.zero_point != 0 || qo.zero_point != 0 {
                            return Err(self.unsupported(format!(
                                "int16 input {} and output {} must have zero point 0 (have {} and {})",
                                input.label(),
                                output.label(),
                                qi.zero_point,
                                qo.zero_point
                            )));
                        }
                        if prepare::checked_log2(qo.scale) != (-15, true) {
                            return Err(self.unsupported(format!(
                                "int16 output {} must have scale 2^-15 (has {})",
                                output.label(),
                                qo.scale
                            )));
                        }
                        Some(SigmoidTanhQuant::S16(
                            if matches!(self.op.kind, K::Logistic) {
                                prepare::logistic_s16_quant(qi.scale)
                            } else {
                                prepare::tanh_s16_quant(qi.scale)
                            },
                        ))
                    }
                    other => return Err(self.unsupported(format!("{other} is not supported"))),
                };
                Ok(if matches!(self.op.kind, K::Logistic) {
                    Step::Logistic(quant)
                } else {
                    Step::Tanh(quant)
                })
            }
            K::Relu => {
                let (input, output) = (self.input(0)?, self.output()?);
                if output.dtype == ElementType::Float32 {
                    return Ok(Step::Relu(None));
                }
                let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
                let quant = prepare::relu_quant(
                    qi.scale,
                    qi.zero_point,
                    qo.scale,
                    qo.zero_point,
                    self.quant_type(output)?,
                )
                .map_err(|e| self.prepare_err(e))?;
                Ok(Step::Relu(Some(quant)))
            }
            K::Relu6 => {
                let input = self.input(0)?;
                if input.dtype == ElementType::Float32 {
                    return Ok(Step::Relu6(None));
                }
                // TensorFlow Lite Micro clamps in the input's quantization
                // and ignores the output's (docs/reference.md).
                let q = self.qparams(input)?;
                Ok(Step::Relu6(Some(prepare::relu6_quant(
                    q.scale,
                    q.zero_point,
                    self.quant_type(input)?,
                ))))
            }
            K::LeakyRelu { alpha } => {
                let (input, output) = (self.input(0)?, self.output()?);
                let quant = if output.dtype == ElementType::Float32 {
                    None
                } else {
                    let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
                    Some(
                        prepare::leaky_relu_quant(
                            qi.scale,
                            qi.zero_point,
                            qo.scale,
                            qo.zero_point,
                            *alpha,
                        )
                        .map_err(|e| self.prepare_err(e))?,
                    )
                };
                Ok(Step::LeakyRelu {
                    alpha: *alpha,
                    quant,
                })
            }
            K::HardSwish => {
                let (input, output) = (self.input(0)?, self.output()?);
                if output.dtype == ElementType::Float32 {
                    return Ok(Step::HardSwish(None));
                }
                let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
                let quant =
                    prepare::hard_swish_quant(qi.scale, qi.zero_point, qo.scale, qo.zero_point)
                        .map_err(|e| self.prepare_err(e))?;
                Ok(Step::HardSwish(Some(quant)))
            }
            K::Quantize => {
                let (input, output) = (self.input(0)?, self.output()?);
                let qo = self.qparams(output)?;
                let requant = if input.dtype == ElementType::Float32 {
                    prepare::requantize_quant(1.0, 0, 1.0, 0)
                } else {
                    let qi = self.qparams(input)?;
                    prepare::requantize_quant(qi.scale, qi.zero_point, qo.scale, qo.zero_point)
                };
                Ok(Step::Quantize {
                    scale: qo.scale,
                    zero_point: qo.zero_point,
                    requant,
                })
            }
            K::Dequantize => {
                let q = self.qparams(self.input(0)?)?;
                Ok(Step::Dequantize {
                    scale: q.scale,
                    zero_point: q.zero_point,
                })
            }
            K::Reshape { .. } | K::Squeeze { .. } | K::ExpandDims => {
                let (input, output) = (self.input(0)?, self.output()?);
                if input.num_elements() != output.num_elements() {
                    return Err(self.unsupported(format!(
                        "input shape {:?} and output shape {:?} differ in size",
                        input.shape, output.shape
                    )));
                }
                Ok(Step::Copy)
            }
            K::Mean { .. } => {
                let (input, output) = (self.input(0)?, self.output()?);
                let quant = if input.dtype == ElementType::Float32 {
                    prepare::mean_quant(1.0, 0, 1.0, 0)
                } else {
                    let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
                    prepare::mean_quant(qi.scale, qi.zero_point, qo.scale, qo.zero_point)
                };
                Ok(Step::Mean {
                    shape: input.shape.clone(),
                    axes: self.const_ints(1)?,
                    quant,
                })
            }
            K::Pad | K::PadV2 => self.pad(),
            K::StridedSlice(o) => {
                let input = self.input(0)?;
                Ok(Step::StridedSlice {
                    shape: input.shape.clone(),
                    begin: self.const_ints(1)?,
                    end: self.const_ints(2)?,
                    strides: self.const_ints(3)?,
                    begin_mask: o.begin_mask as u32,
                    end_mask: o.end_mask as u32,
                    shrink_axis_mask: o.shrink_axis_mask as u32,
                })
            }
            K::Transpose => Ok(Step::Transpose {
                shape: self.input(0)?.shape.clone(),
                perm: self.const_ints(1)?,
            }),
            K::Concatenation { axis, .. } => {
                let output = self.output()?;
                let inputs: Vec<&Tensor> = self
                    .op
                    .present_inputs()
                    .map(|i| self.graph.tensor(i))
                    .collect();
                self.same_quant(&inputs, output)?;
                Ok(Step::Concatenation {
                    axis: *axis,
                    shapes: inputs.iter().map(|t| t.shape.clone()).collect(),
                })
            }
            K::Pack { axis, .. } => Ok(Step::Pack {
                axis: *axis,
                shape: self.input(0)?.shape.clone(),
            }),
            K::Unpack { axis, .. } => Ok(Step::Unpack {
                axis: *axis,
                shape: self.input(0)?.shape.clone(),
            }),
            K::Split { .. } => {
                // SPLIT takes (axis, input); SPLIT_V takes (input, sizes, axis).
                let axis = *self.const_ints(0)?.first().unwrap_or(&0);
                Ok(Step::Split {
                    axis,
                    shape: self.input(1)?.shape.clone(),
                    sizes: None,
                })
            }
            K::SplitV { .. } => {
                let input = self.input(0)?;
                let axis = *self.const_ints(2)?.first().unwrap_or(&0);
                let rank = input.shape.len() as i32;
                let axis_index = if axis < 0 { axis + rank } else { axis } as usize;
                // Sizes come from the output shapes (a -1 in the constant is resolved there).
                let sizes = self
                    .op
                    .outputs
                    .iter()
                    .map(|&o| {
                        self.graph
                            .tensor(o)
                            .shape
                            .get(axis_index)
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect();
                Ok(Step::Split {
                    axis,
                    shape: input.shape.clone(),
                    sizes: Some(sizes),
                })
            }
            K::BatchMatMul { adj_x, adj_y } => {
                let (lhs, rhs, output) = (self.input(0)?, self.input(1)?, self.output()?);
                let quant = if output.dtype == ElementType::Float32 {
                    None
                } else {
                    let (ql, qr, qo) = (
                        self.qparams(lhs)?,
                        self.qparams(rhs)?,
                        self.qparams(output)?,
                    );
                    let (multiplier, shift) =
                        prepare::fully_connected_quant(ql.scale, qr.scale, qo.scale);
                    Some(kernels::batch_matmul::BatchMatMulQuant {
                        lhs_zero_point: ql.zero_point,
                        rhs_zero_point: qr.zero_point,
                        output_zero_point: qo.zero_point,
                        multiplier,
                        shift,
                    })
                };
                Ok(Step::BatchMatMul {
                    params: kernels::batch_matmul::BatchMatMulParams {
                        adj_x: *adj_x,
                        adj_y: *adj_y,
                    },
                    lhs: lhs.shape.clone(),
                    rhs: rhs.shape.clone(),
                    quant,
                })
            }
            other => Err(self.unsupported(format!(
                "{} is not implemented by the reference interpreter",
                other.name()
            ))),
        }
    }

    /// TensorFlow Lite Micro requires some outputs to use a fixed quantization.
    fn fixed_output(
        &self,
        output: &Tensor,
        (scale, zero_point): (f32, i32),
    ) -> Result<(), ReferenceError> {
        let q = self.qparams(output)?;
        if q.zero_point != zero_point || (q.scale - scale).abs() > scale * 1e-6 {
            return Err(self.unsupported(format!(
                "output {} must have scale {scale} and zero point {zero_point} (has {} and {})",
                output.label(),
                q.scale,
                q.zero_point
            )));
        }
        Ok(())
    }

    /// Data-movement operators on quantized tensors must not requantize.
    fn same_quant(&self, inputs: &[&Tensor], output: &Tensor) -> Result<(), ReferenceError> {
        if output.dtype == ElementType::Float32 {
            return Ok(());
        }
        let expected = self.qparams(output)?;
        for t in inputs {
            let q = self.qparams(t)?;
            if q != expected {
                return Err(self.unsupported(format!(
                    "input {} is quantized differently from the output (scale {} zero point {}, output {} {})",
                    t.label(),
                    q.scale,
                    q.zero_point,
                    expected.scale,
                    expected.zero_point
                )));
            }
        }
        Ok(())
    }

    fn window(
        &self,
        input: &Tensor,
        filter: &Tensor,
        output: &Tensor,
        geometry: Geometry,
    ) -> Result<Window, ReferenceError> {
        let Geometry {
            padding,
            strides: [sh, sw],
            dilations: [dh, dw],
            pad_from_output,
        } = geometry;
        let four_d = |t: &Tensor| {
            dims4(t).ok_or_else(|| self.unsupported(format!("tensor {} must be 4-D", t.label())))
        };
        let (input, filter, output) = (four_d(input)?, four_d(filter)?, four_d(output)?);
        let (sh, sw, dh, dw) = (sh as usize, sw as usize, dh as usize, dw as usize);
        let pad = |size, k, stride, dilation| {
            prepare::compute_padding(pad_kind(padding), size, k, stride, dilation)
                .map(|p| p.pad)
                .map_err(|e| self.prepare_err(e))
        };
        let (base_h, base_w) = if pad_from_output {
            (output.h, output.w)
        } else {
            (input.h, input.w)
        };
        Ok(Window {
            params: conv::ConvParams {
                stride_h: sh,
                stride_w: sw,
                dilation_h: dh,
                dilation_w: dw,
                pad_h: pad(base_h, filter.h, sh, dh)?,
                pad_w: pad(base_w, filter.w, sw, dw)?,
            },
            input,
            filter,
            output,
        })
    }

    /// Per-channel requantization of a convolution (TensorFlow Lite Micro
    /// takes the per-channel path even with a single filter scale).
    fn conv_requant(
        &self,
        input: &Tensor,
        filter: &Tensor,
        output: &Tensor,
        channels: usize,
    ) -> Result<Requant, ReferenceError> {
        let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
        let filter_q = filter.quant.as_ref().ok_or_else(|| {
            self.unsupported(format!("filter {} is not quantized", filter.label()))
        })?;
        let pc = prepare::conv_quant(qi.scale, &filter_q.scale, qo.scale, channels)
            .map_err(|e| self.prepare_err(e))?;
        Ok(Requant {
            input_zero_point: qi.zero_point,
            filter_zero_point: filter_q.zero_point() as i32,
            output_zero_point: qo.zero_point,
            multiplier: pc.multiplier,
            shift: pc.shift,
            per_channel: true,
            activation: self.quant_activation(output)?,
        })
    }

    /// TensorFlow Lite Micro reads the bias of a 16x8 DEPTHWISE_CONV_2D or
    /// TRANSPOSE_CONV as int64 whatever its declared type (TRANSPOSE_CONV
    /// widens an int16 one first), so an int32 bias gives garbage there:
    /// refuse the types it does not handle.
    fn bias16_type(
        &self,
        input: &Tensor,
        slot: usize,
        allowed: &[ElementType],
    ) -> Result<(), ReferenceError> {
        if input.dtype != ElementType::Int16 {
            return Ok(());
        }
        match self.graph.input_of(self.op, slot) {
            Some(bias) if !allowed.contains(&bias.dtype) => Err(self.unsupported(format!(
                "bias {} of a 16x8 layer must be {} (TensorFlow Lite Micro misreads {})",
                bias.label(),
                allowed
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                bias.dtype
            ))),
            _ => Ok(()),
        }
    }

    fn conv(
        &self,
        padding: Padding,
        strides: [i32; 2],
        dilations: [i32; 2],
        depth_multiplier: Option<i32>,
    ) -> Prepared {
        let (input, filter, output) = (self.input(0)?, self.input(1)?, self.output()?);
        let geometry = Geometry {
            padding,
            strides,
            dilations,
            pad_from_output: false,
        };
        if depth_multiplier.is_some() {
            self.bias16_type(input, 2, &[ElementType::Int64])?;
        }
        let window = self.window(input, filter, output, geometry)?;
        let numeric = if output.dtype == ElementType::Float32 {
            Numeric::Float(self.float_activation())
        } else {
            Numeric::Quant(self.conv_requant(input, filter, output, window.output.c)?)
        };
        Ok(match depth_multiplier {
            None => Step::Conv { window, numeric },
            Some(m) => {
                // Old files leave the multiplier at 0: derive it.
                let m = if m > 0 {
                    m as usize
                } else {
                    window.output.c / window.input.c.max(1)
                };
                Step::Depthwise {
                    window,
                    depth_multiplier: m,
                    numeric,
                }
            }
        })
    }

    fn transpose_conv(&self, padding: Padding, strides: [i32; 2]) -> Prepared {
        // Inputs: output shape (constant), filter, input, optional bias.
        let (filter, input, output) = (self.input(1)?, self.input(2)?, self.output()?);
        self.bias16_type(input, 3, &[ElementType::Int64, ElementType::Int16])?;
        // TRANSPOSE_CONV's padding is computed from its output size.
        let geometry = Geometry {
            padding,
            strides,
            dilations: [1, 1],
            pad_from_output: true,
        };
        let window = self.window(input, filter, output, geometry)?;
        let numeric = if output.dtype == ElementType::Float32 {
            Numeric::Float(self.float_activation())
        } else {
            Numeric::Quant(self.conv_requant(input, filter, output, window.output.c)?)
        };
        let scratch = vec![0; conv::transpose_conv2d_scratch_len(window.output).unwrap_or(0)];
        Ok(Step::TransposeConv {
            window,
            numeric,
            scratch,
        })
    }

    fn fully_connected(&self) -> Prepared {
        let (input, filter, output) = (self.input(0)?, self.input(1)?, self.output()?);
        let [output_depth, input_depth] = filter.shape[..] else {
            return Err(self.unsupported(format!("weights {} must be 2-D", filter.label())));
        };
        if input_depth == 0 || input.num_elements() % input_depth != 0 {
            return Err(self.unsupported(format!(
                "input shape {:?} does not divide into rows of {input_depth}",
                input.shape
            )));
        }
        let dims = kernels::fully_connected::FcDims {
            batches: input.num_elements() / input_depth,
            input_depth,
            output_depth,
        };
        let numeric = if output.dtype == ElementType::Float32 {
            Numeric::Float(self.float_activation())
        } else {
            let filter_q = filter.quant.as_ref().ok_or_else(|| {
                self.unsupported(format!("weights {} are not quantized", filter.label()))
            })?;
            if filter_q.is_per_channel() {
                self.conv_requant(input, filter, output, output_depth)
                    .map(Numeric::Quant)?
            } else {
                let (qi, qo) = (self.qparams(input)?, self.qparams(output)?);
                let (m, s) = prepare::fully_connected_quant(qi.scale, filter_q.scale(), qo.scale);
                Numeric::Quant(Requant {
                    input_zero_point: qi.zero_point,
                    filter_zero_point: filter_q.zero_point() as i32,
                    output_zero_point: qo.zero_point,
                    multiplier: vec![m],
                    shift: vec![s],
                    per_channel: false,
                    activation: self.quant_activation(output)?,
                })
            }
        };
        Ok(Step::FullyConnected { dims, numeric })
    }

    fn softmax(&self, beta: f32) -> Prepared {
        let (input, output) = (self.input(0)?, self.output()?);
        let depth = *input.shape.last().unwrap_or(&1);
        let mut step = Step::Softmax {
            beta,
            depth,
            quant: None,
            quant16: None,
        };
        let Step::Softmax { quant, quant16, .. } = &mut step else {
            unreachable!("constructed above")
        };
        match (input.dtype, output.dtype) {
            (ElementType::Float32, _) => {}
            (ElementType::Int8, out) => {
                // int8 in, int16 out: TFLite Micro wants 1/65536 and -32768.
                let expected = if out == ElementType::Int16 {
                    (1.0 / 65536.0, -32768)
                } else {
                    (1.0 / 256.0, -128)
                };
                self.fixed_output(output, expected)?;
                let qi = self.qparams(input)?;
                *quant = Some(
                    prepare::softmax_s8_quant(beta, qi.scale).map_err(|e| self.prepare_err(e))?,
                );
            }
            (ElementType::Int16, _) => {
                self.fixed_output(output, (1.0 / 32768.0, 0))?;
                let qi = self.qparams(input)?;
                if qi.zero_point != 0 {
                    return Err(self.unsupported("int16 input must have zero point 0"));
                }
                *quant16 = Some(Box::new(prepare::softmax_s16_quant(beta, qi.scale)));
            }
            (other, _) => return Err(self.unsupported(format!("{other} is not supported"))),
        }
        Ok(step)
    }

    fn pad(&self) -> Prepared {
        let (input, output) = (self.input(0)?, self.output()?);
        let flat = self.const_ints(1)?;
        let rank = input.shape.len();
        if flat.len() != rank * 2 {
            return Err(self.unsupported(format!("paddings must be [{rank}, 2]")));
        }
        let paddings = flat.chunks(2).map(|p| (p[0], p[1])).collect();
        // PADV2's third input is the pad value; PAD pads with (real) zero.
        let constant = self
            .graph
            .input_of(self.op, 2)
            .filter(|_| matches!(self.op.kind, OpKind::PadV2));
        let zero_point = output.quant.as_ref().map_or(0, |q| q.zero_point());
        let value = match output.dtype {
            ElementType::Float32 => PadValue::F32(
                constant
                    .and_then(|t| t.data_f32())
                    .and_then(|v| v.first().copied())
                    .unwrap_or(0.0),
            ),
            ElementType::Int8 => PadValue::I8(
                constant
                    .and_then(|t| t.data_i8())
                    .and_then(|v| v.first().copied())
                    .unwrap_or(zero_point as i8),
            ),
            ElementType::Int16 => PadValue::I16(
                constant
                    .and_then(|t| t.data_i16())
                    .and_then(|v| v.first().copied())
                    .unwrap_or(zero_point as i16),
            ),
            other => return Err(self.unsupported(format!("{other} is not supported"))),
        };
        Ok(Step::Pad {
            shape: input.shape.clone(),
            paddings,
            value,
        })
    }
}

fn fused(activation: Option<Activation>) -> FusedActivation {
    match activation.unwrap_or(Activation::None) {
        Activation::None => FusedActivation::None,
        Activation::Relu => FusedActivation::Relu,
        Activation::ReluN1To1 => FusedActivation::ReluN1To1,
        Activation::Relu6 => FusedActivation::Relu6,
        Activation::Tanh => FusedActivation::Tanh,
        Activation::SignBit => FusedActivation::SignBit,
    }
}

fn pad_kind(p: Padding) -> prepare::Padding {
    match p {
        Padding::Same => prepare::Padding::Same,
        Padding::Valid => prepare::Padding::Valid,
    }
}

fn dims4(t: &Tensor) -> Option<Dims4> {
    match t.shape[..] {
        [n, h, w, c] => Some(Dims4::new(n, h, w, c)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Running a prepared step
// ---------------------------------------------------------------------------

fn length_error(what: &'static str) -> KernelError {
    KernelError::InvalidShape {
        what,
        reason: "tensor has an unexpected element type".into(),
    }
}

/// Input `slot` as a slice of `T`.
fn inp<'b, T: Element>(
    inputs: &[Option<usize>],
    buffers: &'b [Buffer],
    slot: usize,
) -> Result<&'b [T], KernelError> {
    inputs
        .get(slot)
        .copied()
        .flatten()
        .and_then(|i| T::slice(&buffers[i]))
        .ok_or_else(|| length_error("input"))
}

/// Optional input `slot` (bias) as a slice of `T`.
fn opt<'b, T: Element>(
    inputs: &[Option<usize>],
    buffers: &'b [Buffer],
    slot: usize,
) -> Option<&'b [T]> {
    inputs
        .get(slot)
        .copied()
        .flatten()
        .and_then(|i| T::slice(&buffers[i]))
}

/// Every present input as a slice of `T` (CONCATENATION, PACK).
fn all_inputs<'b, T: Element>(
    ins: &[Option<usize>],
    bufs: &'b [Buffer],
) -> Result<Vec<&'b [T]>, KernelError> {
    ins.iter()
        .flatten()
        .map(|&i| T::slice(&bufs[i]).ok_or_else(|| length_error("input")))
        .collect()
}

/// Every output as a mutable slice of `T` (UNPACK, SPLIT, SPLIT_V).
fn all_outputs<T: Element>(outs: &mut [Buffer]) -> Result<Vec<&mut [T]>, KernelError> {
    outs.iter_mut()
        .map(|b| T::slice_mut(b).ok_or_else(|| length_error("output")))
        .collect()
}

fn out<T: Element>(outs: &mut [Buffer], slot: usize) -> Result<&mut [T], KernelError> {
    outs.get_mut(slot)
        .and_then(T::slice_mut)
        .ok_or_else(|| length_error("output"))
}

/// The element type of a buffer, to pick the kernel.
fn kind(b: &Buffer) -> ElementType {
    match b {
        Buffer::I8(_) => ElementType::Int8,
        Buffer::U8(_) => ElementType::Uint8,
        Buffer::I16(_) => ElementType::Int16,
        Buffer::I32(_) => ElementType::Int32,
        Buffer::I64(_) => ElementType::Int64,
        Buffer::F32(_) | Buffer::Empty => ElementType::Float32,
    }
}

/// Calls `$f::<T>` with the element type of `$b`, for type-generic kernels.
macro_rules! generic {
    ($b:expr, $f:ident ( $($arg:expr),* )) => {
        match kind($b) {
            ElementType::Int8 => $f::<i8>($($arg),*),
            ElementType::Uint8 => $f::<u8>($($arg),*),
            ElementType::Int16 => $f::<i16>($($arg),*),
            ElementType::Int32 => $f::<i32>($($arg),*),
            ElementType::Int64 => $f::<i64>($($arg),*),
            _ => $f::<f32>($($arg),*),
        }
    };
}

fn run_step(
    step: &mut Step,
    ins: &[Option<usize>],
    bufs: &[Buffer],
    outs: &mut [Buffer],
) -> Result<(), KernelError> {
    use kernels::*;
    let out_kind = outs.first().map(kind).unwrap_or(ElementType::Float32);
    match step {
        Step::Conv { window: w, numeric } => match numeric {
            Numeric::Float(act) => conv::conv2d_f32(
                &w.params,
                *act,
                w.input,
                inp(ins, bufs, 0)?,
                w.filter,
                inp(ins, bufs, 1)?,
                opt(ins, bufs, 2),
                w.output,
                out(outs, 0)?,
            ),
            Numeric::Quant(r) => {
                let q = conv_quant(r);
                if out_kind == ElementType::Int16 {
                    conv::conv2d_s16(
                        &w.params,
                        &q,
                        w.input,
                        inp(ins, bufs, 0)?,
                        w.filter,
                        inp(ins, bufs, 1)?,
                        bias16(ins, bufs),
                        w.output,
                        out(outs, 0)?,
                    )
                } else {
                    conv::conv2d_s8(
                        &w.params,
                        &q,
                        w.input,
                        inp(ins, bufs, 0)?,
                        w.filter,
                        inp(ins, bufs, 1)?,
                        opt(ins, bufs, 2),
                        w.output,
                        out(outs, 0)?,
                    )
                }
            }
        },
        Step::Depthwise {
            window: w,
            depth_multiplier,
            numeric,
        } => {
            let params = conv::DepthwiseParams {
                conv: w.params,
                depth_multiplier: *depth_multiplier,
            };
            match numeric {
                Numeric::Float(act) => conv::depthwise_conv2d_f32(
                    &params,
                    *act,
                    w.input,
                    inp(ins, bufs, 0)?,
                    w.filter,
                    inp(ins, bufs, 1)?,
                    opt(ins, bufs, 2),
                    w.output,
                    out(outs, 0)?,
                ),
                Numeric::Quant(r) => {
                    let q = conv_quant(r);
                    if out_kind == ElementType::Int16 {
                        conv::depthwise_conv2d_s16(
                            &params,
                            &q,
                            w.input,
                            inp(ins, bufs, 0)?,
                            w.filter,
                            inp(ins, bufs, 1)?,
                            opt(ins, bufs, 2),
                            w.output,
                            out(outs, 0)?,
                        )
                    } else {
                        conv::depthwise_conv2d_s8(
                            &params,
                            &q,
                            w.input,
                            inp(ins, bufs, 0)?,
                            w.filter,
                            inp(ins, bufs, 1)?,
                            opt(ins, bufs, 2),
                            w.output,
                            out(outs, 0)?,
                        )
                    }
                }
            }
        }
        Step::TransposeConv {
            window: w,
            numeric,
            scratch,
        } => {
            let params = conv::TransposeConvParams {
                stride_h: w.params.stride_h,
                stride_w: w.params.stride_w,
                pad_h: w.params.pad_h,
                pad_w: w.params.pad_w,
            };
            match numeric {
                Numeric::Float(act) => conv::transpose_conv2d_f32(
                    &params,
                    *act,
                    w.input,
                    inp(ins, bufs, 2)?,
                    w.filter,
                    inp(ins, bufs, 1)?,
                    opt(ins, bufs, 3),
                    w.output,
                    out(outs, 0)?,
                ),
                Numeric::Quant(r) => {
                    let q = conv_quant(r);
                    if out_kind == ElementType::Int16 {
                        // An int16 bias is widened to int64, as TensorFlow Lite Micro does.
                        let widened: Option<Vec<i64>> = opt::<i16>(ins, bufs, 3)
                            .map(|b| b.iter().map(|&v| i64::from(v)).collect());
                        let bias = opt::<i64>(ins, bufs, 3).or(widened.as_deref());
                        conv::transpose_conv2d_s16(
                            &params,
                            &q,
                            w.input,
                            inp(ins, bufs, 2)?,
                            w.filter,
                            inp(ins, bufs, 1)?,
                            bias,
                            scratch,
                            w.output,
                            out(outs, 0)?,
                        )
                    } else {
                        let mut scratch32 = vec![0i32; scratch.len()];
                        conv::transpose_conv2d_s8(
                            &params,
                            &q,
                            w.input,
                            inp(ins, bufs, 2)?,
                            w.filter,
                            inp(ins, bufs, 1)?,
                            opt(ins, bufs, 3),
                            &mut scratch32,
                            w.output,
                            out(outs, 0)?,
                        )
                    }
                }
            }
        }
        Step::FullyConnected { dims, numeric } => match numeric {
            Numeric::Float(act) => fully_connected::fully_connected_f32(
                *act,
                *dims,
                inp(ins, bufs, 0)?,
                inp(ins, bufs, 1)?,
                opt(ins, bufs, 2),
                out(outs, 0)?,
            ),
            Numeric::Quant(r) => {
                let multiplier = if r.per_channel {
                    fully_connected::FcMultiplier::PerChannel {
                        multiplier: &r.multiplier,
                        shift: &r.shift,
                    }
                } else {
                    fully_connected::FcMultiplier::PerTensor {
                        multiplier: r.multiplier[0],
                        shift: r.shift[0],
                    }
                };
                let q = fully_connected::FcQuant {
                    input_zero_point: r.input_zero_point,
                    filter_zero_point: r.filter_zero_point,
                    output_zero_point: r.output_zero_point,
                    multiplier,
                    activation: r.activation,
                };
                if out_kind == ElementType::Int16 {
                    fully_connected::fully_connected_s16(
                        &q,
                        *dims,
                        inp(ins, bufs, 0)?,
                        inp(ins, bufs, 1)?,
                        bias16(ins, bufs),
                        out(outs, 0)?,
                    )
                } else {
                    fully_connected::fully_connected_s8(
                        &q,
                        *dims,
                        inp(ins, bufs, 0)?,
                        inp(ins, bufs, 1)?,
                        opt(ins, bufs, 2),
                        out(outs, 0)?,
                    )
                }
            }
        },
        Step::Pool {
            max,
            params,
            input,
            output,
            float,
            quant,
        } => match (out_kind, *max) {
            (ElementType::Float32, false) => pool::avg_pool2d_f32(
                params,
                *float,
                *input,
                inp(ins, bufs, 0)?,
                *output,
                out(outs, 0)?,
            ),
            (ElementType::Float32, true) => pool::max_pool2d_f32(
                params,
                *float,
                *input,
                inp(ins, bufs, 0)?,
                *output,
                out(outs, 0)?,
            ),
            (ElementType::Int16, false) => pool::avg_pool2d_s16(
                params,
                *quant,
                *input,
                inp(ins, bufs, 0)?,
                *output,
                out(outs, 0)?,
            ),
            (ElementType::Int16, true) => pool::max_pool2d_s16(
                params,
                *quant,
                *input,
                inp(ins, bufs, 0)?,
                *output,
                out(outs, 0)?,
            ),
            (_, false) => pool::avg_pool2d_s8(
                params,
                *quant,
                *input,
                inp(ins, bufs, 0)?,
                *output,
                out(outs, 0)?,
            ),
            (_, true) => pool::max_pool2d_s8(
                params,
                *quant,
                *input,
                inp(ins, bufs, 0)?,
                *output,
                out(outs, 0)?,
            ),
        },
        Step::AddSub {
            sub,
            shapes: [a, b, o],
            float,
            quant,
        } => match (quant, out_kind, *sub) {
            (None, _, false) => elementwise::add_f32(
                *float,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (None, _, true) => elementwise::sub_f32(
                *float,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (Some(q), ElementType::Int16, false) => elementwise::add_s16(
                q,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (Some(q), ElementType::Int16, true) => elementwise::sub_s16(
                q,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (Some(q), _, false) => elementwise::add_s8(
                q,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (Some(q), _, true) => elementwise::sub_s8(
                q,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
        },
        Step::Mul {
            shapes: [a, b, o],
            float,
            quant,
        } => match (quant, out_kind) {
            (None, _) => elementwise::mul_f32(
                *float,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (Some(q), ElementType::Int16) => elementwise::mul_s16(
                q,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (Some(q), _) => elementwise::mul_s8(
                q,
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
        },
        Step::MaxMin {
            max,
            shapes: [a, b, o],
        } => match (out_kind, *max) {
            (ElementType::Int8, true) => elementwise::maximum_s8(
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (ElementType::Int8, false) => elementwise::minimum_s8(
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (ElementType::Int16, true) => elementwise::maximum_s16(
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (ElementType::Int16, false) => elementwise::minimum_s16(
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (_, true) => elementwise::maximum_f32(
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
            (_, false) => elementwise::minimum_f32(
                a,
                inp(ins, bufs, 0)?,
                b,
                inp(ins, bufs, 1)?,
                o,
                out(outs, 0)?,
            ),
        },
        Step::Softmax {
            beta,
            depth,
            quant,
            quant16,
        } => match (quant, quant16, out_kind) {
            (Some(q), _, ElementType::Int16) => {
                softmax::softmax_s8_s16(q, *depth, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            (Some(q), _, _) => softmax::softmax_s8(q, *depth, inp(ins, bufs, 0)?, out(outs, 0)?),
            (None, Some(q), _) => {
                softmax::softmax_s16(q, *depth, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            (None, None, _) => {
                softmax::softmax_f32(*beta, *depth, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
        },
        Step::Logistic(q) => match q {
            Some(SigmoidTanhQuant::S8(q)) => {
                activation::logistic_s8(q, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            Some(SigmoidTanhQuant::S16(q)) => {
                activation::logistic_s16(q, &SIGMOID_TABLE, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            None => activation::logistic_f32(inp(ins, bufs, 0)?, out(outs, 0)?),
        },
        Step::Tanh(q) => match q {
            Some(SigmoidTanhQuant::S8(q)) => {
                activation::tanh_s8(q, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            Some(SigmoidTanhQuant::S16(q)) => {
                activation::tanh_s16(q, &SIGMOID_TABLE, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            None => activation::tanh_f32(inp(ins, bufs, 0)?, out(outs, 0)?),
        },
        Step::Relu(q) => match (q, out_kind) {
            (None, _) => activation::relu_f32(inp(ins, bufs, 0)?, out(outs, 0)?),
            (Some(q), ElementType::Int16) => {
                activation::relu_s16(q, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            (Some(q), _) => activation::relu_s8(q, inp(ins, bufs, 0)?, out(outs, 0)?),
        },
        Step::Relu6(q) => match (q, out_kind) {
            (None, _) => activation::relu6_f32(inp(ins, bufs, 0)?, out(outs, 0)?),
            (Some(q), ElementType::Int16) => {
                activation::relu6_s16(q, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            (Some(q), _) => activation::relu6_s8(q, inp(ins, bufs, 0)?, out(outs, 0)?),
        },
        Step::LeakyRelu { alpha, quant } => match (quant, out_kind) {
            (None, _) => activation::leaky_relu_f32(*alpha, inp(ins, bufs, 0)?, out(outs, 0)?),
            (Some(q), ElementType::Int16) => {
                activation::leaky_relu_s16(q, inp(ins, bufs, 0)?, out(outs, 0)?)
            }
            (Some(q), _) => activation::leaky_relu_s8(q, inp(ins, bufs, 0)?, out(outs, 0)?),
        },
        Step::HardSwish(q) => match q {
            Some(q) => activation::hard_swish_s8(q, inp(ins, bufs, 0)?, out(outs, 0)?),
            None => activation::hard_swish_f32(inp(ins, bufs, 0)?, out(outs, 0)?),
        },
        Step::Quantize {
            scale,
            zero_point,
            requant,
        } => {
            let input = ins
                .first()
                .copied()
                .flatten()
                .map(|i| kind(&bufs[i]))
                .unwrap_or(ElementType::Float32);
            match (input, out_kind) {
                (ElementType::Float32, ElementType::Int16) => quantize::quantize_f32_s16(
                    *scale,
                    *zero_point,
                    inp(ins, bufs, 0)?,
                    out(outs, 0)?,
                ),
                (ElementType::Float32, _) => quantize::quantize_f32_s8(
                    *scale,
                    *zero_point,
                    inp(ins, bufs, 0)?,
                    out(outs, 0)?,
                ),
                (ElementType::Int8, ElementType::Int8) => {
                    quantize::requantize_s8_s8(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Int8, ElementType::Uint8) => {
                    quantize::requantize_s8_u8(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Int8, ElementType::Int16) => {
                    quantize::requantize_s8_s16(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Int8, ElementType::Int32) => {
                    quantize::requantize_s8_s32(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Uint8, ElementType::Int8) => {
                    quantize::requantize_u8_s8(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Int16, ElementType::Int8) => {
                    quantize::requantize_s16_s8(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Int16, ElementType::Int16) => {
                    quantize::requantize_s16_s16(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                (ElementType::Int16, ElementType::Int32) => {
                    quantize::requantize_s16_s32(requant, inp(ins, bufs, 0)?, out(outs, 0)?)
                }
                _ => Err(length_error("quantize")),
            }
        }
        Step::Dequantize { scale, zero_point } => {
            let input = ins
                .first()
                .copied()
                .flatten()
                .map(|i| kind(&bufs[i]))
                .unwrap_or(ElementType::Int8);
            match input {
                ElementType::Int16 => quantize::dequantize_s16_f32(
                    *scale,
                    *zero_point,
                    inp(ins, bufs, 0)?,
                    out(outs, 0)?,
                ),
                ElementType::Uint8 => quantize::dequantize_u8_f32(
                    *scale,
                    *zero_point,
                    inp(ins, bufs, 0)?,
                    out(outs, 0)?,
                ),
                _ => quantize::dequantize_s8_f32(
                    *scale,
                    *zero_point,
                    inp(ins, bufs, 0)?,
                    out(outs, 0)?,
                ),
            }
        }
        Step::Copy => {
            fn copy<T: Element>(
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                array::copy(inp::<T>(ins, bufs, 0)?, out(outs, 0)?)
            }
            generic!(&outs[0], copy(ins, bufs, outs))
        }
        Step::Mean { shape, axes, quant } => match out_kind {
            ElementType::Float32 => {
                reduce::mean_f32(shape, inp(ins, bufs, 0)?, axes, out(outs, 0)?)
            }
            ElementType::Int16 => {
                reduce::mean_s16(quant, shape, inp(ins, bufs, 0)?, axes, out(outs, 0)?)
            }
            _ => reduce::mean_s8(quant, shape, inp(ins, bufs, 0)?, axes, out(outs, 0)?),
        },
        Step::Pad {
            shape,
            paddings,
            value,
        } => match *value {
            PadValue::I8(v) => array::pad(shape, inp(ins, bufs, 0)?, paddings, v, out(outs, 0)?),
            PadValue::I16(v) => array::pad(shape, inp(ins, bufs, 0)?, paddings, v, out(outs, 0)?),
            PadValue::F32(v) => array::pad(shape, inp(ins, bufs, 0)?, paddings, v, out(outs, 0)?),
        },
        Step::StridedSlice {
            shape,
            begin,
            end,
            strides,
            begin_mask,
            end_mask,
            shrink_axis_mask,
        } => {
            let params = array::StridedSliceParams {
                begin,
                end,
                strides,
                begin_mask: *begin_mask,
                end_mask: *end_mask,
                shrink_axis_mask: *shrink_axis_mask,
            };
            fn slice<T: Element>(
                p: &array::StridedSliceParams<'_>,
                shape: &[usize],
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                array::strided_slice(p, shape, inp::<T>(ins, bufs, 0)?, out(outs, 0)?)
            }
            generic!(&outs[0], slice(&params, shape, ins, bufs, outs))
        }
        Step::Transpose { shape, perm } => {
            fn transpose<T: Element>(
                shape: &[usize],
                perm: &[i32],
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                array::transpose(shape, perm, inp::<T>(ins, bufs, 0)?, out(outs, 0)?)
            }
            generic!(&outs[0], transpose(shape, perm, ins, bufs, outs))
        }
        Step::Concatenation { axis, shapes } => {
            fn concat<T: Element>(
                axis: i32,
                shapes: &[Vec<usize>],
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                let inputs = all_inputs::<T>(ins, bufs)?;
                let shape_refs: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
                array::concatenation(axis, &shape_refs, &inputs, out(outs, 0)?)
            }
            generic!(&outs[0], concat(*axis, shapes, ins, bufs, outs))
        }
        Step::Pack { axis, shape } => {
            fn pack<T: Element>(
                axis: i32,
                shape: &[usize],
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                let inputs = all_inputs::<T>(ins, bufs)?;
                array::pack(axis, shape, &inputs, out(outs, 0)?)
            }
            generic!(&outs[0], pack(*axis, shape, ins, bufs, outs))
        }
        Step::Unpack { axis, shape } => {
            fn unpack<T: Element>(
                axis: i32,
                shape: &[usize],
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                let mut slices = all_outputs::<T>(outs)?;
                array::unpack(axis, shape, inp::<T>(ins, bufs, 0)?, &mut slices)
            }
            generic!(&outs[0], unpack(*axis, shape, ins, bufs, outs))
        }
        Step::Split { axis, shape, sizes } => {
            fn split<T: Element>(
                axis: i32,
                shape: &[usize],
                sizes: Option<&[usize]>,
                ins: &[Option<usize>],
                bufs: &[Buffer],
                outs: &mut [Buffer],
            ) -> Result<(), KernelError> {
                let mut slices = all_outputs::<T>(outs)?;
                match sizes {
                    // SPLIT_V: the data is input 0.
                    Some(sizes) => {
                        array::split_v(axis, shape, inp::<T>(ins, bufs, 0)?, sizes, &mut slices)
                    }
                    // SPLIT: input 0 is the axis, the data is input 1.
                    None => array::split(axis, shape, inp::<T>(ins, bufs, 1)?, &mut slices),
                }
            }
            generic!(
                &outs[0],
                split(*axis, shape, sizes.as_deref(), ins, bufs, outs)
            )
        }
        Step::BatchMatMul {
            params,
            lhs,
            rhs,
            quant,
        } => match (quant, out_kind) {
            (None, _) => batch_matmul::batch_matmul_f32(
                params,
                lhs,
                inp(ins, bufs, 0)?,
                rhs,
                inp(ins, bufs, 1)?,
                out(outs, 0)?,
            ),
            (Some(q), ElementType::Int16) => batch_matmul::batch_matmul_s16(
                params,
                q,
                lhs,
                inp(ins, bufs, 0)?,
                rhs,
                inp(ins, bufs, 1)?,
                out(outs, 0)?,
            ),
            (Some(q), _) => batch_matmul::batch_matmul_s8(
                params,
                q,
                lhs,
                inp(ins, bufs, 0)?,
                rhs,
                inp(ins, bufs, 1)?,
                out(outs, 0)?,
            ),
        },
    }
}

fn conv_quant(r: &Requant) -> conv::ConvQuant<'_> {
    conv::ConvQuant {
        input_zero_point: r.input_zero_point,
        output_zero_point: r.output_zero_point,
        multiplier: &r.multiplier,
        shift: &r.shift,
        activation: r.activation,
    }
}

/// The bias of a 16x8 layer: its type picks the accumulator width (an
/// int32 bias accumulates in 32 bits, anything else in 64).
fn bias16<'b>(ins: &[Option<usize>], bufs: &'b [Buffer]) -> conv::Bias16x8<'b> {
    match opt::<i32>(ins, bufs, 2) {
        Some(b) => conv::Bias16x8::I32(Some(b)),
        None => conv::Bias16x8::I64(opt::<i64>(ins, bufs, 2)),
    }
}
