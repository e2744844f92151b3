//! The error a kernel returns when its arguments do not fit together.

/// A kernel was called with arguments that do not fit together. Kernels check
/// everything before writing, so the output is untouched when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// A slice does not have the length its dims imply.
    #[error("'{what}' has {actual} elements, expected {expected}")]
    LengthMismatch {
        /// Which argument.
        what: &'static str,
        /// Length implied by the dims.
        expected: usize,
        /// Length of the slice passed.
        actual: usize,
    },
    /// Dims or options are inconsistent (mismatching channels, zero stride...).
    #[error("invalid shape for '{what}': {reason}")]
    InvalidShape {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A pooling window lies entirely in the padding (TFLite Micro fails too).
    #[error("pooling window at output ({y}, {x}) covers no input element")]
    EmptyPoolWindow {
        /// Output row.
        y: usize,
        /// Output column.
        x: usize,
    },
}

impl KernelError {
    pub(crate) fn shape(what: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidShape {
            what,
            reason: reason.into(),
        }
    }
}
