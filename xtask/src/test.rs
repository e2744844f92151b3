//! `cargo xtask test`: the whole test suite from a fresh machine. Installs
//! the system packages and the oracle venv the tests use, then runs every
//! test of the workspace.

use std::process::Command;

use crate::setup::{ensure_oracle_venv, ensure_packages, run, MAIN_PACKAGES, TEST_PACKAGES};
use crate::workspace_root;

pub fn run_tests(args: &[String]) -> Result<(), String> {
    ensure_packages(MAIN_PACKAGES)?;
    ensure_packages(TEST_PACKAGES)?;
    let python = ensure_oracle_venv()?;
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Committed generated files must match the schema.
    crate::schema::check_if_planus_available()?;
    run(Command::new(&cargo)
        .current_dir(&root)
        .env("AUTODEPLOY_ORACLE_PYTHON", &python)
        .args(["test", "--workspace", "--all-targets"])
        .args(args))?;
    // Doc tests are not part of --all-targets.
    run(Command::new(&cargo)
        .current_dir(&root)
        .args(["test", "--workspace", "--doc"]))
}
