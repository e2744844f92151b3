//! Affine quantization parameters of a tensor.

use serde::Serialize;

/// `real = scale * (q - zero_point)`, per tensor (one scale) or per channel
/// (one scale per slice along `axis`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantization {
    pub scale: Vec<f32>,
    pub zero_point: Vec<i64>,
    /// The quantized dimension; meaningful when there is more than one scale.
    pub axis: usize,
}

impl Quantization {
    pub fn per_tensor(scale: f32, zero_point: i64) -> Self {
        Quantization {
            scale: vec![scale],
            zero_point: vec![zero_point],
            axis: 0,
        }
    }

    pub fn is_per_channel(&self) -> bool {
        self.scale.len() > 1
    }

    /// The first (or only) scale.
    pub fn scale(&self) -> f32 {
        self.scale.first().copied().unwrap_or(0.0)
    }

    /// The first (or only) zero point.
    pub fn zero_point(&self) -> i64 {
        self.zero_point.first().copied().unwrap_or(0)
    }
}
