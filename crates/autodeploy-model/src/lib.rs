//! Read, validate and analyse TensorFlow Lite models.
//!
//! `autodeploy-model` turns a `.tflite` file into an owned [`Model`]: typed
//! tensors ([`Tensor`], [`Quantization`]) and operators ([`Operator`] with
//! an [`OpKind`] that carries the decoded options), checked so that later
//! stages can index it without fear. It also counts MACs and bytes per layer
//! ([`Model::summary`]) and can write small models ([`builder`]) for tests.
//!
//! It knows no interpreter, code generator or board: those crates read
//! models through this one.
//!
//! ```no_run
//! use autodeploy_model::Model;
//!
//! let model = Model::from_path("kws_ref_model.tflite")?;
//! model.check_supported()?;
//! let summary = model.summary();
//! assert_eq!(summary.totals.macs, 2_656_768);
//! # Ok::<(), autodeploy_model::ModelError>(())
//! ```

pub mod builder;
mod decode;
mod error;
mod generated;
mod graph;
mod op;
mod parse;
mod quant;
pub mod state;
pub mod summary;
mod support;
mod tensor;
mod validate;
mod value;

pub use error::{BuildError, ModelError, TensorLabel, UnsupportedOp};
pub use generated::builtin_operator_name;
pub use graph::{Graph, Metadata, Model, SignatureDef, TensorMap};
pub use op::{
    Activation, Conv2dOptions, DepthwiseConv2dOptions, FullyConnectedOptions, OpKind, Operator,
    Padding, Pool2dOptions, SequenceLstmOptions, StridedSliceOptions, TransposeConvOptions,
};
pub use quant::Quantization;
pub use state::{ModelState, Variable};
pub use summary::{macs, ModelSummary};
pub use support::support;
pub use tensor::{ElementType, Tensor};
pub use value::{InputGenerator, NpyError, TensorValue};
