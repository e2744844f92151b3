//! Loads a generated `report.html` in headless Chromium (Debian's `chromium`
//! package, installed by `cargo xtask setup` or here when running as root)
//! and checks that it renders its charts with a silent console.
//!
//! What Chromium 156 prints with `--enable-logging=stderr --v=0`: every
//! console message of the page, whatever its level (log, error, uncaught
//! exception, a Content-Security-Policy violation), as one stderr line
//! `[pid:tid:time:INFO:CONSOLE:line] "message", source: file:///... (line)`.
//! A failed image load prints nothing, so the report carries a CSP of
//! `default-src 'none'` that turns any fetch or script into such a line.
//! The report has no scripts, so the check is: no `:CONSOLE` line at all.
//! `console_is_captured` shows on a page with `console.error`, an uncaught
//! exception and a blocked fetch that this check does see them.

use std::path::Path;
use std::time::{Duration, Instant};

use autodeploy_profile::*;
use autodeploy_testkit::chromium::render;

fn profile() -> Profile {
    let ops = [
        ("CONV_2D", "ad_conv2d_s8", vec![1, 25, 5, 64], 640_000u64),
        (
            "DEPTHWISE_CONV_2D",
            "ad_depthwise_conv2d_s8",
            vec![1, 25, 5, 64],
            72_000,
        ),
        ("CONV_2D", "ad_conv2d_s8", vec![1, 25, 5, 64], 512_000),
        ("AVERAGE_POOL_2D", "ad_avg_pool_s8", vec![1, 1, 1, 64], 0),
        ("FULLY_CONNECTED", "ad_fully_connected_s8", vec![1, 12], 768),
        ("SOFTMAX", "ad_softmax_s8", vec![1, 12], 0),
    ];
    let layers = (0..18)
        .map(|i| {
            let (tag, kernel, shape, macs) = &ops[i % ops.len()];
            LayerRecord {
                index: i,
                tag: (*tag).into(),
                kernel: Some((*kernel).into()),
                output_shape: shape.clone(),
                macs: *macs,
                count: 5_000 + macs * (3 + (i as u64 % 4)) / 2,
                weight_bytes: macs / 40,
                activation_bytes: 16_000,
            }
        })
        .collect();
    Profile {
        model: "kws <ds-cnn> & \"friends\"".into(),
        model_hash: "5f1e0c2a".into(),
        board: BoardInfo {
            name: "qemu-m4".into(),
            core: "cortex-m4".into(),
            clock_hz: 100_000_000,
            counter: Counter::Instructions,
        },
        layers,
        runs: RunStats {
            warmup: 1,
            counts: vec![7_650_000, 7_640_000, 7_662_000, 7_651_000, 7_649_000],
        },
        memory: MemoryUse {
            flash_code: 18_400,
            flash_weights: 22_000,
            flash_by_kernel: vec![
                ("ad_conv2d_s8".into(), 3_100),
                ("ad_depthwise_conv2d_s8".into(), 2_200),
                ("<script>alert(1)</script>".into(), 10),
            ],
            arena: 16_384,
            arena_lower_bound: Some(16_000),
            arena_portable: None,
            static_ram: 2_300,
            state: 0,
            stack_high_water: Some(1_150),
            stack_size: Some(4_096),
        },
        validation: Some(ValidationSummary {
            samples: 10,
            passed: true,
            outputs: vec![OutputAgreement {
                name: "Identity".into(),
                exact_percent: 100.0,
                max_abs_diff: 0.0,
                mae: 0.0,
                rmse: 0.0,
                cosine: 1.0,
                top1_agree: Some(10),
            }],
            first_divergence: None,
            trace: None,
        }),
        tool_version: env!("CARGO_PKG_VERSION").into(),
    }
}

#[test]
fn report_renders_with_a_silent_console() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_reports(&profile(), dir.path()).unwrap();
    let page = written.iter().find(|p| p.ends_with("report.html")).unwrap();
    let start = Instant::now();
    let r = render(page, dir.path(), (1100, 2600));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );

    assert!(r.console.is_empty(), "console messages: {:#?}", r.console);
    assert!(r.fatal.is_empty(), "chromium fatal: {:#?}", r.fatal);
    // Rendered: the DOM Chromium built holds the charts and their bars.
    for id in CHART_IDS {
        assert!(
            r.dom.contains(&format!("<svg id=\"{id}\"")),
            "no chart {id}"
        );
    }
    assert!(
        r.dom.matches("<g class=\"bar\">").count() >= 2 * 18,
        "bars missing"
    );
    assert!(r.dom.contains("* Counts are instructions (QEMU).</b>"));
    // Model text stayed text.
    assert!(!r.dom.contains("<script"), "injected markup in the DOM");
    assert!(r.dom.contains("kws &lt;ds-cnn&gt; &amp; \"friends\""));
    // A real PNG of a non-trivial page.
    assert!(
        r.screenshot.starts_with(b"\x89PNG\r\n\x1a\n"),
        "no screenshot"
    );
    assert!(
        r.screenshot.len() > 20_000,
        "screenshot only {} bytes",
        r.screenshot.len()
    );

    // Kept for a person to look at.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("profile-report");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join("screenshot.png"), &r.screenshot).unwrap();
    for path in &written {
        std::fs::copy(path, keep.join(path.file_name().unwrap())).unwrap();
    }
}

/// The console check sees what a broken page would print.
#[test]
fn console_is_captured() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        format!(
            r#"<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}"></head>
<body><p>broken</p><script>console.error("boom")</script><script>notDefined()</script><img src="http://example.invalid/x.png"></body></html>"#,
            CSP = "script-src 'unsafe-inline'; img-src 'none'"
        ),
    )
    .unwrap();
    let r = render(&page, dir.path(), (400, 300));
    assert!(
        r.console.iter().any(|l| l.contains("\"boom\"")),
        "console.error not seen: {:#?}",
        r.console
    );
    assert!(
        r.console
            .iter()
            .any(|l| l.contains("Uncaught ReferenceError")),
        "uncaught exception not seen: {:#?}",
        r.console
    );
    assert!(
        r.console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "blocked image not seen: {:#?}",
        r.console
    );
}
