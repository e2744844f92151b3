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

/// Runs autodeploy, which must refuse (exit 2) within `limit`; its output and output text.
fn refused(args: &[&str], limit: Duration) -> (Output, String) {
    let out = autodeploy(args, limit);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    (out, t)
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
    let (out, t) = refused(
        &["validate", &kws(), "--board", "apollo510-evb"],
        Duration::from_secs(10),
    );
    assert!(
        t.contains("board \"apollo510-evb\" needs a debug probe and none was found"),
        "{t}"
    );
    // probe-rs's and nusb's warnings while scanning are hidden by default: our error is
    // the first thing on stderr.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("WARN"), "{stderr}");
}

#[test]
fn the_default_log_filter_quiets_probe_rs_unless_asked() {
    use autodeploy_cli::default_log_filter;
    assert_eq!(default_log_filter(0), "warn,probe_rs=error,nusb=error");
    assert!(default_log_filter(1).contains("probe_rs=warn"));
    assert_eq!(default_log_filter(2), "trace");
}

#[test]
fn serial_transport_on_a_real_board_without_a_usb_port_exits_2_listing_the_ports() {
    // This machine has no USB serial port: with none named, the error says so and how to
    // name one; with ids named, it says nothing matches. Both before any build.
    let (_, t) = refused(
        &[
            "validate",
            &kws(),
            "--board",
            "apollo510-evb",
            "--transport",
            "serial",
        ],
        Duration::from_secs(10),
    );
    assert!(
        t.contains("no USB serial port found") && t.contains("--port PATH"),
        "{t}"
    );

    let (_, t) = refused(
        &[
            "validate",
            &kws(),
            "--board",
            "apollo4p-evb",
            "--transport",
            "serial",
            "--port",
            "1366:0105:000123",
        ],
        Duration::from_secs(10),
    );
    assert!(
        t.contains("no serial port matches --port 1366:0105:000123"),
        "{t}"
    );

    let (_, t) = refused(
        &[
            "validate",
            &kws(),
            "--board",
            "apollo4p-evb",
            "--port",
            "13x6:0105",
        ],
        Duration::from_secs(10),
    );
    assert!(t.contains("not a 16-bit hex"), "{t}");
}

#[test]
fn deploy_takes_the_board_link_flags() {
    // The same flags as validate, reaching the same checks: a real board's serial port by USB
    // ids, refused here in seconds since none is attached.
    let dir = tempfile::tempdir().unwrap();
    let (_, t) = refused(
        &[
            "deploy",
            &kws(),
            "--board",
            "apollo510-evb",
            "--out",
            dir.path().to_str().unwrap(),
            "--transport",
            "serial",
            "--port",
            "1366:0105",
            "--reload",
        ],
        Duration::from_secs(60),
    );
    assert!(t.contains("no serial port matches --port 1366:0105"), "{t}");
}

#[test]
fn deploy_over_rtt_on_qemu_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = autodeploy(
        &[
            "deploy",
            &kws(),
            "--out",
            dir.path().to_str().unwrap(),
            "--transport",
            "rtt",
            "--samples",
            "2",
            "--runs",
            "1",
            "--cache-dir",
            &cache(),
        ],
        Duration::from_secs(600),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("link: RTT over qemu-m4 gdbstub") && t.contains("validation: PASS (2 samples)"),
        "{t}"
    );
    assert!(dir.path().join("reports/report.json").is_file());
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
