//! The human report of a scan: one self-contained `report.html` with inline SVG plots.
//!
//! # Brief overview
//!
//! [`Findings`] reads a findings directory (CONTRACT §2: `verdicts.csv`,
//! `flagged_events.csv`, `operations.json`, `corrections.csv`, `summary.json`) tolerantly:
//! missing files and bad rows become notes shown at the end of the page. [`ReportIndex`] ties
//! the findings to the [`EventLog`] with one pass over it: the events of each operation's
//! members, which events are flagged, and for which operation. [`render`] turns both into the
//! page: a summary (events, accounts by verdict, operations by kind, policy version, rejected
//! lines), then per operation why it was found (signals, and reason codes with the accounts and
//! events that carry each), its plots — the accounts × time lockstep picture (the CopyCatch /
//! SynchroTrap view: rows are member accounts by first activity, one dot per engagement,
//! coloured by target, flagged events solid and the members' other events faint); for a
//! follower vendor also each customer's follows per day against its own past; for a harvest,
//! instead, its reads by hour of day and the accounts whose data it read over time — its
//! beneficiaries or victims and its infrastructure (marked where `operations.json` names it),
//! then reported vs corrected counts of the most affected targets. [`render_operation_section`] renders one operation on its own (HTML
//! plus standalone SVG plots) for evidence bundles; [`write_report`] reads a directory and
//! writes `report.html` into it.
//!
//! Every string from the input is escaped; the page loads nothing from the network, uses no
//! script and reads well printed. Sibling crates: `lockstep-core` (the log), `lockstep-detect`
//! (the findings' producer), `lockstep-enforce` (reads the same directory to act on it).
//!
//! # Example
//!
//! ```
//! use lockstep_core::{EventLogBuilder, RawEvent};
//! use lockstep_report::{Findings, render};
//!
//! let mut b = EventLogBuilder::new();
//! b.begin_source("events.jsonl");
//! for (i, actor) in ["bot1", "bot2", "<b>bot3</b>"].into_iter().enumerate() {
//!     let ev = RawEvent {
//!         id: None, ts: 1_700_000_000_000 + i as i64 * 1000, actor, action: "like",
//!         target: "post1", owner: Some("brand"), text: None, ip: "10.0.0.1".parse().ok(),
//!         device: None, client: Some("web"), line: i as u32 + 1,
//!     };
//!     b.push(&ev).unwrap();
//! }
//! let log = b.finish();
//!
//! let mut f = Findings::new();
//! f.read_operations(br#"[{"id": "op1", "kind": "like-farm",
//!                        "accounts": ["bot1", "bot2", "<b>bot3</b>"]}]"#);
//! for line in 1..=3 {
//!     f.push_flagged(&format!("events.jsonl:{line}"), "op1", "lockstep");
//! }
//! let html = render(&log, &f);
//! assert!(html.contains("Operation <code>op1</code>"));
//! assert!(html.contains("&lt;b&gt;bot3&lt;/b&gt;"));
//! assert!(!html.contains("<b>bot3"));
//! ```

mod activity;
mod error;
mod findings;
pub mod fmt;
mod index;
mod op;
mod page;
pub mod svg;

use std::path::{Path, PathBuf};

use lockstep_core::EventLog;

pub use error::{Error, Result};
pub use findings::{Correction, Findings, FlaggedRow, Label, Labels, Operation, VerdictRow};
pub use index::{OpIndex, ReasonCount, ReportIndex};
pub use op::{OperationSection, Plot, PlotLimits, render_operation_section};
pub use page::STYLE;

/// The report's file name inside a findings directory.
pub const REPORT_FILE: &str = "report.html";

/// Renders the report page for `log` and `findings` with the default [`PlotLimits`].
///
/// # Complexity
/// One pass over the log to index it ([`ReportIndex::build`]), then work proportional to the
/// operations' events; the plots are capped by [`PlotLimits`].
pub fn render(log: &EventLog, findings: &Findings) -> String {
    render_with(log, findings, &PlotLimits::default())
}

/// Renders the report page with the given limits.
pub fn render_with(log: &EventLog, findings: &Findings, limits: &PlotLimits) -> String {
    let index = ReportIndex::build(log, findings);
    page::page(log, findings, &index, limits)
}

/// Reads the findings files in `findings_dir` and writes `findings_dir/report.html`.
///
/// # Returns
/// The path of the report.
///
/// # Errors
/// [`Error::InvalidInput`] when `findings_dir` is not a directory; [`Error::Io`] when a
/// findings file exists but cannot be read, or the report cannot be written. Missing or
/// malformed findings are not errors: the page lists them under "Notes on the input".
pub fn write_report(log: &EventLog, findings_dir: &Path) -> Result<PathBuf> {
    write_report_known(log, findings_dir, None)
}

/// [`write_report`] for the writer of `flagged_events.csv`, which knows the log event of each
/// of its rows (`flagged_events[row]`): see [`ReportIndex::build_known`].
///
/// # Errors
/// As [`write_report`].
pub fn write_report_known(
    log: &EventLog,
    findings_dir: &Path,
    flagged_events: Option<&[u32]>,
) -> Result<PathBuf> {
    let findings = Findings::read(findings_dir)?;
    let index = ReportIndex::build_known(log, &findings, flagged_events);
    let html = page::page(log, &findings, &index, &PlotLimits::default());
    let path = findings_dir.join(REPORT_FILE);
    let tmp = findings_dir.join(".report.html.tmp");
    std::fs::write(&tmp, html).map_err(error::io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(error::io(&path))?;
    Ok(path)
}
