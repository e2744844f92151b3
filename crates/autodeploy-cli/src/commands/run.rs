//! `autodeploy run MODEL [--input FILE ...| --random --seed N] [--output DIR] [--dump-layers DIR]`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use autodeploy_model::{InputGenerator, Model, Tensor, TensorValue};
use autodeploy_reference::Interpreter;

use crate::format::shape;
use crate::output::OutputDir;
use crate::ExitStatus;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The .tflite model file.
    pub model: PathBuf,
    /// One file per model input, in order: .npy, or raw little-endian .bin
    /// (its shape is taken from the model).
    #[arg(long = "input", value_name = "FILE", conflicts_with = "random")]
    pub inputs: Vec<PathBuf>,
    /// Use seeded pseudo-random inputs (reproducible across versions).
    #[arg(long)]
    pub random: bool,
    /// Seed for --random.
    #[arg(long, default_value_t = 0, requires = "random")]
    pub seed: u64,
    /// Where to write output_<i>.npy (and input_<i>.npy).
    #[arg(long, default_value = "run-output")]
    pub output: PathBuf,
    /// Also write every layer's outputs here, as layer<NNN>_<OP>_out<j>.npy.
    #[arg(long, value_name = "DIR")]
    pub dump_layers: Option<PathBuf>,
    /// Overwrite files that already exist in the output directories.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let model = Model::from_path(&args.model)
        .with_context(|| format!("cannot load '{}'", args.model.display()))?;
    let graph = model.main_graph();
    let input_tensors: Vec<&Tensor> = graph.inputs.iter().map(|&i| graph.tensor(i)).collect();
    let inputs = if args.random {
        let mut generator = InputGenerator::new(args.seed);
        input_tensors
            .iter()
            .map(|t| {
                generator
                    .value_for(t)
                    .with_context(|| format!("cannot make random values of type {}", t.dtype))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    } else {
        if args.inputs.len() != input_tensors.len() {
            bail!(
                "the model has {} input(s) ({}); give one --input file each, or --random",
                input_tensors.len(),
                input_tensors
                    .iter()
                    .map(|t| format!("'{}' {} {}", t.name, t.dtype, shape(&t.shape)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        args.inputs
            .iter()
            .zip(&input_tensors)
            .map(|(path, tensor)| read_input(path, tensor))
            .collect::<anyhow::Result<Vec<_>>>()?
    };

    let out = OutputDir::create(&args.output, args.force)?;
    let dump = args
        .dump_layers
        .as_deref()
        .map(|d| OutputDir::create(d, args.force))
        .transpose()?;
    let output_names: Vec<String> = (0..graph.outputs.len())
        .map(|i| format!("output_{i}.npy"))
        .chain((0..inputs.len()).map(|i| format!("input_{i}.npy")))
        .collect();
    out.check_free(&output_names)?;
    let layer_names: Vec<(usize, usize, String)> = graph
        .operators
        .iter()
        .flat_map(|op| {
            op.outputs.iter().enumerate().map(move |(j, &t)| {
                (
                    t,
                    op.index,
                    format!("layer{:03}_{}_out{j}.npy", op.index, op.name()),
                )
            })
        })
        .collect();
    if let Some(dump) = &dump {
        dump.check_free(
            &layer_names
                .iter()
                .map(|(_, _, n)| n.clone())
                .collect::<Vec<_>>(),
        )?;
    }

    let mut interpreter = Interpreter::new(model.clone())?;
    for (i, value) in inputs.iter().enumerate() {
        interpreter.set_input(i, value.clone())?;
    }
    interpreter.invoke()?;

    for (i, value) in inputs.iter().enumerate() {
        out.write_npy(&format!("input_{i}.npy"), value)?;
    }
    for (i, value) in interpreter.outputs().iter().enumerate() {
        let path = out.write_npy(&format!("output_{i}.npy"), value)?;
        let tensor = graph.tensor(graph.outputs[i]);
        println!(
            "output {i} '{}' {} {}: {}  -> {}",
            tensor.name,
            value.dtype,
            shape(&value.shape),
            preview(value),
            path.display()
        );
    }
    if let Some(dump) = &dump {
        for (tensor, _, name) in &layer_names {
            if let Some(value) = interpreter.tensor(*tensor) {
                dump.write_npy(name, &value)?;
            }
        }
        println!(
            "{} layer outputs written to {}",
            layer_names.len(),
            dump.path().display()
        );
    }
    Ok(ExitStatus::Success)
}

fn read_input(path: &Path, tensor: &Tensor) -> anyhow::Result<TensorValue> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read input '{}'", path.display()))?;
    let value = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        TensorValue::read_npy(bytes.as_slice())
            .with_context(|| format!("'{}' is not a readable .npy file", path.display()))?
    } else {
        if bytes.len() != tensor.byte_size() {
            bail!(
                "'{}' has {} bytes; input '{}' ({} {}) needs {}",
                path.display(),
                bytes.len(),
                tensor.name,
                tensor.dtype,
                shape(&tensor.shape),
                tensor.byte_size()
            );
        }
        TensorValue {
            dtype: tensor.dtype,
            shape: tensor.shape.clone(),
            bytes,
        }
    };
    value
        .conform_to(tensor)
        .with_context(|| format!("input '{}' does not fit the model", path.display()))
}

/// The first values, and the index of the largest for classifier outputs.
fn preview(value: &TensorValue) -> String {
    let Some(values) = value.to_f64() else {
        return String::new();
    };
    let head: Vec<String> = values.iter().take(8).map(|v| format!("{v}")).collect();
    let more = if values.len() > 8 { ", ..." } else { "" };
    let top = values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| format!(" (max at {i})"))
        .unwrap_or_default();
    format!("[{}{more}]{top}", head.join(", "))
}
