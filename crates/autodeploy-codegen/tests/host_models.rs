//! Generated C, built for the host with AddressSanitizer and
//! UndefinedBehaviorSanitizer, computes exactly what the reference
//! interpreter computes on every supported shared model (50 seeded inputs;
//! float32 within 1e-5 relative or 1e-6 absolute); the int8 models also with
//! the Cortex-M4 kernel variants, whose plain C fallbacks the host runs (the
//! DSP paths run on QEMU in autodeploy-validate's qemu_models).

mod common;

use autodeploy_codegen::{generate, write_files, Core, GenerateOptions, KernelChoice};
use autodeploy_model::{InputGenerator, Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::compare::compare;
use autodeploy_testkit::models::{model_path, workspace_root, FLOAT_MODELS, INT8_MODELS};
use common::{build_host, run_with_stdin};

const SAMPLES: usize = 50;

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
    let exe = build_host(
        dir.path(),
        &workspace_root().join("firmware-templates/host/ad_host_runner.c"),
    );

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
    let input: Vec<u8> = samples
        .iter()
        .flatten()
        .flat_map(|v| v.bytes.iter().copied())
        .collect();
    let output = run_with_stdin(&exe, input);
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
