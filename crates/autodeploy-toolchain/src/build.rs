//! Building a firmware ELF for a board, with a content-addressed cache.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::board::Board;
use crate::discover::Toolchain;
use crate::elf::MemoryReport;
use crate::error::{RegionOverflow, ToolchainError};
use crate::support::{support_files, SupportFile, LINKER_SCRIPT_NAME};

/// Bump when the way firmware is built changes, so old cache entries are not reused.
const CACHE_FORMAT: &str = "autodeploy-toolchain build cache v1";

/// Optimisation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptLevel {
    /// `-O0`
    O0,
    /// `-O1`
    O1,
    /// `-O2`, the default.
    #[default]
    O2,
    /// `-O3`
    O3,
    /// `-Os`
    Os,
}

impl OptLevel {
    /// The compiler flag.
    pub fn flag(self) -> &'static str {
        match self {
            OptLevel::O0 => "-O0",
            OptLevel::O1 => "-O1",
            OptLevel::O2 => "-O2",
            OptLevel::O3 => "-O3",
            OptLevel::Os => "-Os",
        }
    }
}

/// What to build: sources, include directories, defines and flags. The board support files
/// are added by the [`Builder`]; the sources must define `main`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FirmwareSpec {
    /// Name of the firmware (letters, digits, `-`, `_`, `.`), used for the cache entry.
    pub name: String,
    /// C (`.c`) and assembly (`.S`, `.s`) sources.
    pub sources: Vec<PathBuf>,
    /// Include directories. Every file under them is part of the cache key.
    pub include_dirs: Vec<PathBuf>,
    /// `-D` defines: name and optional value.
    pub defines: Vec<(String, Option<String>)>,
    /// Optimisation level (default `-O2`).
    pub opt_level: OptLevel,
    /// Extra flags for compiling the given sources (not the board support).
    pub cflags: Vec<String>,
    /// Extra flags for linking.
    pub ldflags: Vec<String>,
}

impl FirmwareSpec {
    /// An empty spec called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        FirmwareSpec {
            name: name.into(),
            ..FirmwareSpec::default()
        }
    }

    /// Add a source.
    pub fn source(mut self, path: impl Into<PathBuf>) -> Self {
        self.sources.push(path.into());
        self
    }

    /// Add an include directory.
    pub fn include_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.include_dirs.push(path.into());
        self
    }

    /// Add `-Dname=value`, or `-Dname` when `value` is `None`.
    pub fn define(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.defines.push((name.into(), value.map(str::to_owned)));
        self
    }

    /// Set the optimisation level.
    pub fn opt_level(mut self, level: OptLevel) -> Self {
        self.opt_level = level;
        self
    }

    /// Add a compiler flag for the given sources.
    pub fn cflag(mut self, flag: impl Into<String>) -> Self {
        self.cflags.push(flag.into());
        self
    }
}

/// A built firmware image.
#[derive(Debug, Clone)]
pub struct Firmware {
    /// Firmware name.
    pub name: String,
    /// Board it was built for.
    pub board: String,
    /// The ELF image.
    pub elf: PathBuf,
    /// The linker map.
    pub map: PathBuf,
    /// The cache entry holding both, the objects and the board support files.
    pub dir: PathBuf,
    /// Hex SHA-256 of everything that went into the build.
    pub cache_key: String,
    /// Whether the image came from the cache without compiling.
    pub from_cache: bool,
    /// Section sizes and memory use.
    pub memory: MemoryReport,
}

/// Builds firmware with one cross compiler into one cache directory.
#[derive(Debug, Clone)]
pub struct Builder {
    toolchain: Toolchain,
    cache_dir: PathBuf,
}

/// Flags every compile and link gets, after the board's.
const COMMON_FLAGS: &[&str] = &["-g", "-ffunction-sections", "-fdata-sections"];
/// Flags for the board support sources, which must stay warning-free.
const SUPPORT_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Werror"];
/// Link flags: our own start-up code, newlib-nano, drop unused sections.
const LINK_FLAGS: &[&str] = &[
    "-nostartfiles",
    "--specs=nano.specs",
    "-Wl,--gc-sections",
    "-Wl,--no-warn-rwx-segments",
];

struct CompileJob {
    source: PathBuf,
    object: PathBuf,
    args: Vec<OsString>,
}

impl Builder {
    /// A builder using `toolchain` and keeping build results under `cache_dir`.
    pub fn new(toolchain: Toolchain, cache_dir: impl Into<PathBuf>) -> Self {
        Builder {
            toolchain,
            cache_dir: cache_dir.into(),
        }
    }

    /// The compiler in use.
    pub fn toolchain(&self) -> &Toolchain {
        &self.toolchain
    }

    /// The cache directory.
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// Build `spec` for `board`. An identical earlier build (same sources, include files,
    /// defines, flags, board and compiler version) is reused without running the compiler.
    /// An image that does not fit the board's memories is refused with
    /// [`ToolchainError::DoesNotFit`].
    pub fn build(&self, board: &Board, spec: &FirmwareSpec) -> Result<Firmware, ToolchainError> {
        validate_spec(spec)?;
        let support = support_files(board)?;
        let key = self.cache_key(board, spec, &support)?;
        let entry = self
            .cache_dir
            .join(format!("{}-{}-{}", spec.name, board.name, &key[..16]));
        let elf = entry.join("firmware.elf");
        let map = entry.join("firmware.map");
        if elf.is_file() {
            tracing::debug!(firmware = %spec.name, board = %board.name, "build cache hit");
            let memory = MemoryReport::from_elf(board, &elf)?;
            return Ok(Firmware {
                name: spec.name.clone(),
                board: board.name.clone(),
                elf,
                map,
                dir: entry,
                cache_key: key,
                from_cache: true,
                memory,
            });
        }

        std::fs::create_dir_all(&self.cache_dir).map_err(|source| ToolchainError::Io {
            action: "create cache directory",
            path: self.cache_dir.clone(),
            source,
        })?;
        let work = tempfile::Builder::new()
            .prefix(&format!(".building-{}-", spec.name))
            .tempdir_in(&self.cache_dir)
            .map_err(|source| ToolchainError::Io {
                action: "create build directory in",
                path: self.cache_dir.clone(),
                source,
            })?;
        let memory = self.build_in(board, spec, &support, work.path(), &entry)?;

        let work_path = work.keep();
        match std::fs::rename(&work_path, &entry) {
            Ok(()) => {}
            // Someone else finished the same build first: theirs is identical.
            Err(_) if entry.join("firmware.elf").is_file() => {
                let _ = std::fs::remove_dir_all(&work_path);
            }
            Err(source) => {
                let _ = std::fs::remove_dir_all(&work_path);
                return Err(ToolchainError::Io {
                    action: "move build into cache entry",
                    path: entry,
                    source,
                });
            }
        }
        Ok(Firmware {
            name: spec.name.clone(),
            board: board.name.clone(),
            elf,
            map,
            dir: entry,
            cache_key: key,
            from_cache: false,
            memory,
        })
    }

    fn build_in(
        &self,
        board: &Board,
        spec: &FirmwareSpec,
        support: &[SupportFile],
        dir: &Path,
        entry: &Path,
    ) -> Result<MemoryReport, ToolchainError> {
        let board_dir = dir.join("board");
        let obj_dir = dir.join("obj");
        for d in [&board_dir, &obj_dir] {
            std::fs::create_dir_all(d).map_err(|source| ToolchainError::Io {
                action: "create directory",
                path: d.clone(),
                source,
            })?;
        }
        for file in support {
            let path = board_dir.join(&file.name);
            std::fs::write(&path, &file.contents).map_err(|source| ToolchainError::Io {
                action: "write board support file",
                path,
                source,
            })?;
        }

        let mut base: Vec<OsString> = board.cflags.iter().map(OsString::from).collect();
        base.push(spec.opt_level.flag().into());
        base.extend(COMMON_FLAGS.iter().map(OsString::from));
        // Debug information names the cache entry the build is moved to, not the work directory.
        base.push(format!("-fdebug-prefix-map={}={}", dir.display(), entry.display()).into());
        base.push("-I".into());
        base.push(board_dir.clone().into());

        let mut jobs = Vec::new();
        for file in support.iter().filter(|f| f.is_source) {
            let source = board_dir.join(&file.name);
            let object = obj_dir.join(format!("board_{}.o", stem(&source)));
            let mut args = base.clone();
            args.extend(SUPPORT_FLAGS.iter().map(OsString::from));
            args.extend(["-c".into(), source.clone().into_os_string()]);
            args.extend(["-o".into(), object.clone().into_os_string()]);
            jobs.push(CompileJob {
                source,
                object,
                args,
            });
        }
        for (i, source) in spec.sources.iter().enumerate() {
            let object = obj_dir.join(format!("{i:03}_{}.o", stem(source)));
            let mut args = base.clone();
            for inc in &spec.include_dirs {
                args.push("-I".into());
                args.push(inc.clone().into_os_string());
            }
            for (name, value) in &spec.defines {
                args.push(match value {
                    Some(v) => format!("-D{name}={v}").into(),
                    None => format!("-D{name}").into(),
                });
            }
            args.extend(spec.cflags.iter().map(OsString::from));
            args.extend(["-c".into(), source.clone().into_os_string()]);
            args.extend(["-o".into(), object.clone().into_os_string()]);
            jobs.push(CompileJob {
                source: source.clone(),
                object,
                args,
            });
        }
        self.compile_all(board, &jobs)?;

        let elf = dir.join("firmware.elf");
        let link_args = |output: &Path, map: &Path, keep_going: bool| {
            let mut args: Vec<OsString> = board.cflags.iter().map(OsString::from).collect();
            args.push(spec.opt_level.flag().into());
            args.extend(COMMON_FLAGS.iter().map(OsString::from));
            args.push("-T".into());
            args.push(board_dir.join(LINKER_SCRIPT_NAME).into_os_string());
            args.extend(LINK_FLAGS.iter().map(OsString::from));
            args.push(format!("-Wl,-Map={}", map.display()).into());
            if keep_going {
                args.push("-Wl,--noinhibit-exec".into());
            }
            args.extend(spec.ldflags.iter().map(OsString::from));
            args.extend(jobs.iter().map(|j| j.object.clone().into_os_string()));
            args.push("-lm".into());
            args.push("-o".into());
            args.push(output.to_owned().into_os_string());
            args
        };
        let args = link_args(&elf, &dir.join("firmware.map"), false);
        let (ok, stderr) = self.run_gcc(&args)?;
        if !ok {
            if stderr.contains("overflowed by") || stderr.contains("will not fit in region") {
                return Err(self.explain_overflow(board, spec, dir, &stderr, &link_args));
            }
            return Err(ToolchainError::LinkFailed {
                board: board.name.clone(),
                firmware: spec.name.clone(),
                command: self.command_line(&args),
                stderr,
            });
        }
        let memory = MemoryReport::from_elf(board, &elf)?;
        let overflows = memory.overflows();
        if !overflows.is_empty() {
            return Err(ToolchainError::DoesNotFit {
                board: board.name.clone(),
                firmware: spec.name.clone(),
                overflows,
            });
        }
        Ok(memory)
    }

    /// The link ran out of memory: link again keeping the output, and measure it.
    fn explain_overflow(
        &self,
        board: &Board,
        spec: &FirmwareSpec,
        dir: &Path,
        stderr: &str,
        link_args: &dyn Fn(&Path, &Path, bool) -> Vec<OsString>,
    ) -> ToolchainError {
        let partial = dir.join("overflow.elf");
        let args = link_args(&partial, &dir.join("overflow.map"), true);
        let mut overflows = Vec::new();
        if let Ok((_, _)) = self.run_gcc(&args) {
            if let Ok(report) = MemoryReport::from_elf(board, &partial) {
                overflows = report.overflows();
            }
        }
        if overflows.is_empty() {
            overflows = parse_ld_overflows(board, stderr);
        }
        if overflows.is_empty() {
            return ToolchainError::LinkFailed {
                board: board.name.clone(),
                firmware: spec.name.clone(),
                command: self.command_line(&args),
                stderr: stderr.to_owned(),
            };
        }
        ToolchainError::DoesNotFit {
            board: board.name.clone(),
            firmware: spec.name.clone(),
            overflows,
        }
    }

    fn compile_all(&self, board: &Board, jobs: &[CompileJob]) -> Result<(), ToolchainError> {
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(jobs.len().max(1));
        let next = AtomicUsize::new(0);
        let failure: Mutex<Option<ToolchainError>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                        break;
                    }
                    let result = match self.run_gcc(&job.args) {
                        Ok((true, _)) => Ok(()),
                        Ok((false, stderr)) => Err(ToolchainError::CompileFailed {
                            board: board.name.clone(),
                            source_file: job.source.clone(),
                            command: self.command_line(&job.args),
                            stderr,
                        }),
                        Err(e) => Err(e),
                    };
                    if let Err(e) = result {
                        if let Ok(mut slot) = failure.lock() {
                            slot.get_or_insert(e);
                        }
                        break;
                    }
                });
            }
        });
        match failure.into_inner() {
            Ok(None) => Ok(()),
            Ok(Some(e)) => Err(e),
            Err(poisoned) => poisoned.into_inner().map_or(Ok(()), Err),
        }
    }

    fn run_gcc(&self, args: &[OsString]) -> Result<(bool, String), ToolchainError> {
        tracing::trace!(command = %self.command_line(args), "running");
        let output = Command::new(self.toolchain.gcc())
            .args(args)
            .output()
            .map_err(|source| ToolchainError::Spawn {
                program: self.toolchain.gcc().to_owned(),
                source,
            })?;
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        Ok((output.status.success(), text))
    }

    fn command_line(&self, args: &[OsString]) -> String {
        let mut line = self.toolchain.gcc().display().to_string();
        for arg in args {
            line.push(' ');
            line.push_str(&arg.to_string_lossy());
        }
        line
    }

    fn cache_key(
        &self,
        board: &Board,
        spec: &FirmwareSpec,
        support: &[SupportFile],
    ) -> Result<String, ToolchainError> {
        let mut h = Sha256::new();
        let mut field = |label: &str, bytes: &[u8]| {
            h.update(label.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field("format", CACHE_FORMAT.as_bytes());
        field("compiler", self.toolchain.version().as_bytes());
        field(
            "compiler-path",
            self.toolchain.gcc().as_os_str().as_encoded_bytes(),
        );
        field("board", board.to_toml().as_bytes());
        for file in support {
            field("support-name", file.name.as_bytes());
            field("support", file.contents.as_bytes());
        }
        field("opt", spec.opt_level.flag().as_bytes());
        for flag in &spec.cflags {
            field("cflag", flag.as_bytes());
        }
        for flag in &spec.ldflags {
            field("ldflag", flag.as_bytes());
        }
        for (name, value) in &spec.defines {
            field("define", name.as_bytes());
            field("value", value.as_deref().unwrap_or("\u{0}").as_bytes());
        }
        for source in &spec.sources {
            field("source-path", source.as_os_str().as_encoded_bytes());
            field("source", &read(source, "read source")?);
        }
        for dir in &spec.include_dirs {
            field("include-dir", dir.as_os_str().as_encoded_bytes());
            let mut files = Vec::new();
            walk(dir, &mut files)?;
            files.sort();
            for file in files {
                field("include-file", file.as_os_str().as_encoded_bytes());
                field("include", &read(&file, "read include file")?);
            }
        }
        let digest = h.finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            let _ = write!(hex, "{byte:02x}");
        }
        Ok(hex)
    }
}

fn validate_spec(spec: &FirmwareSpec) -> Result<(), ToolchainError> {
    let invalid = |reason: String| ToolchainError::InvalidFirmware {
        firmware: spec.name.clone(),
        reason,
    };
    if spec.name.is_empty()
        || !spec
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || spec.name.starts_with('.')
    {
        return Err(invalid(
            "the name must be non-empty, not start with '.', and use only letters, digits, '-', '_' or '.'"
                .into(),
        ));
    }
    if spec.sources.is_empty() {
        return Err(invalid("no sources".into()));
    }
    for source in &spec.sources {
        let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "c" | "S" | "s") {
            return Err(invalid(format!(
                "source \"{}\" is not a .c, .S or .s file",
                source.display()
            )));
        }
    }
    for (name, _) in &spec.defines {
        let ok = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(invalid(format!(
                "define name \"{name}\" is not a C identifier"
            )));
        }
    }
    Ok(())
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "source".into())
}

fn read(path: &Path, action: &'static str) -> Result<Vec<u8>, ToolchainError> {
    std::fs::read(path).map_err(|source| ToolchainError::Io {
        action,
        path: path.to_owned(),
        source,
    })
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), ToolchainError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ToolchainError::Io {
        action: "read include directory",
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| ToolchainError::Io {
            action: "read include directory",
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// Fallback when the partial image cannot be read: ld's "region `X' overflowed by N bytes".
fn parse_ld_overflows(board: &Board, stderr: &str) -> Vec<RegionOverflow> {
    let mut out: Vec<RegionOverflow> = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.split("region `").nth(1) else {
            continue;
        };
        let Some((name, tail)) = rest.split_once('\'') else {
            continue;
        };
        let Some(bytes) = tail
            .split("overflowed by ")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        let Some(region) = board.memory.iter().find(|r| r.name == name) else {
            continue;
        };
        if out.iter().any(|o| o.region == name) {
            continue;
        }
        out.push(RegionOverflow {
            region: name.to_owned(),
            capacity: region.length,
            needed: region.length + bytes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ld_overflow_messages_are_understood() {
        let board = Board::builtin("qemu-m4").unwrap();
        let stderr = "/usr/bin/ld: firmware.elf section `.rodata' will not fit in region `code'\n\
                      /usr/bin/ld: region `code' overflowed by 1048672 bytes\n";
        let o = parse_ld_overflows(&board, stderr);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].region, "code");
        assert_eq!(o[0].over_by(), 1_048_672);
    }

    #[test]
    fn specs_are_checked() {
        let bad = [
            FirmwareSpec::new("").source("a.c"),
            FirmwareSpec::new("x y").source("a.c"),
            FirmwareSpec::new("ok"),
            FirmwareSpec::new("ok").source("a.cpp"),
            FirmwareSpec::new("ok").source("a.c").define("1X", None),
        ];
        for spec in bad {
            assert!(matches!(
                validate_spec(&spec),
                Err(ToolchainError::InvalidFirmware { .. })
            ));
        }
        assert!(validate_spec(&FirmwareSpec::new("hello").source("main.c")).is_ok());
    }
}
