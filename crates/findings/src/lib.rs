//! The findings files of a scan (CONTRACT §2) as types, written by one writer and read by one
//! tolerant reader.
//!
//! # Brief overview
//!
//! - The CSV files are row types implementing [`CsvRow`]: [`VerdictRow`] (`verdicts.csv`),
//!   [`FlaggedEventRow`] (`flagged_events.csv`), [`CorrectionRow`] (`corrections.csv`) and
//!   [`BurstRow`] (`bursts.csv`), [`InfrastructureUseRow`] (`infrastructure.csv`) and
//!   [`FlaggedEventAccountRow`] (`flagged_event_accounts.csv`) and [`ReviewRow`]
//!   (`review_queue.csv`), each with its header constant. Their string fields are
//!   `Cow`s, so a writer borrows and a reader owns.
//! - [`Writer`] writes any of them (header first, or rows only for a part of a file);
//!   [`read`] / [`read_file`] read any of them into a [`Table`]: the rows with their line
//!   numbers, and a [`Problem`] (file, line, reason) for every row it left out or read in
//!   part. A bad row never stops the read.
//! - `operations.json` is an [`OperationsFile`] of [`Operation`]s, with the ban
//!   [`Fingerprint`]; [`write_operations`] writes it, [`read_operations`] reads any producer's
//!   operations tolerantly into [`OperationEntry`]s, naming the JSON path of each problem.
//! - [`SCHEMA_VERSION`] is the version of the layout (`operations.json`, `summary.json`).
//!
//! Written by `lockstep-judge`; read by `lockstep-eval`, `lockstep-enforce`,
//! `lockstep-report` and `lockstep-import`. Depends on nothing of lockstep.
//!
//! # Example
//!
//! ```
//! use lockstep_findings::{Verdict, VerdictRow, Writer, read};
//!
//! let mut w = Writer::new::<VerdictRow>(Vec::new()).unwrap();
//! w.write(&VerdictRow {
//!     account: "a1".into(),
//!     verdict: Verdict::Fake,
//!     score: Some(0.9),
//!     operation: "op-001".into(),
//!     reasons: "lockstep".into(),
//! })
//! .unwrap();
//! let bytes = w.finish().unwrap();
//! assert_eq!(bytes, b"account,verdict,score,operation,reasons\na1,fake,0.900,op-001,lockstep\n");
//!
//! let t = read::<VerdictRow>(&b"account,verdict\na1,fake\n,ok\n"[..]);
//! assert_eq!(t.rows.len(), 1);
//! assert_eq!(t.problems[0].to_string(), "verdicts.csv:3: empty account");
//! ```

mod operations;
mod rows;
mod table;

#[cfg(test)]
mod tests;

pub use operations::{
    BanMatchEntry, BanProfile, BanRecord, ClientCount, ClientShare, DeliveryProfile,
    DeviceFingerprint, Fingerprint, Infrastructure, OPERATIONS, Operation, OperationEntry,
    OperationsFile, OperationsRead, RangeUse, SignalEntry, Subnet, TimeSpan, read_operations,
    read_operations_named, read_operations_value, scalar_id, write_operations,
};
pub use rows::{
    BURSTS, BURSTS_HEADER, BurstRow, CORRECTIONS, CORRECTIONS_HEADER, CorrectionRow,
    FLAGGED_EVENT_ACCOUNTS, FLAGGED_EVENT_ACCOUNTS_HEADER, FLAGGED_EVENTS, FLAGGED_EVENTS_HEADER,
    FlaggedEventAccountRow, FlaggedEventRow, INFRASTRUCTURE, INFRASTRUCTURE_HEADER,
    InfrastructureUseRow, REVIEW_QUEUE, REVIEW_QUEUE_HEADER, ReviewRow, VERDICTS, VERDICTS_HEADER,
    Verdict, VerdictRow, join_ids, split_ids,
};
pub use table::{
    CsvRow, Fields, Problem, Table, Writer, read, read_each, read_file, read_named, write_all,
};

/// The version of the findings layout (`operations.json`, `summary.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// `summary.json`.
pub const SUMMARY: &str = "summary.json";
