//! The console table: fixed-width, one row per layer, then totals, runs,
//! memory and validation lines.

use std::fmt::Write as _;

use crate::data::{Counter, Profile};
use crate::format::{
    arena_change, bytes, opt, opt_thousands, shape_x, thousands, thousands_signed,
};
use crate::metrics::{layer_metrics, totals};

/// Short unit for "per count" headings.
pub(crate) fn per_unit(counter: Counter) -> &'static str {
    match counter {
        Counter::Instructions => "instr",
        Counter::Cycles => "cycle",
    }
}

/// A mark on time headings when times are not measured (`"* "` on QEMU),
/// pointing at the note that says why.
pub(crate) fn time_mark(counter: Counter) -> &'static str {
    match counter {
        Counter::Instructions => "* ",
        Counter::Cycles => "",
    }
}

/// Heading of the count column.
fn count_heading(counter: Counter) -> &'static str {
    match counter {
        Counter::Instructions => "Instructions (QEMU)",
        Counter::Cycles => "Cycles",
    }
}

/// The clock in readable units: `"100 MHz"`, `"32.768 kHz"`.
pub(crate) fn clock_text(hz: u64) -> String {
    let (value, unit) = if hz >= 1_000_000 {
        (hz as f64 / 1e6, "MHz")
    } else if hz >= 1_000 {
        (hz as f64 / 1e3, "kHz")
    } else {
        (hz as f64, "Hz")
    };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {unit}")
}

/// Renders the profile as a fixed-width table with totals and memory lines.
pub fn console_table(profile: &Profile) -> String {
    let counter = profile.board.counter;
    let unit = per_unit(counter);
    let metrics = layer_metrics(profile);
    let t = totals(profile);
    let mut out = String::new();

    let _ = writeln!(
        out,
        "Profile of '{}' (hash {}) on {} ({} at {}), autodeploy {}",
        profile.model,
        profile.model_hash,
        profile.board.name,
        profile.board.core,
        clock_text(profile.board.clock_hz),
        profile.tool_version
    );
    let _ = writeln!(
        out,
        "{}Counts are {}: {}.",
        time_mark(counter),
        counter.label(),
        counter.time_note()
    );
    out.push('\n');

    let headings = [
        "#".to_string(),
        "Tag".into(),
        "Kernel".into(),
        "Output".into(),
        "MACs".into(),
        count_heading(counter).into(),
        format!("Time_us{}", time_mark(counter).trim_end()),
        format!("MACs/{unit}"),
        "Share%".into(),
        "Weights B".into(),
        "Activations B".into(),
    ];
    // Left-aligned: tag, kernel, output; the rest are numbers.
    let left = [
        false, true, true, true, false, false, false, false, false, false, false,
    ];
    let mut rows: Vec<Vec<String>> = vec![headings.to_vec()];
    for (layer, m) in profile.layers.iter().zip(&metrics) {
        rows.push(vec![
            layer.index.to_string(),
            layer.tag.clone(),
            layer.kernel.clone().unwrap_or_else(|| "-".into()),
            shape_x(&layer.output_shape),
            thousands(layer.macs),
            thousands(layer.count),
            opt_thousands(m.time_us, 1),
            opt(m.macs_per_count, 3),
            opt(m.share_percent, 1),
            thousands(layer.weight_bytes),
            thousands(layer.activation_bytes),
        ]);
    }
    rows.push(vec![
        String::new(),
        "TOTAL".into(),
        String::new(),
        String::new(),
        thousands(t.macs),
        thousands(t.count),
        opt_thousands(t.time_us, 1),
        opt(t.macs_per_count, 3),
        if t.count > 0 {
            "100.0".into()
        } else {
            "-".into()
        },
        thousands(t.weight_bytes),
        thousands(t.activation_bytes),
    ]);
    let widths: Vec<usize> = (0..headings.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let rule: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    let last = rows.len() - 1;
    for (i, row) in rows.iter().enumerate() {
        if i == last {
            let _ = writeln!(out, "{}", "-".repeat(rule));
        }
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .zip(left)
            .map(|((cell, &w), l)| {
                if l {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        if i == 0 {
            let _ = writeln!(out, "{}", "-".repeat(rule));
        }
    }
    out.push('\n');

    let what = counter.as_str();
    match t.runs {
        Some(r) => {
            let _ = writeln!(
                out,
                "Runs: {} measured after {} warm-up: min {}, median {}, max {} {what} (median {} us)",
                r.runs,
                profile.runs.warmup,
                thousands(r.min),
                thousands(r.median),
                thousands(r.max),
                opt_thousands(t.median_run_time_us, 1),
            );
            if let (Some(d), Some(p)) = (t.outside_layers, t.outside_layers_percent) {
                let _ = writeln!(
                    out,
                    "Outside layers: {} {what} ({p:.1}% of the median run: layer hooks and glue)",
                    thousands_signed(d)
                );
            }
        }
        None => {
            let _ = writeln!(out, "Runs: none recorded");
        }
    }

    let m = &profile.memory;
    let _ = writeln!(
        out,
        "Flash: {} = code {} + weights {}",
        bytes(m.flash_code + m.flash_weights),
        bytes(m.flash_code),
        bytes(m.flash_weights)
    );
    if !m.flash_by_kernel.is_empty() {
        let parts: Vec<String> = m
            .flash_by_kernel
            .iter()
            .map(|(k, b)| format!("{k} {}", thousands(*b)))
            .collect();
        let _ = writeln!(out, "  code by kernel (B): {}", parts.join(", "));
    }
    let mut ram = format!("RAM: arena {}", bytes(m.arena));
    if let Some(lb) = m.arena_lower_bound {
        let _ = write!(ram, " (lower bound {})", bytes(lb));
    }
    if let Some(portable) = m.arena_portable {
        let _ = write!(
            ram,
            ", {} against the portable kernels",
            arena_change(m.arena, portable)
        );
    }
    let _ = write!(ram, ", static {}", bytes(m.static_ram));
    if m.state > 0 {
        let _ = write!(ram, " (of which state {})", bytes(m.state));
    }
    match (m.stack_high_water, m.stack_size) {
        (Some(hw), Some(size)) => {
            let _ = write!(ram, ", stack high-water {} of {}", bytes(hw), bytes(size));
        }
        (Some(hw), None) => {
            let _ = write!(ram, ", stack high-water {}", bytes(hw));
        }
        (None, Some(size)) => {
            let _ = write!(ram, ", stack {} (high-water not measured)", bytes(size));
        }
        (None, None) => ram.push_str(", stack not measured"),
    }
    let _ = writeln!(out, "{ram}");

    if let Some(v) = &profile.validation {
        let _ = writeln!(
            out,
            "Validation: {} over {} samples",
            if v.passed { "passed" } else { "FAILED" },
            v.samples
        );
        for o in &v.outputs {
            let top1 = o
                .top1_agree
                .map(|n| format!(", top-1 agrees {n}/{}", v.samples))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: exact {:.2}%, max |diff| {}, MAE {:.4}, RMSE {:.4}, cosine {:.6}{top1}",
                o.name, o.exact_percent, o.max_abs_diff, o.mae, o.rmse, o.cosine
            );
        }
        if let Some(d) = &v.first_divergence {
            let _ = writeln!(out, "  first divergence: {d}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::tests::sample;

    #[test]
    fn table_has_labels_separators_totals_and_memory() {
        let text = console_table(&sample());
        assert!(text.contains("Instructions (QEMU)"), "{text}");
        assert!(text.contains("instructions (QEMU)"), "{text}");
        assert!(text.contains("not measured"), "{text}");
        assert!(text.contains("100,000"), "{text}");
        assert!(text.contains("TOTAL"), "{text}");
        assert!(text.contains("200,000"), "{text}");
        assert!(text.contains("median 207,500"), "{text}");
        assert!(
            text.contains("Outside layers: 7,500 instructions (3.6%"),
            "{text}"
        );
        assert!(text.contains("Flash: 42,000 B"), "{text}");
        assert!(text.contains("stack high-water 700 B of 2,048 B"), "{text}");
        assert!(text.contains("MACs/instr"), "{text}");
        assert!(
            text.contains("Time_us*") && text.contains("* Counts are"),
            "{text}"
        );
        // Every table line is as wide as the rules or narrower.
        let rule = text.lines().find(|l| l.starts_with("---")).unwrap().len();
        let body: Vec<&str> = text.lines().skip(3).take(6).collect();
        assert!(body.iter().all(|l| l.len() <= rule), "{text}");
    }

    #[test]
    fn cycles_label_on_hardware() {
        let mut p = sample();
        p.board.counter = Counter::Cycles;
        let text = console_table(&p);
        assert!(text.contains("Cycles"), "{text}");
        assert!(!text.contains("QEMU"), "{text}");
        assert!(text.contains("MACs/cycle"), "{text}");
        assert!(!text.contains('*'), "{text}");
    }

    #[test]
    fn clock_units() {
        assert_eq!(clock_text(100_000_000), "100 MHz");
        assert_eq!(clock_text(480_000_000), "480 MHz");
        assert_eq!(clock_text(32_768), "32.768 kHz");
        assert_eq!(clock_text(12_500_000), "12.5 MHz");
    }
}
