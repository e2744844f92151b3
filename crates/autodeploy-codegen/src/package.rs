//! The library package: the generated model plus what rebuilds it as a
//! static library for one core (`Makefile`, `CMakeLists.txt`), an example
//! that runs one inference (`example/main.c`) and a README.
//!
//! Paths are relative to the package directory (`OUT/NAME/`). Like the
//! emitter, this only returns file contents; it runs no compiler.
//!
//! ```no_run
//! use autodeploy_codegen::{generate, package, write_files, Core, GenerateOptions};
//! use autodeploy_model::Model;
//!
//! let bytes = std::fs::read("kws_ref_model.tflite")?;
//! let model = Model::from_bytes(&bytes)?;
//! let generated = generate(&model, &bytes, &GenerateOptions::new("kws", "kws_ref_model.tflite"))?;
//! let files = package(&generated, Core::CortexM4)?;
//! write_files("out/kws".as_ref(), &files, false)?;
//! // then `make -C out/kws` builds out/kws/libkws.a and out/kws/build/kws_example.elf
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use handlebars::Handlebars;
use serde_json::json;

use crate::{CodegenError, Generated, GeneratedFile};

const MAKEFILE_TEMPLATE: &str = include_str!("../../../firmware-templates/library/Makefile.hbs");
const CMAKE_TEMPLATE: &str = include_str!("../../../firmware-templates/library/CMakeLists.txt.hbs");
const EXAMPLE_TEMPLATE: &str =
    include_str!("../../../firmware-templates/library/example_main.c.hbs");
const README_TEMPLATE: &str = include_str!("../../../firmware-templates/library/README.md.hbs");

/// The processor a package is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Core {
    /// Cortex-M4F: single-precision FPU, hard-float ABI.
    CortexM4,
    /// Cortex-M7 with a double-precision FPU, hard-float ABI.
    CortexM7,
    /// Cortex-M55 (Helium), hard-float ABI.
    CortexM55,
    /// The machine running the build, with the system `cc`.
    Host,
}

impl Core {
    pub const ALL: [Core; 4] = [Core::CortexM4, Core::CortexM7, Core::CortexM55, Core::Host];

    /// The name used on the command line: `cortex-m4`, ..., `host`.
    pub fn name(self) -> &'static str {
        match self {
            Core::CortexM4 => "cortex-m4",
            Core::CortexM7 => "cortex-m7",
            Core::CortexM55 => "cortex-m55",
            Core::Host => "host",
        }
    }

    pub fn is_host(self) -> bool {
        self == Core::Host
    }

    /// The C compiler the build files call.
    pub fn compiler(self) -> &'static str {
        if self.is_host() {
            "cc"
        } else {
            "arm-none-eabi-gcc"
        }
    }

    /// The archiver the Makefile calls.
    pub fn archiver(self) -> &'static str {
        if self.is_host() {
            "ar"
        } else {
            "arm-none-eabi-ar"
        }
    }

    /// Compiler flags selecting the core and its float ABI (also given
    /// when linking).
    pub fn arch_flags(self) -> &'static [&'static str] {
        match self {
            Core::CortexM4 => &[
                "-mcpu=cortex-m4",
                "-mthumb",
                "-mfpu=fpv4-sp-d16",
                "-mfloat-abi=hard",
            ],
            Core::CortexM7 => &[
                "-mcpu=cortex-m7",
                "-mthumb",
                "-mfpu=fpv5-d16",
                "-mfloat-abi=hard",
            ],
            Core::CortexM55 => &["-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"],
            Core::Host => &[],
        }
    }

    /// Flags for linking the example (no board support package: newlib
    /// nano with stub system calls).
    pub fn example_link_flags(self) -> &'static [&'static str] {
        if self.is_host() {
            &[]
        } else {
            &[
                "--specs=nano.specs",
                "--specs=nosys.specs",
                "-Wl,--gc-sections",
            ]
        }
    }

    /// The example's file name under `build/`, without the model name:
    /// `.elf` for Cortex-M, nothing for the host.
    pub fn executable_suffix(self) -> &'static str {
        if self.is_host() {
            ""
        } else {
            ".elf"
        }
    }
}

impl fmt::Display for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A core name that is not one of [`Core::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown core '{name}'; known cores: cortex-m4, cortex-m7, cortex-m55, host")]
pub struct UnknownCore {
    pub name: String,
}

impl FromStr for Core {
    type Err = UnknownCore;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Core::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownCore { name: s.into() })
    }
}

/// The example executable's path in the package, e.g. `build/kws_example.elf`.
pub fn example_path(name: &str, core: Core) -> String {
    format!("build/{name}_example{}", core.executable_suffix())
}

/// The static library's path in the package, e.g. `libkws.a`.
pub fn library_path(name: &str) -> String {
    format!("lib{name}.a")
}

/// `generated`'s files plus the package files: `Makefile`,
/// `CMakeLists.txt`, `example/main.c` and `README.md`.
pub fn package(generated: &Generated, core: Core) -> Result<Vec<GeneratedFile>, CodegenError> {
    let name = generated.name.as_str();
    // Model sources first, then the runtime, each sorted: stable build files.
    let mut sources: Vec<&str> = generated
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.ends_with(".c"))
        .collect();
    sources.sort_by_key(|p| (p.starts_with("runtime/"), *p));
    let example = example_path(name, core);
    let example_file = example.trim_start_matches("build/");
    let data = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "name": name,
        "NAME": name.to_uppercase(),
        "core": core.name(),
        "host": core.is_host(),
        "cc": core.compiler(),
        "ar": core.archiver(),
        "arch_flags": core.arch_flags(),
        "arch_flags_text": core.arch_flags().join(" "),
        "link_flags": core.example_link_flags(),
        "sources": sources,
        "example": example_file,
        "example_stem": format!("{name}_example"),
        "example_suffix": core.executable_suffix(),
        "arena_size": generated.plan.arena_size,
        "state_size": generated.state.size,
        "weight_bytes": generated.weight_bytes,
    });
    let mut files = generated.files.clone();
    for (path, template_name, template) in [
        ("Makefile", "Makefile", MAKEFILE_TEMPLATE),
        ("CMakeLists.txt", "CMakeLists.txt", CMAKE_TEMPLATE),
        ("example/main.c", "example_main.c", EXAMPLE_TEMPLATE),
        ("README.md", "README.md", README_TEMPLATE),
    ] {
        files.push(GeneratedFile {
            path: path.into(),
            contents: render(template_name, template, &data)?,
        });
    }
    Ok(files)
}

fn render(name: &str, template: &str, data: &serde_json::Value) -> Result<String, CodegenError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(template, data)
        .map_err(|e| CodegenError::Template {
            template: name.to_string(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_names_round_trip() {
        for core in Core::ALL {
            assert_eq!(core.name().parse::<Core>(), Ok(core));
        }
        let err = "cortex-m3".parse::<Core>().unwrap_err();
        assert!(err.to_string().contains("'cortex-m3'"), "{err}");
    }
}
