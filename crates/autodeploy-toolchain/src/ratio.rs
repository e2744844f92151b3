//! An exact non-negative rational number, written `"num/den"` in board files.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An exact ratio `num / den` with `den > 0`, kept as written (not reduced), so `"40/64"` in a
/// board file reads back as `40/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ratio {
    num: u64,
    den: u64,
}

/// Why a ratio string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ratio \"{text}\": {reason}")]
pub struct RatioParseError {
    /// The text that was parsed.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Ratio {
    /// `num / den`; `None` when `den` is zero.
    pub fn new(num: u64, den: u64) -> Option<Self> {
        (den != 0).then_some(Self { num, den })
    }

    /// The numerator as written.
    pub fn num(self) -> u64 {
        self.num
    }

    /// The denominator as written.
    pub fn den(self) -> u64 {
        self.den
    }

    /// `value * num / den`, rounded to the nearest integer (halves round up), computed in
    /// 128-bit arithmetic so it cannot overflow for any `u64` input and `u64` ratio.
    pub fn mul_round(self, value: u64) -> u128 {
        let product = u128::from(value) * u128::from(self.num);
        let den = u128::from(self.den);
        (product + den / 2) / den
    }

    /// `value * num / den` as a floating-point number, for reports.
    pub fn mul_f64(self, value: f64) -> f64 {
        value * self.num as f64 / self.den as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl FromStr for Ratio {
    type Err = RatioParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason| RatioParseError {
            text: text.to_owned(),
            reason,
        };
        let (num, den) = match text.split_once('/') {
            Some((num, den)) => (num.trim(), den.trim()),
            None => (text.trim(), "1"),
        };
        let num: u64 = num
            .parse()
            .map_err(|_| err("numerator is not a non-negative integer"))?;
        let den: u64 = den
            .parse()
            .map_err(|_| err("denominator is not a non-negative integer"))?;
        Ratio::new(num, den).ok_or_else(|| err("denominator is zero"))
    }
}

impl TryFrom<String> for Ratio {
    type Error = RatioParseError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Ratio> for String {
    fn from(ratio: Ratio) -> Self {
        ratio.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps_the_written_form() {
        let r: Ratio = "40/64".parse().unwrap();
        assert_eq!((r.num(), r.den()), (40, 64));
        assert_eq!(r.to_string(), "40/64");
        assert_eq!("3".parse::<Ratio>().unwrap(), Ratio::new(3, 1).unwrap());
    }

    #[test]
    fn refuses_bad_text() {
        assert!("1/0".parse::<Ratio>().is_err());
        assert!("a/2".parse::<Ratio>().is_err());
        assert!("-1/2".parse::<Ratio>().is_err());
    }

    #[test]
    fn multiplies_exactly() {
        let r = Ratio::new(40, 64).unwrap();
        assert_eq!(r.mul_round(160_000_008), 100_000_005);
        assert_eq!(r.mul_round(1), 1); // 0.625 rounds up
        assert_eq!(r.mul_round(u64::MAX), u128::from(u64::MAX) * 40 / 64);
    }
}
