//! Random one-operator models (`autodeploy_testkit::ops`, the generators of
//! the reference's TFLite Micro property tests) go through `generate`, are
//! built for the host with AddressSanitizer and UndefinedBehaviorSanitizer,
//! and must compute what the reference interpreter computes: bit-exact for
//! integer types, within 1e-5 relative or 1e-6 absolute for float32.
//!
//! At least [`MIN_COMPARED`] cases per operator and type must compare; an
//! operator and type with a C kernel that compares fewer fails the test.
//! Few C builds (`autodeploy_testkit::bundle`): every case's model is
//! generated under its own prefix (`m<k>`), the models are compiled as a few
//! unity translation units in parallel at -O0 with AddressSanitizer (the
//! kernels, compiled once, get -O1 and both sanitizers: see [`Flavour`]),
//! linked into one executable whose `main` runs every case on its samples.
//! `AD_OP_CODEGEN_CASES` overrides the cases generated per operator and type;
//! `AD_OP_CODEGEN_ONLY` keeps the labels containing one of its comma-separated parts.

#![allow(clippy::print_stdout)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use autodeploy_codegen::{generate, write_files, CodegenError, GenerateOptions};
use autodeploy_model::Model;
use autodeploy_reference::Interpreter;
use autodeploy_testkit::bundle::{self, Bundled, ModelSources, Outcome, Tally};
use autodeploy_testkit::ops::{self, Case};

const SAMPLES: usize = 2;
/// Cases that must compare per operator and type.
const MIN_COMPARED: usize = 100;
/// Cases generated per operator and type: a few spare for the ones the
/// reference refuses.
const GENERATED: usize = 104;

/// How a source is compiled: the kernels once, with both sanitizers and
/// -O1; the generated models (hundreds per unit) at -O0 with
/// AddressSanitizer only. Their globals (weights, tables, the static arena,
/// kept out of named sections by `AD_WEIGHTS_ATTR` / `AD_ARENA_ATTR`) get
/// red zones, so a kernel reading past a weight array or an arena is
/// caught; what they execute is straight-line calls with constant
/// arguments, and UndefinedBehaviorSanitizer there cost 60% more compile
/// time for no check a kernel does not already make.
#[derive(Clone, Copy)]
enum Flavour {
    Kernel,
    Models,
}

fn compile(
    out: &Path,
    sources: &[PathBuf],
    includes: &[PathBuf],
    flavour: Flavour,
    object_only: bool,
) {
    let mut cmd = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cmd.args([
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-ffp-contract=off",
    ]);
    cmd.args(match flavour {
        Flavour::Kernel => ["-O1", "-fsanitize=address,undefined"],
        Flavour::Models => ["-O0", "-fsanitize=address"],
    });
    // No named sections for weights and arenas: AddressSanitizer puts red
    // zones only around globals outside them.
    cmd.arg("-DAD_WEIGHTS_ATTR=__attribute__((aligned(16)))")
        .arg("-DAD_ARENA_ATTR=__attribute__((aligned(16)))");
    // The link always names both runtimes.
    if !object_only {
        cmd.arg("-fsanitize=address,undefined");
    }
    cmd.arg("-fno-sanitize-recover=all");
    for dir in includes {
        cmd.arg("-I").arg(dir);
    }
    if object_only {
        cmd.arg("-c");
    }
    cmd.args(sources).arg("-o").arg(out);
    if !object_only {
        cmd.arg("-lm");
    }
    let output = cmd.output().expect("run cc");
    assert!(
        output.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Generates the case's C (prefix `m<k>`) and runs the reference on its
/// samples.
fn prepare(k: usize, case: &Case) -> Result<Bundled, Outcome> {
    let model = Model::from_bytes(&case.model).expect("generated model parses");
    let Ok(mut interpreter) = Interpreter::new(model.clone()) else {
        return Err(Outcome::Refused);
    };
    let name = format!("m{k}");
    // The in-place emitter knows only some kernels to be safe element-wise
    // in place (emit/inplace.rs); for the others, plan without that scheme.
    let generated = match generate(&model, &case.model, &GenerateOptions::new(&name, &name))
        .or_else(|e| match e {
            CodegenError::NoKernels(_) => Err(e),
            _ => {
                let mut options = GenerateOptions::new(&name, &name);
                options.plan.elementwise_in_place = false;
                generate(&model, &case.model, &options)
            }
        }) {
        Ok(g) => g,
        Err(CodegenError::NoKernels(_)) => return Err(Outcome::NoKernel),
        Err(e) => panic!("{} {}: generate failed: {e}", case.label, case.desc),
    };
    let samples = case
        .samples
        .clone()
        .unwrap_or_else(|| bundle::default_samples(&model, 0x5EED ^ k as u64, SAMPLES));
    let mut expected = Vec::new();
    for sample in &samples {
        for (i, v) in sample.iter().enumerate() {
            interpreter.set_input(i, v.clone()).expect("set input");
        }
        if interpreter.invoke().is_err() {
            return Err(Outcome::Refused);
        }
        expected.push(interpreter.outputs());
    }
    let files = generated
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()));
    let sources = ModelSources::from_files(&name, files).expect("the model's four C files");
    Ok(Bundled {
        label: case.label.clone(),
        desc: case.desc.clone(),
        name,
        sources,
        arena_size: generated.plan.arena_size,
        samples,
        expected,
        tags: Vec::new(),
    })
}

/// Runs `jobs` on `threads` threads, each job once, results in order.
fn parallel<T: Send, R: Send>(jobs: Vec<T>, threads: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let mut slots: Vec<Option<T>> = jobs.into_iter().map(Some).collect();
    let per = slots.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = slots
            .chunks_mut(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter_mut()
                        .map(|j| f(j.take().expect("job")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

#[test]
fn random_single_operator_models_match_the_reference() {
    let per: usize = std::env::var("AD_OP_CODEGEN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(GENERATED);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let root_dir = tempfile::tempdir().expect("temp dir");
    let root = root_dir.path();
    // The runtime, once: every kernel.
    let runtime: Vec<_> = autodeploy_runtime::all_files()
        .into_iter()
        .map(|f| autodeploy_codegen::GeneratedFile {
            path: format!("runtime/{}", f.path),
            contents: f.contents.to_string(),
        })
        .collect();
    write_files(root, &runtime, false).expect("write runtime");
    // AD_OP_CODEGEN_ONLY: comma-separated substrings of the labels to keep
    // ("CONV_2D int16,SOFTMAX"), for working on one kernel family.
    let only: Vec<String> = std::env::var("AD_OP_CODEGEN_ONLY")
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let cases: Vec<Case> = ops::all(per)
        .into_iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| c.label.contains(o.as_str())))
        .collect();
    let jobs: Vec<(usize, &Case)> = cases.iter().enumerate().collect();
    let results = parallel(jobs, threads, |(k, case)| prepare(k, case));
    let mut tally = Tally::default();
    let mut prepared = Vec::new();
    for (case, result) in cases.iter().zip(results) {
        match result {
            Ok(p) => {
                tally.record(&case.label, Outcome::Compared);
                prepared.push(p);
            }
            Err(outcome) => tally.record(&case.label, outcome),
        }
    }
    let generated_at = started.elapsed();

    let include_dirs = vec![root.to_path_buf(), root.join("runtime/include")];
    let objects_dir = root.join("objects");
    std::fs::create_dir_all(&objects_dir).expect("objects dir");
    let mut sources: Vec<(PathBuf, Flavour)> = runtime
        .iter()
        .filter(|f| f.path.ends_with(".c"))
        .map(|f| (root.join(&f.path), Flavour::Kernel))
        .collect();
    let refs: Vec<&Bundled> = prepared.iter().collect();
    // Units of about 50 models: big enough to pay for the compiler's start,
    // small enough to share the work between the threads.
    let units =
        bundle::write_units(root, &refs, refs.len().div_ceil(50), false).expect("write units");
    sources.extend(units.iter().map(|u| (u.clone(), Flavour::Models)));
    let objects = parallel(sources, threads, |(src, flavour)| {
        let obj = objects_dir.join(format!(
            "{}.o",
            src.file_stem().expect("stem").to_string_lossy()
        ));
        let mut includes = include_dirs.clone();
        includes.push(src.parent().expect("parent").to_path_buf());
        compile(&obj, std::slice::from_ref(&src), &includes, flavour, true);
        obj
    });
    let main = root.join("main.c");
    std::fs::write(&main, bundle::host_main(&refs)).expect("write main.c");
    let mut link = vec![main];
    link.extend(objects);
    let exe = root.join("run");
    compile(&exe, &link, &include_dirs, Flavour::Models, false);
    let built_at = started.elapsed();

    let input = bundle::host_input(&refs);
    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start runner");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("runner output");
    writer.join().expect("writer");
    assert!(
        output.status.success(),
        "runner failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let failures = bundle::check_host_output(&refs, &output.stdout);
    for line in tally.lines() {
        println!("{line}");
    }
    drop(root_dir);
    println!(
        "{} cases: generated and run by the reference in {:.1} s, built in {:.1} s, run and cleaned up in {:.1} s",
        cases.len(),
        generated_at.as_secs_f64(),
        (built_at - generated_at).as_secs_f64(),
        (started.elapsed() - built_at).as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        bundle::failure_list(&failures, 20)
    );
    // A smaller AD_OP_CODEGEN_CASES lowers the bar in proportion.
    let min = MIN_COMPARED.min(per * MIN_COMPARED / GENERATED);
    let short = tally.short_of(min);
    assert!(
        short.is_empty(),
        "too few cases compared:\n{}",
        short.join("\n")
    );
}
