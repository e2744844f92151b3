//! Everything that can go wrong while planning or checking a memory plan.

use autodeploy_model::TensorLabel;

/// Errors of the code generator. Each names the layer (operator index in
/// the model's execution order) and tensor involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodegenError {
    #[error("tensor {tensor} has no fixed byte size (type '{dtype}'), so it cannot be planned")]
    UnsizedTensor { tensor: TensorLabel, dtype: String },

    #[error("layer {layer} {op}: {reason}")]
    InvalidOrder {
        layer: usize,
        op: String,
        reason: String,
    },

    #[error("layer {layer} {op}: {reason}")]
    State {
        layer: usize,
        op: String,
        reason: String,
    },

    #[error("tensor {tensor} is stored outside the arena but has a place in it")]
    ExternalPlaced { tensor: TensorLabel },

    #[error("tensor {tensor} is live but has no place in the arena")]
    MissingPlacement { tensor: TensorLabel },

    #[error("{what} has offset {offset}, which is not a multiple of {alignment}")]
    Misaligned {
        what: String,
        offset: usize,
        alignment: usize,
    },

    #[error("{what} occupies bytes {offset}..{end}, beyond the {arena}-byte arena")]
    OutsideArena {
        what: String,
        offset: usize,
        end: usize,
        arena: usize,
    },

    #[error("{what} has {size} bytes but needs {needed}")]
    TooSmall {
        what: String,
        size: usize,
        needed: usize,
    },

    #[error("at layer {layer} {op}, {first} and {second} are both live and overlap")]
    Overlap {
        layer: usize,
        op: String,
        /// What and where: `tensor 3 'x' (bytes 0..64)`.
        first: String,
        second: String,
    },

    #[error("layer {layer} {op}: in-place scheme '{scheme}' is not legal: {reason}")]
    InPlaceRule {
        layer: usize,
        op: String,
        scheme: String,
        reason: String,
    },

    #[error("the plan has {found} entries for {what}, the graph needs {expected}")]
    ShapeMismatch {
        what: String,
        found: usize,
        expected: usize,
    },

    #[error("no memory plan passed the checker; the last failure was: {last}")]
    NoValidPlan { last: Box<CodegenError> },

    /// The model cannot be loaded or run (unsupported operators, a layer
    /// whose parameters TensorFlow Lite Micro would refuse).
    #[error("{0}")]
    Model(String),

    #[error("{} layer(s) have no C kernel yet:\n  {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    NoKernels(Vec<MissingKernel>),

    #[error("{what} cannot be written as C: {reason}")]
    Unrepresentable { what: String, reason: String },

    #[error("cannot render template '{template}': {reason}")]
    Template { template: String, reason: String },

    #[error("output directory '{path}': {problem}")]
    OutputDir { path: String, problem: String },
}

/// A layer the emitter cannot call a C kernel for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingKernel {
    pub layer: usize,
    pub op: String,
    pub dtype: String,
}

impl std::fmt::Display for MissingKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "layer {} {} ({})", self.layer, self.op, self.dtype)
    }
}
