//! Tensors: element types, shapes and constant data.

use std::fmt;

use serde::Serialize;

use crate::quant::Quantization;

/// Element type of a tensor, by TensorFlow Lite's type codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ElementType {
    Float32,
    Float16,
    Int32,
    Uint8,
    Int64,
    String,
    Bool,
    Int16,
    Complex64,
    Int8,
    Float64,
    Complex128,
    Uint64,
    Resource,
    Variant,
    Uint32,
    Uint16,
    Int4,
    Bfloat16,
    Int2,
    Uint4,
    Float8E4m3fn,
    Float8E5m2,
}

impl ElementType {
    /// Bits per element; `None` for types without a fixed size.
    pub fn bits(self) -> Option<usize> {
        use ElementType::*;
        Some(match self {
            Int2 => 2,
            Int4 | Uint4 => 4,
            Bool | Int8 | Uint8 | Float8E4m3fn | Float8E5m2 => 8,
            Int16 | Uint16 | Float16 | Bfloat16 => 16,
            Float32 | Int32 | Uint32 => 32,
            Float64 | Int64 | Uint64 | Complex64 => 64,
            Complex128 => 128,
            String | Resource | Variant => return None,
        })
    }

    /// Bytes needed to store `elements` of this type (sub-byte types packed).
    pub fn bytes_for(self, elements: usize) -> Option<usize> {
        let bits = self.bits()?;
        elements.checked_mul(bits).map(|b| b.div_ceil(8))
    }

    /// The lower-case name TensorFlow uses: `int8`, `float32`...
    pub fn name(self) -> &'static str {
        use ElementType::*;
        match self {
            Float32 => "float32",
            Float16 => "float16",
            Int32 => "int32",
            Uint8 => "uint8",
            Int64 => "int64",
            String => "string",
            Bool => "bool",
            Int16 => "int16",
            Complex64 => "complex64",
            Int8 => "int8",
            Float64 => "float64",
            Complex128 => "complex128",
            Uint64 => "uint64",
            Resource => "resource",
            Variant => "variant",
            Uint32 => "uint32",
            Uint16 => "uint16",
            Int4 => "int4",
            Bfloat16 => "bfloat16",
            Int2 => "int2",
            Uint4 => "uint4",
            Float8E4m3fn => "float8_e4m3fn",
            Float8E5m2 => "float8_e5m2",
        }
    }

    pub fn is_float(self) -> bool {
        matches!(
            self,
            ElementType::Float32
                | ElementType::Float16
                | ElementType::Float64
                | ElementType::Bfloat16
        )
    }
}

impl fmt::Display for ElementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A tensor of a subgraph: an activation, a constant (weights, biases,
/// shape arguments) or a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Index in its subgraph's tensor list.
    pub index: usize,
    pub name: String,
    pub dtype: ElementType,
    /// Dimensions, outermost first (NHWC for images).
    pub shape: Vec<usize>,
    /// The shape as exported, with -1 for sizes fixed only at run time.
    pub shape_signature: Option<Vec<i32>>,
    pub quant: Option<Quantization>,
    /// Constant contents (little-endian), or `None` for activations and variables.
    pub data: Option<Vec<u8>>,
    /// Variables keep their value between invocations.
    pub is_variable: bool,
}

impl Tensor {
    pub fn num_elements(&self) -> usize {
        self.shape.iter().product()
    }

    /// Bytes of the tensor's contents (0 for types without a fixed size).
    pub fn byte_size(&self) -> usize {
        self.dtype.bytes_for(self.num_elements()).unwrap_or(0)
    }

    pub fn is_constant(&self) -> bool {
        self.data.is_some()
    }

    /// Constant data as `i8`.
    pub fn data_i8(&self) -> Option<Vec<i8>> {
        Some(self.data.as_ref()?.iter().map(|&b| b as i8).collect())
    }

    /// Constant data as little-endian `i16`.
    pub fn data_i16(&self) -> Option<Vec<i16>> {
        Some(
            le_chunks::<2>(self.data.as_ref()?)
                .map(i16::from_le_bytes)
                .collect(),
        )
    }

    /// Constant data as little-endian `i32`.
    pub fn data_i32(&self) -> Option<Vec<i32>> {
        Some(
            le_chunks::<4>(self.data.as_ref()?)
                .map(i32::from_le_bytes)
                .collect(),
        )
    }

    /// Constant data as little-endian `i64`.
    pub fn data_i64(&self) -> Option<Vec<i64>> {
        Some(
            le_chunks::<8>(self.data.as_ref()?)
                .map(i64::from_le_bytes)
                .collect(),
        )
    }

    /// Constant data as little-endian `f32`.
    pub fn data_f32(&self) -> Option<Vec<f32>> {
        Some(
            le_chunks::<4>(self.data.as_ref()?)
                .map(f32::from_le_bytes)
                .collect(),
        )
    }

    /// Constant integer data widened to `i64` (for shape and axis arguments).
    pub fn data_as_i64(&self) -> Option<Vec<i64>> {
        match self.dtype {
            ElementType::Int32 => Some(self.data_i32()?.into_iter().map(i64::from).collect()),
            ElementType::Int64 => self.data_i64(),
            ElementType::Int16 => Some(self.data_i16()?.into_iter().map(i64::from).collect()),
            ElementType::Int8 => Some(self.data_i8()?.into_iter().map(i64::from).collect()),
            ElementType::Uint8 => Some(self.data.as_ref()?.iter().map(|&b| i64::from(b)).collect()),
            _ => None,
        }
    }

    /// `3 'name'`, for messages.
    pub fn label(&self) -> crate::TensorLabel {
        crate::TensorLabel {
            index: self.index,
            name: self.name.clone(),
        }
    }
}

fn le_chunks<const N: usize>(bytes: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    bytes.chunks_exact(N).map(|c| {
        let mut a = [0u8; N];
        a.copy_from_slice(c);
        a
    })
}
