//! The real `autodeploy` binary, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn autodeploy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autodeploy"))
        .args(args)
        .output()
        .expect("run autodeploy")
}

fn model(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/models")
        .join(format!("{name}.tflite"))
        .to_string_lossy()
        .into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn inspect_prints_a_table_with_totals() {
    let out = autodeploy(&["inspect", &model("mlperf-tiny/kws_ref_model")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("total MACs:          2,656,768"), "{text}");
    assert!(text.contains("DEPTHWISE_CONV_2D"), "{text}");
    assert!(
        text.contains("input 0: 'input_1' int8 [1, 49, 10, 1]"),
        "{text}"
    );
    // One row per layer, numbered 0..12.
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("12  SOFTMAX")),
        "{text}"
    );
}

#[test]
fn inspect_json_follows_the_documented_schema() {
    let expected = [
        ("mlperf-tiny/kws_ref_model", 2_656_768u64),
        ("mlperf-tiny/vww_96_int8", 7_489_664),
        ("mlperf-tiny/ic_resnet8_int8", 12_501_632),
        ("mlperf-tiny/ad01_int8", 264_192),
        ("mlperf-tiny/str_ww_ref_model", 826_368),
    ];
    for (name, macs) in expected {
        let out = autodeploy(&["inspect", "--format", "json", &model(name)]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        assert_eq!(doc["schema"], "autodeploy.inspect");
        assert_eq!(doc["schema_version"], 1);
        assert_eq!(doc["totals"]["macs"], macs, "{name}");
        let layers = doc["layers"].as_array().unwrap();
        assert_eq!(doc["totals"]["layers"], layers.len());
        let sum: u64 = layers.iter().map(|l| l["macs"].as_u64().unwrap()).sum();
        assert_eq!(sum, macs, "{name}: layer MACs add up to the total");
        for key in [
            "index",
            "op",
            "version",
            "dtype",
            "output_shapes",
            "weight_bytes",
            "activation_bytes",
        ] {
            assert!(layers[0].get(key).is_some(), "{name}: layer field {key}");
        }
        assert_eq!(doc["inputs"][0]["dtype"], "int8");
        assert!(doc["operators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["count"].as_u64() > Some(0)));
    }
}

#[test]
fn bad_models_exit_2_with_a_specific_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.tflite");
    std::fs::write(&empty, b"").unwrap();
    let truncated = dir.path().join("truncated.tflite");
    let bytes = std::fs::read(model("mlperf-tiny/kws_ref_model")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    let cases = [
        (
            empty.to_string_lossy().into_owned(),
            "the model file is empty",
        ),
        (
            truncated.to_string_lossy().into_owned(),
            "the file is truncated",
        ),
        (
            "/nonexistent/model.tflite".to_string(),
            "cannot read model file",
        ),
        (
            model("mlperf-tiny/kws_ref_model_float32"),
            "hybrid model: layer 0 CONV_2D",
        ),
        (
            model("tflm-examples/trained_lstm_int8"),
            "layer 0 UNIDIRECTIONAL_SEQUENCE_LSTM",
        ),
    ];
    for (path, message) in cases {
        let out = autodeploy(&["inspect", &path]);
        assert_eq!(out.status.code(), Some(2), "{path}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{path}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{path}");
        assert!(stdout(&out).is_empty(), "{path}: nothing on stdout");
    }
}

#[test]
fn inspect_reports_the_state_of_a_streaming_model() {
    let out = autodeploy(&["inspect", &model("microwakeword/alexa")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("state:               3,024 bytes in 6 resource variable(s)"),
        "{text}"
    );
    assert!(
        text.contains("'stream_10/states' int8 [1, 20, 1, 64] (1,280 bytes)"),
        "{text}"
    );
    let out = autodeploy(&[
        "inspect",
        "--format",
        "json",
        &model("microwakeword/hey_jarvis"),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["state_bytes"], 2840);
    assert_eq!(doc["state"].as_array().map(Vec::len), Some(6));
}

#[test]
fn help_lists_the_commands() {
    let out = autodeploy(&["--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("inspect"));
}

#[test]
fn run_with_random_inputs_matches_tflite_micro() {
    use autodeploy_model::TensorValue;
    use autodeploy_testkit::oracle::{self, Case, Interpreter};

    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let layers = dir.path().join("layers");
    let kws = model("mlperf-tiny/kws_ref_model");
    let out = autodeploy(&[
        "run",
        &kws,
        "--random",
        "--seed",
        "42",
        "--output",
        out_dir.to_str().unwrap(),
        "--dump-layers",
        layers.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read =
        |p: std::path::PathBuf| TensorValue::read_npy(std::fs::File::open(p).unwrap()).unwrap();
    let input = read(out_dir.join("input_0.npy"));
    let output = read(out_dir.join("output_0.npy"));
    assert_eq!(output.shape, vec![1, 12]);
    assert_eq!(
        std::fs::read_dir(&layers).unwrap().count(),
        13,
        "one file per layer output"
    );

    let results = oracle::run(&[Case {
        model: kws.into(),
        samples: vec![vec![input]],
        interpreters: vec![Interpreter::Tflm],
        tensors: vec![],
    }]);
    let tflm = results[0].get(Interpreter::Tflm).as_ref().unwrap();
    assert_eq!(
        output.bytes, tflm[0].outputs[0].bytes,
        "bit-exact with TFLite Micro"
    );
}

#[test]
fn run_over_a_sequence_matches_tflite_micro_at_every_step() {
    use autodeploy_model::TensorValue;
    use autodeploy_testkit::oracle::{self, Case, Interpreter};

    const STEPS: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let read =
        |p: std::path::PathBuf| TensorValue::read_npy(std::fs::File::open(p).unwrap()).unwrap();
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for name in ["microwakeword/alexa", "microwakeword/hey_jarvis"] {
        let out_dir = dir.path().join(name.replace('/', "_"));
        let path = model(name);
        let steps = STEPS.to_string();
        let out = autodeploy(&[
            "run",
            &path,
            "--random",
            "--seed",
            "11",
            "--steps",
            &steps,
            "--output",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains("step 99 of 100"), "{}", stdout(&out));
        let inputs = read(out_dir.join("input_0.npy"));
        let outputs = read(out_dir.join("output_0.npy"));
        assert_eq!(inputs.shape, vec![STEPS, 1, 3, 40], "{name}");
        assert_eq!(outputs.shape, vec![STEPS, 1, 1], "{name}");
        // The stacked inputs fed back as one file give the same outputs.
        let again = dir.path().join(format!("{}_again", name.replace('/', "_")));
        let out = autodeploy(&[
            "run",
            &path,
            "--input",
            out_dir.join("input_0.npy").to_str().unwrap(),
            "--output",
            again.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(read(again.join("output_0.npy")), outputs, "{name}");

        let frame = inputs.bytes.len() / STEPS;
        let samples = inputs
            .bytes
            .chunks(frame)
            .map(|b| {
                vec![TensorValue {
                    dtype: inputs.dtype,
                    shape: vec![1, 3, 40],
                    bytes: b.to_vec(),
                }]
            })
            .collect();
        cases.push(Case {
            model: path.into(),
            samples,
            interpreters: vec![Interpreter::Tflm],
            tensors: vec![],
        });
        ours.push((name, outputs));
    }
    let results = oracle::run(&cases);
    for ((name, outputs), result) in ours.iter().zip(&results) {
        let tflm = result.get(Interpreter::Tflm).as_ref().unwrap();
        assert_eq!(tflm.len(), STEPS, "{name}");
        for (step, sample) in tflm.iter().enumerate() {
            assert_eq!(
                outputs.bytes[step..step + 1],
                sample.outputs[0].bytes[..],
                "{name}: step {step} differs from TFLite Micro"
            );
        }
    }
}

#[test]
fn run_accepts_raw_bin_inputs_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("input.bin");
    std::fs::write(&bin, vec![7u8; 49 * 10]).unwrap();
    let out_dir = dir.path().join("out");
    let args = [
        "run",
        &model("mlperf-tiny/kws_ref_model"),
        "--input",
        bin.to_str().unwrap(),
        "--output",
        out_dir.to_str().unwrap(),
    ];
    let first = autodeploy(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(out_dir.join("output_0.npy")).unwrap();

    let second = autodeploy(&args);
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains("pass --force"),
        "{}",
        stderr(&second)
    );
    assert_eq!(std::fs::read(out_dir.join("output_0.npy")).unwrap(), before);

    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(autodeploy(&forced).status.success());

    // A raw file of the wrong size names the input and the size it needs.
    std::fs::write(&bin, [1u8; 10]).unwrap();
    let bad = autodeploy(&[
        "run",
        &model("mlperf-tiny/kws_ref_model"),
        "--input",
        bin.to_str().unwrap(),
        "--output",
        dir.path().join("o2").to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("needs 490"), "{}", stderr(&bad));
}

#[test]
fn run_without_inputs_says_what_the_model_needs() {
    let out = autodeploy(&["run", &model("mlperf-tiny/kws_ref_model")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'input_1' int8 [1, 49, 10, 1]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_passes_on_the_virtual_board_and_errors_name_the_problem() {
    let cache = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/autodeploy-test-cache");
    let out = autodeploy(&[
        "validate",
        &model("tflm-examples/hello_world_int8"),
        "--samples",
        "5",
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("PASS"), "{}", stdout(&out));
    assert!(stdout(&out).contains("100.00"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("stack high-water:"),
        "{}",
        stdout(&out)
    );

    let unknown = autodeploy(&[
        "validate",
        &model("tflm-examples/hello_world_int8"),
        "--board",
        "qemu-m99",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("qemu-m4"),
        "lists the known boards: {}",
        stderr(&unknown)
    );
}

#[test]
fn boards_lists_every_builtin_with_memories_and_loading() {
    let out = autodeploy(&["boards"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for name in [
        "qemu-m4",
        "qemu-m7",
        "qemu-m55",
        "apollo4p-evb",
        "apollo510-evb",
    ] {
        assert!(
            text.contains(&format!("{name}: ")),
            "{name} missing:\n{text}"
        );
    }
    assert!(
        text.contains("runs on: probe-rs AP510NFA-CBR, flash load, rtt transport"),
        "{text}"
    );
    assert!(
        text.contains("  ssram  0x20080000    3072 KiB  arena"),
        "{text}"
    );
    assert!(text.contains("runs on: qemu -M mps2-an386"), "{text}");
}

#[test]
fn validate_streams_100_frames_bit_exact_with_state_on_qemu_m4() {
    let cache = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/autodeploy-test-cache");
    for (name, state) in [
        ("microwakeword/alexa", "3024 of 3024 bytes match"),
        ("microwakeword/hey_jarvis", "2840 of 2840 bytes match"),
    ] {
        let out = autodeploy(&[
            "validate",
            &model(name),
            "--board",
            "qemu-m4",
            "--sequence",
            "100",
            "--cache-dir",
            cache.to_str().unwrap(),
        ]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{name}: {text}{}", stderr(&out));
        assert!(text.contains("100 samples"), "{name}: {text}");
        assert!(
            text.contains(&format!("state after 100 consecutive frames: {state}")),
            "{name}: {text}"
        );
        assert!(text.contains("PASS"), "{name}: {text}");
    }
    // The spoken word through the board: the same frames TFLite Micro
    // matches the reference on (autodeploy-reference's oracle_spoken test).
    let alexa = autodeploy_model::Model::from_path(model("microwakeword/alexa")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let frames_file = dir.path().join("alexa_frames.npy");
    let frames = autodeploy_testkit::spoken::spoken_frames(&alexa, "alexa", &frames_file);
    let n = frames.len().to_string();
    let out = autodeploy(&[
        "validate",
        &model("microwakeword/alexa"),
        "--inputs",
        frames_file.to_str().unwrap(),
        "--sequence",
        &n,
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "spoken alexa: {text}{}",
        stderr(&out)
    );
    assert!(
        text.contains("3024 of 3024 bytes match") && text.contains("PASS"),
        "{text}"
    );
    // A model without state has no stream to validate.
    let out = autodeploy(&[
        "validate",
        &model("tflm-examples/hello_world_int8"),
        "--sequence",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("keeps no state"), "{}", stderr(&out));
}

#[test]
fn run_on_spoken_frames_matches_tflite_micro_at_every_step() {
    use autodeploy_model::{Model, TensorValue};
    use autodeploy_testkit::oracle::{self, Case, Interpreter};

    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("microwakeword/alexa", "alexa"),
        ("microwakeword/hey_jarvis", "hey jarvis"),
    ] {
        let path = model(name);
        let m = Model::from_path(&path).unwrap();
        let stem = name.replace('/', "_");
        let frames_file = dir.path().join(format!("{stem}.npy"));
        let frames = autodeploy_testkit::spoken::spoken_frames(&m, text, &frames_file);
        let out_dir = dir.path().join(&stem);
        let out = autodeploy(&[
            "run",
            &path,
            "--input",
            frames_file.to_str().unwrap(),
            "--output",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let file = std::fs::File::open(out_dir.join("output_0.npy")).unwrap();
        let outputs = TensorValue::read_npy(file).unwrap();
        assert_eq!(outputs.shape, vec![frames.len(), 1, 1], "{name}");
        let results = oracle::run(&[Case {
            model: path.into(),
            samples: frames.into_iter().map(|f| vec![f]).collect(),
            interpreters: vec![Interpreter::Tflm],
            tensors: vec![],
        }]);
        let tflm: Vec<u8> = results[0]
            .get(Interpreter::Tflm)
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| s.outputs[0].bytes[0])
            .collect();
        assert_eq!(outputs.bytes, tflm, "{name}: the per-step outputs");
    }
}
