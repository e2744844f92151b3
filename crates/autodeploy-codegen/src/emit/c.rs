//! Small C-literal helpers: exact float literals, arrays, dims, strings.

use std::fmt::Write;

use autodeploy_reference::kernels::{Dims4, FloatActivation, QuantActivation};

use crate::CodegenError;

/// An exact C99 float literal: hexadecimal (`0x1.8p-3f`), so the compiler
/// reads back the very same bits. `f32::MAX`/`MIN` print as `FLT_MAX`-valued
/// hex literals too; NaN and infinities have no literal and are refused.
pub fn f32_literal(x: f32, what: &str) -> Result<String, CodegenError> {
    if !x.is_finite() {
        return Err(CodegenError::Unrepresentable {
            what: what.to_string(),
            reason: format!("the value {x} has no C literal"),
        });
    }
    if x == 0.0 {
        return Ok(if x.is_sign_negative() {
            "-0.0f"
        } else {
            "0.0f"
        }
        .to_string());
    }
    let bits = x.to_bits();
    let sign = if bits >> 31 == 1 { "-" } else { "" };
    let exponent = ((bits >> 23) & 0xff) as i32;
    let mantissa = bits & 0x7f_ffff;
    // Normal numbers: 1.m x 2^(e-127); subnormals: 0.m x 2^-126. The 23
    // mantissa bits are shifted left by one to fill six hex digits.
    let (lead, exp) = if exponent == 0 {
        (0, -126)
    } else {
        (1, exponent - 127)
    };
    Ok(format!("{sign}0x{lead}.{:06x}p{exp}f", mantissa << 1))
}

pub fn dims(d: Dims4) -> String {
    format!("{{{}, {}, {}, {}}}", d.n, d.h, d.w, d.c)
}

/// An `ad_shape` initializer: `{rank, {d0, d1, ...}}`.
pub fn shape(s: &[usize], what: &str) -> Result<String, CodegenError> {
    if s.len() > 8 {
        return Err(CodegenError::Unrepresentable {
            what: what.to_string(),
            reason: format!("rank {} is above the runtime's 8", s.len()),
        });
    }
    let dims: Vec<String> = s.iter().map(ToString::to_string).collect();
    let dims = if dims.is_empty() {
        "0".to_string()
    } else {
        dims.join(", ")
    };
    Ok(format!("{{{}, {{{dims}}}}}", s.len()))
}

pub fn activation(a: QuantActivation) -> String {
    format!("{{.min = {}, .max = {}}}", a.min, a.max)
}

pub fn activation_f32(a: FloatActivation, what: &str) -> Result<String, CodegenError> {
    Ok(format!(
        "{{.min = {}, .max = {}}}",
        f32_literal(a.min, what)?,
        f32_literal(a.max, what)?
    ))
}

/// `static const TYPE NAME[N] = {...};` with 16 values a line.
pub fn int_array<T: std::fmt::Display>(
    qualifiers: &str,
    ty: &str,
    name: &str,
    values: &[T],
) -> String {
    let mut out = format!("{qualifiers} {ty} {name}[{}] = {{", values.len().max(1));
    if values.is_empty() {
        out.push('0');
    }
    for (i, v) in values.iter().enumerate() {
        if i % 16 == 0 {
            out.push_str("\n    ");
        } else {
            out.push(' ');
        }
        let _ = write!(out, "{v},");
    }
    out.push_str("\n};\n");
    out
}

/// A C string literal with everything outside printable ASCII escaped.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'?' => out.push_str("\\?"), // no trigraphs
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('"');
    out
}

/// A valid, lower-case C identifier from a model or user name.
pub fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "model_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a literal written by `f32_literal` back, as a C compiler would.
    fn parse_hex(lit: &str) -> f32 {
        let (neg, rest) = lit.strip_prefix('-').map_or((false, lit), |r| (true, r));
        let rest = rest.trim_end_matches('f');
        if rest == "0.0" {
            return if neg { -0.0 } else { 0.0 };
        }
        let rest = rest.strip_prefix("0x").unwrap();
        let (mant, exp) = rest.split_once('p').unwrap();
        let (lead, frac) = mant.split_once('.').unwrap();
        let frac = u32::from_str_radix(frac, 16).unwrap() as f64 / f64::from(1u32 << 24);
        let value = (lead.parse::<f64>().unwrap() + frac) * 2f64.powi(exp.parse().unwrap());
        if neg {
            -(value as f32)
        } else {
            value as f32
        }
    }

    #[test]
    fn float_literals_round_trip_exactly() {
        let values = [
            1.0f32,
            -1.5,
            0.1,
            3.90625e-3,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1e-45,
            -0.0,
            6.0,
            123_456.79,
        ];
        for v in values {
            let lit = f32_literal(v, "test").unwrap();
            assert_eq!(parse_hex(&lit).to_bits(), v.to_bits(), "{v} -> {lit}");
        }
        assert_eq!(f32_literal(0.5, "x").unwrap(), "0x1.000000p-1f");
        assert!(f32_literal(f32::NAN, "x").is_err());
    }

    #[test]
    fn strings_and_identifiers_are_safe() {
        assert_eq!(string_literal("a\"b\\c?\n"), "\"a\\\"b\\\\c\\?\\012\"");
        assert_eq!(identifier("kws_ref-model.v2"), "kws_ref_model_v2");
        assert_eq!(identifier("3d"), "model_3d");
    }
}
