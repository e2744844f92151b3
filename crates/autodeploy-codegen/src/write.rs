//! Writing generated files to a directory without destroying what the user
//! had there.
//!
//! A directory autodeploy writes gets a manifest, `.autodeploy-manifest`,
//! listing the files it wrote. Writing again into such a directory replaces
//! those files (and removes the ones no longer generated). A non-empty
//! directory without the manifest is refused unless `force` is set.

use std::collections::BTreeSet;
use std::path::Path;

use crate::{CodegenError, GeneratedFile};

pub const MANIFEST: &str = ".autodeploy-manifest";

pub fn write_files(dir: &Path, files: &[GeneratedFile], force: bool) -> Result<(), CodegenError> {
    let err = |problem: String| CodegenError::OutputDir {
        path: dir.display().to_string(),
        problem,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(err("exists and is not a directory".into()));
    }
    let manifest_path = dir.join(MANIFEST);
    let previous: BTreeSet<String> = std::fs::read_to_string(&manifest_path)
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let non_empty = dir
        .read_dir()
        .is_ok_and(|mut entries| entries.next().is_some());
    if non_empty && !manifest_path.exists() && !force {
        return Err(err(
            "is not empty and was not created by autodeploy; choose an empty directory or pass --force".into(),
        ));
    }
    for file in files {
        if file.path.starts_with('/') || file.path.split('/').any(|part| part == "..") {
            return Err(err(format!(
                "refusing to write outside it: '{}'",
                file.path
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create it: {e}")))?;
    let current: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    for stale in previous.difference(&current) {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| err(format!("cannot create '{}': {e}", parent.display())))?;
        }
        std::fs::write(&path, &file.contents)
            .map_err(|e| err(format!("cannot write '{}': {e}", path.display())))?;
    }
    let manifest: Vec<&str> = current.iter().map(String::as_str).collect();
    std::fs::write(&manifest_path, manifest.join("\n") + "\n")
        .map_err(|e| err(format!("cannot write the manifest: {e}")))
}
