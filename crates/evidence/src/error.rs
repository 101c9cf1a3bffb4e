//! The evidence crate's error type.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What can go wrong while writing or verifying an evidence bundle.
///
/// A bundle that verifies with differences is not an error: [`crate::verify()`] returns them in
/// a [`crate::Verification`]. Errors are for what stops the work.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller asked for something that cannot be done with what was given (the caller's
    /// fault): an operation the findings do not name, event files that do not hold the
    /// operation's flagged events, a path that is not a directory.
    #[error("{0}")]
    InvalidInput(String),
    /// The output already exists and overwriting was not asked for.
    #[error("{} already exists; pass --force to replace it", .0.display())]
    Exists(PathBuf),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What happened.
        source: Arc<std::io::Error>,
    },
    /// Writing the events failed (CSV or Parquet).
    #[error("cannot write the events: {0}")]
    Ingest(Arc<lockstep_ingest::Error>),
    /// Reading the findings failed.
    #[error("cannot read the findings: {0}")]
    Report(Arc<lockstep_report::Error>),
}

impl From<lockstep_ingest::Error> for Error {
    fn from(e: lockstep_ingest::Error) -> Self {
        Error::Ingest(Arc::new(e))
    }
}

impl From<lockstep_report::Error> for Error {
    fn from(e: lockstep_report::Error) -> Self {
        Error::Report(Arc::new(e))
    }
}

/// `Result` with the evidence [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Wraps an `io::Error` with the path it concerns.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source: Arc::new(source),
    }
}

/// Builds an [`Error::InvalidInput`] from `format!` arguments.
macro_rules! invalid_input_err {
    ($($arg:tt)*) => {
        $crate::error::Error::InvalidInput(format!($($arg)*))
    };
}
pub(crate) use invalid_input_err;
