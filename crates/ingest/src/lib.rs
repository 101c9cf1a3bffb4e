//! Reads and writes CONTRACT §1 files (JSON Lines, gzip, CSV, Parquet) for the lockstep event log.

mod error;
mod time;
pub mod write;

pub use error::{Error, Result};
pub use time::{MAX_TS, MIN_TS};
