//! Writes small .tflite models from Rust: one operator or a short chain,
//! with chosen shapes, options and quantization. Tests generate their models
//! with it instead of checking in hundreds of files.
//!
//! The builder writes what it is told, including things the reader refuses
//! (negative dimensions, strings, dynamic shapes, mismatched data), so that
//! tests of those errors can make their inputs.
//!
//! ```
//! use autodeploy_model::builder::{GraphBuilder, TensorSpec};
//! use autodeploy_model::{Activation, ElementType, Model, OpKind};
//!
//! let mut g = GraphBuilder::new();
//! let a = g.tensor(TensorSpec::new("a", ElementType::Float32, &[1, 4]));
//! let b = g.tensor(TensorSpec::new("b", ElementType::Float32, &[1, 4]));
//! let sum = g.tensor(TensorSpec::new("sum", ElementType::Float32, &[1, 4]));
//! g.operator(OpKind::Add { activation: Activation::None, pot_scale_int16: true }, &[a, b], &[sum]);
//! g.inputs(&[a, b]).outputs(&[sum]);
//! let bytes = g.into_model().finish().unwrap();
//! let model = Model::from_bytes(&bytes).unwrap();
//! assert_eq!(model.main_graph().operators.len(), 1);
//! ```

use crate::error::BuildError;
use crate::generated::tflite;
use crate::op::*;
use crate::quant::Quantization;
use crate::tensor::ElementType;

/// A tensor to write.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSpec {
    pub name: String,
    pub dtype: ElementType,
    /// Raw dimensions (negative values are written as given).
    pub shape: Vec<i32>,
    pub shape_signature: Option<Vec<i32>>,
    pub quant: Option<Quantization>,
    /// Constant contents, little-endian.
    pub data: Option<Vec<u8>>,
    pub is_variable: bool,
}

impl TensorSpec {
    pub fn new(name: &str, dtype: ElementType, shape: &[i32]) -> Self {
        TensorSpec {
            name: name.to_string(),
            dtype,
            shape: shape.to_vec(),
            shape_signature: None,
            quant: None,
            data: None,
            is_variable: false,
        }
    }

    pub fn quant(mut self, quant: Quantization) -> Self {
        self.quant = Some(quant);
        self
    }

    /// Per-tensor quantization.
    pub fn scale(self, scale: f32, zero_point: i64) -> Self {
        self.quant(Quantization::per_tensor(scale, zero_point))
    }

    pub fn data(mut self, bytes: Vec<u8>) -> Self {
        self.data = Some(bytes);
        self
    }

    pub fn data_i8(self, values: &[i8]) -> Self {
        self.data(values.iter().map(|&v| v as u8).collect())
    }

    pub fn data_i16(self, values: &[i16]) -> Self {
        self.data(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    pub fn data_i32(self, values: &[i32]) -> Self {
        self.data(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    pub fn data_i64(self, values: &[i64]) -> Self {
        self.data(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    pub fn data_f32(self, values: &[f32]) -> Self {
        self.data(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    pub fn signature(mut self, signature: &[i32]) -> Self {
        self.shape_signature = Some(signature.to_vec());
        self
    }

    pub fn variable(mut self) -> Self {
        self.is_variable = true;
        self
    }
}

struct OperatorSpec {
    kind: OpKind,
    version: i32,
    inputs: Vec<Option<usize>>,
    outputs: Vec<usize>,
}

/// One subgraph under construction.
#[derive(Default)]
pub struct GraphBuilder {
    tensors: Vec<TensorSpec>,
    operators: Vec<OperatorSpec>,
    inputs: Vec<usize>,
    outputs: Vec<usize>,
}

impl GraphBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tensor and returns its index.
    pub fn tensor(&mut self, spec: TensorSpec) -> usize {
        self.tensors.push(spec);
        self.tensors.len() - 1
    }

    /// Appends an operator (version 1) reading `inputs` and writing `outputs`.
    pub fn operator(&mut self, kind: OpKind, inputs: &[usize], outputs: &[usize]) -> &mut Self {
        let inputs = inputs.iter().map(|&i| Some(i)).collect();
        self.operator_with(kind, 1, inputs, outputs)
    }

    /// Appends an operator with a version and optional (omitted) inputs.
    pub fn operator_with(
        &mut self,
        kind: OpKind,
        version: i32,
        inputs: Vec<Option<usize>>,
        outputs: &[usize],
    ) -> &mut Self {
        self.operators.push(OperatorSpec {
            kind,
            version,
            inputs,
            outputs: outputs.to_vec(),
        });
        self
    }

    pub fn inputs(&mut self, inputs: &[usize]) -> &mut Self {
        self.inputs = inputs.to_vec();
        self
    }

    pub fn outputs(&mut self, outputs: &[usize]) -> &mut Self {
        self.outputs = outputs.to_vec();
        self
    }

    /// A model with this graph as its only subgraph.
    pub fn into_model(self) -> ModelBuilder {
        ModelBuilder {
            graphs: vec![self],
            description: None,
        }
    }
}

/// A whole model: subgraph 0 runs, the others are reached by control flow.
pub struct ModelBuilder {
    pub graphs: Vec<GraphBuilder>,
    pub description: Option<String>,
}

impl ModelBuilder {
    /// Appends a subgraph (index 1, 2... in the order added), for control
    /// flow such as CALL_ONCE's init subgraph.
    pub fn subgraph(mut self, graph: GraphBuilder) -> Self {
        self.graphs.push(graph);
        self
    }

    /// Serialises to .tflite bytes, in the standard FlatBuffers layout: root
    /// offset at byte 0, the "TFL3" identifier at bytes 4..8.
    pub fn finish(self) -> Result<Vec<u8>, BuildError> {
        let mut opcodes: Vec<(i32, Option<String>, i32)> = Vec::new();
        // Buffer 0 is the empty sentinel the format reserves.
        let mut buffers = vec![tflite::Buffer::default()];
        let mut subgraphs = Vec::new();
        for graph in self.graphs {
            let mut tensors = Vec::new();
            for spec in graph.tensors {
                let buffer = match spec.data {
                    Some(data) => {
                        buffers.push(tflite::Buffer {
                            data: Some(data),
                            ..Default::default()
                        });
                        (buffers.len() - 1) as u32
                    }
                    None => 0,
                };
                tensors.push(tflite::Tensor {
                    shape: Some(spec.shape),
                    type_: tensor_type(spec.dtype),
                    buffer,
                    name: Some(spec.name),
                    quantization: spec.quant.map(|q| {
                        Box::new(tflite::QuantizationParameters {
                            scale: Some(q.scale),
                            zero_point: Some(q.zero_point),
                            quantized_dimension: q.axis as i32,
                            ..Default::default()
                        })
                    }),
                    is_variable: spec.is_variable,
                    shape_signature: spec.shape_signature,
                    ..Default::default()
                });
            }
            let mut operators = Vec::new();
            for op in graph.operators {
                let (code, options) = encode(&op.kind)?;
                let custom = match &op.kind {
                    OpKind::Custom { name } => Some(name.clone()),
                    _ => None,
                };
                let key = (code, custom, op.version);
                let opcode_index = match opcodes.iter().position(|c| *c == key) {
                    Some(i) => i,
                    None => {
                        opcodes.push(key);
                        opcodes.len() - 1
                    }
                };
                operators.push(tflite::Operator {
                    opcode_index: opcode_index as u32,
                    inputs: Some(
                        op.inputs
                            .iter()
                            .map(|i| i.map_or(-1, |i| i as i32))
                            .collect(),
                    ),
                    outputs: Some(op.outputs.iter().map(|&i| i as i32).collect()),
                    builtin_options: options,
                    ..Default::default()
                });
            }
            subgraphs.push(tflite::SubGraph {
                tensors: Some(tensors),
                inputs: Some(graph.inputs.iter().map(|&i| i as i32).collect()),
                outputs: Some(graph.outputs.iter().map(|&i| i as i32).collect()),
                operators: Some(operators),
                ..Default::default()
            });
        }
        let model = tflite::Model {
            version: 3,
            operator_codes: Some(
                opcodes
                    .into_iter()
                    .map(|(code, custom_code, version)| tflite::OperatorCode {
                        // Old readers look only at the byte, saturated at 127.
                        deprecated_builtin_code: code.min(127) as i8,
                        custom_code,
                        version,
                        builtin_code: code,
                    })
                    .collect(),
            ),
            subgraphs: Some(subgraphs),
            description: self.description,
            buffers: Some(buffers),
            ..Default::default()
        };
        let mut builder = planus::Builder::new();
        let bare = builder.finish(&model, None);
        Ok(with_identifier(bare))
    }
}

/// planus 1.3 writes a requested identifier *before* the root offset; the
/// format wants it after. So finish without one and insert it: root offset,
/// "TFL3", 12 bytes of padding, then the rest shifted by 16 bytes, which
/// keeps every alignment (all offsets inside are relative).
pub(crate) fn with_identifier(bare: &[u8]) -> Vec<u8> {
    const SHIFT: u32 = 16;
    let root = u32::from_le_bytes([bare[0], bare[1], bare[2], bare[3]]) + SHIFT;
    let mut out = Vec::with_capacity(bare.len() + SHIFT as usize);
    out.extend_from_slice(&root.to_le_bytes());
    out.extend_from_slice(b"TFL3");
    out.extend_from_slice(&[0; 12]);
    out.extend_from_slice(&bare[4..]);
    out
}

fn tensor_type(t: ElementType) -> tflite::TensorType {
    use tflite::TensorType as T;
    match t {
        ElementType::Float32 => T::Float32,
        ElementType::Float16 => T::Float16,
        ElementType::Int32 => T::Int32,
        ElementType::Uint8 => T::Uint8,
        ElementType::Int64 => T::Int64,
        ElementType::String => T::String,
        ElementType::Bool => T::Bool,
        ElementType::Int16 => T::Int16,
        ElementType::Complex64 => T::Complex64,
        ElementType::Int8 => T::Int8,
        ElementType::Float64 => T::Float64,
        ElementType::Complex128 => T::Complex128,
        ElementType::Uint64 => T::Uint64,
        ElementType::Resource => T::Resource,
        ElementType::Variant => T::Variant,
        ElementType::Uint32 => T::Uint32,
        ElementType::Uint16 => T::Uint16,
        ElementType::Int4 => T::Int4,
        ElementType::Bfloat16 => T::Bfloat16,
        ElementType::Int2 => T::Int2,
        ElementType::Uint4 => T::Uint4,
        ElementType::Float8E4m3fn => T::Float8E4m3fn,
        ElementType::Float8E5m2 => T::Float8E5m2,
    }
}

fn act(a: Activation) -> tflite::ActivationFunctionType {
    use tflite::ActivationFunctionType as A;
    match a {
        Activation::None => A::None,
        Activation::Relu => A::Relu,
        Activation::ReluN1To1 => A::ReluN1To1,
        Activation::Relu6 => A::Relu6,
        Activation::Tanh => A::Tanh,
        Activation::SignBit => A::SignBit,
    }
}

fn pad(p: Padding) -> tflite::Padding {
    match p {
        Padding::Same => tflite::Padding::Same,
        Padding::Valid => tflite::Padding::Valid,
    }
}

fn pool(o: &Pool2dOptions) -> tflite::BuiltinOptions {
    tflite::BuiltinOptions::Pool2DOptions(Box::new(tflite::Pool2DOptions {
        padding: pad(o.padding),
        stride_w: o.stride_w,
        stride_h: o.stride_h,
        filter_width: o.filter_w,
        filter_height: o.filter_h,
        fused_activation_function: act(o.activation),
    }))
}

/// The operator code and options table for `kind`. Operators whose options
/// the builder does not write are refused rather than written wrong.
fn encode(kind: &OpKind) -> Result<(i32, Option<tflite::BuiltinOptions>), BuildError> {
    use tflite::BuiltinOptions as B;
    let code = match kind {
        OpKind::Custom { .. } => 32,
        other => other.code().unwrap_or(32),
    };
    let reducer = |keep_dims: bool| {
        Some(B::ReducerOptions(Box::new(tflite::ReducerOptions {
            keep_dims,
        })))
    };
    let options = match kind {
        OpKind::Add {
            activation,
            pot_scale_int16,
        } => Some(B::AddOptions(Box::new(tflite::AddOptions {
            fused_activation_function: act(*activation),
            pot_scale_int16: *pot_scale_int16,
        }))),
        OpKind::Sub {
            activation,
            pot_scale_int16,
        } => Some(B::SubOptions(Box::new(tflite::SubOptions {
            fused_activation_function: act(*activation),
            pot_scale_int16: *pot_scale_int16,
        }))),
        OpKind::Mul { activation } => Some(B::MulOptions(Box::new(tflite::MulOptions {
            fused_activation_function: act(*activation),
        }))),
        OpKind::Div { activation } => Some(B::DivOptions(Box::new(tflite::DivOptions {
            fused_activation_function: act(*activation),
        }))),
        OpKind::Conv2d(o) => Some(B::Conv2DOptions(Box::new(tflite::Conv2DOptions {
            padding: pad(o.padding),
            stride_w: o.stride_w,
            stride_h: o.stride_h,
            fused_activation_function: act(o.activation),
            dilation_w_factor: o.dilation_w,
            dilation_h_factor: o.dilation_h,
            ..Default::default()
        }))),
        OpKind::DepthwiseConv2d(o) => Some(B::DepthwiseConv2DOptions(Box::new(
            tflite::DepthwiseConv2DOptions {
                padding: pad(o.padding),
                stride_w: o.stride_w,
                stride_h: o.stride_h,
                depth_multiplier: o.depth_multiplier,
                fused_activation_function: act(o.activation),
                dilation_w_factor: o.dilation_w,
                dilation_h_factor: o.dilation_h,
            },
        ))),
        OpKind::TransposeConv(o) => Some(B::TransposeConvOptions(Box::new(
            tflite::TransposeConvOptions {
                padding: pad(o.padding),
                stride_w: o.stride_w,
                stride_h: o.stride_h,
                fused_activation_function: act(o.activation),
                ..Default::default()
            },
        ))),
        OpKind::AveragePool2d(o) | OpKind::MaxPool2d(o) | OpKind::L2Pool2d(o) => Some(pool(o)),
        OpKind::FullyConnected(o) => Some(B::FullyConnectedOptions(Box::new(
            tflite::FullyConnectedOptions {
                fused_activation_function: act(o.activation),
                keep_num_dims: o.keep_num_dims,
                asymmetric_quantize_inputs: o.asymmetric_quantize_inputs,
                weights_format: if o.shuffled_weights {
                    tflite::FullyConnectedOptionsWeightsFormat::Shuffled4x16Int8
                } else {
                    tflite::FullyConnectedOptionsWeightsFormat::Default
                },
                ..Default::default()
            },
        ))),
        OpKind::BatchMatMul { adj_x, adj_y } => Some(B::BatchMatMulOptions(Box::new(
            tflite::BatchMatMulOptions {
                adj_x: *adj_x,
                adj_y: *adj_y,
                ..Default::default()
            },
        ))),
        OpKind::Softmax { beta } => Some(B::SoftmaxOptions(Box::new(tflite::SoftmaxOptions {
            beta: *beta,
        }))),
        OpKind::LeakyRelu { alpha } => {
            Some(B::LeakyReluOptions(Box::new(tflite::LeakyReluOptions {
                alpha: *alpha,
            })))
        }
        OpKind::Reshape { new_shape } => {
            Some(B::ReshapeOptions(Box::new(tflite::ReshapeOptions {
                new_shape: new_shape.clone(),
            })))
        }
        OpKind::Squeeze { dims } => Some(B::SqueezeOptions(Box::new(tflite::SqueezeOptions {
            squeeze_dims: Some(dims.clone()),
        }))),
        OpKind::Concatenation { axis, activation } => Some(B::ConcatenationOptions(Box::new(
            tflite::ConcatenationOptions {
                axis: *axis,
                fused_activation_function: act(*activation),
            },
        ))),
        OpKind::Pack { values_count, axis } => {
            Some(B::PackOptions(Box::new(tflite::PackOptions {
                values_count: *values_count,
                axis: *axis,
            })))
        }
        OpKind::Unpack { num, axis } => Some(B::UnpackOptions(Box::new(tflite::UnpackOptions {
            num: *num,
            axis: *axis,
        }))),
        OpKind::Split { num_splits } => Some(B::SplitOptions(Box::new(tflite::SplitOptions {
            num_splits: *num_splits,
        }))),
        OpKind::SplitV { num_splits } => Some(B::SplitVOptions(Box::new(tflite::SplitVOptions {
            num_splits: *num_splits,
        }))),
        OpKind::StridedSlice(o) => Some(B::StridedSliceOptions(Box::new(
            tflite::StridedSliceOptions {
                begin_mask: o.begin_mask,
                end_mask: o.end_mask,
                ellipsis_mask: o.ellipsis_mask,
                new_axis_mask: o.new_axis_mask,
                shrink_axis_mask: o.shrink_axis_mask,
                offset: o.offset,
            },
        ))),
        OpKind::Mean { keep_dims } => reducer(*keep_dims),
        OpKind::Sum { keep_dims }
        | OpKind::ReduceMax { keep_dims }
        | OpKind::ReduceMin { keep_dims }
        | OpKind::ReduceProd { keep_dims } => reducer(*keep_dims),
        OpKind::Gelu { approximate } => Some(B::GeluOptions(Box::new(tflite::GeluOptions {
            approximate: *approximate,
        }))),
        OpKind::CallOnce { init_subgraph } => {
            Some(B::CallOnceOptions(Box::new(tflite::CallOnceOptions {
                init_subgraph_index: *init_subgraph,
            })))
        }
        OpKind::While {
            cond_subgraph,
            body_subgraph,
        } => Some(B::WhileOptions(Box::new(tflite::WhileOptions {
            cond_subgraph_index: *cond_subgraph,
            body_subgraph_index: *body_subgraph,
        }))),
        OpKind::If {
            then_subgraph,
            else_subgraph,
        } => Some(B::IfOptions(Box::new(tflite::IfOptions {
            then_subgraph_index: *then_subgraph,
            else_subgraph_index: *else_subgraph,
        }))),
        OpKind::VarHandle {
            container,
            shared_name,
        } => Some(B::VarHandleOptions(Box::new(tflite::VarHandleOptions {
            container: Some(container.clone()),
            shared_name: Some(shared_name.clone()),
        }))),
        // Operators without options (or whose options default sensibly).
        OpKind::SquaredDifference
        | OpKind::Maximum
        | OpKind::Minimum
        | OpKind::Logistic
        | OpKind::Tanh
        | OpKind::Relu
        | OpKind::Relu6
        | OpKind::ReluN1To1
        | OpKind::HardSwish
        | OpKind::Quantize
        | OpKind::Dequantize
        | OpKind::ExpandDims
        | OpKind::Transpose
        | OpKind::Pad
        | OpKind::PadV2
        | OpKind::ReadVariable
        | OpKind::AssignVariable
        | OpKind::Exp
        | OpKind::Log
        | OpKind::Abs
        | OpKind::Neg
        | OpKind::Sqrt
        | OpKind::Rsqrt
        | OpKind::Square
        | OpKind::Floor
        | OpKind::Ceil
        | OpKind::Round
        | OpKind::Prelu
        | OpKind::Elu
        | OpKind::Relu0To1
        | OpKind::Slice
        | OpKind::Tile
        | OpKind::Custom { .. }
        | OpKind::Unsupported { .. } => None,
        other => {
            return Err(BuildError::CannotEncode {
                op: other.name().to_string(),
            })
        }
    };
    Ok((code, options))
}
