//! Per-operator property tests against TensorFlow Lite Micro: for every
//! operator and element type autodeploy supports, at least 200 seeded random
//! one-operator models (shapes, strides, padding, dilation, depth
//! multipliers, fused activations, per-channel scales from 1e-6 to 1, zero
//! points at the int8 extremes), each run in the reference interpreter and
//! in TensorFlow Lite Micro (one oracle process per test) and compared:
//! bit-exact for integer types, within 1e-5 relative or 1e-6 absolute for
//! float32.
//!
//! A case TensorFlow Lite Micro refuses is a generator bug unless the
//! reference refuses it too; each test fails if its generator wastes more
//! than a few percent of its cases.

// The per-operator summary lines are for people reading the test log.
#![allow(clippy::print_stdout)]

mod harness;

mod activation;
mod conv;
mod elementwise;
mod shape;
