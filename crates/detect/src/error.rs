//! The error type of `lockstep-detect`.

/// Errors raised by the detectors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value the detector cannot run with (the caller's fault).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
    /// An error from `lockstep-core`.
    #[error(transparent)]
    Core(#[from] lockstep_core::Error),
}

/// The result type of `lockstep-detect`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Returns [`Error::InvalidInput`] from the enclosing function unless `cond` holds.
macro_rules! ensure_input {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            return Err($crate::Error::InvalidInput(format!($($arg)*)));
        }
    };
}
pub(crate) use ensure_input;
