//! [`Explainer`] and [`explain`]: every signal and reason behind one account's verdict, with
//! the events behind each — what an analyst reads before acting on an account, or answering
//! its appeal.
//!
//! Every reason lists the events it rests on: the account's flagged events that carry it, or
//! where none does (an account only `suspicious`, a code the judge gives the account rather
//! than its events), the events its evidence or the rule behind the code looked at, with a
//! note saying which; a code about the account as a whole (its age, trust) says so instead.
//! A scan explains every account with one [`Explainer`] and writes the explanations into the
//! findings (`crate::write_explanations`), so that `lockstep explain` reads one record instead
//! of scanning again.

use std::fmt;

use lockstep_core::{EventLog, Id, NONE};
use lockstep_detect::Reason;
use lockstep_detect::devices::{DeviceConfig, DeviceReport, device_checks};
use lockstep_detect::ranges::network_key;
use lockstep_detect::trust::{TrustConfig, TrustReport, trust};
use lockstep_graph::ActionSet;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::judge::{Judgement, NO_OP, Operation, Verdict, subnet};
use crate::reasons::Reasons;
use crate::write::rfc3339;
use crate::{CorroborationReports, Policy};

/// What a reason code means, in one line an analyst can check against the events.
pub fn reason_meaning(code: &str) -> &'static str {
    match code {
        "lockstep-group" => {
            "in a lockstep group: engaged the same targets as the group's other members inside \
             the same short windows, on several occasions"
        }
        "lockstep-expansion" => {
            "engaged a lockstep group's targets inside the group's delivery bursts, repeatedly"
        }
        "dense-subgraph" => {
            "in a dense account × target block (Fraudar) that other evidence corroborates"
        }
        "dense-tensor-block" => {
            "in a dense account × target × time × IP × device block (M-Zoom) that other evidence \
             corroborates"
        }
        "machine-rate-reads" => {
            "harvesting: reads (views) far beyond the log's heaviest readers, around the clock \
             or by a crew sharing devices and addresses, or reads through a vendor's device \
             that many accounts' sessions read through"
        }
        "vendor-client" => "operation work came through a third-party client the operation uses",
        "vendor-infrastructure" => {
            "operation work came from IPs or devices that several of the operation's members share"
        }
        "own-history" => "the account has a history of its own: a real person's account",
        "operation-only-activity" => "the account does little but operation work",
        "new-account" => "created less than 30 days before its first event",
        "below-repetition-guard" => "the evidence covers too few targets or days to act on",
        "fake-account" => {
            "an event of a fake account outside the detected work (camouflage included)"
        }
        "own-infrastructure" => {
            "own history, and the evidence came through the account's own devices and networks: \
             co-behaviour, not a vendor's work"
        }
        "proxy-padding" => {
            "activity outside the operation comes from ever-changing networks (residential \
             proxies), not from a person's few home and carrier networks"
        }
        "content-template" => {
            "comments that are near-duplicates of other accounts' comments: one spun template"
        }
        "rate-anomaly" => {
            "part of a target's engagement that its own history and its peers do not explain: \
             an evenly spaced drip over days, the crowd of a delivery pool's bursts, a \
             follower pool (most of the account's follows go to customers whose followers the \
             pool largely is), or (never evidence alone) flagged work inside a burst"
        }
        "ban-match" => "matches the recorded fingerprints of a banned operation",
        "emulated-device" => {
            "the work came from emulated devices (emulator builds, screens or OS versions the \
             claimed model never had) of a fingerprint the operation's members share"
        }
        "trusted-account" => {
            "endorsements from long-lived accounts reach it: a real person's account, so not fake"
        }
        "ip-range" => {
            "a fresh account engaging from an address range (IPv4 /24, IPv6 /48) of mostly fresh \
             accounts whose engagement goes to targets the rest of the platform hardly engages"
        }
        "captured-targets" => {
            "its engagement came through a client or an address range through which a group of \
             accounts made most of the engagement of several owners' targets, while that client \
             or range carries little of the platform's traffic: infrastructure that acts together"
        }
        _ => "",
    }
}

/// One event, as the explanation shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLine {
    /// The event's id (explicit, or `FILE:LINE`).
    pub id: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// The action.
    pub action: String,
    /// The target.
    pub target: String,
    /// The target's owner, if known.
    pub owner: Option<String>,
    /// The IP address, if any.
    pub ip: Option<String>,
    /// The device, if any.
    pub device: Option<String>,
    /// The client, if any.
    pub client: Option<String>,
    /// The text (comments, reviews), if any.
    pub text: Option<String>,
    /// Why the event was flagged (empty when it was not).
    pub reasons: String,
}

/// A group of events: how many there are, and the first `limit` of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Events {
    /// How many events.
    pub total: usize,
    /// The first of them, in time order.
    pub shown: Vec<EventLine>,
}

impl Events {
    /// Keeps the first `limit` events shown (all stay counted).
    pub fn truncate(&mut self, limit: usize) {
        self.shown.truncate(limit);
    }

    /// Whether every event is shown, or at least `limit` of them.
    fn shows(&self, limit: usize) -> bool {
        self.shown.len() >= self.total.min(limit)
    }
}

/// A reason code on the verdict, with the events behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonLine {
    /// The code.
    pub code: String,
    /// What it means.
    pub meaning: String,
    /// The events behind it: the account's flagged events with this code, or, where none
    /// carries it (an account only `suspicious`, a code about the account as a whole), the
    /// events its evidence or the rule behind the code looked at.
    pub events: Events,
    /// Whether `events` are flagged events (the judge's flags on the account's events).
    pub flagged: bool,
    /// What the code rests on when that is more than the events, or why there are none: the
    /// account's age, its share of operation work, the repetition guard's counts, trust.
    pub note: Option<String>,
}

/// A detector signal that names the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalLine {
    /// Index in the judgement's signals.
    pub index: usize,
    /// The detector's reason code.
    pub reason: String,
    /// The detector's score, rounded to six decimals.
    pub score: f64,
    /// Accounts in the signal.
    pub accounts: usize,
    /// The detector's summary.
    pub summary: String,
    /// The account's own events in the signal.
    pub events: Events,
}

/// The account's operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationBrief {
    /// `op-001`, …
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Flagged members.
    pub members: usize,
    /// Of which fake.
    pub fake: usize,
    /// Of which compromised.
    pub compromised: usize,
    /// Beneficiaries (owners of the targets).
    pub beneficiaries: usize,
}

/// A piece of infrastructure the account used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfraLine {
    /// The IP, device or client.
    pub value: String,
    /// The account's events through it.
    pub events: usize,
    /// Whether the account's operation counts it as its infrastructure.
    pub operation_infrastructure: bool,
    /// For devices with a side-file row: model, OS, build and attestation.
    pub detail: Option<String>,
    /// For devices: the device checks it fails (see `lockstep_detect::devices`).
    pub failed_checks: Vec<String>,
}

/// The account's own history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountHistory {
    /// From the accounts side file.
    pub created_at: Option<String>,
    /// First event.
    pub first_event: Option<String>,
    /// Last event.
    pub last_event: Option<String>,
    /// Events.
    pub events: usize,
    /// Events per action, most first.
    pub by_action: Vec<(String, usize)>,
    /// Events the judge flagged.
    pub flagged_events: usize,
}

/// Everything behind one account's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The account.
    pub account: String,
    /// The policy that judged it.
    pub policy_version: String,
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub verdict: String,
    /// The fused score in [0, 1].
    pub score: f32,
    /// Its operation, if flagged into one.
    pub operation: Option<OperationBrief>,
    /// The verdict's reason codes.
    pub reasons: Vec<ReasonLine>,
    /// The detector signals that name the account.
    pub signals: Vec<SignalLine>,
    /// The account's history.
    pub history: AccountHistory,
    /// IPs it used, most used first.
    pub ips: Vec<InfraLine>,
    /// Devices it used, most used first.
    pub devices: Vec<InfraLine>,
    /// Clients it used, most used first.
    pub clients: Vec<InfraLine>,
    /// Trust propagated from long-lived, well-endorsed accounts (see
    /// `lockstep_detect::trust`): the share of accounts with less, in [0, 1], and whether any
    /// reached it at all.
    pub trust_percentile: f32,
    /// Whether trust reached the account.
    pub trusted_by_endorsements: bool,
    /// Share of its events with a device that came from emulated devices, rounded to six
    /// decimals.
    pub emulated_device_share: f64,
}

impl Explanation {
    /// Keeps the first `limit` events of every reason and signal (all stay counted).
    pub fn truncate(&mut self, limit: usize) {
        for r in &mut self.reasons {
            r.events.truncate(limit);
        }
        for s in &mut self.signals {
            s.events.truncate(limit);
        }
    }

    /// Whether every reason and signal lists all its events or at least `limit` of them:
    /// whether [`Explanation::truncate`] to `limit` gives what [`explain`] with that `limit`
    /// would.
    pub fn shows(&self, limit: usize) -> bool {
        self.reasons.iter().all(|r| r.events.shows(limit))
            && self.signals.iter().all(|s| s.events.shows(limit))
    }
}

/// Rounded to six decimals: a value that reads back from JSON exactly as it was written.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The evidence reason codes: the ones detector signals (and the judge's expansion of
/// them) give.
const EVIDENCE: [Reasons; 9] = [
    Reasons::LOCKSTEP_GROUP,
    Reasons::LOCKSTEP_EXPANSION,
    Reasons::DENSE_SUBGRAPH,
    Reasons::DENSE_TENSOR_BLOCK,
    Reasons::MACHINE_RATE_READS,
    Reasons::CONTENT_TEMPLATE,
    Reasons::RATE_ANOMALY,
    Reasons::IP_RANGE,
    Reasons::CAPTURED_TARGETS,
];

/// Explains verdicts: the log and a judgement made on it, indexed once so that each account
/// is explained from its own events and the signals that name it.
///
/// A scan builds one and explains every account ([`crate::write_explanations`]);
/// [`explain`] builds one for a single account.
pub struct Explainer<'a> {
    log: &'a EventLog,
    j: &'a Judgement,
    /// Events per account.
    counts: Vec<u32>,
    /// Whether the log is in time order (so each account's events are, in log order).
    time_sorted: bool,
    devices: DeviceReport,
    trust: TrustReport,
    /// The signals naming each account, with its events in each:
    /// `named[named_off[a]..named_off[a + 1]]`.
    named: Vec<Named>,
    named_off: Vec<u32>,
    /// Each signal's events in (actor, time, index) order.
    signal_events: Vec<Vec<u32>>,
    /// The windows the judge's expansion scans (see `judge::expand`): each lockstep group's
    /// and template cluster's bursts on its targets, widened by the slack, as (target, from,
    /// to), sorted.
    windows: Vec<(Id, i64, i64)>,
    /// The repetition guard's targets and days.
    guard: (u32, u32),
    /// Each device's description, as an index into `fingerprints`.
    fingerprint_of: Vec<u32>,
    fingerprints: Vec<String>,
}

impl<'a> Explainer<'a> {
    /// Indexes `log` and the judgement `j` made on it under `policy`: how many events each
    /// account has, the signals that name it with its events in each, the expansion's
    /// windows, the device descriptions, the device checks and trust.
    ///
    /// # Complexity
    /// O(n) over the log's n events, O(S log S) over the signals' S events, plus the device
    /// checks' and trust propagation's costs.
    pub fn new(log: &'a EventLog, j: &'a Judgement, policy: &Policy) -> Self {
        Self::with_reports(log, j, policy, CorroborationReports::default())
    }

    /// [`Explainer::new`], taking the device checks and trust from `reports` where they are
    /// there (a scan's corroboration computed them: [`crate::scan_with_reports`]).
    pub fn with_reports(
        log: &'a EventLog,
        j: &'a Judgement,
        policy: &Policy,
        reports: CorroborationReports,
    ) -> Self {
        let CorroborationReports {
            devices,
            trust: trusted,
        } = reports;
        let ((counts, time_sorted), (devices, trust)) = rayon::join(
            || {
                let mut counts = vec![0u32; log.accounts.len()];
                for &a in log.actor() {
                    counts[a as usize] += 1;
                }
                (counts, log.ts().par_windows(2).all(|w| w[0] <= w[1]))
            },
            || {
                rayon::join(
                    || {
                        devices.unwrap_or_else(|| {
                            if log.device_table.is_empty() {
                                // Nothing to check: every device passes, no event is emulated.
                                DeviceReport {
                                    flags: vec![Default::default(); log.devices.len()],
                                    accounts: vec![Default::default(); log.accounts.len()],
                                    clusters: Vec::new(),
                                }
                            } else {
                                device_checks(log, &DeviceConfig::default())
                            }
                        })
                    },
                    || trusted.unwrap_or_else(|| trust(log, &TrustConfig::default())),
                )
            },
        );
        let n = log.accounts.len();
        let (actor, ts) = (log.actor(), log.ts());
        // Per signal: its events by (actor, time, index), and each named account's range of
        // them.
        type Indexed = (Vec<u32>, Vec<(u32, u32)>);
        let indexed: Vec<Indexed> = j
            .signals
            .par_iter()
            .map(|s| {
                let mut v: Vec<(Id, i64, u32)> = s
                    .events
                    .iter()
                    .map(|&e| (actor[e as usize], ts[e as usize], e))
                    .collect();
                v.sort_unstable();
                let runs = s
                    .accounts
                    .iter()
                    .map(|&a| {
                        let lo = v.partition_point(|x| x.0 < a);
                        let hi = lo + v[lo..].partition_point(|x| x.0 == a);
                        (lo as u32, hi as u32)
                    })
                    .collect();
                (v.into_iter().map(|x| x.2).collect(), runs)
            })
            .collect();
        let (signal_events, runs): (Vec<Vec<u32>>, Vec<_>) = indexed.into_iter().unzip();
        let mut named_off = vec![0u32; n + 1];
        for s in &j.signals {
            for &a in &s.accounts {
                named_off[a as usize + 1] += 1;
            }
        }
        for a in 0..n {
            named_off[a + 1] += named_off[a];
        }
        let (fingerprint_of, fingerprints) = fingerprints(log);
        let mut pos = named_off.clone();
        let mut named = vec![Named::default(); named_off[n] as usize];
        for (i, s) in j.signals.iter().enumerate() {
            for (&a, &(lo, hi)) in s.accounts.iter().zip(&runs[i]) {
                named[pos[a as usize] as usize] = Named {
                    signal: i as u32,
                    lo,
                    hi,
                };
                pos[a as usize] += 1;
            }
        }
        Explainer {
            log,
            j,
            counts,
            time_sorted,
            devices,
            trust,
            named,
            named_off,
            signal_events,
            windows: expansion_windows(log, j, policy),
            guard: (policy.verdict.min_targets, policy.verdict.min_days),
            fingerprint_of,
            fingerprints,
        }
    }

    /// The log it explains.
    pub fn log(&self) -> &'a EventLog {
        self.log
    }

    /// The judgement it explains.
    pub fn judgement(&self) -> &'a Judgement {
        self.j
    }

    /// How many events account `a` has.
    pub(crate) fn events_of(&self, a: Id) -> usize {
        self.counts[a as usize] as usize
    }

    /// Gathers the events of `accounts` (distinct) into `g`, in one pass over the log's
    /// columns: reading them in order once is far cheaper than reading each account's at
    /// random.
    ///
    /// # Complexity
    /// O(n) over the log, plus a sort per account when the log is not in time order.
    pub(crate) fn gather(&self, accounts: &[Id], g: &mut Gathered) {
        let log = self.log;
        if g.slot.len() != log.accounts.len() {
            g.slot = vec![NONE; log.accounts.len()];
        }
        g.accounts.clear();
        g.accounts.extend_from_slice(accounts);
        g.off.clear();
        g.off.push(0);
        for (k, &a) in accounts.iter().enumerate() {
            g.slot[a as usize] = k as u32;
            let last = *g.off.last().expect("one offset");
            g.off.push(last + self.counts[a as usize]);
        }
        let total = *g.off.last().expect("one offset") as usize;
        g.rows.clear();
        g.rows.resize(total, Own::default());
        let mut pos: Vec<u32> = g.off[..accounts.len()].to_vec();
        let (actor, ip, device, client, action) = (
            log.actor(),
            log.ip(),
            log.device(),
            log.client(),
            log.action(),
        );
        let reasons = &self.j.event_reasons;
        for (e, &a) in actor.iter().enumerate() {
            let k = g.slot[a as usize];
            if k == NONE {
                continue;
            }
            let p = &mut pos[k as usize];
            g.rows[*p as usize] = Own {
                e: e as u32,
                ip: ip[e],
                device: device[e],
                client: client[e],
                action: action[e],
                flagged: !reasons[e].is_empty(),
            };
            *p += 1;
        }
        for &a in accounts {
            g.slot[a as usize] = NONE;
        }
        if !self.time_sorted {
            let ts = log.ts();
            let mut rest: &mut [Own] = &mut g.rows;
            let mut slices: Vec<&mut [Own]> = Vec::with_capacity(accounts.len());
            for w in g.off.windows(2) {
                let (head, tail) = rest.split_at_mut((w[1] - w[0]) as usize);
                slices.push(head);
                rest = tail;
            }
            slices.par_iter_mut().with_min_len(64).for_each(|s| {
                if !s.is_sorted_by_key(|r| (ts[r.e as usize], r.e)) {
                    s.sort_unstable_by_key(|r| (ts[r.e as usize], r.e));
                }
            });
        }
    }

    /// An account's events in the signal of `m` (one of its entries of `named`), in time
    /// order.
    fn in_signal(&self, m: &Named) -> &[u32] {
        &self.signal_events[m.signal as usize][m.lo as usize..m.hi as usize]
    }

    /// Of `own`, the engagement events inside a window the expansion scanned.
    fn in_windows(&self, own: &[u32]) -> Vec<u32> {
        let (ts, target, act) = (self.log.ts(), self.log.target(), self.log.action());
        let engagement = ActionSet::engagement();
        own.iter()
            .copied()
            .filter(|&e| {
                let (t, x) = (target[e as usize], ts[e as usize]);
                if !engagement.contains(act[e as usize]) {
                    return false;
                }
                let lo = self.windows.partition_point(|w| w.0 < t);
                self.windows[lo..]
                    .iter()
                    .take_while(|w| w.0 == t && w.1 <= x)
                    .any(|w| x <= w.2)
            })
            .collect()
    }

    fn event_line(&self, e: u32) -> EventLine {
        let (log, i) = (self.log, e as usize);
        let r = log.get(i);
        let opt = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
        EventLine {
            id: log.event_id_string(i).into_owned(),
            time: rfc3339(r.ts),
            action: log.verbs.name(r.action).to_string(),
            target: log.targets.resolve(r.target).to_string(),
            owner: opt(log.accounts.resolve_opt(r.owner)),
            ip: (r.ip != NONE).then(|| log.ips.resolve(r.ip).to_string()),
            device: opt(log.devices.resolve_opt(r.device)),
            client: opt(log.clients.resolve_opt(r.client)),
            text: opt(Some(r.text)),
            reasons: self
                .j
                .event_reasons
                .get(i)
                .copied()
                .unwrap_or_default()
                .to_string(),
        }
    }

    fn events(&self, evs: &[u32], limit: usize) -> Events {
        Events {
            total: evs.len(),
            shown: evs
                .iter()
                .take(limit)
                .map(|&e| self.event_line(e))
                .collect(),
        }
    }

    /// Explains the verdict on account `a` (an id of the log): its reasons with the events
    /// behind each, the detector signals that name it with its events in each, its history
    /// and the infrastructure it used (marking what its operation counts as the operation's
    /// own). At most `limit` events are listed per reason and per signal (all are counted).
    ///
    /// # Complexity
    /// O(n) over the log to gather the account's events, plus O(m log m) over its m events.
    /// To explain many accounts, gather them at once ([`crate::write_explanations`] does).
    pub fn explain(&self, a: Id, limit: usize) -> Explanation {
        let mut g = Gathered::default();
        self.gather(&[a], &mut g);
        let d = self.draft(a, g.rows(0));
        let j = self.j;
        let log = self.log;
        Explanation {
            account: log.accounts.resolve(a).to_string(),
            policy_version: j.policy_version.clone(),
            verdict: d.verdict.to_string(),
            score: d.score,
            operation: d.op.map(operation_brief),
            reasons: d
                .reasons
                .into_iter()
                .map(|r| ReasonLine {
                    code: r.code.to_string(),
                    meaning: reason_meaning(r.code).to_string(),
                    events: self.events(&r.events, limit),
                    flagged: r.flagged,
                    note: r.note,
                })
                .collect(),
            signals: d
                .signals
                .iter()
                .map(|&(k, evs)| {
                    let mut line = self.signal_line(k);
                    line.events = self.events(evs, limit);
                    line
                })
                .collect(),
            history: AccountHistory {
                created_at: d.created.map(rfc3339),
                first_event: d.first.map(rfc3339),
                last_event: d.last.map(rfc3339),
                events: d.events,
                by_action: d
                    .by_action
                    .iter()
                    .map(|&(a, n)| (a.to_string(), n))
                    .collect(),
                flagged_events: d.flagged,
            },
            ips: d
                .ips
                .iter()
                .map(|&(ip, n, mine)| InfraLine {
                    value: log.ips.resolve(ip).to_string(),
                    events: n,
                    operation_infrastructure: mine,
                    detail: None,
                    failed_checks: Vec::new(),
                })
                .collect(),
            devices: d
                .devices
                .iter()
                .map(|&(dev, n, mine)| InfraLine {
                    value: log.devices.resolve(dev).to_string(),
                    events: n,
                    operation_infrastructure: mine,
                    detail: self
                        .fingerprint(dev)
                        .map(|k| self.fingerprints[k as usize].clone()),
                    failed_checks: self.failed_checks(dev).map(str::to_string).collect(),
                })
                .collect(),
            clients: d
                .clients
                .iter()
                .map(|&(c, n, mine)| InfraLine {
                    value: log.clients.resolve(c).to_string(),
                    events: n,
                    operation_infrastructure: mine,
                    detail: None,
                    failed_checks: Vec::new(),
                })
                .collect(),
            trust_percentile: d.trust_percentile,
            trusted_by_endorsements: d.trusted_by_endorsements,
            emulated_device_share: d.emulated_device_share,
        }
    }

    /// Signal `k` as an explanation lists it, without events.
    pub(crate) fn signal_line(&self, k: usize) -> SignalLine {
        let s = &self.j.signals[k];
        SignalLine {
            index: k,
            reason: s.reason.code().to_string(),
            score: round6(s.score),
            accounts: s.accounts.len(),
            summary: s.summary.clone(),
            events: Events {
                total: 0,
                shown: Vec::new(),
            },
        }
    }

    /// Everything [`Explainer::explain`] says of account `a`, with events as indices into the
    /// log; `rows` are the account's events as [`Explainer::gather`] gathers them.
    pub(crate) fn draft(&self, a: Id, rows: &[Own]) -> Draft<'_> {
        let (log, j) = (self.log, self.j);
        let v = j.accounts[a as usize];
        let ts = log.ts();
        let own: Vec<u32> = rows.iter().map(|r| r.e).collect();
        let own = &own[..];
        let flagged: Vec<u32> = rows.iter().filter(|r| r.flagged).map(|r| r.e).collect();
        let named = &self.named
            [self.named_off[a as usize] as usize..self.named_off[a as usize + 1] as usize];

        let op = (v.operation != NO_OP).then(|| &j.operations[v.operation as usize]);
        let review = (v.verdict == Verdict::Suspicious)
            .then(|| {
                j.review
                    .binary_search_by_key(&a, |r| r.account)
                    .ok()
                    .map(|k| &j.review[k].events[..])
            })
            .flatten();
        let behind = Behind {
            x: self,
            a,
            v,
            own,
            flagged: &flagged,
            named,
            op,
            review,
        };
        let reasons = v
            .reasons
            .codes()
            .map(|code| {
                let (events, flagged, note) = behind.of(code);
                DraftReason {
                    code,
                    flagged: flagged && !events.is_empty(),
                    events,
                    note,
                }
            })
            .collect();
        let mut per_action: Vec<(u8, usize)> = Vec::new();
        for r in rows {
            match per_action.iter_mut().find(|x| x.0 == r.action) {
                Some(x) => x.1 += 1,
                None => per_action.push((r.action, 1)),
            }
        }
        let mut by_action: Vec<(&str, usize)> = per_action
            .into_iter()
            .map(|(a, n)| (log.verbs.name(a), n))
            .collect();
        by_action.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let ips = tally(rows, |r| r.ip)
            .into_iter()
            .map(|(ip, n)| {
                let mine = op.is_some_and(|o| {
                    o.ips.binary_search(&ip).is_ok() || o.joint_ips.binary_search(&ip).is_ok()
                });
                (ip, n, mine)
            })
            .collect();
        let devices = tally(rows, |r| r.device)
            .into_iter()
            .map(|(d, n)| {
                let mine = op.is_some_and(|o| {
                    o.devices.binary_search(&d).is_ok() || o.joint_devices.binary_search(&d).is_ok()
                });
                (d, n, mine)
            })
            .collect();
        // First-party apps carry everyone's traffic; only a third-party client the operation's
        // work came through is its infrastructure.
        let clients = tally(rows, |r| r.client)
            .into_iter()
            .map(|(c, n)| {
                let mine = is_third_party(log, c)
                    && op.is_some_and(|o| o.clients.iter().any(|&(x, _)| x == c));
                (c, n, mine)
            })
            .collect();

        Draft {
            verdict: v.verdict.as_str(),
            score: v.score,
            op,
            reasons,
            signals: named
                .iter()
                .map(|m| (m.signal as usize, self.in_signal(m)))
                .collect(),
            created: log.account_table.created_at(a),
            first: own.first().map(|&e| ts[e as usize]),
            last: own.last().map(|&e| ts[e as usize]),
            events: own.len(),
            by_action,
            flagged: flagged.len(),
            ips,
            devices,
            clients,
            trust_percentile: self.trust.percentile[a as usize],
            trusted_by_endorsements: self.trust.trust[a as usize] > 0.0,
            emulated_device_share: round6(self.devices.accounts[a as usize].emulated_share()),
        }
    }

    /// What the devices side file says of device `d`, if it has a row: model, OS, build,
    /// screen and attestation, as an index into [`Explainer::fingerprints`].
    pub(crate) fn fingerprint(&self, d: Id) -> Option<u32> {
        self.fingerprint_of
            .get(d as usize)
            .copied()
            .filter(|&k| k != NONE)
    }

    /// The distinct device descriptions of the devices side file (see
    /// [`Explainer::fingerprint`]).
    pub(crate) fn fingerprints(&self) -> &[String] {
        &self.fingerprints
    }

    /// The device checks device `d` fails (see `lockstep_detect::devices`).
    pub(crate) fn failed_checks(&self, d: Id) -> impl Iterator<Item = &'static str> {
        self.devices.flags[d as usize].names()
    }
}

/// Each device's description — model, OS, build, screen and attestation from the devices side
/// file — as an index into the distinct descriptions, which few device models and builds make
/// few: `(index per device id, or NONE without a row; the descriptions)`.
fn fingerprints(log: &EventLog) -> (Vec<u32>, Vec<String>) {
    let t = &log.device_table;
    let mut of = vec![NONE; log.devices.len()];
    let mut seen: std::collections::HashMap<_, u32> = std::collections::HashMap::new();
    let mut text: Vec<String> = Vec::new();
    for (r, &d) in t.devices().iter().enumerate() {
        let key = (
            t.model(r),
            t.os(r),
            t.build(r),
            t.screen(r),
            t.attestation(r),
        );
        let k = *seen.entry(key).or_insert_with(|| {
            let (w, h) = t.screen(r).unwrap_or((0, 0));
            text.push(format!(
                "{} · {} · build {} · screen {w}x{h} · attestation {}",
                t.model(r).unwrap_or("?"),
                t.os(r).unwrap_or("?"),
                t.build(r).unwrap_or("?"),
                t.attestation(r).as_str()
            ));
            text.len() as u32 - 1
        });
        if let Some(x) = of.get_mut(d as usize) {
            *x = k;
        }
    }
    (of, text)
}

/// The account's operation as an explanation lists it.
pub(crate) fn operation_brief(o: &Operation) -> OperationBrief {
    OperationBrief {
        id: o.id.clone(),
        kind: o.kind.as_str().to_string(),
        members: o.members.len(),
        fake: o.fake,
        compromised: o.compromised,
        beneficiaries: o.beneficiaries.len(),
    }
}

/// An explanation before it is written out: what [`Explainer::draft`] returns, with events,
/// IPs, devices and clients as ids of the log.
pub(crate) struct Draft<'x> {
    pub(crate) verdict: &'static str,
    pub(crate) score: f32,
    pub(crate) op: Option<&'x Operation>,
    pub(crate) reasons: Vec<DraftReason>,
    /// The signals naming the account, by index, with its events in each.
    pub(crate) signals: Vec<(usize, &'x [u32])>,
    /// Created (epoch milliseconds), if known.
    pub(crate) created: Option<i64>,
    /// First and last event.
    pub(crate) first: Option<i64>,
    pub(crate) last: Option<i64>,
    pub(crate) events: usize,
    /// Events per action, most first.
    pub(crate) by_action: Vec<(&'x str, usize)>,
    pub(crate) flagged: usize,
    /// `(ip, events, operation infrastructure)`, most used first; devices and clients alike.
    pub(crate) ips: Vec<(Id, usize, bool)>,
    pub(crate) devices: Vec<(Id, usize, bool)>,
    pub(crate) clients: Vec<(Id, usize, bool)>,
    pub(crate) trust_percentile: f32,
    pub(crate) trusted_by_endorsements: bool,
    pub(crate) emulated_device_share: f64,
}

/// An account's history before its times are written out: `(created, first event, last
/// event, events, events per action most first, flagged events)`, times in epoch
/// milliseconds.
pub type RawHistory = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    usize,
    Vec<(String, usize)>,
    usize,
);

/// The [`AccountHistory`] of a [`RawHistory`].
pub(crate) fn history_lines(h: &RawHistory) -> AccountHistory {
    AccountHistory {
        created_at: h.0.map(rfc3339),
        first_event: h.1.map(rfc3339),
        last_event: h.2.map(rfc3339),
        events: h.3,
        by_action: h.4.clone(),
        flagged_events: h.5,
    }
}

/// A reason of a [`Draft`]: its events as indices into the log, in time order.
pub(crate) struct DraftReason {
    pub(crate) code: &'static str,
    pub(crate) events: Vec<u32>,
    pub(crate) flagged: bool,
    pub(crate) note: Option<String>,
}

fn is_third_party(log: &EventLog, c: Id) -> bool {
    log.clients.resolve(c).starts_with("api:")
}

/// A signal naming an account: the signal, and the account's events in it as the range
/// `lo..hi` of `Explainer::signal_events`.
#[derive(Debug, Clone, Copy, Default)]
struct Named {
    signal: u32,
    lo: u32,
    hi: u32,
}

/// One event of an account, with the columns every explanation reads of it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Own {
    e: u32,
    ip: Id,
    device: Id,
    client: Id,
    action: u8,
    flagged: bool,
}

/// Some accounts' events in (time, index) order with the columns every explanation reads
/// ([`Explainer::gather`]): `rows[off[k]..off[k + 1]]` for the k-th account gathered. Kept
/// between gathers, so that its memory is reused.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    accounts: Vec<Id>,
    rows: Vec<Own>,
    off: Vec<u32>,
    /// Per account of the log: its position among those gathered, or NONE.
    slot: Vec<u32>,
}

impl Gathered {
    /// The events of the k-th account gathered.
    pub(crate) fn rows(&self, k: usize) -> &[Own] {
        &self.rows[self.off[k] as usize..self.off[k + 1] as usize]
    }
}

/// The windows the judge's expansion scans for new members (`judge::expand`): for each
/// lockstep group and template cluster, the bursts of its events on each of its targets (a
/// gap of more than `expansion.burst_gap_minutes` starts a new one), widened by
/// `expansion.slack_minutes` on both sides; as (target, from, to), sorted. Empty when the
/// policy turns expansion off.
fn expansion_windows(log: &EventLog, j: &Judgement, policy: &Policy) -> Vec<(Id, i64, i64)> {
    let x = &policy.expansion;
    if !x.enabled {
        return Vec::new();
    }
    let (ts, tgt) = (log.ts(), log.target());
    let slack = (x.slack_minutes * 60_000.0) as i64;
    let gap = (x.burst_gap_minutes * 60_000.0) as i64;
    let mut out: Vec<(Id, i64, i64)> = j
        .signals
        .par_iter()
        .filter(|s| {
            s.reason == Reason::LockstepGroup
                || (s.reason == Reason::ContentTemplate && !s.accounts.is_empty())
        })
        .flat_map_iter(|s| {
            let mut evs: Vec<(Id, i64)> = s
                .events
                .iter()
                .map(|&e| (tgt[e as usize], ts[e as usize]))
                .collect();
            evs.sort_unstable();
            let mut w: Vec<(Id, i64, i64)> = Vec::new();
            for (t, x) in evs {
                match w.last_mut() {
                    Some(last) if last.0 == t && x - last.2 <= gap => last.2 = x,
                    _ => w.push((t, x, x)),
                }
            }
            w.into_iter()
                .map(move |(t, lo, hi)| (t, lo - slack, hi + slack))
        })
        .collect();
    out.par_sort_unstable();
    out.dedup();
    out
}

/// What one account's reasons rest on (see [`Behind::of`]).
struct Behind<'x, 'a> {
    x: &'x Explainer<'a>,
    a: Id,
    v: crate::judge::AccountVerdict,
    /// The account's events, in time order.
    own: &'x [u32],
    /// Of those, the flagged ones.
    flagged: &'x [u32],
    /// The signals naming it.
    named: &'x [Named],
    op: Option<&'x Operation>,
    /// The evidence events the judge recorded for it, when it is in review (sorted).
    review: Option<&'x [u32]>,
}

impl Behind<'_, '_> {
    /// The events behind reason `code`, whether they are flagged events carrying it, and a
    /// note on what the code rests on besides (or instead of) events.
    fn of(&self, code: &str) -> (Vec<u32>, bool, Option<String>) {
        let log = self.x.log;
        let j = self.x.j;
        let Some(bit) = Reasons::from_code(code) else {
            return (Vec::new(), false, Some("an unknown code".to_string()));
        };
        let carrying: Vec<u32> = self
            .flagged
            .iter()
            .copied()
            .filter(|&e| j.event_reasons[e as usize].contains(bit))
            .collect();
        let verdict = self.v.verdict;
        // Why flagged events do not carry a code whose evidence is events.
        let not_flagged = || {
            Some(match verdict {
                Verdict::Suspicious => {
                    "not flagged: a suspicious account's events are for review only".to_string()
                }
                _ => "none of its flagged events carries this code; these are the events of \
                      the evidence"
                    .to_string(),
            })
        };
        if EVIDENCE.contains(&bit) {
            if !carrying.is_empty() {
                return (carrying, true, None);
            }
            let evs = self.evidence_of(bit);
            if evs.is_empty() {
                return (
                    evs,
                    false,
                    Some("none of its events is in a signal of this kind".to_string()),
                );
            }
            return (evs, false, not_flagged());
        }
        let ts = log.ts();
        if bit == Reasons::VENDOR_CLIENT || bit == Reasons::VENDOR_INFRASTRUCTURE {
            if !carrying.is_empty() {
                return (carrying, true, None);
            }
            let evs = self.through_operation(bit);
            if evs.is_empty() {
                return (
                    evs,
                    false,
                    Some(
                        "its evidence came through the infrastructure of the operation it points \
                         at; no operation is named for it"
                            .to_string(),
                    ),
                );
            }
            return (
                evs,
                false,
                Some(format!(
                    "none of its flagged events carries this code; these are its events through \
                     the operation's {}",
                    if bit == Reasons::VENDOR_CLIENT {
                        "third-party clients"
                    } else {
                        "shared IPs, networks and devices"
                    }
                )),
            );
        }
        if bit == Reasons::OWN_HISTORY {
            let evidence = self.evidence_all();
            let mine: Vec<u32> = self
                .own
                .iter()
                .copied()
                .filter(|&e| {
                    j.event_reasons[e as usize].is_empty() && evidence.binary_search(&e).is_err()
                })
                .collect();
            let note = format!(
                "{} of its {} events are its own activity, not operation work",
                mine.len(),
                self.own.len()
            );
            return (mine, false, Some(note));
        }
        if bit == Reasons::OWN_INFRASTRUCTURE {
            let evidence = self.evidence_all_in_time_order();
            return (
                evidence,
                false,
                Some(
                    "its evidence came through its own devices and networks, the ones its own \
                     activity uses"
                        .to_string(),
                ),
            );
        }
        if bit == Reasons::OPERATION_ONLY {
            let work: Vec<u32> = self
                .flagged
                .iter()
                .copied()
                .filter(|&e| !(j.event_reasons[e as usize] & !Reasons::FAKE_ACCOUNT).is_empty())
                .collect();
            let note = format!(
                "about the account as a whole: {} of its {} events are operation work{}",
                work.len(),
                self.own.len(),
                if self.flagged.len() > work.len() {
                    format!(
                        " (the other {} flagged fake-account)",
                        self.flagged.len() - work.len()
                    )
                } else {
                    String::new()
                }
            );
            return (work, true, Some(note));
        }
        if bit == Reasons::NEW_ACCOUNT {
            let created = log.account_table.created_at(self.a);
            let first = self.own.first().copied();
            return match (created, first) {
                (Some(c), Some(f)) => (
                    vec![f],
                    !j.event_reasons[f as usize].is_empty(),
                    Some(format!(
                        "about the account's age: created {}, {:.1} days before its first event",
                        rfc3339(c),
                        (ts[f as usize] - c) as f64 / 86_400_000.0
                    )),
                ),
                _ => (
                    Vec::new(),
                    false,
                    Some("about the account's age (no creation time is known now)".to_string()),
                ),
            };
        }
        if bit == Reasons::BELOW_REPETITION {
            let evidence = self.evidence_all_in_time_order();
            let (targets, days) = spread(log, &evidence);
            return (
                evidence,
                false,
                Some(format!(
                    "its evidence covers {targets} targets on {days} days; acting needs at least \
                     {} targets on {} days",
                    self.x.guard.0, self.x.guard.1
                )),
            );
        }
        if bit == Reasons::PROXY_PADDING {
            let evidence = self.evidence_all();
            let outside: Vec<u32> = self
                .own
                .iter()
                .copied()
                .filter(|&e| {
                    evidence.binary_search(&e).is_err()
                        && (j.event_reasons[e as usize]
                            & (Reasons::VENDOR_CLIENT | Reasons::VENDOR_INFRASTRUCTURE))
                            .is_empty()
                })
                .collect();
            let mut nets: Vec<u64> = outside
                .iter()
                .filter(|&&e| log.ip()[e as usize] != NONE)
                .map(|&e| network_key(log.ips.resolve(log.ip()[e as usize])))
                .collect();
            nets.sort_unstable();
            nets.dedup();
            let note = format!(
                "its {} events outside the operation's work came from {} networks (IPv4 /24, \
                 IPv6 /48)",
                outside.len(),
                nets.len()
            );
            let is_flagged = outside
                .iter()
                .all(|&e| !j.event_reasons[e as usize].is_empty());
            return (outside, is_flagged, Some(note));
        }
        if bit == Reasons::TRUSTED_ACCOUNT {
            return (
                Vec::new(),
                false,
                Some(format!(
                    "about who endorses it, not about its events: trust from long-lived, widely \
                     endorsed accounts reaches it, more than {:.0}% of accounts get",
                    f64::from(self.x.trust.percentile[self.a as usize]) * 100.0
                )),
            );
        }
        if !carrying.is_empty() {
            return (carrying, true, None);
        }
        if bit == Reasons::EMULATED_DEVICE {
            let flags = &self.x.devices.flags;
            let evs: Vec<u32> = self
                .own
                .iter()
                .copied()
                .filter(|&e| {
                    let d = log.device()[e as usize];
                    d != NONE && flags[d as usize].is_emulated()
                })
                .collect();
            let note = if evs.is_empty() {
                "none of its events came from an emulated device"
            } else {
                "none of its flagged events carries this code; these are its events from \
                 emulated devices"
            };
            return (evs, false, Some(note.to_string()));
        }
        if bit == Reasons::BAN_MATCH {
            return (
                Vec::new(),
                false,
                Some(
                    "matched a banned operation's recorded fingerprints; ban_matches.csv names \
                     the matching action"
                        .to_string(),
                ),
            );
        }
        (
            Vec::new(),
            false,
            Some("no event of the account carries it".to_string()),
        )
    }

    /// The account's events behind evidence reason `bit` when no flagged event carries it:
    /// its events in the signals of that reason (bursts, which are never evidence, left out),
    /// or for `lockstep-expansion` its events inside the windows the expansion scanned.
    /// For an account in review, of those the ones the judge recorded as its evidence.
    fn evidence_of(&self, bit: Reasons) -> Vec<u32> {
        let x = self.x;
        let evs = if bit == Reasons::LOCKSTEP_EXPANSION {
            x.in_windows(self.own)
        } else {
            let mut evs: Vec<u32> = Vec::new();
            for m in self.named {
                let s = &x.j.signals[m.signal as usize];
                if s.reason != Reason::RateBurst && Reasons::from_code(s.reason.code()) == Some(bit)
                {
                    evs.extend_from_slice(x.in_signal(m));
                }
            }
            self.in_time_order(evs)
        };
        match self.review {
            Some(recorded) => {
                let kept: Vec<u32> = evs
                    .iter()
                    .copied()
                    .filter(|e| recorded.binary_search(e).is_ok())
                    .collect();
                if kept.is_empty() { evs } else { kept }
            }
            None => evs,
        }
    }

    /// Every event behind the account's evidence reasons, sorted by index: for an account in
    /// review, the evidence the judge recorded.
    fn evidence_all(&self) -> Vec<u32> {
        if let Some(recorded) = self.review {
            return recorded.to_vec();
        }
        let mut evs: Vec<u32> = Vec::new();
        for bit in EVIDENCE {
            if !self.v.reasons.contains(bit) {
                continue;
            }
            let carrying = self
                .flagged
                .iter()
                .copied()
                .filter(|&e| self.x.j.event_reasons[e as usize].contains(bit));
            let before = evs.len();
            evs.extend(carrying);
            if evs.len() == before {
                evs.extend(self.evidence_of(bit));
            }
        }
        evs.sort_unstable();
        evs.dedup();
        evs
    }

    fn evidence_all_in_time_order(&self) -> Vec<u32> {
        self.in_time_order(self.evidence_all())
    }

    fn in_time_order(&self, mut evs: Vec<u32>) -> Vec<u32> {
        let ts = self.x.log.ts();
        evs.sort_unstable_by_key(|&e| (ts[e as usize], e));
        evs.dedup();
        evs
    }

    /// The account's events through its operation's third-party clients (`VENDOR_CLIENT`) or
    /// its IPs, networks and devices (`VENDOR_INFRASTRUCTURE`).
    fn through_operation(&self, bit: Reasons) -> Vec<u32> {
        let Some(o) = self.op else {
            return Vec::new();
        };
        let log = self.x.log;
        let (ip, dev, cli) = (log.ip(), log.device(), log.client());
        self.own
            .iter()
            .copied()
            .filter(|&e| {
                let e = e as usize;
                if bit == Reasons::VENDOR_CLIENT {
                    let c = cli[e];
                    c != NONE && is_third_party(log, c) && o.clients.iter().any(|&(x, _)| x == c)
                } else {
                    (dev[e] != NONE && o.devices.binary_search(&dev[e]).is_ok())
                        || (ip[e] != NONE
                            && (o.ips.binary_search(&ip[e]).is_ok() || {
                                let net = subnet(log.ips.resolve(ip[e]));
                                o.subnets.iter().any(|(n, _)| *n == net)
                            }))
                }
            })
            .collect()
    }
}

/// Distinct targets and days of `events`.
fn spread(log: &EventLog, events: &[u32]) -> (usize, usize) {
    let mut t: Vec<Id> = events.iter().map(|&e| log.target()[e as usize]).collect();
    let mut d: Vec<i64> = events
        .iter()
        .map(|&e| log.ts()[e as usize].div_euclid(86_400_000))
        .collect();
    t.sort_unstable();
    t.dedup();
    d.sort_unstable();
    d.dedup();
    (t.len(), d.len())
}

/// Counts of `col` over `rows`, most first (ties by id), `NONE` skipped.
fn tally(rows: &[Own], col: impl Fn(&Own) -> Id) -> Vec<(Id, usize)> {
    let mut v: Vec<Id> = rows.iter().map(col).filter(|&x| x != NONE).collect();
    v.sort_unstable();
    let mut out: Vec<(Id, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((y, n)) if *y == x => *n += 1,
            _ => out.push((x, 1)),
        }
    }
    out.sort_by_key(|&(x, n)| (std::cmp::Reverse(n), x));
    out
}

/// Explains the verdict on `account`: [`Explainer::explain`] on an explainer built for this
/// one account.
///
/// # Arguments
/// * `log`, `j` — the log and the judgement made on it.
/// * `policy` — the policy that judged it (the expansion's windows, the repetition guard).
/// * `account` — the account's id in `log`.
/// * `limit` — at most this many events are listed per group (all are counted).
///
/// # Complexity
/// As [`Explainer::new`]; to explain many accounts, build one [`Explainer`].
pub fn explain(
    log: &EventLog,
    j: &Judgement,
    policy: &Policy,
    account: Id,
    limit: usize,
) -> Explanation {
    Explainer::new(log, j, policy).explain(account, limit)
}

fn write_events(f: &mut fmt::Formatter<'_>, ev: &Events, indent: &str) -> fmt::Result {
    for e in &ev.shown {
        write!(f, "{indent}{}  {:<7} {}", e.time, e.action, e.target)?;
        if let Some(o) = &e.owner {
            write!(f, " (of {o})")?;
        }
        for (k, v) in [("ip", &e.ip), ("device", &e.device), ("client", &e.client)] {
            if let Some(v) = v {
                write!(f, "  {k} {v}")?;
            }
        }
        write!(f, "  [{}]", e.id)?;
        if let Some(t) = &e.text {
            let short: String = t.chars().take(80).collect();
            write!(f, "  \"{short}\"")?;
        }
        writeln!(f)?;
    }
    if ev.total > ev.shown.len() {
        writeln!(f, "{indent}… and {} more", ev.total - ev.shown.len())?;
    }
    Ok(())
}

fn write_infra(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    v: &[InfraLine],
    limit: usize,
) -> fmt::Result {
    if v.is_empty() {
        return Ok(());
    }
    writeln!(f, "  {title}:")?;
    for x in v.iter().take(limit) {
        write!(f, "    {:<40} {:>6} events", x.value, x.events)?;
        if x.operation_infrastructure {
            write!(f, "  operation infrastructure")?;
        }
        if let Some(d) = &x.detail {
            write!(f, "  ({d})")?;
        }
        if !x.failed_checks.is_empty() {
            write!(f, "  fails: {}", x.failed_checks.join(", "))?;
        }
        writeln!(f)?;
    }
    if v.len() > limit {
        writeln!(f, "    … and {} more", v.len() - limit)?;
    }
    Ok(())
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "account {}: {} (score {:.3}, policy {})",
            self.account, self.verdict, self.score, self.policy_version
        )?;
        match &self.operation {
            Some(o) => writeln!(
                f,
                "operation {} ({}): {} members ({} fake, {} compromised), {} beneficiaries",
                o.id, o.kind, o.members, o.fake, o.compromised, o.beneficiaries
            )?,
            None => writeln!(f, "operation: none")?,
        }
        let h = &self.history;
        writeln!(f, "\nhistory:")?;
        writeln!(
            f,
            "  created {} · first event {} · last event {}",
            h.created_at.as_deref().unwrap_or("unknown"),
            h.first_event.as_deref().unwrap_or("-"),
            h.last_event.as_deref().unwrap_or("-")
        )?;
        let acts: Vec<String> = h
            .by_action
            .iter()
            .map(|(a, n)| format!("{n} {a}"))
            .collect();
        writeln!(
            f,
            "  {} events ({}), {} flagged",
            h.events,
            acts.join(", "),
            h.flagged_events
        )?;
        if self.trusted_by_endorsements {
            writeln!(
                f,
                "  trust: reached by endorsements from long-lived accounts; more than {:.0}% of accounts",
                f64::from(self.trust_percentile) * 100.0
            )?;
        } else {
            writeln!(
                f,
                "  trust: none reached it (new or unendorsed accounts have none; not evidence)"
            )?;
        }
        if self.emulated_device_share > 0.0 {
            writeln!(
                f,
                "  {:.0}% of its device events came from emulated devices",
                self.emulated_device_share * 100.0
            )?;
        }
        if self.reasons.is_empty() {
            writeln!(f, "\nreasons: none")?;
        } else {
            writeln!(f, "\nreasons:")?;
        }
        for r in &self.reasons {
            writeln!(f, "  {} — {}", r.code, r.meaning)?;
            if let Some(n) = &r.note {
                writeln!(f, "    {n}")?;
            }
            if r.events.total > 0 {
                if r.flagged {
                    writeln!(f, "    {} flagged events:", r.events.total)?;
                } else {
                    writeln!(f, "    {} events behind it:", r.events.total)?;
                }
                write_events(f, &r.events, "      ")?;
            }
        }
        if self.signals.is_empty() {
            writeln!(f, "\nsignals: none name this account")?;
        } else {
            writeln!(f, "\nsignals:")?;
        }
        for s in &self.signals {
            writeln!(
                f,
                "  #{} {} (score {:.3}, {} accounts): {}",
                s.index, s.reason, s.score, s.accounts, s.summary
            )?;
            writeln!(f, "    this account's {} events in it:", s.events.total)?;
            write_events(f, &s.events, "      ")?;
        }
        writeln!(f, "\ninfrastructure:")?;
        write_infra(f, "IPs", &self.ips, 10)?;
        write_infra(f, "devices", &self.devices, 10)?;
        write_infra(f, "clients", &self.clients, 10)?;
        Ok(())
    }
}
