//! Boards as a user meets them: an own board file by path, a real board without its probe, and
//! `--build-only` for a real board.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kws() -> String {
    root()
        .join("examples/models/mlperf-tiny/kws_ref_model.tflite")
        .to_string_lossy()
        .into_owned()
}

fn cache() -> String {
    root()
        .join("target/autodeploy-test-cache")
        .to_string_lossy()
        .into_owned()
}

/// Runs autodeploy; more than `limit` is taken as a hang (the process is killed).
fn autodeploy(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_autodeploy"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run autodeploy");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("autodeploy {args:?} hung (killed after {limit:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_user_board_file_validates_kws() {
    let builtin =
        std::fs::read_to_string(root().join("crates/autodeploy-toolchain/boards/qemu-m4.toml"))
            .unwrap();
    let own = builtin
        .replace("name = \"qemu-m4\"", "name = \"my-m4\"")
        .replace("clock_hz = 25_000_000", "clock_hz = 50_000_000");
    assert_ne!(own, builtin);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-board.toml");
    std::fs::write(&path, own).unwrap();
    let out = autodeploy(
        &[
            "validate",
            &kws(),
            "--board",
            path.to_str().unwrap(),
            "--samples",
            "2",
            "--cache-dir",
            &cache(),
        ],
        Duration::from_secs(600),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("board my-m4 (cortex-m4, 50,000,000 Hz)") && t.contains("PASS"),
        "{t}"
    );
}

#[test]
fn a_real_board_without_its_probe_exits_2_naming_the_problem() {
    // 10 s is the limit for this error; past it the run counts as a hang.
    let out = autodeploy(
        &["validate", &kws(), "--board", "apollo510-evb"],
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("board \"apollo510-evb\" needs a debug probe and none was found"),
        "{}",
        text(&out)
    );
}

#[test]
fn build_only_places_a_real_boards_firmware() {
    let out = autodeploy(
        &[
            "validate",
            &kws(),
            "--board",
            "apollo4p-evb",
            "--build-only",
            "--cache-dir",
            &cache(),
        ],
        Duration::from_secs(600),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("transport rtt") && t.contains("firmware: "),
        "{t}"
    );
    for (section, memory) in [
        (".text", "mram"),
        (".rodata", "mram"),
        (".ad_arena", "ssram"),
        (".bss", "tcm"),
    ] {
        assert!(
            t.lines()
                .any(|l| l.starts_with(section) && l.trim_end().ends_with(memory)),
            "{section} not in {memory}: {t}"
        );
    }
}
