//! How close the board's tensors are to the reference's.

use autodeploy_model::{ElementType, TensorValue};

/// Float tensors match within this (absolute, or relative to the reference).
pub const FLOAT_ABSOLUTE: f64 = 1e-6;
pub const FLOAT_RELATIVE: f64 = 1e-5;

/// Agreement between board and reference for one tensor, over one or more
/// samples. Integer differences are in LSB (units of the stored value).
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub dtype: ElementType,
    pub samples: usize,
    pub elements: usize,
    /// Elements equal (integers) or within tolerance (floats).
    pub matching: usize,
    pub max_abs_diff: f64,
    pub mean_abs_error: f64,
    pub rmse: f64,
    /// Cosine similarity of board and reference values (1 = same direction).
    pub cosine: f64,
    /// Samples whose largest output element is at the same index.
    pub top1_agree: usize,
}

impl Agreement {
    pub fn exact_percent(&self) -> f64 {
        if self.elements == 0 {
            100.0
        } else {
            100.0 * self.matching as f64 / self.elements as f64
        }
    }

    pub fn passes(&self) -> bool {
        self.matching == self.elements
    }
}

/// Accumulates an [`Agreement`] sample by sample.
#[derive(Debug, Clone)]
pub struct AgreementBuilder {
    dtype: ElementType,
    samples: usize,
    elements: usize,
    matching: usize,
    max_abs: f64,
    sum_abs: f64,
    sum_sq: f64,
    dot: f64,
    norm_board: f64,
    norm_reference: f64,
    top1: usize,
}

impl AgreementBuilder {
    pub fn new(dtype: ElementType) -> Self {
        AgreementBuilder {
            dtype,
            samples: 0,
            elements: 0,
            matching: 0,
            max_abs: 0.0,
            sum_abs: 0.0,
            sum_sq: 0.0,
            dot: 0.0,
            norm_board: 0.0,
            norm_reference: 0.0,
            top1: 0,
        }
    }

    /// Adds one sample; `board` and `reference` must have the same type and
    /// number of elements (checked by the caller).
    pub fn add(&mut self, board: &TensorValue, reference: &TensorValue) {
        let (Some(b), Some(r)) = (board.to_f64(), reference.to_f64()) else {
            return;
        };
        let float = self.dtype == ElementType::Float32;
        self.samples += 1;
        for (&x, &y) in b.iter().zip(&r) {
            let diff = (x - y).abs();
            let same = if float {
                diff <= FLOAT_ABSOLUTE || diff <= FLOAT_RELATIVE * y.abs()
            } else {
                x == y
            };
            self.elements += 1;
            self.matching += usize::from(same);
            self.max_abs = self.max_abs.max(diff);
            self.sum_abs += diff;
            self.sum_sq += diff * diff;
            self.dot += x * y;
            self.norm_board += x * x;
            self.norm_reference += y * y;
        }
        if argmax(&b) == argmax(&r) {
            self.top1 += 1;
        }
    }

    pub fn finish(&self) -> Agreement {
        let n = self.elements.max(1) as f64;
        let norms = (self.norm_board * self.norm_reference).sqrt();
        Agreement {
            dtype: self.dtype,
            samples: self.samples,
            elements: self.elements,
            matching: self.matching,
            max_abs_diff: self.max_abs,
            mean_abs_error: self.sum_abs / n,
            rmse: (self.sum_sq / n).sqrt(),
            // Two all-zero tensors point the same way.
            cosine: if norms == 0.0 {
                if self.norm_board == self.norm_reference {
                    1.0
                } else {
                    0.0
                }
            } else {
                self.dot / norms
            },
            top1_agree: self.top1,
        }
    }
}

fn argmax(values: &[f64]) -> Option<usize> {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_tensors_agree_fully() {
        let v = TensorValue::from_i8(&[4], &[1, -2, 3, 4]);
        let mut b = AgreementBuilder::new(ElementType::Int8);
        b.add(&v, &v);
        let a = b.finish();
        assert!(a.passes());
        assert_eq!(
            (
                a.exact_percent(),
                a.max_abs_diff,
                a.rmse,
                a.cosine,
                a.top1_agree
            ),
            (100.0, 0.0, 0.0, 1.0, 1)
        );
    }

    #[test]
    fn differences_are_measured_in_lsb() {
        let board = TensorValue::from_i8(&[4], &[1, 0, 3, 9]);
        let reference = TensorValue::from_i8(&[4], &[1, -2, 3, 4]);
        let mut b = AgreementBuilder::new(ElementType::Int8);
        b.add(&board, &reference);
        let a = b.finish();
        assert!(!a.passes());
        assert_eq!(a.matching, 2);
        assert_eq!(a.max_abs_diff, 5.0);
        assert_eq!(a.mean_abs_error, 7.0 / 4.0);
        assert!((a.rmse - (29.0f64 / 4.0).sqrt()).abs() < 1e-12);
        assert_eq!(a.top1_agree, 1, "both peak at index 3");
    }

    #[test]
    fn floats_match_within_tolerance() {
        let board = TensorValue::from_f32(&[2], &[1.0, 2.000_001]);
        let reference = TensorValue::from_f32(&[2], &[1.0, 2.0]);
        let mut b = AgreementBuilder::new(ElementType::Float32);
        b.add(&board, &reference);
        assert!(b.finish().passes());
    }
}
