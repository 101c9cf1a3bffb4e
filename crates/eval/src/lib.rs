//! The lockstep scorer: grades a findings directory against a ground-truth directory.
//!
//! # Brief overview
//!
//! [`evaluate`] reads a truth directory (`truth_accounts.csv`, required; `truth_events.csv`,
//! `truth_operations.csv`, `truth_victims.csv`, `truth_beneficiaries.csv`, optional) as the
//! simulator in `lockstep-sim` or an importer of labelled data writes it, and a findings
//! directory (`verdicts.csv`, `flagged_events.csv`, `operations.json`) as `lockstep scan` or any
//! other tool writes it (CONTRACT §2 and §3). It returns a [`Report`]:
//!
//! - [`AccountMetrics`]: account precision, recall and F1 (flagged = verdict `fake` or
//!   `compromised`), the organic false-positive rate and the `suspicious` counts;
//! - [`RightKind`]: whether true positives were called `fake` vs `compromised` correctly;
//! - [`EventMetrics`]: event precision, recall and F1;
//! - [`OperationMetrics`] and [`ScenarioMetrics`]: recall per planted operation, the found
//!   operations that captured it ([`OperationMatch`]), rolled up per scenario;
//! - [`GroupMetrics`]: how often each hard-negative cohort was flagged;
//! - [`RecoveryMetrics`]: scraping victims and beneficiaries named;
//! - [`DataQuality`]: missing files, malformed rows (with line numbers), unknown ids and
//!   duplicates.
//!
//! Broken findings never stop a run: they are scored as "nothing found" and explained in the
//! data-quality section. Every ratio is `None` (JSON `null`, "n/a") when its denominator is zero.
//! [`Report::render_table`] renders the report as text; it serialises to JSON with `serde`.
//! The `lockstep eval` subcommand (crate `lockstep`) is a thin wrapper over both.
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let base = std::env::temp_dir().join(format!("lockstep-eval-doc-{}", std::process::id()));
//! let (truth, findings) = (base.join("truth"), base.join("findings"));
//! std::fs::create_dir_all(&truth)?;
//! std::fs::create_dir_all(&findings)?;
//! std::fs::write(
//!     truth.join("truth_accounts.csv"),
//!     "account,label,operation\nalice,organic,\nbot1,fake,op1\nbot2,fake,op1\n",
//! )?;
//! std::fs::write(
//!     findings.join("verdicts.csv"),
//!     "account,verdict,score,operation,reasons\nbot1,fake,0.9,f1,lockstep\nalice,ok,0.1,,\n",
//! )?;
//!
//! let report = lockstep_eval::evaluate(&truth, &findings)?;
//! assert_eq!(report.accounts.precision, Some(1.0));
//! assert_eq!(report.accounts.recall, Some(0.5));
//! assert_eq!(report.events, None); // no truth_events.csv
//! assert!(report.render_table().contains("account recall"));
//! std::fs::remove_dir_all(&base)?;
//! # Ok(())
//! # }
//! ```

mod csvfile;
mod error;
mod findings;
mod quality;
mod report;
mod table;
mod truth;

use std::path::Path;

pub use error::{Error, Result};
pub use quality::{DataQuality, FileReport, FileStatus, MalformedRow, Side, UnknownIds};
pub use report::{
    AccountMetrics, BurstCohort, BurstMetrics, Confusion, EventMetrics, GroupMetrics,
    KindConfusion, OperationMatch, OperationMetrics, RecoveryMetrics, RecoveryRow, Report,
    ReviewMetrics, RightKind, SCHEMA_VERSION, ScenarioMetrics, SuspiciousCounts,
};

/// Scores the findings in `findings` against the ground truth in `truth`.
///
/// # Arguments
///
/// * `truth` — a directory holding at least `truth_accounts.csv`.
/// * `findings` — a findings directory; it may be missing, empty or partly broken.
///
/// # Returns
///
/// The [`Report`]. Problems with the findings (and with the optional truth files) are in
/// [`Report::data_quality`], never errors.
///
/// # Errors
///
/// [`Error::InvalidInput`] when `truth` is not a directory, has no `truth_accounts.csv`, or
/// that file lacks an `account` or `label` column; [`Error::Io`] when it cannot be read.
///
/// # Complexity
///
/// One pass over each file; memory linear in the truth's accounts and events.
pub fn evaluate(truth: &Path, findings: &Path) -> Result<Report> {
    let mut files = Vec::new();
    let t = truth::load(truth, &mut files)?;
    let mut dq = DataQuality {
        files,
        unknown_accounts: UnknownIds::default(),
        unknown_events: UnknownIds::default(),
        warnings: Vec::new(),
    };
    let f = findings::load(findings, &t, &mut dq);
    Ok(report::compute(
        truth.display().to_string(),
        findings.display().to_string(),
        &t,
        &f,
        dq,
    ))
}
