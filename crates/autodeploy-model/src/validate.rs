//! Model-level checks that hold for every stage of autodeploy: what the
//! file may say but no microcontroller build can do.

use crate::error::ModelError;
use crate::graph::{Graph, Model};
use crate::op::{OpKind, Operator};
use crate::state::ModelState;
use crate::tensor::ElementType;

/// Checks the model and resolves its state (resource variables).
pub(crate) fn validate(model: &Model) -> Result<ModelState, ModelError> {
    let running = running_subgraphs(model)?;
    let graphs: Vec<(usize, &Graph)> = running.iter().map(|&s| (s, &model.subgraphs[s])).collect();
    for &(_, graph) in &graphs {
        check_graph(graph)?;
    }
    let mut state = crate::state::resolve(&graphs)?;
    state.init_subgraphs = running[1..].to_vec();
    Ok(state)
}

/// Subgraph 0, then the init subgraphs its CALL_ONCE operators name. Any
/// other control flow, and any subgraph that nothing runs, is refused.
fn running_subgraphs(model: &Model) -> Result<Vec<usize>, ModelError> {
    let count = model.subgraphs.len();
    let mut running = vec![0];
    for op in &model.main_graph().operators {
        if let OpKind::CallOnce { init_subgraph } = op.kind {
            let init = usize::try_from(init_subgraph)
                .ok()
                .filter(|&i| i > 0 && i < count)
                .ok_or(ModelError::BadInitSubgraph {
                    layer: op.index,
                    init: init_subgraph,
                    count,
                })?;
            if !running.contains(&init) {
                running.push(init);
            }
        } else if is_control_flow(&op.kind) || op.name() == "CALL" {
            return Err(control_flow(0, op));
        }
    }
    // An init subgraph runs straight through: no control flow of its own.
    for &s in &running[1..] {
        if let Some(op) = model.subgraphs[s]
            .operators
            .iter()
            .find(|op| is_control_flow(&op.kind) || op.name() == "CALL")
        {
            return Err(control_flow(s, op));
        }
    }
    if let Some(subgraph) = (0..count).find(|s| !running.contains(s)) {
        return Err(ModelError::UnreachedSubgraph { count, subgraph });
    }
    Ok(running)
}

fn is_control_flow(kind: &OpKind) -> bool {
    matches!(
        kind,
        OpKind::CallOnce { .. } | OpKind::While { .. } | OpKind::If { .. }
    )
}

fn control_flow(subgraph: usize, op: &Operator) -> ModelError {
    ModelError::ControlFlow {
        subgraph,
        layer: op.index,
        op: op.name().to_string(),
    }
}

fn check_graph(graph: &Graph) -> Result<(), ModelError> {
    for tensor in &graph.tensors {
        if tensor.dtype == ElementType::String {
            return Err(ModelError::StringTensor {
                tensor: tensor.label(),
            });
        }
        if let Some(signature) = &tensor.shape_signature {
            if is_dynamic(signature, &tensor.shape) {
                return Err(ModelError::DynamicShape {
                    tensor: tensor.label(),
                    signature: signature.clone(),
                });
            }
        }
    }
    for op in &graph.operators {
        check_arity(op)?;
        check_options(op)?;
        check_hybrid(graph, op)?;
    }
    Ok(())
}

/// A shape signature is dynamic if it has -1 anywhere but in a leading
/// batch dimension that the static shape fixes at 1: converters write that
/// for every Keras model, and TensorFlow Lite Micro runs it as batch 1.
fn is_dynamic(signature: &[i32], shape: &[usize]) -> bool {
    signature.iter().enumerate().any(|(axis, &d)| {
        d < 0 && !(axis == 0 && shape.first() == Some(&1) && signature.len() == shape.len())
    })
}

/// Minimum (inputs, outputs) of the operators whose kernels index their
/// tensors by position; checked here so later stages can rely on them.
fn min_arity(kind: &OpKind) -> Option<(usize, usize)> {
    use OpKind::*;
    Some(match kind {
        Add { .. }
        | Sub { .. }
        | Mul { .. }
        | Div { .. }
        | Maximum
        | Minimum
        | SquaredDifference
        | BatchMatMul { .. }
        | Pad
        | Transpose
        | Prelu => (2, 1),
        PadV2 => (2, 1),
        Conv2d(_) | DepthwiseConv2d(_) | FullyConnected(_) => (2, 1),
        TransposeConv(_) => (3, 1),
        StridedSlice(_) => (4, 1),
        Split { .. } | SplitV { .. } => (2, 1),
        AveragePool2d(_)
        | MaxPool2d(_)
        | L2Pool2d(_)
        | Softmax { .. }
        | Logistic
        | Tanh
        | Relu
        | Relu6
        | ReluN1To1
        | LeakyRelu { .. }
        | HardSwish
        | Quantize
        | Dequantize
        | Reshape { .. }
        | Squeeze { .. }
        | Pack { .. }
        | Concatenation { .. }
        | Unpack { .. } => (1, 1),
        Mean { .. } | Sum { .. } | ReduceMax { .. } | ReduceMin { .. } | ExpandDims => (2, 1),
        _ => return None,
    })
}

fn check_arity(op: &Operator) -> Result<(), ModelError> {
    let Some((inputs, outputs)) = min_arity(&op.kind) else {
        return Ok(());
    };
    // Input 0 must be present for every operator listed; the weights of
    // convolution and dense layers too.
    let required = if matches!(
        op.kind,
        OpKind::Conv2d(_) | OpKind::DepthwiseConv2d(_) | OpKind::FullyConnected(_)
    ) {
        2
    } else {
        1
    };
    let present = (0..required).all(|slot| op.input(slot).is_some());
    if op.inputs.len() < inputs || op.outputs.len() < outputs || !present {
        return Err(ModelError::BadOperator {
            layer: op.index,
            op: op.name().to_string(),
            problem: format!(
                "needs at least {inputs} input(s) and {outputs} output(s), has {} and {}",
                op.present_inputs().count(),
                op.outputs.len()
            ),
        });
    }
    Ok(())
}

fn check_options(op: &Operator) -> Result<(), ModelError> {
    let bad = |problem: String| ModelError::BadOptions {
        layer: op.index,
        op: op.name().to_string(),
        problem,
    };
    let positive = |what: &str, values: &[i32]| {
        if values.iter().all(|&v| v >= 1) {
            Ok(())
        } else {
            Err(bad(format!("{what} must be at least 1, got {values:?}")))
        }
    };
    match &op.kind {
        OpKind::Conv2d(o) => {
            positive("strides", &[o.stride_h, o.stride_w])?;
            positive("dilations", &[o.dilation_h, o.dilation_w])
        }
        OpKind::DepthwiseConv2d(o) => {
            positive("strides", &[o.stride_h, o.stride_w])?;
            positive("dilations", &[o.dilation_h, o.dilation_w])?;
            // Depth multiplier 0 appears in old files and means "derive it".
            if o.depth_multiplier < 0 {
                return Err(bad(format!(
                    "depth multiplier {} is negative",
                    o.depth_multiplier
                )));
            }
            Ok(())
        }
        OpKind::TransposeConv(o) => positive("strides", &[o.stride_h, o.stride_w]),
        OpKind::AveragePool2d(o) | OpKind::MaxPool2d(o) | OpKind::L2Pool2d(o) => {
            positive("strides", &[o.stride_h, o.stride_w])?;
            positive("filter size", &[o.filter_h, o.filter_w])
        }
        OpKind::Split { num_splits } | OpKind::SplitV { num_splits } => {
            positive("num_splits", &[*num_splits])
        }
        _ => Ok(()),
    }
}

/// Float activations with integer weights: TensorFlow Lite's "hybrid"
/// quantization, which dequantizes weights at run time.
fn check_hybrid(graph: &Graph, op: &Operator) -> Result<(), ModelError> {
    let weighted = matches!(
        op.kind,
        OpKind::Conv2d(_)
            | OpKind::DepthwiseConv2d(_)
            | OpKind::FullyConnected(_)
            | OpKind::TransposeConv(_)
            | OpKind::BatchMatMul { .. }
            | OpKind::UnidirectionalSequenceLstm(_)
            | OpKind::Svdf { .. }
    );
    if !weighted {
        return Ok(());
    }
    let activation_slot = usize::from(matches!(op.kind, OpKind::TransposeConv(_))) * 2;
    let Some(input) = graph.input_of(op, activation_slot) else {
        return Ok(());
    };
    if input.dtype != ElementType::Float32 {
        return Ok(());
    }
    let integer_weights = op.present_inputs().map(|i| graph.tensor(i)).find(|t| {
        t.is_constant()
            && matches!(
                t.dtype,
                ElementType::Int8 | ElementType::Uint8 | ElementType::Int4
            )
    });
    match integer_weights {
        Some(weights) => Err(ModelError::HybridModel {
            layer: op.index,
            op: op.name().to_string(),
            weights: weights.label(),
            weight_type: weights.dtype.to_string(),
        }),
        None => Ok(()),
    }
}
