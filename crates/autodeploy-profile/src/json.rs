//! `report.json`: the profile and everything derived from it, versioned.
//! Documented field by field in `docs/report-json.md`.

use std::io::Write;

use serde::Serialize;

use crate::data::{BoardInfo, LayerRecord, MemoryUse, Profile, ValidationSummary};
use crate::error::ProfileError;
use crate::metrics::{layer_metrics, memory_totals, totals, LayerMetrics, RunSummary, Totals};

/// The value of `schema`.
pub const JSON_SCHEMA: &str = "autodeploy.report";
/// The value of `schema_version`; changes when a field changes meaning or
/// is removed, not when one is added.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    schema_version: u32,
    tool_version: &'a str,
    model: Model<'a>,
    board: &'a BoardInfo,
    counter_note: &'static str,
    layers: Vec<Layer<'a>>,
    totals: Totals,
    runs: Runs<'a>,
    memory: Memory<'a>,
    validation: Option<&'a ValidationSummary>,
}

#[derive(Serialize)]
struct Model<'a> {
    name: &'a str,
    hash: &'a str,
}

#[derive(Serialize)]
struct Layer<'a> {
    #[serde(flatten)]
    record: &'a LayerRecord,
    time_us: Option<f64>,
    macs_per_count: Option<f64>,
    share_percent: Option<f64>,
}

#[derive(Serialize)]
struct Runs<'a> {
    warmup: u32,
    counts: &'a [u64],
    #[serde(flatten)]
    summary: Option<RunSummary>,
}

#[derive(Serialize)]
struct KernelSize<'a> {
    kernel: &'a str,
    bytes: u64,
}

#[derive(Serialize)]
struct Memory<'a> {
    flash_code: u64,
    flash_weights: u64,
    flash_total: u64,
    flash_by_kernel: Vec<KernelSize<'a>>,
    arena: u64,
    arena_lower_bound: Option<u64>,
    arena_portable: Option<u64>,
    static_ram: u64,
    state: u64,
    stack_high_water: Option<u64>,
    stack_size: Option<u64>,
    ram_total: u64,
}

fn memory(m: &MemoryUse, (flash_total, ram_total): (u64, u64)) -> Memory<'_> {
    Memory {
        flash_code: m.flash_code,
        flash_weights: m.flash_weights,
        flash_total,
        flash_by_kernel: m
            .flash_by_kernel
            .iter()
            .map(|(kernel, bytes)| KernelSize {
                kernel,
                bytes: *bytes,
            })
            .collect(),
        arena: m.arena,
        arena_lower_bound: m.arena_lower_bound,
        arena_portable: m.arena_portable,
        static_ram: m.static_ram,
        state: m.state,
        stack_high_water: m.stack_high_water,
        stack_size: m.stack_size,
        ram_total,
    }
}

/// Writes `report.json` (pretty-printed, one object).
pub fn write_json(profile: &Profile, mut out: impl Write) -> Result<(), ProfileError> {
    let metrics = layer_metrics(profile);
    let layers = profile
        .layers
        .iter()
        .zip(&metrics)
        .map(|(record, m): (_, &LayerMetrics)| Layer {
            record,
            time_us: m.time_us,
            macs_per_count: m.macs_per_count,
            share_percent: m.share_percent,
        })
        .collect();
    let t = totals(profile);
    let report = Report {
        schema: JSON_SCHEMA,
        schema_version: JSON_SCHEMA_VERSION,
        tool_version: &profile.tool_version,
        model: Model {
            name: &profile.model,
            hash: &profile.model_hash,
        },
        board: &profile.board,
        counter_note: profile.board.counter.time_note(),
        layers,
        runs: Runs {
            warmup: profile.runs.warmup,
            counts: &profile.runs.counts,
            summary: t.runs,
        },
        totals: t,
        memory: memory(&profile.memory, memory_totals(profile)),
        validation: profile.validation.as_ref(),
    };
    serde_json::to_writer_pretty(&mut out, &report).map_err(ProfileError::Json)?;
    let io = |source| ProfileError::Write {
        report: "JSON",
        source,
    };
    out.write_all(b"\n").map_err(io)?;
    out.flush().map_err(io)
}
