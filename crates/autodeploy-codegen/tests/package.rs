//! The library package of kws_ref_model builds with arm-none-eabi-gcc for a
//! Cortex-M4F through both its Makefile and its CMakeLists.txt with
//! `-Wall -Wextra -Werror`, and its example links; built for the host, the
//! example prints the same top index as the reference interpreter.

use std::path::Path;
use std::process::{Command, Output};

use autodeploy_codegen::package::{example_path, library_path};
use autodeploy_codegen::{generate, package, write_files, Core, GenerateOptions};
use autodeploy_model::{Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::models::model_path;

const MODEL: &str = "mlperf-tiny/kws_ref_model";

fn tool_exists(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn require(tool: &str, package: &str) {
    assert!(
        tool_exists(tool),
        "{tool} not found: apt-get install -y {package} (cargo xtask test installs it)"
    );
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Writes the kws package for `core` into a fresh directory.
fn packaged(core: Core) -> (tempfile::TempDir, Model) {
    let bytes = std::fs::read(model_path(MODEL)).unwrap();
    let model = Model::from_bytes(&bytes).unwrap();
    let generated = generate(
        &model,
        &bytes,
        &GenerateOptions::new("kws", "kws_ref_model.tflite"),
    )
    .unwrap();
    let files = package(&generated, core).unwrap();
    for path in ["Makefile", "CMakeLists.txt", "example/main.c", "README.md"] {
        assert!(files.iter().any(|f| f.path == path), "no {path}");
    }
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &files, false).unwrap();
    (dir, model)
}

fn check_elf(elf: &Path) {
    assert!(elf.is_file(), "no {}", elf.display());
    let size = run(Command::new("arm-none-eabi-size").arg(elf));
    let text = String::from_utf8_lossy(&size.stdout);
    assert!(text.contains("text"), "{text}");
}

#[test]
fn cortex_m4_package_builds_with_make() {
    require(
        "arm-none-eabi-gcc",
        "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    );
    require("make", "make");
    let (dir, _) = packaged(Core::CortexM4);
    let makefile = std::fs::read_to_string(dir.path().join("Makefile")).unwrap();
    for flag in [
        "-mcpu=cortex-m4",
        "-mfpu=fpv4-sp-d16",
        "-mfloat-abi=hard",
        "-Werror",
        "--specs=nosys.specs",
    ] {
        assert!(makefile.contains(flag), "Makefile lacks {flag}");
    }
    // CFLAGS and LDFLAGS from the environment add to the package's flags
    // (a stray CFLAGS must not drop -Werror or the core flags).
    run(Command::new("make")
        .args(["-j2"])
        .env("CFLAGS", "-g")
        .env("LDFLAGS", "-Wl,-Map=build/example.map")
        .current_dir(dir.path()));
    assert!(dir.path().join(library_path("kws")).is_file());
    assert!(dir.path().join("build/example.map").is_file());
    check_elf(&dir.path().join(example_path("kws", Core::CortexM4)));
    // The library holds Cortex-M4 hard-float objects.
    let attributes = run(Command::new("arm-none-eabi-readelf")
        .args(["-A"])
        .arg(dir.path().join("build/kws.o")));
    let attributes = String::from_utf8_lossy(&attributes.stdout);
    assert!(
        attributes.contains("Tag_CPU_name: \"7E-M\"") || attributes.contains("Cortex-M4"),
        "{attributes}"
    );
    assert!(
        attributes.contains("Tag_ABI_VFP_args: VFP registers"),
        "{attributes}"
    );
}

#[test]
fn cortex_m4_package_builds_with_cmake() {
    require(
        "arm-none-eabi-gcc",
        "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    );
    require("cmake", "cmake");
    let (dir, _) = packaged(Core::CortexM4);
    let build = dir.path().join("cmake-build");
    run(Command::new("cmake")
        .arg("-S")
        .arg(dir.path())
        .arg("-B")
        .arg(&build));
    run(Command::new("cmake")
        .arg("--build")
        .arg(&build)
        .args(["--parallel", "2"]));
    assert!(build.join(library_path("kws")).is_file());
    check_elf(&build.join("kws_example.elf"));
}

#[test]
fn host_example_prints_the_reference_top_index() {
    require("make", "make");
    let (dir, model) = packaged(Core::Host);
    run(Command::new("make").args(["-j2"]).current_dir(dir.path()));
    assert!(dir.path().join(library_path("kws")).is_file());
    let exe = dir.path().join(example_path("kws", Core::Host));
    let output = Command::new(&exe).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);

    let graph = model.main_graph();
    let mut interpreter = Interpreter::new(model.clone()).unwrap();
    for (i, &tensor) in graph.inputs.iter().enumerate() {
        // All-zero bytes, as the example writes.
        let zero = TensorValue::zeros_like(graph.tensor(tensor));
        assert!(zero.bytes.iter().all(|&b| b == 0));
        interpreter.set_input(i, zero).unwrap();
    }
    interpreter.invoke().unwrap();
    let out = &interpreter.outputs()[0];
    let values: Vec<i8> = out.bytes.iter().map(|&b| b as i8).collect();
    let top = values
        .iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > values[best] { i } else { best });
    assert_eq!(stdout.trim(), format!("kws: top index {top}"), "{stdout}");
    assert_eq!(output.status.code(), Some(top as i32));
}
