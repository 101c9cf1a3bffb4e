//! The store's error type.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller asked for something malformed (the caller's fault).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with the current state, e.g. deciding an appeal twice.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database holds a schema newer than this build knows.
    #[error(
        "the database schema is version {found}, newer than this build's {known}: upgrade lockstep"
    )]
    SchemaTooNew {
        /// Version found in `schema_version`.
        found: i64,
        /// Newest version this build has migrations for.
        known: i64,
    },
    /// An SQLite error.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL error.
    #[error("postgres: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    /// A stored JSON column does not parse.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A delivery sink or other callback failed.
    #[error("{0}")]
    External(Box<dyn std::error::Error + Send + Sync>),
    /// A bug in lockstep; please report it.
    #[error("internal error (a bug in lockstep; please report it): {0}")]
    Internal(String),
}

/// `Result` with the store's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// PostgreSQL's own message when the server sent one, the client's otherwise.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(cause) = src {
                s.push_str(": ");
                s.push_str(&cause.to_string());
                src = cause.source();
            }
            s
        }
    }
}

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
