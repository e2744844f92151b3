//! Test support shared by autodeploy's crates (not part of the product).
//!
//! - [`oracle`]: runs .tflite models in the real TensorFlow Lite Micro and
//!   LiteRT interpreters (PyPI packages in a test-only venv) through the
//!   small batch script `oracle/oracle.py`, many models per process.
//! - [`compare`]: tensor comparisons (exact for integers, a tolerance for
//!   floats) that say where two tensors differ.
//! - [`models`]: paths of the bundled example models.
//! - [`sigmoid_table`]: TensorFlow Lite's int16 sigmoid table, measured
//!   through TensorFlow Lite Micro.
//! - [`chromium`]: renders an HTML report in headless Chromium.
//!
//! Tests that need the oracle fail (never skip) when the venv is missing,
//! with the command that creates it.

pub mod chromium;
pub mod compare;
pub mod models;
pub mod ops;
pub mod oracle;
pub mod sigmoid_table;
pub mod spoken;
