//! Turn a validated TensorFlow Lite graph into C99 for a microcontroller.
//!
//! - [`plan`]: the memory planner. Every activation and scratch buffer gets
//!   a fixed, 16-byte aligned offset in one arena, with in-place schemes
//!   (aliasing, element-wise overwrite, row buffers, fused residual
//!   additions) that the C kernels must honour, and an independent checker
//!   ([`plan::check`]) that proves a plan safe.
//! - [`emit`]: the C emitter ([`generate`]), writing `NAME.h`/`NAME.c`, the
//!   weights and only the runtime kernels the model uses; [`write_files`]
//!   puts them on disk without overwriting what the user had.
//! - [`package`]: the library package (Makefile, CMakeLists.txt, example).
//! - [`state`]: the state region of streaming models (resource variables),
//!   apart from the arena, with its initial data.
//!
//! The kernel parameters come from the reference interpreter's preparation
//! (`autodeploy_reference::layer`), so the C kernels receive exactly the
//! integers the reference computes with (docs/codegen.md). It runs no
//! compiler.
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
pub mod state;
mod write;

pub use emit::{generate, GenerateOptions, Generated, GeneratedFile, KernelChoice};
pub use error::{CodegenError, MissingKernel};
pub use package::{package, Core};
pub use write::{write_files, MANIFEST};
