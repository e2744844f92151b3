//! Generated C, built for the host with AddressSanitizer and
//! UndefinedBehaviorSanitizer, computes exactly what the reference
//! interpreter computes on every supported shared model (50 seeded inputs;
//! float32 within 1e-5 relative or 1e-6 absolute); the int8 models also with
//! the Cortex-M4 kernel variants, whose plain C fallbacks the host runs (the
//! DSP paths run on QEMU in autodeploy-validate's qemu_models).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use autodeploy_codegen::{generate, write_files, Core, GenerateOptions, KernelChoice};
use autodeploy_model::{InputGenerator, Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::compare::compare;
use autodeploy_testkit::models::{model_path, workspace_root, FLOAT_MODELS, INT8_MODELS};

const SAMPLES: usize = 50;

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

/// Builds the generated model with the host runner; returns the executable.
fn build_host(dir: &Path) -> PathBuf {
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
        .arg(workspace_root().join("firmware-templates/host/ad_host_runner.c"))
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

fn check_model(name: &str, kernels: KernelChoice) {
    let path = model_path(name);
    let bytes = std::fs::read(&path).unwrap();
    let model = Model::from_bytes(&bytes).unwrap();
    let stem = name.rsplit('/').next().unwrap();
    let mut options = GenerateOptions::new(stem, stem);
    options.kernels = kernels;
    let generated = generate(&model, &bytes, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &generated.files, false).unwrap();
    let exe = build_host(dir.path());

    let graph = model.main_graph();
    let mut generator = InputGenerator::new(0xC0DE);
    let samples: Vec<Vec<TensorValue>> = (0..SAMPLES)
        .map(|_| {
            graph
                .inputs
                .iter()
                .map(|&i| generator.value_for(graph.tensor(i)).unwrap())
                .collect()
        })
        .collect();
    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Feed stdin from another thread: outputs can fill the stdout pipe
    // before all inputs are written.
    let mut stdin = child.stdin.take().unwrap();
    let input: Vec<u8> = samples
        .iter()
        .flatten()
        .flat_map(|v| v.bytes.iter().copied())
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "{name}: runner failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut interpreter = Interpreter::new(model.clone()).unwrap();
    let mut offset = 0;
    for (k, sample) in samples.iter().enumerate() {
        for (i, value) in sample.iter().enumerate() {
            interpreter.set_input(i, value.clone()).unwrap();
        }
        interpreter.invoke().unwrap();
        for (o, expected) in interpreter.outputs().into_iter().enumerate() {
            let len = expected.bytes.len();
            let ours = TensorValue {
                bytes: output.stdout[offset..offset + len].to_vec(),
                ..expected.clone()
            };
            offset += len;
            if let Err(e) = compare(&ours, &expected) {
                panic!(
                    "{name}: sample {k} output {o}: generated C differs from the reference: {e}"
                );
            }
        }
    }
    assert_eq!(offset, output.stdout.len(), "{name}: extra output bytes");
}

#[test]
fn int8_models_match_the_reference_bit_exactly() {
    for name in INT8_MODELS {
        check_model(name, KernelChoice::Portable);
    }
}

#[test]
fn int8_models_match_the_reference_with_the_cortex_m4_variants_in_plain_c() {
    for name in INT8_MODELS {
        check_model(name, KernelChoice::Optimized(Core::CortexM4));
    }
}

#[test]
fn float_models_match_the_reference() {
    for name in FLOAT_MODELS {
        check_model(name, KernelChoice::Portable);
    }
}
