//! Reference kernels for autodeploy: integer (int8, 16x8) and float32 operator
//! implementations that reproduce TensorFlow Lite Micro's reference kernels bit
//! for bit, plus the "prepare" arithmetic that turns float scales, zero points and
//! operator options into the integer parameters those kernels consume.
//!
//! What this crate does not do: parse models, plan memory, or emit C. The graph
//! interpreter built on top of it decodes an operator, calls a `prepare` function
//! once, then calls the matching kernel.
//!
//! ```
//! use autodeploy_reference::kernels::quant::multiply_by_quantized_multiplier;
//! use autodeploy_reference::prepare::quantize_multiplier;
//!
//! // 0.5 is represented as 2^30 / 2^31 with shift 0.
//! let (m, shift) = quantize_multiplier(0.5);
//! assert_eq!((m, shift), (1 << 30, 0));
//! assert_eq!(multiply_by_quantized_multiplier(100, m, shift), 50);
//! ```

mod buffer;
mod error;
mod interpreter;
pub mod kernels;
pub mod layer;
pub mod prepare;

pub use error::ReferenceError;
pub use interpreter::Interpreter;
