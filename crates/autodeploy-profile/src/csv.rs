//! `profile.csv`: one row per layer. The first five columns are the ones
//! neuralSPOT AutoDeploy users know; the rest are ours.

use std::io::Write;

use crate::data::Profile;
use crate::error::ProfileError;
use crate::format::shape_list;
use crate::metrics::layer_metrics;

/// The header, in order. `Cycles` holds the layer's count whatever it
/// counts; the `Counter` column says which (`cycles` or `instructions`).
pub const CSV_HEADER: [&str; 12] = [
    "Layer",
    "Tag",
    "Time_us",
    "Estimated_MACs",
    "Cycles",
    "Kernel",
    "Output_shape",
    "MACs_per_count",
    "Share_percent",
    "Weight_bytes",
    "Activation_bytes",
    "Counter",
];

/// Quotes a field if it holds a comma, a quote or a line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(String::new, |v| format!("{v:.decimals$}"))
}

/// Writes `profile.csv`. Missing values (no kernel, zero clock) are empty fields.
pub fn write_csv(profile: &Profile, mut out: impl Write) -> Result<(), ProfileError> {
    let io = |source| ProfileError::Write {
        report: "CSV",
        source,
    };
    let mut text = CSV_HEADER.join(",");
    text.push_str("\r\n");
    let counter = profile.board.counter.as_str();
    for (layer, m) in profile.layers.iter().zip(layer_metrics(profile)) {
        let row = [
            layer.index.to_string(),
            field(&layer.tag),
            number(m.time_us, 3),
            layer.macs.to_string(),
            layer.count.to_string(),
            field(layer.kernel.as_deref().unwrap_or("")),
            field(&shape_list(&layer.output_shape)),
            number(m.macs_per_count, 4),
            number(m.share_percent, 2),
            layer.weight_bytes.to_string(),
            layer.activation_bytes.to_string(),
            counter.to_string(),
        ];
        text.push_str(&row.join(","));
        text.push_str("\r\n");
    }
    out.write_all(text.as_bytes()).map_err(io)?;
    out.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("CONV_2D"), "CONV_2D");
        assert_eq!(field("[1,2]"), "\"[1,2]\"");
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
    }
}
