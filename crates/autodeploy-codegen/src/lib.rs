//! Turn a validated TensorFlow Lite graph into what generated C code needs.
//!
//! Today this crate holds the memory planner ([`plan`]): every activation
//! and scratch buffer of a graph gets a fixed, 16-byte aligned offset in one
//! arena, with in-place schemes (aliasing, element-wise overwrite, row
//! buffers, fused residual additions) that the C kernels must honour, and an
//! independent checker ([`plan::check`]) that proves a plan safe. The C
//! emitter will live in `emit`.
//!
//! It knows neither the reference interpreter nor any compiler.
//!
//! ```no_run
//! use autodeploy_codegen::plan::{check, plan, PlanOptions};
//! use autodeploy_model::Model;
//!
//! let model = Model::from_path("kws_ref_model.tflite")?;
//! let graph = model.main_graph();
//! let memory = plan(graph, &PlanOptions::default())?;
//! check(graph, &memory)?;
//! assert!(memory.arena_size <= 12_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod emit;
mod error;
pub mod package;
pub mod plan;
mod write;

pub use emit::{generate, GenerateOptions, Generated, GeneratedFile};
pub use error::{CodegenError, MissingKernel};
pub use package::{package, Core};
pub use write::{write_files, MANIFEST};
