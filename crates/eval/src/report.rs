//! The [`Report`] and the metrics in it, computed from a loaded truth and findings.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;

use crate::findings::{self, Findings, Verdict};
use crate::quality::{DataQuality, FileStatus, Side};
use crate::truth::{self, Label, Truth};

/// The version of the [`Report`] JSON layout.
pub const SCHEMA_VERSION: u32 = 1;

/// How many best-matching found operations are listed per truth operation.
const MAX_MATCHES: usize = 3;

/// `num / den`, or `None` when `den` is zero (never NaN).
pub(crate) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The full result of [`evaluate`](crate::evaluate); serialises to the `--json` file.
///
/// Every ratio is an `Option<f64>` in `[0, 1]`: `None` (JSON `null`, "n/a" in the table) when
/// its denominator is zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The truth directory, as given.
    pub truth_dir: String,
    /// The findings directory, as given.
    pub findings_dir: String,
    /// Account-level detection.
    pub accounts: AccountMetrics,
    /// Whether true positives got the right kind of verdict (fake vs compromised).
    pub right_kind: RightKind,
    /// Event-level detection; `None` when the truth has no `truth_events.csv`.
    pub events: Option<EventMetrics>,
    /// One row per truth operation, sorted by id.
    pub operations: Vec<OperationMetrics>,
    /// Operations rolled up per scenario (empty without `truth_operations.csv`).
    pub scenarios: Vec<ScenarioMetrics>,
    /// Hard-negative cohorts; `None` when `truth_accounts.csv` has no `groups` column.
    pub groups: Option<Vec<GroupMetrics>>,
    /// Scraping victims named; `None` without `truth_victims.csv`.
    pub victims: Option<RecoveryMetrics>,
    /// Beneficiaries named; `None` without `truth_beneficiaries.csv`.
    pub beneficiaries: Option<RecoveryMetrics>,
    /// How the bursts of `bursts.csv` relate to the truth; `None` when the findings have none.
    pub bursts: Option<BurstMetrics>,
    /// The review queue (`review_queue.csv`) against the truth; `None` when the findings have
    /// none.
    pub review: Option<ReviewMetrics>,
    /// Missing files, malformed rows, unknown ids, duplicates.
    pub data_quality: DataQuality,
}

/// A binary confusion matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Flagged and positive.
    pub true_positives: u64,
    /// Flagged but not positive (including flagged ids the truth does not know).
    pub false_positives: u64,
    /// Positive but not flagged.
    pub false_negatives: u64,
    /// Neither flagged nor positive (truth ids only).
    pub true_negatives: u64,
}

impl Confusion {
    /// `TP / (TP + FP)`; `None` when nothing was flagged.
    pub fn precision(&self) -> Option<f64> {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// `TP / (TP + FN)`; `None` when there are no positives.
    pub fn recall(&self) -> Option<f64> {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// `2·TP / (2·TP + FP + FN)`, the harmonic mean of precision and recall; `0` when only one
    /// of them is defined and there is something to find or something flagged, `None` when
    /// nothing is positive and nothing was flagged.
    pub fn f1(&self) -> Option<f64> {
        ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }
}

/// Account-level detection: flagged = verdict `fake` or `compromised`; positive = truth label
/// `fake` or `compromised`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountMetrics {
    /// Accounts in `truth_accounts.csv`.
    pub truth_accounts: u64,
    /// Truth accounts labelled `fake` or `compromised`.
    pub positives: u64,
    /// Accounts flagged, including ones the truth does not know.
    pub flagged: u64,
    /// TP/FP/FN/TN.
    pub confusion: Confusion,
    /// [`Confusion::precision`].
    pub precision: Option<f64>,
    /// [`Confusion::recall`].
    pub recall: Option<f64>,
    /// [`Confusion::f1`].
    pub f1: Option<f64>,
    /// Truth accounts labelled `organic`.
    pub organic: u64,
    /// Organic accounts flagged.
    pub organic_flagged: u64,
    /// `organic_flagged / organic`.
    pub organic_fpr: Option<f64>,
    /// Accounts with verdict `suspicious` (not flagged), by truth label.
    pub suspicious: SuspiciousCounts,
}

/// Accounts with verdict `suspicious`, by truth label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SuspiciousCounts {
    /// Truth `organic`.
    pub organic: u64,
    /// Truth `fake`.
    pub fake: u64,
    /// Truth `compromised`.
    pub compromised: u64,
    /// Not in the truth.
    pub unknown: u64,
}

impl SuspiciousCounts {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.organic + self.fake + self.compromised + self.unknown
    }
}

/// Among true-positive accounts, whether the verdict names the truth label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RightKind {
    /// True-positive accounts.
    pub true_positives: u64,
    /// Of those, verdict equal to the label.
    pub right: u64,
    /// `right / true_positives`.
    pub share: Option<f64>,
    /// Truth label (rows) by verdict (columns).
    pub confusion: KindConfusion,
}

/// The 2×2 confusion of truth label (fake, compromised) by verdict (fake, compromised).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindConfusion {
    /// Truth fake, verdict fake.
    pub fake_as_fake: u64,
    /// Truth fake, verdict compromised.
    pub fake_as_compromised: u64,
    /// Truth compromised, verdict fake.
    pub compromised_as_fake: u64,
    /// Truth compromised, verdict compromised.
    pub compromised_as_compromised: u64,
}

/// Event-level detection: flagged = listed in `flagged_events.csv`; positive = `fake` = 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMetrics {
    /// Events in `truth_events.csv`.
    pub truth_events: u64,
    /// Truth events with `fake` = 1.
    pub positives: u64,
    /// Events flagged, including ones the truth does not know.
    pub flagged: u64,
    /// TP/FP/FN/TN.
    pub confusion: Confusion,
    /// [`Confusion::precision`].
    pub precision: Option<f64>,
    /// [`Confusion::recall`].
    pub recall: Option<f64>,
    /// [`Confusion::f1`].
    pub f1: Option<f64>,
}

/// How well one truth operation was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationMetrics {
    /// Truth operation id.
    pub operation: String,
    /// Scenario, from `truth_operations.csv`.
    pub scenario: Option<String>,
    /// Kind, from `truth_operations.csv`.
    pub kind: Option<String>,
    /// The earlier operation this one is a return of, from `truth_operations.csv`.
    pub returns_from: Option<String>,
    /// Positive (fake or compromised) truth accounts of this operation.
    pub accounts: u64,
    /// Of those, flagged.
    pub accounts_flagged: u64,
    /// Of those, verdict `suspicious`.
    pub accounts_suspicious: u64,
    /// `accounts_flagged / accounts`.
    pub account_recall: Option<f64>,
    /// Fake truth events of this operation; `None` without `truth_events.csv`.
    pub events: Option<u64>,
    /// Of those, flagged.
    pub events_flagged: Option<u64>,
    /// `events_flagged / events`.
    pub event_recall: Option<f64>,
    /// Found operations sharing member accounts with it, most shared first (at most 3).
    pub matches: Vec<OperationMatch>,
}

/// A found operation that shares accounts with a truth operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationMatch {
    /// Found operation id.
    pub operation: String,
    /// Its kind, as the findings say.
    pub kind: Option<String>,
    /// Positive accounts of the truth operation that are members of the found one.
    pub overlap: u64,
    /// `overlap / accounts`: how much of the truth operation it captured.
    pub share: Option<f64>,
    /// `overlap / members of the found operation`: how much of it is this truth operation.
    pub purity: Option<f64>,
}

/// Truth operations rolled up per scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioMetrics {
    /// Scenario name (`(none)` for operations `truth_operations.csv` does not list).
    pub scenario: String,
    /// Truth operations in it.
    pub operations: u64,
    /// Positive accounts of those operations.
    pub accounts: u64,
    /// Of those, flagged.
    pub accounts_flagged: u64,
    /// `accounts_flagged / accounts` (pooled).
    pub account_recall: Option<f64>,
    /// Mean of the operations' account recalls (operations with accounts only).
    pub mean_operation_recall: Option<f64>,
    /// Fake events of those operations; `None` without `truth_events.csv`.
    pub events: Option<u64>,
    /// Of those, flagged.
    pub events_flagged: Option<u64>,
    /// `events_flagged / events` (pooled).
    pub event_recall: Option<f64>,
}

/// The bursts of `bursts.csv` against the truth. A burst is never evidence; this says how
/// often it is an operation's delivery and how many of each scenario's and each hard-negative
/// cohort's accounts engaged inside one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurstMetrics {
    /// Rows of `bursts.csv`.
    pub bursts: u64,
    /// Bursts at least half of whose truth accounts are fake or compromised.
    pub mostly_operation: u64,
    /// Bursts the judge listed with an operation (`bursts.csv` → `operation`).
    pub listed: u64,
    /// Of those, at least half of whose truth accounts are fake or compromised.
    pub listed_mostly_operation: u64,
    /// Per scenario (and per hard-negative cohort, as `group:TAG`): accounts, accounts inside
    /// any burst, inside a listed one.
    pub cohorts: Vec<BurstCohort>,
}

/// How much of the review queue an analyst's time would be well spent on: the share of its
/// accounts, at its top and in all, that the truth calls fake or compromised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewMetrics {
    /// Accounts in the queue.
    pub queued: u64,
    /// Of them, fake or compromised in the truth.
    pub positive: u64,
    /// Precision at the top 100, 1 000 and of the whole queue: `(k, positives in the first k,
    /// share)` (k is the queue's length when shorter).
    pub precision_at: Vec<(u64, u64, Option<f64>)>,
    /// Per cause: `(cause, queued, positive)`.
    pub causes: Vec<(String, u64, u64)>,
}

/// Accounts of one scenario or cohort inside bursts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurstCohort {
    /// A scenario, or `group:TAG` for a hard-negative cohort.
    pub cohort: String,
    /// Its accounts (positive accounts for a scenario, members for a cohort).
    pub accounts: u64,
    /// Of those, inside any burst.
    pub in_burst: u64,
    /// Of those, inside a burst listed with an operation.
    pub in_listed: u64,
}

/// One hard-negative cohort (a tag of the `groups` column).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMetrics {
    /// The tag, e.g. `viral-liker`.
    pub group: String,
    /// Truth accounts carrying it.
    pub members: u64,
    /// Of those, flagged.
    pub flagged: u64,
    /// `flagged / members`.
    pub share_flagged: Option<f64>,
    /// Of those, verdict `suspicious`.
    pub suspicious: u64,
    /// Members labelled `organic` (the hard negatives proper).
    pub organic: u64,
    /// Of those, flagged (false positives).
    pub organic_flagged: u64,
    /// `organic_flagged / organic`: the cohort's false-positive rate.
    pub organic_fpr: Option<f64>,
}

/// How many of the truth's ids (victims or beneficiaries) the found operations name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryMetrics {
    /// One row per truth operation in the truth file, sorted by id.
    pub per_operation: Vec<RecoveryRow>,
    /// Distinct ids across all truth operations.
    pub truth: u64,
    /// Of those, named by any found operation.
    pub named: u64,
    /// `named / truth`.
    pub share: Option<f64>,
    /// Distinct ids the found operations name.
    pub findings_named: u64,
    /// Of those, in the truth file (for any operation).
    pub findings_named_true: u64,
    /// `findings_named_true / findings_named`.
    pub precision: Option<f64>,
}

/// [`RecoveryMetrics`] of one truth operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryRow {
    /// Truth operation id.
    pub operation: String,
    /// Distinct ids the truth lists for it.
    pub truth: u64,
    /// Of those, named by any found operation.
    pub named: u64,
    /// `named / truth`.
    pub share: Option<f64>,
}

/// Computes the report; `dq` already holds the file reports and unknown ids.
pub(crate) fn compute(
    truth_dir: String,
    findings_dir: String,
    t: &Truth,
    f: &Findings,
    mut dq: DataQuality,
) -> Report {
    let n_ops = t.ops.len();

    // Accounts.
    let mut c = Confusion::default();
    let mut kinds = KindConfusion::default();
    let mut susp = SuspiciousCounts::default();
    let (mut organic, mut organic_flagged, mut positives, mut flagged) = (0, 0, 0, 0);
    let mut op_acc = vec![(0u64, 0u64, 0u64); n_ops];
    let n_groups = t.groups.len();
    let mut grp = vec![[0u64; 5]; n_groups];
    for (i, &label) in t.label.iter().enumerate() {
        let v = f.verdict[i];
        let is_flagged = v.is_flagged();
        flagged += u64::from(is_flagged);
        if v == Verdict::Suspicious {
            match label {
                Label::Organic => susp.organic += 1,
                Label::Fake => susp.fake += 1,
                Label::Compromised => susp.compromised += 1,
            }
        }
        match (label.is_positive(), is_flagged) {
            (true, true) => {
                c.true_positives += 1;
                match (label, v) {
                    (Label::Fake, Verdict::Fake) => kinds.fake_as_fake += 1,
                    (Label::Fake, _) => kinds.fake_as_compromised += 1,
                    (_, Verdict::Fake) => kinds.compromised_as_fake += 1,
                    _ => kinds.compromised_as_compromised += 1,
                }
            }
            (true, false) => c.false_negatives += 1,
            (false, true) => c.false_positives += 1,
            (false, false) => c.true_negatives += 1,
        }
        if label.is_positive() {
            positives += 1;
            if let Some(op) = t.account_op[i] {
                let e = &mut op_acc[op as usize];
                e.0 += 1;
                e.1 += u64::from(is_flagged);
                e.2 += u64::from(v == Verdict::Suspicious);
            }
        } else {
            organic += 1;
            organic_flagged += u64::from(is_flagged);
        }
        for &g in &t.account_groups[i] {
            let e = &mut grp[g as usize];
            e[0] += 1;
            e[1] += u64::from(is_flagged);
            e[2] += u64::from(v == Verdict::Suspicious);
            if !label.is_positive() {
                e[3] += 1;
                e[4] += u64::from(is_flagged);
            }
        }
    }
    for v in f.unknown_verdicts.values() {
        if v.is_flagged() {
            c.false_positives += 1;
            flagged += 1;
        } else if *v == Verdict::Suspicious {
            susp.unknown += 1;
        }
    }
    let right = kinds.fake_as_fake + kinds.compromised_as_compromised;
    let accounts = AccountMetrics {
        truth_accounts: t.label.len() as u64,
        positives,
        flagged,
        confusion: c,
        precision: c.precision(),
        recall: c.recall(),
        f1: c.f1(),
        organic,
        organic_flagged,
        organic_fpr: ratio(organic_flagged, organic),
        suspicious: susp,
    };
    let right_kind = RightKind {
        true_positives: c.true_positives,
        right,
        share: ratio(right, c.true_positives),
        confusion: kinds,
    };

    // Events.
    let mut op_ev = vec![(0u64, 0u64); n_ops];
    let events = match (&t.events, &f.flagged_event) {
        (Some(te), Some(fl)) => {
            let mut c = Confusion::default();
            for (i, &fake) in te.fake.iter().enumerate() {
                match (fake, fl[i]) {
                    (true, true) => c.true_positives += 1,
                    (true, false) => c.false_negatives += 1,
                    (false, true) => c.false_positives += 1,
                    (false, false) => c.true_negatives += 1,
                }
                if let (true, Some(op)) = (fake, te.op[i]) {
                    op_ev[op as usize].0 += 1;
                    op_ev[op as usize].1 += u64::from(fl[i]);
                }
            }
            c.false_positives += f.unknown_events.len() as u64;
            Some(EventMetrics {
                truth_events: te.fake.len() as u64,
                positives: c.true_positives + c.false_negatives,
                flagged: c.true_positives + c.false_positives,
                confusion: c,
                precision: c.precision(),
                recall: c.recall(),
                f1: c.f1(),
            })
        }
        _ => None,
    };
    let has_events = events.is_some();

    // Operations: overlap of truth operations with found ones, over positive accounts.
    let mut overlap: HashMap<(u32, u32), u64> = HashMap::new();
    for (fi, fop) in f.op_data.iter().enumerate() {
        let fi = u32::try_from(fi).expect("found op ids fit in u32");
        for &a in &fop.known {
            let a = a as usize;
            if let (true, Some(op)) = (t.label[a].is_positive(), t.account_op[a]) {
                *overlap.entry((op, fi)).or_default() += 1;
            }
        }
    }
    let mut matches: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n_ops];
    for (&(op, fi), &n) in &overlap {
        matches[op as usize].push((fi, n));
    }
    let mut operations: Vec<OperationMetrics> = (0..n_ops)
        .map(|op| {
            let meta = t.op_meta.get(op).cloned().flatten().unwrap_or_default();
            let (accounts, accounts_flagged, accounts_suspicious) = op_acc[op];
            let (events, events_flagged) = op_ev[op];
            let mut m: Vec<OperationMatch> = matches[op]
                .iter()
                .map(|&(fi, n)| {
                    let fop = &f.op_data[fi as usize];
                    OperationMatch {
                        operation: f.ops.name(fi).to_owned(),
                        kind: fop.kind.clone(),
                        overlap: n,
                        share: ratio(n, accounts),
                        purity: ratio(n, fop.size() as u64),
                    }
                })
                .collect();
            m.sort_by(|a, b| {
                b.overlap
                    .cmp(&a.overlap)
                    .then(
                        b.purity
                            .partial_cmp(&a.purity)
                            .unwrap_or(std::cmp::Ordering::Equal),
                    )
                    .then_with(|| a.operation.cmp(&b.operation))
            });
            m.truncate(MAX_MATCHES);
            OperationMetrics {
                operation: t.ops.name(op as u32).to_owned(),
                scenario: meta.scenario,
                kind: meta.kind,
                returns_from: meta.returns_from,
                accounts,
                accounts_flagged,
                accounts_suspicious,
                account_recall: ratio(accounts_flagged, accounts),
                events: has_events.then_some(events),
                events_flagged: has_events.then_some(events_flagged),
                event_recall: ratio(events_flagged, events),
                matches: m,
            }
        })
        .collect();
    operations.sort_by(|a, b| a.operation.cmp(&b.operation));

    // Scenarios.
    let mut scenarios = Vec::new();
    if t.has_ops_file {
        let mut by: BTreeMap<String, Vec<&OperationMetrics>> = BTreeMap::new();
        for op in &operations {
            let name = op.scenario.clone().unwrap_or_else(|| "(none)".to_owned());
            by.entry(name).or_default().push(op);
        }
        for (scenario, ops) in by {
            let accounts: u64 = ops.iter().map(|o| o.accounts).sum();
            let accounts_flagged: u64 = ops.iter().map(|o| o.accounts_flagged).sum();
            let recalls: Vec<f64> = ops.iter().filter_map(|o| o.account_recall).collect();
            let events: u64 = ops.iter().filter_map(|o| o.events).sum();
            let events_flagged: u64 = ops.iter().filter_map(|o| o.events_flagged).sum();
            scenarios.push(ScenarioMetrics {
                scenario,
                operations: ops.len() as u64,
                accounts,
                accounts_flagged,
                account_recall: ratio(accounts_flagged, accounts),
                mean_operation_recall: (!recalls.is_empty())
                    .then(|| recalls.iter().sum::<f64>() / recalls.len() as f64),
                events: has_events.then_some(events),
                events_flagged: has_events.then_some(events_flagged),
                event_recall: ratio(events_flagged, events),
            });
        }
    }

    // Hard-negative groups.
    let groups = t.has_groups_column.then(|| {
        let mut g: Vec<GroupMetrics> = (0..n_groups)
            .map(|i| {
                let [members, flagged, suspicious, organic, organic_flagged] = grp[i];
                GroupMetrics {
                    group: t.groups.name(i as u32).to_owned(),
                    members,
                    flagged,
                    share_flagged: ratio(flagged, members),
                    suspicious,
                    organic,
                    organic_flagged,
                    organic_fpr: ratio(organic_flagged, organic),
                }
            })
            .collect();
        g.sort_by(|a, b| a.group.cmp(&b.group));
        g
    });

    let victims = t
        .victims
        .as_ref()
        .map(|pairs| recovery(t, pairs, &f.victims));
    let beneficiaries = t
        .beneficiaries
        .as_ref()
        .map(|pairs| recovery(t, pairs, &f.beneficiaries));

    let bursts = f.bursts.as_ref().map(|b| burst_metrics(t, b));
    let review = f.review.as_ref().map(|q| review_metrics(t, q));

    add_warnings(&mut dq, t);
    Report {
        schema_version: SCHEMA_VERSION,
        truth_dir,
        findings_dir,
        accounts,
        right_kind,
        events,
        operations,
        scenarios,
        groups,
        victims,
        beneficiaries,
        bursts,
        review,
        data_quality: dq,
    }
}

fn review_metrics(t: &Truth, q: &[(Option<u32>, String)]) -> ReviewMetrics {
    let pos = |a: &Option<u32>| a.is_some_and(|a| t.label[a as usize].is_positive());
    let mut precision_at = Vec::new();
    let mut ks: Vec<usize> = [100usize, 1000, q.len()]
        .iter()
        .map(|&k| k.min(q.len()))
        .collect();
    ks.dedup();
    for k in ks {
        let p = q[..k].iter().filter(|x| pos(&x.0)).count() as u64;
        precision_at.push((k as u64, p, (k > 0).then(|| p as f64 / k as f64)));
    }
    let mut causes: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (a, c) in q {
        let e = causes.entry(c.clone()).or_default();
        e.0 += 1;
        e.1 += u64::from(pos(a));
    }
    ReviewMetrics {
        queued: q.len() as u64,
        positive: q.iter().filter(|x| pos(&x.0)).count() as u64,
        precision_at,
        causes: causes.into_iter().map(|(c, (n, p))| (c, n, p)).collect(),
    }
}

fn burst_metrics(t: &Truth, bursts: &[findings::FoundBurst]) -> BurstMetrics {
    // 1 = inside a burst, 2 = inside a listed one.
    let mut inside = vec![0u8; t.label.len()];
    let (mut mostly, mut listed, mut listed_mostly) = (0, 0, 0);
    for b in bursts {
        let pos = b
            .accounts
            .iter()
            .filter(|&&a| t.label[a as usize].is_positive())
            .count();
        let m = !b.accounts.is_empty() && pos * 2 >= b.accounts.len();
        mostly += u64::from(m);
        listed += u64::from(b.listed);
        listed_mostly += u64::from(b.listed && m);
        let mark = if b.listed { 2 } else { 1 };
        for &a in &b.accounts {
            inside[a as usize] = inside[a as usize].max(mark);
        }
    }
    let mut by: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for (a, &label) in t.label.iter().enumerate() {
        let mut add = |k: String| {
            let e = by.entry(k).or_default();
            e[0] += 1;
            e[1] += u64::from(inside[a] >= 1);
            e[2] += u64::from(inside[a] >= 2);
        };
        if label.is_positive() {
            let scenario = t.account_op[a]
                .and_then(|o| t.op_meta.get(o as usize).cloned().flatten())
                .and_then(|m| m.scenario)
                .unwrap_or_else(|| "(none)".to_owned());
            add(scenario);
        }
        for &g in &t.account_groups[a] {
            add(format!("group:{}", t.groups.name(g)));
        }
    }
    BurstMetrics {
        bursts: bursts.len() as u64,
        mostly_operation: mostly,
        listed,
        listed_mostly_operation: listed_mostly,
        cohorts: by
            .into_iter()
            .map(|(cohort, [n, b, l])| BurstCohort {
                cohort,
                accounts: n,
                in_burst: b,
                in_listed: l,
            })
            .collect(),
    }
}

/// Shares of truth `(operation, id)` pairs whose id the findings name.
fn recovery(t: &Truth, pairs: &[(u32, Box<str>)], named: &HashSet<Box<str>>) -> RecoveryMetrics {
    let mut per: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut all: HashSet<&str> = HashSet::new();
    for (op, id) in pairs {
        let e = per.entry(t.ops.name(*op)).or_default();
        e.0 += 1;
        e.1 += u64::from(named.contains(id));
        all.insert(id);
    }
    let truth = all.len() as u64;
    let hit = all.iter().filter(|id| named.contains(**id)).count() as u64;
    let findings_named_true = named.iter().filter(|id| all.contains(&***id)).count() as u64;
    RecoveryMetrics {
        per_operation: per
            .into_iter()
            .map(|(op, (n, hit))| RecoveryRow {
                operation: op.to_owned(),
                truth: n,
                named: hit,
                share: ratio(hit, n),
            })
            .collect(),
        truth,
        named: hit,
        share: ratio(hit, truth),
        findings_named: named.len() as u64,
        findings_named_true,
        precision: ratio(findings_named_true, named.len() as u64),
    }
}

/// Turns the file reports and unknown ids into readable warnings.
fn add_warnings(dq: &mut DataQuality, t: &Truth) {
    let mut w = Vec::new();
    for file in &dq.files {
        let name = file.display_name();
        match (file.side, file.status) {
            (Side::Findings, FileStatus::Missing) => {
                let effect = match file.file.as_str() {
                    findings::VERDICTS => "no account is flagged (account recall 0)",
                    findings::FLAGGED_EVENTS => "no event is flagged (event recall 0)",
                    _ => "no operations found (no matches, victims or beneficiaries)",
                };
                w.push(format!("{name} is missing: {effect}"));
            }
            (_, FileStatus::Unusable) => w.push(format!(
                "{name} is unusable ({}): treated as missing",
                file.note.as_deref().unwrap_or("unknown reason")
            )),
            (Side::Truth, FileStatus::Missing) => {}
            (_, FileStatus::Read) => {
                if let Some(note) = &file.note {
                    w.push(format!("{name}: {note}"));
                }
            }
        }
        if file.malformed > 0 {
            let first = file
                .examples
                .first()
                .map(|e| format!(" (first: {}: {})", e.location(), e.reason))
                .unwrap_or_default();
            w.push(format!(
                "{name}: {} malformed row(s) skipped{first}",
                file.malformed
            ));
        }
        if file.duplicates > 0 {
            w.push(format!(
                "{name}: {} duplicate row(s) counted once ({} conflicting; the first row wins)",
                file.duplicates, file.conflicting
            ));
        }
    }
    for (what, u) in [
        ("accounts", &dq.unknown_accounts),
        ("events", &dq.unknown_events),
    ] {
        if u.count > 0 {
            w.push(format!(
                "unknown {what}: {} ({} flagged, counted as false positives), e.g. {}",
                u.count,
                u.flagged,
                u.examples.join(", ")
            ));
        }
    }
    if t.label.is_empty() {
        w.push(format!(
            "truth/{} has no usable rows: account metrics are n/a",
            truth::ACCOUNTS
        ));
    }
    dq.warnings.extend(w);
}
