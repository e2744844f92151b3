//! `autodeploy deploy` run as a user would, on the int8 MLPerf Tiny models on
//! qemu-m4: it writes the library, the three reports and passes validation;
//! the per-layer counts add up to the whole inference; two deploys count the
//! same per layer; the HTML report of a real deploy renders in Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use autodeploy_testkit::chromium::render;

const MODELS: [&str; 5] = [
    "kws_ref_model",
    "vww_96_int8",
    "ic_resnet8_int8",
    "ad01_int8",
    "str_ww_ref_model",
];

fn model(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/models/mlperf-tiny")
        .join(format!("{name}.tflite"))
}

fn deploy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autodeploy"))
        .arg("deploy")
        .args(args)
        .output()
        .expect("run autodeploy")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Deploys `name` into `out` with few samples and two measured runs.
fn deploy_model(name: &str, out: &Path) -> serde_json::Value {
    let path = model(name);
    let output = deploy(&[
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--samples",
        "2",
        "--runs",
        "2",
    ]);
    assert!(
        output.status.success(),
        "{name}: exit {:?}\n{}\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("validation: PASS (2 samples)"), "{stdout}");
    assert!(out.join(name).join(format!("lib{name}.a")).is_file());
    for report in ["profile.csv", "report.json", "report.html"] {
        assert!(out.join("reports").join(report).is_file(), "{report}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("reports/report.json")).unwrap())
            .unwrap();
    assert_eq!(json["validation"]["passed"], true, "{name}");
    json
}

fn layer_counts(json: &serde_json::Value) -> Vec<u64> {
    json["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["count"].as_u64().unwrap())
        .collect()
}

#[test]
fn deploys_every_int8_mlperf_tiny_model() {
    let dir = tempfile::tempdir().unwrap();
    for name in MODELS {
        let out = dir.path().join(name);
        let json = deploy_model(name, &out);
        let layers = layer_counts(&json);
        let sum: u64 = layers.iter().sum();
        let runs: Vec<u64> = json["runs"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert_eq!(runs.len(), 2, "{name}");
        // Every measured run starts from the same inputs, so counts the same.
        assert_eq!(runs[0], runs[1], "{name}: the two runs differ");
        for total in runs {
            let off = sum.abs_diff(total) as f64 / total as f64;
            assert!(
                off < 0.01,
                "{name}: layers sum to {sum}, the inference counted {total}"
            );
        }
        assert_eq!(json["board"]["counter"], "instructions", "{name}");
        // Deploy uses the optimised kernels: the report compares the arena
        // with the portable kernels' (issue 8 allows at most +5%).
        let memory = &json["memory"];
        let arena = memory["arena"].as_u64().unwrap();
        let portable = memory["arena_portable"].as_u64().unwrap();
        assert!(
            arena * 100 <= portable * 105,
            "{name}: arena {arena} B against {portable} B portable"
        );

        // The CSV parses, with its header, one row per layer.
        let csv = std::fs::read_to_string(out.join("reports/profile.csv")).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "Layer");
        assert_eq!(&header[1], "Tag");
        let rows = reader.records().map(Result::unwrap).count();
        assert_eq!(rows, layers.len(), "{name}");
    }
}

#[test]
fn two_deploys_count_the_same_and_the_report_renders() {
    let dir = tempfile::tempdir().unwrap();
    let first = deploy_model("kws_ref_model", &dir.path().join("a"));
    let second = deploy_model("kws_ref_model", &dir.path().join("b"));
    // Exactly identical: with -icount shift=10 a counter tick is 1/25.6 of an
    // instruction, so every rounded count is exact whatever the counter's phase.
    assert_eq!(layer_counts(&first), layer_counts(&second));
    assert_eq!(first["runs"]["counts"], second["runs"]["counts"]);

    let page = dir.path().join("a/reports/report.html");
    let r = render(&page, dir.path(), (1100, 2600));
    assert!(r.console.is_empty(), "console messages: {:#?}", r.console);
    assert!(r.fatal.is_empty(), "chromium fatal: {:#?}", r.fatal);
    for id in autodeploy_profile::CHART_IDS {
        assert!(
            r.dom.contains(&format!("<svg id=\"{id}\"")),
            "no chart {id}"
        );
    }
    assert!(r.dom.contains("kws_ref_model"));
    assert!(
        r.screenshot.starts_with(b"\x89PNG\r\n\x1a\n"),
        "no screenshot"
    );
}

#[test]
fn config_file_settings_and_flag_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("deploy.toml");
    std::fs::write(
        &config,
        format!(
            "model = \"{}\"\nout = \"from-config\"\nmodel-name = \"ignored\"\n",
            model("kws_ref_model").display()
        ),
    )
    .unwrap();
    // An unknown key is refused by name, exit 2.
    let bad = deploy(&["--config", config.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("model-name"),
        "{}",
        text(&bad.stderr)
    );

    std::fs::write(
        &config,
        format!(
            "model = \"{}\"\nout = \"from-config\"\nname = \"cfg\"\nlibrary-only = true\n",
            model("kws_ref_model").display()
        ),
    )
    .unwrap();
    // The seed tool's spelling of the name flag overrides the config.
    let ok = deploy(&["--config", config.to_str().unwrap(), "--model-name", "kws"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(dir.path().join("from-config/kws/libkws.a").is_file());
    assert!(!dir.path().join("from-config/reports").exists());

    // A directory autodeploy did not write is refused, exit 2, untouched.
    let mine = dir.path().join("mine/kws");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let refused = deploy(&[
        "--tflite-filename",
        model("kws_ref_model").to_str().unwrap(),
        "--out",
        dir.path().join("mine").to_str().unwrap(),
        "--name",
        "kws",
        "--library-only",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("not created by autodeploy"));
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "mine"
    );
}
