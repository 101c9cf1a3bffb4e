//! The enforcement crate's error type.

use std::path::PathBuf;

/// What can go wrong while planning, applying or delivering.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's input is malformed: a findings file, a policy, a plan, a sink spec.
    #[error("{0}")]
    InvalidInput(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] lockstep_store::Error),
    /// A sink failed to deliver.
    #[error("sink {sink}: {message}")]
    Sink {
        /// The sink, as given.
        sink: String,
        /// What happened.
        message: String,
    },
}

/// `Result` with the enforcement [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Wraps an `io::Error` with the path it concerns.
pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

/// Builds an [`Error::InvalidInput`] from `format!` arguments.
macro_rules! invalid_input_err {
    ($($arg:tt)*) => { $crate::Error::InvalidInput(format!($($arg)*)) };
}
pub(crate) use invalid_input_err;
