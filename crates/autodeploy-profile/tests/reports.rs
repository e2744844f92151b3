//! The files `write_reports` writes, read back the way their users read them.

use autodeploy_profile::*;

fn profile(counter: Counter) -> Profile {
    Profile {
        model: "tiny".into(),
        model_hash: "abc123".into(),
        board: BoardInfo {
            name: "qemu-m4".into(),
            core: "cortex-m4".into(),
            clock_hz: 100_000_000,
            counter,
        },
        layers: vec![
            LayerRecord {
                index: 0,
                tag: "CONV_2D".into(),
                kernel: Some("ad_conv2d_s8".into()),
                output_shape: vec![1, 8, 8, 4],
                macs: 50_000,
                count: 100_000,
                weight_bytes: 160,
                activation_bytes: 512,
            },
            LayerRecord {
                index: 1,
                // Text a CSV writer must quote.
                tag: "CUSTOM,\"odd\"".into(),
                kernel: None,
                output_shape: vec![1, 10],
                macs: 0,
                count: 100_000,
                weight_bytes: 0,
                activation_bytes: 296,
            },
        ],
        runs: RunStats {
            warmup: 2,
            counts: vec![210_000, 205_000, 220_000],
        },
        memory: MemoryUse {
            flash_code: 12_000,
            flash_weights: 30_000,
            flash_by_kernel: vec![("ad_conv2d_s8".into(), 2_000)],
            arena: 4_096,
            arena_lower_bound: Some(4_000),
            arena_portable: Some(3_840),
            static_ram: 1_000,
            state: 0,
            stack_high_water: Some(700),
            stack_size: None,
        },
        validation: Some(ValidationSummary {
            samples: 4,
            passed: true,
            outputs: vec![OutputAgreement {
                name: "out".into(),
                exact_percent: 100.0,
                max_abs_diff: 0.0,
                mae: 0.0,
                rmse: 0.0,
                cosine: 1.0,
                top1_agree: Some(4),
            }],
            first_divergence: None,
            trace: None,
        }),
        tool_version: "0.1.0".into(),
    }
}

#[test]
fn csv_parses_with_its_header() {
    let mut bytes = Vec::new();
    write_csv(&profile(Counter::Instructions), &mut bytes).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..5],
        ["Layer", "Tag", "Time_us", "Estimated_MACs", "Cycles"]
    );
    assert_eq!(header, CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let get = |row: &csv::StringRecord, name: &str| {
        row[header.iter().position(|h| h == name).unwrap()].to_string()
    };
    let r0 = &rows[0];
    assert_eq!(get(r0, "Layer"), "0");
    assert_eq!(get(r0, "Tag"), "CONV_2D");
    assert_eq!(get(r0, "Time_us"), "1000.000");
    assert_eq!(get(r0, "Estimated_MACs"), "50000");
    assert_eq!(get(r0, "Cycles"), "100000");
    assert_eq!(get(r0, "Kernel"), "ad_conv2d_s8");
    assert_eq!(get(r0, "Output_shape"), "[1,8,8,4]");
    assert_eq!(get(r0, "MACs_per_count"), "0.5000");
    assert_eq!(get(r0, "Share_percent"), "50.00");
    assert_eq!(get(r0, "Weight_bytes"), "160");
    assert_eq!(get(r0, "Activation_bytes"), "512");
    assert_eq!(get(r0, "Counter"), "instructions");
    let r1 = &rows[1];
    assert_eq!(get(r1, "Tag"), "CUSTOM,\"odd\"");
    assert_eq!(get(r1, "Kernel"), "");
    assert_eq!(get(r1, "Output_shape"), "[1,10]");
    assert_eq!(get(r1, "MACs_per_count"), "0.0000");

    let mut bytes = Vec::new();
    write_csv(&profile(Counter::Cycles), &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.lines().nth(1).unwrap().ends_with(",cycles"));
}

#[test]
fn json_has_its_documented_fields() {
    let mut bytes = Vec::new();
    write_json(&profile(Counter::Instructions), &mut bytes).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["schema"], "autodeploy.report");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["tool_version"], "0.1.0");
    assert_eq!(v["model"]["name"], "tiny");
    assert_eq!(v["model"]["hash"], "abc123");
    assert_eq!(v["board"]["counter"], "instructions");
    assert_eq!(v["board"]["clock_hz"], 100_000_000);
    assert!(v["counter_note"].as_str().unwrap().contains("not measured"));

    let l0 = &v["layers"][0];
    for key in [
        "index",
        "tag",
        "kernel",
        "output_shape",
        "macs",
        "count",
        "weight_bytes",
        "activation_bytes",
        "time_us",
        "macs_per_count",
        "share_percent",
    ] {
        assert!(l0.get(key).is_some(), "layer field {key}");
    }
    assert_eq!(l0["output_shape"], serde_json::json!([1, 8, 8, 4]));
    assert_eq!(l0["time_us"], 1000.0);
    assert_eq!(l0["macs_per_count"], 0.5);
    assert_eq!(l0["share_percent"], 50.0);
    assert!(v["layers"][1]["kernel"].is_null());

    let t = &v["totals"];
    assert_eq!(t["layers"], 2);
    assert_eq!(t["count"], 200_000);
    assert_eq!(t["macs"], 50_000);
    assert_eq!(t["time_us"], 2000.0);
    assert_eq!(t["macs_per_count"], 0.25);
    assert_eq!(t["median_run_time_us"], 2100.0);
    assert_eq!(t["outside_layers"], 10_000);
    assert!(t.get("runs").is_none());

    let r = &v["runs"];
    assert_eq!(r["warmup"], 2);
    assert_eq!(r["counts"], serde_json::json!([210_000, 205_000, 220_000]));
    assert_eq!(
        (&r["runs"], &r["min"], &r["median"], &r["max"]),
        (
            &serde_json::json!(3),
            &serde_json::json!(205_000),
            &serde_json::json!(210_000),
            &serde_json::json!(220_000)
        )
    );

    let m = &v["memory"];
    assert_eq!(m["flash_total"], 42_000);
    assert_eq!(m["ram_total"], 4_096 + 1_000 + 700);
    assert_eq!(m["flash_by_kernel"][0]["kernel"], "ad_conv2d_s8");
    assert_eq!(m["flash_by_kernel"][0]["bytes"], 2_000);
    assert!(m["stack_size"].is_null());
    assert_eq!(m["arena_portable"], 3_840);

    assert_eq!(v["validation"]["passed"], true);
    assert_eq!(v["validation"]["outputs"][0]["top1_agree"], 4);
}

#[test]
fn json_without_runs_has_null_statistics() {
    let mut p = profile(Counter::Cycles);
    p.runs.counts.clear();
    p.validation = None;
    let mut bytes = Vec::new();
    write_json(&p, &mut bytes).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["board"]["counter"], "cycles");
    assert!(v["runs"].get("median").is_none());
    assert!(v["totals"]["outside_layers"].is_null());
    assert!(v["validation"].is_null());
}

#[test]
fn profile_round_trips_through_serde() {
    let p = profile(Counter::Cycles);
    let text = serde_json::to_string(&p).unwrap();
    let back: Profile = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
}

#[test]
fn write_reports_writes_three_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/sub");
    let written = write_reports(&profile(Counter::Instructions), &out).unwrap();
    let names: Vec<_> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, REPORT_FILES);
    for path in &written {
        assert!(std::fs::metadata(path).unwrap().len() > 100, "{path:?}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("CUSTOM,&quot;odd&quot;"));
    // 4,096 B with these kernels against 3,840 B portable.
    assert!(
        html.contains("against the portable kernels: +256 B (+6.7%) (portable: 3,840 B (3.8 KiB))"),
        "{html}"
    );
}

#[test]
fn console_says_what_the_kernel_choice_did_to_the_arena() {
    let mut p = profile(Counter::Instructions);
    let text = console_table(&p);
    assert!(
        text.contains("+256 B (+6.7%) against the portable kernels"),
        "{text}"
    );
    p.memory.arena_portable = Some(4_096);
    assert!(console_table(&p).contains("the same (+0 B) against the portable kernels"));
    p.memory.arena_portable = None;
    assert!(!console_table(&p).contains("against the portable kernels"));
}

#[test]
fn write_reports_names_the_path_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = write_reports(&profile(Counter::Cycles), &file).unwrap_err();
    assert!(
        matches!(err, ProfileError::File { ref path, .. } if path == &file),
        "{err}"
    );
    assert!(err.to_string().contains("a-file"));
}
