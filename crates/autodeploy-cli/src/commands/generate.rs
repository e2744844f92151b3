//! `autodeploy generate MODEL --out DIR [--core CORE] [--name NAME] [--force] [--no-build]`.
//!
//! Generates the model's C, packages it as a library for one core
//! (`autodeploy_codegen::package`), writes it into `DIR/NAME/` (refusing a
//! non-empty directory autodeploy did not write, unless `--force`), then
//! builds `libNAME.a` and the example by running `make` there.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use autodeploy_codegen::emit::identifier;
use autodeploy_codegen::package::{example_path, library_path};
use autodeploy_codegen::{generate, package, write_files, Core, GenerateOptions, KernelChoice};
use autodeploy_model::Model;

use crate::format::thousands;
use crate::ExitStatus;

/// What to install on Debian or Ubuntu when the build tools are missing.
pub const INSTALL_HINT: &str = "apt-get install make gcc-arm-none-eabi libnewlib-arm-none-eabi";

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The .tflite model file.
    pub model: PathBuf,
    /// The package goes into OUT/NAME/.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The processor to build for (`host`: the system cc, to run it on this machine).
    #[arg(long, value_enum, default_value_t = CoreArg::CortexM4)]
    pub core: CoreArg,
    /// Prefix of every C symbol and name of the package [default: the model file's stem].
    #[arg(long)]
    pub name: Option<String>,
    /// Write into OUT/NAME even if it holds files autodeploy did not write.
    #[arg(long)]
    pub force: bool,
    /// Only write the sources; do not run make.
    #[arg(long)]
    pub no_build: bool,
    /// `optimized`: the fastest kernel variant for the core where one exists; `portable`: the portable C kernels.
    #[arg(long, value_enum, default_value_t = KernelsArg::Optimized)]
    pub kernels: KernelsArg,
}

/// `--kernels portable|optimized` (shared by generate and validate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KernelsArg {
    Portable,
    Optimized,
}

impl KernelsArg {
    /// The code generator's choice for `core`.
    pub fn choice(self, core: Core) -> KernelChoice {
        match self {
            KernelsArg::Optimized if !core.is_host() => KernelChoice::Optimized(core),
            _ => KernelChoice::Portable,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoreArg {
    CortexM4,
    CortexM7,
    CortexM55,
    Host,
}

impl From<CoreArg> for Core {
    fn from(core: CoreArg) -> Core {
        match core {
            CoreArg::CortexM4 => Core::CortexM4,
            CoreArg::CortexM7 => Core::CortexM7,
            CoreArg::CortexM55 => Core::CortexM55,
            CoreArg::Host => Core::Host,
        }
    }
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitStatus> {
    let core = Core::from(args.core);
    let bytes = std::fs::read(&args.model)
        .with_context(|| format!("cannot read '{}'", args.model.display()))?;
    let model = Model::from_bytes(&bytes)
        .with_context(|| format!("cannot load '{}'", args.model.display()))?;
    let stem = args
        .model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    let name = identifier(args.name.as_deref().unwrap_or(&stem));
    let model_file = args
        .model
        .file_name()
        .map_or_else(|| stem.clone(), |f| f.to_string_lossy().into_owned());

    let mut options = GenerateOptions::new(&name, &model_file);
    options.kernels = args.kernels.choice(core);
    let generated = generate(&model, &bytes, &options)
        .with_context(|| format!("cannot generate C for '{}'", args.model.display()))?;
    let files = package(&generated, core)?;
    let dir = args.out.join(&name);
    write_files(&dir, &files, args.force)?;

    println!("generated '{name}' for {core} in {}", dir.display());
    println!(
        "  arena:   {} bytes (static, section .ad_arena)",
        thousands(generated.plan.arena_size as u64)
    );
    if generated.state.size > 0 {
        println!(
            "  state:   {} bytes in {} variable(s), apart from the arena (static RAM; initial data in flash, restored by {name}_reset())",
            thousands(generated.state.size as u64),
            generated.state.slots.len()
        );
    }
    println!(
        "  weights: {} bytes (section .ad_weights)",
        thousands(generated.weight_bytes as u64)
    );
    let kernels: Vec<&str> = generated.kernels().iter().map(|k| k.c_name()).collect();
    println!("  kernels: {}", kernels.join(", "));
    let runtime = files
        .iter()
        .filter(|f| f.path.starts_with("runtime/"))
        .count();
    let own: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !p.starts_with("runtime/"))
        .collect();
    println!(
        "  files:   {} ({} and {runtime} runtime files)",
        files.len(),
        own.join(", ")
    );

    if args.no_build {
        println!("  not built (--no-build): run `make` in {}", dir.display());
        return Ok(ExitStatus::Success);
    }
    build(&dir, core)?;
    println!("  built:   {}", dir.join(library_path(&name)).display());
    println!(
        "  example: {}",
        dir.join(example_path(&name, core)).display()
    );
    Ok(ExitStatus::Success)
}

/// Runs `make` in the package; a missing tool is named with what to install.
pub(crate) fn build(dir: &Path, core: Core) -> anyhow::Result<()> {
    for tool in ["make", core.compiler()] {
        if !tool_exists(tool) {
            bail!(
                "'{tool}' not found, so {} was written but not built; install the build tools \
                 (on Debian or Ubuntu: {INSTALL_HINT}) and run `make` there, or pass --no-build",
                dir.display()
            );
        }
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let output = Command::new("make")
        .arg(format!("-j{jobs}"))
        .current_dir(dir)
        .output()
        .with_context(|| format!("cannot run make in '{}'", dir.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        bail!(
            "make failed in '{}' ({}):\n{tail}",
            dir.display(),
            output.status
        );
    }
    Ok(())
}

fn tool_exists(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
