//! The error type of `lockstep-judge`.

use std::sync::Arc;

/// Errors raised by the judge and its writers.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy or argument the judge cannot run with (the caller's fault).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A detector failed.
    #[error(transparent)]
    Detect(#[from] lockstep_detect::Error),
    /// Writing an output file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: Arc<std::io::Error>,
    },
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
}

/// The result type of `lockstep-judge`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
