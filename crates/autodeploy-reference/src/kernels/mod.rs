//! Operator kernels, one module per operator family.
//!
//! Conventions shared by every kernel (CMSIS-NN shaped):
//! - argument order: op params, quant params, then (dims, data) pairs for the
//!   inputs, the output last;
//! - 4-D tensors are NHWC and described by [`Dims4`]; conv filters are
//!   `[C_OUT, KH, KW, C_IN]`, depthwise filters `[1, KH, KW, C_OUT]`;
//! - every length is checked before any work; a mismatch returns
//!   [`KernelError`] and leaves the output untouched; nothing panics on input;
//! - integer arithmetic that can overflow in C wraps here (two's complement),
//!   which is what TFLite Micro's host build does in practice;
//! - names end with the element type: `_s8`, `_s16`, `_f32`.

pub mod activation;
pub mod array;
pub mod batch_matmul;
pub mod conv;
pub mod elementwise;
pub mod error;
pub mod fully_connected;
pub mod pool;
pub mod quant;
pub mod quantize;
pub mod reduce;
pub mod sigmoid_table;
pub mod softmax;

pub use error::KernelError;

/// Dimensions of a 4-D NHWC tensor (or a filter, see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dims4 {
    /// Batches (or output channels for a conv filter).
    pub n: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
    /// Channels (innermost).
    pub c: usize,
}

impl Dims4 {
    /// Builds dims from `[n, h, w, c]`.
    pub const fn new(n: usize, h: usize, w: usize, c: usize) -> Self {
        Self { n, h, w, c }
    }

    /// Number of elements, or `None` if it overflows `usize`.
    pub fn checked_len(&self) -> Option<usize> {
        self.n
            .checked_mul(self.h)?
            .checked_mul(self.w)?
            .checked_mul(self.c)
    }
}

/// Clamp range applied after requantisation, in the output's integer domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuantActivation {
    /// Smallest output value (inclusive).
    pub min: i32,
    /// Largest output value (inclusive).
    pub max: i32,
}

impl QuantActivation {
    /// The full int8 range.
    pub const S8: Self = Self {
        min: -128,
        max: 127,
    };
    /// The full int16 range.
    pub const S16: Self = Self {
        min: -32768,
        max: 32767,
    };
}

/// Clamp range for float kernels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloatActivation {
    /// Lower bound.
    pub min: f32,
    /// Upper bound.
    pub max: f32,
}

impl FloatActivation {
    /// No clamping (`f32::MIN..=f32::MAX`, as TFLite uses `lowest()`/`max()`).
    pub const NONE: Self = Self {
        min: f32::MIN,
        max: f32::MAX,
    };
}

/// Clamps a float like TFLite's `ActivationFunctionWithMinMax`:
/// `min(max(x, lo), hi)` with C++ `std::max`/`std::min` semantics (a NaN `x`
/// stays NaN because the comparisons are false).
#[inline]
pub(crate) fn clamp_f32(x: f32, act: FloatActivation) -> f32 {
    let y = if x < act.min { act.min } else { x };
    if act.max < y {
        act.max
    } else {
        y
    }
}

/// Returns an error unless `slice_len == expected`.
#[inline]
pub(crate) fn check_len(
    what: &'static str,
    slice_len: usize,
    expected: usize,
) -> Result<(), KernelError> {
    if slice_len == expected {
        Ok(())
    } else {
        Err(KernelError::LengthMismatch {
            what,
            expected,
            actual: slice_len,
        })
    }
}

/// Element count of dims, as an error if it overflows.
#[inline]
pub(crate) fn dims_len(what: &'static str, dims: &Dims4) -> Result<usize, KernelError> {
    dims.checked_len().ok_or(KernelError::InvalidShape {
        what,
        reason: "element count overflows usize".to_string(),
    })
}

/// Product of a shape given as a slice, as an error if it overflows.
#[inline]
pub(crate) fn shape_len(what: &'static str, shape: &[usize]) -> Result<usize, KernelError> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or(KernelError::InvalidShape {
            what,
            reason: "element count overflows usize".to_string(),
        })
}
