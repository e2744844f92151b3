//! The embedded file list is complete, every kernel is declared and defined, and
//! every runtime source compiles warning-free (`-Werror`) with the host gcc and
//! clang in strict C99 and with arm-none-eabi-gcc for a Cortex-M4.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use autodeploy_runtime::{all_files, headers, sources_for, Kernel};
use common::runtime_dir;

fn files_on_disk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("read runtime dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files_on_disk(&path, root, out);
        } else {
            let rel = path.strip_prefix(root).expect("under root");
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(rel.join("/"));
        }
    }
}

#[test]
fn every_runtime_file_is_embedded() {
    let root = runtime_dir();
    let mut on_disk = BTreeSet::new();
    files_on_disk(&root, &root, &mut on_disk);
    let embedded: BTreeSet<String> = all_files().iter().map(|f| f.path.to_string()).collect();
    let forgotten: Vec<_> = on_disk.difference(&embedded).collect();
    assert!(
        forgotten.is_empty(),
        "files not listed in autodeploy-runtime: {forgotten:?}"
    );
    let missing: Vec<_> = embedded.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "listed files that do not exist: {missing:?}"
    );
    for f in all_files() {
        let text = std::fs::read_to_string(root.join(f.path)).expect("read file");
        assert_eq!(text, f.contents, "{} is stale", f.path);
    }
}

#[test]
fn every_kernel_is_declared_and_defined() {
    let api = headers()
        .iter()
        .find(|f| f.path == "include/ad_runtime.h")
        .expect("ad_runtime.h")
        .contents;
    for &k in Kernel::ALL {
        let name = k.c_name();
        assert!(
            api.contains(&format!("ad_status {name}(")),
            "{name} not declared in ad_runtime.h"
        );
        let sources = sources_for(k);
        let c = sources
            .iter()
            .find(|f| f.path.ends_with(&format!("/{name}.c")))
            .unwrap_or_else(|| panic!("{name}: no {name}.c"));
        assert!(
            c.contents.contains(&format!("ad_status {name}(")),
            "{name} not defined in {}",
            c.path
        );
    }
}

fn tool_exists(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Compiles every runtime source with `tool args -c` in a scratch directory.
fn compile_all(tool: &str, args: &[&str]) {
    let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "runtime-{}-{}",
        tool,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let output = Command::new(tool)
        .current_dir(&dir)
        .args(args)
        .arg("-I")
        .arg(runtime_dir().join("include"))
        .arg("-c")
        .args(common::runtime_sources())
        .output()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(
        output.status.success(),
        "{tool} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const STRICT: &[&str] = &[
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-O2",
];

#[test]
fn compiles_strict_c99_with_gcc() {
    assert!(tool_exists("gcc"), "gcc not found");
    compile_all("gcc", STRICT);
}

#[test]
#[allow(clippy::print_stderr)]
fn compiles_strict_c99_with_clang() {
    if !tool_exists("clang") {
        eprintln!("clang not found (apt-get install -y clang); skipping");
        return;
    }
    compile_all("clang", STRICT);
}

#[test]
fn compiles_for_cortex_m4() {
    assert!(
        tool_exists("arm-none-eabi-gcc"),
        "arm-none-eabi-gcc not found (install the Arm GNU toolchain)"
    );
    compile_all(
        "arm-none-eabi-gcc",
        &[
            "-mcpu=cortex-m4",
            "-mfpu=fpv4-sp-d16",
            "-mfloat-abi=hard",
            "-mthumb",
            "-O2",
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
        ],
    );
}
