//! Everything that can be wrong with a model file, as one error type.
//!
//! Each variant carries what a user needs to find the problem in their model:
//! the layer (operator index in execution order), the tensor (index and
//! name), the byte offset or size where that is the fact that matters.

use std::fmt;
use std::path::PathBuf;

/// A tensor named for an error message: `3 'conv1/weights'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorLabel {
    pub index: usize,
    pub name: String,
}

impl fmt::Display for TensorLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}'", self.index, self.name)
    }
}

/// One operator that autodeploy cannot run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedOp {
    /// Operator index in execution order.
    pub layer: usize,
    /// TensorFlow Lite operator name, e.g. `UNIDIRECTIONAL_SEQUENCE_LSTM`.
    pub op: String,
    pub reason: String,
}

impl fmt::Display for UnsupportedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "layer {} {}: {}", self.layer, self.op, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read model file '{path}'")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the model file is empty")]
    Empty,

    #[error("not a TensorFlow Lite flatbuffer: {reason}")]
    NotFlatbuffer { reason: String },

    #[error(
        "wrong file identifier {found:?} (expected \"TFL3\"): this is not a TensorFlow Lite model"
    )]
    WrongIdentifier { found: String },

    #[error(
        "the file is truncated: {what} lies past its end ({file_len} bytes); \
         was the download or copy interrupted?"
    )]
    Truncated { what: String, file_len: usize },

    #[error("corrupt model: {what}: {problem}")]
    Corrupt { what: String, problem: String },

    #[error("the model has no subgraph")]
    NoSubgraph,

    #[error(
        "the model has {count} subgraphs but no CALL_ONCE reaches subgraph {subgraph}; \
         only init subgraphs run by CALL_ONCE are supported"
    )]
    UnreachedSubgraph { count: usize, subgraph: usize },

    #[error(
        "subgraph {subgraph} layer {layer} {op}: control flow other than CALL_ONCE \
         (in subgraph 0) is not supported"
    )]
    ControlFlow {
        subgraph: usize,
        layer: usize,
        op: String,
    },

    #[error(
        "layer {layer} CALL_ONCE names init subgraph {init}, but the model has {count} subgraphs"
    )]
    BadInitSubgraph {
        layer: usize,
        init: i32,
        count: usize,
    },

    #[error(
        "subgraph {subgraph} layer {layer} {op} reads handle tensor {tensor}, \
         which no VAR_HANDLE of that subgraph writes"
    )]
    UnresolvedVariable {
        subgraph: usize,
        layer: usize,
        op: String,
        tensor: TensorLabel,
    },

    #[error(
        "resource variable '{shared_name}' (container '{container}') is never read \
         or assigned, so its type and shape are unknown"
    )]
    UntypedVariable {
        container: String,
        shared_name: String,
    },

    #[error("resource variable '{shared_name}': {first}, but {other}")]
    VariableMismatch {
        shared_name: String,
        first: String,
        other: String,
    },

    #[error("{what} refers to tensor {index}, but the subgraph has only {count} tensors")]
    TensorIndexOutOfRange {
        what: String,
        index: i64,
        count: usize,
    },

    #[error("layer {layer} uses operator code {index}, but the model has only {count}")]
    OpcodeIndexOutOfRange {
        layer: usize,
        index: u32,
        count: usize,
    },

    #[error("tensor {tensor} refers to buffer {index}, but the model has only {count}")]
    BufferIndexOutOfRange {
        tensor: TensorLabel,
        index: u32,
        count: usize,
    },

    #[error(
        "buffer {buffer} claims bytes {offset}..{end} of the file, \
         which has only {file_len} bytes"
    )]
    BufferOutOfFile {
        buffer: usize,
        offset: u64,
        end: u64,
        file_len: usize,
    },

    #[error("tensor {tensor} has a negative dimension {value} at axis {axis}")]
    NegativeDimension {
        tensor: TensorLabel,
        axis: usize,
        value: i32,
    },

    #[error("tensor {tensor} shape {shape:?} is too large to address")]
    ShapeOverflow {
        tensor: TensorLabel,
        shape: Vec<i32>,
    },

    #[error(
        "tensor {tensor} holds {actual} bytes of data but its {dtype} shape {shape:?} \
         needs {expected}"
    )]
    DataSizeMismatch {
        tensor: TensorLabel,
        dtype: String,
        shape: Vec<usize>,
        expected: usize,
        actual: usize,
    },

    #[error(
        "tensor {tensor} has a dynamic shape (signature {signature:?}); \
         autodeploy plans memory ahead of time and needs fixed shapes: \
         re-export the model with a fixed input size"
    )]
    DynamicShape {
        tensor: TensorLabel,
        signature: Vec<i32>,
    },

    #[error("tensor {tensor} holds strings, which microcontroller kernels do not support")]
    StringTensor { tensor: TensorLabel },

    #[error("tensor {tensor} has element type {dtype}, which is not supported")]
    UnsupportedType { tensor: TensorLabel, dtype: String },

    #[error(
        "tensor {tensor} has {scales} scales and {zero_points} zero points; \
         they must match and be 1 or one per slice of axis {axis}"
    )]
    BadQuantization {
        tensor: TensorLabel,
        scales: usize,
        zero_points: usize,
        axis: i32,
    },

    #[error(
        "hybrid model: layer {layer} {op} takes float input with {weight_type} weights \
         (tensor {weights}); quantize the activations too (full integer quantization), \
         as TensorFlow Lite Micro does not run hybrid models either"
    )]
    HybridModel {
        layer: usize,
        op: String,
        weights: TensorLabel,
        weight_type: String,
    },

    #[error("layer {layer} {op} has bad options: {problem}")]
    BadOptions {
        layer: usize,
        op: String,
        problem: String,
    },

    #[error("layer {layer} {op}: {problem}")]
    BadOperator {
        layer: usize,
        op: String,
        problem: String,
    },

    #[error("{} unsupported operator(s):\n  {}", .0.len(), list_unsupported(.0))]
    UnsupportedOps(Vec<UnsupportedOp>),
}

fn list_unsupported(ops: &[UnsupportedOp]) -> String {
    ops.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// Errors of the model builder (writing .tflite files).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the model builder cannot encode operator {op}")]
    CannotEncode { op: String },
}
