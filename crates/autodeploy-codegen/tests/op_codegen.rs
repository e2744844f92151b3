//! Random one-operator models (`autodeploy_testkit::ops`, the generators of
//! the reference's TFLite Micro property tests) go through `generate`, are
//! built for the host with AddressSanitizer and UndefinedBehaviorSanitizer,
//! and must compute what the reference interpreter computes: bit-exact for
//! integer types, within 1e-5 relative or 1e-6 absolute for float32.
//!
//! Few C builds: every case's model is generated under its own name
//! (`m<k>`) into its own directory, the runtime is written and compiled once
//! (all kernels), and the cases are split into two executables (one per
//! core) whose `main` runs every case on its samples and prints the outputs.
//! `AD_OP_CODEGEN_CASES` sets the cases per operator and type (default 10:
//! 100 takes over ten minutes on two cores, one C file per model being the cost);
//! `AD_OP_CODEGEN_ONLY` keeps the cases whose label contains one of its
//! comma-separated parts.

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use autodeploy_codegen::{generate, write_files, CodegenError, GenerateOptions};
use autodeploy_model::{InputGenerator, Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::compare::compare;
use autodeploy_testkit::ops::{self, Case};

const SAMPLES: usize = 2;

struct Prepared {
    label: String,
    desc: String,
    name: String,
    samples: Vec<Vec<TensorValue>>,
    expected: Vec<Vec<TensorValue>>,
    input_bytes: Vec<usize>,
    output_bytes: Vec<usize>,
}

#[derive(Default)]
struct Summary {
    compared: usize,
    no_kernel: usize,
    refused: usize,
}

fn compile(out: &Path, sources: &[PathBuf], includes: &[PathBuf], object_only: bool) {
    let mut cmd = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cmd.args([
        "-std=c99",
        "-O1",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-ffp-contract=off",
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
    ]);
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

/// Generates the case (None when the reference refuses it, Err(label) when
/// no C kernel exists for it).
fn prepare(k: usize, case: &Case, root: &Path) -> Result<Option<Prepared>, ()> {
    let model = Model::from_bytes(&case.model).expect("generated model parses");
    let Ok(mut interpreter) = Interpreter::new(model.clone()) else {
        return Ok(None);
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
        Err(CodegenError::NoKernels(_)) => return Err(()),
        Err(e) => panic!("{} {}: generate failed: {e}", case.label, case.desc),
    };
    let dir = root.join(&name);
    let files: Vec<_> = generated
        .files
        .iter()
        .filter(|f| !f.path.starts_with("runtime/"))
        .cloned()
        .collect();
    write_files(&dir, &files, false).expect("write generated files");
    let graph = model.main_graph();
    let samples = case.samples.clone().unwrap_or_else(|| {
        let mut generator = InputGenerator::new(0x5EED ^ k as u64);
        (0..SAMPLES)
            .map(|_| {
                graph
                    .inputs
                    .iter()
                    .map(|&i| generator.value_for(graph.tensor(i)).expect("input type"))
                    .collect()
            })
            .collect()
    });
    let mut expected = Vec::new();
    for sample in &samples {
        for (i, v) in sample.iter().enumerate() {
            interpreter.set_input(i, v.clone()).expect("set input");
        }
        if interpreter.invoke().is_err() {
            return Ok(None);
        }
        expected.push(interpreter.outputs());
    }
    Ok(Some(Prepared {
        label: case.label.clone(),
        desc: case.desc.clone(),
        name,
        samples,
        expected,
        input_bytes: graph
            .inputs
            .iter()
            .map(|&i| graph.tensor(i).byte_size())
            .collect(),
        output_bytes: graph
            .outputs
            .iter()
            .map(|&i| graph.tensor(i).byte_size())
            .collect(),
    }))
}

/// The `main` of one executable: every case, every sample, in order.
fn main_c(cases: &[&Prepared]) -> String {
    let mut c = String::from("#include <stdio.h>\n#include <stdint.h>\n");
    for p in cases {
        let _ = writeln!(c, "#include \"{0}/{0}.h\"", p.name);
    }
    c.push_str("\nstatic int run_case(int (*init)(void), int (*invoke)(void), void *(*in)(size_t), void *(*out)(size_t), const size_t *ib, size_t ni, const size_t *ob, size_t no, int samples)\n{\n    int s; size_t i; int32_t st;\n    if (init() != 0) return 0;\n    for (s = 0; s < samples; s++) {\n        for (i = 0; i < ni; i++) if (fread(in(i), 1, ib[i], stdin) != ib[i]) return 0;\n        st = invoke();\n        fwrite(&st, sizeof st, 1, stdout);\n        if (st == 0) for (i = 0; i < no; i++) fwrite(out(i), 1, ob[i], stdout);\n    }\n    return 1;\n}\n\n");
    for p in cases {
        let n = &p.name;
        let list = |v: &[usize]| {
            if v.is_empty() {
                "0".to_string()
            } else {
                v.iter()
                    .map(|b| format!("{b}u"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let _ = writeln!(
            c,
            "static int {n}_init0(void) {{ return (int){n}_init(NULL, 0); }}\nstatic int {n}_invoke0(void) {{ return (int){n}_invoke(); }}\nstatic const size_t {n}_ib[] = {{{}}};\nstatic const size_t {n}_ob[] = {{{}}};",
            list(&p.input_bytes),
            list(&p.output_bytes)
        );
    }
    c.push_str("\nint main(void)\n{\n");
    for p in cases {
        let n = &p.name;
        let _ = writeln!(
            c,
            "    if (!run_case({n}_init0, {n}_invoke0, {n}_input, {n}_output, {n}_ib, {}u, {n}_ob, {}u, {})) return 2;",
            p.input_bytes.len(),
            p.output_bytes.len(),
            p.samples.len()
        );
    }
    c.push_str("    fflush(stdout);\n    return 0;\n}\n");
    c
}

fn run_group(
    root: &Path,
    group: usize,
    cases: &[&Prepared],
    runtime_objects: &[PathBuf],
) -> Vec<String> {
    let dir = root.join(format!("group{group}"));
    std::fs::create_dir_all(&dir).expect("group dir");
    let main = dir.join("main.c");
    std::fs::write(&main, main_c(cases)).expect("write main.c");
    let mut sources = vec![main];
    for p in cases {
        sources.push(root.join(&p.name).join(format!("{}.c", p.name)));
        sources.push(root.join(&p.name).join(format!("{}_weights.c", p.name)));
    }
    sources.extend(runtime_objects.iter().cloned());
    let exe = dir.join("run");
    let mut includes: Vec<PathBuf> = vec![root.to_path_buf(), root.join("runtime/include")];
    includes.extend(cases.iter().map(|p| root.join(&p.name)));
    compile(&exe, &sources, &includes, false);
    let input: Vec<u8> = cases
        .iter()
        .flat_map(|p| p.samples.iter().flatten().flat_map(|v| v.bytes.clone()))
        .collect();
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
        "group {group}: runner failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let data = output.stdout;
    let mut pos = 0;
    let mut failures = Vec::new();
    for p in cases {
        for (s, expected) in p.expected.iter().enumerate() {
            let status = i32::from_ne_bytes(data[pos..pos + 4].try_into().expect("4 bytes"));
            pos += 4;
            if status != 0 {
                failures.push(format!(
                    "{} {} sample {s}: C status {status}",
                    p.label, p.desc
                ));
                continue;
            }
            for (o, want) in expected.iter().enumerate() {
                let len = p.output_bytes[o];
                let ours = TensorValue {
                    bytes: data[pos..pos + len].to_vec(),
                    ..want.clone()
                };
                pos += len;
                if let Err(e) = compare(&ours, want) {
                    failures.push(format!("{} {} sample {s} output {o}: {e}", p.label, p.desc));
                }
            }
        }
    }
    assert_eq!(pos, data.len(), "group {group}: trailing output");
    failures
}

#[test]
fn random_single_operator_models_match_the_reference() {
    let per: usize = std::env::var("AD_OP_CODEGEN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    // The runtime, once: every kernel, compiled to objects in one call.
    let runtime: Vec<_> = autodeploy_runtime::all_files()
        .into_iter()
        .map(|f| autodeploy_codegen::GeneratedFile {
            path: format!("runtime/{}", f.path),
            contents: f.contents.to_string(),
        })
        .collect();
    write_files(root, &runtime, false).expect("write runtime");
    // AD_OP_CODEGEN_ONLY="CONV_2D int16,SOFTMAX int16": only the cases whose
    // label contains one of the comma-separated parts.
    let only = std::env::var("AD_OP_CODEGEN_ONLY").unwrap_or_default();
    let cases: Vec<Case> = ops::all(per)
        .into_iter()
        .filter(|c| only.is_empty() || only.split(',').any(|p| c.label.contains(p.trim())))
        .collect();
    let mut summaries: BTreeMap<String, Summary> = BTreeMap::new();
    let mut prepared = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        let s = summaries.entry(case.label.clone()).or_default();
        match prepare(k, case, root) {
            Ok(Some(p)) => {
                s.compared += 1;
                prepared.push(p);
            }
            Ok(None) => s.refused += 1,
            Err(()) => s.no_kernel += 1,
        }
    }
    let objects_dir = root.join("objects");
    std::fs::create_dir_all(&objects_dir).expect("objects dir");
    let runtime_sources: Vec<PathBuf> = runtime
        .iter()
        .filter(|f| f.path.ends_with(".c"))
        .map(|f| root.join(&f.path))
        .collect();
    let objects: Vec<PathBuf> = std::thread::scope(|scope| {
        let handles: Vec<_> = runtime_sources
            .chunks(runtime_sources.len().div_ceil(2).max(1))
            .map(|chunk| {
                let objects_dir = &objects_dir;
                let root = &root;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|src| {
                            let obj = objects_dir.join(format!(
                                "{}.o",
                                src.file_stem().expect("stem").to_string_lossy()
                            ));
                            let mut includes = vec![root.join("runtime/include")];
                            includes.push(src.parent().expect("parent").to_path_buf());
                            compile(&obj, std::slice::from_ref(src), &includes, true);
                            obj
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("compile thread"))
            .collect()
    });
    let refs: Vec<&Prepared> = prepared.iter().collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = refs
            .chunks(refs.len().div_ceil(2).max(1))
            .enumerate()
            .map(|(g, chunk)| {
                let objects = &objects;
                scope.spawn(move || run_group(root, g, chunk, objects))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("group thread"))
            .collect()
    });
    for (label, s) in &summaries {
        println!(
            "{label:<32} compared {:>4}  no C kernel {:>4}  refused by the reference {:>4}",
            s.compared, s.no_kernel, s.refused
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
