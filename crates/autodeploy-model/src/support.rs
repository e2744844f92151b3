//! Which operators, with which element types, autodeploy runs.
//!
//! One table for every stage: the reference interpreter and the C code
//! generator implement exactly this set, and a model outside it is refused
//! up front with every offending layer listed. The set follows what
//! TensorFlow Lite Micro's reference kernels support: int8 and float32 for
//! every operator below, and int16 activations with int8 weights ("16x8")
//! where marked.

use crate::error::{ModelError, UnsupportedOp};
use crate::graph::{Graph, Model};
use crate::op::{OpKind, Operator};
use crate::tensor::ElementType;

pub(crate) fn check(model: &Model) -> Result<(), ModelError> {
    // Subgraph 0 and the init subgraphs CALL_ONCE runs: both must execute.
    let subgraphs = std::iter::once(0).chain(model.state.init_subgraphs.iter().copied());
    let unsupported: Vec<UnsupportedOp> = subgraphs
        .flat_map(|s| {
            let graph = &model.subgraphs[s];
            graph.operators.iter().filter_map(move |op| {
                support(graph, op).err().map(|reason| UnsupportedOp {
                    layer: op.index,
                    op: op.name().to_string(),
                    reason: if s == 0 {
                        reason
                    } else {
                        format!("in init subgraph {s}: {reason}")
                    },
                })
            })
        })
        .collect();
    if unsupported.is_empty() {
        Ok(())
    } else {
        Err(ModelError::UnsupportedOps(unsupported))
    }
}

/// Element types an operator may compute in.
#[derive(Clone, Copy)]
enum Types {
    /// int8 and float32.
    Int8Float,
    /// int8, float32 and int16 activations (int8 weights where it has any).
    Int8Int16Float,
    /// Any fixed-size type: the operator only moves bytes.
    Any,
}

fn types_of(kind: &OpKind) -> Option<Types> {
    use OpKind::*;
    use Types::*;
    Some(match kind {
        Conv2d(_)
        | DepthwiseConv2d(_)
        | FullyConnected(_)
        | TransposeConv(_)
        | Add { .. }
        | Sub { .. }
        | Mul { .. }
        | Softmax { .. }
        | Pad
        | StridedSlice(_)
        | LeakyRelu { .. }
        | Logistic
        | Tanh => Int8Int16Float,
        AveragePool2d(_)
        | MaxPool2d(_)
        | Concatenation { .. }
        | Relu
        | Relu6
        | HardSwish
        | Mean { .. }
        | PadV2
        | Transpose
        | Maximum
        | Minimum
        | Pack { .. }
        | Unpack { .. }
        | Split { .. }
        | SplitV { .. }
        | BatchMatMul { .. } => Int8Float,
        Reshape { .. } | Squeeze { .. } | ExpandDims => Any,
        // Checked separately: their input and output types differ.
        Quantize | Dequantize => Any,
        _ => return None,
    })
}

/// `Ok` if autodeploy runs this operator with these tensors, else why not.
pub fn support(graph: &Graph, op: &Operator) -> Result<(), String> {
    // Resource variables and CALL_ONCE: checked when the model is read
    // (see state.rs and validate.rs); they only move bytes.
    if matches!(
        op.kind,
        OpKind::CallOnce { .. }
            | OpKind::VarHandle { .. }
            | OpKind::ReadVariable
            | OpKind::AssignVariable
    ) {
        return Ok(());
    }
    let Some(types) = types_of(&op.kind) else {
        return Err(match &op.kind {
            OpKind::Custom { .. } => "custom operators are not supported".into(),
            OpKind::Unsupported { code, version, .. } => {
                format!("operator code {code} (version {version}) is not supported")
            }
            _ => "this operator is not supported yet".into(),
        });
    };
    let input = graph
        .input_of(op, activation_slot(&op.kind))
        .map(|t| t.dtype);
    let output = graph.output_of(op, 0).map(|t| t.dtype);
    let (Some(input), Some(output)) = (input, output) else {
        return Err("missing input or output tensor".into());
    };
    match op.kind {
        OpKind::Quantize => return quantize_support(input, output),
        OpKind::Dequantize => {
            return match (input, output) {
                (
                    ElementType::Int8 | ElementType::Int16 | ElementType::Uint8,
                    ElementType::Float32,
                ) => Ok(()),
                _ => Err(format!(
                    "{input} to {output} is not supported (int8/int16/uint8 to float32 is)"
                )),
            }
        }
        _ => {}
    }
    let allowed = match types {
        Types::Any => return Ok(()),
        Types::Int8Float => matches!(input, ElementType::Int8 | ElementType::Float32),
        Types::Int8Int16Float => matches!(
            input,
            ElementType::Int8 | ElementType::Int16 | ElementType::Float32
        ),
    };
    if !allowed {
        let list = match types {
            Types::Int8Int16Float => "int8, int16 or float32",
            _ => "int8 or float32",
        };
        return Err(format!(
            "{input} activations are not supported ({list} are)"
        ));
    }
    if input != output && !matches!(op.kind, OpKind::Quantize | OpKind::Dequantize) {
        return Err(format!(
            "input type {input} differs from output type {output}"
        ));
    }
    check_weights(graph, op, input)
}

/// Convolution and dense layers: integer activations need int8 weights,
/// float activations float weights.
fn check_weights(graph: &Graph, op: &Operator, input: ElementType) -> Result<(), String> {
    let slot = match op.kind {
        OpKind::Conv2d(_) | OpKind::DepthwiseConv2d(_) | OpKind::FullyConnected(_) => 1,
        OpKind::TransposeConv(_) => 1,
        _ => return Ok(()),
    };
    let Some(weights) = graph.input_of(op, slot) else {
        return Err("missing weights".into());
    };
    let expected = if input == ElementType::Float32 {
        ElementType::Float32
    } else {
        ElementType::Int8
    };
    if weights.dtype != expected {
        return Err(format!(
            "{} weights with {input} activations are not supported ({expected} weights are)",
            weights.dtype
        ));
    }
    if input != ElementType::Float32 && weights.quant.is_none() {
        return Err(format!(
            "weights tensor {} is not quantized",
            weights.label()
        ));
    }
    Ok(())
}

fn quantize_support(input: ElementType, output: ElementType) -> Result<(), String> {
    use ElementType::*;
    match (input, output) {
        (Float32, Int8 | Int16)
        | (Int8, Int8 | Uint8 | Int16 | Int32)
        | (Uint8, Int8)
        | (Int16, Int8 | Int16 | Int32) => Ok(()),
        _ => Err(format!("quantizing {input} to {output} is not supported")),
    }
}

/// The input that carries the activations (TRANSPOSE_CONV takes the output
/// shape first and the weights second; SPLIT takes the axis first).
fn activation_slot(kind: &OpKind) -> usize {
    match kind {
        OpKind::TransposeConv(_) => 2,
        OpKind::Split { .. } => 1,
        _ => 0,
    }
}
