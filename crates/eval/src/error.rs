//! The error type of `lockstep-eval`.

use std::path::PathBuf;
use std::sync::Arc;

/// Errors that stop an evaluation.
///
/// Only the ground truth can stop a run: a findings directory that is missing, empty or broken
/// is scored as "nothing found" and described in the report's data-quality section instead.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller pointed at something that is not a usable ground truth (the caller's fault):
    /// no such directory, no `truth_accounts.csv`, or a header without the required columns.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A truth file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// What the operating system said.
        source: Arc<std::io::Error>,
    },
}

/// The result type of `lockstep-eval`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds an [`Error::InvalidInput`] from `format!` arguments.
macro_rules! invalid_input_err {
    ($($arg:tt)*) => { $crate::Error::InvalidInput(format!($($arg)*)) };
}
pub(crate) use invalid_input_err;
