//! Per-layer and whole-model figures: MACs, bytes, shapes, operator set.
//!
//! # How MACs are counted
//! One MAC is one multiply-accumulate of the layer's main arithmetic, the
//! convention of the MLPerf Tiny reference counts:
//! - CONV_2D: output elements x kernel height x kernel width x input
//!   channels per group (the filter's last dimension).
//! - DEPTHWISE_CONV_2D: output elements x kernel height x kernel width.
//! - TRANSPOSE_CONV: input elements x kernel height x kernel width x output
//!   channels (every input value is scattered through the whole kernel).
//! - FULLY_CONNECTED: output elements x input features (the weights' last
//!   dimension).
//! - BATCH_MATMUL: output elements x the contracted dimension.
//! - UNIDIRECTIONAL_SEQUENCE_LSTM and SVDF: for every constant 2-D weight
//!   matrix, rows x columns, times batch x time steps.
//! - Everything else counts 0: element-wise arithmetic, activations,
//!   pooling, softmax, quantization and data movement do no
//!   multiply-accumulate (their cost shows in the profile, not here).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::{Graph, Model};
use crate::op::{OpKind, Operator};
use crate::state::Variable;
use crate::tensor::{ElementType, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TensorSummary {
    pub index: usize,
    pub name: String,
    pub dtype: ElementType,
    pub shape: Vec<usize>,
    pub bytes: usize,
    /// Per-tensor scale, or the first of the per-channel scales.
    pub scale: Option<f32>,
    pub zero_point: Option<i64>,
    pub per_channel: bool,
}

impl TensorSummary {
    pub fn of(t: &Tensor) -> Self {
        TensorSummary {
            index: t.index,
            name: t.name.clone(),
            dtype: t.dtype,
            shape: t.shape.clone(),
            bytes: t.byte_size(),
            scale: t.quant.as_ref().map(|q| q.scale()),
            zero_point: t.quant.as_ref().map(|q| q.zero_point()),
            per_channel: t.quant.as_ref().is_some_and(|q| q.is_per_channel()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerSummary {
    pub index: usize,
    pub op: String,
    pub version: i32,
    /// Element type of the activations (input 0).
    pub dtype: Option<ElementType>,
    pub output_shapes: Vec<Vec<usize>>,
    pub macs: u64,
    /// Bytes of the constant inputs (weights, biases, shape arguments).
    pub weight_bytes: u64,
    /// Bytes of the non-constant inputs and the outputs.
    pub activation_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatorUse {
    pub op: String,
    pub count: usize,
    pub versions: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub layers: usize,
    pub tensors: usize,
    pub macs: u64,
    /// Bytes of all constant tensors, each counted once.
    pub weight_bytes: u64,
    /// Bytes of all non-constant tensors, each counted once (not a memory
    /// plan: tensors that are never live together can share memory).
    pub activation_bytes: u64,
    /// Bytes of the resource variables: state kept between invocations.
    pub state_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    pub inputs: Vec<TensorSummary>,
    pub outputs: Vec<TensorSummary>,
    pub layers: Vec<LayerSummary>,
    pub operators: Vec<OperatorUse>,
    /// Resource variables (state kept between invocations), by id.
    pub state: Vec<Variable>,
    pub totals: Totals,
}

pub(crate) fn summarize(model: &Model) -> ModelSummary {
    let graph = model.main_graph();
    let layers: Vec<LayerSummary> = graph.operators.iter().map(|op| layer(graph, op)).collect();

    let mut uses: BTreeMap<String, (usize, Vec<i32>)> = BTreeMap::new();
    for op in &graph.operators {
        let entry = uses.entry(op.name().to_string()).or_default();
        entry.0 += 1;
        if !entry.1.contains(&op.version) {
            entry.1.push(op.version);
            entry.1.sort_unstable();
        }
    }
    let operators = uses
        .into_iter()
        .map(|(op, (count, versions))| OperatorUse {
            op,
            count,
            versions,
        })
        .collect();

    let (constant, variable): (Vec<&Tensor>, Vec<&Tensor>) =
        graph.tensors.iter().partition(|t| t.is_constant());
    let bytes = |ts: &[&Tensor]| ts.iter().map(|t| t.byte_size() as u64).sum();
    ModelSummary {
        inputs: graph
            .inputs
            .iter()
            .map(|&i| TensorSummary::of(graph.tensor(i)))
            .collect(),
        outputs: graph
            .outputs
            .iter()
            .map(|&i| TensorSummary::of(graph.tensor(i)))
            .collect(),
        totals: Totals {
            layers: layers.len(),
            tensors: graph.tensors.len(),
            macs: layers.iter().map(|l| l.macs).fold(0, u64::saturating_add),
            weight_bytes: bytes(&constant),
            activation_bytes: bytes(&variable),
            state_bytes: model.state.bytes() as u64,
        },
        state: model.state.variables.clone(),
        layers,
        operators,
    }
}

fn layer(graph: &Graph, op: &Operator) -> LayerSummary {
    let (constant, variable): (Vec<&Tensor>, Vec<&Tensor>) = op
        .present_inputs()
        .map(|i| graph.tensor(i))
        .partition(|t| t.is_constant());
    let outputs: Vec<&Tensor> = op.outputs.iter().map(|&i| graph.tensor(i)).collect();
    let bytes = |ts: &[&Tensor]| ts.iter().map(|t| t.byte_size() as u64).sum::<u64>();
    LayerSummary {
        index: op.index,
        op: op.name().to_string(),
        version: op.version,
        dtype: graph.input_of(op, 0).map(|t| t.dtype),
        output_shapes: outputs.iter().map(|t| t.shape.clone()).collect(),
        macs: macs(graph, op),
        weight_bytes: bytes(&constant),
        activation_bytes: bytes(&variable) + bytes(&outputs),
    }
}

/// Multiply-accumulates of one layer (see the module documentation).
pub fn macs(graph: &Graph, op: &Operator) -> u64 {
    let elements = |t: Option<&Tensor>| t.map_or(0, |t| t.num_elements() as u64);
    let dim = |t: Option<&Tensor>, from_end: usize| {
        t.and_then(|t| {
            t.shape
                .len()
                .checked_sub(from_end + 1)
                .map(|i| t.shape[i] as u64)
        })
        .unwrap_or(0)
    };
    let output = graph.output_of(op, 0);
    let filter = graph.input_of(op, 1);
    match &op.kind {
        // Filter [out_channels, kh, kw, in_channels_per_group].
        OpKind::Conv2d(_) => product(&[
            elements(output),
            dim(filter, 2),
            dim(filter, 1),
            dim(filter, 0),
        ]),
        // Filter [1, kh, kw, channels].
        OpKind::DepthwiseConv2d(_) => product(&[elements(output), dim(filter, 2), dim(filter, 1)]),
        // Inputs: output shape, filter [out_channels, kh, kw, in], input.
        OpKind::TransposeConv(_) => product(&[
            elements(graph.input_of(op, 2)),
            dim(filter, 2),
            dim(filter, 1),
            dim(filter, 3),
        ]),
        // Weights [out_features, in_features].
        OpKind::FullyConnected(_) => product(&[elements(output), dim(filter, 0)]),
        OpKind::BatchMatMul { adj_x, .. } => {
            let lhs = graph.input_of(op, 0);
            product(&[elements(output), dim(lhs, usize::from(*adj_x))])
        }
        OpKind::UnidirectionalSequenceLstm(_) | OpKind::Svdf { .. } => {
            let input = graph.input_of(op, 0);
            // Batch x time for the LSTM's [batch, time, features] input;
            // batch for SVDF's [batch, features].
            let steps = input.map_or(0, |t| {
                t.shape.iter().rev().skip(1).product::<usize>() as u64
            });
            op.present_inputs()
                .skip(1)
                .map(|i| graph.tensor(i))
                .filter(|t| t.is_constant() && t.shape.len() == 2)
                .map(|t| product(&[t.shape[0] as u64, t.shape[1] as u64, steps]))
                .fold(0u64, u64::saturating_add)
        }
        _ => 0,
    }
}

/// Saturating product: shapes of a corrupt model must not overflow.
fn product(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |acc, &f| acc.saturating_mul(f))
}
