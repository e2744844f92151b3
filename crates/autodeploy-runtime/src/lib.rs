//! The autodeploy C kernel runtime, as data.
//!
//! The C sources live in `firmware-templates/runtime/` (headers in `include/`,
//! one source file per kernel under `src/<family>/`). This crate embeds them
//! with `include_str!` so the code generator can write out exactly the files a
//! model needs: every header from [`headers`], plus [`sources_for`] each
//! [`Kernel`] the model calls. Paths are relative to the runtime root; compile
//! the `.c` files with `-I include`.
//!
//! What this crate does not do: run, compile or check the C code (its tests
//! do that, against `autodeploy-reference`), or choose kernels for operators.
//!
//! ```
//! use autodeploy_runtime::{headers, sources_for, Kernel};
//!
//! let files: Vec<&str> = sources_for(Kernel::Conv2dS8).iter().map(|f| f.path).collect();
//! assert!(files.contains(&"src/conv/ad_conv2d_s8.c"));
//! assert!(headers().iter().any(|f| f.path == "include/ad_runtime.h"));
//! assert_eq!(Kernel::Conv2dS8.c_name(), "ad_conv2d_s8");
//! ```

mod kernels;

pub use kernels::Kernel;

/// One file of the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceFile {
    /// Path relative to the runtime root, with `/` separators
    /// (`include/ad_types.h`, `src/conv/ad_conv2d_s8.c`).
    pub path: &'static str,
    /// The file's text.
    pub contents: &'static str,
}

macro_rules! runtime_file {
    ($path:literal) => {
        $crate::SourceFile {
            path: $path,
            contents: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../firmware-templates/runtime/",
                $path
            )),
        }
    };
}
pub(crate) use runtime_file;

static HEADERS: &[SourceFile] = &[
    runtime_file!("include/ad_types.h"),
    runtime_file!("include/ad_quant.h"),
    runtime_file!("include/ad_fixedpoint.h"),
    runtime_file!("include/ad_internal.h"),
    runtime_file!("include/ad_runtime.h"),
];

/// The public and shared headers (all of `include/`); every kernel needs them.
/// Generated code includes only `ad_runtime.h`.
pub fn headers() -> &'static [SourceFile] {
    HEADERS
}

/// The files implementing `kernel`: its `.c` file and the family-internal
/// headers that file includes (which sit next to it under `src/`).
pub fn sources_for(kernel: Kernel) -> &'static [SourceFile] {
    kernel.sources()
}

/// Every file of the runtime, each once: the headers, then the sources of
/// every kernel in [`Kernel::ALL`] order.
pub fn all_files() -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = HEADERS.to_vec();
    for &kernel in Kernel::ALL {
        for file in kernel.sources() {
            if !files.iter().any(|f| f.path == file.path) {
                files.push(*file);
            }
        }
    }
    files
}
