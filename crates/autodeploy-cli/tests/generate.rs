//! `autodeploy generate`, run as a user would: it writes and builds the
//! library package, protects directories it did not write, and names what
//! to install when the build tools are missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use autodeploy_model::{Model, TensorValue};
use autodeploy_reference::Interpreter;

fn autodeploy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autodeploy"))
        .args(args)
        .output()
        .expect("run autodeploy")
}

fn kws() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/models/mlperf-tiny/kws_ref_model.tflite")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn generate(out: &Path, extra: &[&str]) -> Output {
    let model = kws();
    let mut args = vec![
        "generate",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--name",
        "kws",
    ];
    args.extend_from_slice(extra);
    autodeploy(&args)
}

/// The reference interpreter's top index of output 0 for an all-zero input.
fn reference_top_index() -> usize {
    let model = Model::from_path(kws()).unwrap();
    let graph = model.main_graph();
    let mut interpreter = Interpreter::new(model.clone()).unwrap();
    for (i, &tensor) in graph.inputs.iter().enumerate() {
        interpreter
            .set_input(i, TensorValue::zeros_like(graph.tensor(tensor)))
            .unwrap();
    }
    interpreter.invoke().unwrap();
    let values: Vec<i8> = interpreter.outputs()[0]
        .bytes
        .iter()
        .map(|&b| b as i8)
        .collect();
    (0..values.len()).fold(0, |best, i| if values[i] > values[best] { i } else { best })
}

#[test]
fn host_package_builds_and_its_example_prints_the_reference_top_index() {
    let out = tempfile::tempdir().unwrap();
    let result = generate(out.path(), &["--core", "host"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    for expected in [
        "generated 'kws' for host",
        "arena:",
        "weights:",
        "kernels: ad_",
        "libkws.a",
    ] {
        assert!(stdout.contains(expected), "no '{expected}' in:\n{stdout}");
    }
    let package = out.path().join("kws");
    assert!(package.join("libkws.a").is_file());
    assert!(package.join("kws.h").is_file());
    let example = Command::new(package.join("build/kws_example"))
        .output()
        .unwrap();
    assert_eq!(
        text(&example.stdout).trim(),
        format!("kws: top index {}", reference_top_index())
    );
}

#[test]
fn cortex_m4_package_builds_and_links() {
    let out = tempfile::tempdir().unwrap();
    let result = generate(out.path(), &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains("for cortex-m4"));
    let package = out.path().join("kws");
    assert!(package.join("libkws.a").is_file());
    let elf = package.join("build/kws_example.elf");
    let size = Command::new("arm-none-eabi-size")
        .arg(&elf)
        .output()
        .unwrap();
    assert!(size.status.success(), "{}", text(&size.stderr));
}

#[test]
fn refuses_a_foreign_directory_unless_forced_and_rewrites_its_own() {
    let out = tempfile::tempdir().unwrap();
    let package = out.path().join("kws");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(package.join("notes.txt"), "mine").unwrap();

    let refused = generate(out.path(), &["--no-build"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(
        !package.join("kws.h").exists(),
        "wrote into a foreign directory"
    );

    let forced = generate(out.path(), &["--no-build", "--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(package.join("kws.h").is_file());
    assert_eq!(
        std::fs::read_to_string(package.join("notes.txt")).unwrap(),
        "mine"
    );

    // Its own output (it has the manifest now) is rewritten without --force.
    let again = generate(out.path(), &["--no-build", "--core", "cortex-m7"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let makefile = std::fs::read_to_string(package.join("Makefile")).unwrap();
    assert!(makefile.contains("-mcpu=cortex-m7"), "{makefile}");
}

#[test]
fn name_defaults_to_the_sanitized_model_stem() {
    let out = tempfile::tempdir().unwrap();
    let model = out.path().join("My-Model.v2.tflite");
    std::fs::copy(kws(), &model).unwrap();
    let result = autodeploy(&[
        "generate",
        model.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--no-build",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(out.path().join("my_model_v2/my_model_v2.h").is_file());
}

#[test]
fn missing_build_tools_are_named_with_what_to_install() {
    let out = tempfile::tempdir().unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_autodeploy"))
        .args(["generate"])
        .arg(kws())
        .arg("--out")
        .arg(out.path())
        .env("PATH", out.path())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    assert!(stderr.contains("'make' not found"), "{stderr}");
    assert!(
        stderr.contains("apt-get install make gcc-arm-none-eabi libnewlib-arm-none-eabi"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_core_lists_the_known_ones() {
    let out = tempfile::tempdir().unwrap();
    let result = generate(out.path(), &["--core", "cortex-m3"]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    assert!(stderr.contains("cortex-m55"), "{stderr}");
}

#[test]
fn a_streaming_model_reports_its_state_apart_from_the_arena() {
    let dir = tempfile::tempdir().unwrap();
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/models/microwakeword/alexa.tflite");
    let out = autodeploy(&[
        "generate",
        model.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--core",
        "host",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("arena:   1,408 bytes"), "{stdout}");
    assert!(
        stdout.contains("state:   3,024 bytes in 6 variable(s), apart from the arena"),
        "{stdout}"
    );
    let header = std::fs::read_to_string(dir.path().join("alexa/alexa.h")).unwrap();
    assert!(header.contains("#define ALEXA_STATE_SIZE 3024u"));
    assert!(header.contains("void alexa_reset(void);"));
    let readme = std::fs::read_to_string(dir.path().join("alexa/README.md")).unwrap();
    assert!(readme.contains("State: 3024 bytes"), "{readme}");
}
