//! The error type of `lockstep-core`.

/// Errors raised by the core data structures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller passed something the core cannot represent (the caller's fault).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A fixed-size structure is full (more ids, verbs or bytes than it can address).
    #[error("resources exhausted: {0}")]
    ResourcesExhausted(String),
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
}

/// The result type of `lockstep-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds an [`Error::InvalidInput`] from `format!` arguments.
#[macro_export]
macro_rules! invalid_input_err {
    ($($arg:tt)*) => { $crate::Error::InvalidInput(format!($($arg)*)) };
}

/// Builds an [`Error::Internal`] from `format!` arguments.
#[macro_export]
macro_rules! internal_err {
    ($($arg:tt)*) => { $crate::Error::Internal(format!($($arg)*)) };
}
