//! What can go wrong while writing reports.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The profile cannot be reported as it is (for example a zero clock).
    #[error("invalid profile: {reason}")]
    Invalid { reason: String },

    /// Writing a report failed.
    #[error("cannot write the {report} report")]
    Write {
        report: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// Creating a file or directory in the output directory failed.
    #[error("cannot write '{}'", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Serialising the JSON report failed.
    #[error("cannot serialise the JSON report")]
    Json(#[source] serde_json::Error),
}
