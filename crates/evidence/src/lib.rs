//! Evidence bundles of one operation, and their verification.
//!
//! # Brief overview
//!
//! [`FindingsDir::read`] reads a findings directory (CONTRACT §2, the `--out` of `lockstep
//! scan`) once, hashing each findings file. [`write_bundle`] takes it, the
//! [`EventLog`](lockstep_core::EventLog) the
//! findings were computed from and an operation id, and writes a directory a lawyer can file:
//!
//! | file | content |
//! |---|---|
//! | `README.md` | the operation, reason codes, beneficiaries, the timeline, the files, how to check them |
//! | `events.csv`, `events.parquet` | every event of the operation's accounts and every event flagged for it, by time, in the CONTRACT §1 input format |
//! | `flagged_events.csv` | the findings' `event,operation,reasons` rows of those events |
//! | `accounts.csv`, `reasoning.json` | per account its role, verdict, score, reason codes and the operation's signals behind them; the policy version |
//! | `timeline.csv` | runs (same action, same target, gaps ≤ an hour) in time order |
//! | `beneficiaries.csv` | the owners of the engaged targets (the vendor's customers) with counts |
//! | `report.html`, `plots/*.svg` | the report's section on the operation ([`lockstep_report::render_operation_section`]) |
//! | `provenance.json` | the findings files and input files with their SHA-256, the tool, notes |
//! | `SHA256SUMS`, `manifest.json` | the SHA-256 and size of every file, and the bundle hash |
//!
//! The bundle hash is the SHA-256 of `SHA256SUMS` (see [`manifest`](mod@manifest)), so
//! `sha256sum -c SHA256SUMS` and `sha256sum SHA256SUMS` check a bundle without lockstep.
//! Writing goes to a temporary directory next to the output, renamed into place at the end.
//! [`verify()`] recomputes everything and returns each [`Difference`] by file name.
//!
//! Sibling crates: `lockstep-report` (the HTML section), `lockstep-ingest` (the event
//! writers), `lockstep-store` (the audit log the command line records bundles in).
//!
//! # Example
//!
//! ```
//! use lockstep_core::{EventLogBuilder, RawEvent};
//! use lockstep_evidence::{FindingsDir, WriteOptions, verify, write_bundle};
//!
//! let mut b = EventLogBuilder::new();
//! b.begin_source("events.jsonl");
//! for (i, actor) in ["bot1", "bot2", "bot3"].into_iter().enumerate() {
//!     b.push(&RawEvent {
//!         id: None, ts: 1_700_000_000_000 + i as i64 * 1000, actor, action: "like",
//!         target: "post1", owner: Some("brand"), text: None, ip: None, device: None,
//!         client: None, line: i as u32 + 1,
//!     }).unwrap();
//! }
//! let log = b.finish();
//!
//! let tmp = tempfile::tempdir().unwrap();
//! let findings = tmp.path().join("findings");
//! std::fs::create_dir(&findings).unwrap();
//! std::fs::write(findings.join("operations.json"),
//!     r#"{"policy_version": "p1", "operations": [{"id": "op1", "kind": "like-farm",
//!        "members": ["bot1", "bot2", "bot3"], "beneficiaries": ["brand"]}]}"#).unwrap();
//! std::fs::write(findings.join("flagged_events.csv"),
//!     "event,operation,reasons\nevents.jsonl:1,op1,lockstep-group\nevents.jsonl:2,op1,lockstep-group\n").unwrap();
//!
//! let source = FindingsDir::read(&findings).unwrap();
//! let out = tmp.path().join("bundle");
//! let written = write_bundle(&log, &source, "op1", &out, &WriteOptions::default()).unwrap();
//! assert_eq!((written.events, written.flagged), (3, 2));
//! assert!(verify(&out, None).unwrap().is_intact());
//!
//! std::fs::write(out.join("timeline.csv"), "tampered").unwrap();
//! let v = verify(&out, Some(&written.manifest.bundle_sha256)).unwrap();
//! assert!(v.differences[0].to_string().starts_with("changed: timeline.csv"));
//! ```

mod bundle;
mod error;
pub mod manifest;
mod source;
mod text;
mod verify;

pub use bundle::{RUN_GAP_MS, WriteOptions, Written, check_output, write_bundle};
pub use error::{Error, Result};
pub use manifest::{FileEntry, Manifest};
pub use source::{FINDINGS_FILES, FindingsDir, RecordedInputs};
pub use verify::{Difference, Verification, verify};

/// The audit-log action recorded for a written bundle (by the command line's `--db`).
pub const AUDIT_ACTION: &str = "evidence.write";

#[cfg(test)]
mod tests;
