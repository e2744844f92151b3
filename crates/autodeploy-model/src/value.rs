//! Tensor contents as values: what goes into and comes out of a model, and
//! how they are read from and written to `.npy` and raw `.bin` files.

use std::io::{Read, Write};

use npyz::WriterBuilder;

use crate::error::ModelError;
use crate::tensor::{ElementType, Tensor};

/// A tensor's contents: element type, shape and little-endian bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorValue {
    pub dtype: ElementType,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

macro_rules! typed_access {
    ($from:ident, $to:ident, $t:ty, $dtype:expr) => {
        /// A value of this element type from elements in row-major order.
        pub fn $from(shape: &[usize], values: &[$t]) -> TensorValue {
            TensorValue {
                dtype: $dtype,
                shape: shape.to_vec(),
                bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            }
        }

        /// The elements, if the value has this element type.
        pub fn $to(&self) -> Option<Vec<$t>> {
            const N: usize = std::mem::size_of::<$t>();
            (self.dtype == $dtype).then(|| {
                self.bytes
                    .chunks_exact(N)
                    .map(|c| <$t>::from_le_bytes(c.try_into().unwrap_or([0; N])))
                    .collect()
            })
        }
    };
}

impl TensorValue {
    typed_access!(from_i8, to_i8, i8, ElementType::Int8);
    typed_access!(from_u8, to_u8, u8, ElementType::Uint8);
    typed_access!(from_i16, to_i16, i16, ElementType::Int16);
    typed_access!(from_i32, to_i32, i32, ElementType::Int32);
    typed_access!(from_i64, to_i64, i64, ElementType::Int64);
    typed_access!(from_f32, to_f32, f32, ElementType::Float32);

    /// All zeros, shaped and typed like `tensor`.
    pub fn zeros_like(tensor: &Tensor) -> TensorValue {
        TensorValue {
            dtype: tensor.dtype,
            shape: tensor.shape.clone(),
            bytes: vec![0; tensor.byte_size()],
        }
    }

    pub fn num_elements(&self) -> usize {
        self.shape.iter().product()
    }

    /// Elements widened to `f64` (for statistics over any numeric type).
    pub fn to_f64(&self) -> Option<Vec<f64>> {
        use ElementType as E;
        Some(match self.dtype {
            E::Int8 => self.to_i8()?.into_iter().map(f64::from).collect(),
            E::Uint8 => self.to_u8()?.into_iter().map(f64::from).collect(),
            E::Int16 => self.to_i16()?.into_iter().map(f64::from).collect(),
            E::Int32 => self.to_i32()?.into_iter().map(f64::from).collect(),
            E::Int64 => self.to_i64()?.into_iter().map(|v| v as f64).collect(),
            E::Float32 => self.to_f32()?.into_iter().map(f64::from).collect(),
            _ => return None,
        })
    }

    /// Reads a `.npy` file's contents. Any numeric dtype numpy writes for
    /// our element types is accepted in either byte order; Fortran order is
    /// refused (save with `np.ascontiguousarray`).
    pub fn read_npy(reader: impl Read) -> Result<TensorValue, NpyError> {
        let file = npyz::NpyFile::new(reader).map_err(NpyError::Io)?;
        if file.order() == npyz::Order::Fortran {
            return Err(NpyError::Unsupported("Fortran-ordered arrays".into()));
        }
        let shape: Vec<usize> = file.shape().iter().map(|&d| d as usize).collect();
        let npyz::DType::Plain(type_str) = file.dtype() else {
            return Err(NpyError::Unsupported("structured arrays".into()));
        };
        let descr = type_str.to_string();
        let kind = descr.trim_start_matches(['<', '>', '|', '=']);
        macro_rules! read_as {
            ($t:ty, $from:ident) => {{
                let values: Vec<$t> = file.into_vec().map_err(NpyError::Io)?;
                Ok(TensorValue::$from(&shape, &values))
            }};
        }
        match kind {
            "i1" => read_as!(i8, from_i8),
            "u1" => read_as!(u8, from_u8),
            "i2" => read_as!(i16, from_i16),
            "i4" => read_as!(i32, from_i32),
            "i8" => read_as!(i64, from_i64),
            "f4" => read_as!(f32, from_f32),
            other => Err(NpyError::Unsupported(format!("dtype '{other}'"))),
        }
    }

    /// Writes the value as a `.npy` file.
    pub fn write_npy(&self, writer: impl Write) -> Result<(), NpyError> {
        macro_rules! write_as {
            ($t:ty, $to:ident) => {{
                let values = self.$to().unwrap_or_default();
                let shape: Vec<u64> = self.shape.iter().map(|&d| d as u64).collect();
                let mut w = npyz::WriteOptions::<$t>::new()
                    .default_dtype()
                    .shape(&shape)
                    .writer(writer)
                    .begin_nd()
                    .map_err(NpyError::Io)?;
                w.extend(values).map_err(NpyError::Io)?;
                w.finish().map_err(NpyError::Io)
            }};
        }
        match self.dtype {
            ElementType::Int8 => write_as!(i8, to_i8),
            ElementType::Uint8 => write_as!(u8, to_u8),
            ElementType::Int16 => write_as!(i16, to_i16),
            ElementType::Int32 => write_as!(i32, to_i32),
            ElementType::Int64 => write_as!(i64, to_i64),
            ElementType::Float32 => write_as!(f32, to_f32),
            other => Err(NpyError::Unsupported(format!("element type {other}"))),
        }
    }

    /// Checks that this value fits `tensor` (type and element count); a
    /// value with the right count but another shape is reshaped, as a raw
    /// `.bin` file has no shape of its own.
    pub fn conform_to(mut self, tensor: &Tensor) -> Result<TensorValue, ModelError> {
        let mismatch = |problem: String| ModelError::BadOperator {
            layer: 0,
            op: "input".into(),
            problem,
        };
        if self.dtype != tensor.dtype {
            return Err(mismatch(format!(
                "tensor {} is {}, the value is {}",
                tensor.label(),
                tensor.dtype,
                self.dtype
            )));
        }
        if self.num_elements() != tensor.num_elements() {
            return Err(mismatch(format!(
                "tensor {} has shape {:?} ({} elements), the value has shape {:?}",
                tensor.label(),
                tensor.shape,
                tensor.num_elements(),
                self.shape
            )));
        }
        self.shape = tensor.shape.clone();
        Ok(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NpyError {
    #[error("cannot read or write the .npy data")]
    Io(#[source] std::io::Error),
    #[error("unsupported .npy content: {0}")]
    Unsupported(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_round_trip_keeps_type_shape_and_values() {
        let values = [
            TensorValue::from_i8(&[2, 3], &[-128, -1, 0, 1, 2, 127]),
            TensorValue::from_i16(&[3], &[-32768, 0, 32767]),
            TensorValue::from_i32(&[1, 2], &[i32::MIN, i32::MAX]),
            TensorValue::from_f32(&[2], &[-1.5, 3.25]),
            TensorValue::from_u8(&[1], &[255]),
        ];
        for v in values {
            let mut bytes = Vec::new();
            v.write_npy(&mut bytes).unwrap();
            assert_eq!(TensorValue::read_npy(bytes.as_slice()).unwrap(), v);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(TensorValue::read_npy(&b"not numpy"[..]).is_err());
        assert!(TensorValue::read_npy(&b""[..]).is_err());
    }
}

/// Seeded pseudo-random inputs, stable across versions of autodeploy.
///
/// The generator is SplitMix64 (fixed here, not taken from a crate) so that
/// a seed in a bug report reproduces the same inputs forever. Integer
/// tensors get values uniform over their whole range; float tensors get
/// values uniform over [-1, 1), or over the range their quantization
/// parameters can represent if they have some.
pub struct InputGenerator {
    state: u64,
}

impl InputGenerator {
    pub fn new(seed: u64) -> Self {
        InputGenerator { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A value for `tensor`, or `None` for element types without a rule.
    pub fn value_for(&mut self, tensor: &Tensor) -> Option<TensorValue> {
        let n = tensor.num_elements();
        let shape = &tensor.shape;
        Some(match tensor.dtype {
            ElementType::Int8 => TensorValue::from_i8(shape, &self.ints(n, |r| r as i8)),
            ElementType::Uint8 => TensorValue::from_u8(shape, &self.ints(n, |r| r as u8)),
            ElementType::Int16 => TensorValue::from_i16(shape, &self.ints(n, |r| r as i16)),
            ElementType::Int32 => {
                TensorValue::from_i32(shape, &self.ints(n, |r| (r % 2001) as i32 - 1000))
            }
            ElementType::Float32 => {
                let (lo, hi) = match &tensor.quant {
                    Some(q) if q.scale() > 0.0 => {
                        let scale = f64::from(q.scale());
                        let zp = q.zero_point() as f64;
                        (scale * (-128.0 - zp), scale * (127.0 - zp))
                    }
                    _ => (-1.0, 1.0),
                };
                let values: Vec<f32> = (0..n)
                    .map(|_| (lo + (hi - lo) * self.next_f64()) as f32)
                    .collect();
                TensorValue::from_f32(shape, &values)
            }
            _ => return None,
        })
    }

    fn ints<T>(&mut self, n: usize, cast: impl Fn(u64) -> T) -> Vec<T> {
        (0..n).map(|_| cast(self.next_u64())).collect()
    }
}

#[cfg(test)]
mod generator_tests {
    use super::*;

    #[test]
    fn splitmix64_matches_its_published_sequence() {
        // First outputs of SplitMix64 seeded with 0 (the reference sequence).
        let mut g = InputGenerator::new(0);
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
