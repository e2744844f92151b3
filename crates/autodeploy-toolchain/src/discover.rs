//! Finding the cross compiler and QEMU.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{ToolchainError, GCC_INSTALL_HINT, QEMU_INSTALL_HINT};

/// Environment variable naming the cross compiler to use instead of `arm-none-eabi-gcc`.
pub const GCC_ENV: &str = "AUTODEPLOY_GCC";
/// Environment variable naming the QEMU binary to use instead of `qemu-system-arm`.
pub const QEMU_ENV: &str = "AUTODEPLOY_QEMU";
/// The cross compiler's name on `PATH`.
pub const GCC_NAME: &str = "arm-none-eabi-gcc";
/// QEMU's name on `PATH`.
pub const QEMU_NAME: &str = "qemu-system-arm";

/// Find `name` the way a shell would: `override_path` when given (it must exist), else the
/// first executable file called `name` in `search_path`.
fn locate(
    tool: &str,
    env_var: &str,
    install_hint: &str,
    override_path: Option<&OsStr>,
    search_path: Option<&OsStr>,
) -> Result<PathBuf, ToolchainError> {
    let not_found = |detail: String| ToolchainError::ToolNotFound {
        tool: tool.to_owned(),
        detail,
        install_hint: install_hint.to_owned(),
    };
    if let Some(path) = override_path.filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        // A bare name in the variable is looked up on PATH like the default one.
        if path.components().count() == 1 && !path.is_file() {
            return find_on_path(&path.to_string_lossy(), search_path)
                .ok_or_else(|| not_found(format!("{env_var}={} is not on PATH", path.display())));
        }
        return if path.is_file() {
            Ok(path)
        } else {
            Err(not_found(format!(
                "{env_var} points to \"{}\", which does not exist",
                path.display()
            )))
        };
    }
    find_on_path(tool, search_path)
        .ok_or_else(|| not_found(format!("not on PATH and {env_var} is not set")))
}

fn find_on_path(name: &str, search_path: Option<&OsStr>) -> Option<PathBuf> {
    let search_path = search_path?;
    std::env::split_paths(search_path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The Arm cross compiler, with its version (part of every build's cache key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    gcc: PathBuf,
    version: String,
}

impl Toolchain {
    /// `$AUTODEPLOY_GCC` when set, else `arm-none-eabi-gcc` from `PATH`.
    pub fn discover() -> Result<Toolchain, ToolchainError> {
        Toolchain::discover_from(
            std::env::var_os(GCC_ENV).as_deref(),
            std::env::var_os("PATH").as_deref(),
        )
    }

    /// Like [`Toolchain::discover`] with explicit values for `AUTODEPLOY_GCC` and `PATH`.
    pub fn discover_from(
        gcc_override: Option<&OsStr>,
        search_path: Option<&OsStr>,
    ) -> Result<Toolchain, ToolchainError> {
        let gcc = locate(
            GCC_NAME,
            GCC_ENV,
            GCC_INSTALL_HINT,
            gcc_override,
            search_path,
        )?;
        Toolchain::with_gcc(gcc)
    }

    /// Use this compiler; runs `gcc --version` to check it works.
    pub fn with_gcc(gcc: impl Into<PathBuf>) -> Result<Toolchain, ToolchainError> {
        let gcc = gcc.into();
        let output = Command::new(&gcc)
            .arg("--version")
            .output()
            .map_err(|source| ToolchainError::Spawn {
                program: gcc.clone(),
                source,
            })?;
        let version = String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if !output.status.success() || version.is_empty() {
            return Err(ToolchainError::ToolNotFound {
                tool: GCC_NAME.to_owned(),
                detail: format!("\"{}\" --version did not work", gcc.display()),
                install_hint: GCC_INSTALL_HINT.to_owned(),
            });
        }
        tracing::debug!(gcc = %gcc.display(), %version, "found cross compiler");
        Ok(Toolchain { gcc, version })
    }

    /// Path of the compiler driver.
    pub fn gcc(&self) -> &Path {
        &self.gcc
    }

    /// First line of `gcc --version`.
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// Find QEMU: `$AUTODEPLOY_QEMU` when set, else `qemu-system-arm` from `PATH`.
pub fn find_qemu() -> Result<PathBuf, ToolchainError> {
    find_qemu_from(
        std::env::var_os(QEMU_ENV).as_deref(),
        std::env::var_os("PATH").as_deref(),
    )
}

/// Like [`find_qemu`] with explicit values for `AUTODEPLOY_QEMU` and `PATH`.
pub fn find_qemu_from(
    qemu_override: Option<&OsStr>,
    search_path: Option<&OsStr>,
) -> Result<PathBuf, ToolchainError> {
    locate(
        QEMU_NAME,
        QEMU_ENV,
        QEMU_INSTALL_HINT,
        qemu_override,
        search_path,
    )
}

/// `PATH` as an owned value, for callers of the `*_from` functions.
pub fn current_path() -> Option<OsString> {
    std::env::var_os("PATH")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_override_is_tool_not_found_with_hint() {
        let err = Toolchain::discover_from(
            Some(OsStr::new("/nonexistent/arm-none-eabi-gcc")),
            current_path().as_deref(),
        )
        .unwrap_err();
        match &err {
            ToolchainError::ToolNotFound {
                tool, install_hint, ..
            } => {
                assert_eq!(tool, "arm-none-eabi-gcc");
                assert_eq!(
                    install_hint,
                    "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"
                );
            }
            other => panic!("expected ToolNotFound, got {other:?}"),
        }
        assert!(err.to_string().contains("AUTODEPLOY_GCC points to"));
    }

    #[test]
    fn empty_path_is_tool_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let err = Toolchain::discover_from(None, Some(dir.path().as_os_str())).unwrap_err();
        assert!(matches!(err, ToolchainError::ToolNotFound { .. }));
        let err = find_qemu_from(None, Some(dir.path().as_os_str())).unwrap_err();
        match err {
            ToolchainError::ToolNotFound {
                tool, install_hint, ..
            } => {
                assert_eq!(tool, "qemu-system-arm");
                assert_eq!(install_hint, "apt-get install qemu-system-arm");
            }
            other => panic!("expected ToolNotFound, got {other:?}"),
        }
    }
}
