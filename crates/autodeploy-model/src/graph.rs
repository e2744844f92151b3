//! The owned, validated model: subgraphs of tensors and operators.

use std::path::Path;

use crate::error::ModelError;
use crate::op::Operator;
use crate::state::ModelState;
use crate::tensor::Tensor;

/// A TensorFlow Lite model, read and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The schema version the file declares (3 for current files).
    pub version: u32,
    pub description: Option<String>,
    /// Subgraph 0 is the one that runs; the others are init subgraphs that
    /// its CALL_ONCE operators run on the first invocation.
    pub subgraphs: Vec<Graph>,
    pub signatures: Vec<SignatureDef>,
    pub metadata: Vec<Metadata>,
    /// Resource variables and init subgraphs, resolved at validation.
    pub state: ModelState,
}

/// One subgraph: tensors, and operators in execution order.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub name: Option<String>,
    pub tensors: Vec<Tensor>,
    pub operators: Vec<Operator>,
    /// Tensor indices of the graph's inputs, in order.
    pub inputs: Vec<usize>,
    /// Tensor indices of the graph's outputs, in order.
    pub outputs: Vec<usize>,
}

/// A named entry point: which tensors are its inputs and outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureDef {
    pub key: String,
    pub subgraph: usize,
    pub inputs: Vec<TensorMap>,
    pub outputs: Vec<TensorMap>,
}

/// A signature's name for a tensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorMap {
    pub name: String,
    pub tensor: usize,
}

/// A named metadata entry (the converter's version, for example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub name: String,
    pub data: Vec<u8>,
}

impl Model {
    /// Reads and validates a model from its bytes.
    ///
    /// Validation covers the file structure and what no stage of autodeploy
    /// can handle (dynamic shapes, strings, hybrid models, control flow); it
    /// does not check that every operator is supported: see
    /// [`Model::check_supported`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut model = crate::parse::parse(bytes)?;
        model.state = crate::validate::validate(&model)?;
        Ok(model)
    }

    /// Reads and validates a model file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Model, ModelError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Model::from_bytes(&bytes)
    }

    /// The subgraph that runs (subgraph 0).
    pub fn main_graph(&self) -> &Graph {
        &self.subgraphs[0]
    }

    /// Fails with every operator (and operator/type combination) that
    /// autodeploy cannot run, listed at once.
    pub fn check_supported(&self) -> Result<(), ModelError> {
        crate::support::check(self)
    }

    /// Per-layer and total figures: MACs, bytes, shapes, operator set.
    pub fn summary(&self) -> crate::summary::ModelSummary {
        crate::summary::summarize(self)
    }
}

impl Graph {
    pub fn tensor(&self, index: usize) -> &Tensor {
        &self.tensors[index]
    }

    /// The tensor an operator reads at input `slot`, if present.
    pub fn input_of(&self, op: &Operator, slot: usize) -> Option<&Tensor> {
        op.input(slot).map(|i| &self.tensors[i])
    }

    /// The tensor an operator writes at output `slot`, if present.
    pub fn output_of(&self, op: &Operator, slot: usize) -> Option<&Tensor> {
        op.outputs.get(slot).map(|&i| &self.tensors[i])
    }
}
