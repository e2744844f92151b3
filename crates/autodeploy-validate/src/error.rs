//! Everything that can stop a validation, each with what the user needs.

use autodeploy_rpc::{Fault, RpcError};
use autodeploy_toolchain::ToolchainError;

#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot load the model")]
    Model(#[source] autodeploy_model::ModelError),

    #[error("cannot run the model on the PC")]
    Reference(#[source] autodeploy_reference::ReferenceError),

    #[error("cannot generate C for the model")]
    Codegen(#[source] Box<autodeploy_codegen::CodegenError>),

    #[error("cannot build or start the firmware for board '{board}'")]
    Toolchain {
        board: String,
        #[source]
        source: Box<ToolchainError>,
    },

    /// The board reported a hard fault.
    #[error("the board faulted{}: {fault}", layer_text(.layer, .op))]
    Fault {
        layer: Option<usize>,
        op: Option<String>,
        fault: Box<Fault>,
    },

    /// The board stopped answering.
    #[error("the board stopped answering {during}{}", layer_text(.layer, .op))]
    Unresponsive {
        during: String,
        layer: Option<usize>,
        op: Option<String>,
        #[source]
        source: Box<RpcError>,
    },

    #[error("talking to the board failed {during}")]
    Rpc {
        during: String,
        #[source]
        source: Box<RpcError>,
    },

    #[error("the firmware on the board was built for another model (its hash is {actual}, this model's is {expected}); rebuild it")]
    StaleFirmware { expected: String, actual: String },

    #[error("input {index}: {problem}")]
    Input { index: usize, problem: String },

    #[error("cannot write '{path}'")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn layer_text(layer: &Option<usize>, op: &Option<String>) -> String {
    match (layer, op) {
        (Some(l), Some(op)) => format!(" in layer {l} {op}"),
        (Some(l), None) => format!(" in layer {l}"),
        _ => String::new(),
    }
}
