//! Shared helpers for the QEMU validation tests.
#![allow(dead_code)]

use std::path::PathBuf;

use autodeploy_model::{Model, TensorValue};
use autodeploy_toolchain::Board;
use autodeploy_validate::ValidateOptions;

/// One build cache for all tests of this crate: each firmware is built
/// once per test run (and reused across runs of the suite).
pub fn cache_dir() -> PathBuf {
    autodeploy_testkit::models::workspace_root().join("target/autodeploy-test-cache")
}

pub fn options(board: &str) -> ValidateOptions {
    let mut options = ValidateOptions::new(Board::resolve(board).expect("built-in board"));
    options.cache_dir = cache_dir();
    options
}

pub fn model_bytes(name: &str) -> Vec<u8> {
    std::fs::read(autodeploy_testkit::models::model_path(name)).unwrap()
}

pub fn stem(name: &str) -> &str {
    name.rsplit('/').next().unwrap()
}

pub fn samples(bytes: &[u8], seed: u64, count: usize) -> Vec<Vec<TensorValue>> {
    autodeploy_testkit::bundle::default_samples(&Model::from_bytes(bytes).unwrap(), seed, count)
}
