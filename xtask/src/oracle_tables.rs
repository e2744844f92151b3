//! `cargo xtask oracle-tables [--check]`: measure TensorFlow Lite's int16
//! sigmoid table through TensorFlow Lite Micro (the oracle venv) and write
//! its committed copies (`--check` re-measures and compares).
//!
//! The logic lives in `autodeploy-testkit` (`sigmoid_table`, run by its
//! `oracle_tables` example), next to the oracle runner it uses.

use std::process::Command;

use crate::workspace_root;

pub fn run(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask oracle-tables [--check]".into()),
    };
    let python = crate::setup::ensure_oracle_venv()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .env("AUTODEPLOY_ORACLE_PYTHON", &python)
        .args(["run", "--quiet", "-p", "autodeploy-testkit"])
        .args(["--example", "oracle_tables", "--"]);
    if check {
        command.arg("--check");
    }
    crate::setup::run(&mut command).map_err(|e| {
        if check {
            format!("the committed sigmoid tables are stale (see above): {e}")
        } else {
            format!("measuring the sigmoid table failed: {e}")
        }
    })
}
