//! Errors of the reference interpreter.

use autodeploy_model::ModelError;

use crate::kernels::KernelError;
use crate::prepare::PrepareError;

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The model is unreadable or uses what autodeploy does not support.
    #[error(transparent)]
    Model(#[from] ModelError),

    /// A layer's parameters cannot be turned into kernel parameters.
    #[error("layer {layer} {op}: {source}")]
    Prepare {
        layer: usize,
        op: String,
        #[source]
        source: PrepareError,
    },

    /// A layer is well-formed but outside what TensorFlow Lite Micro runs.
    #[error("layer {layer} {op}: {reason}")]
    Unsupported {
        layer: usize,
        op: String,
        reason: String,
    },

    /// A kernel refused its arguments (a shape the model declares wrongly).
    #[error("layer {layer} {op} failed")]
    Kernel {
        layer: usize,
        op: String,
        #[source]
        source: KernelError,
    },

    #[error("input {index}: {problem}")]
    Input { index: usize, problem: String },

    #[error("layers {first}..={last} are out of range (the model has {count})")]
    LayerRange {
        first: usize,
        last: usize,
        count: usize,
    },
}
