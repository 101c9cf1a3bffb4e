//! What the judge decides, as types: a verdict per account ([`AccountVerdict`]), the
//! operations ([`Operation`]), the accounts sent to review ([`ReviewItem`]) and the whole
//! [`Judgement`]. Written out by `write`, explained by `explain`, extended by ban matching.

use lockstep_core::Id;
use lockstep_detect::Signal;
use serde::Serialize;

use crate::Reasons;

/// "No operation" in [`Judgement::event_op`] and [`AccountVerdict::operation`].
pub const NO_OP: u32 = u32::MAX;

/// The verdict on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing actionable.
    #[default]
    Ok,
    /// Some evidence; for review only.
    Suspicious,
    /// An account that exists to sell engagement.
    Fake,
    /// A real person's account whose engagement was (partly) produced by someone else.
    Compromised,
}

impl Verdict {
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Suspicious => "suspicious",
            Verdict::Fake => "fake",
            Verdict::Compromised => "compromised",
        }
    }

    /// `fake` or `compromised`: actionable.
    pub fn is_flagged(self) -> bool {
        matches!(self, Verdict::Fake | Verdict::Compromised)
    }
}

/// The judge's word on one account.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AccountVerdict {
    /// The verdict.
    pub verdict: Verdict,
    /// The fused score in [0, 1].
    pub score: f32,
    /// Index into [`Judgement::operations`], or [`NO_OP`].
    pub operation: u32,
    /// Why.
    pub reasons: Reasons,
}

/// What an operation mostly does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OperationKind {
    /// Likes (and shares) delivered by accounts that exist for it.
    LikeFarm,
    /// Follows.
    FollowerVendor,
    /// Comments and reviews.
    CommentFarm,
    /// Real people's accounts driven by a vendor's app or infrastructure.
    VendorApp,
    /// Automated reads.
    Scraping,
}

impl OperationKind {
    /// `like-farm`, `follower-vendor`, `comment-farm`, `vendor-app` or `scraping`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::LikeFarm => "like-farm",
            OperationKind::FollowerVendor => "follower-vendor",
            OperationKind::CommentFarm => "comment-farm",
            OperationKind::VendorApp => "vendor-app",
            OperationKind::Scraping => "scraping",
        }
    }
}

/// A signal's contribution to an operation, as `operations.json` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalRef {
    /// Index into [`Judgement::signals`], or `None` for the judge's own rules (expansion,
    /// bursts, delivery pools as one, device and trust corroboration, ban matches).
    pub signal: Option<usize>,
    /// The reason code.
    pub reason: &'static str,
    /// The detector's score.
    pub score: f64,
    /// Accounts in the signal.
    pub accounts: usize,
    /// The signal's one-line summary.
    pub summary: String,
}

/// Connected evidence: one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `op-001`, … in order of size.
    pub id: String,
    /// What it mostly does.
    pub kind: OperationKind,
    /// Flagged member accounts, sorted.
    pub members: Vec<Id>,
    /// Members judged `fake`.
    pub fake: usize,
    /// Members judged `compromised`.
    pub compromised: usize,
    /// Accounts judged `suspicious` that the same evidence points at, sorted.
    pub suspicious: Vec<Id>,
    /// Targets of the operation's evidence events, sorted.
    pub targets: Vec<Id>,
    /// Owners of those targets (who paid), members excluded, sorted.
    pub beneficiaries: Vec<Id>,
    /// Owners of what the operation read (scraping), sorted.
    pub victims: Vec<Id>,
    /// IPs at least `min_infra_members` members used for operation work, sorted.
    pub ips: Vec<Id>,
    /// Their /24 (IPv4) or /48 (IPv6) networks with the number of infrastructure IPs in each.
    pub subnets: Vec<(String, usize)>,
    /// Devices at least `min_infra_members` members used for operation work, sorted.
    pub devices: Vec<Id>,
    /// IPs that another operation holds as its infrastructure (in its `ips`) and that at
    /// least `min_infra_members` of this operation's members used for its work: one vendor
    /// running two operations through the same machines, so neither's members alone are most
    /// of their users. Sorted, none in `ips`. `operations.json` lists them with `ips`;
    /// corroboration ([`crate::corroborate()`]) uses `ips` only.
    pub joint_ips: Vec<Id>,
    /// Devices another operation holds (in its `devices`) that at least `min_infra_members`
    /// of this operation's members used for its work, as [`Operation::joint_ips`].
    pub joint_devices: Vec<Id>,
    /// Clients of the operation's evidence events with their event counts, most used first.
    pub clients: Vec<(Id, usize)>,
    /// First and last flagged event.
    pub span: (i64, i64),
    /// Flagged events.
    pub events: usize,
    /// Mean member score.
    pub score: f64,
    /// The signals that found it.
    pub signals: Vec<SignalRef>,
}

/// Everything the judge decided.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// The policy's `version`.
    pub policy_version: String,
    /// One verdict per account id of the log.
    pub accounts: Vec<AccountVerdict>,
    /// Per event: the operation it was flagged for, or [`NO_OP`] when not flagged.
    pub event_op: Vec<u32>,
    /// Per event: why it was flagged (empty when not flagged).
    pub event_reasons: Vec<Reasons>,
    /// The operations, largest first.
    pub operations: Vec<Operation>,
    /// The detector signals judged.
    pub signals: Vec<Signal>,
    /// The bursts listed with an operation: (index into `signals`, index into
    /// `operations`), sorted.
    pub burst_ops: Vec<(usize, u32)>,
    /// Why each account judged `suspicious` was sent to review, and the evidence behind it,
    /// in account order (an account no longer `suspicious` after a later step is skipped when
    /// the queue is written).
    pub review: Vec<ReviewItem>,
}

/// Why an account was sent to review rather than flagged or cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewCause {
    /// Its evidence scores below `verdict.flag_score`: one more independent signal would flag it.
    WeakEvidence,
    /// Its evidence is spread over fewer targets or days than the repetition guard needs.
    FewRepetitions,
    /// Its evidence joins no operation (no lockstep group or crew seeds one for it).
    NoOperation,
    /// It has a life of its own through its own devices and networks, and its operation work
    /// came through them too: co-behaviour, or a person a vendor drives through their own phone.
    OwnLife,
    /// A long, broad history (trust) in an operation a fake account would be flagged for.
    Trusted,
}

impl ReviewCause {
    /// The name written in `review_queue.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewCause::WeakEvidence => "weak-evidence",
            ReviewCause::FewRepetitions => "few-repetitions",
            ReviewCause::NoOperation => "no-operation",
            ReviewCause::OwnLife => "own-life",
            ReviewCause::Trusted => "trusted",
        }
    }
}

/// One account sent to review: why, and the evidence behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    /// The account.
    pub account: Id,
    /// Why it is in review.
    pub cause: ReviewCause,
    /// The operation its evidence points to (index into [`Judgement::operations`]), or
    /// [`NO_OP`].
    pub operation: u32,
    /// The evidence events (sorted): its engagement inside the groups, blocks, templates or
    /// crews that scored it.
    pub events: Vec<u32>,
    /// Distinct targets, days and owners of those events.
    pub targets: usize,
    /// Distinct days.
    pub days: usize,
    /// Distinct owners.
    pub owners: usize,
}

impl Judgement {
    /// Accounts per verdict: `[ok, suspicious, fake, compromised]`.
    pub fn verdict_counts(&self) -> [usize; 4] {
        let mut c = [0usize; 4];
        for a in &self.accounts {
            c[a.verdict as usize] += 1;
        }
        c
    }

    /// Flagged events.
    pub fn flagged_events(&self) -> usize {
        self.event_op.iter().filter(|&&o| o != NO_OP).count()
    }

    /// The flagged events, by index: the rows of `flagged_events.csv` in order.
    pub fn flagged_event_indices(&self) -> Vec<u32> {
        (0..self.event_op.len() as u32)
            .filter(|&e| self.event_op[e as usize] != NO_OP)
            .collect()
    }
}
