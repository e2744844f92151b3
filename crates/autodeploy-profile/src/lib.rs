//! Per-layer profiles of a model run on a board, and the reports made of them.
//!
//! A [`Profile`] holds recorded numbers: for each layer its operator, output
//! shape, MACs and the cycles or instructions it took ([`Counter`]), the
//! whole-inference counts of repeated runs, the memory the deployment uses
//! and, optionally, how its outputs agreed with the PC reference. From it this
//! crate derives time at the board's clock, MACs per cycle (or instruction),
//! each layer's share, totals, min/median/max of the runs and the count spent
//! outside the layers ([`metrics`]), and writes reports: a console table
//! ([`console_table`]), `profile.csv` ([`write_csv`]), `report.json`
//! ([`write_json`], documented in `docs/report-json.md`) and a self-contained
//! `report.html` with SVG charts ([`write_html`]); [`write_reports`] writes the
//! three files into a directory.
//!
//! It does not measure anything, and knows no board, RPC link or toolchain:
//! whoever ran the model fills the [`Profile`]. On QEMU the counts are
//! instructions, and every report says so; times derived from them assume
//! one instruction per clock and are labelled as not measured. It prints
//! nothing.
//!
//! ```
//! use autodeploy_profile::*;
//!
//! let profile = Profile {
//!     model: "kws".into(),
//!     model_hash: "5f1e".into(),
//!     board: BoardInfo {
//!         name: "qemu-m4".into(),
//!         core: "cortex-m4".into(),
//!         clock_hz: 100_000_000,
//!         counter: Counter::Instructions,
//!     },
//!     layers: vec![LayerRecord {
//!         index: 0,
//!         tag: "CONV_2D".into(),
//!         kernel: Some("ad_conv2d_s8".into()),
//!         output_shape: vec![1, 25, 5, 64],
//!         macs: 1_000_000,
//!         count: 2_000_000,
//!         weight_bytes: 2_560,
//!         activation_bytes: 8_000,
//!     }],
//!     runs: RunStats { warmup: 1, counts: vec![2_010_000, 2_020_000, 2_015_000] },
//!     memory: MemoryUse::default(),
//!     validation: None,
//!     tool_version: "0.1.0".into(),
//! };
//! let table = console_table(&profile);
//! assert!(table.contains("Instructions (QEMU)"));
//! assert_eq!(metrics::totals(&profile).outside_layers, Some(15_000));
//! let mut csv = Vec::new();
//! write_csv(&profile, &mut csv).unwrap();
//! assert!(csv.starts_with(b"Layer,Tag,Time_us,Estimated_MACs,Cycles,"));
//! ```

mod console;
mod csv;
mod data;
mod error;
mod format;
mod html;
mod json;
pub mod metrics;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub use console::console_table;
pub use csv::{write_csv, CSV_HEADER};
pub use data::{
    BoardInfo, Counter, LayerRecord, MemoryUse, OutputAgreement, OutputTrace, Profile, RunStats,
    Series, ValidationSummary,
};
pub use error::ProfileError;
pub use format::html_escape;
pub use html::{render_html, write_html, CHART_IDS, TRACE_CHART_ID};
pub use json::{write_json, JSON_SCHEMA, JSON_SCHEMA_VERSION};

/// File names [`write_reports`] writes, in order.
pub const REPORT_FILES: [&str; 3] = ["profile.csv", "report.json", "report.html"];

/// Writes `profile.csv`, `report.json` and `report.html` into `dir`
/// (created if missing, files replaced) and returns their paths.
pub fn write_reports(profile: &Profile, dir: &Path) -> Result<Vec<PathBuf>, ProfileError> {
    std::fs::create_dir_all(dir).map_err(|source| ProfileError::File {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for name in REPORT_FILES {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|source| ProfileError::File {
            path: path.clone(),
            source,
        })?;
        let out = BufWriter::new(file);
        match name {
            "profile.csv" => write_csv(profile, out)?,
            "report.json" => write_json(profile, out)?,
            _ => write_html(profile, out)?,
        }
        written.push(path);
    }
    Ok(written)
}
