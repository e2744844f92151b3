//! `report.html`: one self-contained page (inline CSS, inline SVG, no
//! scripts, nothing fetched) with per-layer count, MACs-per-count and memory
//! charts, the validation summary and the layer table. Every text that comes
//! from the model or the board is escaped.

use std::fmt::Write as _;
use std::io::Write;

use crate::console::{clock_text, per_unit, time_mark};
use crate::data::{Counter, OutputTrace, Profile};
use crate::error::ProfileError;
use crate::format::{
    arena_change, bytes, html_escape as esc, opt, opt_thousands, shape_x, thousands,
    thousands_signed,
};
use crate::metrics::{layer_metrics, memory_totals, totals};

/// Ids of the three charts, for tests and for readers linking into the page.
pub const CHART_IDS: [&str; 3] = ["chart-layer-count", "chart-macs-per-count", "chart-memory"];

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
main { max-width: 1060px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 0 0 8px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 16px; margin: 16px 0; }
.meta { color: #505a6b; margin: 0; }
.note { border-left: 4px solid #d08a00; background: #fff7e6; padding: 8px 12px; margin: 12px 0 0; }
.note.cycles { border-color: #2a7ab0; background: #eaf4fb; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.card { border: 1px solid #e3e6eb; border-radius: 6px; padding: 8px 10px; }
.card .k { color: #5a6375; font-size: 0.8rem; }
.card .v { font-size: 1.1rem; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { border-bottom: 1px solid #e8ebef; padding: 4px 6px; text-align: left; }
th { background: #f0f2f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif; font-size: 12px; fill: #1d2330; }
svg .axis { stroke: #b8bfca; }
.pass { color: #17803d; font-weight: 600; }
.fail { color: #b42318; font-weight: 600; }
footer { color: #6b7383; font-size: 0.8rem; text-align: center; padding: 8px 0 24px; }
"#;

/// The page allows nothing but its inline styles: no scripts, no fetches. A
/// browser blocks anything else and says so on its console, which the
/// headless Chromium test checks is silent.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const WIDTH: f64 = 1000.0;
const LABEL_W: f64 = 260.0;
const VALUE_W: f64 = 150.0;
const ROW_H: f64 = 20.0;

/// Cuts `text` to `max` characters, with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// One bar of a horizontal bar chart: label, value, the value as shown, tooltip.
struct Bar {
    label: String,
    value: f64,
    text: String,
    tooltip: String,
}

/// A horizontal bar chart, one row per bar, bars scaled to the largest value.
fn bar_chart(id: &str, title: &str, bars: &[Bar], color: &str) -> String {
    let top = 8.0;
    let height = top * 2.0 + ROW_H * bars.len().max(1) as f64;
    let bar_w = WIDTH - LABEL_W - VALUE_W;
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LABEL_W}" y1="{top}" x2="{LABEL_W}" y2="{}"/>"#,
        height - top
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}">no layers</text>"#,
            LABEL_W + 8.0,
            top + 14.0
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + ROW_H * i as f64;
        let w = if max > 0.0 {
            (bar.value / max * bar_w).max(if bar.value > 0.0 { 1.0 } else { 0.0 })
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r#"<g class="bar"><title>{}</title><text x="{}" y="{}" text-anchor="end">{}</text><rect x="{LABEL_W}" y="{}" width="{w:.1}" height="{}" fill="{color}" rx="2"/><text x="{:.1}" y="{}">{}</text></g>"#,
            esc(&bar.tooltip),
            LABEL_W - 6.0,
            y + 14.0,
            esc(&cut(&bar.label, 40)),
            y + 3.0,
            ROW_H - 6.0,
            LABEL_W + w + 6.0,
            y + 14.0,
            esc(&bar.text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Id of the per-step chart of a streaming model's output.
pub const TRACE_CHART_ID: &str = "chart-trace";

/// Colours and dash patterns of the trace lines: the second is dashed so
/// that two identical series both stay visible.
const LINE_STYLES: [(&str, &str); 4] = [
    ("#4e79a7", ""),
    ("#e15759", "6 4"),
    ("#59a14f", "2 3"),
    ("#b07aa1", "8 3 2 3"),
];

/// A line chart of `trace`: x is the step, y the value (from 0, or the
/// smallest value if negative, to the largest), one polyline per series.
fn line_chart(id: &str, trace: &OutputTrace) -> String {
    let (left, right, top, bottom) = (60.0, 20.0, 28.0, 36.0);
    let height = 300.0;
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let steps = trace
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    let values = trace.series.iter().flat_map(|s| s.values.iter().copied());
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |i: usize| left + plot_w * i as f64 / (steps.max(2) - 1) as f64;
    let y = |v: f64| top + plot_h * (1.0 - (v - lo) / span);
    let title = format!("{} per step", trace.what);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(&title),
        esc(&title)
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{0}"/><line class="axis" x1="{left}" y1="{0}" x2="{1}" y2="{0}"/>"#,
        top + plot_h,
        left + plot_w
    );
    for v in [lo, hi] {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y(v) + 4.0,
            v
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{left}" y="{0}">step 0</text><text x="{1}" y="{0}" text-anchor="end">step {2}</text>"#,
        height - 12.0,
        left + plot_w,
        steps.saturating_sub(1)
    );
    for (k, series) in trace.series.iter().enumerate() {
        let (color, dash) = LINE_STYLES[k % LINE_STYLES.len()];
        let points: Vec<String> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            svg,
            r#"<polyline class="series" fill="none" stroke="{color}" stroke-width="2"{dash} points="{}"><title>{}</title></polyline>"#,
            points.join(" "),
            esc(&series.name)
        );
        let lx = left + 10.0 + 400.0 * k as f64;
        let _ = write!(
            svg,
            r#"<line x1="{lx}" y1="14" x2="{}" y2="14" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="18">{}</text>"#,
            lx + 24.0,
            lx + 30.0,
            esc(&cut(&series.name, 52))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A segment of a stacked memory bar.
struct Segment {
    name: &'static str,
    bytes: u64,
    color: &'static str,
}

/// Two stacked bars (flash, RAM) on one byte scale, with a legend.
fn memory_chart(profile: &Profile) -> String {
    let m = &profile.memory;
    let stack = m.stack_size.or(m.stack_high_water).unwrap_or(0);
    let stack_name = if m.stack_size.is_some() {
        "stack (reserved)"
    } else {
        "stack (high-water)"
    };
    let rows: [(&str, Vec<Segment>); 2] = [
        (
            "Flash",
            vec![
                Segment {
                    name: "code",
                    bytes: m.flash_code,
                    color: "#4e79a7",
                },
                Segment {
                    name: "weights",
                    bytes: m.flash_weights,
                    color: "#a0cbe8",
                },
            ],
        ),
        (
            "RAM",
            vec![
                Segment {
                    name: "arena",
                    bytes: m.arena,
                    color: "#f28e2b",
                },
                Segment {
                    name: "static",
                    bytes: m.static_ram,
                    color: "#ffbe7d",
                },
                Segment {
                    name: stack_name,
                    bytes: stack,
                    color: "#bab0ac",
                },
            ],
        ),
    ];
    let (flash, ram) = memory_totals(profile);
    let max = flash.max(ram) as f64;
    let bar_w = WIDTH - 120.0 - VALUE_W;
    let row_h = 34.0;
    let legend_y = 16.0 + row_h * 2.0 + 8.0;
    let height = legend_y + 20.0 * 3.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="chart-memory" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="Memory breakdown"><title>Memory breakdown</title>"#
    );
    for (r, (name, segments)) in rows.iter().enumerate() {
        let y = 12.0 + row_h * r as f64;
        let total: u64 = segments.iter().map(|s| s.bytes).sum();
        let _ = write!(
            svg,
            r#"<text x="110" y="{}" text-anchor="end" font-weight="600">{name}</text>"#,
            y + 17.0
        );
        let mut x = 120.0;
        for s in segments {
            let w = if max > 0.0 {
                s.bytes as f64 / max * bar_w
            } else {
                0.0
            };
            let _ = write!(
                svg,
                r#"<rect class="segment" x="{x:.1}" y="{y}" width="{w:.1}" height="24" fill="{}"><title>{name} {}: {}</title></rect>"#,
                s.color,
                s.name,
                esc(&bytes(s.bytes))
            );
            // The measured stack depth, drawn inside the reserved stack.
            if s.name == "stack (reserved)" {
                if let Some(hw) = m.stack_high_water {
                    let hw_w = if max > 0.0 {
                        (hw.min(s.bytes)) as f64 / max * bar_w
                    } else {
                        0.0
                    };
                    let _ = write!(
                        svg,
                        r##"<rect class="segment" x="{x:.1}" y="{}" width="{hw_w:.1}" height="8" fill="#6f6461"><title>stack high-water: {}</title></rect>"##,
                        y + 16.0,
                        esc(&bytes(hw))
                    );
                }
            }
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}">{}</text>"#,
            x + 6.0,
            y + 17.0,
            esc(&bytes(total))
        );
    }
    let mut i = 0;
    for (name, segments) in &rows {
        for s in segments {
            let col = (i % 3) as f64;
            let row = (i / 3) as f64;
            let x = 120.0 + col * 270.0;
            let y = legend_y + row * 20.0;
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{name} {}: {}</text>"#,
                s.color,
                x + 18.0,
                y + 11.0,
                s.name,
                esc(&bytes(s.bytes))
            );
            i += 1;
        }
    }
    if m.stack_size.is_some() {
        if let Some(hw) = m.stack_high_water {
            let x = 120.0 + (i % 3) as f64 * 270.0;
            let y = legend_y + (i / 3) as f64 * 20.0;
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{}" width="12" height="6" fill="#6f6461"/><text x="{}" y="{}">stack high-water: {}</text>"##,
                y + 3.0,
                x + 18.0,
                y + 11.0,
                esc(&bytes(hw))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn card(out: &mut String, key: &str, value: &str) {
    let _ = write!(
        out,
        r#"<div class="card"><div class="k">{}</div><div class="v">{}</div></div>"#,
        esc(key),
        esc(value)
    );
}

/// Renders the whole page.
pub fn render_html(profile: &Profile) -> String {
    let counter = profile.board.counter;
    let unit = per_unit(counter);
    let what = counter.as_str();
    let metrics = layer_metrics(profile);
    let t = totals(profile);
    let (flash, ram) = memory_totals(profile);
    let mut h = String::new();

    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autodeploy profile: {}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
"#,
        esc(&profile.model)
    );

    let _ = writeln!(
        h,
        r#"<header><h1>Profile of <code>{}</code></h1><p class="meta">Board <b>{}</b> ({} at {}) · model hash <code>{}</code> · autodeploy {}</p><p class="note {}" id="counter-note"><b>{}Counts are {}.</b> {}.</p></header>"#,
        esc(&profile.model),
        esc(&profile.board.name),
        esc(&profile.board.core),
        esc(&clock_text(profile.board.clock_hz)),
        esc(&profile.model_hash),
        esc(&profile.tool_version),
        if counter == Counter::Cycles {
            "cycles"
        } else {
            "instructions"
        },
        time_mark(counter),
        esc(counter.label()),
        esc(counter.time_note()),
    );

    // Summary cards.
    h.push_str(r#"<section id="summary"><h2>Summary</h2><div class="cards">"#);
    card(&mut h, "Layers", &t.layers.to_string());
    card(&mut h, &format!("Sum of layer {what}"), &thousands(t.count));
    card(
        &mut h,
        &format!("{}Sum of layer time (µs)", time_mark(counter)),
        &opt_thousands(t.time_us, 1),
    );
    card(&mut h, "MACs", &thousands(t.macs));
    card(
        &mut h,
        &format!("MACs per {unit}"),
        &opt(t.macs_per_count, 3),
    );
    if let Some(r) = t.runs {
        card(
            &mut h,
            &format!(
                "Whole run {what}: min / median / max ({} runs, {} warm-up)",
                r.runs, profile.runs.warmup
            ),
            &format!(
                "{} / {} / {}",
                thousands(r.min),
                thousands(r.median),
                thousands(r.max)
            ),
        );
        card(
            &mut h,
            &format!("{}Median run time (µs)", time_mark(counter)),
            &opt_thousands(t.median_run_time_us, 1),
        );
    }
    if let (Some(d), Some(p)) = (t.outside_layers, t.outside_layers_percent) {
        card(
            &mut h,
            &format!("Outside layers (hooks, glue), {what}"),
            &format!("{} ({p:.1}%)", thousands_signed(d)),
        );
    }
    card(&mut h, "Flash", &bytes(flash));
    card(&mut h, "RAM", &bytes(ram));
    h.push_str("</div></section>\n");

    // Per-layer count chart.
    let label = |i: usize| {
        let l = &profile.layers[i];
        format!("#{} {}", l.index, l.tag)
    };
    let count_bars: Vec<Bar> = profile
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| Bar {
            label: label(i),
            value: l.count as f64,
            text: format!(
                "{} ({}%)",
                thousands(l.count),
                opt(metrics[i].share_percent, 1)
            ),
            tooltip: format!(
                "layer {} {}: {} {what}, {} µs, {}% of the layers",
                l.index,
                l.tag,
                thousands(l.count),
                opt_thousands(metrics[i].time_us, 1),
                opt(metrics[i].share_percent, 1)
            ),
        })
        .collect();
    let title = format!("Per-layer {}", counter.label());
    let _ = writeln!(
        h,
        "<section id=\"time\"><h2>{}</h2>{}</section>",
        esc(&title),
        bar_chart(CHART_IDS[0], &title, &count_bars, "#4e79a7")
    );

    // MACs per count chart.
    let mac_bars: Vec<Bar> = profile
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| Bar {
            label: label(i),
            value: metrics[i].macs_per_count.unwrap_or(0.0),
            text: opt(metrics[i].macs_per_count, 3),
            tooltip: format!(
                "layer {} {}: {} MACs in {} {what}",
                l.index,
                l.tag,
                thousands(l.macs),
                thousands(l.count)
            ),
        })
        .collect();
    let title = format!("MAC efficiency: MACs per {unit}");
    let _ = writeln!(
        h,
        "<section id=\"efficiency\"><h2>{}</h2>{}</section>",
        esc(&title),
        bar_chart(CHART_IDS[1], &title, &mac_bars, "#59a14f")
    );

    // Memory.
    let m = &profile.memory;
    h.push_str(r#"<section id="memory"><h2>Memory</h2>"#);
    h.push_str(&memory_chart(profile));
    if let Some(lb) = m.arena_lower_bound {
        let _ = write!(
            h,
            "<p>Arena {} against a lower bound of {} (largest set of live tensors).</p>",
            esc(&bytes(m.arena)),
            esc(&bytes(lb))
        );
    }
    if let Some(portable) = m.arena_portable {
        let _ = write!(
            h,
            "<p id=\"arena-change\">Arena with these kernels against the portable kernels: {} (portable: {}).</p>",
            esc(&arena_change(m.arena, portable)),
            esc(&bytes(portable))
        );
    }
    if m.state > 0 {
        let _ = write!(
            h,
            "<p id=\"state\">State: {} of resource variables kept between invocations (a streaming model), in static RAM apart from the arena.</p>",
            esc(&bytes(m.state))
        );
    }
    if !m.flash_by_kernel.is_empty() {
        h.push_str(
            r#"<table id="flash-by-kernel"><thead><tr><th>Kernel</th><th class="num">Code bytes</th></tr></thead><tbody>"#,
        );
        for (kernel, b) in &m.flash_by_kernel {
            let _ = write!(
                h,
                r#"<tr><td><code>{}</code></td><td class="num">{}</td></tr>"#,
                esc(kernel),
                thousands(*b)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");

    // Validation.
    if let Some(v) = &profile.validation {
        let _ = write!(
            h,
            r#"<section id="validation"><h2>Validation against the PC reference</h2><p>{} over {} samples.</p>"#,
            if v.passed {
                r#"<span class="pass">Passed</span>"#
            } else {
                r#"<span class="fail">Failed</span>"#
            },
            v.samples
        );
        h.push_str(r#"<table><thead><tr><th>Output</th><th class="num">Exact %</th><th class="num">Max |diff|</th><th class="num">MAE</th><th class="num">RMSE</th><th class="num">Cosine</th><th class="num">Top-1 agrees</th></tr></thead><tbody>"#);
        for o in &v.outputs {
            let _ = write!(
                h,
                r#"<tr><td><code>{}</code></td><td class="num">{:.2}</td><td class="num">{}</td><td class="num">{:.4}</td><td class="num">{:.4}</td><td class="num">{:.6}</td><td class="num">{}</td></tr>"#,
                esc(&o.name),
                o.exact_percent,
                o.max_abs_diff,
                o.mae,
                o.rmse,
                o.cosine,
                o.top1_agree
                    .map_or_else(|| "-".into(), |n| format!("{n}/{}", v.samples))
            );
        }
        h.push_str("</tbody></table>");
        if let Some(d) = &v.first_divergence {
            let _ = write!(h, "<p>First divergence: {}</p>", esc(d));
        }
        if let Some(trace) = &v.trace {
            let _ = write!(
                h,
                "<h2>Per step of the stream</h2>{}",
                line_chart(TRACE_CHART_ID, trace)
            );
        }
        h.push_str("</section>\n");
    }

    // Layer table.
    let _ = write!(
        h,
        r#"<section id="layers"><h2>Layers</h2><table><thead><tr><th class="num">#</th><th>Tag</th><th>Kernel</th><th>Output</th><th class="num">MACs</th><th class="num">{}</th><th class="num">Time µs{}</th><th class="num">MACs/{unit}</th><th class="num">Share %</th><th class="num">Weight B</th><th class="num">Activation B</th></tr></thead><tbody>"#,
        esc(&counter
            .label()
            .replace("instructions", "Instructions")
            .replace("cycles", "Cycles")),
        time_mark(counter).trim_end(),
    );
    for (l, mt) in profile.layers.iter().zip(&metrics) {
        let _ = write!(
            h,
            r#"<tr><td class="num">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            l.index,
            esc(&l.tag),
            esc(l.kernel.as_deref().unwrap_or("-")),
            esc(&shape_x(&l.output_shape)),
            thousands(l.macs),
            thousands(l.count),
            opt_thousands(mt.time_us, 1),
            opt(mt.macs_per_count, 3),
            opt(mt.share_percent, 1),
            thousands(l.weight_bytes),
            thousands(l.activation_bytes),
        );
    }
    h.push_str("</tbody></table></section>\n");

    let _ = write!(
        h,
        "<footer>autodeploy {} · report schema autodeploy.report v{} (see report.json)</footer>\n</main>\n</body>\n</html>\n",
        esc(&profile.tool_version),
        crate::json::JSON_SCHEMA_VERSION
    );
    h
}

/// Writes `report.html`.
pub fn write_html(profile: &Profile, mut out: impl Write) -> Result<(), ProfileError> {
    let io = |source| ProfileError::Write {
        report: "HTML",
        source,
    };
    out.write_all(render_html(profile).as_bytes()).map_err(io)?;
    out.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::tests::sample;

    #[test]
    fn charts_and_no_external_resources() {
        let html = render_html(&sample());
        for id in CHART_IDS {
            assert!(html.contains(&format!("<svg id=\"{id}\"")), "{id}");
        }
        assert!(!html.contains("<script"));
        assert!(!html.contains("<link"));
        assert!(!html.contains("src="));
        // The only URL is the SVG namespace.
        assert!(!html.contains("https:"));
        assert_eq!(
            html.matches("http:").count(),
            html.matches("http://www.w3.org/2000/svg").count()
        );
        assert!(html.contains("* Counts are instructions (QEMU).</b>"));
        assert!(html.contains("Time µs*</th>"));
        assert!(html.contains("#0 CONV_2D"));
    }

    #[test]
    fn trace_chart_draws_one_line_per_series() {
        let mut p = sample();
        let ours = vec![0.0, 4.0, 255.0, 255.0, 12.0, 0.0];
        p.validation = Some(crate::data::ValidationSummary {
            samples: ours.len(),
            passed: true,
            outputs: Vec::new(),
            first_divergence: None,
            trace: Some(OutputTrace {
                what: "output 0 (uint8)".into(),
                series: vec![
                    crate::data::Series {
                        name: "board".into(),
                        values: ours.clone(),
                    },
                    crate::data::Series {
                        name: "TFLite Micro".into(),
                        values: ours,
                    },
                ],
            }),
        });
        let html = render_html(&p);
        assert!(html.contains(&format!("<svg id=\"{TRACE_CHART_ID}\"")));
        let lines: Vec<&str> = html
            .split("<polyline class=\"series\"")
            .skip(1)
            .map(|rest| {
                let start = rest.find("points=\"").unwrap() + 8;
                let end = start + rest[start..].find('"').unwrap();
                &rest[start..end]
            })
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], lines[1], "identical series, identical lines");
        let points: Vec<&str> = lines[0].split(' ').collect();
        assert_eq!(points.len(), 6);
        // Step 0 at the left edge and the bottom (value 0); 255 at the top.
        assert_eq!(points[0], "60.0,264.0");
        assert_eq!(points[2].split(',').nth(1), Some("28.0"));
        assert!(
            html.contains("stroke-dasharray"),
            "the second line is dashed"
        );
    }

    #[test]
    fn model_text_is_escaped() {
        let mut p = sample();
        let evil = "<script>alert(1)</script>\"'&";
        p.model = evil.into();
        p.model_hash = evil.into();
        p.board.name = evil.into();
        p.board.core = evil.into();
        p.tool_version = evil.into();
        p.layers[0].tag = evil.into();
        p.layers[0].kernel = Some(evil.into());
        p.memory.flash_by_kernel = vec![(evil.into(), 1)];
        p.validation = Some(crate::data::ValidationSummary {
            samples: 1,
            passed: false,
            outputs: vec![crate::data::OutputAgreement {
                name: evil.into(),
                exact_percent: 0.0,
                max_abs_diff: 1.0,
                mae: 1.0,
                rmse: 1.0,
                cosine: 0.5,
                top1_agree: None,
            }],
            first_divergence: Some(evil.into()),
            trace: Some(OutputTrace {
                what: evil.into(),
                series: vec![crate::data::Series {
                    name: evil.into(),
                    values: vec![0.0, 1.0],
                }],
            }),
        });
        let html = render_html(&p);
        assert!(!html.contains("<script"), "unescaped markup");
        assert!(!html.contains("\"'&<"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    }

    #[test]
    fn empty_profile_renders() {
        let mut p = sample();
        p.layers.clear();
        p.runs.counts.clear();
        p.memory = Default::default();
        p.board.clock_hz = 0;
        let html = render_html(&p);
        assert!(html.contains("no layers"));
        assert!(!html.contains("NaN") && !html.contains("inf"));
    }

    #[test]
    fn cut_long_labels() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("abcdef", 4), "abc…");
    }
}
