//! `autodeploy inspect MODEL [--format table|json]`.
//!
//! The JSON document is described in docs/inspect-json.md; its
//! `schema_version` changes whenever a field changes meaning or goes away.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use autodeploy_model::summary::TensorSummary;
use autodeploy_model::{Model, ModelSummary};
use serde::Serialize;

use crate::format::{shape, thousands};
use crate::ExitStatus;

pub const SCHEMA: &str = "autodeploy.inspect";
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Serialize)]
struct InspectDocument<'a> {
    schema: &'static str,
    schema_version: u32,
    file: FileInfo,
    model: ModelInfo,
    #[serde(flatten)]
    summary: &'a ModelSummary,
}

#[derive(Serialize)]
struct FileInfo {
    name: String,
    bytes: u64,
}

#[derive(Serialize)]
struct ModelInfo {
    schema_version: u32,
    description: Option<String>,
    subgraphs: usize,
    signatures: Vec<String>,
    metadata: Vec<String>,
}

pub fn run(path: &Path, format: Format) -> anyhow::Result<ExitStatus> {
    let model =
        Model::from_path(path).with_context(|| format!("cannot load '{}'", path.display()))?;
    model
        .check_supported()
        .with_context(|| format!("'{}' uses operators autodeploy cannot run", path.display()))?;
    let summary = model.summary();
    let file = FileInfo {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
    };
    let info = ModelInfo {
        schema_version: model.version,
        description: model.description.clone(),
        subgraphs: model.subgraphs.len(),
        signatures: model.signatures.iter().map(|s| s.key.clone()).collect(),
        metadata: model.metadata.iter().map(|m| m.name.clone()).collect(),
    };
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let doc = InspectDocument {
                schema: SCHEMA,
                schema_version: SCHEMA_VERSION,
                file,
                model: info,
                summary: &summary,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&mut out, &file, &info, &summary)?,
    }
    Ok(ExitStatus::Success)
}

fn write_table(
    out: &mut impl Write,
    file: &FileInfo,
    info: &ModelInfo,
    s: &ModelSummary,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({} bytes, schema v{}, {} layers, {} tensors)",
        file.name,
        thousands(file.bytes),
        info.schema_version,
        s.totals.layers,
        s.totals.tensors
    )?;
    if let Some(d) = info.description.as_deref().filter(|d| !d.is_empty()) {
        writeln!(out, "description: {d}")?;
    }
    for (role, tensors) in [("input", &s.inputs), ("output", &s.outputs)] {
        for (i, t) in tensors.iter().enumerate() {
            writeln!(out, "{role} {i}: {}", tensor_line(t))?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:>4}  {:<22} {:>3}  {:<8} {:<18} {:>12} {:>10} {:>12}",
        "#", "op", "v", "type", "output", "MACs", "weights B", "activ. B"
    )?;
    for l in &s.layers {
        let outputs: Vec<String> = l.output_shapes.iter().map(|d| shape(d)).collect();
        writeln!(
            out,
            "{:>4}  {:<22} {:>3}  {:<8} {:<18} {:>12} {:>10} {:>12}",
            l.index,
            l.op,
            l.version,
            l.dtype.map(|t| t.name()).unwrap_or("-"),
            outputs.join(" "),
            thousands(l.macs),
            thousands(l.weight_bytes),
            thousands(l.activation_bytes),
        )?;
    }
    writeln!(out)?;
    writeln!(out, "total MACs:          {}", thousands(s.totals.macs))?;
    writeln!(
        out,
        "weights (constants): {} bytes",
        thousands(s.totals.weight_bytes)
    )?;
    writeln!(
        out,
        "activations:         {} bytes in all tensors (before memory planning)",
        thousands(s.totals.activation_bytes)
    )?;
    if !s.state.is_empty() {
        writeln!(
            out,
            "state:               {} bytes in {} resource variable(s), kept between invocations",
            thousands(s.totals.state_bytes),
            s.state.len()
        )?;
        for v in &s.state {
            writeln!(
                out,
                "  '{}' {} {} ({} bytes)",
                v.shared_name,
                v.dtype,
                shape(&v.shape),
                thousands(v.bytes as u64)
            )?;
        }
    }
    let ops: Vec<String> = s
        .operators
        .iter()
        .map(|o| {
            let versions: Vec<String> = o.versions.iter().map(|v| format!("v{v}")).collect();
            format!("{} x{} ({})", o.op, o.count, versions.join(","))
        })
        .collect();
    writeln!(out, "operators:           {}", ops.join(", "))?;
    Ok(())
}

fn tensor_line(t: &TensorSummary) -> String {
    let quant = match (t.scale, t.zero_point) {
        (Some(scale), Some(zp)) => format!(", scale {scale:e}, zero point {zp}"),
        _ => String::new(),
    };
    format!("'{}' {} {}{quant}", t.name, t.dtype, shape(&t.shape))
}
