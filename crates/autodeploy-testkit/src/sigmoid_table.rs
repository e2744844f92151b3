//! TensorFlow Lite's 256-entry sigmoid table, as its int16 LOGISTIC and TANH
//! kernels interpolate it, recovered from TensorFlow Lite Micro's outputs.
//!
//! The project copies no TensorFlow Lite source and no closed form we tried
//! reproduces every entry, so the table is measured (`cargo xtask
//! oracle-tables` writes it; a reference test re-measures it).
//!
//! int16 TANH rescales its input `x` to `v`, splits `|v|` into an index
//! `uh = |v| >> 8` and a fraction `ut = |v| & 0xff` and, for `v >= 0`, returns
//! `table[uh] + floor((ut * (table[uh + 1] - table[uh]) + 128) / 256) - 32768`.
//! With an input scale whose rescaling is exactly `v = 2x`, the inputs
//! `x = 128 k` have `ut = 0` and return `table[k] - 32768` with nothing
//! rounded away (k = 0..=254). The last entry is only ever interpolated
//! towards (from `uh = 254`); it is the one value that reproduces the outputs
//! for `x = 32513..=32639`
//! (above, `uh >= 255` saturates).

use std::path::PathBuf;

use autodeploy_model::{ElementType, OpKind, TensorValue};

use crate::models::workspace_root;
use crate::ops::activation::unary;
use crate::oracle::{self, Interpreter};

/// Entries in the table.
pub const LEN: usize = 256;

/// Every int16 value once, in increasing order (`x + 32768` is the index).
pub fn every_int16() -> Vec<i16> {
    (i16::MIN..=i16::MAX).collect()
}

/// The int16 TANH input scale that TensorFlow Lite Micro rescales to exactly
/// `v = 2x`: its prepare step keeps `scale * 4096 * 3` (here just above 2)
/// doubling while it is at most 16383.5, to 16384 after 13 doublings, so
/// `v = (x * 16384 + 4096) >> 13 = 2x`. The smallest f32 at or above 1/6144
/// whose product is not below 2 keeps the truncated multiplier at 16384.
pub fn measurement_scale() -> f32 {
    let mut scale = (1.0f64 / 6144.0) as f32;
    while f64::from(scale) * 4096.0 * 3.0 < 2.0 {
        scale = f32::from_bits(scale.to_bits() + 1);
    }
    scale
}

/// A one-operator int16 model (`kind` is LOGISTIC or TANH) with one input of
/// 65536 elements, output scale 2^-15 and zero points 0 (what TensorFlow Lite
/// Micro requires).
pub fn full_range_model(kind: OpKind, input_scale: f32) -> Vec<u8> {
    let shape = [1usize << 16];
    unary(
        "full range",
        kind,
        &shape,
        (ElementType::Int16, (input_scale, 0)),
        (ElementType::Int16, (1.0 / 32768.0, 0)),
    )
    .model
}

/// TensorFlow Lite Micro's outputs for [`every_int16`] through each
/// `(operator, input scale)` model, in one oracle process.
pub fn full_range_outputs(models: &[(OpKind, f32)]) -> Vec<Result<Vec<i16>, String>> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let input = TensorValue::from_i16(&[1 << 16], &every_int16());
    let cases: Vec<oracle::Case> = models
        .iter()
        .enumerate()
        .map(|(k, (kind, scale))| {
            let path: PathBuf = dir.path().join(format!("full_range{k}.tflite"));
            std::fs::write(&path, full_range_model(kind.clone(), *scale)).expect("write model");
            oracle::Case {
                model: path,
                samples: vec![vec![input.clone()]],
                interpreters: vec![Interpreter::Tflm],
                tensors: vec![],
            }
        })
        .collect();
    oracle::run(&cases)
        .iter()
        .map(|result| {
            let samples = result.get(Interpreter::Tflm).clone()?;
            samples
                .first()
                .and_then(|s| s.outputs.first())
                .and_then(TensorValue::to_i16)
                .ok_or_else(|| "TensorFlow Lite Micro returned no int16 output".to_string())
        })
        .collect()
}

/// int16 TANH's result for `v >= 0` from the two entries around it (the
/// kernel's unsigned arithmetic, truncated to 16 bits as it stores it).
fn tanh_positive(ua: u16, ub: u16, ut: u32) -> i16 {
    let (ua, ub) = (u32::from(ua), u32::from(ub));
    let interpolated = (ua << 8).wrapping_add(ut.wrapping_mul(ub.wrapping_sub(ua))) as i32;
    (interpolated.wrapping_sub(1 << 23).wrapping_add(1 << 7) >> 8) as i16
}

/// The table from int16 TANH's outputs for [`every_int16`] at
/// [`measurement_scale`]; an error if they do not pin every entry down.
pub fn recover(outputs: &[i16]) -> Result<[u16; LEN], String> {
    if outputs.len() != 1 << 16 {
        return Err(format!("expected 65536 outputs, got {}", outputs.len()));
    }
    let at = |x: i32| outputs[(x + 32768) as usize];
    let mut table = [0u16; LEN];
    for (k, entry) in table.iter_mut().enumerate().take(LEN - 1) {
        // ut = 0: the output is the entry minus 32768, stored in 16 bits.
        *entry = (i32::from(at(128 * k as i32)) + 32768) as u16;
    }
    // x = 32513..=32639: v = 65026..=65278, uh = 254, ut = 2..=254 (even).
    let last: Vec<u16> = (0..=u16::MAX)
        .filter(|&candidate| {
            (32513..=32639).all(|x| {
                let v = 2 * x as u32;
                tanh_positive(table[254], candidate, v & 0xff) == at(x)
            })
        })
        .collect();
    match last[..] {
        [entry] => table[LEN - 1] = entry,
        _ => {
            return Err(format!(
                "the outputs for x = 32513..=32639 fit {} values of the last entry, not one",
                last.len()
            ))
        }
    }
    // Every entry must also explain the interpolated outputs in between.
    for x in 0..32640 {
        let v = 2 * x as u32;
        let uh = (v >> 8) as usize;
        let expected = tanh_positive(table[uh], table[uh + 1], v & 0xff);
        if expected != at(x) {
            return Err(format!(
                "input {x}: TensorFlow Lite Micro gives {}, the recovered table {expected}",
                at(x)
            ));
        }
    }
    Ok(table)
}

/// Measures the table through TensorFlow Lite Micro (the oracle venv).
pub fn measure() -> Result<[u16; LEN], String> {
    let outputs = full_range_outputs(&[(OpKind::Tanh, measurement_scale())]);
    let outputs = outputs
        .into_iter()
        .next()
        .unwrap_or_else(|| Err("no oracle result".into()))
        .map_err(|e| format!("TensorFlow Lite Micro refused the int16 TANH model: {e}"))?;
    recover(&outputs)
}

/// The pinned oracle package the table was measured with (from
/// `oracle/requirements.txt`).
pub fn oracle_version() -> String {
    let path = workspace_root().join("oracle/requirements.txt");
    std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("tflite-micro=="))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "tflite-micro (version unknown)".into())
}

/// The committed files the table is written to, relative to the workspace.
pub const RUST_FILE: &str = "crates/autodeploy-reference/src/kernels/sigmoid_table.rs";
/// The C runtime's copy.
pub const C_FILE: &str = "firmware-templates/runtime/src/activation/ad_sigmoid_table.h";

fn rows(table: &[u16; LEN], indent: &str) -> String {
    table
        .chunks(8)
        .map(|row| {
            let row: Vec<String> = row.iter().map(|v| format!("{v},")).collect();
            format!("{indent}{}\n", row.join(" "))
        })
        .collect()
}

fn provenance(comment: &str, version: &str) -> String {
    [
        "Generated by `cargo xtask oracle-tables`; do not edit.".to_string(),
        String::new(),
        "TensorFlow Lite's 256-entry sigmoid table, as its int16 LOGISTIC and TANH".into(),
        "kernels interpolate it, measured from TensorFlow Lite Micro's int16 TANH".into(),
        format!("outputs ({version}, the oracle venv);"),
        "`cargo xtask oracle-tables --check` re-measures it and compares.".into(),
    ]
    .iter()
    .map(|line| {
        if line.is_empty() {
            format!("{comment}\n")
        } else {
            format!("{comment} {line}\n")
        }
    })
    .collect()
}

/// The Rust file (`SIGMOID_TABLE`).
pub fn render_rust(table: &[u16; LEN], version: &str) -> String {
    format!(
        "{}\n/// Samples of the logistic function on `[0, 255/24]`, scaled to 16 bits.\n\
         #[rustfmt::skip]\n\
         pub const SIGMOID_TABLE: [u16; 256] = [\n{}];\n",
        provenance("//", version),
        rows(table, "    ")
    )
}

/// The C header (`ad_sigmoid_table`).
pub fn render_c(table: &[u16; LEN], version: &str) -> String {
    let comment: String = provenance(" *", version);
    format!(
        "/*\n{comment} */\n#ifndef AD_SIGMOID_TABLE_H\n#define AD_SIGMOID_TABLE_H\n\n\
         #include <stdint.h>\n\n\
         /* Samples of the logistic function on [0, 255/24], scaled to 16 bits. */\n\
         static const uint16_t ad_sigmoid_table[256] = {{\n{}}};\n\n\
         #endif /* AD_SIGMOID_TABLE_H */\n",
        rows(table, "    ")
    )
}
