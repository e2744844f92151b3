//! Writing result files without overwriting what the user had.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use autodeploy_model::TensorValue;

/// A directory the command writes into. Existing files are never replaced
/// unless `force` is set; the check happens before anything is written.
pub struct OutputDir {
    path: PathBuf,
    force: bool,
}

impl OutputDir {
    pub fn create(path: &Path, force: bool) -> anyhow::Result<OutputDir> {
        if path.exists() && !path.is_dir() {
            bail!("'{}' exists and is not a directory", path.display());
        }
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create directory '{}'", path.display()))?;
        Ok(OutputDir {
            path: path.to_path_buf(),
            force,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fails if any of `names` exists already (and `--force` was not given).
    pub fn check_free(&self, names: &[String]) -> anyhow::Result<()> {
        if self.force {
            return Ok(());
        }
        let taken: Vec<&String> = names
            .iter()
            .filter(|n| self.path.join(n).exists())
            .collect();
        if let Some(first) = taken.first() {
            bail!(
                "'{}' already holds {} of the files this run writes (e.g. '{first}'); \
                 choose another --output directory or pass --force to overwrite them",
                self.path.display(),
                taken.len()
            );
        }
        Ok(())
    }

    pub fn write_npy(&self, name: &str, value: &TensorValue) -> anyhow::Result<PathBuf> {
        let path = self.path.join(name);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        value
            .write_npy(std::io::BufWriter::new(file))
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        Ok(path)
    }
}
