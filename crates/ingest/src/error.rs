//! The error type of `lockstep-ingest`.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// Errors that stop a load or a write. Bad lines never do: they are rejected and counted (see
/// [`crate::Rejected`]); only input that cannot be read at all, or more rejected lines than the
/// budget allows, ends a run.
///
/// Cloneable, so it can cross threads (I/O errors are held in an [`Arc`]).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's fault: a missing path, a directory, an unknown extension, a Parquet file
    /// without a required column or with a column of the wrong type, or more rejected lines
    /// than the budget allows. The message names the file.
    #[error("{0}")]
    InvalidInput(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: Arc<io::Error>,
    },
    /// Writing a rejected line to the caller's sink failed.
    #[error("cannot write a rejected line: {0}")]
    RejectSink(#[source] Arc<io::Error>),
    /// A Parquet file could not be decoded or encoded (corrupt file, unsupported encoding).
    #[error("{}: parquet: {message}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the Parquet library said.
        message: String,
    },
    /// An error from the core data structures (for example an id space that is full).
    #[error(transparent)]
    Core(#[from] lockstep_core::Error),
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
}

/// The result type of `lockstep-ingest`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source: Arc::new(source),
        }
    }
}

/// Builds an [`Error::InvalidInput`] from `format!` arguments.
macro_rules! invalid_input_err {
    ($($arg:tt)*) => { $crate::Error::InvalidInput(format!($($arg)*)) };
}
pub(crate) use invalid_input_err;
