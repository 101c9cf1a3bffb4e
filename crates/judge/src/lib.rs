//! The judge: fuses detector signals and each account's own history into verdicts, flagged
//! events, operations and corrected counts, under a versioned [`Policy`].
//!
//! # Brief overview
//!
//! - [`run_detectors`] runs the detectors of `lockstep-detect` that the policy enables
//!   (lockstep groups, harvesting, templates, drips, ranges, bursts, Fraudar, M-Zoom) over one shared `lockstep_graph::GraphIndex` and
//!   returns their [`Signal`](lockstep_detect::Signal)s.
//! - [`judge_indexed`] (or [`judge()`]) is a pure function of the log, the signals and the
//!   policy. Lockstep groups and harvesting crews seed operations; CopyCatch's membership
//!   rule adds the accounts that repeatedly engaged a group's targets inside its bursts; dense
//!   blocks count only when corroborated. Each account gets a fused score, reasons
//!   ([`Reasons`]) and a repetition guard (many targets, several days), then its history
//!   decides `fake` (little but operation work) against `compromised` (an own history through
//!   its own clients, devices and IPs, with operation work through the vendor's). The result is
//!   a [`Judgement`]: an [`AccountVerdict`] per account, a flag per event, [`Operation`]s.
//! - [`scan`] does both; [`write_findings`] writes the CONTRACT §2 files the judge owns.
//!
//! The thresholds are in [`Policy`] (TOML, `docs/POLICY.md`), harvesting and follower pools
//! as their own tables — not yet all of them: the lockstep detector's pair and group tests
//! beyond its windows, Fraudar's and M-Zoom's, the device checks' and trust's own configs
//! keep their defaults in `lockstep-detect`. The ban matcher's thresholds are the policy's
//! `[bans]` table. Sibling crates: `lockstep-core` (the log), `lockstep-detect` (the
//! detectors), `lockstep-eval` (scoring against truth).
//!
//! # Example
//!
//! ```
//! use lockstep_core::{EventLogBuilder, RawEvent};
//! use lockstep_judge::{Policy, Verdict, scan};
//!
//! // Eight accounts like the same post within two minutes, on eight different days, for
//! // four customers; a bystander likes one of the posts an hour later.
//! let mut b = EventLogBuilder::new();
//! for day in 0..8i64 {
//!     let buyer = format!("buyer{}", day % 4);
//!     for m in 0..8i64 {
//!         let (actor, target) = (format!("farm{m}"), format!("order{day}"));
//!         b.push(&RawEvent { id: None, ts: day * 86_400_000 + m * 15_000, actor: &actor,
//!             action: "like", target: &target, owner: Some(&buyer), text: None, ip: None,
//!             device: None, client: None, line: 1 }).unwrap();
//!     }
//! }
//! b.push(&RawEvent { id: None, ts: 3_600_000, actor: "fan", action: "like",
//!     target: "order0", owner: Some("buyer0"), text: None, ip: None, device: None,
//!     client: None, line: 1 }).unwrap();
//! let log = b.finish();
//! let (j, _timings) = scan(&log, &Policy::default()).unwrap();
//! let verdict = |name: &str| j.accounts[log.accounts.get(name).unwrap() as usize].verdict;
//! assert_eq!(verdict("farm3"), Verdict::Fake);
//! assert_eq!(verdict("fan"), Verdict::Ok);
//! assert_eq!(j.operations.len(), 1);
//! assert_eq!(j.operations[0].kind.as_str(), "like-farm");
//! ```

mod bans;
mod corroborate;
mod detectors;
mod error;
mod explain;
mod explanations;
mod infrastructure;
mod judge;
mod policy;
mod reasons;
mod types;
mod write;

use std::time::{Duration, Instant};

use lockstep_core::EventLog;
use lockstep_graph::{ActionSet, GraphIndex};

pub use bans::{
    BAN_MATCHES_HEADER, BanConfig, BanLink, BanMatch, BanMatches, BannedOperation, ClientShare,
    DeliveryProfile, DeviceFingerprint, Evidence, Fingerprint, RangeUse, fingerprints, match_bans,
    write_ban_matches,
};
pub use corroborate::{
    Corroboration, CorroborationReports, CorroborationStats, corroborate, corroborate_with,
};
pub use detectors::run_detectors;
pub use error::{Error, Result};
pub use explain::{
    AccountHistory, EventLine, Events, Explainer, Explanation, InfraLine, OperationBrief,
    RawHistory, ReasonLine, SignalLine, explain, reason_meaning,
};
pub use explanations::{
    BLOCK_ACCOUNTS, EXPLANATION_EVENTS, EXPLANATIONS, EXPLANATIONS_ACCOUNTS,
    EXPLANATIONS_FINGERPRINTS, EXPLANATIONS_INDEX, EXPLANATIONS_INDEX_HEADER, EXPLANATIONS_SIGNALS,
    ExplanationsWritten, Record, RecordDevice, RecordEvent, RecordReason, explanations_dir,
    read_explanation, read_record, write_explanations,
};
pub use infrastructure::{KeyKind, KeyUse, infrastructure_use};
pub use judge::{
    AccountVerdict, Judgement, NO_OP, Operation, OperationKind, ReviewCause, ReviewItem, SignalRef,
    Verdict, judge, judge_indexed,
};
pub use policy::{
    Bursts, Content, DEFAULT_POLICY_VERSION, Dense, Detectors, Expansion, Harvest, History, Policy,
    Rates, Verdict as VerdictPolicy,
};
pub use reasons::{REASON_CODES, Reasons};
pub use write::{
    BURSTS_HEADER, CORRECTIONS_HEADER, FLAGGED_EVENTS_HEADER, SCHEMA_VERSION, VERDICTS_HEADER,
    corrections, operations_file, review_queue, write_bursts, write_corrections, write_findings,
    write_findings_with_bans, write_flagged_event_accounts, write_flagged_events,
    write_infrastructure, write_operations, write_review_queue, write_verdicts,
};

/// Wall time per stage, in the order the stages ran, and what some stages counted of their
/// work (the same on every run of the same input, unlike the times).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// Wall time per stage.
    pub stages: Vec<(String, Duration)>,
    /// Counters per stage, e.g. `detect.lockstep` → `pair_records`.
    pub work: Vec<(String, Vec<(&'static str, u64)>)>,
}

impl Timings {
    /// Records a stage.
    pub fn push(&mut self, stage: &str, d: Duration) {
        self.stages.push((stage.to_string(), d));
    }
}

/// Indexes the log, runs the detectors and judges: the whole scan of one log in memory.
///
/// # Errors
/// [`Error::InvalidInput`] for a bad policy; a detector's error.
///
/// # Complexity
/// Dominated by the detectors; see [`run_detectors`] and [`judge_indexed`].
pub fn scan(log: &EventLog, policy: &Policy) -> Result<(Judgement, Timings)> {
    scan_with_reports(log, policy).map(|(j, timings, _)| (j, timings))
}

/// [`scan`], also returning the device checks and trust that corroboration computed, which
/// [`Explainer::with_reports`] reuses.
///
/// # Errors
/// As [`scan`].
pub fn scan_with_reports(
    log: &EventLog,
    policy: &Policy,
) -> Result<(Judgement, Timings, CorroborationReports)> {
    policy.validate()?;
    let mut timings = Timings::default();
    let t = Instant::now();
    let g = GraphIndex::build(log, ActionSet::engagement());
    timings.push("index", t.elapsed());
    let signals = run_detectors(log, &g, policy, &mut timings)?;
    let mut j = judge_indexed(log, &g, signals, policy, &mut timings)?;
    let t = Instant::now();
    let reports = CorroborationReports::compute(log, &policy.corroboration);
    corroborate_with(log, &mut j, &policy.corroboration, &reports);
    timings.push("judge.corroborate", t.elapsed());
    Ok((j, timings, reports))
}
