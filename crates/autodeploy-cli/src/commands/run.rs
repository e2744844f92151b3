//! `autodeploy run MODEL [--input FILE ...| --random --seed N [--steps N]] [--output DIR] [--dump-layers DIR]`.
//!
//! A sequence of frames (for streaming models that keep state) runs through
//! one interpreter in order: `--steps N` random frames, several `--input`
//! files for a one-input model, or one stacked .npy of shape `[N, ...input]`.
//! Then each `output_<i>.npy` (and `input_<i>.npy`) holds all N steps,
//! stacked the same way (see docs/reference.md).

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
    /// With --random: run this many consecutive frames through one
    /// interpreter (state carries over) and write every step's outputs.
    #[arg(long, default_value_t = 1, requires = "random")]
    pub steps: usize,
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
    let frames = if args.random {
        if args.steps == 0 {
            bail!("--steps must be at least 1");
        }
        let mut generator = InputGenerator::new(args.seed);
        (0..args.steps)
            .map(|_| {
                input_tensors
                    .iter()
                    .map(|t| {
                        generator.value_for(t).with_context(|| {
                            format!("cannot make random values of type {}", t.dtype)
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    } else {
        let several_frames = input_tensors.len() == 1 && args.inputs.len() > 1;
        if args.inputs.len() != input_tensors.len() && !several_frames {
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
        if several_frames {
            args.inputs
                .iter()
                .map(|path| Ok(vec![read_input(path, input_tensors[0])?]))
                .collect::<anyhow::Result<Vec<_>>>()?
        } else {
            let per_input = args
                .inputs
                .iter()
                .zip(&input_tensors)
                .map(|(path, tensor)| read_frames(path, tensor))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let steps = per_input[0].len();
            if per_input.iter().any(|f| f.len() != steps) {
                bail!("the --input files hold different numbers of frames");
            }
            (0..steps)
                .map(|k| per_input.iter().map(|f| f[k].clone()).collect())
                .collect()
        }
    };
    let steps = frames.len();
    if steps == 0 {
        bail!("the --input files hold no frame");
    }

    let out = OutputDir::create(&args.output, args.force)?;
    let dump = args
        .dump_layers
        .as_deref()
        .map(|d| OutputDir::create(d, args.force))
        .transpose()?;
    let output_names: Vec<String> = (0..graph.outputs.len())
        .map(|i| format!("output_{i}.npy"))
        .chain((0..input_tensors.len()).map(|i| format!("input_{i}.npy")))
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
    let mut outputs: Vec<Vec<TensorValue>> = Vec::with_capacity(steps);
    for inputs in &frames {
        for (i, value) in inputs.iter().enumerate() {
            interpreter.set_input(i, value.clone())?;
        }
        interpreter.invoke()?;
        outputs.push(interpreter.outputs());
    }

    for i in 0..input_tensors.len() {
        let value = stacked(frames.iter().map(|f| &f[i]), steps);
        out.write_npy(&format!("input_{i}.npy"), &value)?;
    }
    let last = outputs.last().cloned().unwrap_or_default();
    for (i, value) in last.iter().enumerate() {
        let all = stacked(outputs.iter().map(|o| &o[i]), steps);
        let path = out.write_npy(&format!("output_{i}.npy"), &all)?;
        let tensor = graph.tensor(graph.outputs[i]);
        let when = if steps > 1 {
            format!(" (step {} of {steps}; all steps stacked)", steps - 1)
        } else {
            String::new()
        };
        println!(
            "output {i} '{}' {} {}: {}{when}  -> {}",
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

/// One value per step: a single frame, or the N frames of a stacked .npy
/// of shape `[N, ...input shape]`.
fn read_frames(path: &Path, tensor: &Tensor) -> anyhow::Result<Vec<TensorValue>> {
    let frame_bytes = tensor.byte_size();
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy && frame_bytes > 0 {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read input '{}'", path.display()))?;
        if let Ok(value) = TensorValue::read_npy(bytes.as_slice()) {
            let stacked = value.shape.len() == tensor.shape.len() + 1
                && value.shape[1..] == tensor.shape[..]
                && value.dtype == tensor.dtype;
            if stacked {
                return value
                    .bytes
                    .chunks(frame_bytes)
                    .map(|chunk| {
                        Ok(TensorValue {
                            dtype: tensor.dtype,
                            shape: tensor.shape.clone(),
                            bytes: chunk.to_vec(),
                        })
                    })
                    .collect();
            }
        }
    }
    Ok(vec![read_input(path, tensor)?])
}

/// One step's value as it is, or every step's stacked on a new first axis.
fn stacked<'a>(values: impl Iterator<Item = &'a TensorValue>, steps: usize) -> TensorValue {
    let values: Vec<&TensorValue> = values.collect();
    if steps == 1 {
        return values[0].clone();
    }
    let mut shape = vec![steps];
    shape.extend_from_slice(&values[0].shape);
    TensorValue {
        dtype: values[0].dtype,
        shape,
        bytes: values
            .iter()
            .flat_map(|v| v.bytes.iter().copied())
            .collect(),
    }
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
