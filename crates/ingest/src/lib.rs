//! Reads CONTRACT §1 input (events, accounts, devices in JSON Lines, gzip, CSV and Parquet)
//! into a [`lockstep_core::EventLog`], rejecting bad lines with reasons; and writes the same
//! formats ([`write`](mod@write)).
//!
//! # Brief overview
//!
//! [`load`] takes [`Inputs`] (event files and optional side files) and [`IngestOptions`], and
//! returns a [`Loaded`]: the event log with its side tables, and [`IngestStats`]. Every line
//! read is kept, rejected or blank. Each rejected line goes to a [`RejectSink`] as a
//! [`Rejected`] record with a stable [`Reason`] code ([`JsonlRejectSink`] writes the
//! `rejected.jsonl` of the contract); a [`RejectBudget`] stops the run when too many are
//! rejected. Errors ([`Error`]) are kept for input that cannot be read at all.
//!
//! The format of a file comes from its extension ([`InputFormat::of`]):
//!
//! - JSON Lines (`.jsonl`, `.ndjson`, either with `.gz`): read in blocks of whole lines on a
//!   reader thread, parsed in parallel with rayon, interned in order on the calling thread
//!   while the next block is parsed.
//! - CSV (`.csv`, `.csv.gz`): a header row names the columns, in any order.
//! - Parquet (`.parquet`, with the default `parquet` feature): columns by name, read batch by
//!   batch through the Arrow reader.
//!
//! [`write`](mod@write) has the matching writers ([`write::EventWriter`], [`write::AccountWriter`],
//! [`write::DeviceWriter`]) that the simulator (`lockstep-sim`) uses; whatever they write
//! reads back through [`load`] unchanged. The `lockstep` command line (`lockstep-cli`) calls
//! [`load`] for `scan` and `inspect`.
//!
//! # Example
//!
//! ```
//! use lockstep_ingest::write::{EventRow, EventWriter, Format};
//! use lockstep_ingest::{IngestOptions, Inputs, Reason, RejectBudget, VecRejectSink, load};
//!
//! let dir = std::env::temp_dir().join(format!("lockstep-ingest-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("events.jsonl");
//!
//! let mut w = EventWriter::create(&path, Format::Jsonl).unwrap();
//! for (id, actor) in [("e1", "alice"), ("e2", "bob"), ("e1", "carol")] {
//!     w.write(&EventRow {
//!         id, ts: 1_772_366_400_123, actor, action: "like", target: "post9",
//!         owner: Some("dave"), text: None, ip: "203.0.113.7".parse().ok(), device: None,
//!         client: Some("android/412.0"),
//!     }).unwrap();
//! }
//! w.finish().unwrap();
//!
//! let mut rejected = VecRejectSink::new();
//! let events = [path];
//! let opts = IngestOptions { max_rejected: RejectBudget::Count(10), ..Default::default() };
//! let loaded = load(&Inputs::events(&events), &opts, &mut rejected).unwrap();
//! assert_eq!(loaded.log.len(), 2);
//! assert_eq!(loaded.stats.lines, 3);
//! assert_eq!(rejected.0[0].reason, Reason::DuplicateId);
//! assert_eq!(rejected.0[0].line, 3);
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod csvin;
mod ctx;
mod error;
mod fields;
mod input;
mod jsonl;
mod lines;
#[cfg(feature = "parquet")]
mod pq;
mod reject;
mod side;
mod stats;
mod time;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use lockstep_core::EventLog;

pub use error::{Error, Result};
pub use input::{ACCEPTED_EXTENSIONS, InputFormat};
pub use reject::{
    JsonlRejectSink, NullRejectSink, RAW_LIMIT, Reason, RejectBudget, RejectSink, Rejected,
    VecRejectSink,
};
pub use stats::{FileKind, FileStats, IngestStats};
pub use time::{MAX_TS, MIN_TS};

use crate::ctx::Ctx;
use crate::input::Planned;

/// The default line limit: 1 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
/// The largest line limit accepted; larger settings are lowered to it.
pub const MAX_MAX_LINE_BYTES: usize = 1 << 30;

/// How to load.
#[derive(Clone)]
pub struct IngestOptions {
    /// How many rejected lines the run tolerates; default [`RejectBudget::Fraction`]`(0.01)`.
    pub max_rejected: RejectBudget,
    /// Lines longer than this are rejected (`line_too_long`) without being held in memory;
    /// default [`DEFAULT_MAX_LINE_BYTES`], at most [`MAX_MAX_LINE_BYTES`].
    pub max_line_bytes: usize,
    /// Called now and then with the bytes of input consumed so far, summed over all files of
    /// the load (compressed bytes for gzip); it ends at [`total_input_bytes`].
    pub progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
    /// The size of the blocks JSON Lines is read in; default 8 MiB.
    pub block_bytes: usize,
    /// Where to find the rejected lines, said at the end of the message of a run stopped by
    /// the budget (e.g. `each with its reason in out/rejected.jsonl`, where the caller's sink
    /// writes them); default `None`: the message names no place.
    pub rejected_hint: Option<String>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_rejected: RejectBudget::default(),
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            progress: None,
            block_bytes: 8 << 20,
            rejected_hint: None,
        }
    }
}

impl std::fmt::Debug for IngestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("max_rejected", &self.max_rejected)
            .field("max_line_bytes", &self.max_line_bytes)
            .field("progress", &self.progress.is_some())
            .field("block_bytes", &self.block_bytes)
            .field("rejected_hint", &self.rejected_hint)
            .finish()
    }
}

/// The files to load.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Event files, read in this order.
    pub events: &'a [PathBuf],
    /// The accounts side file.
    pub accounts: Option<&'a Path>,
    /// The devices side file.
    pub devices: Option<&'a Path>,
}

impl<'a> Inputs<'a> {
    /// Event files only.
    pub fn events(events: &'a [PathBuf]) -> Self {
        Inputs {
            events,
            accounts: None,
            devices: None,
        }
    }

    fn files(&self) -> Vec<(PathBuf, FileKind)> {
        let mut v: Vec<(PathBuf, FileKind)> = self
            .events
            .iter()
            .map(|p| (p.clone(), FileKind::Events))
            .collect();
        v.extend(self.accounts.map(|p| (p.to_path_buf(), FileKind::Accounts)));
        v.extend(self.devices.map(|p| (p.to_path_buf(), FileKind::Devices)));
        v
    }
}

/// What [`load`] returns.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The events and side tables.
    pub log: EventLog,
    /// What was read.
    pub stats: IngestStats,
}

/// The bytes on disk of every input, checking that each exists, is a file and has an accepted
/// extension. The progress callback of [`load`] counts up to this.
///
/// # Errors
/// As [`load`] for a bad path or extension.
pub fn total_input_bytes(inputs: &Inputs<'_>) -> Result<u64> {
    Ok(input::plan(&inputs.files())?.iter().map(|p| p.bytes).sum())
}

/// Loads event files and side files into an event log.
///
/// Every path is checked before anything is read. Events are read in order, then the accounts
/// file, then the devices file; side-file ids are interned into the log's `accounts` and
/// `devices` id spaces. Rejected lines go to `rejected` as they are found.
///
/// # Errors
/// - [`Error::InvalidInput`]: a path that is missing or a directory, an unknown extension, a
///   CSV header or Parquet schema without a required column, a Parquet column of a wrong type,
///   Parquet input in a build without Parquet support, or more rejected lines than
///   `opts.max_rejected` allows (the message gives the counts and top reasons).
/// - [`Error::Io`]: a file that cannot be read (a damaged gzip stream is a rejected line,
///   not an error).
/// - [`Error::Parquet`]: a Parquet file that cannot be decoded.
/// - [`Error::RejectSink`]: `rejected` failed to write.
/// - [`Error::Core`]: an id space is full.
pub fn load(
    inputs: &Inputs<'_>,
    opts: &IngestOptions,
    rejected: &mut dyn RejectSink,
) -> Result<Loaded> {
    let start = Instant::now();
    let plan = input::plan(&inputs.files())?;
    #[cfg(not(feature = "parquet"))]
    if let Some(p) = plan.iter().find(|p| p.format == InputFormat::Parquet) {
        return Err(error::invalid_input_err!(
            "{}: this build of lockstep lacks Parquet support (built without the `parquet` \
             feature); convert the file to JSON Lines or CSV, or rebuild with it",
            p.path.display()
        ));
    }
    let mut ctx = Ctx::new(
        rejected,
        opts.max_rejected,
        opts.max_line_bytes.clamp(1, MAX_MAX_LINE_BYTES),
        opts.block_bytes.clamp(1 << 10, 1 << 30),
        opts.progress.clone(),
    );
    ctx.rejected_hint.clone_from(&opts.rejected_hint);
    ctx.stats.input_bytes = plan.iter().map(|p| p.bytes).sum();
    #[cfg(feature = "parquet")]
    {
        let (mut rows, mut id_rows) = (0usize, 0usize);
        for p in plan
            .iter()
            .filter(|p| p.kind == FileKind::Events && p.format == InputFormat::Parquet)
        {
            if let Some((n, has_ids)) = pq::footer_rows(&p.path) {
                rows = rows.saturating_add(n);
                id_rows = id_rows.saturating_add(if has_ids { n } else { 0 });
            }
        }
        if rows > 0 {
            ctx.builder.reserve(rows, id_rows.saturating_mul(12));
        }
    }
    // Duplicate ids are found once all events are in: see `Ctx::reject_duplicate_ids`.
    ctx.builder.defer_duplicate_ids();
    let result = plan.iter().try_for_each(|p| read_file(&mut ctx, p));
    let result = result
        .and_then(|()| ctx.reject_duplicate_ids())
        .and_then(|()| ctx.check_budget_final());
    // The rejected lines found so far are flushed even when the load fails.
    let flushed = ctx.flush_sink();
    result?;
    flushed?;
    let mut stats = std::mem::take(&mut ctx.stats);
    let log = ctx.builder.finish();
    stats.elapsed = start.elapsed();
    Ok(Loaded { log, stats })
}

fn read_file(ctx: &mut Ctx<'_>, p: &Planned) -> Result<()> {
    ctx.begin_file(p);
    if p.kind == FileKind::Events {
        ctx.builder.begin_source(&p.name);
        ctx.source_files.push(ctx.stats.files.len());
    }
    let path = p.path.as_path();
    match (p.format, p.kind) {
        (InputFormat::Jsonl { gzip }, FileKind::Events) => jsonl::read_events(ctx, path, gzip)?,
        (InputFormat::Jsonl { gzip }, _) => side::read_jsonl(ctx, path, gzip)?,
        (InputFormat::Csv { gzip }, _) => csvin::read(ctx, path, gzip)?,
        #[cfg(feature = "parquet")]
        (InputFormat::Parquet, FileKind::Events) => pq::read_events(ctx, path)?,
        #[cfg(feature = "parquet")]
        (InputFormat::Parquet, _) => pq::read_side(ctx, path)?,
        #[cfg(not(feature = "parquet"))]
        (InputFormat::Parquet, _) => {
            return Err(Error::Internal(
                "Parquet input in a build without it".into(),
            ));
        }
    }
    ctx.end_file();
    Ok(())
}
