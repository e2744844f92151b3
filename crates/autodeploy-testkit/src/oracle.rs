//! The oracle: the real TensorFlow Lite Micro and LiteRT interpreters.
//!
//! One Python process runs a whole batch of cases (`oracle/oracle.py`);
//! inputs and outputs travel as .npy files in a temporary directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use autodeploy_model::{Model, TensorValue};

use crate::models::workspace_root;

/// Which interpreter to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpreter {
    /// TensorFlow Lite Micro's host build (PyPI `tflite-micro`): the truth
    /// for integer models.
    Tflm,
    /// LiteRT (PyPI `ai-edge-litert`) with its reference kernels
    /// (`OpResolverType.BUILTIN_REF`).
    LiteRt,
}

impl Interpreter {
    fn key(self) -> &'static str {
        match self {
            Interpreter::Tflm => "tflm",
            Interpreter::LiteRt => "litert",
        }
    }
}

/// One model with a sequence of input samples.
#[derive(Debug, Clone)]
pub struct Case {
    pub model: PathBuf,
    /// Samples in order; each holds one value per model input.
    pub samples: Vec<Vec<TensorValue>>,
    pub interpreters: Vec<Interpreter>,
    /// Tensor indices to read back after each sample (intermediates).
    pub tensors: Vec<usize>,
}

/// What one interpreter computed for one sample.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub outputs: Vec<TensorValue>,
    pub tensors: BTreeMap<usize, TensorValue>,
}

/// Results of one case: per interpreter, the samples or the error it raised.
#[derive(Debug, Clone, Default)]
pub struct CaseResult {
    pub runs: BTreeMap<&'static str, Result<Vec<Sample>, String>>,
}

impl CaseResult {
    pub fn get(&self, interpreter: Interpreter) -> &Result<Vec<Sample>, String> {
        static MISSING: Result<Vec<Sample>, String> = Err(String::new());
        self.runs.get(interpreter.key()).unwrap_or(&MISSING)
    }
}

/// The Python of the oracle venv. Panics with the command that creates it
/// when it is missing: oracle tests never skip.
pub fn python() -> PathBuf {
    let path = std::env::var_os("AUTODEPLOY_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/oracle-venv/bin/python"));
    assert!(
        path.is_file(),
        "the oracle venv is missing ({}); create it with `cargo xtask oracle-env` \
         (or run the whole suite with `cargo xtask test`)",
        path.display()
    );
    path
}

/// Runs every case in one Python process.
pub fn run(cases: &[Case]) -> Vec<CaseResult> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut manifest = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        let case_dir = dir.path().join(format!("case{c}"));
        std::fs::create_dir_all(&case_dir).expect("case directory");
        let samples: Vec<Vec<String>> = case
            .samples
            .iter()
            .enumerate()
            .map(|(k, inputs)| {
                inputs
                    .iter()
                    .enumerate()
                    .map(|(i, value)| {
                        let path = case_dir.join(format!("in_s{k}_{i}.npy"));
                        let file = std::fs::File::create(&path).expect("input file");
                        value
                            .write_npy(std::io::BufWriter::new(file))
                            .expect("write input");
                        path.to_string_lossy().into_owned()
                    })
                    .collect()
            })
            .collect();
        let model = Model::from_path(&case.model).ok();
        let outputs = model.as_ref().map_or(0, |m| m.main_graph().outputs.len());
        manifest.push(serde_json::json!({
            "model": case.model.to_string_lossy(),
            "samples": samples,
            "out_dir": case_dir.to_string_lossy(),
            "interpreters": case.interpreters.iter().map(|i| i.key()).collect::<Vec<_>>(),
            "tensors": case.tensors,
            "outputs": vec![0; outputs],
            "arena_size": model.as_ref().map_or(1 << 20, arena_size),
        }));
    }
    let manifest_path = dir.path().join("manifest.json");
    std::fs::write(
        &manifest_path,
        serde_json::to_vec(&serde_json::json!({ "cases": manifest })).expect("manifest"),
    )
    .expect("write manifest");
    let script = workspace_root().join("oracle/oracle.py");
    let status = Command::new(python())
        .arg(&script)
        .arg(&manifest_path)
        .status()
        .expect("run the oracle script");
    assert!(status.success(), "the oracle script failed: {status}");

    cases
        .iter()
        .enumerate()
        .map(|(c, case)| {
            let case_dir = dir.path().join(format!("case{c}"));
            let mut result = CaseResult::default();
            for &interpreter in &case.interpreters {
                let out = case_dir.join(interpreter.key());
                result
                    .runs
                    .insert(interpreter.key(), read_samples(&out, case));
            }
            result
        })
        .collect()
}

/// An arena comfortably larger than any plan (TensorFlow Lite Micro can
/// crash the whole process on a too-small arena).
fn arena_size(model: &Model) -> usize {
    let tensors: usize = model
        .main_graph()
        .tensors
        .iter()
        .map(|t| t.byte_size())
        .sum();
    tensors * 2 + (256 << 10)
}

fn read_samples(dir: &Path, case: &Case) -> Result<Vec<Sample>, String> {
    if let Ok(error) = std::fs::read_to_string(dir.join("error.txt")) {
        return Err(error);
    }
    let read = |name: String| -> Result<TensorValue, String> {
        let path = dir.join(&name);
        let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        TensorValue::read_npy(std::io::BufReader::new(file)).map_err(|e| format!("{name}: {e}"))
    };
    (0..case.samples.len())
        .map(|k| {
            let mut sample = Sample::default();
            let mut i = 0;
            while dir.join(format!("s{k}_out{i}.npy")).is_file() {
                sample.outputs.push(read(format!("s{k}_out{i}.npy"))?);
                i += 1;
            }
            for &t in &case.tensors {
                sample.tensors.insert(t, read(format!("s{k}_t{t}.npy"))?);
            }
            Ok(sample)
        })
        .collect()
}
