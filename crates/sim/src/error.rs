//! The error type of `lockstep-sim`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::SCENARIOS;

/// Errors of the simulator. Every user mistake is one clear line.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration (a TOML file or an option) is invalid (the caller's fault).
    #[error("invalid simulator config: {0}")]
    Config(String),
    /// A scenario name that does not exist (the caller's fault).
    #[error("unknown scenario `{0}`; valid: {list}, all, none", list = SCENARIOS.join(", "))]
    UnknownScenario(String),
    /// The output directory or a file in it could not be created or written.
    #[error("cannot write {}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause (shown in the message, so not chained again).
        error: Arc<std::io::Error>,
    },
    /// The event, account or device writer failed.
    #[error("cannot write {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The writer's message.
        message: String,
    },
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            error: Arc::new(source),
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        Self::Write {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

/// The result type of `lockstep-sim`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
