//! `autodeploy deploy MODEL [--board B] [--out DIR] [--config FILE] ...`.
//!
//! One command for the whole job: inspect the model, generate its C,
//! build the validator firmware, run it on the board, validate against the
//! PC reference, profile per layer (reports in `OUT/reports/`), and package
//! the static library for the board's core in `OUT/NAME/`. The order of
//! work is: check and generate the package first (so a directory autodeploy
//! did not write is refused before anything runs), then the board, then
//! `make` of the library. Settings come from the flags, then from a TOML
//! file (`--config`, keys in `docs/deploy.md`), then the defaults.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use autodeploy_codegen::emit::identifier;
use autodeploy_codegen::package::library_path;
use autodeploy_codegen::{generate, package, write_files, Core, GenerateOptions};
use autodeploy_model::Model;
use autodeploy_profile::{console_table, write_reports, Profile};
use autodeploy_toolchain::Board;
use autodeploy_validate::{validate_and_profile, ProfileOptions, ValidateOptions};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;

use super::generate::KernelsArg;
use super::validate::LinkArgs;
use crate::format::thousands;
use crate::ExitStatus;

#[derive(Debug, Default, clap::Args)]
pub struct DeployArgs {
    /// The .tflite model file (or `model` in the config file).
    #[arg(alias = "tflite-filename", long = "model-file", value_name = "MODEL")]
    pub model_flag: Option<PathBuf>,
    /// The .tflite model file.
    #[arg(value_name = "MODEL", conflicts_with = "model_flag")]
    pub model: Option<PathBuf>,
    /// A built-in board (`qemu-m4`, `qemu-m7`, `qemu-m55`) or a board file [default: qemu-m4].
    #[arg(long)]
    pub board: Option<String>,
    /// Output directory: the library in OUT/NAME/, reports in OUT/reports/ [default: deploy].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Prefix of every C symbol and name of the package [default: the model file's stem].
    #[arg(long, alias = "model-name")]
    pub name: Option<String>,
    /// A TOML file with any of these settings; flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Seeded random samples to validate [default: 10].
    #[arg(long)]
    pub samples: Option<usize>,
    /// Seed of the random samples [default: 0].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Unmeasured runs before profiling [default: 1].
    #[arg(long)]
    pub warmup: Option<u32>,
    /// Measured profiling runs [default: 3].
    #[arg(long)]
    pub runs: Option<u32>,
    /// Skip the validation against the PC reference.
    #[arg(long)]
    pub no_validate: bool,
    /// Skip the per-layer profile and its reports.
    #[arg(long)]
    pub no_profile: bool,
    /// Only generate and build the library (no board run).
    #[arg(long)]
    pub library_only: bool,
    /// Write into OUT/NAME even if it holds files autodeploy did not write.
    #[arg(long)]
    pub force: bool,
    /// Where firmware builds are cached (default: ~/.cache/autodeploy).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// `optimized`: the fastest kernel variants for the board's core; `portable`: the portable
    /// C kernels (to bisect a mismatch to the kernel choice) [default: optimized].
    #[arg(long, value_enum)]
    pub kernels: Option<KernelsArg>,
    #[command(flatten)]
    pub link: LinkArgs,
}

/// The `--config` file: every key optional, names as the long flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    model: Option<PathBuf>,
    board: Option<String>,
    out: Option<PathBuf>,
    name: Option<String>,
    samples: Option<usize>,
    seed: Option<u64>,
    warmup: Option<u32>,
    runs: Option<u32>,
    no_validate: Option<bool>,
    no_profile: Option<bool>,
    library_only: Option<bool>,
    force: Option<bool>,
    cache_dir: Option<PathBuf>,
    kernels: Option<String>,
    transport: Option<String>,
    probe: Option<String>,
    port: Option<String>,
    reload: Option<bool>,
}

/// The settings after flags, config file and defaults are merged.
#[derive(Debug)]
struct Settings {
    model: PathBuf,
    board: String,
    out: PathBuf,
    name: Option<String>,
    samples: usize,
    seed: u64,
    profile: ProfileOptions,
    validate: bool,
    profiling: bool,
    library_only: bool,
    force: bool,
    cache_dir: Option<PathBuf>,
    kernels: KernelsArg,
    link: LinkArgs,
}

fn settings(args: &DeployArgs) -> anyhow::Result<Settings> {
    let config: ConfigFile = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config '{}'", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("config '{}' is not valid", path.display()))?
        }
        None => ConfigFile::default(),
    };
    let link = link_settings(&args.link, &config)?;
    // Paths in the config file are relative to it.
    let base = args
        .config
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let from_config = |p: Option<PathBuf>| p.map(|p| base.join(p));
    let Some(model) = args
        .model
        .clone()
        .or_else(|| args.model_flag.clone())
        .or_else(|| from_config(config.model))
    else {
        bail!("no model given: pass MODEL (or --tflite-filename), or set `model` in --config");
    };
    let kernels = choice_or_config(
        args.kernels,
        config.kernels.as_deref(),
        "kernels",
        "'portable' or 'optimized'",
    )?
    .unwrap_or(KernelsArg::Optimized);
    let defaults = ProfileOptions::default();
    let runs = args.runs.or(config.runs).unwrap_or(defaults.runs);
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    Ok(Settings {
        model,
        board: args
            .board
            .clone()
            .or(config.board)
            .unwrap_or_else(|| "qemu-m4".into()),
        out: args
            .out
            .clone()
            .or_else(|| from_config(config.out))
            .unwrap_or_else(|| "deploy".into()),
        name: args.name.clone().or(config.name),
        samples: args.samples.or(config.samples).unwrap_or(10),
        seed: args.seed.or(config.seed).unwrap_or(0),
        profile: ProfileOptions {
            warmup: args.warmup.or(config.warmup).unwrap_or(defaults.warmup),
            runs,
        },
        validate: !(args.no_validate || config.no_validate.unwrap_or(false)),
        profiling: !(args.no_profile || config.no_profile.unwrap_or(false)),
        library_only: args.library_only || config.library_only.unwrap_or(false),
        force: args.force || config.force.unwrap_or(false),
        cache_dir: args
            .cache_dir
            .clone()
            .or_else(|| from_config(config.cache_dir)),
        kernels,
        link,
    })
}

/// `--transport`, `--probe`, `--port`, `--reload`, else the config file's keys of those names.
fn link_settings(args: &LinkArgs, config: &ConfigFile) -> anyhow::Result<LinkArgs> {
    Ok(LinkArgs {
        transport: choice_or_config(
            args.transport,
            config.transport.as_deref(),
            "transport",
            "'uart', 'rtt' or 'serial'",
        )?,
        probe: flag_or_config(&args.probe, config.probe.as_deref(), "probe")?,
        port: flag_or_config(&args.port, config.port.as_deref(), "port")?,
        reload: args.reload || config.reload.unwrap_or(false),
    })
}

/// The flag's choice, else the config file's text under `key` read as one
/// of its values (`expected` names them in the error), else none.
fn choice_or_config<T: clap::ValueEnum>(
    flag: Option<T>,
    text: Option<&str>,
    key: &str,
    expected: &str,
) -> anyhow::Result<Option<T>> {
    match (flag, text) {
        (Some(value), _) => Ok(Some(value)),
        (None, Some(text)) => <T as clap::ValueEnum>::from_str(text, true)
            .map(Some)
            .map_err(|_| anyhow::anyhow!("config key `{key}` is '{text}': expected {expected}")),
        (None, None) => Ok(None),
    }
}

/// The flag's value, else the config file's text under `key` parsed (its
/// error naming the key), else none.
fn flag_or_config<T>(flag: &Option<T>, text: Option<&str>, key: &str) -> anyhow::Result<Option<T>>
where
    T: Clone + std::str::FromStr<Err = String>,
{
    match (flag, text) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, Some(text)) => text
            .parse()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("config key `{key}`: {e}")),
        (None, None) => Ok(None),
    }
}

/// One line per finished step, a spinner while a step runs.
struct Steps {
    bar: ProgressBar,
    started: Instant,
    done: Vec<(String, Duration)>,
}

impl Steps {
    fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Steps {
            bar,
            started: Instant::now(),
            done: Vec::new(),
        }
    }

    fn start(&mut self, what: &str) {
        self.started = Instant::now();
        self.bar.set_message(what.to_string());
    }

    fn finish(&mut self, what: &str) {
        let took = self.started.elapsed();
        self.bar
            .println(format!("  ok  {what} ({:.1} s)", took.as_secs_f64()));
        self.done.push((what.to_string(), took));
    }

    fn end(self) {
        self.bar.finish_and_clear();
    }
}

pub fn run(args: &DeployArgs) -> anyhow::Result<ExitStatus> {
    let settings = settings(args)?;
    let total = Instant::now();
    let mut steps = Steps::new();

    steps.start("inspect");
    let bytes = std::fs::read(&settings.model)
        .with_context(|| format!("cannot read model '{}'", settings.model.display()))?;
    let model = Model::from_bytes(&bytes)
        .with_context(|| format!("cannot load '{}'", settings.model.display()))?;
    model
        .check_supported()
        .with_context(|| format!("'{}' cannot be deployed", settings.model.display()))?;
    let board = Board::resolve(&settings.board)?;
    let core: Core = board
        .core
        .parse()
        .with_context(|| format!("board '{}' has no library target", board.name))?;
    let summary = model.summary();
    steps.finish(&format!(
        "inspect: {} layers, {} MACs",
        summary.totals.layers,
        thousands(summary.totals.macs)
    ));

    steps.start("generate");
    let stem = settings
        .model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    let name = identifier(settings.name.as_deref().unwrap_or(&stem));
    let model_file = settings
        .model
        .file_name()
        .map_or_else(|| stem.clone(), |f| f.to_string_lossy().into_owned());
    let mut generate_options = GenerateOptions::new(&name, &model_file);
    generate_options.kernels = settings.kernels.choice(core);
    let generated = generate(&model, &bytes, &generate_options)
        .with_context(|| format!("cannot generate C for '{}'", settings.model.display()))?;
    let files = package(&generated, core)?;
    let library_dir = settings.out.join(&name);
    write_files(&library_dir, &files, settings.force)?;
    steps.finish(&format!("generate: {}", library_dir.display()));

    let mut report = None;
    let mut profile: Option<Profile> = None;
    let run_board = !settings.library_only && (settings.validate || settings.profiling);
    if run_board {
        steps.start("build firmware, run on the board, validate, profile");
        let samples = if settings.validate {
            super::validate::random_samples(&model, settings.seed, settings.samples.max(1))?
        } else {
            Vec::new()
        };
        let profile_inputs = super::validate::random_samples(&model, settings.seed, 1)?
            .pop()
            .unwrap_or_default();
        let mut options = ValidateOptions::new(board.clone());
        options.optimized_kernels = settings.kernels == KernelsArg::Optimized;
        settings.link.apply(&mut options);
        if let Some(dir) = &settings.cache_dir {
            options.cache_dir = dir.clone();
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let deployed = runtime.block_on(validate_and_profile(
            &bytes,
            &name,
            &samples,
            &profile_inputs,
            options,
            settings.profiling.then_some(settings.profile),
        ))?;
        report = deployed.report;
        profile = deployed.profile;
        steps.finish(&format!("board {}", board.name));
        if let Some(p) = &profile {
            steps.start("reports");
            write_reports(p, &settings.out.join("reports"))?;
            steps.finish(&format!(
                "reports: {}",
                settings.out.join("reports").display()
            ));
        }
    }

    steps.start("build library");
    super::generate::build(&library_dir, core)?;
    steps.finish(&format!(
        "library: {}",
        library_dir.join(library_path(&name)).display()
    ));
    steps.end();

    println!();
    if let Some(r) = &report {
        super::validate::print_report(r, &model);
        println!();
    }
    if let Some(p) = &profile {
        print!("{}", console_table(p));
        println!();
    }
    println!(
        "deployed '{name}' for {} in {:.1} s",
        board.name,
        total.elapsed().as_secs_f64()
    );
    println!(
        "  library: {}",
        library_dir.join(library_path(&name)).display()
    );
    if profile.is_some() {
        println!("  reports: {}", settings.out.join("reports").display());
    }
    match &report {
        Some(r) if !r.passed() => {
            println!("  validation: MISMATCH");
            Ok(ExitStatus::Mismatch)
        }
        Some(r) => {
            println!("  validation: PASS ({} samples)", r.samples);
            Ok(ExitStatus::Success)
        }
        None => {
            println!("  validation: skipped");
            Ok(ExitStatus::Success)
        }
    }
}
