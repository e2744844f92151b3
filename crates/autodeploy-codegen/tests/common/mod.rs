//! Test support: building generated C for the host.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn c_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            c_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "c") {
            out.push(path);
        }
    }
}

/// Builds the generated model in `dir` with the host `runner` (a C file with
/// `main`), under AddressSanitizer and UndefinedBehaviorSanitizer; returns
/// the executable.
pub fn build_host(dir: &Path, runner: &Path) -> PathBuf {
    let mut sources = Vec::new();
    c_files(dir, &mut sources);
    sources.sort();
    let exe = dir.join("runner");
    let output = Command::new("cc")
        .args([
            "-std=c99",
            "-O1",
            "-g",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-ffp-contract=off",
        ])
        .args(["-fsanitize=address,undefined", "-fno-sanitize-recover=all"])
        .arg("-I")
        .arg(dir)
        .arg("-I")
        .arg(dir.join("runtime/include"))
        .args(&sources)
        .arg(runner)
        .arg("-o")
        .arg(&exe)
        .arg("-lm")
        .output()
        .expect("run cc");
    assert!(
        output.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

/// Runs `exe` with `input` on its stdin and returns what it printed. Stdin
/// is fed from another thread: outputs can fill the stdout pipe before all
/// inputs are written.
pub fn run_with_stdin(exe: &Path, input: Vec<u8>) -> Output {
    let mut child = Command::new(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}
