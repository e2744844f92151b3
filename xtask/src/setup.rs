//! Installing what the project needs on a fresh Debian machine: system
//! packages through apt, and the test-only Python venv with the oracle
//! interpreters (TFLite Micro and LiteRT from PyPI, pinned).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// Debian packages and a command each provides (to tell if it is there).
pub const MAIN_PACKAGES: &[(&str, &str)] = &[
    ("gcc-arm-none-eabi", "arm-none-eabi-gcc"),
    ("libnewlib-arm-none-eabi", ""),
    ("qemu-system-arm", "qemu-system-arm"),
    ("make", "make"),
];

/// What the test suite needs beyond the main job.
pub const TEST_PACKAGES: &[(&str, &str)] = &[
    ("clang", "clang"),
    ("socat", "socat"),
    ("python3-venv", ""),
    ("cmake", "cmake"),
    // The headless browser test of autodeploy-profile's report.html.
    ("chromium", "chromium"),
    // Speaks the wake words for the streaming models' spoken-word tests.
    ("espeak-ng", "espeak-ng"),
];

/// The oracle interpreters' pinned versions, one requirement a line.
const ORACLE_REQUIREMENTS: &str = "oracle/requirements.txt";

pub fn oracle_venv() -> PathBuf {
    workspace_root().join("target/oracle-venv")
}

/// Installs the missing packages (needs root; otherwise says what to run).
pub fn ensure_packages(packages: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(package, command)| !is_installed(package, command))
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        return Err(format!(
            "missing system packages; install them with: sudo apt-get install -y {list}"
        ));
    }
    println!("installing system packages: {list}");
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq"])
        .args(&missing))
}

fn is_installed(package: &str, command: &str) -> bool {
    if !command.is_empty() {
        return which(command);
    }
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub fn which(command: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(command).is_file()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Creates (or completes) the oracle venv; a no-op when it is up to date.
pub fn ensure_oracle_venv() -> Result<PathBuf, String> {
    let venv = oracle_venv();
    let python = venv.join("bin/python");
    let stamp = venv.join("autodeploy-requirements.txt");
    let requirements = workspace_root().join(ORACLE_REQUIREMENTS);
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    if python.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
    {
        return Ok(python);
    }
    println!("creating the oracle venv in {}", venv.display());
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    check_oracle(&python)?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(python)
}

fn check_oracle(python: &Path) -> Result<(), String> {
    run(Command::new(python).args([
        "-c",
        "from tflite_micro.python.tflite_micro import runtime; \
         from ai_edge_litert.interpreter import Interpreter, OpResolverType",
    ]))
}

pub fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

/// Builds the `autodeploy` binary (debug) and returns its path.
pub fn build_cli(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "-p",
            "autodeploy-cli",
            "--bin",
            "autodeploy",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cannot build the autodeploy binary".into());
    }
    Ok(root.join("target/debug/autodeploy"))
}
