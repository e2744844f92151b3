//! `autodeploy validate MODEL [--board B] [--samples N --seed S | --inputs FILE.npy|DIR]`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use autodeploy_model::{InputGenerator, Model, Tensor, TensorValue};
use autodeploy_toolchain::Board;
use autodeploy_validate::{
    build_for_model, kernels_for_board, validate, Agreement, FirmwareOptions, Report,
    TransportKind, ValidateOptions,
};

use super::generate::KernelsArg;

use crate::format::thousands;
use crate::ExitStatus;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The .tflite model file.
    pub model: PathBuf,
    /// A built-in board (`qemu-m4`, `qemu-m7`, `qemu-m55`) or a board file.
    #[arg(long, default_value = "qemu-m4")]
    pub board: String,
    /// Number of seeded random samples.
    #[arg(long, default_value_t = 10, conflicts_with = "inputs")]
    pub samples: usize,
    /// A streaming model: N consecutive frames of one stream (seeded random,
    /// or the first N of --inputs); every frame's outputs are compared, and
    /// the state after the last one (on a mismatch, after every frame).
    #[arg(long, value_name = "N", conflicts_with = "samples")]
    pub sequence: Option<usize>,
    /// Seed of the random samples (the same seed gives the same inputs).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Inputs instead of random samples: a .npy holding one sample or a
    /// stack of samples (leading dimension), or a directory of .npy files,
    /// one sample each (single-input models).
    #[arg(long, value_name = "FILE|DIR")]
    pub inputs: Option<PathBuf>,
    /// Where firmware builds are cached (default: ~/.cache/autodeploy).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// `optimized`: the fastest kernel variants for the board's core; `portable`: the portable C kernels.
    #[arg(long, value_enum, default_value_t = KernelsArg::Optimized)]
    pub kernels: KernelsArg,
    #[command(flatten)]
    pub link: LinkArgs,
    /// Only build the validator firmware (for any board, real ones too) and print where each
    /// section landed; nothing runs.
    #[arg(long)]
    pub build_only: bool,
}

/// How to reach the board; the same flags for `validate` and `deploy`.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct LinkArgs {
    /// How to talk to the firmware: `uart` (QEMU's UART socket), `rtt` (ring buffers in RAM,
    /// through QEMU's gdbstub or a probe), `serial` (a serial port: QEMU's pty, or a real
    /// board's port, see --port) [default: the board's].
    #[arg(long, value_enum)]
    pub transport: Option<TransportArg>,
    /// The debug probe to use on a real board when several are attached: USB vendor and
    /// product id in hex, and optionally the serial number (`1366:0105:000123456`).
    #[arg(long, value_name = "VID:PID[:SERIAL]")]
    pub probe: Option<autodeploy_validate::ProbeSelector>,
    /// The serial port of a real board with `--transport serial`: a device path
    /// (`/dev/ttyACM0`) or USB ids in hex with an optional serial number (`1366:0105:000123`)
    /// [default: the only USB serial port].
    #[arg(long, value_name = "PATH|VID:PID[:SERIAL]")]
    pub port: Option<autodeploy_validate::PortSelector>,
    /// Load the firmware even if the real board already runs this model's firmware (which is
    /// otherwise reused).
    #[arg(long)]
    pub reload: bool,
}

impl LinkArgs {
    /// Sets the options these flags give.
    pub fn apply(&self, options: &mut ValidateOptions) {
        if let Some(t) = self.transport {
            options.transport = Some(t.into());
        }
        if let Some(p) = &self.probe {
            options.probe = Some(p.clone());
        }
        if let Some(p) = &self.port {
            options.port = Some(p.clone());
        }
        options.reload |= self.reload;
    }
}

/// `--transport uart|rtt|serial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TransportArg {
    Uart,
    Rtt,
    Serial,
}

impl From<TransportArg> for TransportKind {
    fn from(arg: TransportArg) -> Self {
        match arg {
            TransportArg::Uart => TransportKind::Uart,
            TransportArg::Rtt => TransportKind::Rtt,
            TransportArg::Serial => TransportKind::Serial,
        }
    }
}

pub fn run(args: &ValidateArgs) -> anyhow::Result<ExitStatus> {
    let bytes = std::fs::read(&args.model)
        .with_context(|| format!("cannot read model '{}'", args.model.display()))?;
    let model = Model::from_bytes(&bytes)
        .with_context(|| format!("cannot load '{}'", args.model.display()))?;
    let board = Board::resolve(&args.board)?;
    if args.build_only {
        return build_only(args, &bytes, &model, board);
    }
    let mut samples = match &args.inputs {
        Some(path) => read_samples(path, &model)?,
        None => random_samples(&model, args.seed, args.sequence.unwrap_or(args.samples))?,
    };
    if let Some(n) = args.sequence {
        if model.state.variables.is_empty() {
            bail!("--sequence needs a streaming model (one with resource variables); this one keeps no state");
        }
        if samples.len() < n {
            bail!(
                "--sequence {n}: the inputs hold only {} frames",
                samples.len()
            );
        }
        samples.truncate(n);
    }
    if samples.is_empty() {
        bail!("no samples to validate");
    }
    let mut options = ValidateOptions::new(board);
    options.optimized_kernels = args.kernels == KernelsArg::Optimized;
    args.link.apply(&mut options);
    if let Some(dir) = &args.cache_dir {
        options.cache_dir = dir.clone();
    }
    let name = model_name(args);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(validate(&bytes, &name, &samples, options))?;
    print_report(&report, &model);
    Ok(if report.passed() {
        ExitStatus::Success
    } else {
        ExitStatus::Mismatch
    })
}

fn model_name(args: &ValidateArgs) -> String {
    args.model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into())
}

/// `--build-only`: the firmware `validate` would run, with the chosen transport, built and
/// placed (a too-large image is an error naming the memory).
fn build_only(
    args: &ValidateArgs,
    bytes: &[u8],
    model: &Model,
    board: Board,
) -> anyhow::Result<ExitStatus> {
    let mut options = ValidateOptions::new(board);
    args.link.apply(&mut options);
    if let Some(dir) = &args.cache_dir {
        options.cache_dir = dir.clone();
    }
    let firmware_options = FirmwareOptions {
        rtt: options.transport() == TransportKind::Rtt,
        ..FirmwareOptions::default()
    };
    let kernels = kernels_for_board(&options.board, args.kernels == KernelsArg::Optimized);
    let (generated, firmware) = build_for_model(
        model,
        bytes,
        &model_name(args),
        kernels,
        &options.board,
        &options.cache_dir,
        &firmware_options,
    )?;
    println!(
        "board {}, transport {}, arena {} bytes, stack {} bytes",
        options.board.name,
        options.transport().as_str(),
        generated.plan.arena_size,
        options.board.stack_size
    );
    println!("firmware: {}", firmware.elf.display());
    print!("{}", firmware.memory);
    Ok(ExitStatus::Success)
}

pub(crate) fn random_samples(
    model: &Model,
    seed: u64,
    count: usize,
) -> anyhow::Result<Vec<Vec<TensorValue>>> {
    let graph = model.main_graph();
    let mut generator = InputGenerator::new(seed);
    (0..count)
        .map(|_| {
            graph
                .inputs
                .iter()
                .map(|&i| {
                    let t = graph.tensor(i);
                    generator
                        .value_for(t)
                        .with_context(|| format!("cannot make random {} values", t.dtype))
                })
                .collect()
        })
        .collect()
}

fn read_npy(path: &Path) -> anyhow::Result<TensorValue> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read '{}'", path.display()))?;
    TensorValue::read_npy(std::io::BufReader::new(file))
        .with_context(|| format!("'{}' is not a readable .npy file", path.display()))
}

fn read_samples(path: &Path, model: &Model) -> anyhow::Result<Vec<Vec<TensorValue>>> {
    let graph = model.main_graph();
    let inputs: Vec<&Tensor> = graph.inputs.iter().map(|&i| graph.tensor(i)).collect();
    if inputs.len() != 1 {
        bail!(
            "--inputs supports single-input models; this one has {}",
            inputs.len()
        );
    }
    let tensor = inputs[0];
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "npy"))
            .collect();
        files.sort();
        return files
            .iter()
            .map(|f| {
                Ok(vec![read_npy(f)?.conform_to(tensor).with_context(
                    || format!("'{}' does not fit the model's input", f.display()),
                )?])
            })
            .collect();
    }
    let value = read_npy(path)?;
    let per_sample = tensor.num_elements().max(1);
    if value.dtype != tensor.dtype || value.num_elements() % per_sample != 0 {
        bail!(
            "'{}' holds {} {} values; the input '{}' is {} with {} elements per sample",
            path.display(),
            value.num_elements(),
            value.dtype,
            tensor.name,
            tensor.dtype,
            per_sample
        );
    }
    let bytes_per_sample = tensor.byte_size();
    Ok(value
        .bytes
        .chunks(bytes_per_sample)
        .map(|chunk| {
            vec![TensorValue {
                dtype: tensor.dtype,
                shape: tensor.shape.clone(),
                bytes: chunk.to_vec(),
            }]
        })
        .collect())
}

pub(crate) fn print_report(report: &Report, model: &Model) {
    let graph = model.main_graph();
    println!(
        "board {} ({}, {} Hz), {} samples, arena {} bytes, firmware {}",
        report.board,
        report.info.core,
        thousands(u64::from(report.info.clock_hz)),
        report.samples,
        thousands(report.arena_size as u64),
        match (report.firmware_from_cache, report.firmware_reused) {
            (_, true) => "already running on the board (not loaded; --reload loads it)",
            (true, false) => "from cache",
            (false, false) => "built",
        }
    );
    println!("link: {}", report.link);
    println!(
        "{:<8} {:<24} {:>8} {:>9} {:>10} {:>10} {:>9} {:>8}",
        "output", "name", "exact %", "max diff", "MAE", "RMSE", "cosine", "top-1"
    );
    for (i, a) in report.outputs.iter().enumerate() {
        let name = &graph.tensor(graph.outputs[i]).name;
        println!("{}", agreement_row(&format!("{i}"), name, a));
    }
    if let Some(first) = report.counts.first() {
        println!(
            "instructions per inference (first sample): {}",
            thousands(*first)
        );
    }
    let stack = thousands(u64::from(report.stack_high_water));
    match report.stack_size {
        Some(size) => println!(
            "stack high-water: {stack} of {} bytes",
            thousands(u64::from(size))
        ),
        None => println!("stack high-water: {stack} bytes"),
    }
    if let Some(state) = &report.state {
        println!(
            "state after {} consecutive frames: {} of {} bytes match",
            report.samples, state.matching, state.elements
        );
    }
    if let Some(step) = report.first_bad_step {
        println!("first frame after which outputs or state differ: {step}");
    }
    match &report.divergence {
        Some(d) => {
            println!();
            println!(
                "MISMATCH: first differing layer {} {} (sample {}), tensor {} '{}':",
                d.layer, d.op, d.sample, d.tensor, d.tensor_name
            );
            println!("{}", agreement_row("layer", &format!("{}", d.layer), &d.agreement));
        }
        None if report.passed() => println!("PASS: the board's outputs match the reference bit for bit"),
        None => println!("MISMATCH: outputs differ, but every layer matched when stepped (an ordering or state effect)"),
    }
    let t = report.timings;
    println!(
        "time: build {:.1} s, board start {:.1} s, transfer {:.2} s, compute {:.2} s",
        t.build.as_secs_f64(),
        t.start.as_secs_f64(),
        t.transfer.as_secs_f64(),
        t.compute.as_secs_f64()
    );
}

fn agreement_row(label: &str, name: &str, a: &Agreement) -> String {
    let name: String = name.chars().take(24).collect();
    format!(
        "{label:<8} {name:<24} {:>8.2} {:>9} {:>10.4} {:>10.4} {:>9.6} {:>4}/{:<3}",
        a.exact_percent(),
        a.max_abs_diff,
        a.mean_abs_error,
        a.rmse,
        a.cosine,
        a.top1_agree,
        a.samples
    )
}
