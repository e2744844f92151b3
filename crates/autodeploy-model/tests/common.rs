//! Helpers shared by this crate's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// A model from the repository's `examples/models/` (e.g. "mlperf-tiny/kws_ref_model").
pub fn model_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/models")
        .join(format!("{name}.tflite"))
}

pub fn model_bytes(name: &str) -> Vec<u8> {
    let path = model_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
