//! Code generated from `schema/tflite.fbs`. Do not edit: run `cargo xtask schema`.
//!
//! Everything outside this module reads models through the owned types of
//! `crate::graph`; the raw flatbuffer accessors stay fenced in here.

#[allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    unused_imports,
    non_camel_case_types,
    missing_docs,
    unsafe_code
)]
#[rustfmt::skip]
mod tflite_schema;

#[rustfmt::skip]
mod operator_names;

pub use operator_names::builtin_operator_name;
pub use tflite_schema::tflite;
