//! The error type of `lockstep-import`.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// Errors that stop an import or an evaluation. A bad row never does: it is written to
/// `rejected.jsonl` with its file, line and reason, and counted in `import.json`.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's fault: a path that does not hold the data set named, a file whose header
    /// or shape is not that data set's, or an output directory that cannot be used. The
    /// message names the file and what was expected.
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
    /// Writing or reading back the event-log files failed.
    #[error(transparent)]
    Ingest(#[from] lockstep_ingest::Error),
    /// A detector failed.
    #[error(transparent)]
    Detect(#[from] lockstep_detect::Error),
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
}

/// The result type of `lockstep-import`.
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

/// An [`Error::InvalidInput`] from `format!` arguments.
macro_rules! invalid_input_err {
    ($($arg:tt)*) => {
        $crate::error::Error::InvalidInput(format!($($arg)*))
    };
}
pub(crate) use invalid_input_err;
