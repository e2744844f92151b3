//! Typed storage for one tensor's contents while the interpreter runs.

use autodeploy_model::{ElementType, Tensor, TensorValue};

/// A tensor's elements, in the type its kernels read and write.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Buffer {
    /// Not allocated (a type no supported kernel computes in).
    #[default]
    Empty,
    I8(Vec<i8>),
    U8(Vec<u8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
}

/// Element types a [`Buffer`] can hold.
pub(crate) trait Element: Copy + Default + 'static {
    fn slice(buffer: &Buffer) -> Option<&[Self]>;
    fn slice_mut(buffer: &mut Buffer) -> Option<&mut [Self]>;
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            fn slice(buffer: &Buffer) -> Option<&[$t]> {
                match buffer {
                    Buffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_mut(buffer: &mut Buffer) -> Option<&mut [$t]> {
                match buffer {
                    Buffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}

element!(i8, I8);
element!(u8, U8);
element!(i16, I16);
element!(i32, I32);
element!(i64, I64);
element!(f32, F32);

impl Buffer {
    /// Zeros for an activation, or the decoded constant data.
    pub(crate) fn for_tensor(tensor: &Tensor) -> Buffer {
        let value = match &tensor.data {
            Some(bytes) => TensorValue {
                dtype: tensor.dtype,
                shape: tensor.shape.clone(),
                bytes: bytes.clone(),
            },
            None => TensorValue::zeros_like(tensor),
        };
        Buffer::from_value(&value)
    }

    pub(crate) fn from_value(value: &TensorValue) -> Buffer {
        match value.dtype {
            ElementType::Int8 => value.to_i8().map(Buffer::I8),
            ElementType::Uint8 => value.to_u8().map(Buffer::U8),
            ElementType::Int16 => value.to_i16().map(Buffer::I16),
            ElementType::Int32 => value.to_i32().map(Buffer::I32),
            ElementType::Int64 => value.to_i64().map(Buffer::I64),
            ElementType::Float32 => value.to_f32().map(Buffer::F32),
            _ => None,
        }
        .unwrap_or_default()
    }

    pub(crate) fn to_value(&self, tensor: &Tensor) -> TensorValue {
        let shape = &tensor.shape;
        match self {
            Buffer::Empty => TensorValue::zeros_like(tensor),
            Buffer::I8(v) => TensorValue::from_i8(shape, v),
            Buffer::U8(v) => TensorValue::from_u8(shape, v),
            Buffer::I16(v) => TensorValue::from_i16(shape, v),
            Buffer::I32(v) => TensorValue::from_i32(shape, v),
            Buffer::I64(v) => TensorValue::from_i64(shape, v),
            Buffer::F32(v) => TensorValue::from_f32(shape, v),
        }
    }
}
