//! The bundled example models (`examples/models/`).

use std::path::PathBuf;

/// The repository root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `examples/models/<name>.tflite`, e.g. `model_path("mlperf-tiny/kws_ref_model")`.
pub fn model_path(name: &str) -> PathBuf {
    workspace_root()
        .join("examples/models")
        .join(format!("{name}.tflite"))
}

/// The int8 models of the shared corpus that autodeploy supports.
pub const INT8_MODELS: &[&str] = &[
    "mlperf-tiny/kws_ref_model",
    "mlperf-tiny/vww_96_int8",
    "mlperf-tiny/ic_resnet8_int8",
    "mlperf-tiny/ad01_int8",
    "mlperf-tiny/str_ww_ref_model",
    "tflm-examples/hello_world_int8",
];

/// The float32 models of the shared corpus that autodeploy supports.
pub const FLOAT_MODELS: &[&str] = &[
    "mlperf-tiny/vww_96_float",
    "tflm-examples/hello_world_float",
    "tflm-examples/simple_add_model",
];

/// `(variable id, value tensor)` of every ASSIGN_VARIABLE of subgraph 0: the
/// tensors to read back from TensorFlow Lite Micro, whose Python API does
/// not expose resource variables, to compare a streaming model's state.
pub fn assigned_tensors(model: &autodeploy_model::Model) -> Vec<(usize, usize)> {
    let graph = model.main_graph();
    graph
        .operators
        .iter()
        .filter(|op| matches!(op.kind, autodeploy_model::OpKind::AssignVariable))
        .filter_map(|op| {
            let v = model.state.variable_of(0, op.input(0)?)?;
            Some((v.id, op.input(1)?))
        })
        .collect()
}
