//! What a load read: per-file and total counts, rejected lines by reason, bytes and time.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Serialize, Serializer};

fn secs<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn path_text<S: Serializer>(p: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Engagement events.
    Events,
    /// The accounts side file.
    Accounts,
    /// The devices side file.
    Devices,
}

/// Counts for one input file.
///
/// Every line read is kept, rejected or blank: `lines == kept + rejected + blank_lines`.
/// A "line" is a line of JSON Lines, a record of CSV (the header is not counted; a quoted
/// newline does not start a new one), or a row of Parquet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileStats {
    /// The path as given.
    #[serde(serialize_with = "path_text")]
    pub path: PathBuf,
    /// The name used in `FILE:LINE` ids and in rejected lines.
    pub name: String,
    /// What the file holds.
    pub kind: FileKind,
    /// The format read: `jsonl`, `jsonl.gz`, `csv`, `csv.gz` or `parquet`.
    pub format: &'static str,
    /// The file's size on disk.
    pub bytes: u64,
    /// Lines (records, rows) read.
    pub lines: u64,
    /// Blank lines, skipped.
    pub blank_lines: u64,
    /// Lines that became events or side-table rows.
    pub kept: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Time spent on this file.
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
    /// Things worth knowing that are not rejected lines (for example a Parquet column of a
    /// type that cannot be kept as an attribute).
    pub notes: Vec<String>,
}

/// Counts for a whole load. Serialises to JSON for `summary.json` (durations in seconds).
///
/// `lines == events + accounts + devices + rejected + blank_lines`: nothing is dropped
/// silently.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestStats {
    /// One entry per file, in the order read (events first, then accounts, then devices).
    pub files: Vec<FileStats>,
    /// Lines read in all files.
    pub lines: u64,
    /// Blank lines skipped.
    pub blank_lines: u64,
    /// Events kept.
    pub events: u64,
    /// Account rows kept.
    pub accounts: u64,
    /// Device rows kept.
    pub devices: u64,
    /// Lines rejected (written to the reject sink).
    pub rejected: u64,
    /// Rejected lines by reason code.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Bytes of input on disk (compressed size for gzip).
    pub input_bytes: u64,
    /// Wall time of the load.
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
}

impl IngestStats {
    /// Lines that were not blank: the denominator of a fractional reject budget.
    pub fn records(&self) -> u64 {
        self.lines - self.blank_lines
    }

    /// Events per second of wall time.
    pub fn events_per_sec(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}
