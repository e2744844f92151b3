//! Comparing tensors: bit-exact for integer types, within a tolerance for
//! float32 (|a - b| <= 1e-6 absolute or 1e-5 relative, the project's float
//! rule, since C compilers may contract to FMA).

use autodeploy_model::{ElementType, TensorValue};

pub const FLOAT_ABSOLUTE: f64 = 1e-6;
pub const FLOAT_RELATIVE: f64 = 1e-5;

/// How two tensors differ, for a failure message.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub mismatches: usize,
    pub elements: usize,
    pub first_index: usize,
    pub ours: f64,
    pub theirs: f64,
    pub max_abs: f64,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} elements differ (max |diff| {}); first at {}: ours {} theirs {}",
            self.mismatches, self.elements, self.max_abs, self.first_index, self.ours, self.theirs
        )
    }
}

/// `Ok` if `ours` matches `theirs` under the rule for their type. The
/// oracle may give a different shape for the same elements (a scalar, a
/// flattened intermediate): only element type and count must agree.
pub fn compare(ours: &TensorValue, theirs: &TensorValue) -> Result<(), String> {
    if ours.dtype != theirs.dtype {
        return Err(format!(
            "types differ: ours {}, theirs {}",
            ours.dtype, theirs.dtype
        ));
    }
    if ours.num_elements() != theirs.num_elements() {
        return Err(format!(
            "sizes differ: ours {:?}, theirs {:?}",
            ours.shape, theirs.shape
        ));
    }
    match difference(ours, theirs) {
        Some(d) => Err(d.to_string()),
        None => Ok(()),
    }
}

/// The elementwise difference, or `None` if the tensors match.
pub fn difference(ours: &TensorValue, theirs: &TensorValue) -> Option<Difference> {
    let a = ours.to_f64()?;
    let b = theirs.to_f64()?;
    let float = ours.dtype == ElementType::Float32;
    let mut d = Difference {
        mismatches: 0,
        elements: a.len(),
        first_index: 0,
        ours: 0.0,
        theirs: 0.0,
        max_abs: 0.0,
    };
    for (i, (&x, &y)) in a.iter().zip(&b).enumerate() {
        let diff = (x - y).abs();
        let same = if float {
            diff <= FLOAT_ABSOLUTE || diff <= FLOAT_RELATIVE * y.abs() || (x.is_nan() && y.is_nan())
        } else {
            x == y
        };
        if !same {
            if d.mismatches == 0 {
                d.first_index = i;
                d.ours = x;
                d.theirs = y;
            }
            d.mismatches += 1;
            d.max_abs = d.max_abs.max(diff);
        }
    }
    (d.mismatches > 0).then_some(d)
}
