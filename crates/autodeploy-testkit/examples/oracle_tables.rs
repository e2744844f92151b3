//! Measures TensorFlow Lite's int16 sigmoid table through TensorFlow Lite
//! Micro and writes the committed Rust and C copies, for
//! `cargo xtask oracle-tables [--check]` (`--check` compares instead).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

use autodeploy_testkit::models::workspace_root;
use autodeploy_testkit::sigmoid_table::{
    measure, oracle_version, render_c, render_rust, C_FILE, RUST_FILE,
};

fn main() {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let table = match measure() {
        Ok(table) => table,
        Err(e) => {
            eprintln!("cannot measure the sigmoid table: {e}");
            std::process::exit(2);
        }
    };
    let version = oracle_version();
    let root = workspace_root();
    let mut stale = Vec::new();
    for (file, text) in [
        (RUST_FILE, render_rust(&table, &version)),
        (C_FILE, render_c(&table, &version)),
    ] {
        let path = root.join(file);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(file);
            }
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(2);
        } else {
            println!("wrote {file}");
        }
    }
    if !stale.is_empty() {
        eprintln!(
            "differs from TensorFlow Lite Micro's measured table: {}; run `cargo xtask oracle-tables`",
            stale.join(", ")
        );
        std::process::exit(1);
    }
    if check {
        println!("the committed sigmoid tables match TensorFlow Lite Micro ({version})");
    }
}
